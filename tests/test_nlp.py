"""Tests for analyzer.nlp: the shared pipeline and its tokenizer guards (issue 12)."""

from __future__ import annotations

from pathlib import Path

import spacy

from analyzer.nlp import LONG_TOKEN, get_nlp

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"


def test_tokens_equal_stock_spacy_on_ordinary_text(shared_corpora):
    stock = spacy.blank("en").tokenizer
    ours = get_nlp("en").tokenizer
    files = sorted(EXAMPLES.glob("*.md")) + sorted((shared_corpora / "ai_pairs").glob("*/new.md"))
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert [t.text for t in ours(text)] == [t.text for t in stock(text)], f
    odd = "(see (https://example.com/a).) e.g. U.S. 10km $5 ... wait!!! 'quoted' [1](x)"
    assert [t.text for t in ours(odd)] == [t.text for t in stock(odd)]


def test_a_long_chunk_is_one_token_and_affixes_are_still_split():
    tok = get_nlp("en").tokenizer
    assert len(tok("(" * 100_000 + " end")) == 2
    assert len(tok("a" * (LONG_TOKEN + 1))) == 1
    assert [t.text for t in tok("(" * 10 + "word" + ")" * 10)] == ["("] * 10 + ["word"] + [")"] * 10


def test_tokenizer_still_serializes():
    for lang in ("en", "fr", "de"):
        assert get_nlp(lang).tokenizer.to_bytes()


def test_the_pipeline_built_from_its_class_reads_like_spacy_blank():
    """``_build`` skips ``spacy.blank``'s configuration step and builds the tokenizer in one
    go (issue 15): the tokens, the special cases and the sentences must stay the same."""
    samples = {
        "en": "We don't sell data. U.S. users, e.g. you, can't opt out! Really? See p. 3 (1994).",
        "de": "Wir verkaufen z.B. keine Daten. Sie können widersprechen, d.h. jederzeit! Art. 6",
        "xx": "Datos: no vendemos nada. ¿Por qué? Véase art. 6.",
    }
    for lang, text in samples.items():
        stock = spacy.blank(lang)
        stock.add_pipe("sentencizer")
        ours = get_nlp(lang)
        assert ours.pipe_names == ["sentencizer"]
        a, b = ours(text), stock(text)
        assert [t.text for t in a] == [t.text for t in b], lang
        assert [s.text for s in a.sents] == [s.text for s in b.sents], lang

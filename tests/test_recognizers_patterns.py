"""Pattern files: every shipped file loads; malformed files raise PatternError naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import PatternError
from analyzer.recognizers.patterns import PATTERN_DIR, compile_file


@pytest.mark.parametrize("path", sorted(PATTERN_DIR.glob("*.json")), ids=lambda p: p.name)
def test_shipped_pattern_files_load(path: Path) -> None:
    ps = compile_file(path)
    assert ps.entries
    assert len({e.id for e in ps.entries.values()}) == len(ps.entries)


@pytest.mark.parametrize("path", sorted(PATTERN_DIR.glob("*.json")), ids=lambda p: p.name)
def test_every_shipped_regex_compiles_with_python_re(path: Path) -> None:
    """Regexes RE2 compiled are left to Python's ``re`` until first use (``LazyRegex``); each
    must still compile there, and search like the eagerly compiled pattern."""
    import re

    from analyzer.recognizers.patterns import LazyRegex

    for _, rx in compile_file(path).regexes:
        if isinstance(rx, LazyRegex):
            assert rx.compiled.pattern == rx.pattern
            assert rx.compiled.flags & re.IGNORECASE


def test_a_regex_only_re2_reads_fails_when_the_file_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"kind": "purpose", "patterns": [{"id": "x", "label": "advertising", "regex": r"ads\z"}]},
    )
    with pytest.raises(PatternError) as err:
        compile_file(path)
    assert "invalid regex" in str(err.value) and str(path) in str(err.value)


def _write(tmp_path: Path, data: object) -> Path:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ("{not json", "not valid JSON"),
        ({"patterns": []}, "missing 'kind'"),
        ({"kind": "purpose"}, "'patterns' list"),
        (
            {"kind": "purpose", "patterns": [{"label": "advertising", "phrases": ["ads"]}]},
            "no 'id'",
        ),
        (
            {"kind": "purpose", "patterns": [{"id": "x", "label": "nonsense", "phrases": ["a"]}]},
            "not a known purpose label",
        ),
        ({"kind": "purpose", "patterns": [{"id": "x", "label": "advertising"}]}, "exactly one of"),
        (
            {"kind": "purpose", "patterns": [{"id": "x", "label": "advertising", "regex": "(ads"}]},
            "invalid regex",
        ),
        (
            {
                "kind": "purpose",
                "patterns": [
                    {"id": "x", "label": "advertising", "pattern": [{"LOWER": {"BOGUS": 1}}]}
                ],
            },
            "invalid token pattern",
        ),
        (
            {
                "kind": "purpose",
                "patterns": [
                    {"id": "x", "label": "advertising", "phrases": ["a"]},
                    {"id": "x", "label": "advertising", "phrases": ["b"]},
                ],
            },
            "duplicate id",
        ),
        (
            {
                "kind": "purpose",
                "patterns": [
                    {"id": "x", "label": "advertising", "phrases": ["a"], "colour": "red"}
                ],
            },
            "unknown keys",
        ),
        (
            {
                "kind": "purpose",
                "patterns": [{"id": "x", "label": "advertising", "phrases": ["a"], "score": 3}],
            },
            "score",
        ),
        (
            {
                "kind": "purpose",
                "patterns": [
                    {"id": "x", "label": "advertising", "phrases": ["a"], "not_after": "(of"}
                ],
            },
            "invalid not_after",
        ),
    ],
)
def test_bad_pattern_files(tmp_path: Path, data: object, needle: str) -> None:
    path = _write(tmp_path, data)
    with pytest.raises(PatternError) as err:
        compile_file(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PatternError, match="not found"):
        compile_file(tmp_path / "nope.json")


def test_phrase_regex_and_token_patterns_match(tmp_path: Path) -> None:
    from analyzer.nlp import get_nlp

    path = _write(
        tmp_path,
        {
            "kind": "purpose",
            "patterns": [
                {"id": "p", "label": "advertising", "phrases": ["targeted ads"]},
                {"id": "r", "label": "research", "regex": r"\bresearch\b"},
                {"id": "t", "label": "security", "pattern": [{"LOWER": "fraud"}]},
            ],
        },
    )
    ps = compile_file(path)
    text = "Targeted ads, research and fraud."
    hits = ps.match(get_nlp("en")(text))
    assert [(m.entry.id, m.text) for m in hits] == [
        ("p", "Targeted ads"),
        ("r", "research"),
        ("t", "fraud"),
    ]
    for m in hits:
        assert text[m.start_char : m.end_char] == m.text


def test_re2_and_re_give_the_same_hits() -> None:
    """The optional RE2 engine must not change what the patterns find."""
    from dataclasses import replace

    from analyzer.nlp import get_nlp

    text = (
        "We don’t sell your personal information. We share data with service providers, "
        "advertisers and law enforcement. Nous n'utilisons pas vos données pour entraîner nos "
        "modèles. We may use publicly available information, for other purposes, including but "
        "not limited to research. Données personnelles: « déjà » traitées; under 18 excluded."
    )
    for path in sorted(PATTERN_DIR.glob("*.json")):
        ps = compile_file(path)
        if not ps.fast_regexes:
            continue
        nlp = get_nlp("en")
        fast = [(m.entry.id, m.start_char, m.end_char) for m in ps.match(nlp(text))]
        slow_ps = replace(ps, fast_regexes={})
        slow = [(m.entry.id, m.start_char, m.end_char) for m in slow_ps.match(nlp(text))]
        assert fast == slow, path.name


def test_fold_keeps_offsets_and_words() -> None:
    from analyzer.recognizers.patterns import fold

    text = "Öffentliche «données» – l’été\u00a0§ 25"
    folded = fold(text)
    assert len(folded) == len(text) and folded.isascii()
    assert folded == 'xffentliche "donnxes" - l\'xtx\u0020\x01 25'


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_folded_re2_gives_the_hits_of_re_on_real_policies(shared_corpora, lang) -> None:
    """German and French patterns run on RE2 over folded text: the same hits as ``re``."""
    from dataclasses import replace

    from analyzer.ingest import read_path
    from analyzer.nlp import get_nlp
    from corpora.tiltify import read_folder

    if lang == "fr":
        files = sorted((shared_corpora / "policy_versions" / "france" / "Google").rglob("*.md"))
        texts = [read_path(files[-1]).text]
    else:
        texts = [d.text for d in read_folder(shared_corpora / "tiltify") if d.language == "de"][:4]
    nlp = get_nlp(lang)
    paras = [p for t in texts for p in t.split("\n") if p.strip()]
    for path in sorted(PATTERN_DIR.glob(f"*.{lang}.json")):
        ps = compile_file(path)
        assert ps.folded and ps.fast_regexes, path.name
        slow_ps = replace(ps, fast_regexes={})
        fast = ps.match_many([nlp.make_doc(p) for p in paras])
        slow = slow_ps.match_many([nlp.make_doc(p) for p in paras])
        key = [[(m.entry.id, m.start_char, m.end_char) for m in h] for h in fast]
        assert key == [[(m.entry.id, m.start_char, m.end_char) for m in h] for h in slow]

"""Tests for analyzer.segment: sentences, list items, table rows, context, ids, offsets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import InputError
from analyzer.formats.markdown import markdown_blocks
from analyzer.ingest import from_text, read_path
from analyzer.segment import LONG_ITEM, normalize, segment


def clauses_of(md: str, nlp, fmt: str = "md"):
    return segment(from_text(md, fmt=fmt), nlp)


# -- normalize ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We   use your\ndata.", "We use your data."),
        ("We use **your** _data_.", "We use your data."),
        ("See our [Privacy Center](https://a.example/x?y=1).", "See our Privacy Center."),
        ("See our <a href='https://a.example'>Privacy Center</a>.", "See our Privacy Center."),
        ("We’ve updated the “policy”", 'We\'ve updated the "policy"'),
        ("data – for ads — and more", "data - for ads - and more"),
        ("WE USE YOUR DATA", "we use your data"),
        ("Terms &amp; conditions", "Terms & conditions"),
        ("data, see https://example.com/a.", "data, see."),
    ],
)
def test_normalize_ignores_presentation(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("We sell your data.", "We do not sell your data."),
        ("under 13", "under 16"),
        ("We use your posts.", "We use your messages."),
    ],
)
def test_normalize_keeps_words(a, b):
    assert normalize(a) != normalize(b)


# -- sentences ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We collect data, e.g. your name. We use it, i.e. to help.",
            ["We collect data, e.g. your name.", "We use it, i.e. to help."],
        ),
        (
            "Under Art. 6(1)(f) GDPR we rely on No. 5 here. Then we stop.",
            ["Under Art. 6(1)(f) GDPR we rely on No. 5 here.", "Then we stop."],
        ),
        (
            "We keep photos, videos, etc. for a year. We share them.",
            ["We keep photos, videos, etc. for a year.", "We share them."],
        ),
        (
            "We keep photos, videos, etc. We share them.",
            ["We keep photos, videos, etc.", "We share them."],
        ),
        (
            "Meta Platforms, Inc. is the controller. It is based in the U.S. and Ireland.",
            ["Meta Platforms, Inc. is the controller.", "It is based in the U.S. and Ireland."],
        ),
        (
            "Steps: 1. We collect data. 2. We share it.",
            ["Steps: 1. We collect data.", "2. We share it."],
        ),
        ("We use cookies. You can refuse them!", ["We use cookies.", "You can refuse them!"]),
    ],
)
def test_sentence_split_guards_abbreviations(nlp, text, expected):
    cl = clauses_of(text, nlp)
    assert [c.text for c in cl] == expected
    assert all(c.kind == "sentence" for c in cl)


# -- lists, lead-ins, sections --------------------------------------------------------------

POLICY = """\
# Privacy Policy

## What we collect

We collect data. We use your information to:

* personalize ads
* improve services, including:
    * training models
* keep you safe

Unrelated paragraph.

* a list with no lead-in

## Sharing

### Partners

We share data with partners.
"""


def test_lead_in_becomes_context_of_each_item(nlp):
    cl = clauses_of(POLICY, nlp)
    items = {c.text: c for c in cl if c.kind == "list_item"}
    lead = "We use your information to:"
    assert items["personalize ads"].context == lead
    assert items["improve services, including:"].context == lead
    assert items["training models"].context == f"{lead} improve services, including:"
    assert items["keep you safe"].context == lead
    assert items["a list with no lead-in"].context == ""
    # the lead-in stays a sentence of its own
    assert any(c.text == lead and c.kind == "sentence" for c in cl)


def test_section_paths_follow_heading_levels(nlp):
    cl = clauses_of(POLICY, nlp)
    by_text = {c.text: c for c in cl}
    assert by_text["Privacy Policy"].section == ()
    assert by_text["What we collect"].section == ("Privacy Policy",)
    assert by_text["We collect data."].section == ("Privacy Policy", "What we collect")
    assert by_text["Sharing"].section == ("Privacy Policy",)  # sibling closes "What we collect"
    assert by_text["We share data with partners."].section == (
        "Privacy Policy",
        "Sharing",
        "Partners",
    )


def test_long_list_item_is_split_but_stays_list_item(nlp):
    sentence = "We use the information that we collect to provide the service to you. "
    n = LONG_ITEM // len(sentence) + 2
    cl = clauses_of("Lead:\n\n* " + sentence * n, nlp)
    items = [c for c in cl if c.kind == "list_item"]
    assert len(items) == n
    assert all(c.context == "Lead:" for c in items)


# -- tables ---------------------------------------------------------------------------------


def test_table_row_is_one_clause_with_headers(nlp):
    md = (
        "|     |     |\n| --- | --- |\n| **Purpose** | **Legal basis** |\n"
        "| Ads<br><br>* profile<br>* activity | Legitimate interests |\n"
    )
    v = from_text(md)
    (c,) = segment(v, nlp)
    assert c.kind == "table_row"
    assert c.text == "Purpose: Ads; profile; activity | Legal basis: Legitimate interests"
    assert v.text[c.start : c.end] == "Ads; profile; activity | Legitimate interests"


def test_table_after_lead_in_gets_it_as_context(nlp):
    md = (
        "We rely on these legal bases:\n\n| Purpose | Legal basis |\n|---|---|\n"
        "| Ads | Consent |\n| Security | Legitimate interests |\n\nAfter.\n\n| A | B |\n|---|---|\n"
        "| x | y |\n"
    )
    rows = [c for c in clauses_of(md, nlp) if c.kind == "table_row"]
    assert [c.context for c in rows] == ["We rely on these legal bases:"] * 2 + [""]


def test_table_row_without_headers_joins_cells(nlp):
    md = "|   |   |\n|---|---|\n| Ads | Consent |\n| Security | Legal obligation |\n"
    cl = clauses_of(md, nlp)
    assert [c.text for c in cl] == ["Ads | Consent", "Security | Legal obligation"]


# -- ids and offsets ------------------------------------------------------------------------


def test_ids_are_stable_across_versions_and_repeats_numbered(nlp):
    old = clauses_of("# P\n\nWe collect data. Learn more.\n\nLearn more.\n", nlp)
    new = clauses_of("# P\n\nIntro.\n\nWe  collect **data**. Learn more.\n\nLearn more.\n", nlp)
    ids_old = {c.text: c.id for c in old}
    ids_new = {c.norm: c.id for c in new}
    assert ids_new[normalize("We collect data.")] == ids_old["We collect data."]
    learn = [c.id for c in new if c.norm == "learn more"]
    assert len(learn) == 2 and learn[1] == learn[0] + "-2"
    assert len({c.id for c in new}) == len(new)
    assert [c.index for c in new] == list(range(len(new)))


def test_offsets_index_version_text(nlp):
    v = from_text(POLICY)
    for c in segment(v, nlp):
        assert v.text[c.start : c.end] == c.text


_WORDS = st.sampled_from(
    "we collect use share your data e.g. i.e. etc. Inc. Art. No. 5 personal information "
    "partners ads: to: (a) 1. We. You. The.".split()
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "# ", "## ", "* ", "    * ", "1. "]),
            st.lists(_WORDS, min_size=1, max_size=25).map(" ".join),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_offsets_property(nlp, blocks):
    md = "\n\n".join(prefix + words for prefix, words in blocks)
    try:
        v = from_text(md)
    except InputError:
        # e.g. "1." alone: an empty list item, a document with no text (refused as such)
        assert not markdown_blocks(md)
        return
    cl = segment(v, nlp)
    for c in cl:
        assert c.kind == "table_row" or v.text[c.start : c.end] == c.text
        assert c.norm == normalize(c.text)
    assert len({c.id for c in cl}) == len(cl)


# -- real corpus ----------------------------------------------------------------------------


def test_expected_added_sentences_fall_within_one_clause(shared_corpora, nlp):
    """Each labelled AI-training sentence of ai_pairs sits inside a single clause."""
    pairs = sorted((shared_corpora / "ai_pairs").glob("*/meta.json"))
    if not pairs:
        pytest.skip("no ai_pairs in the shared corpora")
    checked = 0
    for meta_path in pairs:
        meta = json.loads(meta_path.read_text())
        expected = meta.get("expected_added_sentences") or []
        if not expected:
            continue
        clauses = segment(read_path(meta_path.parent / "new.md"), nlp)
        norms = [c.norm for c in clauses]
        for sentence in expected:
            target = normalize(sentence)
            assert any(target in n for n in norms), (meta_path.parent.name, sentence)
            checked += 1
    assert checked >= 5


# -- limits on hostile documents (issue 12) ---------------------------------------------------
def test_too_many_clauses_is_an_input_error(nlp, monkeypatch):
    from analyzer import segment as seg
    from analyzer.errors import InputError

    monkeypatch.setattr(seg, "MAX_CLAUSES", 5)
    v = from_text("\n\n".join(f"Sentence number {i} here." for i in range(8)), source="big.md")
    with pytest.raises(InputError, match="big.md: the document splits into more than 5 clauses"):
        seg.segment(v, nlp)


def test_an_overlong_clause_is_an_input_error(nlp, monkeypatch):
    from analyzer import segment as seg
    from analyzer.errors import InputError

    monkeypatch.setattr(seg, "MAX_CLAUSE_CHARS", 50)
    v = from_text("Short one.\n\n" + "word " * 30, source="long.md")
    with pytest.raises(InputError, match="long.md: a sentence of 149 characters"):
        seg.segment(v, nlp)


def test_context_of_deeply_nested_items_is_bounded(nlp):
    from analyzer.segment import CONTEXT_MAX

    md = "".join("  " * i + f"- item {i} holds:\n" for i in range(400))
    clauses = segment(from_text(md), nlp)
    assert len(clauses) == 400
    assert max(len(c.context) for c in clauses) <= CONTEXT_MAX
    assert clauses[-1].context.endswith("item 398 holds:")


def test_an_overlong_text_is_refused_before_splitting(nlp, monkeypatch):
    from analyzer import segment as seg
    from analyzer.errors import InputError

    monkeypatch.setattr(seg, "MAX_TEXT_CHARS", 100)
    v = from_text("We collect data. " * 10, source="long.txt", fmt="txt")
    with pytest.raises(InputError, match="long.txt: the text is 169 characters long"):
        seg.segment(v, nlp)

"""Tests for analyzer.align: kinds, word diffs, invariants (hypothesis), real pairs."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.align import align, similarity, word_diff
from analyzer.ingest import from_text, read_path
from analyzer.segment import normalize, segment


def clauses(md: str, nlp):
    return segment(from_text(md), nlp)


def compare(old_md: str, new_md: str, nlp):
    return align(clauses(old_md, nlp), clauses(new_md, nlp))


def assert_partition(changes, old, new):
    """Every clause of both sides appears in exactly one change."""
    seen_old = Counter(id(c.old) for c in changes if c.old is not None)
    seen_new = Counter(id(c.new) for c in changes if c.new is not None)
    assert sorted(seen_old) == sorted(id(c) for c in old)
    assert sorted(seen_new) == sorted(id(c) for c in new)
    assert set(seen_old.values()) <= {1} and set(seen_new.values()) <= {1}


# -- kinds ----------------------------------------------------------------------------------

OLD = """\
# Policy

## Collection

We collect your name and email address. We keep logs for 30 days.

## Sharing

We share data with service providers. We never sell your data.
"""


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (OLD, {"unchanged": 7}),
        (
            OLD.replace("We keep logs for 30 days.", "We keep logs for 90 days."),
            {"unchanged": 6, "modified": 1},
        ),
        (
            OLD.replace("We never sell your data.", ""),
            {"unchanged": 6, "removed": 1},
        ),
        (
            OLD + "\nWe use your public posts to train our AI models.\n",
            {"unchanged": 7, "added": 1},
        ),
        (
            OLD.replace(
                "We collect your name and email address. We keep logs for 30 days.",
                "We keep logs for 30 days. We collect your name and email address.",
            ),
            {"unchanged": 6, "moved": 1},
        ),
    ],
)
def test_change_kinds(nlp, new, expected):
    old_c, new_c = clauses(OLD, nlp), clauses(new, nlp)
    changes = align(old_c, new_c)
    assert dict(Counter(c.kind for c in changes)) == expected
    assert_partition(changes, old_c, new_c)


def test_modified_clause_has_word_diff(nlp):
    changes = compare(OLD, OLD.replace("30 days", "90 days"), nlp)
    (mod,) = [c for c in changes if c.kind == "modified"]
    assert mod.substantive and 0.5 <= mod.similarity < 1
    assert [(d.op, d.text) for d in mod.diff if d.op != "equal"] == [
        ("delete", "30"),
        ("insert", "90"),
    ]


def test_spelling_variant_is_not_substantive(nlp):
    changes = compare(OLD, OLD.replace("email address", "e-mail address"), nlp)
    (mod,) = [c for c in changes if c.kind == "modified"]
    assert not mod.substantive


def test_presentation_changes_are_not_substantive(nlp):
    new = (
        OLD.replace("your name and email", "your **name** and [email](https://e.example/b)")
        .replace("We share data with", "We share data\nwith")
        .replace("sell your data", "sell your “data”")
    )
    changes = compare(OLD, new, nlp)
    assert {c.kind for c in changes} == {"unchanged"}
    assert not [c for c in changes if c.substantive]


def test_reordered_sections_give_only_moves(nlp):
    collection, sharing = OLD.split("## Sharing")
    new = "# Policy\n\n## Sharing" + sharing + "\n" + collection.replace("# Policy\n\n", "")
    changes = compare(OLD, new, nlp)
    kinds = Counter(c.kind for c in changes)
    assert set(kinds) == {"unchanged", "moved"} and kinds["moved"] >= 3
    assert not [c for c in changes if c.substantive]


def test_new_or_renamed_heading_does_not_move_clauses(nlp):
    renamed = OLD.replace("## Sharing", "## Who we share data with")
    inserted = OLD.replace("We never sell", "### Sale\n\nWe never sell")
    for new, extra in ((renamed, {"modified", "added", "removed"}), (inserted, {"added"})):
        changes = compare(OLD, new, nlp)
        assert {c.kind for c in changes} <= {"unchanged"} | extra
        assert not [c for c in changes if c.kind == "moved"]


def test_clause_crossing_into_an_existing_section_is_moved(nlp):
    new = OLD.replace(
        "We keep logs for 30 days.\n\n## Sharing\n\n",
        "\n\n## Sharing\n\nWe keep logs for 30 days. ",
    )
    changes = compare(OLD, new, nlp)
    assert {c.kind for c in changes} == {"unchanged", "moved"}
    assert not [c for c in changes if c.substantive]
    (logs,) = [c for c in changes if c.new.text == "We keep logs for 30 days."]
    assert logs.kind == "moved" and logs.new.section == ("Policy", "Sharing")


def test_removed_clause_placed_after_its_old_predecessor(nlp):
    new = OLD.replace("We keep logs for 30 days.", "")
    changes = compare(OLD, new, nlp)
    i = next(k for k, c in enumerate(changes) if c.kind == "removed")
    assert changes[i - 1].new.text == "We collect your name and email address."


def test_similar_clauses_paired_by_best_match(nlp):
    old = "We share data with service providers.\n\nWe share data with law enforcement.\n"
    new = (
        "We share data with law enforcement agencies.\n\n"
        "We share personal data with our service providers.\n"
    )
    changes = compare(old, new, nlp)
    pairs = {(c.old.text, c.new.text) for c in changes if c.kind in ("modified", "moved")}
    assert (
        "We share data with service providers.",
        "We share personal data with our service providers.",
    ) in pairs
    assert (
        "We share data with law enforcement.",
        "We share data with law enforcement agencies.",
    ) in pairs


def test_similarity_bounds():
    assert similarity("a b c".split(), "a b c".split()) == 1.0
    assert similarity("a b c".split(), "x y z".split()) == 0.0
    assert similarity([], []) == 1.0


# -- word diff ------------------------------------------------------------------------------

_TEXT = st.lists(
    st.sampled_from("we use your data to train models, ads; and partners. AI (e.g. the) ’".split()),
    max_size=30,
).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(_TEXT, _TEXT)
def test_word_diff_reconstructs_both_sides(a, b):
    ops = word_diff(a, b)
    assert "".join(d.text for d in ops if d.op != "insert") == a
    assert "".join(d.text for d in ops if d.op != "delete") == b


def test_word_diff_works_on_whole_words():
    ops = word_diff("We may use your data.", "We will use your data.")
    assert [(d.op, d.text) for d in ops if d.op != "equal"] == [
        ("delete", "may"),
        ("insert", "will"),
    ]


# -- invariants (hypothesis) ----------------------------------------------------------------

_WORD = st.sampled_from(
    "we collect use share store your personal data information with partners advertisers "
    "service providers to train improve models for ads security research public posts "
    "messages children under eighteen accounts object consent legitimate interests".split()
)
_SENTENCE = st.lists(_WORD, min_size=3, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
_SECTION = st.tuples(
    st.lists(_WORD, min_size=1, max_size=4).map(lambda ws: " ".join(ws).title()),
    st.lists(st.lists(_SENTENCE, min_size=1, max_size=4), min_size=1, max_size=3),
)
_DOC = st.lists(_SECTION, min_size=1, max_size=6, unique_by=lambda s: s[0])


def render(sections, *, reflow: random.Random | None = None, target: str = "a") -> str:
    parts = ["# Policy"]
    for title, paragraphs in sections:
        parts.append(f"## {title}")
        for sentences in paragraphs:
            text = " ".join(sentences)
            words = text.split(" ")
            words[0] = f"[{words[0]}](https://example.com/{target})"
            if reflow is not None:
                text = words[0] + "".join(
                    (reflow.choice(["\n", "  ", " "]) if w[:1].isalpha() else " ") + w
                    for w in words[1:]
                )
            else:
                text = " ".join(words)
            parts.append(text)
    return "\n\n".join(parts) + "\n"


@settings(max_examples=40, deadline=None)
@given(_DOC)
def test_self_comparison_is_all_unchanged(nlp, doc):
    cl = clauses(render(doc), nlp)
    changes = align(cl, cl)
    assert {c.kind for c in changes} == {"unchanged"}
    assert_partition(changes, cl, cl)


@settings(max_examples=40, deadline=None)
@given(_DOC, st.randoms(use_true_random=False))
def test_shuffled_sections_give_only_moves(nlp, doc, rnd):
    shuffled = list(doc)
    rnd.shuffle(shuffled)
    old, new = clauses(render(doc), nlp), clauses(render(shuffled), nlp)
    changes = align(old, new)
    assert {c.kind for c in changes} <= {"unchanged", "moved"}
    assert not [c for c in changes if c.substantive]
    assert_partition(changes, old, new)


@settings(max_examples=40, deadline=None)
@given(_DOC, st.randoms(use_true_random=False))
def test_reflow_and_link_targets_are_not_substantive(nlp, doc, rnd):
    old = clauses(render(doc, target="old"), nlp)
    new = clauses(render(doc, reflow=rnd, target="new-target?x=1"), nlp)
    changes = align(old, new)
    assert not [c for c in changes if c.substantive]
    assert_partition(changes, old, new)


@settings(max_examples=40, deadline=None)
@given(_DOC, _DOC)
def test_every_clause_in_exactly_one_change(nlp, a, b):
    old, new = clauses(render(a), nlp), clauses(render(b), nlp)
    changes = align(old, new)
    assert_partition(changes, old, new)
    for c in changes:
        if c.kind == "modified":
            assert c.diff and c.old.norm != c.new.norm
        if c.kind in ("unchanged", "moved"):
            assert c.old.norm == c.new.norm and not c.substantive


# -- real pairs -----------------------------------------------------------------------------


def _pair(shared, name):
    d = shared / "ai_pairs" / name
    if not d.is_dir():
        pytest.skip(f"{d} not in the shared corpora")
    return d


def test_gemini_pair_is_a_pure_addition(shared_corpora, nlp):
    d = _pair(shared_corpora, "06_google-gemini-hub-genai-eu_pp_2026-03-26")
    old, new = segment(read_path(d / "old.md"), nlp), segment(read_path(d / "new.md"), nlp)
    changes = align(old, new)
    kinds = Counter(c.kind for c in changes)
    assert set(kinds) == {"unchanged", "added"}  # the notes say: pure addition (+9 -0)
    assert kinds["added"] == 9
    meta = json.loads((d / "meta.json").read_text())
    added = [normalize(c.new.text) for c in changes if c.kind == "added"]
    for sentence in meta["expected_added_sentences"]:
        assert any(normalize(sentence) in a for a in added)


def test_expected_sentences_are_new_or_modified(shared_corpora, nlp):
    """In every labelled pair, the expected added sentences are in added/modified clauses."""
    metas = sorted((shared_corpora / "ai_pairs").glob("*/meta.json"))
    if not metas:
        pytest.skip("no ai_pairs in the shared corpora")
    checked = 0
    for meta_path in metas:
        meta = json.loads(meta_path.read_text())
        if not meta.get("expected_added_sentences"):
            continue
        d = meta_path.parent
        changes = align(
            segment(read_path(d / "old.md"), nlp), segment(read_path(d / "new.md"), nlp)
        )
        changed = [normalize(c.new.text) for c in changes if c.kind in ("added", "modified")]
        for sentence in meta["expected_added_sentences"]:
            assert any(normalize(sentence) in n for n in changed), (d.name, sentence)
            checked += 1
    assert checked >= 5

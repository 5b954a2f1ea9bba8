"""Tests of analyzer.noise: statuses of captures, reading hashes, diff bases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_helpers import AI, BASE, EXTRA, keyword_analyzer, text

from analyzer.datamodel import PolicyVersion
from analyzer.history import recurrent_clauses
from analyzer.ingest import from_text
from analyzer.noise import NoiseConfig, choose_bases, classify, jaccard, reading_hash

LONG = text(*EXTRA)
SHORT = text()
TINY = "# Access denied\n\nPlease enable JavaScript.\n"


def v(body: str, date: str = "2024-01-01", raw_suffix: str = "") -> PolicyVersion:
    """A version; ``raw_suffix`` changes the bytes without changing the normalized text."""
    return from_text(body + raw_suffix, source=f"{date}.md", date=date)


# Each case: the bodies of a series (None = failed to load) -> the expected statuses.
CASES = [
    ([SHORT, SHORT], ["ok", "duplicate"]),
    ([SHORT, SHORT + "\n\n\n"], ["ok", "skipped"]),
    ([SHORT, LONG, SHORT], ["ok", "ok", "revert"]),
    ([SHORT, LONG, SHORT, SHORT], ["ok", "ok", "revert", "duplicate"]),
    ([SHORT, TINY, SHORT], ["ok", "broken", "duplicate"]),
    ([TINY, TINY], ["broken", "broken"]),
    ([SHORT, None, LONG], ["ok", "failed", "ok"]),
    ([LONG, LONG + "\n\n" + AI], ["ok", "ok"]),
]


@pytest.mark.parametrize(("bodies", "expected"), CASES)
def test_classify_statuses(bodies, expected):
    versions = [v(b, f"2024-01-0{i + 1}") if b is not None else None for i, b in enumerate(bodies)]
    assert [s.status for s in classify(versions)] == expected


def test_revert_and_duplicate_point_to_the_first_copy():
    statuses = classify([v(SHORT), v(LONG), v(SHORT), v(SHORT)])
    assert statuses[2].same_as == 0 and "returns to" in statuses[2].reason
    assert statuses[3].same_as == 0


def test_link_targets_only_change_is_skipped():
    a = v(SHORT + "\n\nSee [settings](https://x.example/redirect/1111-aaaa/settings).\n")
    b = v(SHORT + "\n\nSee [settings](https://x.example/redirect/2222-bbbb/settings).\n")
    assert reading_hash(a.text) == reading_hash(b.text)
    assert [s.status for s in classify([a, b])] == ["ok", "skipped"]


def _reading_hash_reference(text: str) -> str:
    """``reading_hash`` as first written (regex alternation and ``\\s+`` substitution)."""
    import hashlib
    import re

    plain = re.sub(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)", "]", text)
    plain = re.sub(r"(?:https?|ftp)://[^\s)\]>]+|www\.[^\s)\]>]+", "<url>", plain)
    return hashlib.sha256(re.sub(r"\s+", " ", plain).strip().encode("utf-8")).hexdigest()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "http://a.b/c",
                "https://x.example/1?q=2",
                "ftp://f.example",
                "www.site.example/p",
                "htt",
                "https:/",
                "ftp:",
                "ww.",
                "[link](https://t.example/a b)",
                "](#frag)",
                " ",
                "\t",
                "\n",
                "\u00a0",
                "\u2028",
                "\x1c",
                "\x85",
                "\u3000",
                ")",
                "]",
                ">",
                "word",
                "é",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_reading_hash_matches_its_reference_definition(text_: str) -> None:
    assert reading_hash(text_) == _reading_hash_reference(text_)


def test_size_drop_is_broken_unless_confirmed_by_next_capture():
    big = text(
        *(f"Paragraph number {i} explains one more data practice in detail." for i in range(60))
    )
    cfg = NoiseConfig()
    lone = classify([v(big), v(SHORT), v(big + "\n\nNew clause about cookies.")], cfg)
    assert [s.status for s in lone] == ["ok", "broken", "ok"]
    assert "size drop" in lone[1].reason
    confirmed = classify([v(big), v(SHORT), v(SHORT + "\n\nOne more short clause.")], cfg)
    assert [s.status for s in confirmed] == ["ok", "ok", "ok"]


def test_jaccard():
    assert jaccard(set(), set()) == 1.0
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)


def test_flip_flop_is_compared_with_its_own_rendering():
    # long / short renderings alternate; each returning rendering differs a little
    bodies = [LONG, SHORT, LONG + "\n\nA new long clause.", SHORT + "\n\nA new short clause."]
    versions = [v(b, f"2024-01-0{i + 1}") for i, b in enumerate(bodies)]
    statuses = classify(versions)
    an = keyword_analyzer()
    ids = {i: {c.id for c in an.analyze(x).clauses} for i, x in enumerate(versions)}
    bases = choose_bases(statuses, ids)
    assert bases[0] == (None, 0.0)
    assert bases[1][0] == 0
    assert bases[2][0] == 0  # long compared with long, not with the short one before it
    assert bases[3][0] == 1
    added, removed = recurrent_clauses([0, 1, 2, 3], ids, 2, 0)
    assert added == set() and removed == set()
    # against the previous (short) version the long clauses would all be recurrent
    added, _ = recurrent_clauses([0, 1, 2, 3], ids, 3, 2)
    assert added == set()


def test_base_texts_are_long_enough_for_the_default_noise_rules():
    assert len(SHORT) > NoiseConfig().min_chars and len(BASE) > 3


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["short", "long", "tiny", "short2", "fail"]), min_size=1, max_size=15)
)
def test_classify_invariants(picks):
    bodies = {"short": SHORT, "long": LONG, "tiny": TINY, "short2": SHORT + "\n\n"}
    versions = [
        None if p == "fail" else v(bodies[p], f"2024-01-{i + 1:02d}") for i, p in enumerate(picks)
    ]
    statuses = classify(versions)
    assert len(statuses) == len(versions)
    seen_texts: set[str] = set()
    for i, (x, s) in enumerate(zip(versions, statuses, strict=True)):
        assert s.status in {"ok", "duplicate", "skipped", "broken", "revert", "failed"}
        assert (s.status == "failed") == (x is None)
        if s.same_as is not None:
            assert s.same_as < i and versions[s.same_as] is not None
            assert reading_hash(versions[s.same_as].text) == reading_hash(x.text)
        if s.status == "ok":  # an accepted version never repeats an earlier text
            assert x.text not in seen_texts
        if x is not None:
            seen_texts.add(x.text)
        if x is not None and len(x.text) < NoiseConfig().min_chars:
            assert s.status == "broken"

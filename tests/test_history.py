"""Tests of analyzer.history: noise statuses, diff bases, recurrent clauses, timelines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scan_helpers import AI, BASE, EXTRA, keyword_analyzer, text

from analyzer.datamodel import (
    AnalyzedVersion,
    Annotation,
    Clause,
    Explanation,
    PolicyVersion,
    Span,
)
from analyzer.history import build_timeline, presence, recurrent_clauses
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


def test_recurrent_clauses_marks_flip_backs():
    ids = {0: {"a", "b"}, 1: {"a"}, 2: {"a", "b"}}
    added, removed = recurrent_clauses([0, 1, 2], ids, 2, 1)
    assert added == {"b"} and removed == set()


# -- timelines -------------------------------------------------------------------------------
def analyzed(date: str, labels: list[str]) -> AnalyzedVersion:
    """A hand-built version with one clause per ``kind.label``."""
    clauses, annotations = [], []
    for n, kl in enumerate(labels):
        kind, label = kl.split(".")
        c = Clause(
            id=f"c{kl}",
            index=n,
            text=f"Clause about {kl}.",
            norm=kl,
            kind="sentence",
            section=(),
            start=0,
            end=10,
        )
        clauses.append(c)
        annotations.append(
            Annotation(c.id, kind, label, Span(0, 6, "Clause"), 1.0, Explanation("test"))
        )
    pv = PolicyVersion(
        source=date, text="", blocks=(), content_hash=date, text_hash=date, format="md", date=date
    )
    return AnalyzedVersion(pv, tuple(clauses), tuple(annotations))


def timeline(seq: list[list[str]], window: int = 3, confirm: int | None = None):
    chain = [(i, analyzed(f"2024-01-{i + 1:02d}", labels)) for i, labels in enumerate(seq)]
    cfg = NoiseConfig(window=window, confirm=confirm or window)
    return build_timeline(chain, service="S", document_type="P", config=cfg)


def reported(rows):
    return [
        (r.event.date[-2:], r.event.event, r.event.label) for r in rows if r.status == "reported"
    ]


AIU = "ai_training.use"


def test_first_appearance_and_lasting_disappearance():
    rows = timeline([[], [AIU], [AIU], [AIU], [AIU], [], [], [], []])
    assert reported(rows) == [("02", "appeared", "use"), ("06", "disappeared", "use")]
    first = rows[0].event
    assert first.family == "ai_training" and first.previous_date == "2024-01-01"
    assert first.clause_text == "Clause about ai_training.use."


def test_baseline_version_items_appear_with_no_previous_date():
    rows = timeline([[AIU]])
    assert reported(rows) == [("01", "appeared", "use")]
    assert rows[0].event.previous_date is None


def test_flip_flop_reports_once_and_suppresses_the_rest():
    rows = timeline([[AIU], [], [AIU], [], [AIU], [], [AIU]])
    assert reported(rows) == [("01", "appeared", "use")]
    assert {r.status for r in rows} == {"reported", "suppressed"}


def test_quick_reversal_is_pending_then_confirmed():
    rows = timeline([[AIU], [], []])
    assert [r.status for r in rows] == ["reported", "pending"]
    rows = timeline([[AIU], [], [], []])
    assert reported(rows) == [("01", "appeared", "use"), ("02", "disappeared", "use")]


def test_rendering_that_returns_after_a_long_absence_is_damped():
    # long rendering (with the item) for a while, short for five versions, then one long
    # capture and back to short: the late long capture is noise, the first drop was reported
    seq = [[AIU]] * 3 + [[]] * 5 + [[AIU], []]
    rows = timeline(seq, window=10, confirm=3)
    assert reported(rows) == [("01", "appeared", "use"), ("04", "disappeared", "use")]
    assert [r.status for r in rows if r.chain_pos >= 8] == ["suppressed", "suppressed"]


def test_negated_annotations_do_not_count_as_present():
    av = analyzed("2024-01-01", [AIU])
    a = av.annotations[0]
    neg = AnalyzedVersion(
        av.version,
        av.clauses,
        (Annotation(a.clause_id, a.kind, a.label, a.span, a.score, a.explanation, negated=True),),
    )
    assert presence(av) and not presence(neg)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=30), st.integers(1, 5))
def test_reported_events_alternate_and_never_exceed_flips(seq, window):
    rows = timeline([[AIU] if p else [] for p in seq], window=window)
    events = [r.event.event for r in rows if r.status == "reported"]
    assert all(a != b for a, b in zip(events, events[1:], strict=False))
    if events:
        assert events[0] == "appeared"
    flips = sum(1 for a, b in zip([False, *seq], seq, strict=False) if a != b)
    assert len(events) <= flips
    # the state the timeline ends in is the real final state unless a change is pending
    pending = any(r.status == "pending" for r in rows)
    final_reported = bool(events) and events[-1] == "appeared"
    assert pending or final_reported == seq[-1]


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


# -- issue 11: a change reported once is not reported again ----------------------------------
def _fnd(flag: str, text: str, terms: tuple[str, ...] = (), span: str = ""):
    from analyzer.assess.catalogue import _finding
    from analyzer.datamodel import Clause, Evidence, Explanation, Span

    clause = Clause(
        id="c" + str(abs(hash(text)))[:8], index=0, text=text, norm=text.lower(),
        kind="sentence", section=(), start=0, end=len(text),
    )  # fmt: skip
    ev = [Evidence("v", clause.id, Span(0, len(span), span))] if span else []
    side = {"old_clause": clause} if flag.endswith(".removed") else {"new_clause": clause}
    return _finding(flag, "r", Explanation("t", "rule"), evidence=ev, terms=terms, **side)


def test_drop_repeated_reports_each_change_once() -> None:
    from analyzer.history import drop_repeated

    reported: dict = {}
    cfg = NoiseConfig(window=10)
    us = _fnd("vague_purpose.added", "Customizing our services for a better user experience",
              span="better user experience")  # fmt: skip
    uk = _fnd("vague_purpose.added", "Customising our services for a better user experience",
              span="better user experience")  # fmt: skip
    kids = _fnd("data_category.added", "We collect data from children.", ("children",))
    assert drop_repeated([us, kids], reported, 0, cfg) == (us, kids)
    # the other rendering brings the same wording back (a reworded clause, a new id): nothing
    assert drop_repeated([uk], reported, 3, cfg) == ()
    # beyond the window the state it returns to is no longer recent: news again
    assert drop_repeated([uk], dict(reported), 14, cfg) == (uk,)
    # a reported removal makes adding it back news again; removing it twice is not
    gone = _fnd("data_category.removed", "We collect data from children.", ("children",))
    assert drop_repeated([gone], reported, 4, cfg) == (gone,)
    assert drop_repeated([gone], reported, 5, cfg) == ()
    assert drop_repeated([kids], reported, 6, cfg) == (kids,)
    # the first version's findings count: a later '.added' of the same wording is no news
    present = _fnd("vague_purpose", "We use data to improve our services.",
                   span="improve our services")  # fmt: skip
    reported = {}
    assert drop_repeated([present], reported, 0, cfg) == (present,)
    again = _fnd("vague_purpose.added", "To improve services.", span="improve services")
    assert drop_repeated([again], reported, 2, cfg) == ()

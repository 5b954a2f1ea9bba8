"""Tests of analyzer.history: recurrent clauses, timelines, repeated findings (the noise
rules are in test_noise.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.datamodel import (
    AnalyzedVersion,
    Annotation,
    Clause,
    Explanation,
    PolicyVersion,
    Span,
)
from analyzer.history import build_timeline, presence, recurrent_clauses
from analyzer.noise import NoiseConfig


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


def test_an_ai_training_addition_found_again_with_the_same_facets_is_a_repeat() -> None:
    """A comparison that skips a rendering finds the training sentence again, cut into
    another clause ("... features like" / "... features like Google"): the same new
    facets are no news; other facets are."""
    from analyzer.history import drop_repeated

    cfg, reported = NoiseConfig(window=10), {}
    said = "we use publicly available information to help train language models and build"
    first = _fnd("ai_training.added", said + " features like", ("data:public_web",))
    again = _fnd("ai_training.added", said + " features like Google", ("data:public_web",))
    other = _fnd("ai_training.added", "we use your posts to train AI", ("data:public_posts",))
    assert drop_repeated([first], reported, 0, cfg) == (first,)
    assert drop_repeated([again, other], reported, 1, cfg) == (other,)

"""combine(): rule and model annotations agree, or the explanation says who decided."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analyzer.classify.combine import combine
from analyzer.classify.recognizer import NAME
from analyzer.datamodel import Annotation, Explanation, Span


def rule(clause="c1", kind="legal_basis", label="legitimate_interests", negated=False, score=0.9):
    return Annotation(
        clause,
        kind,
        label,
        Span(10, 30, "legitimate interests"),
        score,
        Explanation(
            "policydiff.legal_basis.v1", "rule", "li_phrase", "matched 'legitimate interests'"
        ),
        negated=negated,
    )


def model(clause="c1", kind="legal_basis", label="legitimate_interests", score=0.7):
    return Annotation(
        clause,
        kind,
        label,
        Span(0, 50, "x" * 50),
        score,
        Explanation(
            NAME, "model", "goppc", "GDPR concept classifier: P = 0.70", ("legitimate", "interests")
        ),
    )


def test_agreement_merges_into_the_rule_span():
    (a,) = combine([rule(score=0.6), model(score=0.8)])
    assert a.explanation.source == "rule+model"
    assert a.span == Span(10, 30, "legitimate interests")
    assert a.score == 0.8
    assert "agree" in a.explanation.detail and "goppc" in a.explanation.detail
    assert a.explanation.top_terms == ("legitimate", "interests")
    assert NAME in a.explanation.recognizer


def test_only_model_says_model_decided():
    (a,) = combine([model()])
    assert a.explanation.source == "model"
    assert a.explanation.detail.endswith("Decided by the model; no rule matched.")


def test_only_rule_says_rule_decided():
    (a,) = combine([rule()])
    assert a.explanation.source == "rule"
    assert (
        "Decided by the rule; the trained model did not flag this clause." in a.explanation.detail
    )


def test_rule_label_no_model_covers():
    (a,) = combine([rule(kind="purpose", label="ai_training")])
    assert "no trained model covers this label" in a.explanation.detail


def test_negated_rule_does_not_agree_with_model():
    out = combine(
        [
            rule(kind="recipient", label="shared", negated=True),
            model(kind="recipient", label="shared"),
        ]
    )
    assert len(out) == 2
    r = next(a for a in out if a.explanation.source == "rule")
    m = next(a for a in out if a.explanation.source == "model")
    assert "negated" in r.explanation.detail and "negated" in m.explanation.detail


def test_different_clauses_or_labels_do_not_merge():
    out = combine([rule(clause="c1"), model(clause="c2"), model(clause="c1", label="consent")])
    assert [a.explanation.source for a in out] == ["rule", "model", "model"]


KEYS = st.tuples(st.sampled_from(["c1", "c2"]), st.sampled_from(["consent", "contract"]))


@given(st.lists(st.tuples(st.booleans(), KEYS, st.booleans()), max_size=8))
def test_combine_never_loses_a_decision(items):
    anns = [
        (rule(clause=c, label=lab, negated=neg) if is_rule else model(clause=c, label=lab))
        for is_rule, (c, lab), neg in items
    ]
    out = combine(anns)
    assert len(out) <= len(anns)
    before = {(a.clause_id, a.kind, a.label) for a in anns}
    after = {(a.clause_id, a.kind, a.label) for a in out}
    assert before == after
    assert all(a.explanation.detail for a in out)
    # rule annotations are all kept, in order
    assert [a.span for a in out if a.explanation.source != "model"] == [
        a.span for a in anns if a.explanation.source == "rule"
    ]


def test_rebuilt_annotations_keep_every_field():
    """combine's direct constructors (used instead of dataclasses.replace for speed) carry
    every field of Annotation and Explanation over, so a field added later is not lost."""
    from dataclasses import fields

    from analyzer.classify.combine import _noted, _with_detail

    # a new field must be added to the constructors in combine.py too
    assert [f.name for f in fields(Annotation)] == [
        "clause_id",
        "kind",
        "label",
        "span",
        "score",
        "explanation",
        "negated",
        "inherited",
        "qualifiers",
    ]
    assert [f.name for f in fields(Explanation)] == [
        "recognizer",
        "source",
        "pattern",
        "detail",
        "top_terms",
    ]
    a = Annotation(
        "c9",
        "recipient",
        "advertisers",
        Span(1, 5, "ads!"),
        0.42,
        Explanation("r.v1", "rule", "pat", "detail", ("t1", "t2")),
        negated=True,
        inherited=True,
        qualifiers=(("purpose", "ads"),),
    )
    ex = _noted(a.explanation, "note")
    assert ex.detail == "detail. note"
    for f in fields(Explanation):
        if f.name != "detail":
            assert getattr(ex, f.name) == getattr(a.explanation, f.name), f.name
    b = _with_detail(a, ex, 0.9)
    assert b.score == 0.9 and b.explanation is ex
    for f in fields(Annotation):
        if f.name not in ("score", "explanation"):
            assert getattr(b, f.name) == getattr(a, f.name), f.name
    assert _with_detail(a, ex).score == a.score

"""Combine rule and model annotations so that every decision says who made it.

For each ``(clause, kind, label)``:

* a rule annotation (not negated) and a model annotation agree -> the rule annotations are
  kept (they have the precise span) with ``source="rule+model"``, the model's top terms,
  the larger score, and a detail saying both agreed; the model's clause-wide duplicate is
  dropped;
* only a rule fired -> the detail says the rule decided (and whether a model covers the
  label but did not flag the clause);
* only the model fired -> the detail says the model decided and no rule matched (or that a
  rule found the practice negated).

Annotations of other recognizers and kinds pass through in their original order.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..datamodel import Annotation, Explanation
from .recognizer import COVERED, NAME

Key = tuple[str, str, str]


def _key(a: Annotation) -> Key:
    return (a.clause_id, a.kind, a.label)


def _is_model(a: Annotation) -> bool:
    return a.explanation.source == "model"


# Direct constructors instead of ``dataclasses.replace`` (about twice as fast; combine
# rebuilds nearly every annotation). ``tests/test_classify_combine.py`` checks that they
# carry every field over.
def _with_detail(a: Annotation, explanation: Explanation, score: float | None = None) -> Annotation:
    return Annotation(
        a.clause_id,
        a.kind,
        a.label,
        a.span,
        a.score if score is None else score,
        explanation,
        a.negated,
        a.inherited,
        a.qualifiers,
    )


def _noted(ex: Explanation, note: str) -> Explanation:
    """``ex`` with ``note`` appended to its detail."""
    return Explanation(ex.recognizer, ex.source, ex.pattern, _append(ex.detail, note), ex.top_terms)


def _append(detail: str, note: str) -> str:
    return f"{detail.rstrip('. ')}. {note}" if detail else note


def combine(annotations: Iterable[Annotation]) -> list[Annotation]:
    """Merge agreeing rule and model annotations; say who decided otherwise."""
    return [a for a in combine_each(annotations) if a is not None]


def combine_each(annotations: Iterable[Annotation]) -> list[Annotation | None]:
    """:func:`combine`, aligned with its input: the annotation that replaces each input
    annotation, or ``None`` where it is dropped (a model annotation merged into the rule
    annotations of its clause). What becomes of an annotation depends only on the
    annotations of its own clause."""
    anns = list(annotations)
    model_by_key: dict[Key, Annotation] = {}
    rules_by_key: dict[Key, list[Annotation]] = {}
    for a in anns:
        if _is_model(a):
            model_by_key.setdefault(_key(a), a)
        elif a.explanation.source == "rule":
            rules_by_key.setdefault(_key(a), []).append(a)

    out: list[Annotation | None] = []
    for a in anns:
        k = _key(a)
        ex = a.explanation
        if _is_model(a):
            rules = rules_by_key.get(k, [])
            if any(not r.negated for r in rules):
                out.append(None)  # merged into the rule annotation(s)
                continue
            if rules:
                note = (
                    f"Decided by the model; the rule {rules[0].explanation.recognizer} found "
                    "this practice negated in the clause."
                )
            else:
                note = "Decided by the model; no rule matched."
            out.append(_with_detail(a, _noted(ex, note)))
            continue
        if ex.source != "rule" or (a.kind, a.label) not in COVERED:
            if ex.source == "rule":
                note = "Decided by the rule (no trained model covers this label)."
                out.append(_with_detail(a, _noted(ex, note)))
            else:
                out.append(a)
            continue
        m = model_by_key.get(k)
        if m is not None and not a.negated:
            pattern = f" ({ex.pattern})" if ex.pattern else ""
            merged = Explanation(
                recognizer=f"{ex.recognizer}+{NAME}",
                source="rule+model",
                pattern=ex.pattern or m.explanation.pattern,
                detail=(
                    f"Rule {ex.recognizer}{pattern} and model {m.explanation.pattern} agree. "
                    f"Rule: {ex.detail or 'pattern matched'}. Model: {m.explanation.detail}."
                ),
                top_terms=m.explanation.top_terms or ex.top_terms,
            )
            out.append(_with_detail(a, merged, max(a.score, m.score)))
        else:
            if m is not None:  # negated rule hit while the model saw the practice
                note = (
                    f"Decided by the rule (negated); the model {m.explanation.pattern} flagged "
                    "the practice without seeing the negation."
                )
            else:
                note = "Decided by the rule; the trained model did not flag this clause."
            out.append(_with_detail(a, _noted(ex, note)))
    return out

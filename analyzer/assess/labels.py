"""Purposes, data categories and sources, recipients added to or removed from a version.

Decided in substance, at document level: each version has a *statement set*
(``statements``): for each family and label, the clauses that state it positively,
wherever they stand (prose, list item, table row or cell, heading). A hit that is negated
("we do not collect biometric data", "does not encourage you to provide ... health data"),
hypothetical ("if your child has given us data, contact us") or a defined legal term
(“business purposes” under the CCPA) states nothing. A label is ``.added`` only when no
clause of the old version states it, ``.removed`` only when no clause of the new version
does, so a purpose restated in a table, or a recipient moved from a table into a list, is
no change.
"""

from __future__ import annotations

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Finding
from ..recognizers.common import in_condition
from .catalogue import _HIGH_LABELS, FLAGS, _evidence, _finding
from .common import _clauses, _order, is_caption
from .vagueness import defined_term

_LABEL_FLAGS = (
    (tx.PURPOSE, "purpose"),
    (tx.DATA_CATEGORY, "data_category"),
    (tx.DATA_SOURCE, "data_source"),
    (tx.RECIPIENT, "recipient"),
)
_KINDS = frozenset(k for k, _ in _LABEL_FLAGS)


def statements(v: AnalyzedVersion) -> dict[tuple[str, str], list[Annotation]]:
    """The statement set of a version: ``(kind, label)`` -> the annotations stating it
    positively, in document order."""
    order = _order(v)
    clauses = _clauses(v)
    out: dict[tuple[str, str], list[Annotation]] = {}
    for a in sorted(
        (a for a in v.annotations if a.kind in _KINDS and not a.negated),
        key=lambda a: (order.get(a.clause_id, 0), a.span.start),
    ):
        clause = clauses.get(a.clause_id)
        if clause is None or in_condition(clause.text, a.span.start):
            continue
        if a.kind == tx.PURPOSE and defined_term(clause.text, a.span.start, a.span.end):
            continue
        out.setdefault((a.kind, a.label), []).append(a)
    return out


def _first(stated: list[Annotation], prefer: set[str]) -> Annotation | None:
    """The first statement in a changed clause (``prefer``), else None."""
    return next((a for a in stated if a.clause_id in prefer), None)


def _label_changes(
    old: AnalyzedVersion, new: AnalyzedVersion, changed_new: set[str], changed_old: set[str]
) -> list[Finding]:
    out: list[Finding] = []
    before, after = statements(old), statements(new)
    for kind, family in _LABEL_FLAGS:
        for (k, label), stated in after.items():
            if k != kind or (k, label) in before:
                continue
            a = _first(stated, changed_new)
            if a is None:
                continue
            meaning = tx.VOCABULARY[kind].get(label, label)
            clauses = _clauses(new)
            # high only when stated positively in a statement, not only in a caption
            high = (family, label) in _HIGH_LABELS and any(
                not is_caption(clauses[b.clause_id]) for b in stated
            )
            out.append(
                _finding(
                    f"{family}.added",
                    f"New {family.replace('_', ' ')} '{label}' "
                    f"({meaning.rstrip('.')}) not named in the "
                    f"old version ({FLAGS[family + '.added'].gdpr}).",
                    a.explanation,
                    new_clause=_clauses(new)[a.clause_id],
                    evidence=[_evidence(new, a, "new")],
                    terms=[label],
                    severity="high" if high else None,
                )
            )
        for (k, label), stated in before.items():
            if k != kind or (k, label) in after:
                continue
            a = _first(stated, changed_old)
            if a is None:
                continue
            meaning = tx.VOCABULARY[kind].get(label, label)
            out.append(
                _finding(
                    f"{family}.removed",
                    f"The {family.replace('_', ' ')} '{label}' "
                    f"({meaning.rstrip('.')}) is no longer "
                    f"named anywhere in the new version.",
                    a.explanation,
                    old_clause=_clauses(old)[a.clause_id],
                    evidence=[_evidence(old, a, "old")],
                    terms=[label],
                )
            )
    return out

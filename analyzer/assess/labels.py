"""Purposes, data categories and sources, recipients added to or removed from a version."""

from __future__ import annotations

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Finding
from .catalogue import _HIGH_LABELS, FLAGS, _evidence, _finding
from .common import (
    _clauses,
    _order,
)

_LABEL_FLAGS = (
    (tx.PURPOSE, "purpose"),
    (tx.DATA_CATEGORY, "data_category"),
    (tx.DATA_SOURCE, "data_source"),
    (tx.RECIPIENT, "recipient"),
)


def _first_by_label(v: AnalyzedVersion, kind: str, prefer: set[str]) -> dict[str, Annotation]:
    order = _order(v)
    out: dict[str, Annotation] = {}
    for a in sorted(
        (a for a in v.annotations if a.kind == kind and not a.negated),
        key=lambda a: (a.clause_id not in prefer, order.get(a.clause_id, 0)),
    ):
        out.setdefault(a.label, a)
    return out


def _label_changes(
    old: AnalyzedVersion, new: AnalyzedVersion, changed_new: set[str], changed_old: set[str]
) -> list[Finding]:
    out: list[Finding] = []
    for kind, family in _LABEL_FLAGS:
        before = _first_by_label(old, kind, changed_old)
        after = _first_by_label(new, kind, changed_new)
        for label, a in after.items():
            if label in before or a.clause_id not in changed_new:
                continue
            meaning = tx.VOCABULARY[kind].get(label, label)
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
                    severity="high" if (family, label) in _HIGH_LABELS else None,
                )
            )
        for label, a in before.items():
            if label in after or a.clause_id not in changed_old:
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

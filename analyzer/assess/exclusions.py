"""Protections (exclusions) of the old version no longer stated in the new one."""

from __future__ import annotations

from collections.abc import Sequence

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, ClauseChange, Finding
from .catalogue import _evidence, _finding
from .common import (
    _clauses,
    _order,
    _sentence_around,
)


def _exclusion_scopes(v: AnalyzedVersion) -> list[tuple[Annotation, frozenset[str]]]:
    """Each exclusion with what it keeps the data out of (its scope).

    The scope is ``ai_training`` for a commitment not to train, or when the exclusion's
    sentence speaks of AI training ("we do not use the accounts of people under 18 to
    develop AI"); else the purposes named in its sentence, negated or not ("we do not show
    personalized ads to them" -> advertising); empty when the sentence names no purpose
    ("accounts of people under 18 are excluded"), i.e. any use.
    """
    clauses = _clauses(v)
    out: list[tuple[Annotation, frozenset[str]]] = []
    for a in v.annotations:
        if a.kind != tx.EXCLUSION:
            continue
        if a.label == "no_ai_training":
            out.append((a, frozenset({"ai_training"})))
            continue
        clause = clauses.get(a.clause_id)
        if clause is None:
            continue
        lo, hi = _sentence_around(clause.text, a.span.start)
        scope: set[str] = set()
        for b in v.annotations_for(a.clause_id):
            if not lo <= b.span.start < hi:
                continue
            if b.kind == tx.AI_TRAINING or (b.kind == tx.EXCLUSION and b.label == "no_ai_training"):
                scope.add("ai_training")
            elif b.kind == tx.PURPOSE and b.label != "open_ended":
                scope.add(b.label)
        out.append((a, frozenset(scope)))
    return out


def _exclusions_removed(
    old: AnalyzedVersion, new: AnalyzedVersion, changes: Sequence[ClauseChange] = ()
) -> list[Finding]:
    """Protections of ``old`` that ``new`` no longer states: one finding per old clause,
    naming every protection lost there; a protection stated in several old clauses is
    reported once, on the first.

    A protection is what is excluded (the label: private messages, minors, ...) and what it
    is excluded from (its scope, ``_exclusion_scopes``). It is kept when the old clause was
    reworded into a new clause that still states it (a modified, moved or unchanged pair),
    or when some new clause states the same label with an overlapping scope, or with no
    scope (a general exclusion covers a specific one); an old exclusion without a scope is
    kept by any new exclusion of the same label. So "we do not use private messages or the
    accounts of people under 18 to develop AI" -> "we do not use the content of private
    messages to develop AI" drops the minors protection for AI training, even if minors are
    still kept out of personalized ads elsewhere.
    """
    paired: dict[str, str] = {
        ch.old.id: ch.new.id for ch in changes if ch.old is not None and ch.new is not None
    }
    now: dict[str, list[frozenset[str]]] = {}
    labels_in: dict[str, set[str]] = {}
    for a, scope in _exclusion_scopes(new):
        now.setdefault(a.label, []).append(scope)
        labels_in.setdefault(a.clause_id, set()).add(a.label)
    old_clauses = _clauses(old)
    order = _order(old)
    lost: dict[str, list[Annotation]] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    for a, scope in sorted(
        _exclusion_scopes(old), key=lambda x: (order.get(x[0].clause_id, 0), x[0].span.start)
    ):
        if a.label in labels_in.get(paired.get(a.clause_id, ""), set()):
            continue  # the same clause, reworded, still states it
        scopes = now.get(a.label, [])
        if not scope and scopes:
            continue
        if any(not s or s & scope for s in scopes):
            continue
        if (a.label, scope) in seen:
            continue  # the same protection stated again: the first clause stating it anchors it
        seen.add((a.label, scope))
        lost.setdefault(a.clause_id, []).append(a)
    out = []
    for cid, anns in lost.items():
        meanings = "; ".join(f"'{tx.EXCLUSIONS.get(a.label, a.label).rstrip('.')}'" for a in anns)
        noun = "protection" if len(anns) == 1 else "protections"
        out.append(
            _finding(
                "exclusion.removed",
                f"The old version's {noun} {meanings} "
                f"{'is' if len(anns) == 1 else 'are'} no longer stated in the new version "
                "for the same use, which widens what the data may be used for (Art. 5(1)(b)).",
                anns[0].explanation,
                old_clause=old_clauses[cid],
                evidence=[_evidence(old, a, "old") for a in anns],
                terms=[a.label for a in anns],
            )
        )
    return out

"""Purposes, data categories and sources, recipients added to or removed from a version.

Decided in substance, at document level: each version has a *statement set*
(``statements``): for each family and label, the clauses that state it positively,
wherever they stand (prose, list item, table row or cell, heading). A hit that is negated
("we do not collect biometric data", "does not encourage you to provide ... health data"),
hypothetical ("if your child has given us data, contact us"), a description of a right or
of what the law permits ("California law permits residents to request what a company shares
with third parties"), a defined legal term (“business purposes” under the CCPA) or a
restricted purpose ("any purpose other than ...") states nothing. A label is ``.added`` only when no
clause of the old version states it, ``.removed`` only when no clause of the new version
does, so a purpose restated in a table, or a recipient moved from a table into a list, is
no change.
"""

from __future__ import annotations

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Finding
from ..modality import is_use
from ..recognizers.common import in_condition, in_rights_statement, restricted_after
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
_AI_PURPOSE = (tx.PURPOSE, "ai_training")


class Statements:
    """The statement set of a version: for each ``(kind, label)``, the annotations that
    state it positively (not negated, not a hypothesis, not a defined term), in document
    order. Checked lazily: deciding that a label is stated needs its first statement only."""

    def __init__(self, v: AnalyzedVersion):
        self.v = v
        self.clauses = _clauses(v)
        order = _order(v)
        self.candidates: dict[tuple[str, str], list[Annotation]] = {}
        for a in sorted(
            (a for a in v.annotations if a.kind in _KINDS and not a.negated),
            key=lambda a: (order.get(a.clause_id, 0), a.span.start),
        ):
            self.candidates.setdefault((a.kind, a.label), []).append(a)
        self._memo: dict[int, bool] = {}

    def states(self, a: Annotation) -> bool:
        """Whether annotation ``a`` states its label positively."""
        got = self._memo.get(id(a))
        if got is None:
            clause = self.clauses.get(a.clause_id)
            got = not (
                clause is None
                or in_condition(clause.text, a.span.start)
                or in_rights_statement(clause.text, a.span.start)
                or (
                    a.kind == tx.PURPOSE
                    and (
                        defined_term(clause.text, a.span.start, a.span.end)
                        or restricted_after(clause.text, a.span.end)
                    )
                )
            )
            self._memo[id(a)] = got
        return got

    def labels(self) -> list[tuple[str, str]]:
        return [key for key, cands in self.candidates.items() if any(map(self.states, cands))]

    def __contains__(self, key: tuple[str, str]) -> bool:
        if key == _AI_PURPOSE and self._trains():
            return True
        return any(map(self.states, self.candidates.get(key, ())))

    def _trains(self) -> bool:
        """Whether the version states AI training as a use (the AI-training family, which
        reads more wordings than the purpose patterns: "help train Google's language
        models", "développement des modèles linguistiques"): then it states the purpose
        too, and a purpose wording for it is no new purpose."""
        return any(is_use(a) for a in self.v.annotations_of(tx.AI_TRAINING))

    def stated(self, key: tuple[str, str]) -> list[Annotation]:
        return [a for a in self.candidates.get(key, ()) if self.states(a)]

    def first_in(self, key: tuple[str, str], prefer: set[str]) -> Annotation | None:
        """The first statement of ``key`` in one of the clauses ``prefer``, else None."""
        return next(
            (a for a in self.candidates.get(key, ()) if a.clause_id in prefer and self.states(a)),
            None,
        )


def _label_changes(
    old: AnalyzedVersion, new: AnalyzedVersion, changed_new: set[str], changed_old: set[str]
) -> list[Finding]:
    out: list[Finding] = []
    before, after = Statements(old), Statements(new)
    for kind, family in _LABEL_FLAGS:
        for key in after.candidates:
            if key[0] != kind:
                continue
            a = after.first_in(key, changed_new)
            if a is None or key in before:
                continue
            label = key[1]
            meaning = tx.VOCABULARY[kind].get(label, label)
            # high only when stated positively in a statement, not only in a caption
            high = (family, label) in _HIGH_LABELS and any(
                not is_caption(after.clauses[b.clause_id]) for b in after.stated(key)
            )
            out.append(
                _finding(
                    f"{family}.added",
                    f"New {family.replace('_', ' ')} '{label}' "
                    f"({meaning.rstrip('.')}) not named in the "
                    f"old version ({FLAGS[family + '.added'].gdpr}).",
                    a.explanation,
                    new_clause=after.clauses[a.clause_id],
                    evidence=[_evidence(new, a, "new")],
                    terms=[label],
                    severity="high" if high else None,
                )
            )
        for key in before.candidates:
            if key[0] != kind:
                continue
            a = before.first_in(key, changed_old)
            if a is None or key in after:
                continue
            label = key[1]
            meaning = tx.VOCABULARY[kind].get(label, label)
            out.append(
                _finding(
                    f"{family}.removed",
                    f"The {family.replace('_', ' ')} '{label}' "
                    f"({meaning.rstrip('.')}) is no longer "
                    f"named anywhere in the new version.",
                    a.explanation,
                    old_clause=before.clauses[a.clause_id],
                    evidence=[_evidence(old, a, "old")],
                    terms=[label],
                )
            )
    return out

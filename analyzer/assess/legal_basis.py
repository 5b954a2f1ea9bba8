"""Legal bases per purpose and per reworded clause; consent becoming an opt-out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Clause, ClauseChange, Finding
from .catalogue import _evidence, _finding
from .common import (
    _clauses,
    _order,
)

MAX_TIED_PURPOSES = 3  # legal bases tied to more purposes than this are too coarse to compare
_ANAPHOR = re.compile(
    r"\b(this|that|such|these) (use|uses|processing|purpose|practice|data)\b|\bto (it|this)\b", re.I
)


def _bases_by_purpose(v: AnalyzedVersion) -> dict[str, set[str]]:
    """Legal bases per purpose, from annotations tied to at most ``MAX_TIED_PURPOSES``
    purposes (a long table row naming many purposes says little about any one of them)."""
    out: dict[str, set[str]] = {}
    for a in v.annotations:
        if a.kind == tx.LEGAL_BASIS and not a.negated:
            purposes = a.qualifier("purpose")
            if len(purposes) > MAX_TIED_PURPOSES:
                continue
            for p in purposes:
                out.setdefault(p, set()).add(a.label)
    return out


def _basis_list(bases: Iterable[str]) -> str:
    return ", ".join(f"{b.replace('_', ' ')} ({tx.LEGAL_BASIS_ARTICLE[b]})" for b in sorted(bases))


def _basis_severity(dropped: set[str], gained: str) -> str:
    return "high" if "consent" in dropped and gained == "legitimate_interests" else "medium"


def _legal_basis_changed(
    old: AnalyzedVersion, new: AnalyzedVersion, changes: Sequence[ClauseChange] = ()
) -> list[Finding]:
    """The legal basis stated for a purpose, or in a reworded clause, changed.

    1. Per purpose over the whole versions: a purpose stated with a basis it did not have
       before, while losing an old basis - so a clause moved under a new legal-basis heading
       counts even though its own text did not change. The old clause is where the old
       basis was stated for that purpose (preferring the new clause's own old wording).
    2. Per reworded clause (``_reworded_basis_changes``): a modified clause whose stated basis
       was replaced, even if its purpose was renamed too (a purposes-table row "Developing
       features | Consent" -> "Developing AI | Legitimate interests").
    """
    before = _bases_by_purpose(old)
    after = _bases_by_purpose(new)
    old_by: dict[tuple[str, str], list[Annotation]] = {}
    for a in old.annotations:
        if a.kind == tx.LEGAL_BASIS and not a.negated:
            purposes = a.qualifier("purpose")
            if len(purposes) <= MAX_TIED_PURPOSES:
                for p in purposes:
                    old_by.setdefault((p, a.label), []).append(a)
    pair_of = {ch.new.id: ch.old.id for ch in changes if ch.new is not None and ch.old is not None}
    clauses = _clauses(new)
    old_clauses = _clauses(old)
    out: list[Finding] = []
    done: set[str] = set()
    for a in new.annotations:
        if a.kind != tx.LEGAL_BASIS or a.negated:
            continue
        if len(a.qualifier("purpose")) > MAX_TIED_PURPOSES:
            continue
        for p in a.qualifier("purpose"):
            if p == "open_ended" or p not in before or a.label in before[p]:
                continue
            if p in done:
                continue
            dropped = before[p] - after.get(p, set())
            if not dropped:
                continue
            done.add(p)
            cands = [o for b in sorted(dropped) for o in old_by.get((p, b), [])]
            own = pair_of.get(a.clause_id)
            old_a = next((o for o in cands if o.clause_id == own), cands[0] if cands else None)
            evidence = [_evidence(new, a, "new")]
            if old_a is not None:
                evidence.insert(0, _evidence(old, old_a, "old"))
            out.append(
                _finding(
                    "legal_basis.changed",
                    f"The legal basis for {p.replace('_', ' ')} changed from "
                    f"{_basis_list(dropped)} to {_basis_list([a.label])}.",
                    a.explanation,
                    new_clause=clauses[a.clause_id],
                    old_clause=old_clauses[old_a.clause_id] if old_a is not None else None,
                    evidence=evidence,
                    severity=_basis_severity(dropped, a.label),
                    terms=[a.label],
                )
            )
    flagged = {f.new_clause.id for f in out if f.new_clause is not None}
    out += _reworded_basis_changes(old, new, changes, flagged)
    return out


def _stated_bases(v: AnalyzedVersion, clause_id: str) -> dict[str, Annotation]:
    """Legal bases a rule found for one clause (stated or inherited), first per basis.
    Model-only guesses are left out: a clause-level classifier says too little to compare."""
    out: dict[str, Annotation] = {}
    for a in v.annotations_for(clause_id, tx.LEGAL_BASIS):
        if not a.negated and "rule" in a.explanation.source:
            out.setdefault(a.label, a)
    return out


def _reworded_basis_changes(
    old: AnalyzedVersion,
    new: AnalyzedVersion,
    changes: Sequence[ClauseChange],
    flagged: set[str],
) -> list[Finding]:
    """Modified clause pairs whose legal basis was replaced: the old clause stated a basis
    the new one dropped, and the new clause states one the old did not. A clause that only
    adds or only drops a basis is not a replacement and is left to the per-purpose check."""
    out: list[Finding] = []
    for ch in changes:
        if ch.kind != "modified" or not ch.substantive or ch.old is None or ch.new is None:
            continue
        if ch.new.id in flagged:
            continue
        was = _stated_bases(old, ch.old.id)
        now = _stated_bases(new, ch.new.id)
        dropped = set(was) - set(now)
        gained = set(now) - set(was)
        if not dropped or not gained:
            continue
        label = "legitimate_interests" if "legitimate_interests" in gained else sorted(gained)[0]
        a = now[label]
        old_a = was[sorted(dropped)[0]]
        purposes = sorted(_clause_purposes(new).get(ch.new.id, set()) - {"open_ended"})
        what = f" for {', '.join(p.replace('_', ' ') for p in purposes)}" if purposes else ""
        flagged.add(ch.new.id)
        out.append(
            _finding(
                "legal_basis.changed",
                f"In this reworded clause the legal basis{what} changed from "
                f"{_basis_list(dropped)} to {_basis_list([label])}.",
                a.explanation,
                new_clause=ch.new,
                old_clause=ch.old,
                evidence=[_evidence(old, old_a, "old"), _evidence(new, a, "new")],
                severity=_basis_severity(dropped, label),
                terms=[label],
            )
        )
    return out


def _clause_purposes(v: AnalyzedVersion) -> dict[str, set[str]]:
    """Purposes named in each clause. A clause naming none that points back ("You can
    object to this use") takes the purposes of the clause before it in the same section."""
    out: dict[str, set[str]] = {}
    for a in v.annotations:
        if a.negated:
            continue
        if a.kind == tx.PURPOSE:
            out.setdefault(a.clause_id, set()).add(a.label)
        elif a.kind == tx.AI_TRAINING:
            out.setdefault(a.clause_id, set()).add("ai_training")
    prev: Clause | None = None
    for c in v.clauses:
        if c.kind == "heading":
            prev = None
            continue
        if (
            c.id not in out
            and prev is not None
            and prev.section == c.section
            and prev.id in out
            and _ANAPHOR.search(c.text)
        ):
            out[c.id] = set(out[prev.id])
        prev = c
    return out


def _choices_by_purpose(
    v: AnalyzedVersion, prefer: set[str] | None = None
) -> dict[str, dict[str, Annotation]]:
    """First consent / opt-out annotation per purpose (clauses in ``prefer`` first)."""
    purposes = _clause_purposes(v)
    prefer = prefer or set()
    order = _order(v)
    anns = sorted(
        (
            a
            for a in v.annotations
            if a.kind == tx.CHOICE and not a.negated and a.label in ("consent", "opt_out")
        ),
        key=lambda a: (a.clause_id not in prefer, order.get(a.clause_id, 0)),
    )
    out: dict[str, dict[str, Annotation]] = {}
    for a in anns:
        for p in sorted(purposes.get(a.clause_id, ())):
            out.setdefault(p, {}).setdefault(a.label, a)
    return out


def _choice_changed(old: AnalyzedVersion, new: AnalyzedVersion, changed: set[str]) -> list[Finding]:
    """Consent for a purpose in the old version, only an opt-out for it in a new or
    reworded clause of the new version (and no consent for it left anywhere)."""
    before = _choices_by_purpose(old)
    after = _choices_by_purpose(new, changed)
    clauses = _clauses(new)
    out: list[Finding] = []
    for p, now in after.items():
        if p == "open_ended":
            continue
        was = before.get(p, {})
        if "consent" in was and "consent" not in now and "opt_out" in now:
            a = now["opt_out"]
            if a.clause_id not in changed:
                continue
            old_a = was["consent"]
            out.append(
                _finding(
                    "choice.changed",
                    f"For {p.replace('_', ' ')} the old version asked for consent "
                    "(opt-in, Art. 7); "
                    "the new version only offers an opt-out or objection (Art. 21).",
                    a.explanation,
                    new_clause=clauses[a.clause_id],
                    old_clause=_clauses(old)[old_a.clause_id],
                    evidence=[_evidence(old, old_a, "old"), _evidence(new, a, "new")],
                )
            )
    return out

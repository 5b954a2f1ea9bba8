"""Compare two language versions of one policy (``policydiff compare --cross-language``).

An English and a German version of the same policy share no words, so aligning their text
says nothing. What they share is what they state: the language-neutral annotations each
language's recognizers produce (purposes, data categories and sources, legal bases,
recipients, choices, exclusions, AI training with its polarity and modality). So:

* **alignment** pairs each clause with the clause of the other version whose annotation
  signature (kind, label, polarity) overlaps it most (Jaccard >= ``MIN_OVERLAP``, each clause
  used once); paired clauses are shown as ``modified`` (similarity = that overlap), the
  others as added or removed. This is for showing where, not for deciding whether;
* **findings** come from the same document-level assessment as a comparison of two dates
  (``assess.assess_comparison``) with every clause treated as changed: a statement made in
  one language and not the other is reported (training stated only in German, a protection
  stated only in English, a recipient named in one version only). The old side is the
  first version given, the new side the second; reasons say "old"/"new" for them.
"""

from __future__ import annotations

import dataclasses

from . import taxonomy as tx
from .datamodel import AnalyzedVersion, ClauseChange, Finding

MIN_OVERLAP = 0.5
#: annotation kinds that mean the same in every language
NEUTRAL: frozenset[str] = frozenset(
    {
        tx.PURPOSE,
        tx.DATA_CATEGORY,
        tx.DATA_SOURCE,
        tx.LEGAL_BASIS,
        tx.RECIPIENT,
        tx.CHOICE,
        tx.EXCLUSION,
        tx.AI_TRAINING,
    }
)


def signature(v: AnalyzedVersion) -> dict[str, frozenset[tuple[str, str, bool]]]:
    """Per clause id: the language-neutral statements of the clause."""
    out: dict[str, set[tuple[str, str, bool]]] = {}
    for a in v.annotations:
        if a.kind in NEUTRAL:
            out.setdefault(a.clause_id, set()).add((a.kind, a.label, a.negated))
    return {k: frozenset(s) for k, s in out.items()}


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def align_by_statements(old: AnalyzedVersion, new: AnalyzedVersion) -> list[ClauseChange]:
    """Clause pairs by overlapping statements (greedy, best overlap first), then the
    clauses left over as removed (old) and added (new); in new-document order."""
    so, sn = signature(old), signature(new)
    candidates = sorted(
        (
            (_jaccard(so[o.id], sn[n.id]), o.index, n.index, o, n)
            for o in old.clauses
            if o.id in so
            for n in new.clauses
            if n.id in sn
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_old: set[str] = set()
    used_new: set[str] = set()
    pairs: dict[str, ClauseChange] = {}
    for score, _, _, o, n in candidates:
        if score < MIN_OVERLAP:
            break
        if o.id in used_old or n.id in used_new:
            continue
        used_old.add(o.id)
        used_new.add(n.id)
        pairs[n.id] = ClauseChange("modified", o, n, similarity=score)
    changes: list[ClauseChange] = []
    for n in new.clauses:
        changes.append(pairs.get(n.id) or ClauseChange("added", None, n, similarity=0.0))
    changes += [
        ClauseChange("removed", o, None, similarity=0.0)
        for o in old.clauses
        if o.id not in used_old
    ]
    return changes


#: recognizers that do not run on every covered language (the three classifiers are English
#: only): what they find in one version has no counterpart to be compared with in the other
ONE_LANGUAGE_ONLY: frozenset[str] = frozenset({"policydiff.models.v1"})


def _comparable(v: AnalyzedVersion) -> AnalyzedVersion:
    keep = tuple(a for a in v.annotations if a.explanation.recognizer not in ONE_LANGUAGE_ONLY)
    return dataclasses.replace(v, annotations=keep)


def assess_languages(old: AnalyzedVersion, new: AnalyzedVersion) -> list[Finding]:
    """Statements made in one language version and not the other (see the module doc),
    from the recognizers that run on both languages."""
    from .assess import assess_comparison

    old, new = _comparable(old), _comparable(new)

    # every clause counts as changed: nothing is "the same text" across languages
    everything = [ClauseChange("removed", c, None, similarity=0.0) for c in old.clauses] + [
        ClauseChange("added", None, c, similarity=0.0) for c in new.clauses
    ]
    return assess_comparison(old, new, everything)

"""Open-ended purposes: new or changed clauses, and single versions."""

from __future__ import annotations

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Clause, Explanation, Finding
from .catalogue import _evidence, _finding

VAGUE_SENTENCE_MIN = 0.5  # score of a model's vague_sentence annotation that counts


def _vague_terms(v: AnalyzedVersion, clause_id: str) -> tuple[list[Annotation], list[str], float]:
    anns = v.annotations_for(clause_id, tx.VAGUE)
    purposes = [a for a in anns if a.label == "vague_purpose"]
    terms = [t for a in purposes for t in a.qualifier("term")]
    terms += [t for a in anns if a.label == "vague_term" for t in a.qualifier("term")]
    model = max((a.score for a in anns if a.label == "vague_sentence"), default=0.0)
    return purposes, terms, model


def _vague_finding(
    flag: str, v: AnalyzedVersion, clause: Clause, old_terms: set[str]
) -> Finding | None:
    purposes, terms, model = _vague_terms(v, clause.id)
    if not purposes:
        return None
    new_terms = {t for a in purposes for t in a.qualifier("term")} - old_terms
    if not new_terms:
        return None
    a = max(purposes, key=lambda x: x.score)
    listed = ", ".join(f"'{t}'" for t in dict.fromkeys(terms))
    extra = (
        f" The vagueness model also rates the clause vague (score {model:.2f})."
        if model >= VAGUE_SENTENCE_MIN
        else ""
    )
    severity = None
    if flag == "vague_purpose.added" and model >= VAGUE_SENTENCE_MIN:
        severity = "medium"
    elif flag == "vague_purpose" and model >= VAGUE_SENTENCE_MIN:
        severity = "medium"
    exp = a.explanation
    if model >= VAGUE_SENTENCE_MIN:
        exp = Explanation(
            recognizer=exp.recognizer,
            source="rule+model",
            pattern=exp.pattern,
            detail=exp.detail + extra,
        )
    return _finding(
        flag,
        f"Open-ended purpose wording ({listed}) does not specify what the data is used for, "
        f"contrary to purpose limitation (Art. 5(1)(b)).{extra}",
        exp,
        new_clause=clause,
        evidence=[_evidence(v, a, "new")],
        terms=terms,
        severity=severity,
    )

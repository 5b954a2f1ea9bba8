"""Open-ended purposes: new or changed clauses, and single versions.

A ``vague/vague_purpose`` annotation becomes a finding only where the clause *states a
purpose of processing* (``states_purpose``): not a heading, a caption or one-line section
summary ("We develop our Services and conduct research"), a question, a defined legal term
("business purposes" under the CCPA), a data source ("other public sources") or an unnamed
recipient ("to third parties"), an exception to a protection ("will not attempt to
re-identify, except as permitted by law") or a purpose fixed by a legal obligation; an open
list ("including but not limited to") counts only where it lists purposes or uses. Weaker
patterns (score under ``STRONG_TERM``) need the vagueness model to agree.

``vague_purpose.added`` is raised only when the open-ended purpose is new *in substance*:
its wording (normalized: inflections, "our"/"the" dropped; a third party's "its"/"their"
kept apart) is stated nowhere in the old version, so a restatement in a new table or a
rewording of the same open-ended purpose raises nothing.
"""

from __future__ import annotations

import re

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, Clause, Explanation, Finding
from ..recognizers.common import restricted_after
from .catalogue import _evidence, _finding
from .common import _sentence_around, is_caption

VAGUE_SENTENCE_MIN = 0.5  # score of a model's vague_sentence annotation that counts
STRONG_TERM = 0.7  # a purpose pattern scoring under this needs the model to agree
#: vagueness types that name a purpose (not a source or a recipient)
PURPOSE_TYPES = frozenset({"open_purpose", "open_list", "generic_purpose"})

_WORD = re.compile(r"[\w’']+", re.UNICODE)
_DEFINED_AFTER = re.compile(
    r"^\W{0,3}\s*(under|as defined|within the meaning|for the purposes? of)\b[^.;]{0,40}"
    r"\b(ccpa|cpra|cdpa|law|act|regulation|statute|gdpr)\b",
    re.I,
)
_QUOTES = "\"“”‘’'«»"
_LISTED_AFTER = re.compile(
    r"^,?\s*(that are |which are |as )?(listed|described|set (out|forth)|outlined|explained|"
    r"mentioned|specified|detailed)\b",
    re.I,
)
_SOURCE_WORD = re.compile(r"\b(sources?|from)\b", re.I)
#: vagueness patterns that qualify a purpose by the law ("as permitted by law"): they count
#: only where the vagueness model rates the sentence vague too
LAW_QUALIFIERS = frozenset({"vp.as_permitted"})
_EXCEPT_BEFORE = re.compile(r"\b(except|unless|other than|save)\s*(where |when |if )?$", re.I)
_NEGATION = re.compile(r"\b(not|never|no|n[’']t|cannot|neither|nor)\b", re.I)
_LEGAL_DUTY = re.compile(
    r"\b(legal obligations?|required by (applicable )?law|law requires|legally required|"
    r"(obligations?|requirements?) under (applicable )?law|comply with (applicable )?(laws?|"
    r"legal obligations?))\b",
    re.I,
)
_PURPOSE_WORD = re.compile(
    r"\b(purposes?|reasons?|use[sd]?|using|process(es|ed|ing)?|shar(e|es|ed|ing)|"
    r"disclos(e|es|ed|ing)|to (improve|provide|develop|personali[sz]e|help))\b",
    re.I,
)
_INFLECTION = re.compile(r"(ements?|ing|es|ed|s)$")
_FIRST_PARTY = frozenset({"our", "the", "your", "and", "a", "an", "us"})
_THIRD_PARTY = frozenset({"its", "their", "his", "her"})


def _bounds(clause: Clause, start: int) -> tuple[int, int]:
    """The sentence around ``start``, cut at table cells ('|') too."""
    lo, hi = _sentence_around(clause.text, start)
    bar = clause.text.rfind("|", lo, start)
    if bar >= 0:
        lo = bar + 1
    bar = clause.text.find("|", start, hi)
    if bar >= 0:
        hi = bar
    return lo, hi


def term_key(term: str) -> frozenset[str]:
    """The substance of an open-ended purpose phrase: inflections and first-party
    determiners dropped, a third party's possessive kept ('develop their services' is not
    'develop our services')."""
    out = set()
    for w in _WORD.findall(term.lower()):
        if w in _FIRST_PARTY:
            continue
        if w in _THIRD_PARTY:
            out.add("<third party>")
            continue
        if len(w) > 4:
            w = _INFLECTION.sub("", w)
        if w.endswith("e") and len(w) > 4:
            w = w[:-1]
        out.add(w)
    return frozenset(out)


def defined_term(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a defined legal term or a reference rather than an
    open-ended statement: in quotation marks (“business purposes”), followed by "under the
    CCPA", "as defined in ...", or pointing to purposes the policy lists ("the other
    purposes listed below", "described in this policy")."""
    before, after = text[max(0, start - 3) : start], text[end : end + 80]
    if before.rstrip()[-1:] in _QUOTES and after.lstrip()[:1] in _QUOTES:
        return True
    if _LISTED_AFTER.match(after):
        return True
    return _DEFINED_AFTER.match(after.lstrip(_QUOTES + " ")) is not None


def _pattern(a: Annotation) -> str:
    return a.explanation.pattern or ""


def _type(a: Annotation) -> str:
    types = a.qualifier("type")
    return types[0] if types else ""


def states_purpose(clause: Clause, a: Annotation, model: float) -> bool:
    """Whether the vague-purpose hit ``a`` stands where ``clause`` states a purpose of
    processing (see the module docstring)."""
    if clause.kind == "heading" or _type(a) not in PURPOSE_TYPES:
        return False
    if a.score < STRONG_TERM and model < VAGUE_SENTENCE_MIN:
        return False
    text = clause.text
    lo, hi = _bounds(clause, a.span.start)
    sentence = text[lo:hi].strip()
    if sentence.endswith("?"):
        return False
    if is_caption(clause, sentence):
        return False  # a caption, heading or one-line summary
    before = text[lo : a.span.start]
    if defined_term(text, a.span.start, a.span.end):
        return False  # “business purposes” under the CCPA, "other purposes listed below"
    if restricted_after(text, a.span.end):
        return False  # "any purpose (other than associating it with your account)"
    if _pattern(a) in LAW_QUALIFIERS and model < VAGUE_SENTENCE_MIN:
        return False  # "as permitted by law" qualifies a purpose stated elsewhere
    if _EXCEPT_BEFORE.search(before) and _NEGATION.search(before):
        return False  # "will not attempt to re-identify, except as permitted by law"
    if _LEGAL_DUTY.search(sentence):
        return False  # a purpose fixed by a legal obligation
    if _type(a) == "open_list":
        words = _WORD.findall(before)[-10:]
        if not _PURPOSE_WORD.search(" ".join(words) + " " + a.span.text):
            return False  # "a variety of formats, including but not limited to chat"
        if _SOURCE_WORD.search(" ".join(words[-4:])):
            return False  # "from other sources, including but not limited to newspapers"
    return True


def _vague_terms(
    v: AnalyzedVersion, clause: Clause
) -> tuple[list[Annotation], list[str], list[str], float]:
    """The clause's stated open-ended purposes, their phrases, its other vague words ('may',
    'certain') and the vagueness model's score."""
    anns = v.annotations_for(clause.id, tx.VAGUE)
    model = max((a.score for a in anns if a.label == "vague_sentence"), default=0.0)
    purposes = [a for a in anns if a.label == "vague_purpose" and states_purpose(clause, a, model)]
    named = [t for a in purposes for t in a.qualifier("term")]
    others = [t for a in anns if a.label == "vague_term" for t in a.qualifier("term")]
    return purposes, named, others, model


def stated_terms(v: AnalyzedVersion) -> set[frozenset[str]]:
    """The substance (``term_key``) of every open-ended purpose phrase of a version,
    wherever it stands (a heading or table cell restates a purpose as well as prose)."""
    return {
        term_key(t)
        for a in v.annotations
        if a.kind == tx.VAGUE and a.label == "vague_purpose" and _type(a) in PURPOSE_TYPES
        for t in a.qualifier("term")
    }


def _vague_finding(
    flag: str, v: AnalyzedVersion, clause: Clause, old_terms: set[frozenset[str]]
) -> Finding | None:
    purposes, named, others, model = _vague_terms(v, clause)
    purposes = [
        a for a in purposes if any(term_key(t) not in old_terms for t in a.qualifier("term"))
    ]
    if not purposes:
        return None
    a = max(purposes, key=lambda x: x.score)
    # the purpose phrases are what the reason is about; other vague words of the clause
    # ('may', 'certain', 'generally') qualify it and are named apart, not as purposes
    listed = ", ".join(f"'{t}'" for t in dict.fromkeys(named))
    apart = [t for t in dict.fromkeys(others) if t not in named]
    hedges = (
        " Other vague wording in the clause: " + ", ".join(f"'{t}'" for t in apart) + "."
        if apart
        else ""
    )
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
    new = " new to this version" if flag == "vague_purpose.added" else ""
    return _finding(
        flag,
        f"Open-ended purpose wording{new} ({listed}) does not specify what the data is used "
        f"for, contrary to purpose limitation (Art. 5(1)(b)).{hedges}{extra}",
        exp,
        new_clause=clause,
        evidence=[_evidence(v, a, "new")],
        terms=named + others,
        severity=severity,
    )

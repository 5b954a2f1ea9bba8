"""Legal bases (GDPR Art. 6(1)(a)-(f)), tied to the purposes they are stated for.

Three places state a legal basis:

* a table row whose header names the basis column (``Purpose: ... | Legal basis:
  Legitimate interests``): bare names ("Consent", "Contract") count in that cell, and the
  purposes come from the other cells;
* a section heading that IS a legal basis (LinkedIn-style "Consent", "Legitimate
  interests", "To perform our contract with you"): every clause under it gets the basis
  with ``inherited=True``, for the purposes found in the clause;
* a statement in running text ("we rely on your consent", "our legitimate interests").

The purposes a basis applies to are recorded as ``qualifiers=(("purpose", label), ...)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc

from .. import taxonomy as tx
from ..datamodel import Annotation, Clause
from ..languages import COVERED
from .base import Recognizer, register
from .common import (
    annotation,
    doc_language,
    doc_text,
    en_doc,
    lang_doc,
    lang_docs,
    negated_at,
    table_cells,
)
from .patterns import PatternEntry, load_patterns

_BASIS_HEADER = re.compile(
    r"\b(legal|lawful)\s+bas[ie]s\b|^\W*bas[ie]s\W*$|rechtsgrundlage|rechtliche grundlage|"
    r"base (juridique|légale)|fondements? juridiques?",
    re.I,
)
_MARKUP = re.compile(r"[*_`#]+")
_HEADING_MAX_WORDS = 8


def _trains(clause: Clause, doc: Doc, lo: int = 0, hi: int | None = None) -> bool:
    """Whether the AI-training recognizer finds a (non-negated) training use in the span."""
    from .ai_training import AITrainingRecognizer

    hi = len(clause.text) if hi is None else hi
    doc = en_doc(doc, clause.text)  # the AI-training recognizer reads English-vocab Docs
    return any(
        a.kind == tx.AI_TRAINING and not a.negated and lo <= a.span.start < hi
        for a in AITrainingRecognizer()._clause(clause, doc, None, {})
    )


def _purposes(doc: Doc, lo: int = 0, hi: int | None = None) -> list[str]:
    hi = len(doc_text(doc)) if hi is None else hi
    labels: list[str] = []
    for m in load_patterns("purposes", doc.lang_).match(doc):
        if lo <= m.start_char and m.end_char <= hi and m.entry.label not in labels:
            if negated_at(doc, m.start) is None:  # "(excluding model training)"
                labels.append(m.entry.label)
    return labels


def _heading_basis(heading: str, lang: str = "en") -> PatternEntry | None:
    text = _MARKUP.sub("", heading).strip()
    if not text or len(text.split()) > _HEADING_MAX_WORDS:
        return None
    for e, rx in load_patterns("legal_bases", lang).regexes:
        if rx.search(text):
            return e
    return None


@register("policydiff.legal_basis.v1")
class LegalBasisRecognizer(Recognizer):
    per_clause = True
    kinds = (tx.LEGAL_BASIS,)
    languages = COVERED

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        lang = doc_language(docs)
        ps = load_patterns("legal_bases", lang)
        heading_cache: dict[str, PatternEntry | None] = {}
        edocs = lang_docs(clauses, docs, lang)
        ps.match_many(edocs)  # batched passes, cached per Doc
        load_patterns("purposes", lang).match_many(edocs)
        for clause, doc in zip(clauses, edocs, strict=False):
            found: set[str] = set()
            # 1. table cells under a legal-basis header
            cells = table_cells(clause)
            basis_cells = [(h, v, off) for h, v, off in cells if _BASIS_HEADER.search(h)]
            if basis_cells:
                purposes: list[str] = []
                for h, v, off in cells:
                    if (h, v, off) in basis_cells:
                        continue
                    purposes += [p for p in _purposes(doc, off, off + len(v)) if p not in purposes]
                    if "ai_training" not in purposes and _trains(clause, doc, off, off + len(v)):
                        purposes.append("ai_training")
                for h, v, off in basis_cells:
                    for e, rx in ps.regexes:
                        for m in rx.finditer(v):
                            if e.label in found:
                                continue
                            found.add(e.label)
                            out.append(
                                annotation(
                                    clause,
                                    tx.LEGAL_BASIS,
                                    e.label,
                                    off + m.start(),
                                    off + m.end(),
                                    0.9,
                                    self.name,
                                    e.id,
                                    f"The '{h}' column of this row states "
                                    f"{tx.LEGAL_BASIS_ARTICLE[e.label]} "
                                    f"{e.label.replace('_', ' ')}.",
                                    qualifiers=tuple(("purpose", p) for p in purposes),
                                )
                            )
            # 2. statements in running text
            purposes_here: list[str] | None = None
            for m in ps.match(doc):
                e = m.entry
                if e.type != "statement" or e.label in found:
                    continue
                if negated_at(doc, m.start, 5) is not None:
                    continue
                found.add(e.label)
                if purposes_here is None:
                    purposes_here = _purposes(doc) + [
                        p for p in _purposes(lang_doc(None, clause.context, lang)) if clause.context
                    ]
                    if "ai_training" not in purposes_here and _trains(clause, doc):
                        purposes_here.append("ai_training")
                out.append(
                    annotation(
                        clause,
                        tx.LEGAL_BASIS,
                        e.label,
                        m.start_char,
                        m.end_char,
                        0.8,
                        self.name,
                        e.id,
                        f"'{m.text}' states {tx.LEGAL_BASIS_ARTICLE[e.label]} as a legal basis.",
                        qualifiers=tuple(("purpose", p) for p in dict.fromkeys(purposes_here)),
                    )
                )
            # 3. inherited from a legal-basis section heading (nearest heading wins)
            if clause.kind == "heading" or not clause.section:
                continue
            for heading in reversed(clause.section):
                if heading not in heading_cache:
                    heading_cache[heading] = _heading_basis(heading, lang)
                e = heading_cache[heading]
                if e is None:
                    continue
                if e.label not in found:
                    purposes = _purposes(doc)
                    if "ai_training" not in purposes and _trains(clause, doc):
                        purposes.append("ai_training")
                    if clause.context:
                        purposes += [
                            p
                            for p in _purposes(lang_doc(None, clause.context, lang))
                            if p not in purposes
                        ]
                    out.append(
                        annotation(
                            clause,
                            tx.LEGAL_BASIS,
                            e.label,
                            0,
                            len(clause.text),
                            0.7,
                            self.name,
                            e.id,
                            "Stated under the section heading "
                            f"'{_MARKUP.sub('', heading).strip()}', "
                            f"which names {tx.LEGAL_BASIS_ARTICLE[e.label]} "
                            f"{e.label.replace('_', ' ')}.",
                            inherited=True,
                            qualifiers=tuple(("purpose", p) for p in purposes),
                        )
                    )
                break
        return out

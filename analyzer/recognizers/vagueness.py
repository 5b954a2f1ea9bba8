"""Vagueness: Reidenberg et al.'s (2016) 40 vague terms, typed (condition, generalization,
modality, numeric quantifier), and open-ended purpose phrases ("other purposes", "business
purposes", "including but not limited to", "improve our services", unnamed "third
parties"), from ``patterns/vagueness.json``.

``vague/vague_term`` annotations carry ``("type", <type>)``; ``vague/vague_purpose`` ones
carry ``("type", ...)`` and ``("term", <matched text>)``. A trained model may add
``vague/vague_sentence`` annotations; this recognizer never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from .. import taxonomy as tx
from ..datamodel import Annotation, Clause
from ..languages import COVERED
from .base import Recognizer, register
from .common import annotation, match_kind, negated_at


@register("policydiff.vagueness.v1")
class VaguenessRecognizer(Recognizer):
    per_clause = True
    kinds = (tx.VAGUE,)
    languages = COVERED

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        for clause, doc, _ps, hits in match_kind("vagueness", clauses, docs):
            seen: set[tuple[str, int]] = set()
            for m in hits:
                e = m.entry
                key = (e.id, m.start_char)
                if key in seen:
                    continue
                seen.add(key)
                if e.label == "vague_purpose":
                    if negated_at(doc, m.start, 7) is not None:
                        continue  # "not for any other purpose" narrows rather than widens
                    detail = e.detail or f"'{m.text}' leaves the purpose open."
                else:
                    detail = f"'{m.text}' is a vague term ({e.type.replace('_', ' ')})."
                out.append(
                    annotation(
                        clause,
                        tx.VAGUE,
                        e.label,
                        m.start_char,
                        m.end_char,
                        e.score,
                        self.name,
                        e.id,
                        detail,
                        qualifiers=(("type", e.type), ("term", m.text.lower())),
                    )
                )
        return out

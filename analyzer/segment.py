"""Segment: split a ``PolicyVersion`` into ``Clause`` objects.

FOUNDATION VERSION: headings, sentences of paragraphs, list items and table rows as blocks.
"""

from __future__ import annotations

import hashlib
import re

from spacy.language import Language

from .datamodel import Clause, PolicyVersion
from .nlp import get_nlp

_WS = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalize(text: str) -> str:
    """The comparison form of a clause: lower case, no punctuation, single spaces."""
    return _WS.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def clause_id(norm: str, seen: dict[str, int]) -> str:
    base = "c" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]
    n = seen.get(base, 0) + 1
    seen[base] = n
    return base if n == 1 else f"{base}-{n}"


def segment(version: PolicyVersion, nlp: Language | None = None) -> list[Clause]:
    """Split a version into clauses with stable ids, section paths and offsets."""
    nlp = nlp or get_nlp()
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    section: list[tuple[int, str]] = []
    paragraphs = [b for b in version.blocks if b.kind == "paragraph"]
    docs = dict(zip((id(b) for b in paragraphs), nlp.pipe(b.text for b in paragraphs)))
    for block in version.blocks:
        path = tuple(t for _, t in section)
        if block.kind == "heading":
            while section and section[-1][0] >= block.level:
                section.pop()
            section.append((block.level, block.text))
            pieces = [(block.text, block.start, "heading")]
        elif block.kind == "paragraph":
            doc = docs[id(block)]
            pieces = [
                (s.text, block.start + s.start_char, "sentence")
                for s in doc.sents
                if s.text.strip()
            ]
        else:
            pieces = [(block.text, block.start, block.kind)]
        for text, start, kind in pieces:
            norm = normalize(text)
            if not norm:
                continue
            clauses.append(
                Clause(
                    id=clause_id(norm, seen),
                    index=len(clauses),
                    text=text,
                    norm=norm,
                    kind=kind,  # type: ignore[arg-type]
                    section=path if kind != "heading" else path,
                    start=start,
                    end=start + len(text),
                )
            )
    return clauses

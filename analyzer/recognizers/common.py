"""Helpers shared by the rule recognizers: scopes, negation, table cells, annotations.

Scope is decided without a parser (it is not available on the hot path): a clause is cut
into scopes at sentence starts and at the breakers listed in ``patterns/ai_training.json``
(";", ":", "but", "except", "however", "unless", ...). A hit is negated when a negation cue
("not", "n't", "never", "no", "without", ...) precedes it in the same scope within a short
token window, unless the cue is part of a choice phrase ("choose not to", "if you don't
want").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from ..datamodel import Annotation, Clause, Explanation, Span
from ..nlp import get_nlp
from .patterns import Match, PatternSet, load_patterns

NEG_WINDOW = 8
_HEADER_CELL = re.compile(r"^\s*([^:|]{1,60}):\s*(.*)$", re.S)


def en_doc(doc: Doc | None, text: str) -> Doc:
    """Return a Doc on the shared English vocab (the pattern files are compiled on it)."""
    nlp = get_nlp("en")
    if doc is not None and doc.vocab is nlp.vocab and doc.text == text:
        return doc
    return nlp(text)


@dataclass
class DocInfo:
    """Per-Doc facts computed once and shared by every recognizer (kept in ``user_data``)."""

    lex: dict[str, list[Match]]
    scope: list[int]
    neg_tokens: list[int]
    sent_of: list[int]

    def has(self, label: str) -> bool:
        return bool(self.lex.get(label))


def doc_info(doc: Doc) -> DocInfo:
    """Scopes, negation cues and the AI lexicon hits of ``doc`` (cached on the Doc)."""
    cached = doc.user_data.get("policydiff_info")
    if cached is not None:
        return cached
    lex: dict[str, list[Match]] = {}
    for m in load_patterns("ai_training").match(doc):
        lex.setdefault(m.entry.label, []).append(m)
    n = len(doc)
    breaks = {m.start for m in lex.get("BREAK", [])}
    scope = [0] * n
    sent_of = [0] * n
    s = 0
    sent = 0
    sentenced = doc.has_annotation("SENT_START")
    for i, tok in enumerate(doc):
        if i and sentenced and tok.is_sent_start:
            s += 1
            sent += 1
        if i in breaks:
            s += 1
        scope[i] = s
        sent_of[i] = sent
    excepted: set[int] = set()
    for m in lex.get("NEG_EXCEPT", []):
        excepted.update(range(m.start, m.end))
    neg = sorted({m.start for m in lex.get("NEG", []) if m.start not in excepted})
    info = DocInfo(lex=lex, scope=scope, neg_tokens=neg, sent_of=sent_of)
    doc.user_data["policydiff_info"] = info
    return info


def negation_before(info: DocInfo, start: int, window: int = NEG_WINDOW) -> int | None:
    """Token index of a negation cue before ``start`` in the same scope, or None."""
    if start >= len(info.scope):
        return None
    sc = info.scope[start]
    for t in reversed(info.neg_tokens):
        if t >= start:
            continue
        if start - t > window or info.scope[t] != sc:
            return None
        return t
    return None


def sentence_bounds(doc: Doc, token: int) -> tuple[int, int]:
    """Character bounds of the sentence holding ``token`` (the whole doc when unsentenced)."""
    if not len(doc):
        return 0, 0
    if doc.has_annotation("SENT_START"):
        sent = doc[token].sent
        return sent.start_char, sent.end_char
    return 0, len(doc.text)


def make_span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=text[start:end])


def annotation(
    clause: Clause,
    kind: str,
    label: str,
    start: int,
    end: int,
    score: float,
    recognizer: str,
    pattern: str,
    detail: str,
    **kw: object,
) -> Annotation:
    """Build an ``Annotation`` with a rule ``Explanation``."""
    return Annotation(
        clause_id=clause.id,
        kind=kind,
        label=label,
        span=make_span(clause.text, start, end),
        score=score,
        explanation=Explanation(recognizer=recognizer, source="rule", pattern=pattern, detail=detail),
        **kw,  # type: ignore[arg-type]
    )


def table_cells(clause: Clause) -> list[tuple[str, str, int]]:
    """``(header, value, offset)`` for each ``Header: value`` cell of a table-row clause."""
    text = clause.text
    if " | " not in text and clause.kind != "table_row":
        return []
    out: list[tuple[str, str, int]] = []
    pos = 0
    for cell in text.split("|"):
        m = _HEADER_CELL.match(cell)
        if m and clause.kind == "table_row":
            out.append((m.group(1).strip(), m.group(2), pos + m.start(2)))
        elif m and len(m.group(1).split()) <= 6:
            out.append((m.group(1).strip(), m.group(2), pos + m.start(2)))
        pos += len(cell) + 1
    return out


def match_kind(
    pattern_name: str, clauses: Sequence[Clause], docs: Sequence[Doc]
) -> list[tuple[Clause, Doc, PatternSet, list[Match]]]:
    """Run one pattern file over every clause; yields only clauses with hits."""
    ps = load_patterns(pattern_name)
    out = []
    for clause, doc in zip(clauses, docs, strict=False):
        d = en_doc(doc, clause.text)
        hits = ps.match(d)
        if hits:
            out.append((clause, d, ps, hits))
    return out

"""Helpers shared by the families: changed clauses, clause lookups, sentence bounds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from ..datamodel import AnalyzedVersion, Annotation, Clause, ClauseChange

_WORD = re.compile(r"\w+", re.UNICODE)
#: a sentence ends at ., ! or ? and a space, but not after an abbreviation ("e.g.", "i.e.",
#: "etc.", "Inc.", "Ltd.", "No.", "vs.", a single capital: "J. Smith")
_SENT_END = re.compile(
    r"(?<![\s(]e\.g\.)(?<![\s(]i\.e\.)(?<!\betc\.)(?<!\bInc\.)(?<!\bLtd\.)(?<!\bNo\.)"
    r"(?<!\bvs\.)(?<!\b[A-Z]\.)(?<=[.!?])\s+"
)
_FINAL_STOP = re.compile(r"[.!;:?]\s*[\"”’)]*\s*$")
CAPTION_WORDS = 12  # a line with no final stop and fewer words is a caption or a heading
_PROCESSING = re.compile(
    r"\b(collect|use|process|share|disclose|receive|obtain|store|keep|retain|sell|transfer|"
    r"analy[sz]e|include|includes|including|such as|purposes?|to)\b",
    re.I,
)


def is_caption(clause: Clause, text: str | None = None) -> bool:
    """Whether ``clause`` (or the piece ``text`` of it) is a heading, a caption or a
    one-line summary rather than a statement: a heading, or a sentence or list item with no
    final stop and fewer than ``CAPTION_WORDS`` words ("We develop our Services and
    conduct research"; "YouTube Kids" in a list of products, whose lead-in says nothing is
    done with its items)."""
    if clause.kind == "heading":
        return True
    if clause.kind not in ("sentence", "list_item"):
        return False
    t = (clause.text if text is None else text).strip()
    if _FINAL_STOP.search(t) or len(_WORD.findall(t)) >= CAPTION_WORDS:
        return False
    # a short list item is a statement when its lead-in says what is done with the items
    # ("We collect: ... - Biometric data"), a caption otherwise (a list of product names)
    return clause.kind == "sentence" or not _PROCESSING.search(clause.context)


def _sentence_around(text: str, start: int) -> tuple[int, int]:
    """Character bounds of the sentence of ``text`` holding offset ``start``."""
    lo, hi = 0, len(text)
    for m in _SENT_END.finditer(text):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= start:
            hi = m.start()
            break
    return lo, hi


def _window(clause: Clause, a: Annotation, radius: int = 220) -> list[str]:
    lo = max(0, a.span.start - radius)
    hi = min(len(clause.text), a.span.end + radius)
    text = clause.text[lo:hi]
    # keep to the sentence(s) around the span
    start = max(text.rfind(". ", 0, a.span.start - lo), text.rfind("|", 0, a.span.start - lo))
    end_candidates = [
        i for i in (text.find(". ", a.span.end - lo), text.find("|", a.span.end - lo)) if i >= 0
    ]
    end = min(end_candidates) if end_candidates else len(text)
    return [w.lower() for w in _WORD.findall(text[start + 1 : end])]


def _similarity(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _changed(
    changes: Sequence[ClauseChange],
) -> tuple[dict[str, ClauseChange], dict[str, ClauseChange]]:
    """New-side and old-side clause ids of substantive additions, removals and rewordings."""
    new_side: dict[str, ClauseChange] = {}
    old_side: dict[str, ClauseChange] = {}
    for ch in changes:
        if not ch.substantive or ch.kind in ("unchanged", "moved"):
            continue
        if ch.new is not None and ch.kind in ("added", "modified"):
            new_side[ch.new.id] = ch
        if ch.old is not None and ch.kind in ("removed", "modified"):
            old_side[ch.old.id] = ch
    return new_side, old_side


def _clauses(v: AnalyzedVersion) -> dict[str, Clause]:
    return {c.id: c for c in v.clauses}


def _order(v: AnalyzedVersion) -> dict[str, int]:
    return {c.id: c.index for c in v.clauses}


#: how far into a version its statement of being a supplement is looked for (characters)
SUPPLEMENT_WINDOW = 3000
_SUPPLEMENT = re.compile(
    r"\b(this|the|these)\b[^.]{0,100}?\b(supplements?|is (a )?supplement(al)? to|"
    r"is in addition to|should be read (together|in conjunction) with|ergänz(t|en)|"
    r"compl[èe]te)\b[^.]{0,100}?\b(privacy (policy|notice|statement)|data policy|"
    r"datenschutz\w*|politique de confidentialit[ée])",
    re.I,
)


def supplements_another(v: AnalyzedVersion) -> bool:
    """Whether the version opens by saying that it supplements a privacy policy ("This
    European Regional Privacy Notice supplements LinkedIn's Privacy Policy"): a notice
    that adds to another document and does not restate it."""
    return _SUPPLEMENT.search(v.version.text[:SUPPLEMENT_WINDOW]) is not None

"""Plain-text reader: paragraphs split at blank lines, list items by their markers.

A paragraph of one short line without closing punctuation ("Data we collect",
"2. Sharing") is taken as a heading. Lines inside a paragraph are re-flowed.
"""

from __future__ import annotations

import re

from ._blocks import LIST_MARKER, RawBlock, clean

_BLANK = re.compile(r"\n\s*\n")
_BULLET = re.compile(r"^\s*[*+\-\u2022\u25cf\u25aa\u2013]\s+")
_NUMBERED_TITLE = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVX]{1,5}\.)\s+\S")
HEADING_MAX = 90


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > HEADING_MAX or s.endswith((".", ",", ";", ":", "!", "?")):
        return False
    if _BULLET.match(s):
        return False
    words = LIST_MARKER.sub("", s).split()
    return 0 < len(words) <= 12 and (s[0].isupper() or bool(_NUMBERED_TITLE.match(s)))


def text_blocks(text: str) -> list[RawBlock]:
    """Split plain text into headings, paragraphs and list items."""
    out: list[RawBlock] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    for para in _BLANK.split(text):
        lines = [ln for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _is_heading(lines[0]):
            out.append(RawBlock("heading", lines[0], level=2))
            continue
        if not any(LIST_MARKER.match(ln) for ln in lines):
            out.append(RawBlock("paragraph", " ".join(lines)))
            continue
        base = min(len(ln) - len(ln.lstrip()) for ln in lines)
        current: RawBlock | None = None
        lead: list[str] = []
        for ln in lines:
            m = LIST_MARKER.match(ln)
            if m:
                if lead:
                    out.append(RawBlock("paragraph", " ".join(lead)))
                    lead = []
                indent = len(ln) - len(ln.lstrip()) - base
                current = RawBlock("list_item", ln[m.end() :], level=max(0, indent // 2))
                out.append(current)
            elif current is not None:
                current.text = f"{current.text} {ln.strip()}"
            else:
                lead.append(ln.strip())
        if lead:
            out.append(RawBlock("paragraph", " ".join(lead)))
    for b in out:
        b.text = clean(b.text)
    return out

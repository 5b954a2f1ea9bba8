"""Shared pieces of the format readers: raw blocks, text cleaning, tables, offsets.

Every reader (Markdown, HTML, plain text, PDF) turns a document into a list of
``RawBlock`` objects in reading order; ``build`` then cleans their text, joins them with
blank lines into the version's plain text and records each block's offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..datamodel import Block

# Invisible characters that captures leave in the text (BOM, zero-width joiners, soft hyphen).
_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")
_APOS = re.compile(r"&apos;?")
_CONTINUES = (".", "!", "?", ";", ",")
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "\u201d", ")")
_WS = re.compile(r"\s+")
# A list marker at the start of a line inside a table cell or a plain-text paragraph.
LIST_MARKER = re.compile(
    r"^\s*(?:[*+\-\u2022\u25cf\u25aa\u2013]|\(?\d{1,3}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+"
)
_END_PUNCT = (".", ":", ";", "!", "?", ",")


class TooManyElements(ValueError):
    """A reader met more elements than its limit (``args[0]``: how many); ingest turns it
    into an ``InputError`` naming the file."""


@dataclass
class RawBlock:
    """A block before offsets are known; ``text`` may still hold untidy whitespace."""

    kind: str
    text: str = ""
    level: int = 0
    cells: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()


def clean(text: str) -> str:
    """One line of text: NFC, invisible characters dropped, whitespace collapsed."""
    if "&apos" in text:  # old captures carry it without its semicolon
        text = _APOS.sub("'", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split())  # = _WS.sub(" ", text).strip(), same whitespace set, faster


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of a table cell (``<br>``-separated) into one readable line.

    List markers are dropped; a line that does not end in punctuation is separated from
    the next by ``"; "`` so that items stay distinct ("name; email; phone number").
    """
    out: list[str] = []  # lines and separators, joined once (a cell may hold 100,000 lines)
    for raw in lines:
        line = clean(LIST_MARKER.sub("", raw, count=1)) if raw.strip() else ""
        if not line:
            continue
        if out:
            out.append(" " if out[-1].endswith(_END_PUNCT) else "; ")
        out.append(line)
    return "".join(out)


@dataclass
class Cell:
    """A table cell as read: its text, whether all of it is bold, whether it is a ``<th>``."""

    text: str
    bold: bool = False
    header: bool = False


def _is_header_row(row: Sequence[Cell]) -> bool:
    filled = [c for c in row if c.text]
    return bool(filled) and all(c.bold or c.header for c in filled)


def table_blocks(rows: list[list[Cell]], header_rows: int = 0) -> list[RawBlock]:
    """Turn the rows of one table into ``table_row`` blocks that carry their headers.

    ``header_rows`` rows at the top were marked as a header by the markup (``<thead>``,
    the Markdown header line). If they are empty (LinkedIn's ``|     |     |``) or absent,
    a first body row whose filled cells are all bold (or ``<th>``) serves as the header.
    The header row itself is not emitted: its text lives on in every row's ``headers``.
    """
    rows = [r for r in rows if r]
    headers: list[str] = []
    head = rows[:header_rows]
    body = rows[header_rows:]
    for r in head:
        if any(c.text for c in r):
            headers = [c.text for c in r]
    if not headers and body and _is_header_row(body[0]) and len(body) > 1:
        headers = [c.text for c in body[0]]
        body = body[1:]
    out = []
    for r in body:
        cells = tuple(c.text for c in r)
        if not any(cells):
            continue
        hdr = tuple((headers + [""] * len(cells))[: len(cells)]) if headers else ()
        out.append(RawBlock("table_row", " | ".join(cells), cells=cells, headers=hdr))
    return out


def merge_wrapped(raw: Iterable[RawBlock]) -> list[RawBlock]:
    """Re-join paragraphs that a capture split mid-sentence.

    Old captures put a blank line after every wrapped line ("...our commitment to" /
    "our users' privacy, ..."): a paragraph that does not end a sentence followed by one
    that starts in lower case is one paragraph.
    """
    out: list[RawBlock] = []
    pieces: list[str] = []  # the paragraphs joined into out[-1] so far (joined once, at the end)

    def close() -> None:
        if len(pieces) > 1:
            out[-1].text = " ".join(pieces)

    for rb in raw:
        prev = out[-1] if out else None
        last = pieces[-1] if pieces else ""  # the end of prev's text is the end of this piece
        if (
            prev is not None
            and rb.kind == "paragraph"
            and prev.kind == "paragraph"
            and rb.text.lstrip()[:1].islower()
            and not last.rstrip().endswith(_SENTENCE_END)
            # not a label after a "Learn more" link, not a short UI string ("close")
            and not last.rstrip().lower().endswith("learn more")
            and (len(rb.text.split()) >= 8 or rb.text.rstrip().endswith(_CONTINUES))
        ):
            pieces[-1] = last.rstrip()
            pieces.append(rb.text.lstrip())
            continue
        close()
        out.append(rb)
        pieces = [rb.text]
    close()
    return out


def build(raw: Iterable[RawBlock]) -> tuple[str, tuple[Block, ...]]:
    """Clean the blocks, join them with blank lines and compute their offsets."""
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for rb in merge_wrapped(raw):
        if rb.kind == "table_row":
            cells = tuple(clean(c) for c in rb.cells)
            headers = tuple(clean(h) for h in rb.headers)
            text = " | ".join(cells)
        else:
            cells, headers = (), ()
            text = clean(rb.text)
        if not text.strip(" |"):
            continue
        if parts:
            pos += 2
        blocks.append(
            Block(
                kind=rb.kind,  # type: ignore[arg-type]
                text=text,
                start=pos,
                end=pos + len(text),
                level=rb.level,
                cells=cells,
                headers=headers,
            )
        )
        parts.append(text)
        pos += len(text)
    return "\n\n".join(parts), tuple(blocks)

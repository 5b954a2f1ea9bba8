"""Ingest: read a file (or text) into a ``PolicyVersion``.

FOUNDATION VERSION: plain text and Markdown headings/paragraphs only. The full reader
(Markdown tables and lists, HTML, PDF, gzip, encoding detection, metadata from file names,
bad-input errors) replaces this.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .datamodel import Block, PolicyVersion
from .errors import InputError


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blocks_from_markdown(text: str) -> tuple[str, tuple[Block, ...]]:
    """Split Markdown-ish text into blocks; return the normalized text and the blocks."""
    out: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for para in text.replace("\r\n", "\n").split("\n\n"):
        para = " ".join(para.split())
        if not para:
            continue
        kind = "paragraph"
        level = 0
        if para.startswith("#"):
            level = len(para) - len(para.lstrip("#"))
            para = para.lstrip("#").strip()
            kind = "heading"
        if out:
            pos += 2
        blocks.append(Block(kind=kind, text=para, start=pos, end=pos + len(para), level=level))
        out.append(para)
        pos += len(para)
    return "\n\n".join(out), tuple(blocks)


def from_text(
    text: str,
    *,
    source: str = "<text>",
    fmt: str = "md",
    service: str | None = None,
    document_type: str | None = None,
    date: str | None = None,
) -> PolicyVersion:
    """Build a ``PolicyVersion`` from text already in memory."""
    norm, blocks = blocks_from_markdown(text)
    raw = text.encode("utf-8")
    return PolicyVersion(
        source=source,
        text=norm,
        blocks=blocks,
        content_hash=_sha(raw),
        text_hash=_sha(norm.encode("utf-8")),
        format=fmt,
        service=service,
        document_type=document_type,
        date=date,
        encoding="utf-8",
        size=len(raw),
    )


def read_path(
    path: str | Path,
    *,
    service: str | None = None,
    document_type: str | None = None,
    date: str | None = None,
) -> PolicyVersion:
    """Read one document from disk."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="check the path")
    data = p.read_bytes()
    return from_text(
        data.decode("utf-8"),
        source=str(p),
        service=service,
        document_type=document_type,
        date=date,
    )

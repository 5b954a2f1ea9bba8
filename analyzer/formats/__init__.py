"""Format readers used by ``analyzer.ingest``: each turns a document into raw blocks."""

from __future__ import annotations

from ._blocks import RawBlock, build
from .html import html_blocks
from .markdown import markdown_blocks
from .pdf import pdf_blocks, pdf_text
from .text import text_blocks

__all__ = [
    "RawBlock",
    "build",
    "html_blocks",
    "markdown_blocks",
    "pdf_blocks",
    "pdf_text",
    "text_blocks",
]

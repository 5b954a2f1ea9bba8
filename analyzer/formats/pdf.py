"""PDF reader: pypdf text layer -> plain text -> raw blocks."""

from __future__ import annotations

import io
import logging

from ..errors import InputError
from ._blocks import RawBlock
from .text import text_blocks

log = logging.getLogger(__name__)


def pdf_text(data: bytes, source: str) -> str:
    """Extract the text layer of a PDF; raise ``InputError`` when there is none."""
    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    saved = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # pypdf warns on every repaired xref; keep stderr clean
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(
                "the PDF is encrypted", path=source, fix="save an unencrypted copy and retry"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise InputError(
            f"not a readable PDF ({exc.__class__.__name__}: {str(exc)[:120]})",
            path=source,
            fix="check that the file is a complete PDF, or export the policy as HTML or text",
        ) from exc
    finally:
        pypdf_log.setLevel(saved)
    text = "\n\n".join(pages)
    if not text.strip():
        raise InputError(
            "the PDF has no text layer (scanned image?)",
            path=source,
            fix="run OCR on it first, e.g. `ocrmypdf in.pdf out.pdf`, then retry",
        )
    log.debug("%s: %d PDF pages, %d characters", source, len(pages), len(text))
    return text


def pdf_blocks(data: bytes, source: str) -> list[RawBlock]:
    """Read the text of a PDF into raw blocks (re-flowed like plain text)."""
    return text_blocks(pdf_text(data, source))

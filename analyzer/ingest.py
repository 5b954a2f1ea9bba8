"""Ingest: read a file (or text) into a ``PolicyVersion``.

Formats: plain text, Markdown (tables, nested lists, links, ``<br>`` in cells), HTML, PDF
(text layer) and any of them gzip-compressed. The format comes from the file extension,
with content sniffing as a fallback. The encoding is detected (BOMs, UTF-8, then
charset-normalizer). Bad input raises ``InputError`` naming the file and the fix.

Hashing: ``content_hash`` is the SHA-256 of the file bytes *as stored* (compressed bytes for
a ``.gz``), so it identifies the snapshot on disk; ``text_hash`` is the SHA-256 of the
normalized plain text, so two captures that differ only in markup or compression share it.

Metadata (service, document type, date) comes from the options, else from Open Terms
Archive style paths ``<Service>/<Document type>/2024-06-26T12-00-00_abc123.md``.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import logging
import re
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from .datamodel import Block, PolicyVersion
from .errors import InputError
from .formats import build, html_blocks, markdown_blocks, pdf_blocks, text_blocks
from .formats._blocks import TooManyElements
from .languages import detect

log = logging.getLogger(__name__)

#: Files (or decompressed contents) larger than this are refused; override per call.
MAX_BYTES = 20 * 1024 * 1024

FORMATS = ("txt", "md", "html", "pdf")
_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".mdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "an executable"),
    (b"RIFF", "a RIFF (WebP, WAV or AVI) file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"SQLite format 3\x00", "a SQLite database"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SINGLE_BYTE = re.compile(r"^(cp125\d|cp8\d\d|latin_?\d|iso8859_\d+|mac_\w+|hp_roman8|cp437)$")
_OTA_DATE = re.compile(
    r"^(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2})[-:](?P<M>\d{2})[-:](?P<S>\d{2})(?:\.\d+)?Z?)?(?=[_.\-]|$)"
)
_HTML_SNIFF = re.compile(r"<(!doctype html|html|head|body|p|div|h[1-6]|ul|table)[\s>]", re.I)
_MD_SNIFF = re.compile(r"^(#{1,6} |\s*[*+-] |\s*\d+\. |\|.*\||.+\n[=-]{3,}$)|\]\(", re.M)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def guess_language(text: str, sample: int = 20_000) -> str | None:
    """The language of ``text`` (``analyzer.languages.detect``); None when unsure."""
    return detect(text, sample)


_DESCRIPTIVE = re.compile(r"[A-Za-z]{2,}(?:[-_ ][A-Za-z]{2,})+")


def descriptive_name(path: str | Path) -> str | None:
    """The words after the date of ``2024-01-15_chirp-privacy-policy.md`` (``chirp-privacy-
    policy``), or None for archive names (``2024-06-26T12-00-00_abc123.md``,
    ``20180601_YouTube_PrivacyPolicy.md``, ``2024-01-01.md``, ``2024-01-01_a1.md``).

    Archive captures carry a timestamp with a time, a compact date, or an id after the date;
    a hand-named file carries hyphen-separated words (two or more, letters only).
    """
    name = Path(path).name
    m = _OTA_DATE.match(name)
    if not m or m["H"] or "-" not in name[:10]:
        return None
    slug = name[m.end() :].split(".")[0].strip("_- ")
    return slug if _DESCRIPTIVE.fullmatch(slug) else None


def metadata_from_path(path: str | Path) -> dict[str, str | None]:
    """Service, document type and date from an Open Terms Archive style path.

    ``Google/Privacy Policy/2024-06-26T12-00-00_abc123.md`` gives
    ``{"service": "Google", "document_type": "Privacy Policy", "date": "2024-06-26T12:00:00"}``;
    compact dates (``20180601_YouTube_PrivacyPolicy.md``) give ``2018-06-01``. Without a
    date in the file name nothing is inferred (service and document type stay None).
    A file named by date and a descriptive name (``2024-01-15_chirp-privacy-policy.md``, see
    ``descriptive_name``) is not an archive layout: it gives the date alone.
    """
    p = Path(path)
    m = _OTA_DATE.match(p.name)
    if not m:
        return {"service": None, "document_type": None, "date": None}
    date = f"{m['y']}-{m['m']}-{m['d']}"
    if m["H"]:
        date += f"T{m['H']}:{m['M']}:{m['S']}"
    if descriptive_name(p) is not None:
        return {"service": None, "document_type": None, "date": date}
    parts = p.parent.parts
    doc_type = parts[-1] if len(parts) >= 1 else None
    service = parts[-2] if len(parts) >= 2 else None
    return {"service": service or None, "document_type": doc_type or None, "date": date}


def _gunzip(data: bytes, source: str, max_bytes: int) -> bytes:
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, max_bytes + 1)
        if len(out) > max_bytes or d.unconsumed_tail:
            raise InputError(
                f"decompressed content exceeds the size limit of {max_bytes:,} bytes",
                path=source,
                fix="split the document or raise the limit (max_bytes / MAX_BYTES)",
            )
        out += d.flush()
        if not d.eof:
            raise EOFError("compressed data ends early")
        return out
    except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(
            f"broken gzip data ({exc})",
            path=source,
            fix="re-download or re-compress the file (`gzip -t` checks it)",
        ) from exc


def _binary_kind(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode(data: bytes, source: str = "<bytes>") -> tuple[str, str]:
    """Decode document bytes; return ``(text, encoding)`` or raise ``InputError``."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"undecodable bytes after a {enc} byte-order mark ({exc.reason})",
                    path=source,
                    fix="re-save the file as UTF-8",
                ) from exc
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    results = list(from_bytes(data[:2_000_000]))
    best = results[0] if results else None
    if best is None or (b"\x00" in data and not best.encoding.startswith("utf_16")):
        if b"\x00" in data:
            raise InputError(
                "not a text document (it contains NUL bytes)",
                path=source,
                fix="give a .txt, .md, .html or .pdf file",
            )
        raise InputError(
            "undecodable bytes: the text encoding could not be determined",
            path=source,
            fix="re-save the file as UTF-8",
        )
    encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(
            f"undecodable bytes ({exc})", path=source, fix="re-save the file as UTF-8"
        ) from exc
    # Ties between Western single-byte code pages: prefer cp1252, the usual policy export,
    # when it is among the candidates or decodes the bytes to the very same text.
    if encoding != "cp1252" and _SINGLE_BYTE.match(encoding):
        try:
            as_1252 = data.decode("cp1252")
        except UnicodeDecodeError:
            as_1252 = None
        if as_1252 is not None and (
            as_1252 == text or any(r.encoding == "cp1252" for r in results[:4])
        ):
            encoding, text = "cp1252", as_1252
    controls = sum(1 for ch in text[:100_000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(5, 0.01 * min(len(text), 100_000)):
        raise InputError(
            "not a text document (too many control characters)",
            path=source,
            fix="give a .txt, .md, .html or .pdf file",
        )
    return text, encoding.replace("_", "-")


def sniff_format(text: str) -> str:
    """Guess ``html``, ``md`` or ``txt`` from the start of a decoded document."""
    head = text[:5000]
    if _HTML_SNIFF.search(head.lstrip()[:1000]) and head.lstrip().startswith("<"):
        return "html"
    if len(_MD_SNIFF.findall(head)) >= 2:
        return "md"
    return "txt"


class ParseMemo:
    """The parses of the last ``keep`` distinct documents, for :func:`sharing`.

    A history holds many captures with the same bytes or the same decoded text; a parse
    depends only on the decoded text and its format, so those are parsed once.
    """

    def __init__(self, keep: int = 2):
        self.keep = keep
        self.entries: OrderedDict[tuple[str, str], tuple[str, tuple]] = OrderedDict()

    def get(self, key: tuple[str, str]) -> tuple[str, tuple] | None:
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
        return hit

    def put(self, key: tuple[str, str], value: tuple[str, tuple]) -> None:
        self.entries[key] = value
        while len(self.entries) > self.keep:
            self.entries.popitem(last=False)


_PARSED: ContextVar[ParseMemo | None] = ContextVar("policydiff_parsed", default=None)


@contextmanager
def sharing(memo: ParseMemo) -> Iterator[None]:
    """Within the block, :func:`parse` reuses the result for a document it parsed recently
    (same decoded text and format). Results are immutable and depend only on the text."""
    reset = _PARSED.set(memo)
    try:
        yield
    finally:
        _PARSED.reset(reset)


def _parse_or_refuse(text: str, fmt: str, source: str) -> tuple[str, tuple]:
    """:func:`parse`, with a reader's element limit turned into an ``InputError``."""
    try:
        return parse(text, fmt)
    except TooManyElements as exc:
        from .formats._soup import MAX_ELEMENTS

        raise InputError(
            f"the HTML holds {exc.args[0]:,} elements, above the limit of {MAX_ELEMENTS:,} "
            "(real policy pages have a few thousand)",
            path=source,
            fix="check that it is the policy you meant, or save the page as text "
            "(the limit is analyzer.formats._soup.MAX_ELEMENTS)",
        ) from None


def parse(text: str, fmt: str) -> tuple[str, tuple]:
    """Plain text and blocks of a decoded document in format ``fmt`` (txt, md, html)."""
    memo = _PARSED.get()
    if memo is None:
        return _parse(text, fmt)
    hit = memo.get((fmt, text))
    if hit is None:
        hit = _parse(text, fmt)
        memo.put((fmt, text), hit)
    return hit


def _parse(text: str, fmt: str) -> tuple[str, tuple]:
    if fmt == "md":
        raw = markdown_blocks(text)
    elif fmt == "html":
        raw = html_blocks(text)
    elif fmt == "txt":
        raw = text_blocks(text)
    else:
        raise ValueError(f"unknown text format {fmt!r}")
    return build(raw)


def _empty_error(source: str) -> InputError:
    return InputError(
        "the document is empty or holds no text",
        path=source,
        fix="check that the file is the policy you meant (a failed capture?)",
    )


def from_bytes(
    data: bytes,
    *,
    source: str = "<bytes>",
    fmt: str | None = None,
    service: str | None = None,
    document_type: str | None = None,
    date: str | None = None,
    max_bytes: int | None = None,
    stored: bytes | None = None,
) -> PolicyVersion:
    """Build a ``PolicyVersion`` from raw document bytes (possibly gzip-compressed).

    ``fmt`` forces a format (txt, md, html, pdf); otherwise the content is sniffed.
    ``stored`` are the bytes to hash as ``content_hash`` (default: ``data``).
    """
    limit = MAX_BYTES if max_bytes is None else max_bytes
    stored = data if stored is None else stored
    if len(data) > limit:
        raise InputError(
            f"the file is {len(data):,} bytes, above the size limit of {limit:,} bytes",
            path=source,
            fix="split the document or raise the limit (max_bytes / MAX_BYTES)",
        )
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, source, limit)
    if not data.strip():
        raise _empty_error(source)
    if data.lstrip()[:5] == b"%PDF-":
        fmt = "pdf"
    what = _binary_kind(data)
    if what and fmt != "pdf":
        raise InputError(
            f"not a text document (looks like {what})",
            path=source,
            fix="give a .txt, .md, .html or .pdf file",
        )
    if fmt == "pdf":
        if data.lstrip()[:5] != b"%PDF-":
            raise InputError(
                "not a PDF (no %PDF header)", path=source, fix="check the file or its extension"
            )
        text, blocks = build(pdf_blocks(data, source))
        encoding: str | None = None
    else:
        decoded, encoding = decode(data, source)
        if not decoded.strip():
            raise _empty_error(source)
        fmt = fmt or sniff_format(decoded)
        if fmt not in ("txt", "md", "html"):
            raise InputError(f"unknown format {fmt!r}", path=source, fix="use txt, md, html or pdf")
        text, blocks = _parse_or_refuse(decoded, fmt, source)
    log.debug("%s: %s, %d blocks, %d characters", source, fmt, len(blocks), len(text))
    return _version(
        source,
        text,
        blocks,
        stored,
        fmt,
        encoding,
        service=service,
        document_type=document_type,
        date=date,
    )


def from_text(
    text: str,
    *,
    source: str = "<text>",
    fmt: str = "md",
    service: str | None = None,
    document_type: str | None = None,
    date: str | None = None,
) -> PolicyVersion:
    """Build a ``PolicyVersion`` from text already in memory (``fmt``: md, txt or html)."""
    if fmt not in ("txt", "md", "html"):
        raise InputError(f"unknown text format {fmt!r}", path=source, fix="use txt, md or html")
    norm, blocks = _parse_or_refuse(text, fmt, source)
    return _version(
        source,
        norm,
        blocks,
        text.encode("utf-8"),
        fmt,
        "utf-8",
        service=service,
        document_type=document_type,
        date=date,
    )


def _version(
    source: str,
    text: str,
    blocks: tuple[Block, ...],
    stored: bytes,
    fmt: str,
    encoding: str | None,
    **meta: str | None,
) -> PolicyVersion:
    """The ``PolicyVersion`` of parsed text; ``stored`` are the bytes as kept (hashed)."""
    if not text.strip():
        raise _empty_error(source)
    return PolicyVersion(
        source=source,
        text=text,
        blocks=blocks,
        content_hash=_sha(stored),
        text_hash=_sha(text.encode("utf-8")),
        format=fmt,
        encoding=encoding,
        size=len(stored),
        language=guess_language(text),
        **meta,  # type: ignore[arg-type]
    )


def format_from_name(name: str) -> str | None:
    """Format implied by a file name (``.md.gz`` -> ``md``), or None if unknown."""
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return _EXTENSIONS.get(Path(lower).suffix)


def read_path(
    path: str | Path,
    *,
    service: str | None = None,
    document_type: str | None = None,
    date: str | None = None,
    max_bytes: int | None = None,
    fmt: str | None = None,
) -> PolicyVersion:
    """Read one document from disk.

    Args:
        path: a ``.txt``, ``.md``, ``.html``/``.htm`` or ``.pdf`` file, optionally ``.gz``.
        service, document_type, date: metadata; when None they are parsed from an Open
            Terms Archive style path (``<Service>/<Document type>/<date>_<commit>.md``).
        max_bytes: size limit (default ``MAX_BYTES``, 20 MB), also applied after gunzip.
        fmt: force a format instead of the extension / content sniffing.

    Raises:
        InputError: missing file, directory, empty, binary, undecodable, too large, broken
            gzip, PDF without text layer.
    """
    p = Path(path)
    source = str(p)
    if p.is_dir():
        raise InputError(
            "is a directory, not a document", path=source, fix="give the path of one file"
        )
    if not p.exists():
        raise InputError("no such file", path=source, fix="check the path and its spelling")
    if not p.is_file():
        raise InputError("not a regular file", path=source, fix="give the path of one file")
    limit = MAX_BYTES if max_bytes is None else max_bytes
    size = p.stat().st_size
    if size > limit:
        raise InputError(
            f"the file is {size:,} bytes, above the size limit of {limit:,} bytes",
            path=source,
            fix="split the document or raise the limit (max_bytes / MAX_BYTES)",
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the file ({exc.strerror})", path=source, fix="check its permissions"
        ) from exc
    meta = metadata_from_path(p)
    return from_bytes(
        data,
        source=source,
        fmt=fmt or format_from_name(p.name),
        service=service if service is not None else meta["service"],
        document_type=document_type if document_type is not None else meta["document_type"],
        date=date if date is not None else meta["date"],
        max_bytes=limit,
    )

"""Reader for TILTify (DaSKITA, MIT): policies with character spans for data categories,
purposes, legal bases, recipients and more.

Files are ``{"document": {"document_name", "text", "language"}, "annotations": [...]}``; an
annotation has ``annotation_label/_text/_start/_end`` (the corpus README says
``label/text/start/end``; both are accepted). In the shared copy most offsets do not point at
the annotated text, so each span is relocated to the occurrence of its text nearest to the
given offset; spans whose text is not found are dropped and counted.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

log = logging.getLogger(__name__)

#: suffix of a TILTify label (after the last ``--``) -> pipeline annotation kind.
KIND_OF_LABEL: dict[str, str] = {
    "Data Category": "data_category",
    "Purpose of Data": "purpose",
    "Data Disclosed - Purpose": "purpose",
    "Data Disclosed - Legal Basis": "legal_basis",
    "Reference for Legal Basis": "legal_basis",
    "Legal Basis Description": "legal_basis",
    "Data Disclosed - Legitimate Interest": "legal_basis",
    "Recipient Name": "recipient",
    "Data Disclosed - Recipient Name": "recipient",
    "Data Disclosed - Recipient Category Only": "recipient",
    "Category": "recipient",
}


@dataclass(frozen=True)
class TiltSpan:
    label: str
    kind: str | None
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TiltDoc:
    name: str
    language: str
    text: str
    spans: tuple[TiltSpan, ...]
    dropped: int = 0


def kind_of(label: str) -> str | None:
    """Pipeline kind of a TILTify label, or None for labels we do not evaluate."""
    suffix = label.rsplit("--", 1)[-1]
    if label.startswith("dataDisclosed--recipients--") and suffix == "Category":
        return "recipient"
    if suffix == "Category":
        return None
    return KIND_OF_LABEL.get(suffix)


def _locate(text: str, needle: str, start: int) -> int:
    if not needle:
        return -1
    if text[start : start + len(needle)] == needle:
        return start
    best, pos = -1, text.find(needle)
    while pos >= 0:
        if best < 0 or abs(pos - start) < abs(best - start):
            best = pos
        pos = text.find(needle, pos + 1)
    return best


def read_document(path: str | Path) -> TiltDoc:
    """Read one TILTify JSON file (relocating spans, see the module docstring)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        doc = data["document"]
        text = doc["text"]
        anns = data.get("annotations", [])
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(
            f"not a TILTify document ({exc!r})",
            path=str(p),
            fix='expected {"document": {"text", "language"}, "annotations": [...]}',
        ) from None
    spans: list[TiltSpan] = []
    dropped = 0
    for a in anns:
        label = a.get("annotation_label", a.get("label", ""))
        atext = a.get("annotation_text", a.get("text", "")) or ""
        start = int(a.get("annotation_start", a.get("start", 0)) or 0)
        pos = _locate(text, atext, start)
        if pos < 0:
            dropped += 1
            continue
        spans.append(TiltSpan(label, kind_of(label), pos, pos + len(atext), atext))
    if dropped:
        log.info("%s: %d spans whose text was not found were dropped", p, dropped)
    return TiltDoc(
        name=str(doc.get("document_name") or p.stem),
        language=str(doc.get("language") or "de"),
        text=text,
        spans=tuple(spans),
        dropped=dropped,
    )


def read_folder(folder: str | Path) -> list[TiltDoc]:
    f = Path(folder)
    files = sorted(f.glob("*.json")) if f.is_dir() else []
    if not files:
        raise InputError("no TILTify *.json files", path=str(f), fix="give the tiltify folder")
    return [read_document(x) for x in files]

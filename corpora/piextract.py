"""Reader for PI-Extract (Bui et al., PETS 2021): sentences with IOB spans of personal data
that is collected/used or shared, and the negated forms.

The corpus has four CoNLL-03 files over the same sentences, one per tag set
(``CollectUse_true``: ``COLLECT``, ``CollectUse_false``: ``NOT_COLLECT``, ``Share_true``:
``SHARE``, ``Share_false``: ``NOT_SHARE``). :func:`read_dataset` merges them into one list
of sentences with character spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

PARTS: tuple[str, ...] = ("CollectUse_true", "CollectUse_false", "Share_true", "Share_false")


@dataclass(frozen=True)
class PISpan:
    """A data-type span: ``tag`` is COLLECT, NOT_COLLECT, SHARE or NOT_SHARE."""

    tag: str
    start: int
    end: int
    text: str

    @property
    def negated(self) -> bool:
        return self.tag.startswith("NOT_")

    @property
    def shared(self) -> bool:
        return self.tag.endswith("SHARE")


@dataclass(frozen=True)
class PISentence:
    text: str
    spans: tuple[PISpan, ...]


def read_conll(path: str | Path) -> list[list[tuple[str, str]]]:
    """Sentences of ``(token, tag)`` from a CoNLL-03 file (token first, tag last column)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="give a CoNLL-03 file")
    sents: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
                cur = []
            continue
        cols = line.split()
        if cols[0] == "-DOCSTART-":
            continue
        cur.append((cols[0], cols[-1] if len(cols) > 1 else "O"))
    if cur:
        sents.append(cur)
    return sents


def to_sentence(tokens: list[tuple[str, str]]) -> PISentence:
    """Join tokens with single spaces and turn IOB tags into character spans."""
    text_parts: list[str] = []
    spans: list[PISpan] = []
    pos = 0
    open_tag: str | None = None
    open_start = 0
    last_end = 0

    def close() -> None:
        if open_tag is not None:
            spans.append(
                PISpan(open_tag, open_start, last_end, " ".join(text_parts)[open_start:last_end])
            )

    for tok, tag in tokens:
        start = pos
        text_parts.append(tok)
        pos += len(tok) + 1
        end = start + len(tok)
        if tag.startswith("B-") or (tag.startswith("I-") and open_tag != tag[2:]):
            close()
            open_tag, open_start = tag[2:], start
        elif tag == "O":
            close()
            open_tag = None
        last_end = end
    close()
    text = " ".join(text_parts)
    return PISentence(
        text, tuple(PISpan(s.tag, s.start, s.end, text[s.start : s.end]) for s in spans)
    )


def read_dataset(folder: str | Path) -> list[PISentence]:
    """Merge the four parts of a PI-Extract folder into sentences with all their spans."""
    f = Path(folder)
    parts = [f / part / "train.conll03" for part in PARTS if (f / part / "train.conll03").is_file()]
    if not parts:
        raise InputError(
            "no PI-Extract parts found", path=str(f), fix=f"expected subfolders {list(PARTS)}"
        )
    merged: list[PISentence] | None = None
    for part in parts:
        sents = [to_sentence(s) for s in read_conll(part)]
        if merged is None:
            merged = sents
            continue
        if len(sents) != len(merged):
            raise InputError(
                f"{len(sents)} sentences, the other parts have {len(merged)}",
                path=str(part),
                fix="the four parts must tag the same sentences",
            )
        merged = [PISentence(a.text, a.spans + b.spans) for a, b in zip(merged, sents, strict=True)]
    return merged or []

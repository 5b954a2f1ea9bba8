"""Reader for the OPP-115 segment files (``opp115/train.jsonl``, ``validation.jsonl``).

Each line is ``{"text": str, "labels": [str, ...]}`` with labels from the 12 classes of
``analyzer.taxonomy.CATEGORIES`` (the majority-vote split of Wilson et al. 2016).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.taxonomy import CATEGORIES

from ._jsonl import jsonl_rows

LABELS: tuple[str, ...] = tuple(CATEGORIES)
_FIX = 'each line must look like {"text": "...", "labels": ["..."]}'


@dataclass(frozen=True)
class Segment:
    """One OPP-115 segment and its data-practice categories."""

    text: str
    labels: tuple[str, ...]


def read_jsonl(path: str | Path, *, strict_labels: bool = False) -> list[Segment]:
    """Read a JSONL file of ``{"text", "labels"}`` objects.

    Args:
        path: the file.
        strict_labels: raise on labels outside the 12 OPP-115 classes (else they are kept,
            and callers decide; evaluation ignores unknown labels and reports them).

    Raises:
        InputError: the file is missing, a line is not JSON or lacks ``text``/``labels``.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="give a JSONL file of {text, labels}")
    out: list[Segment] = []
    what = "a JSON object with 'text' and 'labels'"
    for n, row in jsonl_rows(p, what, _FIX):
        try:
            text = row["text"]
            labels = row["labels"]
        except (KeyError, TypeError) as exc:
            raise InputError(f"line {n} is not {what} ({exc!r})", path=str(p), fix=_FIX) from None
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(text, str) or not isinstance(labels, list):
            raise InputError(
                f"line {n}: 'text' must be a string and 'labels' a list",
                path=str(p),
                fix=_FIX,
            )
        if strict_labels:
            unknown = [lab for lab in labels if lab not in CATEGORIES]
            if unknown:
                raise InputError(
                    f"line {n}: unknown OPP-115 labels {unknown}",
                    path=str(p),
                    fix=f"use labels from {list(LABELS)}",
                )
        out.append(Segment(text=text, labels=tuple(dict.fromkeys(labels))))
    if not out:
        raise InputError("the file holds no segments", path=str(p), fix="check the file")
    return out

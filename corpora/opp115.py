"""Reader for the OPP-115 segment files (``opp115/train.jsonl``, ``validation.jsonl``).

Each line is ``{"text": str, "labels": [str, ...]}`` with labels from the 12 classes of
``analyzer.taxonomy.CATEGORIES`` (the majority-vote split of Wilson et al. 2016).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError
from analyzer.taxonomy import CATEGORIES

LABELS: tuple[str, ...] = tuple(CATEGORIES)


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
    with p.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text = row["text"]
                labels = row["labels"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise InputError(
                    f"line {n} is not a JSON object with 'text' and 'labels' ({exc})",
                    path=str(p),
                    fix='each line must look like {"text": "...", "labels": ["..."]}',
                ) from None
            if isinstance(labels, str):
                labels = [labels]
            if not isinstance(text, str) or not isinstance(labels, list):
                raise InputError(
                    f"line {n}: 'text' must be a string and 'labels' a list",
                    path=str(p),
                    fix='each line must look like {"text": "...", "labels": ["..."]}',
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

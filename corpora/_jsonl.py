"""Reading the JSONL files of the shared corpora (one JSON value a line)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer.errors import InputError


def jsonl_rows(path: Path, what: str, fix: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of ``path``.

    Raises:
        InputError: a line is not JSON ("line N is not <what>", with ``fix``).
    """
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"line {n} is not {what} ({exc})", path=str(path), fix=fix
                ) from None
            yield n, row

"""Reader for the labelled AI-training pair format (``../shared/corpora/ai_pairs``).

Each case is a folder with ``old.md``, ``new.md`` and ``meta.json`` (``kind``,
``adds_ai_training``, ``expected_added_sentences``, ``ambiguous``, ``language``, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import InputError


@dataclass(frozen=True)
class AIPair:
    """One labelled pair of consecutive versions."""

    id: str
    path: Path
    old: Path
    new: Path
    kind: str
    adds_ai_training: bool
    expected_added_sentences: tuple[str, ...]
    ambiguous: bool
    language: str = "en"
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def read_pair(folder: Path) -> AIPair:
    """Read one case folder (raises ``InputError`` naming the file when it is malformed)."""
    meta_path = folder / "meta.json"
    for p in (meta_path, folder / "old.md", folder / "new.md"):
        if not p.is_file():
            raise InputError(
                "missing file of an ai_pairs case",
                path=str(p),
                fix="each case needs old.md, new.md and meta.json",
            )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        adds = meta["adds_ai_training"]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            f"not valid JSON: {exc}", path=str(meta_path), fix="fix the JSON"
        ) from None
    except (KeyError, TypeError):
        raise InputError(
            "meta.json lacks 'adds_ai_training'",
            path=str(meta_path),
            fix='add "adds_ai_training": true|false',
        ) from None
    expected = meta.get("expected_added_sentences") or []
    if not isinstance(adds, bool) or not isinstance(expected, list):
        raise InputError(
            "'adds_ai_training' must be a boolean and 'expected_added_sentences' a list",
            path=str(meta_path),
            fix="fix the field types",
        )
    return AIPair(
        id=str(meta.get("id") or folder.name),
        path=folder,
        old=folder / "old.md",
        new=folder / "new.md",
        kind=str(meta.get("kind", "")),
        adds_ai_training=adds,
        expected_added_sentences=tuple(str(s) for s in expected),
        ambiguous=bool(meta.get("ambiguous", False)),
        language=str(meta.get("language", "en")),
        meta=meta,
    )


def read_pairs(path: Path) -> list[AIPair]:
    """Every case folder under ``path`` (sorted by name); ``path`` may be one case folder."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(
            "not a directory of ai_pairs cases",
            path=str(path),
            fix="give the folder that holds the case folders",
        )
    if (path / "meta.json").is_file():
        return [read_pair(path)]
    cases = [
        read_pair(d) for d in sorted(path.iterdir()) if d.is_dir() and (d / "meta.json").is_file()
    ]
    if not cases:
        raise InputError(
            "no case folders with meta.json found",
            path=str(path),
            fix="each case is a folder with old.md, new.md and meta.json",
        )
    return cases

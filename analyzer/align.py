"""Align: relate the clauses of two versions.

FOUNDATION VERSION: exact matches on the normalized text are ``unchanged``; the rest are
``added`` or ``removed``. The full aligner (modified, moved, word diffs with
diff-match-patch, noise suppression) replaces this.
"""

from __future__ import annotations

from collections.abc import Sequence

from .datamodel import Clause, ClauseChange


def align(old: Sequence[Clause], new: Sequence[Clause]) -> list[ClauseChange]:
    """Return one ``ClauseChange`` per clause of either version, in new-document order."""
    old_by_norm: dict[str, list[Clause]] = {}
    for c in old:
        old_by_norm.setdefault(c.norm, []).append(c)
    used: set[str] = set()
    changes: list[ClauseChange] = []
    for c in new:
        match = old_by_norm.get(c.norm)
        if match:
            o = match.pop(0)
            used.add(o.id)
            changes.append(ClauseChange(kind="unchanged", old=o, new=c, substantive=False))
        else:
            changes.append(ClauseChange(kind="added", old=None, new=c, similarity=0.0))
    for c in old:
        if c.id not in used:
            changes.append(ClauseChange(kind="removed", old=c, new=None, similarity=0.0))
    return changes

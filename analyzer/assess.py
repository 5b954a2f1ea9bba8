"""Assess: turn annotations and changes into ``Finding`` objects.

FOUNDATION VERSION: no findings yet.
"""

from __future__ import annotations

from collections.abc import Sequence

from .datamodel import AnalyzedVersion, ClauseChange, Finding


def assess_comparison(
    old: AnalyzedVersion, new: AnalyzedVersion, changes: Sequence[ClauseChange]
) -> list[Finding]:
    """Findings about what changed between ``old`` and ``new``."""
    return []


def assess_version(analyzed: AnalyzedVersion) -> list[Finding]:
    """Findings about one version on its own (``*.present``, ``vague_purpose``)."""
    return []

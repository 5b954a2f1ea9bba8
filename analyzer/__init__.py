"""policydiff: what changed, clause by clause, in what a privacy policy says about your data.

Library API::

    import analyzer
    comparison = analyzer.compare("old.md", "new.md")
    for finding in comparison.findings:
        print(finding.flag, finding.severity, finding.reason)
"""

from __future__ import annotations

__version__ = "0.1.0"

from .datamodel import (  # noqa: E402
    Analysis,
    AnalyzedVersion,
    Annotation,
    Clause,
    ClauseChange,
    Comparison,
    Finding,
    PolicyVersion,
)
from .errors import InputError, ModelError, PolicyDiffError, UsageError  # noqa: E402


def compare(old, new) -> Comparison:  # type: ignore[no-untyped-def]
    """Compare two versions (paths, ``PolicyVersion`` objects or analyzed versions)."""
    from .engine import default_analyzer

    return default_analyzer().compare(old, new)


def analyze(doc, **meta) -> Analysis:  # type: ignore[no-untyped-def]
    """Analyze one version on its own: clauses, annotations and findings."""
    from .engine import default_analyzer

    return default_analyzer().analysis(doc, **meta)


def load(path, **meta) -> PolicyVersion:  # type: ignore[no-untyped-def]
    """Read one document into a ``PolicyVersion``."""
    from .ingest import read_path

    return read_path(path, **meta)


__all__ = [
    "Analysis",
    "AnalyzedVersion",
    "Annotation",
    "Clause",
    "ClauseChange",
    "Comparison",
    "Finding",
    "InputError",
    "ModelError",
    "PolicyDiffError",
    "PolicyVersion",
    "UsageError",
    "__version__",
    "analyze",
    "compare",
    "load",
]

"""Helpers the report formats share: ordering, evidence look-up, change summaries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..datamodel import (
    Analysis,
    AnalyzedVersion,
    Clause,
    ClauseChange,
    Comparison,
    Evidence,
    Finding,
    PolicyVersion,
    severity_rank,
)

SEVERITY_LABEL = {"high": "HIGH", "medium": "MEDIUM", "low": "LOW", "info": "INFO"}
CHANGE_ORDER = ("added", "removed", "modified", "moved")


def _rank(severity: str) -> int:
    try:
        return severity_rank(severity)
    except ValueError:
        return -1


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Highest severity first, then by flag, then in document order."""

    def key(f: Finding) -> tuple[int, str, int, str]:
        clause = f.new_clause or f.old_clause
        return (-_rank(f.severity), f.flag, clause.index if clause else 0, f.id)

    return sorted(findings, key=key)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts per severity, highest first, only severities that occur."""
    c = Counter(f.severity for f in findings)
    return {s: c[s] for s in ("high", "medium", "low", "info") if c[s]}


def change_counts(comparison: Comparison) -> dict[str, int]:
    """Counts of substantive changes per kind (added, removed, modified, moved)."""
    c = Counter(ch.kind for ch in comparison.substantive_changes)
    return {k: c[k] for k in CHANGE_ORDER if c[k]}


def is_no_change(comparison: Comparison) -> bool:
    """True when the two versions differ in nothing substantive and nothing was flagged."""
    return not comparison.substantive_changes and not comparison.findings


def version_line(v: PolicyVersion) -> str:
    """``source (service, document type, date, language xx)`` with the parts that are known."""
    meta = [x for x in (v.service, v.document_type, v.date) if x]
    if v.language:
        meta.append(f"language {v.language}")
    return f"{v.source} ({', '.join(meta)})" if meta else v.source


def warning_lines(obj: Comparison | Analysis) -> list[str]:
    """``warning: ...`` lines for the versions of a report (a language not covered)."""
    if isinstance(obj, Comparison):
        pairs = [("old", obj.old), ("new", obj.new)]
        return [f"warning: {side}: {w}" for side, av in pairs for w in av.warnings]
    return [f"warning: {w}" for w in obj.analyzed.warnings]


def _versions(obj: Comparison | Analysis) -> dict[str, AnalyzedVersion]:
    if isinstance(obj, Comparison):
        return {"old": obj.old, "new": obj.new}
    return {"new": obj.analyzed, "old": obj.analyzed}


def evidence_clause(obj: Comparison | Analysis, finding: Finding, ev: Evidence) -> Clause | None:
    """The clause an evidence span points into (from the finding, else from its version)."""
    for c in (finding.new_clause, finding.old_clause):
        if c is not None and c.id == ev.clause_id:
            return c
    try:
        return _versions(obj)[ev.side].clause(ev.clause_id)
    except KeyError:
        return None


def evidence_parts(
    obj: Comparison | Analysis, finding: Finding, ev: Evidence
) -> tuple[str, str, str] | None:
    """Split the evidence clause into (before, span, after); None if it can't be located.

    The span offsets index the clause text; if they don't match (e.g. a span quoted from a
    context lead-in), the span text is searched for instead.
    """
    clause = evidence_clause(obj, finding, ev)
    if clause is None:
        return None
    text = clause.text
    s, e = ev.span.start, ev.span.end
    if not (0 <= s <= e <= len(text) and text[s:e] == ev.span.text):
        i = text.find(ev.span.text) if ev.span.text else -1
        if i < 0:
            return None
        s, e = i, i + len(ev.span.text)
    return text[:s], text[s:e], text[e:]


def raised_by_line(finding: Finding) -> str:
    """``recognizer / pattern (source)``."""
    rb = finding.raised_by
    parts = rb.recognizer
    if rb.pattern:
        parts += f" / {rb.pattern}"
    return f"{parts} ({rb.source})"


def evidence_line(ev: Evidence) -> str:
    """``new 2024-06-26 c1234abcd: "span text"`` (one line)."""
    return f'{ev.side} {ev.version} {ev.clause_id}: "{one_line(ev.span.text)}"'


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space."""
    return " ".join(text.split())


def change_clause(change: ClauseChange) -> Clause:
    """The clause to show for a change: the new one, or the old one for removals."""
    clause = change.new or change.old
    assert clause is not None
    return clause


def section_label(clause: Clause) -> str:
    """``Section > Subsection`` or empty."""
    return " > ".join(clause.section)


def also_at_line(f: Finding) -> str | None:
    """``also at: <clause id> (<section>), ...`` for a finding whose clause text stands in
    several places of the version (``Finding.also_at``), else None."""
    if not f.also_at:
        return None
    places = [f"{c.id} ({section_label(c)})" if c.section else c.id for c in f.also_at]
    return "also at: " + ", ".join(places)

"""CSV report: one row per finding, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from ..datamodel import Analysis, Comparison, Finding
from . import register_format
from ._common import evidence_line, raised_by_line, sorted_findings

COLUMNS: tuple[str, ...] = (
    "id",
    "flag",
    "severity",
    "reason",
    "gdpr",
    "terms",
    "old_version",
    "old_clause_id",
    "old_clause_text",
    "new_version",
    "new_clause_id",
    "new_clause_text",
    "evidence",
    "raised_by",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with ``'`` (OWASP CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def finding_row(f: Finding, old_label: str, new_label: str) -> dict[str, str]:
    """The CSV row of one finding (every value a string, formulas neutralised)."""
    row = {
        "id": f.id,
        "flag": f.flag,
        "severity": f.severity,
        "reason": f.reason,
        "gdpr": f.gdpr or "",
        "terms": "; ".join(f.terms),
        "old_version": old_label if f.old_clause else "",
        "old_clause_id": f.old_clause.id if f.old_clause else "",
        "old_clause_text": f.old_clause.text if f.old_clause else "",
        "new_version": new_label if f.new_clause else "",
        "new_clause_id": f.new_clause.id if f.new_clause else "",
        "new_clause_text": f.new_clause.text if f.new_clause else "",
        "evidence": " | ".join(evidence_line(ev) for ev in f.evidence),
        "raised_by": raised_by_line(f),
    }
    return {k: neutralise(v) for k, v in row.items()}


@register_format("csv")
def render_csv(obj: Comparison | Analysis) -> str:
    """Header plus one row per finding (highest severity first)."""
    if isinstance(obj, Comparison):
        old_label, new_label = obj.old.version.label, obj.new.version.label
    else:
        old_label = new_label = obj.analyzed.version.label
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for f in sorted_findings(obj.findings):
        writer.writerow(finding_row(f, old_label, new_label))
    return buf.getvalue()

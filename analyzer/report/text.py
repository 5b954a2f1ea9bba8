"""Plain-text report: no colour, no markup, for e-mail, logs and ``--output`` files."""

from __future__ import annotations

from ..datamodel import Analysis, ClauseChange, Comparison, Finding
from . import register_format
from ._common import (
    SEVERITY_LABEL,
    also_at_line,
    change_clause,
    change_counts,
    evidence_line,
    is_no_change,
    one_line,
    raised_by_line,
    section_label,
    severity_counts,
    sorted_findings,
    version_line,
    warning_lines,
)


def word_diff(change: ClauseChange) -> str:
    """``[-deleted-]{+inserted+}`` inline word diff of a modified clause."""
    if change.diff:
        out = []
        for op in change.diff:
            if op.op == "equal":
                out.append(op.text)
            elif op.op == "delete":
                out.append(f"[-{op.text}-]")
            else:
                out.append(f"{{+{op.text}+}}")
        return one_line("".join(out))
    old = change.old.text if change.old else ""
    new = change.new.text if change.new else ""
    return f"[-{one_line(old)}-] {{+{one_line(new)}+}}"


def _finding_lines(f: Finding, n: int) -> list[str]:
    lines = [f"{n}. [{SEVERITY_LABEL.get(f.severity, f.severity.upper())}] {f.flag}: {f.reason}"]
    if f.gdpr:
        lines.append(f"   GDPR: {f.gdpr}")
    for side, clause in (("old", f.old_clause), ("new", f.new_clause)):
        if clause is not None:
            where = f" ({section_label(clause)})" if clause.section else ""
            lines.append(f'   {side} clause {clause.id}{where}: "{one_line(clause.text)}"')
    also = also_at_line(f)
    if also:
        lines.append(f"   {also}")
    for ev in f.evidence:
        lines.append(f"   evidence: {evidence_line(ev)}")
    if f.terms:
        lines.append(f"   terms: {', '.join(f.terms)}")
    lines.append(f"   raised by: {raised_by_line(f)}")
    return lines


def _findings_block(findings: tuple[Finding, ...]) -> list[str]:
    counts = severity_counts(findings)
    head = f"FINDINGS ({len(findings)}"
    if counts:
        head += ": " + ", ".join(f"{v} {k}" for k, v in counts.items())
    lines = [head + ")", ""]
    if not findings:
        lines += ["No findings.", ""]
    for n, f in enumerate(sorted_findings(findings), 1):
        lines += _finding_lines(f, n) + [""]
    return lines


_MARK = {"added": "+", "removed": "-", "modified": "~", "moved": ">"}


def change_line(change: ClauseChange) -> str:
    """One line per substantive change: mark, kind, clause id, text (or word diff)."""
    clause = change_clause(change)
    if change.kind == "modified":
        ids = f"{change.old.id if change.old else '?'} -> {change.new.id if change.new else '?'}"
        return f"{_MARK['modified']} modified {ids}: {word_diff(change)}"
    return f"{_MARK.get(change.kind, '?')} {change.kind} {clause.id}: {one_line(clause.text)}"


@register_format("text")
def render_text(obj: Comparison | Analysis) -> str:
    """Plain text: summary, findings (highest severity first), then changes or clauses."""
    if isinstance(obj, Analysis):
        return render_analysis_text(obj)
    c = obj
    lines = [
        "policydiff comparison",
        f"old: {version_line(c.old.version)}",
        f"new: {version_line(c.new.version)}",
        *warning_lines(c),
    ]
    if c.problems:
        lines += ["", *(f"NOT COMPARED: {p}" for p in c.problems)]
        lines += ["no change in substance is reported", ""]
        return "\n".join(lines)
    if is_no_change(c):
        lines += ["", "no changes", ""]
        return "\n".join(lines)
    counts = change_counts(c)
    lines.append(
        "changes: " + (", ".join(f"{v} {k}" for k, v in counts.items()) or "none substantive")
    )
    lines.append("")
    lines += _findings_block(c.findings)
    subs = c.substantive_changes
    lines += [f"CHANGES ({len(subs)})", ""]
    lines += [change_line(ch) for ch in subs]
    lines.append("")
    return "\n".join(lines)


def render_analysis_text(a: Analysis) -> str:
    """Plain text for one version: findings, then each clause with its annotations."""
    av = a.analyzed
    lines = [
        "policydiff analysis",
        f"version: {version_line(av.version)}",
        *warning_lines(a),
        f"clauses: {len(av.clauses)}, annotations: {len(av.annotations)}",
        "",
    ]
    lines += _findings_block(a.findings)
    lines += ["CLAUSES", ""]
    for clause in av.clauses:
        anns = av.annotations_for(clause.id)
        lines.append(f"{clause.id} [{clause.kind}] {one_line(clause.text)}")
        for ann in anns:
            neg = " (negated)" if ann.negated else ""
            lines.append(f'    {ann.kind}={ann.label}{neg}: "{one_line(ann.span.text)}"')
    lines.append("")
    return "\n".join(lines)

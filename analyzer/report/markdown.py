"""Markdown report: a findings table, then the substantive changes.

Every piece of policy text is escaped (:func:`md_escape`) so that a policy cannot inject
links, images, HTML or table cells into the report.
"""

from __future__ import annotations

import re

from ..datamodel import Analysis, ClauseChange, Comparison, Finding
from . import register_format
from ._common import (
    SEVERITY_LABEL,
    also_at_line,
    change_counts,
    evidence_line,
    is_no_change,
    one_line,
    raised_by_line,
    severity_counts,
    sorted_findings,
    version_line,
    warning_lines,
)

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def md_escape(text: str) -> str:
    """Escape text for inline Markdown (and table cells): one line, HTML entities, and a
    backslash before every character Markdown could read as markup."""
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _clause_cell(f: Finding) -> str:
    parts = []
    for side, clause in (("old", f.old_clause), ("new", f.new_clause)):
        if clause is not None:
            parts.append(f"**{side}** `{clause.id}`: {md_escape(clause.text)}")
    also = also_at_line(f)
    if also:
        parts.append(md_escape(also))
    return "<br>".join(parts)


def _findings_table(findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return ["No findings.", ""]
    lines = [
        "| # | Severity | Flag | Reason | Clause | Evidence | Raised by |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, f in enumerate(sorted_findings(findings), 1):
        reason = md_escape(f.reason) + (f" ({md_escape(f.gdpr)})" if f.gdpr else "")
        evidence = "<br>".join(md_escape(evidence_line(ev)) for ev in f.evidence)
        lines.append(
            f"| {n} | {SEVERITY_LABEL.get(f.severity, md_escape(f.severity))} "
            f"| `{f.flag}` | {reason} | {_clause_cell(f)} | {evidence} "
            f"| {md_escape(raised_by_line(f))} |"
        )
    lines.append("")
    return lines


def _diff_md(change: ClauseChange) -> str:
    if not change.diff:
        old = md_escape(change.old.text) if change.old else ""
        new = md_escape(change.new.text) if change.new else ""
        return f"~~{old}~~ → {new}"
    out = []
    for op in change.diff:
        t = md_escape(op.text)
        if not t.strip():
            out.append(t)
        elif op.op == "equal":
            out.append(t)
        elif op.op == "delete":
            out.append(f"~~{t}~~")
        else:
            out.append(f"**{t}**")
    return "".join(out)


def change_item(change: ClauseChange) -> str:
    """One Markdown list item for a substantive change."""
    if change.kind == "modified":
        return f"- **modified** `{change.new.id if change.new else '?'}`: {_diff_md(change)}"
    clause = change.new or change.old
    assert clause is not None
    return f"- **{change.kind}** `{clause.id}`: {md_escape(clause.text)}"


@register_format("markdown")
def render_markdown(obj: Comparison | Analysis) -> str:
    """Markdown: heading with the versions, findings table, then changes (or clauses)."""
    if isinstance(obj, Analysis):
        return render_analysis_markdown(obj)
    c = obj
    lines = [
        "# policydiff comparison",
        "",
        f"- **Old:** {md_escape(version_line(c.old.version))}",
        f"- **New:** {md_escape(version_line(c.new.version))}",
        *(f"- **Warning:** {md_escape(w.removeprefix('warning: '))}" for w in warning_lines(c)),
    ]
    if c.problems:
        lines += ["", *(f"**Not compared:** {md_escape(p)}" for p in c.problems)]
        lines += ["", "No change in substance is reported.", ""]
        return "\n".join(lines)
    if is_no_change(c):
        lines += ["", "No changes.", ""]
        return "\n".join(lines)
    sev = severity_counts(c.findings)
    counts = change_counts(c)
    lines += [
        f"- **Findings:** {len(c.findings)}"
        + (f" ({', '.join(f'{v} {k}' for k, v in sev.items())})" if sev else ""),
        "- **Changes:** " + (", ".join(f"{v} {k}" for k, v in counts.items()) or "none"),
        "",
        "## Findings",
        "",
    ]
    lines += _findings_table(c.findings)
    lines += ["## Changes", ""]
    subs = c.substantive_changes
    lines += [change_item(ch) for ch in subs] if subs else ["No substantive changes."]
    lines.append("")
    return "\n".join(lines)


def render_analysis_markdown(a: Analysis) -> str:
    """Markdown for one version: findings table, then a clause/annotation table."""
    av = a.analyzed
    lines = [
        "# policydiff analysis",
        "",
        f"- **Version:** {md_escape(version_line(av.version))}",
        *(f"- **Warning:** {md_escape(w.removeprefix('warning: '))}" for w in warning_lines(a)),
        f"- **Clauses:** {len(av.clauses)}, **annotations:** {len(av.annotations)}",
        "",
        "## Findings",
        "",
    ]
    lines += _findings_table(a.findings)
    lines += ["## Clauses", "", "| Clause | Kind | Text | Annotations |", "|---|---|---|---|"]
    for clause in av.clauses:
        anns = "<br>".join(
            md_escape(f"{x.kind}={x.label}{' (negated)' if x.negated else ''}: {x.span.text}")
            for x in av.annotations_for(clause.id)
        )
        lines.append(f"| `{clause.id}` | {clause.kind} | {md_escape(clause.text)} | {anns} |")
    lines.append("")
    return "\n".join(lines)

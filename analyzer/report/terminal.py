"""The terminal view (rich): a summary panel, findings first, then the substantive changes.

Policy text only ever enters rich as ``Text`` objects (never interpolated into markup
strings), so ``[bold]`` or ``[link=...]`` in a policy is shown literally. Severities carry a
label as well as a colour.
"""

from __future__ import annotations

import io
import re

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..datamodel import Analysis, ClauseChange, Comparison, Finding
from . import register_format
from ._common import (
    SEVERITY_LABEL,
    also_at_line,
    change_counts,
    evidence_parts,
    is_no_change,
    one_line,
    raised_by_line,
    section_label,
    severity_counts,
    sorted_findings,
    warning_lines,
)

SEVERITY_STYLE = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold black on cyan",
    "info": "bold black on white",
}
CHANGE_STYLE = {"added": "green", "removed": "red", "modified": "yellow", "moved": "blue"}
CHANGE_MARK = {"added": "+", "removed": "-", "modified": "~", "moved": ">"}
SPAN_STYLE = "bold reverse"
#: Around the evidence span when the console has no colour (files, pipes, NO_COLOR).
PLAIN_MARKS = ("\u00bb", "\u00ab")
_WS = re.compile(r"\s+")


def _squash(text: str) -> str:
    """Collapse whitespace runs to one space, keeping a leading/trailing space if present."""
    return _WS.sub(" ", text)


def _summary_panel(title: str, rows: list[tuple[str, str]]) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for k, v in rows:
        grid.add_row(Text(k), Text(v))
    return Panel(grid, title=Text(title), title_align="left", expand=False)


def _version_text(v) -> str:  # type: ignore[no-untyped-def]
    meta = ", ".join(
        x for x in (v.service, v.document_type, f"language {v.language}" if v.language else "") if x
    )
    return f"{v.date or 'undated'}  {v.source}" + (f"  ({meta})" if meta else "")


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "none"


def finding_renderable(
    obj: Comparison | Analysis, f: Finding, n: int, plain: bool = False
) -> RenderableType:
    """One finding: severity label, flag, reason, clause ids, quoted evidence, raised by.

    With ``plain`` (no colour available) the evidence span is also marked with
    :data:`PLAIN_MARKS`, so it stays visible without styles.
    """
    head = Text()
    head.append(f"{n}. ")
    head.append(
        f" {SEVERITY_LABEL.get(f.severity, f.severity.upper())} ",
        style=SEVERITY_STYLE.get(f.severity, "bold"),
    )
    head.append(" ")
    head.append(f.flag, style="bold")
    lines: list[RenderableType] = [head]
    reason = Text("   ")
    reason.append(f.reason)
    if f.gdpr:
        reason.append(f"  [{f.gdpr}]", style="dim")
    lines.append(reason)
    quoted: set[str] = set()
    for ev in f.evidence:
        parts = evidence_parts(obj, f, ev)
        t = Text("   ")
        t.append(f"{ev.side} {ev.version} ", style="dim")
        t.append(ev.clause_id, style="cyan")
        t.append(": \u201c")
        if parts is None:
            t.append(one_line(ev.span.text), style=SPAN_STYLE)
        else:
            before, span, after = (_squash(p) for p in parts)
            t.append(before.lstrip())
            if plain:
                t.append(PLAIN_MARKS[0])
            t.append(span, style=SPAN_STYLE)
            if plain:
                t.append(PLAIN_MARKS[1])
            t.append(after.rstrip())
        t.append("\u201d")
        lines.append(t)
        quoted.add(ev.clause_id)
    # clauses of the finding that no evidence span quotes (e.g. the old wording)
    for side, clause in (("old", f.old_clause), ("new", f.new_clause)):
        if clause is not None and clause.id not in quoted:
            t = Text(f"   {side} ", style="dim")
            t.append(clause.id, style="cyan")
            t.append(f": \u201c{one_line(clause.text)}\u201d")
            lines.append(t)
    also = also_at_line(f)
    if also:
        lines.append(Text("   " + also, style="dim"))
    if f.terms:
        lines.append(Text("   terms: " + ", ".join(f.terms), style="dim"))
    lines.append(Text("   raised by: " + raised_by_line(f), style="dim"))
    return Group(*lines)


def _diff_text(change: ClauseChange) -> Text:
    t = Text()
    if not change.diff:
        if change.old:
            t.append(one_line(change.old.text), style="red strike")
            t.append(" -> ")
        if change.new:
            t.append(one_line(change.new.text), style="green")
        return t
    for op in change.diff:
        if op.op == "equal":
            t.append(op.text)
        elif op.op == "delete":
            t.append("[-" + op.text + "-]", style="red strike")
        else:
            t.append("{+" + op.text + "+}", style="green bold")
    return t


def change_renderable(change: ClauseChange) -> Text:
    """One line per substantive change: mark and kind (labelled, coloured), id, text."""
    clause = change.new or change.old
    assert clause is not None
    t = Text()
    style = CHANGE_STYLE.get(change.kind, "")
    t.append(f"{CHANGE_MARK.get(change.kind, '?')} {change.kind:<8} ", style=style)
    t.append(clause.id, style="cyan")
    t.append(" ")
    if change.kind == "modified":
        t.append_text(_diff_text(change))
    else:
        t.append(one_line(clause.text))
    if clause.section:
        t.append(f"  ({section_label(clause)})", style="dim")
    return t


#: The terminal view lists at most this many changes (findings are never cut).
MAX_TERMINAL_CHANGES = 60


def comparison_renderables(
    c: Comparison, plain: bool = False, max_changes: int | None = MAX_TERMINAL_CHANGES
) -> list[RenderableType]:
    """Everything the terminal view of a comparison prints, in order; ``max_changes`` caps
    the list of changes (None: no cap)."""
    sev = severity_counts(c.findings)
    out: list[RenderableType] = [
        _summary_panel(
            "policydiff compare",
            [
                ("old", _version_text(c.old.version)),
                ("new", _version_text(c.new.version)),
                ("findings", f"{len(c.findings)}" + (f" ({_counts_text(sev)})" if sev else "")),
                ("changes", _counts_text(change_counts(c))),
                *(("warning", w.removeprefix("warning: ")) for w in warning_lines(c)),
            ],
        )
    ]
    if c.problems:
        for p in c.problems:
            out.append(Text(f"not compared: {p}", style="bold"))
        out.append(Text("no change in substance is reported"))
        return out
    if is_no_change(c):
        out.append(Text("no changes", style="bold"))
        return out
    out.append(Rule(Text(f"Findings ({len(c.findings)})"), align="left"))
    if not c.findings:
        out.append(Text("No findings."))
    for n, f in enumerate(sorted_findings(c.findings), 1):
        out.append(finding_renderable(c, f, n, plain))
    subs = c.substantive_changes
    out.append(Rule(Text(f"Substantive changes ({len(subs)})"), align="left"))
    if not subs:
        out.append(Text("No substantive changes."))
    shown = subs if max_changes is None else subs[:max_changes]
    out.extend(change_renderable(ch) for ch in shown)
    if len(shown) < len(subs):
        out.append(
            Text(
                f"... and {len(subs) - len(shown)} more substantive changes "
                "(--format text, markdown or json lists them all)",
                style="italic",
            )
        )
    return out


def analysis_renderables(a: Analysis, plain: bool = False) -> list[RenderableType]:
    """Everything the terminal view of a single-version analysis prints."""
    av = a.analyzed
    kinds: dict[str, int] = {}
    for ann in av.annotations:
        kinds[ann.kind] = kinds.get(ann.kind, 0) + 1
    sev = severity_counts(a.findings)
    out: list[RenderableType] = [
        _summary_panel(
            "policydiff analyze",
            [
                ("version", _version_text(av.version)),
                ("clauses", str(len(av.clauses))),
                ("annotations", _counts_text(kinds)),
                ("findings", f"{len(a.findings)}" + (f" ({_counts_text(sev)})" if sev else "")),
                *(("warning", w.removeprefix("warning: ")) for w in warning_lines(a)),
            ],
        )
    ]
    out.append(Rule(Text(f"Findings ({len(a.findings)})"), align="left"))
    if not a.findings:
        out.append(Text("No findings."))
    for n, f in enumerate(sorted_findings(a.findings), 1):
        out.append(finding_renderable(a, f, n, plain))
    annotated = [c for c in av.clauses if av.annotations_for(c.id)]
    out.append(
        Rule(Text(f"Annotated clauses ({len(annotated)} of {len(av.clauses)})"), align="left")
    )
    for clause in annotated:
        t = Text()
        t.append(clause.id, style="cyan")
        t.append(f" {one_line(clause.text)}")
        out.append(t)
        for ann in av.annotations_for(clause.id):
            line = Text("    ")
            line.append(f"{ann.kind}={ann.label}", style="bold")
            if ann.negated:
                line.append(" (negated)", style="italic")
            line.append(f": \u201c{one_line(ann.span.text)}\u201d", style="dim")
            out.append(line)
    return out


def print_report(
    obj: Comparison | Analysis, console: Console, max_changes: int | None = MAX_TERMINAL_CHANGES
) -> None:
    """Print the terminal view of a comparison or analysis on ``console``."""
    plain = console.no_color or console.color_system is None
    if isinstance(obj, Comparison):
        items = comparison_renderables(obj, plain, max_changes)
    else:
        items = analysis_renderables(obj, plain)
    for item in items:
        console.print(item)


@register_format("rich")
def render_rich(obj: Comparison | Analysis, width: int = 100) -> str:
    """The terminal view as plain text (no colour codes), for files and tests."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False
    )
    print_report(obj, console)
    return buf.getvalue()

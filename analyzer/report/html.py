"""Self-contained HTML reports: a side-by-side comparison and a history timeline.

Both pages are single files with no network access: inline CSS and a little vanilla JS, read
from ``analyzer/templates`` and pinned by sha256 hashes in a strict Content-Security-Policy
``<meta>``. Templates are Jinja2 with autoescaping on; every piece of policy text is escaped
(also inside attributes), the only markup we add around policy text is built here from
escaped pieces (``<ins>``, ``<del>``, ``<mark>``), and links are only ever fragments we make
or caller-supplied URLs that pass :func:`safe_href`.

Library API::

    from analyzer.report.html import render_comparison_html, render_history
    html = render_comparison_html(comparison)            # Comparison -> str
    html = render_history(events, service="Chirp")       # list[TimelineEvent] -> str
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..datamodel import SEVERITIES, Clause, ClauseChange, Comparison, Finding, TimelineEvent
from ._common import warning_lines

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: Severity presentation: a symbol and a word, so colour is never the only cue.
SEVERITY_SYMBOL: dict[str, str] = {"high": "▲", "medium": "◆", "low": "▽", "info": "○"}
SEVERITY_LABEL: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low", "info": "Info"}

#: Change kinds: a symbol and a word.
KIND_LABEL: dict[str, str] = {
    "added": "+ Added",
    "removed": "− Removed",
    "modified": "± Modified",
    "moved": "↕ Moved",
    "unchanged": "= Unchanged",
}

#: Flag families (the part of a flag before the first dot), in timeline row order.
FAMILY_LABEL: dict[str, str] = {
    "ai_training": "AI training",
    "purpose": "Purposes",
    "recipient": "Recipients",
    "legal_basis": "Legal bases",
    "vague_purpose": "Vague purposes",
    "exclusion": "Exclusions",
    "data_category": "Data categories",
    "data_source": "Data sources",
    "choice": "User choices",
}
#: Families drawn in every history timeline, even when they have no event.
CORE_FAMILIES: tuple[str, ...] = (
    "ai_training",
    "purpose",
    "recipient",
    "legal_basis",
    "vague_purpose",
    "exclusion",
)

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SAFE_SCHEMES = ("http", "https")


# --------------------------------------------------------------------------------------------
# helpers shared by both pages
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(
            ("html", "htm", "xml", "svg"), default_for_string=True, default=True
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["short_hash"] = lambda h: (h or "")[:12]
    env.globals.update(
        SEVERITY_SYMBOL=SEVERITY_SYMBOL,
        SEVERITY_LABEL=SEVERITY_LABEL,
        KIND_LABEL=KIND_LABEL,
        family_label=family_label,
    )
    return env


@lru_cache(maxsize=8)
def _asset(*names: str) -> str:
    """The concatenated text of files in the templates folder (CSS or JS)."""
    return "\n".join((TEMPLATES / n).read_text(encoding="utf-8") for n in names)


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """A strict CSP allowing exactly one inline stylesheet and one inline script (by hash)."""
    return (
        "default-src 'none'; "
        f"style-src {_sha256_source(style)}; "
        f"script-src {_sha256_source(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def dom_id(prefix: str, raw: str, used: set[str] | None = None) -> str:
    """A safe, unique HTML id: ``prefix`` + ``raw`` reduced to ``[A-Za-z0-9_-]``."""
    base = prefix + (_UNSAFE_ID.sub("_", raw).strip("_") or "x")
    if used is None:
        return base
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def safe_href(url: str | None) -> str | None:
    """Return ``url`` if it is a relative URL, a fragment or http(s); otherwise None.

    Browsers ignore ASCII whitespace and control characters inside a scheme
    (``java\\tscript:``), so those are removed before the scheme is read.
    """
    if not url:
        return None
    probe = _CONTROL.sub("", url)
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", probe)
    if m and m.group(1).lower() not in _SAFE_SCHEMES:
        return None
    if probe.startswith("//") or probe.startswith("\\"):
        return None  # protocol-relative: would reach the network from a file:// page
    return url


def json_for_script(data: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</``, ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    for a, b in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(a, b)
    return Markup(text)


def family_of(flag: str | None) -> str:
    """The family of a flag: ``ai_training.added`` -> ``ai_training``."""
    return (flag or "").split(".", 1)[0]


def family_label(family: str) -> str:
    """A readable name for a flag family."""
    return FAMILY_LABEL.get(family, family.replace("_", " ").capitalize())


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def _ordered_severities(present: Iterable[str]) -> list[str]:
    known = [s for s in reversed(SEVERITIES)]
    extra = sorted(set(present) - set(SEVERITIES))
    return known + extra


# --------------------------------------------------------------------------------------------
# text with word diffs and evidence marks
# --------------------------------------------------------------------------------------------
def _ops_side(ops: Sequence[Any], side: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Text of one side of a diff and the intervals of its inserted/deleted words."""
    keep = "delete" if side == "old" else "insert"
    tag = "del" if side == "old" else "ins"
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for op in ops:
        if op.op != "equal" and op.op != keep:
            continue
        if op.op == keep and op.text:
            spans.append((pos, pos + len(op.text), tag))
        parts.append(op.text)
        pos += len(op.text)
    return "".join(parts), spans


def _locate(text: str, start: int, end: int, quoted: str) -> tuple[int, int] | None:
    """Offsets of an evidence span in ``text``: trust them if they agree, else search."""
    if 0 <= start < end <= len(text) and (not quoted or text[start:end] == quoted):
        return start, end
    if quoted:
        i = text.find(quoted)
        if i >= 0:
            return i, i + len(quoted)
    return None


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    finding: str  # dom id of the finding
    flag: str
    severity: str


def render_marked(
    text: str,
    spans: Sequence[tuple[int, int, str]] = (),
    marks: Sequence[_Mark] = (),
) -> Markup:
    """Escape ``text`` and wrap ``spans`` in ``<ins>``/``<del>`` and ``marks`` in ``<mark>``.

    Intervals may overlap: the text is cut at every boundary and each piece is wrapped in the
    tags that cover it (diff tag outside, evidence mark inside), so the output is always
    well-formed.
    """
    if not spans and not marks:
        return escape(text)
    cuts = {0, len(text)}
    for s, e, _ in spans:
        cuts.update((s, e))
    for m in marks:
        cuts.update((m.start, m.end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out: list[str] = []
    for a, b in zip(points, points[1:], strict=False):
        if a == b:
            continue
        piece = str(escape(text[a:b]))
        covering = [m for m in marks if m.start <= a and b <= m.end]
        if covering:
            ids = " ".join(dict.fromkeys(m.finding for m in covering))
            flags = ", ".join(dict.fromkeys(m.flag for m in covering))
            sev = max((m.severity for m in covering), key=_rank)
            piece = (
                f'<mark class="ev sev-{escape(_UNSAFE_ID.sub("_", sev))}" '
                f'data-findings="{escape(ids)}" title="Evidence: {escape(flags)}">{piece}</mark>'
            )
        for s, e, tag in spans:
            if s <= a and b <= e:
                piece = f"<{tag}>{piece}</{tag}>"
                break
        out.append(piece)
    return Markup("".join(out))


# --------------------------------------------------------------------------------------------
# the comparison page
# --------------------------------------------------------------------------------------------
@dataclass
class _FindingView:
    finding: Finding
    dom_id: str
    order: int
    row_id: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def flag(self) -> str:
        return self.finding.flag

    @property
    def severity(self) -> str:
        return self.finding.severity


@dataclass
class _Row:
    dom_id: str
    change: ClauseChange
    order: tuple[Any, ...]
    findings: list[_FindingView] = field(default_factory=list)
    old_html: Markup | None = None
    new_html: Markup | None = None

    @property
    def kind(self) -> str:
        return self.change.kind

    @property
    def quiet(self) -> bool:
        """Unchanged or non-substantive, with no finding: collapsed in the report."""
        c = self.change
        return (c.kind == "unchanged" or not c.substantive) and not self.findings

    @property
    def section(self) -> tuple[str, ...]:
        c = self.change.new or self.change.old
        return tuple(c.section) if c else ()

    @property
    def moved_from(self) -> str | None:
        c = self.change
        if c.kind != "moved" or c.old is None:
            return None
        where = " › ".join(c.old.section) or "the top of the document"
        return f"{where} (clause {c.old.index + 1})"


def _order_rows(changes: Sequence[ClauseChange]) -> list[tuple[tuple[Any, ...], ClauseChange]]:
    """Document order: new-version order, each removed clause after its old predecessor."""
    new_pos_of_old: dict[int, int] = {}
    for ch in changes:
        if ch.old is not None and ch.new is not None:
            new_pos_of_old[ch.old.index] = ch.new.index
    matched_old = sorted(new_pos_of_old)
    keyed: list[tuple[tuple[Any, ...], ClauseChange]] = []
    for ch in changes:
        if ch.new is not None:
            keyed.append(((ch.new.index, 0, 0), ch))
            continue
        if ch.old is None:
            continue
        # the nearest old clause before this one that survives in the new version
        anchor = -1
        lo, hi = 0, len(matched_old)
        while lo < hi:
            mid = (lo + hi) // 2
            if matched_old[mid] < ch.old.index:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0:
            anchor = new_pos_of_old[matched_old[lo - 1]]
        keyed.append(((anchor, 1, ch.old.index), ch))
    keyed.sort(key=lambda kc: kc[0])
    return keyed


def _evidence_marks(views: Sequence[_FindingView]) -> dict[tuple[str, str], list[Any]]:
    """Evidence of every finding, indexed by (side, clause id)."""
    index: dict[tuple[str, str], list[Any]] = {}
    for v in views:
        for ev in v.finding.evidence:
            index.setdefault((ev.side, ev.clause_id), []).append((ev, v))
    return index


def _clause_html(
    clause: Clause,
    side: str,
    change: ClauseChange,
    evidence: Mapping[tuple[str, str], list[Any]],
) -> Markup:
    text = clause.text
    spans: list[tuple[int, int, str]] = []
    if change.diff and change.kind in ("modified", "moved"):
        diff_text, spans = _ops_side(change.diff, side)
        if diff_text != text:
            log.debug("diff of clause %s does not spell its text; showing the diff", clause.id)
            text = diff_text
    marks: list[_Mark] = []
    for ev, view in evidence.get((side, clause.id), ()):
        where = _locate(text, ev.span.start, ev.span.end, ev.span.text)
        if where is None:
            log.debug("evidence of %s not found in clause %s", view.finding.id, clause.id)
            continue
        marks.append(_Mark(where[0], where[1], view.dom_id, view.flag, view.severity))
    return render_marked(text, spans, marks)


def _group_rows(rows: Sequence[_Row]) -> list[dict[str, Any]]:
    """Consecutive rows of one section; runs of quiet rows folded into one collapsed item."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["section"] != row.section:
            groups.append({"section": row.section, "items": [], "changed": 0})
        items = groups[-1]["items"]
        if row.quiet:
            if items and items[-1]["collapsed"]:
                items[-1]["rows"].append(row)
            else:
                items.append({"collapsed": True, "rows": [row]})
        else:
            groups[-1]["changed"] += 1
            items.append({"collapsed": False, "rows": [row]})
    # consecutive sections with nothing to show fold into one collapsed run
    merged: list[dict[str, Any]] = []
    for g in groups:
        if g["changed"]:
            merged.append(g)
            continue
        g["rows"] = [r for item in g["items"] for r in item["rows"]]
        if merged and merged[-1].get("quiet_run") is not None:
            merged[-1]["quiet_run"].append(g)
            merged[-1]["clauses"] += len(g["rows"])
        else:
            merged.append({"quiet_run": [g], "clauses": len(g["rows"])})
    return merged


def _short_label(version: Any) -> str:
    """The date of a version, else the file name of its source."""
    if version.date:
        return str(version.date)
    name = str(version.source).replace("\\", "/").rsplit("/", 1)[-1]
    return name or str(version.source)


def comparison_summary(comparison: Comparison) -> dict[str, Any]:
    """The counts the report shows, computed the same way as ``Comparison.to_dict()``."""
    d_changes: dict[str, int] = {}
    for c in comparison.changes:
        if c.kind != "unchanged" and c.substantive:
            d_changes[c.kind] = d_changes.get(c.kind, 0) + 1
    return {
        "findings": len(comparison.findings),
        "by_flag": dict(Counter(f.flag for f in comparison.findings)),
        "by_severity": dict(Counter(f.severity for f in comparison.findings)),
        "changes": d_changes,
    }


def render_comparison_html(comparison: Comparison, *, title: str | None = None) -> str:
    """Render a ``Comparison`` as one self-contained HTML page.

    Args:
        comparison: the result of ``PolicyAnalyzer.compare``.
        title: the page title; by default built from the service and the version labels.

    Returns:
        The HTML document as a string (UTF-8 when written out).
    """
    old_v, new_v = comparison.old.version, comparison.new.version
    old_label, new_label = _short_label(old_v), _short_label(new_v)
    if title is None:
        who = new_v.service or old_v.service or new_v.document_type
        title = f"policydiff: {who + ', ' if who else ''}{old_label} → {new_label}"

    used_ids: set[str] = set()
    # findings, in the order of the JSON; each gets a safe unique DOM id
    views = [
        _FindingView(f, dom_id("f-", f.id or f"{f.flag}-{i}", used_ids), i)
        for i, f in enumerate(comparison.findings)
    ]
    # rows in document order, each finding attached to the row of its clause
    keyed = _order_rows(comparison.changes)
    rows: list[_Row] = []
    by_new: dict[str, _Row] = {}
    by_old: dict[str, _Row] = {}
    for pos, (key, ch) in enumerate(keyed):
        cid = (ch.new or ch.old).id if (ch.new or ch.old) else str(pos)  # type: ignore[union-attr]
        row = _Row(dom_id("r-", f"{pos}-{cid}", used_ids), ch, key)
        rows.append(row)
        if ch.new is not None:
            by_new.setdefault(ch.new.id, row)
        if ch.old is not None:
            by_old.setdefault(ch.old.id, row)
    orphans: list[_FindingView] = []
    for v in views:
        f = v.finding
        row = None
        if f.new_clause is not None:
            row = by_new.get(f.new_clause.id)
        if row is None and f.old_clause is not None:
            row = by_old.get(f.old_clause.id)
        if row is None:
            for ev in f.evidence:
                row = (by_new if ev.side == "new" else by_old).get(ev.clause_id)
                if row is not None:
                    break
        if row is None:
            orphans.append(v)
        else:
            row.findings.append(v)
            v.row_id = row.dom_id
    row_pos = {r.dom_id: i for i, r in enumerate(rows)}
    for row in rows:
        row.findings.sort(key=lambda v: (-_rank(v.severity), v.order))

    evidence = _evidence_marks(views)
    for row in rows:
        ch = row.change
        if ch.old is not None:
            row.old_html = _clause_html(ch.old, "old", ch, evidence)
        if ch.new is not None:
            row.new_html = _clause_html(ch.new, "new", ch, evidence)

    # evidence quotes for the finding cards, with a link to the clause they are in
    for v in views:
        for ev in v.finding.evidence:
            target = (by_new if ev.side == "new" else by_old).get(ev.clause_id)
            v.evidence.append(
                {"ev": ev, "href": f"#{target.dom_id}" if target is not None else None}
            )

    ranked = sorted(
        views,
        key=lambda v: (-_rank(v.severity), row_pos.get(v.row_id or "", len(rows)), v.order),
    )
    summary = comparison_summary(comparison)
    flags = sorted(summary["by_flag"], key=lambda fl: (family_of(fl), fl))
    severities = _ordered_severities(summary["by_severity"])
    groups = _group_rows(rows)

    style = _asset("base.css", "comparison.css")
    script = _asset("comparison.js")
    html = (
        _env()
        .get_template("comparison.html")
        .render(
            title=title,
            csp=content_security_policy(style, script),
            style=Markup(style),
            script=Markup(script),
            old=old_v,
            new=new_v,
            old_label=old_label,
            new_label=new_label,
            warnings=[w.removeprefix("warning: ") for w in warning_lines(comparison)],
            old_clauses=len(comparison.old.clauses),
            new_clauses=len(comparison.new.clauses),
            analyzer_version=comparison.analyzer_version,
            summary=summary,
            summary_json=json_for_script(summary),
            flags=flags,
            severities=severities,
            ranked=ranked,
            groups=groups,
            orphans=orphans,
            problems=comparison.problems,
        )
    )
    return html


# --------------------------------------------------------------------------------------------
# the history page
# --------------------------------------------------------------------------------------------
def _parse_date(value: str) -> Date | None:
    try:
        return Date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return None


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_history_html(
    events: list[TimelineEvent],
    *,
    service: str,
    document_type: str | None = None,
    versions: list[dict] | None = None,
    compare_links: dict[tuple[str, str], str] | None = None,
    title: str | None = None,
) -> str:
    """Render the timeline of a version series as one self-contained HTML page.

    Args:
        events: what appeared or disappeared, and when (``TimelineEvent`` objects).
        service: the service name shown in the title.
        document_type: the document type, if the series has one.
        versions: one dict per version in the series, with at least ``date`` and optionally
            ``status`` (ok / skipped / broken / duplicate), ``content_hash``, ``size``,
            ``source``; versions without events still get a tick on the time axis.
        compare_links: URLs of the comparison report of a pair of versions, keyed by
            ``(old_date, new_date)``; only relative and http(s) URLs are kept.
        title: the page title; by default built from the service and document type.

    Returns:
        The HTML document as a string.
    """
    versions = list(versions or [])
    links = {k: u for k, u in (compare_links or {}).items() if safe_href(u)}
    dropped = len(compare_links or {}) - len(links)
    if dropped:
        log.warning("dropped %d compare link(s) with an unsafe URL scheme", dropped)
    if title is None:
        title = f"policydiff history: {service}" + (f", {document_type}" if document_type else "")

    # dates on the axis: every version plus every event date
    dates = {str(v["date"]) for v in versions if v.get("date")}
    dates.update(e.date for e in events)
    dates.update(e.previous_date for e in events if e.previous_date)
    ordered = sorted(dates)

    present = {e.family for e in events}
    known = list(FAMILY_LABEL)
    families = list(CORE_FAMILIES) + sorted(
        present - set(CORE_FAMILIES),
        key=lambda f: (known.index(f) if f in known else len(known), f),
    )

    # geometry (SVG user units; the SVG scales to the page width)
    left, right, top, row_h, axis_h = 160, 30, 24, 40, 70
    width = 1000
    plot_w = width - left - right
    height = top + row_h * len(families) + axis_h
    parsed = {d: _parse_date(d) for d in ordered}
    if ordered and all(parsed.values()):
        lo = min(p.toordinal() for p in parsed.values() if p)
        hi = max(p.toordinal() for p in parsed.values() if p)
        span = max(hi - lo, 1)

        def x_of(d: str) -> float:
            p = parsed[d]
            if lo == hi or p is None:
                return left + plot_w / 2
            return left + plot_w * (p.toordinal() - lo) / span
    else:
        pos = {d: i for i, d in enumerate(ordered)}

        def x_of(d: str) -> float:
            n = len(ordered)
            return left + (plot_w / 2 if n <= 1 else plot_w * pos[d] / (n - 1))

    used: set[str] = set()
    fam_row = {f: i for i, f in enumerate(families)}
    grouped: dict[tuple[str, str], list[TimelineEvent]] = {}
    for e in events:
        grouped.setdefault((e.family, e.date), []).append(e)

    rows = []
    for f in families:
        fevents = [e for e in events if e.family == f]
        rows.append(
            {
                "family": f,
                "label": family_label(f),
                "css": dom_id("fam-", f),
                "y": top + row_h * fam_row[f] + row_h / 2,
                "appeared": sum(1 for e in fevents if e.event == "appeared"),
                "disappeared": sum(1 for e in fevents if e.event == "disappeared"),
            }
        )

    marks = []
    panels = []
    for (f, d), evs in sorted(grouped.items(), key=lambda kv: (kv[0][1], fam_row[kv[0][0]])):
        panel_id = dom_id("ev-", f"{f}-{d}", used)
        y_mid = top + row_h * fam_row[f] + row_h / 2
        appeared = [e for e in evs if e.event == "appeared"]
        gone = [e for e in evs if e.event != "appeared"]
        both = bool(appeared and gone)
        for kind, group, dy in (
            ("appeared", appeared, -7 if both else 0),
            ("disappeared", gone, 7 if both else 0),
        ):
            if not group:
                continue
            high = max((_rank(e.severity or "") for e in group), default=-1)
            verb = "appeared" if kind == "appeared" else "disappeared"
            lines = [f"{family_label(f)}: {len(group)} {verb} on {d}"]
            for e in group[:8]:
                flag = f" [{e.flag}, {e.severity}]" if e.flag else ""
                lines.append(f"• {e.label}{flag}: {_truncate(e.clause_text, 240)}")
            if len(group) > 8:
                lines.append(f"… and {len(group) - 8} more (click for all)")
            marks.append(
                {
                    "x": round(x_of(d), 1),
                    "y": round(y_mid + dy, 1),
                    "kind": kind,
                    "family": f,
                    "css": dom_id("fam-", f),
                    "date": d,
                    "count": len(group),
                    "r": round(5 + min(3.0, math.log2(len(group))), 1),
                    "severe": high >= _rank("high"),
                    "title": "\n".join(lines),
                    "href": f"#{panel_id}",
                }
            )
        prevs = sorted({e.previous_date for e in evs if e.previous_date})
        panels.append(
            {
                "id": panel_id,
                "family": f,
                "date": d,
                "appeared": appeared,
                "disappeared": gone,
                "compare": [
                    {"old": p, "new": d, "href": links[(p, d)]} for p in prevs if (p, d) in links
                ],
            }
        )

    # ticks: one per version date; labels thinned out so they do not overlap
    min_gap = 46.0
    ticks = []
    last_x = -1e9
    for i, d in enumerate(ordered):
        x = x_of(d)
        labelled = x - last_x >= min_gap or i == len(ordered) - 1 and x - last_x >= min_gap / 2
        if labelled:
            last_x = x
        ticks.append({"x": round(x, 1), "date": d, "label": d[:10] if labelled else None})

    version_rows = []
    prev_date: str | None = None
    for v in sorted(versions, key=lambda v: str(v.get("date", ""))):
        d = str(v.get("date", ""))
        href = links.get((prev_date, d)) if prev_date else None
        version_rows.append({"v": v, "date": d, "previous": prev_date, "href": href})
        if (v.get("status") or "ok") == "ok":
            prev_date = d

    counts = {
        "events": len(events),
        "by_family": {
            f: {"appeared": r["appeared"], "disappeared": r["disappeared"]}
            for f, r in zip(families, rows, strict=True)
        },
    }
    style = _asset("base.css", "history.css")
    script = _asset("history.js")
    return (
        _env()
        .get_template("history.html")
        .render(
            title=title,
            csp=content_security_policy(style, script),
            style=Markup(style),
            script=Markup(script),
            service=service,
            document_type=document_type,
            width=width,
            height=height,
            left=left,
            right=right,
            top=top,
            row_h=row_h,
            plot_bottom=top + row_h * len(families),
            rows=rows,
            marks=marks,
            ticks=ticks,
            panels=panels,
            versions=version_rows,
            counts=counts,
            counts_json=json_for_script(counts),
            first=ordered[0] if ordered else None,
            last=ordered[-1] if ordered else None,
        )
    )


#: The name the scan/history command imports.
render_history = render_history_html

__all__ = [
    "comparison_summary",
    "content_security_policy",
    "render_comparison_html",
    "render_history",
    "render_history_html",
    "render_marked",
    "safe_href",
]

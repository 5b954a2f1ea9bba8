"""An Atom feed of the findings in a results database (``policydiff feed``).

Open Terms Archive's feeds say that a document changed; this one says what changed in
substance: one entry per finding (``per="finding"``) or per comparison of two versions
(``per="comparison"``), filtered like ``policydiff export`` (service, flag glob, date,
minimum severity; capture flip-flop noise left out). With ``reports``, the HTML comparison
report of every comparison in the feed is written into that folder (rebuilt from the
database, so the original files are not needed) and each entry links to it.

The feed is built with feedgen. Entry content is plain text (``type="text"``), which the
XML serializer escapes: policy text is untrusted and never becomes markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .errors import UsageError
from .export import filters
from .store import Store

PER = ("finding", "comparison")


@dataclass
class FeedItem:
    """One finding row of the feed query."""

    row: dict[str, Any]

    @property
    def pair(self) -> tuple[str, str | None]:
        return self.row["version_id"], self.row["base_version_id"]


@dataclass
class FeedResult:
    """The feed (Atom XML bytes), its entry count and the reports written."""

    xml: bytes
    entries: int
    reports: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def finding_rows(
    db: str | Path,
    *,
    service: str | None = None,
    flag: str | None = None,
    since: str | None = None,
    min_severity: str | None = None,
) -> list[dict[str, Any]]:
    """The findings the feed lists, newest version first (``export`` filter semantics)."""
    where, params = filters(
        "findings", service=service, flag=flag, since=since, min_severity=min_severity
    )
    sql = (
        "SELECT * FROM (SELECT fv.*, f.version_id, f.base_version_id, f.finding_id, f.extra, "
        "f.old_clause_text, f.terms, f.raised_source FROM findings_view fv "
        "JOIN findings f ON f.id = fv.finding_row)"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY date DESC, service, document_type, collection, version_id, seq"
    with Store(db, readonly=True) as store:
        return [dict(r) for r in store.conn.execute(sql, params)]


def build_feed(
    db: str | Path,
    *,
    service: str | None = None,
    flag: str | None = None,
    since: str | None = None,
    min_severity: str | None = None,
    per: str = "finding",
    reports: str | Path | None = None,
    link_base: str | None = None,
    title: str | None = None,
    feed_id: str | None = None,
    limit: int | None = None,
    engine: Any = None,
) -> FeedResult:
    """Build the Atom feed of a database's findings.

    Args:
        db: the results database.
        service, flag, since, min_severity: as ``policydiff export``.
        per: ``"finding"`` (one entry per finding) or ``"comparison"`` (one entry per pair
            of versions, listing its findings).
        reports: a folder to write the HTML comparison reports into; entries link to them.
        link_base: what report links start with (a URL, or a path relative to where the feed
            is served); default: the ``reports`` folder as given.
        title: the feed title; feed_id: its Atom id (default: derived from the database).
        limit: keep only the newest ``limit`` entries.
        engine: the ``PolicyAnalyzer`` that compares the versions again for the reports
            (default: the standard one).
    """
    from feedgen.feed import FeedGenerator

    if per not in PER:
        raise UsageError(f"unknown --per {per!r}", fix=f"use one of {', '.join(PER)}")
    if min_severity is not None and min_severity not in ("info", "low", "medium", "high"):
        raise UsageError(f"unknown severity {min_severity!r}", fix="use info, low, medium or high")
    rows = finding_rows(db, service=service, flag=flag, since=since, min_severity=min_severity)
    groups: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for r in rows:
        key = (
            (r["version_id"], r["base_version_id"])
            if per == "comparison"
            else (
                r["finding_row"],
                None,
            )
        )
        groups.setdefault(key, []).append(r)
    entries = list(groups.values())
    if limit is not None:
        entries = entries[:limit]
    result = FeedResult(xml=b"", entries=len(entries))
    if reports is not None:
        pairs = sorted(
            {
                (g[0]["version_id"], g[0]["base_version_id"])
                for g in entries
                if g[0]["base_version_id"]
            }
        )
        result.reports, result.problems = write_reports(db, pairs, reports, engine=engine)
    base = (link_base if link_base is not None else str(reports or "")).rstrip("/")

    fg = FeedGenerator()
    name = Path(str(db)).name
    what = []
    if service:
        what.append(service)
    if flag:
        what.append(flag)
    if min_severity:
        what.append(f">= {min_severity}")
    fg.id(feed_id or f"urn:policydiff:feed:{_slug(name)}:{per}:{_slug(' '.join(what))}")
    fg.title(title or "policydiff findings" + (f" ({', '.join(what)})" if what else ""))
    fg.subtitle("What changed in substance in the privacy policies of a policydiff database.")
    fg.author({"name": "policydiff"})
    fg.generator("policydiff", __version__)
    fg.language("en")
    fg.updated(
        max((_when(g[0]["date"]) for g in entries), default=datetime(1970, 1, 1, tzinfo=UTC))
    )
    for group in entries:
        first = group[0]
        fe = fg.add_entry(order="append")
        when = _when(first["date"])
        fe.updated(when)
        fe.published(when)
        where = f"{first['service']} {first['document_type']} ({first['collection']})"
        if per == "comparison":
            fe.id(
                f"urn:policydiff:comparison:{first['version_id']}:{first['base_version_id'] or ''}"
            )
            top = max(group, key=lambda r: r["severity_rank"])
            flags = sorted({r["flag"] for r in group})
            fe.title(
                f"{where}, {_day(first['date'])}: {len(group)} finding(s), "
                f"{top['severity']}: {', '.join(flags[:4])}{' ...' if len(flags) > 4 else ''}"
            )
            body = "\n\n".join(_finding_text(r) for r in group)
        else:
            fe.id(f"urn:policydiff:finding:{first['finding_row']}")
            fe.title(f"[{first['severity']}] {first['flag']}: {where}, {_day(first['date'])}")
            body = _finding_text(first)
        for r in group:
            fe.category(term=r["flag"], label=r["flag"])
        head = (
            f"{where}, version of {first['date']}"
            + (f", compared with {first['previous_date']}" if first["previous_date"] else "")
            + f"\nsource: {first['source']}\n\n"
        )
        fe.content(head + body, type="text")
        fe.summary(first["reason"])
        report = result.reports.get((first["version_id"], first["base_version_id"] or ""))
        if report:
            fe.link(href=f"{base}/{report}" if base else report, rel="alternate", type="text/html")
    result.xml = fg.atom_str(pretty=True)
    return result


def _finding_text(r: dict[str, Any]) -> str:
    lines = [f"[{r['severity']}] {r['flag']}: {r['reason']}"]
    if r.get("gdpr"):
        lines.append(f"GDPR: {r['gdpr']}")
    if r.get("old_clause_text") and r.get("old_clause_text") != r.get("clause_text"):
        lines.append(f"before: {r['old_clause_text']}")
    if r.get("clause_text"):
        lines.append(f"clause {r.get('clause_id') or ''}: {r['clause_text']}")
    lines.append(f"evidence: {r['evidence']}")
    lines.append(f"raised by: {r['raised_by']} ({r.get('raised_source') or ''})")
    extra = json.loads(r.get("extra") or "{}")
    for key, value in sorted(extra.items()):  # fields a newer assess adds to findings
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    return "\n".join(lines)


def write_reports(
    db: str | Path,
    pairs: Sequence[tuple[str, str]],
    out_dir: str | Path,
    *,
    engine: Any = None,
) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Write the HTML report of each ``(version_id, base_version_id)`` pair into ``out_dir``.

    Both versions are rebuilt from the database (clauses, annotations, text) and compared
    again (alignment and assessment only). Returns the file name per pair and one line per
    pair that could not be written.
    """
    from .engine import default_analyzer
    from .report.html import render_comparison_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    if not pairs:
        return names, problems
    engine = engine or default_analyzer()
    with Store(db, readonly=True) as store:
        for vid, bid in pairs:
            new, old = store.analyzed(vid), store.analyzed(bid)
            if new is None or old is None:
                problems.append(f"{bid} -> {vid}: a version has no stored analysis")
                continue
            comparison = engine.compare(old, new)
            v = new.version
            name = (
                _slug(f"{v.service}_{v.document_type}_{old.version.date}_{v.date}")
                + f"_{vid[:6]}.html"
            )
            (out / name).write_text(render_comparison_html(comparison), encoding="utf-8")
            names[(vid, bid)] = name
    return names, problems


def _slug(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", s).strip("-")


def _day(date: str | None) -> str:
    return (date or "undated")[:10]


def _when(date: str | None) -> datetime:
    """A version date (``2024-06-26`` or ``2024-06-26T12:00:00``) as an aware datetime."""
    if not date:
        return datetime(1970, 1, 1, tzinfo=UTC)
    try:
        dt = datetime.fromisoformat(date)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)

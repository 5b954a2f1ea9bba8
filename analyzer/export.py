"""Export tables of a results database as CSV, JSON Lines, Parquet, Excel or Markdown.

``query(db, table, ...)`` returns ``(columns, rows)`` for ``findings``, ``changes``,
``clauses`` or ``timeline`` with the filters of ``policydiff export``; ``write(...)`` renders
them. Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) are prefixed with ``'`` in CSV and Excel output.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from .datamodel import SEVERITIES
from .errors import StoreError, UsageError
from .store import Store

TABLES = ("findings", "changes", "clauses", "timeline")
FORMATS = ("csv", "jsonl", "parquet", "xlsx", "markdown")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SQL = {
    "findings": (
        "SELECT service, document_type, collection, date, previous_date, flag, severity, "
        "clause_text, evidence, reason, gdpr, raised_by, noise, source, clause_id "
        "FROM findings_view",
        "date, service, document_type, seq, finding_row",
    ),
    "changes": (
        "SELECT service, document_type, collection, date, previous_date, kind, old_text, "
        "new_text, similarity, substantive, noise, old_clause_id, new_clause_id "
        "FROM changes_view",
        "date, service, document_type, seq, change_row",
    ),
    "clauses": (
        "SELECT d.service, d.document_type, d.collection, v.date, c.clause_id, c.idx, c.kind, "
        "c.section, c.text, (SELECT group_concat(a.kind || '.' || a.label "
        "|| CASE WHEN a.negated THEN '(negated)' ELSE '' END, '; ') FROM annotation_items a "
        "WHERE a.set_id = c.annotation_set) AS labels "
        "FROM clauses c JOIN versions v ON v.id = c.version_id "
        "JOIN documents d ON d.id = v.document_id",
        "v.date, d.service, d.document_type, d.collection, v.seq, c.idx",
    ),
    "timeline": (
        "SELECT service, document_type, collection, date, previous_date, family, label, event, "
        "status, flag, severity, clause_text, clause_id FROM timeline_view",
        "date, service, document_type, seq",
    ),
}


def query(
    db: str | Path,
    table: str,
    *,
    service: str | None = None,
    flag: str | None = None,
    since: str | None = None,
    min_severity: str | None = None,
    include_noise: bool = False,
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows of one export table with filters.

    Args:
        db: the results database.
        table: ``findings``, ``changes``, ``clauses`` or ``timeline``.
        service: a service name or glob (case-insensitive), e.g. ``"YouTube"``, ``"Goo*"``.
        flag: a glob on the finding flag (``ai_training.*``); for timeline rows it also
            matches ``family.label``, for clauses the ``kind.label`` of an annotation.
        since: keep versions dated on or after this ISO date.
        min_severity: keep findings (and flagged timeline events) at or above it.
        include_noise: keep flip-flop noise (recurrent changes and findings, suppressed
            timeline events, non-substantive changes).
    """
    if table not in TABLES:
        raise UsageError(f"unknown table {table!r}", fix=f"use one of {', '.join(TABLES)}")
    if min_severity is not None and min_severity not in SEVERITIES:
        raise UsageError(
            f"unknown severity {min_severity!r}", fix=f"use one of {', '.join(SEVERITIES)}"
        )
    sql, order = _SQL[table]
    where, params = filters(
        table,
        service=service,
        flag=flag,
        since=since,
        min_severity=min_severity,
        include_noise=include_noise,
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order}"
    store = Store(db, readonly=True)
    try:
        cur = store.conn.execute(sql, params)
        columns = [d[0] for d in cur.description]
        rows = [tuple(r) for r in cur.fetchall()]
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"cannot read the {table} table: {exc}",
            path=str(db),
            fix="re-run `policydiff scan` with this version to upgrade it",
        ) from None
    finally:
        store.close()
    return columns, rows


def filters(
    table: str,
    *,
    service: str | None = None,
    flag: str | None = None,
    since: str | None = None,
    min_severity: str | None = None,
    include_noise: bool = False,
) -> tuple[list[str], list[Any]]:
    """The SQL conditions and parameters of the ``export`` filters on one table's query
    (also used by ``policydiff feed`` on ``findings_view``)."""
    where: list[str] = []
    params: list[Any] = []
    date_col = "v.date" if table == "clauses" else "date"
    service_col = "d.service" if table == "clauses" else "service"
    if service:
        where.append(f"lower({service_col}) GLOB ?")
        params.append(service.lower())
    if since:
        where.append(f"{date_col} >= ?")
        params.append(since)
    if min_severity is not None:
        rank = SEVERITIES.index(min_severity)
        if table == "findings":
            where.append("severity_rank >= ?")
            params.append(rank)
        elif table == "timeline":
            marks = ",".join("?" * (len(SEVERITIES) - rank))
            where.append(f"severity IN ({marks})")
            params.extend(SEVERITIES[rank:])
        else:
            raise UsageError(
                "--min-severity applies to the findings and timeline tables",
                fix="drop --min-severity or export findings",
            )
    if flag:
        if table == "findings":
            where.append("flag GLOB ?")
            params.append(flag)
        elif table == "timeline":
            where.append("(flag GLOB ? OR family || '.' || label GLOB ?)")
            params.extend([flag, flag])
        elif table == "clauses":
            where.append(
                "EXISTS (SELECT 1 FROM annotation_items a WHERE a.set_id = c.annotation_set"
                " AND a.kind || '.' || a.label GLOB ?)"
            )
            params.append(flag)
        else:
            raise UsageError(
                "--flag applies to the findings, timeline and clauses tables",
                fix="drop --flag or export findings",
            )
    if not include_noise:
        if table in ("findings", "changes"):
            where.append("noise = ''")
        if table == "changes":
            where.append("substantive = 1")
        if table == "timeline":
            where.append("status != 'suppressed'")
    return where, params


def escape_cell(value: Any) -> Any:
    """Neutralize a spreadsheet formula: ``=1+1`` -> ``'=1+1`` (other values unchanged)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def glob_match(pattern: str, value: str) -> bool:
    """The ``--flag`` glob semantics (for callers filtering in Python)."""
    return fnmatch.fnmatchcase(value, pattern)


def write(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str,
    output: str | Path | None = None,
    *,
    stream: TextIO | None = None,
) -> None:
    """Write rows in ``fmt`` to ``output`` (a path) or to ``stream`` (default stdout)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", fix=f"use one of {', '.join(FORMATS)}")
    if fmt in ("parquet", "xlsx"):
        if output is None:
            raise UsageError(f"{fmt} is a binary format", fix="give --output FILE")
        (_write_parquet if fmt == "parquet" else _write_xlsx)(columns, rows, Path(output))
        return
    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([escape_cell(v) for v in row] for row in rows)
    elif fmt == "jsonl":
        for row in rows:
            buf.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False))
            buf.write("\n")
    else:
        buf.write(to_markdown(columns, rows))
    text = buf.getvalue()
    if output is not None:
        Path(output).write_text(text, encoding="utf-8")
    else:
        (stream or sys.stdout).write(text)


def to_markdown(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (pipes and newlines in cells escaped)."""

    def cell(v: Any) -> str:
        s = "" if v is None else str(v)
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", "<br>")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _write_parquet(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            "Parquet export needs pyarrow", fix="pip install 'policydiff[parquet]'"
        ) from None
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    pq.write_table(pa.table(data), path)


def _write_xlsx(columns: Sequence[str], rows: Sequence[Sequence[Any]], path: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    except ImportError:
        raise UsageError(
            "Excel export needs openpyxl", fix="pip install 'policydiff[xlsx]'"
        ) from None
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("policydiff")
    ws.append(list(columns))
    for row in rows:
        out = []
        for v in row:
            v = escape_cell(v)
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
            out.append(v)
        ws.append(out)
    wb.save(path)

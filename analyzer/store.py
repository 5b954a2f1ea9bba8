"""The results database: plain SQLite tables that open in the ``sqlite3`` shell and Datasette.

Schema (documented in ``docs/schema.md``): ``documents`` (one per series), ``versions``,
``version_texts``, ``clauses``, ``annotations``, ``changes``, ``findings``, ``timeline``,
``errors``, ``runs``, and the views ``findings_view``, ``changes_view``, ``timeline_view``,
``versions_view``.

Ids are deterministic (hashes of natural keys), and each series is written in one
transaction that first removes what the series had, so the database only depends on the
inputs and the pipeline: a scan killed at any moment and restarted ends with the same rows as
an uninterrupted one (``runs`` apart).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .datamodel import (
    AnalyzedVersion,
    Annotation,
    Clause,
    Explanation,
    PolicyVersion,
    Span,
    TimelineEvent,
    severity_rank,
)
from .errors import StoreError

if TYPE_CHECKING:
    from .scan import SeriesResult

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_DB = "policydiff.sqlite"
#: SQLite page size of new databases (bytes) and page cache of writable connections (KiB)
PAGE_SIZE = 16384
CACHE_KIB = 32768

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    analyzer_version TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    model_versions TEXT NOT NULL,
    args TEXT,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    series_scanned INTEGER DEFAULT 0,
    series_unchanged INTEGER DEFAULT 0,
    versions_scanned INTEGER DEFAULT 0,
    versions_skipped INTEGER DEFAULT 0,
    versions_failed INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    collection TEXT NOT NULL,
    service TEXT NOT NULL,
    document_type TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    versions INTEGER NOT NULL,
    first_date TEXT,
    last_date TEXT,
    UNIQUE (collection, service, document_type)
);
CREATE INDEX IF NOT EXISTS documents_service ON documents(service);
CREATE TABLE IF NOT EXISTS versions (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    size INTEGER,
    text_length INTEGER,
    words INTEGER,
    format TEXT,
    encoding TEXT,
    language TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'duplicate', 'skipped', 'broken', 'revert')),
    status_reason TEXT,
    same_as TEXT REFERENCES versions(id),
    base_version_id TEXT REFERENCES versions(id),
    similarity REAL,
    clause_count INTEGER,
    pipeline TEXT
);
CREATE INDEX IF NOT EXISTS versions_document ON versions(document_id, seq);
CREATE INDEX IF NOT EXISTS versions_content ON versions(content_hash);
CREATE TABLE IF NOT EXISTS version_texts (
    version_id TEXT PRIMARY KEY REFERENCES versions(id),
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clauses (
    version_id TEXT NOT NULL REFERENCES versions(id),
    clause_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    norm TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (version_id, clause_id)
);
CREATE TABLE IF NOT EXISTS annotations (
    version_id TEXT NOT NULL REFERENCES versions(id),
    seq INTEGER NOT NULL,
    clause_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    span_start INTEGER NOT NULL,
    span_end INTEGER NOT NULL,
    span_text TEXT NOT NULL,
    score REAL NOT NULL,
    negated INTEGER NOT NULL DEFAULT 0,
    inherited INTEGER NOT NULL DEFAULT 0,
    qualifiers TEXT NOT NULL DEFAULT '[]',
    recognizer TEXT NOT NULL,
    source TEXT NOT NULL,
    pattern TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    top_terms TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (version_id, seq),
    FOREIGN KEY (version_id, clause_id) REFERENCES clauses(version_id, clause_id)
);
CREATE INDEX IF NOT EXISTS annotations_label ON annotations(kind, label);
CREATE TABLE IF NOT EXISTS changes (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    version_id TEXT NOT NULL REFERENCES versions(id),
    base_version_id TEXT NOT NULL REFERENCES versions(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    old_clause_id TEXT,
    new_clause_id TEXT,
    old_text TEXT,
    new_text TEXT,
    similarity REAL,
    substantive INTEGER NOT NULL,
    noise TEXT NOT NULL DEFAULT '',
    diff TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS changes_version ON changes(version_id, seq);
CREATE INDEX IF NOT EXISTS changes_document ON changes(document_id);
CREATE TABLE IF NOT EXISTS findings (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    version_id TEXT NOT NULL REFERENCES versions(id),
    base_version_id TEXT REFERENCES versions(id),
    seq INTEGER NOT NULL,
    finding_id TEXT NOT NULL,
    flag TEXT NOT NULL,
    severity TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    reason TEXT NOT NULL,
    gdpr TEXT,
    clause_id TEXT,
    clause_text TEXT,
    old_clause_id TEXT,
    old_clause_text TEXT,
    evidence TEXT NOT NULL,
    evidence_json TEXT NOT NULL DEFAULT '[]',
    terms TEXT NOT NULL DEFAULT '[]',
    raised_by TEXT NOT NULL,
    raised_source TEXT NOT NULL,
    noise TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS findings_flag ON findings(flag);
CREATE INDEX IF NOT EXISTS findings_version ON findings(version_id);
CREATE INDEX IF NOT EXISTS findings_document ON findings(document_id);
CREATE TABLE IF NOT EXISTS timeline (
    document_id TEXT NOT NULL REFERENCES documents(id),
    seq INTEGER NOT NULL,
    family TEXT NOT NULL,
    label TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('appeared', 'disappeared')),
    date TEXT NOT NULL,
    previous_date TEXT,
    version_id TEXT NOT NULL REFERENCES versions(id),
    previous_version_id TEXT REFERENCES versions(id),
    clause_id TEXT NOT NULL,
    clause_text TEXT NOT NULL,
    flag TEXT,
    severity TEXT,
    status TEXT NOT NULL CHECK (status IN ('reported', 'pending', 'suppressed')),
    version_hash TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);
CREATE INDEX IF NOT EXISTS timeline_family ON timeline(family, label);
CREATE TABLE IF NOT EXISTS errors (
    id TEXT PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    source TEXT NOT NULL,
    stage TEXT NOT NULL,
    error_type TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS errors_document ON errors(document_id);
"""

#: Views are dropped and re-created on every writable open (they hold no data).
VIEWS = """
DROP VIEW IF EXISTS versions_view;
DROP VIEW IF EXISTS findings_view;
DROP VIEW IF EXISTS changes_view;
DROP VIEW IF EXISTS timeline_view;
CREATE VIEW versions_view AS
SELECT d.service, d.document_type, d.collection, v.date, v.status, v.status_reason,
       v.words, v.clause_count, v.similarity, b.date AS compared_with, v.source,
       v.content_hash, v.id AS version_id
FROM versions v JOIN documents d ON d.id = v.document_id
LEFT JOIN versions b ON b.id = v.base_version_id;

CREATE VIEW findings_view AS
SELECT d.service, d.document_type, d.collection, v.date, f.flag, f.severity,
       f.clause_text, f.evidence, f.reason, f.gdpr, f.raised_by, b.date AS previous_date,
       f.noise, v.source, f.clause_id, f.severity_rank, f.seq, f.id AS finding_row
FROM findings f JOIN versions v ON v.id = f.version_id
JOIN documents d ON d.id = f.document_id
LEFT JOIN versions b ON b.id = f.base_version_id;

CREATE VIEW changes_view AS
SELECT d.service, d.document_type, d.collection, v.date, b.date AS previous_date, c.kind,
       c.old_text, c.new_text, c.similarity, c.substantive, c.noise, c.new_clause_id,
       c.old_clause_id, c.seq, c.id AS change_row
FROM changes c JOIN versions v ON v.id = c.version_id
JOIN versions b ON b.id = c.base_version_id
JOIN documents d ON d.id = c.document_id;

CREATE VIEW timeline_view AS
SELECT d.service, d.document_type, d.collection, t.date, t.previous_date, t.family,
       t.label, t.event, t.status, t.flag, t.severity, t.clause_text, t.clause_id, t.seq
FROM timeline t JOIN documents d ON d.id = t.document_id;
"""

#: Tables whose contents depend only on the inputs and the pipeline (``runs`` excluded).
CONTENT_TABLES = (
    "documents",
    "versions",
    "version_texts",
    "clauses",
    "annotations",
    "changes",
    "findings",
    "timeline",
    "errors",
)


def _id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def document_id(collection: str, service: str, document_type: str) -> str:
    """Deterministic id of a series."""
    return _id("doc", collection, service, document_type)


def version_id(doc_id: str, source: str, content_hash: str) -> str:
    """Deterministic id of a version (its series, where it was read, what it held)."""
    return _id("ver", doc_id, source, content_hash)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _series_filter(
    service: str, document_type: str | None, collection: str | None
) -> tuple[str, list[Any]]:
    """SQL condition (on ``documents d``) and parameters selecting a service's series."""
    where = "lower(d.service) = lower(?)"
    params: list[Any] = [service]
    if document_type:
        where += " AND lower(d.document_type) = lower(?)"
        params.append(document_type)
    if collection:
        where += " AND d.collection = ?"
        params.append(collection)
    return where, params


class Store:
    """A policydiff results database (``sqlite3``, WAL mode, foreign keys on).

    Args:
        path: the database file (created if missing); ``":memory:"`` for tests.
    """

    def __init__(self, path: str | Path = DEFAULT_DB, *, readonly: bool = False):
        self.path = str(path)
        try:
            if readonly:
                if not Path(self.path).is_file():
                    raise StoreError(
                        "no such database",
                        path=self.path,
                        fix="run `policydiff scan PATH --db FILE` first",
                    )
                self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            else:
                self.conn = sqlite3.connect(self.path, timeout=30)
                # 16 KB pages (taken by a new file only; before WAL mode, which fixes it)
                # and a 32 MB page cache: a scan inserts hundreds of thousands of clause and
                # annotation rows, and these cut SQLite's work on them by about a sixth.
                # Neither changes what is stored nor the crash guarantees of WAL.
                self.conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.row_factory = sqlite3.Row
            if not readonly:
                self.conn.executescript(SCHEMA)
                self.conn.executescript(VIEWS)
                self.conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
                self.conn.commit()
            else:
                self.conn.execute("SELECT 1 FROM documents LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open the results database: {exc}",
                path=self.path,
                fix="give a policydiff .sqlite file or a new file name",
            ) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, pipeline: dict[str, Any], args: dict[str, Any]) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs(analyzer_version, pipeline, model_versions, args, started) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                pipeline["analyzer_version"],
                pipeline["id"],
                json.dumps(pipeline.get("models", {}), sort_keys=True),
                json.dumps(args, sort_keys=True, default=str),
                now(),
            ),
        )
        self.conn.commit()
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, counts: dict[str, int]) -> None:
        cols = (
            "series_scanned",
            "series_unchanged",
            "versions_scanned",
            "versions_skipped",
            "versions_failed",
        )
        self.conn.execute(
            f"UPDATE runs SET ended=?, status=?, {', '.join(c + '=?' for c in cols)} WHERE id=?",
            (now(), status, *(counts.get(c, 0) for c in cols), run_id),
        )
        self.conn.commit()

    # -- reading back -----------------------------------------------------------------------
    def fingerprint(self, doc_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT fingerprint FROM documents WHERE id=?", (doc_id,)
        ).fetchone()
        return row[0] if row else None

    def cached_analyses(self, doc_id: str, pipeline: str) -> dict[str, AnalyzedVersion]:
        """Analyses of this series' ``ok`` versions made by ``pipeline``, by content hash."""
        out: dict[str, AnalyzedVersion] = {}
        rows = self.conn.execute(
            "SELECT v.*, t.text FROM versions v LEFT JOIN version_texts t ON t.version_id=v.id "
            "WHERE v.document_id=? AND v.pipeline=? AND v.status='ok'",
            (doc_id, pipeline),
        ).fetchall()
        for v in rows:
            if v["content_hash"] in out:
                continue
            out[v["content_hash"]] = self.load_analyzed(v)
        return out

    def load_analyzed(self, v: sqlite3.Row) -> AnalyzedVersion:
        """Rebuild an ``AnalyzedVersion`` from its stored rows."""
        d = self.conn.execute("SELECT * FROM documents WHERE id=?", (v["document_id"],)).fetchone()
        version = PolicyVersion(
            source=v["source"],
            text=v["text"] or "",
            blocks=(),
            content_hash=v["content_hash"],
            text_hash=v["text_hash"],
            format=v["format"] or "",
            service=d["service"],
            document_type=d["document_type"],
            date=v["date"],
            encoding=v["encoding"],
            size=v["size"] or 0,
            language=v["language"],
        )
        clauses = tuple(
            Clause(
                id=r["clause_id"],
                index=r["idx"],
                text=r["text"],
                norm=r["norm"],
                kind=r["kind"],
                section=tuple(json.loads(r["section"])),
                start=r["start"],
                end=r["end"],
                context=r["context"],
            )
            for r in self.conn.execute(
                "SELECT * FROM clauses WHERE version_id=? ORDER BY idx", (v["id"],)
            )
        )
        annotations = tuple(
            Annotation(
                clause_id=r["clause_id"],
                kind=r["kind"],
                label=r["label"],
                span=Span(r["span_start"], r["span_end"], r["span_text"]),
                score=r["score"],
                explanation=Explanation(
                    recognizer=r["recognizer"],
                    source=r["source"],
                    pattern=r["pattern"],
                    detail=r["detail"],
                    top_terms=tuple(json.loads(r["top_terms"])),
                ),
                negated=bool(r["negated"]),
                inherited=bool(r["inherited"]),
                qualifiers=tuple(tuple(q) for q in json.loads(r["qualifiers"])),
            )
            for r in self.conn.execute(
                "SELECT * FROM annotations WHERE version_id=? ORDER BY seq", (v["id"],)
            )
        )
        return AnalyzedVersion(version=version, clauses=clauses, annotations=annotations)

    # -- writing ----------------------------------------------------------------------------
    def record_problems(self, problems: Iterable[Any], *, replace: bool = False) -> None:
        """Record problems met outside any series (missing paths, bad manifests, non-repos,
        series that crashed). With ``replace``, first forget those of earlier scans."""
        with self.conn:
            if replace:
                self.conn.execute("DELETE FROM errors WHERE document_id IS NULL")
            for p in problems:
                self.conn.execute(
                    "INSERT OR REPLACE INTO errors(id, document_id, source, stage, error_type,"
                    " reason) VALUES (?, NULL, ?, ?, ?, ?)",
                    (_id("err", "", p.source, p.stage), p.source, p.stage, p.error_type, p.reason),
                )

    def write_series(self, result: SeriesResult) -> None:
        """Replace everything stored for one series, in one transaction."""
        try:
            with self.conn:
                self._write_series(result)
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot write results for {result.service}: {exc}",
                path=self.path,
                fix="check free disk space and file permissions",
            ) from None

    def _write_series(self, r: SeriesResult) -> None:
        c = self.conn
        doc = r.document_id
        for table in ("timeline", "findings", "changes", "errors"):
            c.execute(f"DELETE FROM {table} WHERE document_id=?", (doc,))
        c.execute(
            "UPDATE versions SET same_as=NULL, base_version_id=NULL WHERE document_id=?", (doc,)
        )
        rows = r.rows if r.rows is not None else series_rows(r)
        vids = rows.vids
        keep_analysis = {
            vid for vid, v in zip(vids, r.versions, strict=True) if vid and v.status == "ok"
        }
        existing = {
            row[0]: row[1]
            for row in c.execute("SELECT id, pipeline FROM versions WHERE document_id=?", (doc,))
        }
        for vid, pipe in existing.items():
            if vid not in keep_analysis or pipe != r.pipeline:
                c.execute("DELETE FROM annotations WHERE version_id=?", (vid,))
                c.execute("DELETE FROM clauses WHERE version_id=?", (vid,))
                c.execute("DELETE FROM version_texts WHERE version_id=?", (vid,))
        stale = set(existing) - {v for v in vids if v}
        for vid in stale:
            c.execute("DELETE FROM versions WHERE id=?", (vid,))
        dates = [v.version.date for v in r.versions if v.version and v.version.date]
        c.execute(
            "INSERT INTO documents(id, collection, service, document_type, fingerprint, pipeline,"
            " versions, first_date, last_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET fingerprint=excluded.fingerprint, "
            "pipeline=excluded.pipeline, versions=excluded.versions, "
            "first_date=excluded.first_date, last_date=excluded.last_date",
            (
                doc,
                r.collection,
                r.service,
                r.document_type,
                r.fingerprint,
                r.pipeline,
                len(r.versions),
                min(dates, default=None),
                max(dates, default=None),
            ),
        )
        # versions first without links, then links (same_as/base may point forward or back)
        for seq, (vid, v) in enumerate(zip(vids, r.versions, strict=True)):
            if vid is None or v.version is None:
                continue
            pv = v.version
            analyzed = v.status == "ok" and seq in rows.clause_counts
            c.execute(
                "INSERT INTO versions(id, document_id, seq, source, date, content_hash, "
                "text_hash, size, text_length, words, format, encoding, language, status, "
                "status_reason, similarity, clause_count, pipeline) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET seq=excluded.seq, date=excluded.date, "
                "status=excluded.status, status_reason=excluded.status_reason, "
                "similarity=excluded.similarity, clause_count=excluded.clause_count, "
                "pipeline=excluded.pipeline, words=excluded.words, "
                "text_length=excluded.text_length, language=excluded.language",
                (
                    vid,
                    doc,
                    seq,
                    v.source,
                    pv.date,
                    pv.content_hash,
                    pv.text_hash,
                    pv.size,
                    len(pv.text),
                    v.words,
                    pv.format,
                    pv.encoding,
                    pv.language,
                    v.status,
                    v.reason,
                    v.similarity,
                    rows.clause_counts[seq] if analyzed else None,
                    r.pipeline if analyzed else None,
                ),
            )
            if analyzed:
                has = c.execute(
                    "SELECT 1 FROM clauses WHERE version_id=? LIMIT 1", (vid,)
                ).fetchone()
                if not has:
                    self._insert_analysis(*rows.analyses[seq])
        for vid, v in zip(vids, r.versions, strict=True):
            if vid is None:
                continue
            same = vids[v.same_as] if v.same_as is not None else None
            base = vids[v.base] if v.base is not None else None
            c.execute(
                "UPDATE versions SET same_as=?, base_version_id=? WHERE id=?", (same, base, vid)
            )
        c.executemany(
            "INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows.changes
        )
        c.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?)",
            rows.findings,
        )
        for seq, row in enumerate(r.timeline):
            e = row.event
            c.execute(
                "INSERT INTO timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc,
                    seq,
                    e.family,
                    e.label,
                    e.event,
                    e.date,
                    e.previous_date,
                    vids[row.version_index],
                    vids[row.previous_index] if row.previous_index is not None else None,
                    e.clause_id,
                    e.clause_text,
                    e.flag,
                    e.severity,
                    row.status,
                    e.version_hash,
                ),
            )
        for p in r.errors:
            c.execute(
                "INSERT OR REPLACE INTO errors VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _id("err", doc, p.source, p.stage),
                    doc,
                    p.source,
                    p.stage,
                    p.error_type,
                    p.reason,
                ),
            )

    def _insert_analysis(
        self, text_row: tuple, clause_rows: list[tuple], annotation_rows: list[tuple]
    ) -> None:
        c = self.conn
        c.execute("INSERT INTO version_texts VALUES (?, ?)", text_row)
        c.executemany(
            "INSERT INTO clauses(version_id, clause_id, idx, kind, section, text, norm, start, "
            '"end", context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            clause_rows,
        )
        c.executemany(
            "INSERT INTO annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            annotation_rows,
        )

    def services(self) -> list[str]:
        return [
            r[0]
            for r in self.conn.execute("SELECT DISTINCT service FROM documents ORDER BY service")
        ]

    def timeline(
        self,
        service: str,
        *,
        document_type: str | None = None,
        collection: str | None = None,
        include_suppressed: bool = False,
    ) -> list[tuple[str, str, TimelineEvent]]:
        """Timeline events of a service: ``(collection, status, event)`` in date order."""
        where, params = _series_filter(service, document_type, collection)
        sql = (
            "SELECT d.collection, d.service AS doc_service, d.document_type AS doc_type, t.* "
            "FROM timeline t JOIN documents d ON d.id = t.document_id WHERE " + where
        )
        if not include_suppressed:
            sql += " AND t.status != 'suppressed'"
        sql += " ORDER BY d.collection, d.document_type, t.seq"
        out = []
        for r in self.conn.execute(sql, params):
            out.append(
                (
                    r["collection"],
                    r["status"],
                    TimelineEvent(
                        service=r["doc_service"],
                        document_type=r["doc_type"],
                        family=r["family"],
                        label=r["label"],
                        event=r["event"],
                        date=r["date"],
                        previous_date=r["previous_date"],
                        clause_id=r["clause_id"],
                        clause_text=r["clause_text"],
                        flag=r["flag"],
                        severity=r["severity"],
                        version_hash=r["version_hash"],
                    ),
                )
            )
        return out

    def versions_of(
        self, service: str, *, document_type: str | None = None, collection: str | None = None
    ) -> list[dict[str, Any]]:
        """The versions of a service's series (date, status, hash, size, source), by date."""
        where, params = _series_filter(service, document_type, collection)
        sql = (
            "SELECT d.collection, d.document_type, v.date, v.status, v.status_reason, "
            "v.content_hash, v.size, v.source FROM versions v "
            "JOIN documents d ON d.id = v.document_id WHERE " + where
        )
        sql += " ORDER BY v.date, v.source"
        return [dict(r) for r in self.conn.execute(sql, params)]

    # -- comparisons of whole databases (tests, benchmarks) ---------------------------------
    def dump(self, tables: Sequence[str] = CONTENT_TABLES) -> dict[str, list[tuple]]:
        """Every row of ``tables``, sorted: equal dumps mean equal database contents."""
        out = {}
        for t in tables:
            rows = self.conn.execute(f"SELECT * FROM {t}").fetchall()
            out[t] = sorted((tuple(r) for r in rows), key=repr)
        return out


# -- rows -----------------------------------------------------------------------------------
@dataclass
class SeriesRows:
    """The database rows of one series' versions, analyses, changes and findings.

    Pure function of a ``SeriesResult`` (:func:`series_rows`), so a scan worker computes them
    and sends these plain tuples to the writing process instead of the analyzed objects:
    smaller to send, and the writer only runs ``executemany``.
    """

    vids: list[str | None]
    #: series index -> clause count of each ``ok`` version that has its analysis
    clause_counts: dict[int, int]
    #: series index -> (version_texts row, clauses rows, annotations rows)
    analyses: dict[int, tuple[tuple, list[tuple], list[tuple]]]
    changes: list[tuple]
    findings: list[tuple]


def series_rows(r: SeriesResult) -> SeriesRows:
    """Compute every row of ``r`` that :meth:`Store.write_series` inserts (except timeline,
    errors and the version rows themselves, which are few)."""
    doc = r.document_id
    vids = [
        version_id(doc, v.source, v.version.content_hash) if v.version else None for v in r.versions
    ]
    counts: dict[int, int] = {}
    analyses: dict[int, tuple[tuple, list[tuple], list[tuple]]] = {}
    memo: dict[tuple[str, tuple], str] = {}
    for i, (vid, v) in enumerate(zip(vids, r.versions, strict=True)):
        if vid is None or v.version is None or v.status != "ok" or v.analyzed is None:
            continue
        counts[i] = len(v.analyzed.clauses)
        analyses[i] = analysis_rows(vid, v.analyzed, memo)
    return SeriesRows(
        vids=vids,
        clause_counts=counts,
        analyses=analyses,
        changes=change_rows(r, vids),
        findings=finding_rows(r, vids),
    )


def analysis_rows(
    vid: str, av: AnalyzedVersion, memo: dict[tuple[str, tuple], str] | None = None
) -> tuple[tuple, list[tuple], list[tuple]]:
    """(version_texts row, clauses rows, annotations rows) of one analyzed version.

    ``memo`` keeps the JSON of section paths, qualifiers and top terms (the same few values
    recur in thousands of rows of a series).
    """
    memo = memo if memo is not None else {}
    json_of = memo.get
    clause_rows = []
    for cl in av.clauses:
        sec = cl.section
        section = (json_of(("s", sec)) or _json_memo(memo, "s", sec)) if sec else "[]"
        clause_rows.append(
            (vid, cl.id, cl.index, cl.kind, section, cl.text, cl.norm, cl.start, cl.end, cl.context)
        )
    annotation_rows = []
    for n, a in enumerate(av.annotations):
        ex, span, q, terms = a.explanation, a.span, a.qualifiers, a.explanation.top_terms
        annotation_rows.append(
            (
                vid,
                n,
                a.clause_id,
                a.kind,
                a.label,
                span.start,
                span.end,
                span.text,
                float(a.score),
                int(a.negated),
                int(a.inherited),
                (json_of(("q", q)) or _json_memo(memo, "q", q)) if q else "[]",
                ex.recognizer,
                ex.source,
                ex.pattern,
                ex.detail,
                (json_of(("t", terms)) or _json_memo(memo, "t", terms)) if terms else "[]",
            )
        )
    return (vid, av.version.text), clause_rows, annotation_rows


def _json_memo(memo: dict[tuple[str, tuple], str], what: str, value: tuple) -> str:
    """The JSON column value of a section path (``s``), qualifiers (``q``) or top terms (``t``),
    exactly as ``json.dumps`` writes it, computed once per distinct value."""
    if not value:
        return "[]"
    key = (what, value)
    out = memo.get(key)
    if out is None:
        if what == "q":
            out = json.dumps([list(q) for q in value], ensure_ascii=False)
        elif what == "s":
            out = json.dumps(list(value), ensure_ascii=False)
        else:
            out = json.dumps(list(value))
        memo[key] = out
    return out


def change_rows(r: SeriesResult, vids: Sequence[str | None]) -> list[tuple]:
    """The ``changes`` rows of a series (unchanged clauses are not stored)."""
    rows = []
    doc = r.document_id
    for comp in r.comparisons:
        vid, bid = vids[comp.index], vids[comp.base]
        assert vid and bid
        for n, ch in enumerate(comp.comparison.changes):
            if ch.kind == "unchanged":
                continue
            rows.append(
                (
                    _id("chg", vid, bid, str(n)),
                    doc,
                    vid,
                    bid,
                    n,
                    ch.kind,
                    ch.old.id if ch.old else None,
                    ch.new.id if ch.new else None,
                    ch.old.text if ch.old else None,
                    ch.new.text if ch.new else None,
                    ch.similarity,
                    int(ch.substantive),
                    comp.noise.get(n, ""),
                    json.dumps([d.to_dict() for d in ch.diff], ensure_ascii=False),
                )
            )
    return rows


def finding_rows(r: SeriesResult, vids: Sequence[str | None]) -> list[tuple]:
    """The ``findings`` rows of a series."""
    rows = []
    doc = r.document_id
    for fs in r.findings:
        vid = vids[fs.index]
        bid = vids[fs.base] if fs.base is not None else None
        assert vid
        for n, f in enumerate(fs.findings):
            clause = f.new_clause or f.old_clause
            evidence = " | ".join(f"[{e.side} {e.version}] {e.span.text}" for e in f.evidence) or (
                clause.text if clause else ""
            )
            noise = ""
            if (f.new_clause and f.new_clause.id in fs.recurrent) or (
                not f.new_clause and f.old_clause and f.old_clause.id in fs.recurrent
            ):
                noise = "recurrent"
            rows.append(
                (
                    _id("fnd", vid, bid or "", str(n), f.id),
                    doc,
                    vid,
                    bid,
                    n,
                    f.id,
                    f.flag,
                    f.severity,
                    severity_rank(f.severity),
                    f.reason,
                    f.gdpr,
                    f.new_clause.id if f.new_clause else None,
                    f.new_clause.text if f.new_clause else (clause.text if clause else None),
                    f.old_clause.id if f.old_clause else None,
                    f.old_clause.text if f.old_clause else None,
                    evidence,
                    json.dumps([e.to_dict() for e in f.evidence], ensure_ascii=False),
                    json.dumps(list(f.terms), ensure_ascii=False),
                    f.raised_by.recognizer,
                    f.raised_by.source,
                    noise,
                )
            )
    return rows

"""The results database: plain SQLite tables that open in the ``sqlite3`` shell and Datasette.

Schema 2 (documented in ``docs/schema.md``, decision 0012): ``documents`` (one per series),
``versions``, the content-addressed ``clause_texts``, ``annotation_sets``,
``annotation_items`` and ``chunk_clauses`` (each stored once, keyed by a hash of its
content), ``version_chunks`` (the clause list of each version), ``changes``, ``findings``,
``timeline``, ``errors``, ``runs``; the views ``findings_view``, ``changes_view``,
``timeline_view``, ``versions_view``, and ``clauses``, ``annotations`` and
``version_texts``, which give the rows of the schema-1 tables of those names.

Ids are deterministic (hashes of natural keys or of content), and each series is written in
one transaction that first removes what the series had and then collects the content rows
nothing points to any more, so the database only depends on the inputs and the pipeline: a
scan killed at any moment and restarted ends with the same rows as an uninterrupted one
(``runs`` apart). A schema-1 file is migrated in place by a writable open and refused by a
read-only one.
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
    Finding,
    PolicyVersion,
    Span,
    TimelineEvent,
    clause_keys,
    severity_rank,
)
from .errors import StoreError

if TYPE_CHECKING:
    from .scan import SeriesResult

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
DEFAULT_DB = "policydiff.sqlite"
#: SQLite page size of new databases (bytes) and page cache of writable connections (KiB)
PAGE_SIZE = 16384
CACHE_KIB = 32768
#: a chunk of a version's clause list ends after a clause whose text id is 0 modulo this
#: (content-defined boundaries: an edit changes the chunk it falls in, not the ones after)
CHUNK_MODULUS = 16
#: ... or after this many clauses
CHUNK_MAX = 64

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
    pipeline TEXT,
    tail TEXT,
    full_text TEXT
);
CREATE INDEX IF NOT EXISTS versions_document ON versions(document_id, seq);
CREATE INDEX IF NOT EXISTS versions_content ON versions(content_hash);
CREATE TABLE IF NOT EXISTS clause_texts (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    norm TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS annotation_sets (
    id INTEGER PRIMARY KEY,
    input TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    size INTEGER NOT NULL,
    passes INTEGER
);
CREATE INDEX IF NOT EXISTS annotation_sets_input ON annotation_sets(input, pipeline);
CREATE TABLE IF NOT EXISTS annotation_items (
    set_id INTEGER NOT NULL REFERENCES annotation_sets(id),
    pos INTEGER NOT NULL,
    pass INTEGER NOT NULL,
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
    PRIMARY KEY (set_id, pos)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS annotation_items_label ON annotation_items(kind, label);
CREATE TABLE IF NOT EXISTS chunk_clauses (
    chunk_id INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    clause_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    section TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    text_id INTEGER NOT NULL REFERENCES clause_texts(id),
    set_id INTEGER NOT NULL REFERENCES annotation_sets(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    gap TEXT NOT NULL DEFAULT '',
    raw TEXT,
    PRIMARY KEY (chunk_id, pos)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chunk_clauses_text ON chunk_clauses(text_id);
CREATE INDEX IF NOT EXISTS chunk_clauses_set ON chunk_clauses(set_id);
CREATE TABLE IF NOT EXISTS version_chunks (
    version_id TEXT NOT NULL REFERENCES versions(id),
    n INTEGER NOT NULL,
    chunk_id INTEGER NOT NULL,
    idx0 INTEGER NOT NULL,
    "offset" INTEGER NOT NULL,
    PRIMARY KEY (version_id, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS version_chunks_chunk ON version_chunks(chunk_id);
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
    noise TEXT NOT NULL DEFAULT '',
    extra TEXT NOT NULL DEFAULT '{}'
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
#: ``clauses``, ``annotations`` and ``version_texts`` give the rows of the schema-1 tables of
#: those names, rebuilt from the content-addressed tables.
VIEWS = """
DROP VIEW IF EXISTS versions_view;
DROP VIEW IF EXISTS findings_view;
DROP VIEW IF EXISTS changes_view;
DROP VIEW IF EXISTS timeline_view;
DROP VIEW IF EXISTS annotations;
DROP VIEW IF EXISTS clauses;
DROP VIEW IF EXISTS version_texts;
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

CREATE VIEW clauses AS
SELECT vc.version_id, cc.clause_id, vc.idx0 + cc.idx AS idx, cc.kind, cc.section, t.text,
       t.norm, vc."offset" + cc.start AS start, vc."offset" + cc."end" AS "end", cc.context,
       cc.set_id AS annotation_set
FROM version_chunks vc JOIN chunk_clauses cc ON cc.chunk_id = vc.chunk_id
JOIN clause_texts t ON t.id = cc.text_id;

CREATE VIEW annotations AS
SELECT c.version_id,
       row_number() OVER (PARTITION BY c.version_id ORDER BY a.pass, c.idx, a.pos) - 1 AS seq,
       c.clause_id, a.kind, a.label, a.span_start, a.span_end, a.span_text, a.score,
       a.negated, a.inherited, a.qualifiers, a.recognizer, a.source, a.pattern, a.detail,
       a.top_terms
FROM clauses c JOIN annotation_items a ON a.set_id = c.annotation_set;

CREATE VIEW version_texts AS
SELECT v.id AS version_id,
       coalesce(v.full_text, coalesce((
           SELECT group_concat(piece, '') FROM (
               SELECT cc.gap || coalesce(cc.raw, t.text) AS piece
               FROM version_chunks vc JOIN chunk_clauses cc ON cc.chunk_id = vc.chunk_id
               JOIN clause_texts t ON t.id = cc.text_id
               WHERE vc.version_id = v.id ORDER BY vc.n, cc.pos)), '') || coalesce(v.tail, ''))
       AS text
FROM versions v WHERE v.clause_count IS NOT NULL;
"""

#: Tables (and the views of the schema-1 tables) whose contents depend only on the inputs and
#: the pipeline (``runs`` excluded): equal dumps of these mean equal databases.
CONTENT_TABLES = (
    "documents",
    "versions",
    "clause_texts",
    "annotation_sets",
    "annotation_items",
    "chunk_clauses",
    "version_chunks",
    "version_texts",
    "clauses",
    "annotations",
    "changes",
    "findings",
    "timeline",
    "errors",
)
#: what the rows of a schema-1 database were (refused or migrated on open)
_OLD_TABLES = ("clauses", "annotations", "version_texts")


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


def _clause(
    cid: str,
    idx: int,
    text: str,
    norm: str,
    kind: str,
    section: str,
    start: int,
    end: int,
    context: str,
) -> Clause:
    return Clause(
        id=cid,
        index=idx,
        text=text,
        norm=norm,
        kind=kind,  # type: ignore[arg-type]
        section=tuple(json.loads(section)),
        start=start,
        end=end,
        context=context,
    )


def annotation_from_row(clause_id: str, r: sqlite3.Row) -> Annotation:
    """An ``Annotation`` of clause ``clause_id`` from its ``annotation_items`` row."""
    return Annotation(
        clause_id=clause_id,
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
                # and a 32 MB page cache. Neither changes what is stored nor the crash
                # guarantees of WAL.
                self.conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.row_factory = sqlite3.Row
            old = self._old_layout()
            if old and readonly:
                raise StoreError(
                    "this database has the schema-1 layout of an older policydiff",
                    path=self.path,
                    fix=f"run `policydiff migrate --db {self.path}` once (or scan into a new file)",
                )
            if not readonly:
                if old:
                    self._migrate()
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

    def _old_layout(self) -> bool:
        """Whether the file holds the schema-1 tables (``clauses`` etc. as tables)."""
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name IN (?, ?, ?)", _OLD_TABLES
        ).fetchall()
        return bool(rows)

    def _migrate(self) -> None:
        """Convert a schema-1 database in place, in one transaction: every analyzed version's
        clauses and annotations move to the content-addressed tables, then the schema-1
        tables are dropped. Nothing else changes; the file shrinks after ``VACUUM``."""
        c = self.conn
        log.info("migrating %s from schema 1 to schema %d", self.path, SCHEMA_VERSION)
        c.execute("PRAGMA foreign_keys=OFF")
        c.execute("BEGIN IMMEDIATE")
        try:
            for view in ("versions_view", "findings_view", "changes_view", "timeline_view"):
                c.execute(f"DROP VIEW IF EXISTS {view}")
            c.execute("ALTER TABLE versions ADD COLUMN tail TEXT")
            c.execute("ALTER TABLE versions ADD COLUMN full_text TEXT")
            c.execute("ALTER TABLE findings ADD COLUMN extra TEXT NOT NULL DEFAULT '{}'")
            for table in _OLD_TABLES:
                c.execute(f"ALTER TABLE {table} RENAME TO old_{table}")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)
            memo: dict[Any, Any] = {}
            for v in c.execute(
                "SELECT v.*, t.text FROM versions v JOIN old_version_texts t "
                "ON t.version_id = v.id ORDER BY v.document_id, v.seq"
            ).fetchall():
                av = self._load_old(v)
                rows = analysis_rows(v["id"], av, v["pipeline"] or "", None, memo)
                self._insert_analysis(rows)
                c.execute(
                    "UPDATE versions SET tail=?, full_text=? WHERE id=?",
                    (rows.tail, rows.full_text, v["id"]),
                )
            for table in _OLD_TABLES:
                c.execute(f"DROP TABLE old_{table}")
            c.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            c.commit()
        except BaseException:
            c.rollback()
            raise
        finally:
            c.execute("PRAGMA foreign_keys=ON")

    def _load_old(self, v: sqlite3.Row) -> AnalyzedVersion:
        """An analyzed version from the schema-1 tables (for :meth:`_migrate`)."""
        clauses = tuple(
            _clause(
                r["clause_id"],
                r["idx"],
                r["text"],
                r["norm"],
                r["kind"],
                r["section"],
                r["start"],
                r["end"],
                r["context"],
            )
            for r in self.conn.execute(
                "SELECT * FROM old_clauses WHERE version_id=? ORDER BY idx", (v["id"],)
            )
        )
        annotations = tuple(
            annotation_from_row(r["clause_id"], r)
            for r in self.conn.execute(
                "SELECT * FROM old_annotations WHERE version_id=? ORDER BY seq", (v["id"],)
            )
        )
        return AnalyzedVersion(
            version=self._version(v, v["text"]), clauses=clauses, annotations=annotations
        )

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

    def cached_analyses(
        self, doc_id: str, pipeline: str
    ) -> dict[str, tuple[AnalyzedVersion, list[int], int | None]]:
        """Analyses of this series' ``ok`` versions made by ``pipeline``, by content hash, with
        the pass number of each annotation (see :func:`annotation_passes`) and the number of
        recognizer passes (``None`` if the pass numbers are not the engine's)."""
        out: dict[str, tuple[AnalyzedVersion, list[int], int | None]] = {}
        rows = self.conn.execute(
            "SELECT * FROM versions WHERE document_id=? AND pipeline=? AND status='ok' "
            "AND clause_count IS NOT NULL ORDER BY seq",
            (doc_id, pipeline),
        ).fetchall()
        for v in rows:
            if v["content_hash"] in out:
                continue
            out[v["content_hash"]] = self.load_analyzed(v, with_passes=True)
        return out

    def analyzed(self, vid: str) -> AnalyzedVersion | None:
        """The stored analysis of version ``vid`` (of the earlier copy it repeats, for a
        ``revert``), or ``None`` if there is none."""
        for _ in range(3):
            v = self.conn.execute("SELECT * FROM versions WHERE id=?", (vid,)).fetchone()
            if v is None:
                return None
            if v["clause_count"] is not None:
                return self.load_analyzed(v)
            if v["same_as"] is None:
                return None
            vid = v["same_as"]
        return None

    def _version(self, v: sqlite3.Row, text: str) -> PolicyVersion:
        d = self.conn.execute("SELECT * FROM documents WHERE id=?", (v["document_id"],)).fetchone()
        return PolicyVersion(
            source=v["source"],
            text=text,
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

    def load_analyzed(self, v: sqlite3.Row, *, with_passes: bool = False) -> Any:
        """Rebuild an ``AnalyzedVersion`` from its stored rows (with ``with_passes``, the
        pair of it and the pass number of each annotation)."""
        rows = self.conn.execute(
            'SELECT vc.idx0 + cc.idx AS idx, vc."offset" AS off, cc.*, t.text, t.norm '
            "FROM version_chunks vc JOIN chunk_clauses cc ON cc.chunk_id = vc.chunk_id "
            "JOIN clause_texts t ON t.id = cc.text_id WHERE vc.version_id=? ORDER BY vc.n, cc.pos",
            (v["id"],),
        ).fetchall()
        clauses = []
        pieces = []
        for r in rows:
            clauses.append(
                _clause(
                    r["clause_id"],
                    r["idx"],
                    r["text"],
                    r["norm"],
                    r["kind"],
                    r["section"],
                    r["off"] + r["start"],
                    r["off"] + r["end"],
                    r["context"],
                )
            )
            pieces.append(r["gap"] + (r["text"] if r["raw"] is None else r["raw"]))
        text = v["full_text"] if v["full_text"] is not None else "".join(pieces) + (v["tail"] or "")
        sets: dict[int, list[sqlite3.Row]] = {}
        for r in rows:
            if r["set_id"] not in sets:
                sets[r["set_id"]] = self.conn.execute(
                    "SELECT * FROM annotation_items WHERE set_id=? ORDER BY pos", (r["set_id"],)
                ).fetchall()
        keyed = sorted(
            ((a["pass"], c.index, a["pos"]), c.id, a)
            for c, r in zip(clauses, rows, strict=True)
            for a in sets[r["set_id"]]
        )
        annotations = tuple(annotation_from_row(cid, a) for _, cid, a in keyed)
        av = AnalyzedVersion(
            version=self._version(v, text), clauses=tuple(clauses), annotations=annotations
        )
        if with_passes:
            widths = {
                w[0]
                for w in self.conn.execute(
                    "SELECT DISTINCT s.passes FROM version_chunks vc JOIN chunk_clauses cc "
                    "ON cc.chunk_id = vc.chunk_id JOIN annotation_sets s ON s.id = cc.set_id "
                    "WHERE vc.version_id=?",
                    (v["id"],),
                )
            }
            width = widths.pop() if len(widths) == 1 else None
            return av, [k[0][0] for k in keyed], width
        return av

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
        # the chunks this series pointed to: what may be left unreferenced after the rewrite
        old_chunks = {
            row[0]
            for row in c.execute(
                "SELECT DISTINCT vc.chunk_id FROM version_chunks vc JOIN versions v "
                "ON v.id = vc.version_id WHERE v.document_id=?",
                (doc,),
            )
        }
        c.execute(
            "DELETE FROM version_chunks WHERE version_id IN "
            "(SELECT id FROM versions WHERE document_id=?)",
            (doc,),
        )
        existing = {
            row[0] for row in c.execute("SELECT id FROM versions WHERE document_id=?", (doc,))
        }
        stale = existing - {v for v in vids if v}
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
            analysis = rows.analyses.get(seq) if v.status == "ok" else None
            c.execute(
                "INSERT INTO versions(id, document_id, seq, source, date, content_hash, "
                "text_hash, size, text_length, words, format, encoding, language, status, "
                "status_reason, similarity, clause_count, pipeline, tail, full_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET seq=excluded.seq, date=excluded.date, "
                "status=excluded.status, status_reason=excluded.status_reason, "
                "similarity=excluded.similarity, clause_count=excluded.clause_count, "
                "pipeline=excluded.pipeline, words=excluded.words, "
                "text_length=excluded.text_length, language=excluded.language, "
                "tail=excluded.tail, full_text=excluded.full_text",
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
                    rows.clause_counts[seq] if analysis is not None else None,
                    r.pipeline if analysis is not None else None,
                    analysis.tail if analysis is not None else None,
                    analysis.full_text if analysis is not None else None,
                ),
            )
            if analysis is not None:
                self._insert_analysis(analysis)
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
            " ?, ?, ?, ?)",
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
        if old_chunks:
            self._collect(old_chunks)

    def _insert_analysis(self, a: AnalysisRows) -> None:
        """Insert one version's rows; content-addressed rows already stored are kept."""
        c = self.conn
        c.executemany("INSERT OR IGNORE INTO clause_texts VALUES (?, ?, ?)", a.texts)
        c.executemany("INSERT OR IGNORE INTO annotation_sets VALUES (?, ?, ?, ?, ?)", a.sets)
        c.executemany(
            "INSERT OR IGNORE INTO annotation_items VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            a.items,
        )
        c.executemany(
            "INSERT OR IGNORE INTO chunk_clauses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            a.chunks,
        )
        c.executemany("INSERT INTO version_chunks VALUES (?, ?, ?, ?, ?)", a.version_chunks)

    def _collect(self, chunks: set[int]) -> None:
        """Delete the chunks of ``chunks`` that no version points to any more, then the
        annotation sets and clause texts that only they used (so that the database holds
        exactly what its versions reference, as a fresh scan would)."""
        c = self.conn
        c.execute("CREATE TEMP TABLE IF NOT EXISTS _gc (id INTEGER PRIMARY KEY)")
        c.execute("DELETE FROM _gc")
        c.executemany("INSERT INTO _gc VALUES (?)", ((k,) for k in chunks))
        c.execute(
            "DELETE FROM _gc WHERE id IN (SELECT chunk_id FROM version_chunks "
            "WHERE chunk_id IN (SELECT id FROM _gc))"
        )
        dead = c.execute(
            "SELECT DISTINCT text_id, set_id FROM chunk_clauses WHERE chunk_id IN "
            "(SELECT id FROM _gc)"
        ).fetchall()
        if not dead:
            return
        c.execute("DELETE FROM chunk_clauses WHERE chunk_id IN (SELECT id FROM _gc)")
        for sid in {r[1] for r in dead}:
            if not c.execute(
                "SELECT 1 FROM chunk_clauses WHERE set_id=? LIMIT 1", (sid,)
            ).fetchone():
                c.execute("DELETE FROM annotation_items WHERE set_id=?", (sid,))
                c.execute("DELETE FROM annotation_sets WHERE id=?", (sid,))
        for tid in {r[0] for r in dead}:
            if not c.execute(
                "SELECT 1 FROM chunk_clauses WHERE text_id=? LIMIT 1", (tid,)
            ).fetchone():
                c.execute("DELETE FROM clause_texts WHERE id=?", (tid,))

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
def int_id(*parts: str) -> int:
    """Deterministic 63-bit integer id of a content key (compact in SQLite rows and indexes,
    and independent of insertion order, so a killed and restarted scan gives the same ids)."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass
class AnalysisRows:
    """The content-addressed rows of one analyzed version (see ``docs/schema.md``)."""

    #: ``clause_texts`` rows (id, text, norm)
    texts: list[tuple]
    #: ``annotation_sets`` rows (id, input, pipeline, size)
    sets: list[tuple]
    #: ``annotation_items`` rows
    items: list[tuple]
    #: ``chunk_clauses`` rows
    chunks: list[tuple]
    #: ``version_chunks`` rows (version_id, n, chunk_id, idx0, offset)
    version_chunks: list[tuple]
    #: ``versions.tail`` and ``versions.full_text`` (``None`` unless the text cannot be
    #: rebuilt from its clauses)
    tail: str
    full_text: str | None


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
    #: series index -> the rows of its analysis
    analyses: dict[int, AnalysisRows]
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
    analyses: dict[int, AnalysisRows] = {}
    memo: dict[Any, Any] = {}
    for i, (vid, v) in enumerate(zip(vids, r.versions, strict=True)):
        if vid is None or v.version is None or v.status != "ok" or v.analyzed is None:
            continue
        counts[i] = len(v.analyzed.clauses)
        analyses[i] = analysis_rows(
            vid, v.analyzed, r.pipeline, v.passes, memo, v.width, shared_objects=True
        )
    return SeriesRows(
        vids=vids,
        clause_counts=counts,
        analyses=analyses,
        changes=change_rows(r, vids),
        findings=finding_rows(r, vids),
    )


def annotation_passes(av: AnalyzedVersion, passes: Sequence[int] | None = None) -> list[int]:
    """A pass number for each annotation of ``av`` such that sorting the annotations by
    (pass, clause index, position among the clause's annotations of that pass) gives their
    order in ``av``.

    ``passes`` are the engine's recognizer passes when known (then the same clause gets the
    same numbers in every version, and its annotation set is stored once); if they are
    missing or do not give the order, the passes are the runs of annotations in clause
    order, which always do.
    """
    index = {c.id: c.index for c in av.clauses}
    order = [index.get(a.clause_id, -1) for a in av.annotations]
    if passes is not None and len(passes) == len(order):
        ok = all(
            (passes[k], order[k]) >= (passes[k - 1], order[k - 1]) for k in range(1, len(order))
        )
        if ok:
            return list(passes)
    out, run = [], 0
    for k, idx in enumerate(order):
        if k and idx < order[k - 1]:
            run += 1
        out.append(run)
    return out


def clause_input(
    cid: str,
    text: str,
    kind: str,
    context: str,
    section: Sequence[str],
    prev_text: str | None,
    prev_kind: str | None,
    lang: str = "en",
) -> str:
    """Hash of what the per-clause recognizers read of a clause: its id, text, kind, context
    and section, the text and kind of the clause before it, and the pipeline language (the
    fields of the engine's ``ClauseKey``, decision 0008)."""
    return _id(
        "in",
        cid,
        text,
        kind,
        context,
        "\x1e".join(section),
        prev_text if prev_text is not None else "\x00",
        prev_kind if prev_kind is not None else "\x00",
        *(() if lang == "en" else (lang,)),  # English keys as before: old sets stay valid
    )


def analysis_rows(
    vid: str,
    av: AnalyzedVersion,
    pipeline: str,
    passes: Sequence[int] | None = None,
    memo: dict[Any, Any] | None = None,
    width: int | None = None,
    shared_objects: bool = False,
) -> AnalysisRows:
    """The content-addressed rows of one analyzed version.

    Clause texts are keyed by a hash of text and normal form; the annotations of a clause form
    an *annotation set* keyed by a hash of what the recognizers read (:func:`clause_input`),
    the pipeline and the annotations themselves; the clause list is cut into chunks at
    content-defined boundaries, each keyed by a hash of its rows, with offsets relative to the
    chunk. A version then adds only a ``version_chunks`` row per chunk, plus the chunks, sets
    and texts no version stored before. ``memo`` keeps JSON values and ids across the
    versions of a series.

    With ``shared_objects`` (the versions of one engine session, whose unchanged clauses
    carry the very same annotation objects), the rows and id of a clause's annotation set
    are computed once per distinct clause input and annotation objects, not once per
    version: ``memo`` then keeps those objects alive, so their ids stay unique.
    """
    memo = memo if memo is not None else {}
    json_of = memo.get
    text = av.version.text
    given = passes
    passes = annotation_passes(av, passes)
    # the number of recognizer passes, when the pass numbers are the engine's own (only then
    # can a scan hand the set back to the engine for another version)
    width = width if given is not None and list(given) == passes else None
    per_clause: dict[str, list[tuple[int, Annotation]]] = {c.id: [] for c in av.clauses}
    for a, p in zip(av.annotations, passes, strict=True):
        per_clause.setdefault(a.clause_id, []).append((p, a))

    def item(p: int, a: Annotation) -> tuple:
        ex, span, q, terms = a.explanation, a.span, a.qualifiers, a.explanation.top_terms
        return (
            p,
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

    texts: list[tuple] = []
    sets: list[tuple] = []
    items: list[tuple] = []
    seen: set[Any] = memo.setdefault("seen", set())
    rows: list[tuple] = []  # per clause: (text id, set id, clause row without offsets)
    from .languages import pipeline_language

    lang = pipeline_language(av.version.language)
    for c, key in zip(av.clauses, clause_keys(av.clauses, lang), strict=True):
        tkey = ("t", c.text, c.norm)
        tid = memo.get(tkey)
        if tid is None:
            tid = memo[tkey] = int_id("txt", c.text, c.norm)
        if tid not in seen:
            seen.add(tid)
            texts.append((tid, c.text, c.norm))
        inp = memo.get(("in", key))
        if inp is None:
            inp = memo[("in", key)] = clause_input(*key)
        group = per_clause.get(c.id, [])
        ident = ("set", inp, width, tuple((p, id(a)) for p, a in group)) if shared_objects else None
        hit = memo.get(ident) if ident is not None else None
        if hit is None:
            anns = [item(p, a) for p, a in group]
            sid = int_id("set", inp, pipeline, repr(anns), str(width))
            if ident is not None:
                memo[ident] = hit = (sid, anns, group)  # ``group`` keeps the ids unique
        else:
            sid, anns = hit[0], hit[1]
        if ("s", sid) not in seen:
            seen.add(("s", sid))
            sets.append((sid, inp, pipeline, len(anns), width))
            items.extend((sid, n, *row) for n, row in enumerate(anns))
        sec = c.section
        section = (json_of(("s", sec)) or _json_memo(memo, "s", sec)) if sec else "[]"
        rows.append((c, tid, sid, section))
    chunk_rows: list[tuple] = []
    version_chunks: list[tuple] = []
    pos = 0  # end of the previous clause in the text
    rebuilt: list[str] = []
    current: list[tuple] = []
    offset = idx0 = 0
    for k, (c, tid, sid, section) in enumerate(rows):
        if not current:
            offset, idx0 = pos, c.index
        start, end = c.start, c.end
        if start < pos or end < start:  # overlapping clauses: the text is stored whole
            start = end = pos
            gap, raw = "", ""
        else:
            gap = text[pos:start]
            piece = text[start:end]
            raw = None if piece == c.text else piece
        rebuilt.append(gap + (c.text if raw is None else raw))
        current.append(
            (
                c.id,
                c.index - idx0,
                c.kind,
                section,
                c.context,
                tid,
                sid,
                c.start - offset,
                c.end - offset,
                gap,
                raw,
            )
        )
        pos = max(pos, end)
        last = k == len(rows) - 1
        if last or tid % CHUNK_MODULUS == 0 or len(current) >= CHUNK_MAX:
            cid = int_id("chk", repr(current))
            if ("c", cid) not in seen:
                seen.add(("c", cid))
                chunk_rows.extend((cid, n, *row) for n, row in enumerate(current))
            version_chunks.append((vid, len(version_chunks), cid, idx0, offset))
            current = []
    tail = text[pos:]
    full = None if "".join(rebuilt) + tail == text else text
    return AnalysisRows(texts, sets, items, chunk_rows, version_chunks, tail, full)


def _json_memo(memo: dict[Any, Any], what: str, value: tuple) -> str:
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
                    _extra(f),
                )
            )
    return rows


#: ``Finding.to_dict()`` keys that have columns of their own in ``findings``
_FINDING_COLUMNS = frozenset(
    {
        "id",
        "flag",
        "severity",
        "reason",
        "gdpr",
        "terms",
        "new_clause",
        "old_clause",
        "evidence",
        "raised_by",
    }
)


def _extra(f: Finding) -> str:
    """``findings.extra``: the fields of ``Finding.to_dict()`` without a column (JSON), those
    with a value only (``also_at``: the other places a de-duplicated finding stands)."""
    rest = {
        k: v
        for k, v in f.to_dict().items()
        if k not in _FINDING_COLUMNS and v not in (None, [], {}, "")
    }
    return json.dumps(rest, ensure_ascii=False, sort_keys=True, default=str) if rest else "{}"

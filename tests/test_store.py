"""Tests of analyzer.store: schema, round trips, series rewrites, errors."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from scan_helpers import AI, EXTRA, keyword_analyzer, text, write_history

from analyzer.errors import StoreError
from analyzer.scan import SeriesTask, process_series
from analyzer.sources import discover
from analyzer.store import CONTENT_TABLES, PAGE_SIZE, Store, document_id, version_id

TABLES = {
    "documents",
    "versions",
    "clause_texts",
    "annotation_sets",
    "annotation_items",
    "chunk_clauses",
    "version_chunks",
    "changes",
    "findings",
    "timeline",
    "errors",
    "runs",
    "meta",
}
VIEWS = {
    "findings_view",
    "changes_view",
    "timeline_view",
    "versions_view",
    # the schema-1 tables, now views over the content-addressed tables
    "clauses",
    "annotations",
    "version_texts",
}


def series_result(root: Path, bodies: list[str]):
    write_history(root, "Acme", [(f"2024-0{i + 1}-01", b) for i, b in enumerate(bodies)])
    [(key, sources)] = discover([root]).series().items()
    return process_series(SeriesTask(key, sources, "fp-1", "pipe-1"), keyword_analyzer)


def test_schema_tables_views_and_pragmas(tmp_path):
    db = tmp_path / "s.sqlite"
    with Store(db) as s:
        names = {r[0]: r[1] for r in s.conn.execute("SELECT name, type FROM sqlite_master")}
        assert TABLES <= {n for n, t in names.items() if t == "table"}
        assert VIEWS <= {n for n, t in names.items() if t == "view"}
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, never OFF
    # reopening an existing database keeps it and re-creates the views
    with Store(db) as s:
        assert s.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()


def test_a_database_made_with_other_pages_keeps_them_and_works(tmp_path):
    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.commit()
    conn.close()
    result = series_result(tmp_path / "c", [text(), text(AI)]).pack()
    with Store(db) as s:
        s.write_series(result)
        assert s.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert s.conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 2


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 shell")
def test_opens_in_the_sqlite3_shell(tmp_path):
    db = tmp_path / "s.sqlite"
    with Store(db) as s:
        s.write_series(series_result(tmp_path / "c", [text(), text(AI)]))
    out = subprocess.run(
        ["sqlite3", str(db), "SELECT flag FROM findings_view;"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "ai_training.added"


def test_write_and_read_back_an_analysis(tmp_path):
    result = series_result(tmp_path / "c", [text(), text(AI)])
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(result)
        cached = s.cached_analyses(result.document_id, "pipe-1")
        assert s.cached_analyses(result.document_id, "other-pipeline") == {}
    original = result.versions[1].analyzed
    assert original is not None
    back, passes = cached[original.version.content_hash]
    assert len(passes) == len(back.annotations)
    assert back.clauses == original.clauses
    assert back.annotations == original.annotations
    assert back.version.text == original.version.text


def test_rewriting_a_series_replaces_its_rows(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(series_result(tmp_path / "a", [text(), text(AI)]))
        s.write_series(series_result(tmp_path / "a", [text(), text(AI)]))
        once = s.dump()
        counts = {t: len(rows) for t, rows in once.items()}
        assert counts["versions"] == 2 and counts["findings"] == 1
        # the same series with a version fewer: stale rows go
        for f in sorted((tmp_path / "a").rglob("*.md"))[1:]:
            f.unlink()
        shorter = series_result(tmp_path / "a", [text()])
        s.write_series(shorter)
        after = {t: len(rows) for t, rows in s.dump().items()}
        assert after["versions"] == 1 and after["findings"] == 0 and after["changes"] == 0
        assert after["clauses"] == len(shorter.versions[0].analyzed.clauses)
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_deterministic_ids():
    doc = document_id("c", "Acme", "Privacy Policy")
    assert doc == document_id("c", "Acme", "Privacy Policy") != document_id("c", "Acme", "ToS")
    assert version_id(doc, "a.md", "h1") != version_id(doc, "a.md", "h2")


def test_timeline_query(tmp_path):
    result = series_result(tmp_path / "c", [text(), text(AI, *EXTRA)])
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(result)
        rows = s.timeline("acme")
        assert s.services() == ["Acme"]
    events = {(e.family, e.label, e.event, st) for _, st, e in rows}
    assert ("ai_training", "use", "appeared", "reported") in events
    ai = next(e for _, _, e in rows if e.family == "ai_training")
    assert ai.flag == "ai_training.added" and ai.severity == "high"
    assert ai.previous_date == "2024-01-01T00:00:00"


def test_not_a_database_is_a_store_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as err:
        Store(bad)
    assert str(bad) in str(err.value)
    with pytest.raises(StoreError):
        Store(tmp_path / "missing.sqlite", readonly=True)


def test_content_tables_exclude_runs():
    assert "runs" not in CONTENT_TABLES


def test_readonly_store_does_not_write(tmp_path):
    db = tmp_path / "s.sqlite"
    Store(db).close()
    with Store(db, readonly=True) as s, pytest.raises(sqlite3.OperationalError):
        s.conn.execute("INSERT INTO meta VALUES ('x', 'y')")


def test_a_packed_result_writes_the_same_rows(tmp_path):
    """A worker packs its result (rows computed, analyzed objects dropped) before sending it;
    the database must not depend on whether the writer got a packed result or not."""
    bodies = [text(), text(AI), text(AI, *EXTRA), text()]
    full = series_result(tmp_path / "c", bodies)
    packed = series_result(tmp_path / "c", bodies).pack()
    assert packed.rows is not None and not packed.comparisons
    assert all(v.analyzed is None and not v.version.blocks for v in packed.versions if v.version)
    dumps = []
    for name, result in (("full", full), ("packed", packed)):
        with Store(tmp_path / f"{name}.sqlite") as s:
            s.write_series(result)
            s.write_series(result)  # rewriting a series is idempotent
            dumps.append(s.dump())
    assert dumps[0] == dumps[1]
    assert dumps[0]["annotations"] and dumps[0]["changes"] and dumps[0]["findings"]

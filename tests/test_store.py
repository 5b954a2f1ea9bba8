"""Tests of analyzer.store: schema, round trips, series rewrites, errors."""

from __future__ import annotations

import json
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
    back, passes, _ = cached[original.version.content_hash]
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


# -- the content-addressed layout (schema 2) ----------------------------------------------------
def schema1_rows(vid, av):
    """The rows the schema-1 ``version_texts``, ``clauses`` and ``annotations`` tables held
    for one analyzed version (the former ``analysis_rows``, written out plainly)."""
    clauses = [
        (
            vid,
            c.id,
            c.index,
            c.kind,
            json.dumps(list(c.section), ensure_ascii=False),
            c.text,
            c.norm,
            c.start,
            c.end,
            c.context,
        )
        for c in av.clauses
    ]
    annotations = [
        (
            vid,
            n,
            a.clause_id,
            a.kind,
            a.label,
            a.span.start,
            a.span.end,
            a.span.text,
            float(a.score),
            int(a.negated),
            int(a.inherited),
            json.dumps([list(q) for q in a.qualifiers], ensure_ascii=False)
            if a.qualifiers
            else "[]",
            a.explanation.recognizer,
            a.explanation.source,
            a.explanation.pattern,
            a.explanation.detail,
            json.dumps(list(a.explanation.top_terms)) if a.explanation.top_terms else "[]",
        )
        for n, a in enumerate(av.annotations)
    ]
    return [(vid, av.version.text)], clauses, annotations


def assert_views_equal_schema1(store, result):
    """The compatibility views give exactly the schema-1 rows of every analyzed version."""
    for v in result.versions:
        if v.status != "ok" or v.analyzed is None:
            continue
        vid = version_id(result.document_id, v.source, v.version.content_hash)
        texts, clauses, annotations = schema1_rows(vid, v.analyzed)
        cols = 'version_id, clause_id, idx, kind, section, text, norm, start, "end", context'
        got = store.conn.execute(
            f"SELECT {cols} FROM clauses WHERE version_id=? ORDER BY idx", (vid,)
        ).fetchall()
        assert [tuple(r) for r in got] == clauses
        got = store.conn.execute(
            "SELECT * FROM annotations WHERE version_id=? ORDER BY seq", (vid,)
        ).fetchall()
        assert [tuple(r) for r in got] == annotations
        got = store.conn.execute(
            "SELECT * FROM version_texts WHERE version_id=?", (vid,)
        ).fetchall()
        assert [tuple(r) for r in got] == texts


def test_views_give_the_schema_1_rows(tmp_path):
    bodies = [text(), text(AI), text(AI, *EXTRA), text(*EXTRA), text(AI, *EXTRA)]
    result = series_result(tmp_path / "c", bodies)
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(result)
        assert_views_equal_schema1(s, result)


@pytest.mark.corpora
def test_views_give_the_schema_1_rows_on_a_shared_history(shared_corpora, tmp_path):
    """The real engine on a real history (tables, lists, repeated clauses): the views are
    the rows the schema-1 tables held, and annotation sets are shared across versions."""
    from analyzer.scan import default_factory

    folder = shared_corpora / "policy_versions" / "genai-eu" / "ChatGPT"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    [(key, sources)] = discover([folder]).series().items()
    result = process_series(SeriesTask(key, sources, "fp", "pipe"), default_factory)
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(result)
        assert_views_equal_schema1(s, result)
        clause_rows = s.conn.execute("SELECT count(*) FROM clauses").fetchone()[0]
        distinct = s.conn.execute("SELECT count(DISTINCT text) FROM clauses").fetchone()[0]
        assert s.conn.execute("SELECT count(*) FROM clause_texts").fetchone()[0] == distinct
        sets = s.conn.execute("SELECT count(*) FROM annotation_sets").fetchone()[0]
        assert sets < clause_rows / 2  # the same clause keeps its set across versions


def test_a_changed_clause_adds_rows_for_its_chunk_only(tmp_path):
    long = [f"Clause {k} says what we do with data of kind {k}." for k in range(300)]
    changed = long[:]
    changed[150] = "Clause 150 now says that we sell data of kind 150 to brokers."
    result = series_result(tmp_path / "c", [text(base=long), text(base=changed)])
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(result)
        per_version = s.conn.execute(
            "SELECT version_id, count(*) FROM version_chunks GROUP BY 1"
        ).fetchall()
        assert len(per_version) == 2
        chunks = s.conn.execute("SELECT count(DISTINCT chunk_id) FROM chunk_clauses").fetchone()[0]
        # the second version shares all chunks but the one or two around the changed clause
        assert chunks <= per_version[0][1] + 2
        assert s.conn.execute("SELECT count(*) FROM clause_texts").fetchone()[0] == 300 + 1
        assert_views_equal_schema1(s, result)


def test_rewrites_leave_nothing_unreferenced(tmp_path):
    """After a series is rewritten with fewer versions, the content-addressed tables hold
    exactly what a fresh write of the same result holds."""
    with Store(tmp_path / "s.sqlite") as s:
        s.write_series(series_result(tmp_path / "a", [text(), text(AI), text(AI, *EXTRA)]))
        for f in sorted((tmp_path / "a").rglob("*.md"))[1:]:
            f.unlink()
        shorter = series_result(tmp_path / "a", [text()])
        s.write_series(shorter)
        rewritten = s.dump()
    with Store(tmp_path / "fresh.sqlite") as s:
        s.write_series(shorter)
        assert s.dump() == rewritten


def make_schema1(db: Path) -> None:
    """Turn a current database into the schema-1 layout (what an older policydiff wrote)."""
    c = sqlite3.connect(db)
    for view in ("clauses", "annotations", "version_texts"):
        c.execute(f"CREATE TABLE old_{view} AS SELECT * FROM {view}")
    c.executescript(
        """
        DROP VIEW clauses; DROP VIEW annotations; DROP VIEW version_texts;
        DROP VIEW versions_view; DROP VIEW findings_view; DROP VIEW changes_view;
        DROP VIEW timeline_view;
        DROP TABLE version_chunks; DROP TABLE chunk_clauses; DROP TABLE annotation_items;
        DROP TABLE annotation_sets; DROP TABLE clause_texts;
        ALTER TABLE old_clauses RENAME TO clauses;
        ALTER TABLE clauses DROP COLUMN annotation_set;
        ALTER TABLE old_annotations RENAME TO annotations;
        ALTER TABLE old_version_texts RENAME TO version_texts;
        ALTER TABLE versions DROP COLUMN tail;
        ALTER TABLE versions DROP COLUMN full_text;
        ALTER TABLE findings DROP COLUMN extra;
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
        """
    )
    c.commit()
    c.close()


def test_a_schema_1_database_is_refused_read_only_and_migrated_in_place(tmp_path):
    from click.testing import CliRunner

    from cli import cli

    bodies = [text(), text(AI), text(AI, *EXTRA), text()]
    db = tmp_path / "s.sqlite"
    with Store(db) as s:
        s.write_series(series_result(tmp_path / "c", bodies))
        before = s.dump()
    make_schema1(db)
    with pytest.raises(StoreError) as err:
        Store(db, readonly=True)
    assert "schema-1" in str(err.value) and "policydiff migrate" in str(err.value)
    out = CliRunner().invoke(cli, ["export", "--db", str(db)])
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1
    out = CliRunner().invoke(cli, ["migrate", "--db", str(db)])
    assert out.exit_code == 0, out.output
    with Store(db, readonly=True) as s:
        assert s.dump() == before
        assert (
            s.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "2"
        )


def test_findings_keep_fields_they_have_no_column_for(tmp_path):
    """A newer assess may add fields to findings: they are kept in ``findings.extra``."""
    from dataclasses import dataclass

    from analyzer.datamodel import Finding
    from analyzer.store import _extra

    @dataclass(frozen=True)
    class Wider(Finding):
        scope: str = ""

        def to_dict(self):  # type: ignore[no-untyped-def]
            return {**super().to_dict(), "scope": self.scope}

    result = series_result(tmp_path / "c", [text(), text(AI)])
    f = result.findings[0].findings[0]
    assert _extra(f) == "{}"
    wide = Wider(**{k: getattr(f, k) for k in f.__dataclass_fields__}, scope="widened")
    assert json.loads(_extra(wide)) == {"scope": "widened"}

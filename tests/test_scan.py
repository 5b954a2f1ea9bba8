"""Tests of analyzer.scan and analyzer.sources: inputs, incremental runs, bad input, workers."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scan_helpers import AI, EXTRA, keyword_analyzer, text, write_history

from analyzer import sources
from analyzer.scan import process_series, scan
from analyzer.sources import discover, parse_date
from analyzer.store import Store

ROOT = Path(__file__).resolve().parents[1]


def corpus(root: Path) -> Path:
    """Two services, one with an AI-training clause added and a long/short flip-flop."""
    write_history(
        root,
        "Acme",
        [
            ("2024-01-01", text()),
            ("2024-02-01", text()),  # duplicate
            ("2024-03-01", text(AI)),  # adds AI training
            ("2024-04-01", text(AI, *EXTRA)),  # long rendering
            ("2024-05-01", text(AI)),  # back to the short one
        ],
    )
    write_history(
        root,
        "Globex",
        [
            ("2023-06-01", text("We use data for other purposes.")),
            ("2023-07-01", text("We use data for other purposes.", EXTRA[0])),
        ],
    )
    return root


def dump(db: Path) -> dict:
    with Store(db) as s:
        return s.dump()


@pytest.mark.parametrize(
    ("name", "date"),
    [
        ("2024-05-06T18-36-23_72bd0ecc9d.md", "2024-05-06T18:36:23"),
        ("20180601_YouTube_PrivacyPolicy.md", "2018-06-01"),
        ("2024-05-06.md", "2024-05-06"),
        ("policy.md", None),
        ("12345.md", None),
    ],
)
def test_parse_date(name, date):
    assert parse_date(name) == date


def test_discover_ota_layout_groups_series_and_ignores_bookkeeping(tmp_path):
    corpus(tmp_path / "coll")
    (tmp_path / "coll" / "Acme" / "Privacy Policy" / "index.tsv").write_text("x\ty\n")
    found = discover([tmp_path])
    series = found.series()
    assert list(series) == [
        ("coll", "Acme", "Privacy Policy"),
        ("coll", "Globex", "Privacy Policy"),
    ]
    assert [s.date for s in series[("coll", "Acme", "Privacy Policy")]][:2] == [
        "2024-01-01T00:00:00",
        "2024-02-01T00:00:00",
    ]
    assert not found.problems


@pytest.mark.parametrize("level", ["", "coll", "coll/Acme", "coll/Acme/Privacy Policy"])
def test_series_identity_does_not_depend_on_the_folder_scanned(tmp_path, level):
    corpus(tmp_path / "top" / "coll")
    generic = tmp_path / "top" / "pga" / "Versions" / "Markdown"
    write_history(generic, "Acme", [("2020-01-01", text())])
    keys = set(discover([tmp_path / "top" / level]).series())
    assert ("coll", "Acme", "Privacy Policy") in keys
    if level == "":
        assert ("pga", "Acme", "Privacy Policy") in keys


def test_scan_builds_versions_changes_findings_and_timeline(tmp_path):
    db = tmp_path / "out.sqlite"
    summary = scan([corpus(tmp_path / "c")], db=db, jobs=1, factory=keyword_analyzer)
    assert summary.series == 2 and summary.versions == 7 and not summary.errors
    assert summary.status_counts["duplicate"] == 1
    assert summary.status_counts["revert"] == 1
    assert summary.findings_by_flag["ai_training.added"] == 1
    conn = sqlite3.connect(db)
    statuses = [
        r[0]
        for r in conn.execute("SELECT status FROM versions_view WHERE service='Acme' ORDER BY date")
    ]
    assert statuses == ["ok", "duplicate", "ok", "ok", "revert"]
    flag, date, clause = conn.execute(
        "SELECT flag, date, clause_text FROM findings_view WHERE flag LIKE 'ai_training%'"
    ).fetchone()
    assert flag == "ai_training.added" and date.startswith("2024-03-01") and "train" in clause
    events = conn.execute(
        "SELECT date, family, event, flag FROM timeline_view WHERE service='Acme' AND "
        "family='ai_training' AND status='reported'"
    ).fetchall()
    assert events == [("2024-03-01T00:00:00", "ai_training", "appeared", "ai_training.added")]
    # Globex's first version states an open-ended purpose: a baseline finding
    assert (
        conn.execute(
            "SELECT count(*) FROM findings_view WHERE service='Globex' AND flag='vague_purpose'"
        ).fetchone()[0]
        == 1
    )
    # the revert to the short rendering is compared with nothing new: no change rows for it
    assert (
        conn.execute(
            "SELECT count(*) FROM changes_view WHERE service='Acme' AND date LIKE '2024-05%'"
        ).fetchone()[0]
        == 0
    )
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    runs = conn.execute("SELECT status, versions_scanned FROM runs").fetchall()
    assert runs == [("done", 5)]


def test_scan_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    import gc

    root = corpus(tmp_path / "c")
    scan([root], db=tmp_path / "a.sqlite", jobs=1, factory=keyword_analyzer)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_rescan_is_incremental_and_identical(tmp_path):
    db = tmp_path / "out.sqlite"
    root = corpus(tmp_path / "c")
    scan([root], db=db, jobs=1, factory=keyword_analyzer)
    first = dump(db)
    again = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert again.series == 0 and again.series_unchanged == 2 and again.versions_analyzed == 0
    assert dump(db) == first
    write_history(root, "Acme", [("2024-06-01", text(AI, "A brand new clause on cookies."))])
    third = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert third.series == 1 and third.versions_analyzed == 1 and third.versions_reused == 3
    fresh = tmp_path / "fresh.sqlite"
    scan([root], db=fresh, jobs=1, factory=keyword_analyzer)
    assert dump(db) == dump(fresh)


def test_bad_inputs_are_recorded_and_the_scan_goes_on(tmp_path, monkeypatch):
    root = corpus(tmp_path / "c")
    bad = root / "Bad" / "Privacy Policy"
    bad.mkdir(parents=True)
    (bad / "2024-01-01_a.md").write_bytes(b"")
    (bad / "2024-01-02_b.md").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    (bad / "2024-01-03_c.md.gz").write_bytes(b"\x1f\x8b\x08not really gzip")
    (bad / "2024-01-04_d.md").write_bytes("caf\xe9 ".encode("latin-1") * 400)
    (bad / "2024-01-05_e.md").write_text("x" * 5000)
    (bad / "2024-01-06_f.md.gz").write_bytes(gzip.compress(text().encode()))
    monkeypatch.setattr(sources, "MAX_BYTES", 4000)
    db = tmp_path / "out.sqlite"
    summary = scan([root, tmp_path / "missing"], db=db, jobs=1, factory=keyword_analyzer)
    reasons = {Path(e.source).name: e.reason for e in summary.errors}
    assert "empty" in reasons["2024-01-01_a.md"]
    assert "binary" in reasons["2024-01-02_b.md"]
    assert "gzip" in reasons["2024-01-03_c.md.gz"]
    assert "huge" in reasons["2024-01-05_e.md"]
    assert "no such file" in reasons["missing"]
    assert "2024-01-06_f.md.gz" not in reasons
    assert summary.series == 3 and not summary.all_failed
    conn = sqlite3.connect(db)
    stored = {Path(r[0]).name for r in conn.execute("SELECT source FROM errors")}
    assert set(reasons) <= stored
    # not UTF-8: an error, or text once ingest detects the encoding; never lost or fatal
    latin = conn.execute("SELECT count(*) FROM versions WHERE source LIKE '%d.md'").fetchone()[0]
    assert ("2024-01-04_d.md" in reasons) != (latin == 1)
    gz_status = conn.execute("SELECT status FROM versions WHERE source LIKE '%f.md.gz'").fetchone()[
        0
    ]
    assert gz_status == "ok"


def test_every_file_failing_is_reported(tmp_path):
    bad = tmp_path / "c" / "Bad" / "Privacy Policy"
    bad.mkdir(parents=True)
    (bad / "2024-01-01_a.md").write_bytes(b"")
    summary = scan([tmp_path / "c"], db=tmp_path / "o.sqlite", jobs=1, factory=keyword_analyzer)
    assert summary.all_failed and summary.versions_failed == 1


def test_unexpected_exception_in_analysis_is_recorded(tmp_path, monkeypatch):
    import scan_helpers

    original = scan_helpers.KeywordRecognizer.analyze

    def boom(self, clauses, docs):  # type: ignore[no-untyped-def]
        if any("other purposes" in c.text for c in clauses):
            raise RuntimeError("recognizer exploded")
        return original(self, clauses, docs)

    monkeypatch.setattr(scan_helpers.KeywordRecognizer, "analyze", boom)
    summary = scan(
        [corpus(tmp_path / "c")], db=tmp_path / "o.sqlite", jobs=1, factory=keyword_analyzer
    )
    failed = [e for e in summary.errors if e.error_type == "RuntimeError"]
    assert len(failed) == 2 and all(e.stage == "analyze" for e in failed)
    assert summary.findings_by_flag["ai_training.added"] == 1  # Acme still scanned


def test_manifest_jsonl_and_csv(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(text())
    (docs / "b.md").write_text(text(AI))
    rows = [
        {
            "path": "docs/a.md",
            "service": "Initech",
            "document_type": "Privacy Policy",
            "date": "2024-01-01",
        },
        {
            "path": "docs/b.md",
            "service": "Initech",
            "document_type": "Privacy Policy",
            "date": "2024-02-01",
        },
        {"path": "docs/missing.md", "service": "Initech"},
    ]
    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    found = discover([tmp_path / "m.jsonl"])
    assert [s.date for s in found.sources] == ["2024-01-01", "2024-02-01"]
    assert len(found.problems) == 2
    (tmp_path / "m.csv").write_text(
        "path,service,document_type,date\ndocs/b.md,Initech,Privacy Policy,2024-02-01\n"
        "docs/a.md,Initech,Privacy Policy,2024-01-01\n"
    )
    series = discover([tmp_path / "m.csv"]).series()
    [(key, versions)] = series.items()
    assert key == ("m", "Initech", "Privacy Policy")
    assert [Path(v.source).name for v in versions] == ["a.md", "b.md"]
    summary = scan([tmp_path / "m.csv"], db=tmp_path / "o.sqlite", jobs=1, factory=keyword_analyzer)
    assert summary.findings_by_flag["ai_training.added"] == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git command")
def test_git_history(tmp_path):
    repo = tmp_path / "repo"
    (repo / "Acme").mkdir(parents=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }

    def git(*args: str, date: str | None = None) -> None:
        e = dict(env)
        if date:
            e["GIT_COMMITTER_DATE"] = e["GIT_AUTHOR_DATE"] = date
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=e, capture_output=True)

    git("init", "-q")
    for date, body in [
        ("2024-01-01T10:00:00+00:00", text()),
        ("2024-03-01T10:00:00+00:00", text(AI)),
    ]:
        (repo / "Acme" / "Privacy Policy.md").write_text(body)
        git("add", "-A")
        git("commit", "-qm", "record", date=date)
    found = discover([repo])
    assert [(s.service, s.document_type, s.date) for s in found.sources] == [
        ("Acme", "Privacy Policy", "2024-01-01T10:00:00"),
        ("Acme", "Privacy Policy", "2024-03-01T10:00:00"),
    ]
    summary = scan([repo], db=tmp_path / "o.sqlite", jobs=1, factory=keyword_analyzer)
    assert summary.findings_by_flag["ai_training.added"] == 1 and not summary.errors
    not_repo = tmp_path / "plain"
    not_repo.mkdir()
    problems = discover([f"git:{not_repo}"]).problems
    assert problems and "not a git repository" in problems[0].reason


def test_jobs_2_gives_the_same_database_as_jobs_1(tmp_path):
    root = corpus(tmp_path / "c")
    scan([root], db=tmp_path / "a.sqlite", jobs=1, factory=keyword_analyzer)
    scan([root], db=tmp_path / "b.sqlite", jobs=2, factory=keyword_analyzer)
    assert dump(tmp_path / "a.sqlite") == dump(tmp_path / "b.sqlite")


def test_with_workers_the_writing_process_builds_no_engine(tmp_path):
    from scan_helpers import worker_keyword_analyzer

    from analyzer import scan as scan_module

    root = corpus(tmp_path / "c")
    scan([root], db=tmp_path / "a.sqlite", jobs=1, factory=keyword_analyzer)
    before = set(scan_module._WORKER)
    summary = scan([root], db=tmp_path / "b.sqlite", jobs=2, factory=worker_keyword_analyzer)
    assert set(scan_module._WORKER) == before  # the workers built theirs
    assert summary.series == 2
    assert dump(tmp_path / "a.sqlite") == dump(tmp_path / "b.sqlite")


def test_workers_that_cannot_build_the_engine_give_the_real_error(tmp_path):
    from scan_helpers import broken_analyzer

    from analyzer.errors import ModelError

    root = corpus(tmp_path / "c")
    with pytest.raises(ModelError, match="damaged"):
        scan([root], db=tmp_path / "b.sqlite", jobs=2, factory=broken_analyzer)


def test_keyboard_interrupt_keeps_finished_series(tmp_path):
    root = corpus(tmp_path / "c")
    db = tmp_path / "o.sqlite"
    calls = []

    def progress(event, info):  # type: ignore[no-untyped-def]
        calls.append(event)
        if event == "series":
            raise KeyboardInterrupt

    summary = scan([root], db=db, jobs=1, factory=keyword_analyzer, progress=progress)
    assert summary.interrupted and summary.series == 1 and calls[-1] == "end"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert conn.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    conn.close()
    rest = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert rest.series == 1 and rest.series_unchanged == 1


def test_process_series_directly(tmp_path):
    root = corpus(tmp_path / "c")
    [task_sources] = [v for k, v in discover([root]).series().items() if k[1] == "Acme"]
    from analyzer.scan import SeriesTask

    result = process_series(
        SeriesTask(("c", "Acme", "Privacy Policy"), task_sources, "fp", "pipe"), keyword_analyzer
    )
    assert [v.status for v in result.versions] == ["ok", "duplicate", "ok", "ok", "revert"]
    assert result.versions[4].base == 2 and result.versions[3].base == 2
    assert result.words_analyzed > 0


def count_loads(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The sources ``VersionSource.load`` reads from now on, in order."""
    loads: list[str] = []
    real_load = sources.VersionSource.load

    def counting_load(self):  # type: ignore[no-untyped-def]
        loads.append(self.source)
        return real_load(self)

    monkeypatch.setattr(sources.VersionSource, "load", counting_load)
    return loads


def test_byte_identical_captures_are_read_once_with_their_own_source_and_date(
    tmp_path, monkeypatch
):
    from analyzer.scan import _load_series

    root = corpus(tmp_path / "c")
    [srcs] = [v for k, v in discover([root]).series().items() if k[1] == "Acme"]
    fresh = [s.load() for s in srcs]
    loads = count_loads(monkeypatch)
    errors: list = []
    loaded = _load_series(srcs, errors)
    # the 2024-02-01 capture repeats the first one and the 2024-05-01 one the third
    assert not errors and loads == [srcs[0].source, srcs[2].source, srcs[3].source]
    assert loaded == fresh  # every field, source and date included


class ReadyAfter:
    """A stand-in for the workers' start-up future: done after ``n`` questions."""

    def __init__(self, n: int) -> None:
        self.left = n

    def done(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_reading_stopped_and_resumed_gives_the_same_versions(tmp_path, monkeypatch):
    from analyzer.scan import _load_series

    root = corpus(tmp_path / "c")
    [srcs] = [v for k, v in discover([root]).series().items() if k[1] == "Acme"]
    whole = _load_series(srcs, [])
    for cut in range(len(srcs) + 1):
        first = _load_series(srcs, [], stop=ReadyAfter(cut).done)
        assert len(first) == cut
        assert _load_series(srcs, [], done=first) == whole
    # what was read before the cut still saves reading its byte-identical captures after it
    loads = count_loads(monkeypatch)
    first = _load_series(srcs, [], stop=ReadyAfter(1).done)
    assert _load_series(srcs, [], done=first) == whole
    assert loads == [srcs[0].source, srcs[2].source, srcs[3].source]


def test_read_ahead_stops_when_the_workers_are_ready(tmp_path):
    from analyzer.scan import _read_ahead, file_identity

    root = corpus(tmp_path / "c")
    series = discover([root]).series()
    keys = sorted(series)  # Acme (5 versions), then Globex (2)
    ids = {k: [file_identity(s) for s in series[k]] for k in keys}
    got = _read_ahead(keys, series, ids, ReadyAfter(7), None)  # type: ignore[arg-type]
    assert [len(got[k].versions) for k in keys] == [5, 2]
    got = _read_ahead(keys, series, ids, ReadyAfter(2), None)  # type: ignore[arg-type]
    # the series being read is handed out with what was read; nothing after it is read
    assert list(got) == keys[:1] and len(got[keys[0]].versions) == 2
    assert got[keys[0]].cpu_seconds >= 0


def test_a_series_read_ahead_gives_the_same_result_as_one_read_by_the_worker(tmp_path):
    from analyzer.scan import ReadAhead, SeriesTask, _load_series
    from analyzer.store import series_rows

    root = corpus(tmp_path / "c")
    (root / "Acme" / "Privacy Policy" / "2024-01-15.md").write_text("", encoding="utf-8")
    [(key, srcs)] = [(k, v) for k, v in discover([root]).series().items() if k[1] == "Acme"]
    plain = process_series(SeriesTask(key, srcs, "fp", "pipe"), keyword_analyzer)
    errors: list = []
    first = _load_series(srcs, errors, stop=ReadyAfter(3).done)
    assert len(first) == 3 and [e.source for e in errors] == [srcs[1].source]  # the empty file
    task = SeriesTask(key, srcs, "fp", "pipe", ahead=ReadAhead(first, errors, 5.0))
    ahead = process_series(task, keyword_analyzer)
    assert ahead.errors == plain.errors and ahead.timeline == plain.timeline
    assert [f.findings for f in ahead.findings] == [f.findings for f in plain.findings]
    assert series_rows(ahead) == series_rows(plain)
    assert ahead.cpu_seconds >= 5.0  # the reading done ahead counts as the series' CPU


def test_series_weight_counts_byte_identical_captures_once(tmp_path):
    from analyzer.scan import file_identity, series_weight

    root = corpus(tmp_path / "c")
    [srcs] = [v for k, v in discover([root]).series().items() if k[1] == "Acme"]
    ids = [file_identity(s) for s in srcs]
    sizes = [os.path.getsize(s.source) for s in srcs]
    # the captures of 2024-02-01 and 2024-05-01 repeat those of 2024-01-01 and 2024-03-01
    assert series_weight(srcs, ids) == sizes[0] + sizes[2] + sizes[3] < sum(sizes)


KILL_SCRIPT = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from analyzer.scan import scan
from scan_helpers import keyword_analyzer
scan([{corpus!r}], db={db!r}, jobs=1, factory=keyword_analyzer)
"""


@pytest.mark.slow
def test_kill_9_and_restart_gives_the_same_database(tmp_path):
    root = tmp_path / "c"
    for n in range(12):
        write_history(
            root,
            f"Svc{n:02d}",
            [
                (
                    f"2024-0{m + 1}-01",
                    text(
                        *EXTRA[: m % 3],
                        AI if m > 1 else "",
                        *(f"Clause {n}-{k} on data use." for k in range(40)),
                    ),
                )
                for m in range(4)
            ],
        )
    clean = tmp_path / "clean.sqlite"
    scan([root], db=clean, jobs=1, factory=keyword_analyzer)
    db = tmp_path / "killed.sqlite"
    script = KILL_SCRIPT.format(
        root=str(ROOT), tests=str(ROOT / "tests"), corpus=str(root), db=str(db)
    )
    killed_mid_way = False
    for delay in (0.0, 0.3, 0.6, 1.0):
        proc = subprocess.Popen([sys.executable, "-c", script])
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            try:
                with sqlite3.connect(db, timeout=0.1) as c:
                    done = c.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done >= 1:
                time.sleep(delay)
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_way = True
        proc.wait()
    assert killed_mid_way, "the scan finished before it could be killed"
    summary = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert summary.series_unchanged >= 1
    assert dump(db) == dump(clean)


@pytest.mark.slow
def test_dask_local_cluster(tmp_path):
    pytest.importorskip("dask.distributed")
    root = corpus(tmp_path / "c")
    scan([root], db=tmp_path / "a.sqlite", jobs=1, factory=keyword_analyzer)
    summary = scan([root], db=tmp_path / "d.sqlite", dask="local", jobs=2, factory=keyword_analyzer)
    assert summary.series == 2 and not summary.errors
    assert dump(tmp_path / "a.sqlite") == dump(tmp_path / "d.sqlite")


@pytest.mark.corpora
def test_real_history_scan(shared_corpora, tmp_path):
    folder = shared_corpora / "policy_versions" / "genai-eu" / "ChatGPT"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    summary = scan([folder], db=tmp_path / "o.sqlite", jobs=1)
    assert summary.series == 1 and not summary.errors
    assert summary.versions == summary.status_counts.total() >= 5
    assert summary.status_counts["ok"] >= 2
    conn = sqlite3.connect(tmp_path / "o.sqlite")
    assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] > 0


def test_a_series_that_crashes_is_recorded_and_retried(tmp_path, monkeypatch):
    import analyzer.scan as scan_mod

    original = scan_mod.build_timeline

    def flaky(chain, findings=None, *, service, **kw):  # type: ignore[no-untyped-def]
        if service == "Globex":
            raise ValueError("timeline bug")
        return original(chain, findings, service=service, **kw)

    monkeypatch.setattr(scan_mod, "build_timeline", flaky)
    root = corpus(tmp_path / "c")
    db = tmp_path / "o.sqlite"
    summary = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert summary.series == 1 and summary.versions_failed == 2
    [err] = summary.errors
    assert err.stage == "series" and err.error_type == "ValueError" and "Globex" in err.source
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT service FROM documents").fetchall() == [("Acme",)]
        assert c.execute("SELECT reason FROM errors").fetchone()[0] == "timeline bug"
    monkeypatch.setattr(scan_mod, "build_timeline", original)
    retry = scan([root], db=db, jobs=1, factory=keyword_analyzer)
    assert retry.series == 1 and retry.series_unchanged == 1 and not retry.errors
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM errors").fetchone()[0] == 0


def test_pipeline_id_follows_recognizers_and_models():
    from types import SimpleNamespace

    from scan_helpers import KeywordRecognizer

    from analyzer.recognizers.base import RecognizerRegistry
    from analyzer.scan import pipeline_info

    def analyzer_with(trained):  # type: ignore[no-untyped-def]
        rec = KeywordRecognizer()
        rec.models = {"m": SimpleNamespace(meta={"trained": trained})}  # type: ignore[attr-defined]
        return SimpleNamespace(registry=RecognizerRegistry([rec]), version="9.9")

    a = pipeline_info(analyzer_with({"date": "2026-01-01"}))
    b = pipeline_info(analyzer_with({"date": "2026-02-01"}))
    assert a["id"] != b["id"] and a["analyzer_version"] == "9.9"
    assert "test.keywords.v1:m" in a["models"]
    assert pipeline_info(analyzer_with({"date": "2026-01-01"}))["id"] == a["id"]


def test_stored_annotation_sets_are_reused_not_recomputed(tmp_path, monkeypatch):
    """Clauses annotated before by the same pipeline (in another series, or an earlier scan)
    are not annotated again; after a pipeline change every distinct clause is annotated
    once, not once per capture; and the database is the one a scan without reuse writes."""
    from scan_helpers import CountingRecognizer, counting_analyzer

    import analyzer.scan as scan_mod

    first, second = corpus(tmp_path / "a"), tmp_path / "b"
    shutil.copytree(first / "Acme", second / "Acme Copy")  # the same texts, another series
    db = tmp_path / "reuse.sqlite"
    CountingRecognizer.clauses_seen = 0
    scan([first], db=db, jobs=1, factory=counting_analyzer)
    once = CountingRecognizer.clauses_seen
    assert once > 0
    summary = scan([first, second], db=db, jobs=1, factory=counting_analyzer)
    assert summary.series == 1 and summary.sets_reused > 0
    assert CountingRecognizer.clauses_seen == once  # nothing annotated again
    # the same rows as a scan that reuses nothing
    monkeypatch.setattr(scan_mod, "_shared_path", lambda db, dask: None)
    plain = tmp_path / "plain.sqlite"
    scan([first], db=plain, jobs=1, factory=counting_analyzer)
    scan([first, second], db=plain, jobs=1, factory=counting_analyzer)
    assert dump(db) == dump(plain)
    monkeypatch.undo()
    # a new pipeline: every set is stale; each distinct clause is annotated once
    monkeypatch.setattr(CountingRecognizer, "version", "2")
    CountingRecognizer.clauses_seen = 0
    again = scan([first, second], db=db, jobs=1, factory=counting_analyzer)
    assert again.series == 3 and again.versions_reused == 0
    with Store(db) as s:
        captures = s.conn.execute("SELECT count(*) FROM clauses").fetchone()[0]
        distinct = s.conn.execute("SELECT count(*) FROM annotation_sets").fetchone()[0]
        pipelines = {r[0] for r in s.conn.execute("SELECT DISTINCT pipeline FROM annotation_sets")}
    assert len(pipelines) == 1  # the stale sets are gone with the rows that used them
    assert CountingRecognizer.clauses_seen <= 2 * distinct < captures


def test_workers_of_the_default_engine_inherit_it_from_the_forkserver():
    """With the default engine the forkserver builds it once (``analyzer._forkserver``) and
    the workers fork with it. Run in a fresh interpreter: a process has one forkserver, and
    an earlier test's scan may have started it with another preload list."""
    import os
    import subprocess
    import sys

    code = (
        "from analyzer import scan as s\n"
        "from scan_helpers import forkserver_state\n"
        "pool = s._start_pool(s.default_factory, 1)\n"
        "print(pool.submit(forkserver_state).result(timeout=120))\n"
        "pool.shutdown()\n"
    )
    tests = str(Path(__file__).resolve().parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert out.stdout.strip() == "(True, True, True)", out.stderr[-2000:]


def test_code_fingerprint_follows_patterns_and_rules_not_rendering(tmp_path) -> None:
    """The pipeline id must change when a pattern file or a rule changes (else a database
    reuses annotation sets and skips series made by the code before), not when only the
    report rendering does."""
    from analyzer.scan import code_fingerprint

    pkg = tmp_path / "pkg"
    (pkg / "patterns").mkdir(parents=True)
    (pkg / "report").mkdir()
    (pkg / "rules.py").write_text("X = 1\n")
    (pkg / "patterns" / "purposes.json").write_text('{"patterns": []}\n')
    (pkg / "report" / "html.py").write_text("Y = 1\n")
    first = code_fingerprint(pkg)
    other = tmp_path / "other"
    other.mkdir()
    for rel in ("rules.py", "report/html.py"):
        (other / rel).parent.mkdir(parents=True, exist_ok=True)
        (other / rel).write_text((pkg / rel).read_text())
    (other / "patterns").mkdir()
    (other / "patterns" / "purposes.json").write_text('{"patterns": [{"id": "p"}]}\n')
    assert code_fingerprint(other) != first
    same = tmp_path / "same"
    for rel in ("rules.py", "patterns/purposes.json"):
        (same / rel).parent.mkdir(parents=True, exist_ok=True)
        (same / rel).write_text((pkg / rel).read_text())
    (same / "report").mkdir()
    (same / "report" / "html.py").write_text("Y = 3\n")
    assert code_fingerprint(same) == first  # rendering does not count


def test_pipeline_id_includes_the_code_fingerprint() -> None:
    from analyzer.scan import code_fingerprint, pipeline_info

    info = pipeline_info(keyword_analyzer())
    assert info["code"] == code_fingerprint()

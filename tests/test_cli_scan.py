"""CLI tests of `policydiff scan`, `history` and `export` (CliRunner)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from scan_helpers import AI, EXTRA, keyword_analyzer, text, write_history

import analyzer.scan
from cli import cli


@pytest.fixture()
def runner(monkeypatch):
    # the CLI builds the default analyzer; use the keyword test analyzer instead
    monkeypatch.setattr(analyzer.scan, "default_factory", keyword_analyzer)
    original = analyzer.scan.scan

    def scan(*args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("factory", keyword_analyzer)
        return original(*args, **kwargs)

    monkeypatch.setattr(analyzer.scan, "scan", scan)
    return CliRunner()


@pytest.fixture()
def corpus(tmp_path):
    root = tmp_path / "c"
    write_history(
        root,
        "Acme",
        [
            ("2024-01-01", text()),
            ("2024-03-01", text(AI)),
            ("2024-04-01", text(AI, *EXTRA)),
        ],
    )
    return root


def test_every_command_has_help():
    r = CliRunner()
    for name in ("scan", "history", "export"):
        result = r.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.output and len(result.output) > 200


def test_scan_prints_a_summary_and_writes_the_db(runner, corpus, tmp_path):
    db = tmp_path / "o.sqlite"
    result = runner.invoke(cli, ["scan", str(corpus), "--db", str(db), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "Scanned 1 series" in result.output
    assert "ai_training.added: 1" in result.output
    assert "Warning" not in result.output
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT count(*) FROM versions").fetchone()[0] == 3
    again = runner.invoke(cli, ["scan", str(corpus), "--db", str(db), "--jobs", "1", "--json"])
    summary = json.loads(again.output)
    assert summary["series_unchanged"] == 1 and summary["versions_analyzed"] == 0


def test_scan_warns_when_some_files_fail(runner, corpus, tmp_path):
    (corpus / "Acme" / "Privacy Policy" / "2024-05-01_x.md").write_bytes(b"")
    result = runner.invoke(
        cli, ["scan", str(corpus), "--db", str(tmp_path / "o.sqlite"), "-j", "1"]
    )
    assert result.exit_code == 0
    assert "Warning: 1 file(s) failed" in result.output
    assert "file is empty" in result.output


def test_scan_exits_3_when_every_file_fails(runner, tmp_path):
    bad = tmp_path / "c" / "Bad" / "Privacy Policy"
    bad.mkdir(parents=True)
    (bad / "2024-01-01_a.md").write_bytes(b"\x00\x00binary")
    result = runner.invoke(
        cli, ["scan", str(tmp_path / "c"), "--db", str(tmp_path / "o.sqlite"), "-j", "1"]
    )
    assert result.exit_code == 3
    assert "every file failed" in result.output


def test_scan_of_nothing_is_a_usage_error(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        cli, ["scan", str(tmp_path / "empty"), "--db", str(tmp_path / "o.sqlite")]
    )
    assert result.exit_code == 2 and "no documents found" in result.output


@pytest.fixture()
def scanned(runner, corpus, tmp_path):
    db = tmp_path / "o.sqlite"
    assert runner.invoke(cli, ["scan", str(corpus), "--db", str(db), "-j", "1"]).exit_code == 0
    return db


def test_history_text_and_json(runner, scanned):
    result = runner.invoke(cli, ["history", "Acme", "--db", str(scanned)])
    assert result.exit_code == 0, result.output
    assert "Acme / Privacy Policy" in result.output
    assert "ai_training" in result.output and "ai_training.added (high)" in result.output
    result = runner.invoke(cli, ["history", "acme", "--db", str(scanned), "--format", "json"])
    events = json.loads(result.output)
    ai = [e for e in events if e["family"] == "ai_training"]
    assert ai and ai[0]["event"] == "appeared" and ai[0]["date"].startswith("2024-03-01")
    assert ai[0]["status"] == "reported"


def test_history_unknown_service_lists_known_ones(runner, scanned):
    result = runner.invoke(cli, ["history", "Nope", "--db", str(scanned)])
    assert result.exit_code == 2 and "Acme" in result.output


def test_history_missing_db(runner, tmp_path):
    result = runner.invoke(cli, ["history", "Acme", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "policydiff scan" in result.output


def test_history_html_renders_the_timeline(runner, scanned):
    result = runner.invoke(cli, ["history", "Acme", "--db", str(scanned), "--format", "html"])
    assert result.exit_code == 0, result.output
    page = result.output
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page
    assert "Acme" in page and "2024-03-01" in page
    assert "Content-Security-Policy" in page


def test_history_html_writes_and_links_the_pair_reports(runner, scanned, tmp_path):
    out = tmp_path / "site" / "acme.html"
    out.parent.mkdir()
    pairs = tmp_path / "site" / "pairs"
    result = runner.invoke(
        cli,
        ["history", "Acme", "--db", str(scanned), "--format", "html", "-o", str(out)]
        + ["--reports", str(pairs)],
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in pairs.iterdir())
    assert written and all(name.endswith(".html") for name in written)
    page = out.read_text(encoding="utf-8")
    for name in written:
        assert f'href="pairs/{name}"' in page
        assert "<ins" in (pairs / name).read_text(encoding="utf-8")


def test_history_reports_needs_html(runner, scanned, tmp_path):
    result = runner.invoke(
        cli, ["history", "Acme", "--db", str(scanned), "--reports", str(tmp_path / "r")]
    )
    assert result.exit_code == 2 and "--format html" in result.output


def test_export_csv_to_stdout_and_file(runner, scanned, tmp_path):
    result = runner.invoke(
        cli,
        [
            "export",
            "--db",
            str(scanned),
            "--table",
            "findings",
            "--format",
            "csv",
            "--flag",
            "ai_training.*",
        ],
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("service,document_type") and len(lines) == 2
    out = tmp_path / "t.md"
    result = runner.invoke(
        cli,
        [
            "export",
            "--db",
            str(scanned),
            "--table",
            "timeline",
            "--format",
            "markdown",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0 and out.read_text().startswith("| service |")


def test_export_parquet_needs_output(runner, scanned):
    result = runner.invoke(cli, ["export", "--db", str(scanned), "--format", "parquet"])
    assert result.exit_code == 2 and "--output" in result.output


def test_scan_with_a_forced_progress_bar(runner, corpus, tmp_path):
    result = runner.invoke(
        cli, ["scan", str(corpus), "--db", str(tmp_path / "o.sqlite"), "-j", "1", "--progress"]
    )
    assert result.exit_code == 0, result.output
    assert "Scanned 1 series" in result.output

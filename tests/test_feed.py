"""Tests of analyzer.feed and ``policydiff feed``: the Atom feed parses back, lists what the
filters keep, escapes policy text and links to the comparison reports."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree
from scan_helpers import AI, EXTRA, keyword_analyzer, text, write_history

from analyzer.errors import UsageError
from analyzer.export import query
from analyzer.feed import build_feed
from analyzer.scan import scan
from cli import cli

ROOT = Path(__file__).resolve().parents[1]

ATOM = "{http://www.w3.org/2005/Atom}"
# inline code keeps the markup in the clause text (plain inline HTML is dropped on reading)
HOSTILE = "We use your posts to train AI models `<script>alert(1)</script>` & ]]> {{7*7}}."


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    write_history(
        root,
        "Acme",
        [("2024-01-01", text()), ("2024-03-01", text(AI)), ("2024-05-01", text(AI, HOSTILE))],
    )
    write_history(
        root,
        "Globex",
        [
            ("2023-06-01", text("We use data for other purposes.")),
            ("2023-07-01", text("We use data for other purposes.", EXTRA[0])),
        ],
    )
    path = tmp_path_factory.mktemp("db") / "out.sqlite"
    scan([root], db=path, jobs=1, factory=keyword_analyzer)
    return path


def test_one_entry_per_finding_parses_back(db):
    result = build_feed(db)
    feed = feedparser.parse(result.xml)
    assert not feed.bozo and feed.feed.title == "policydiff findings"
    _, rows = query(db, "findings")
    assert len(feed.entries) == result.entries == len(rows) > 0
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first


def test_filters_are_those_of_export(db):
    for kwargs in (
        {"flag": "ai_training.*"},
        {"service": "acme"},
        {"min_severity": "high"},
        {"since": "2024-04-01"},
    ):
        _, rows = query(db, "findings", **kwargs)
        feed = feedparser.parse(build_feed(db, **kwargs).xml)
        assert len(feed.entries) == len(rows), kwargs
        flags = sorted(t.term for e in feed.entries for t in e.tags)
        assert flags == sorted(r[5] for r in rows)
    assert build_feed(db, flag="nothing.*").entries == 0
    with pytest.raises(UsageError):
        build_feed(db, per="day")


def test_per_comparison_groups_the_findings_of_a_pair(db):
    feed = feedparser.parse(build_feed(db, flag="ai_training.*", per="comparison").xml)
    _, rows = query(db, "findings", flag="ai_training.*", service="acme")
    pairs = sorted({(r[3], r[4]) for r in rows}, reverse=True)  # (date, previous date)
    entries = [e for e in feed.entries if "Acme" in e.title]
    assert len(entries) == len(pairs) == 2
    for entry, (date, previous) in zip(entries, pairs, strict=True):
        assert entry.id.startswith("urn:policydiff:comparison:")
        assert "ai_training.added" in entry.title and date[:10] in entry.title
        assert f"compared with {previous}" in entry.content[0].value
        n = sum(1 for r in rows if (r[3], r[4]) == (date, previous))
        assert entry.content[0].value.count("[high] ai_training.added") == n
    assert "legitimate interests" in entries[1].content[0].value


def test_policy_text_is_escaped(db):
    xml = build_feed(db, service="acme").xml
    tree = etree.fromstring(xml)
    assert not tree.xpath("//*[local-name()='script' or local-name()='a']")
    contents = [c for c in tree.iter(f"{ATOM}content")]
    assert all(c.get("type") == "text" for c in contents)
    assert any("<script>alert(1)</script>" in (c.text or "") for c in contents)
    assert b"<script>" not in xml


def test_reports_are_written_and_linked(db, tmp_path):
    reports = tmp_path / "reports"
    result = build_feed(
        db, flag="ai_training.*", per="comparison", reports=reports, engine=keyword_analyzer()
    )
    assert result.reports and not result.problems
    feed = feedparser.parse(result.xml)
    links = [e.link for e in feed.entries if e.get("link")]
    assert links
    for link in links:
        page = reports / link.rsplit("/", 1)[-1]
        html = page.read_text(encoding="utf-8")
        assert "train our AI models" in html


def test_cli_feed_writes_a_file_with_relative_links(db, tmp_path, monkeypatch):
    import analyzer.engine

    monkeypatch.setattr(analyzer.engine, "default_analyzer", keyword_analyzer)
    out = tmp_path / "site" / "ai.xml"
    out.parent.mkdir()
    res = CliRunner().invoke(
        cli,
        [
            "feed",
            "--db",
            str(db),
            "--flag",
            "ai_training.*",
            "--per",
            "comparison",
            "--reports",
            str(tmp_path / "site" / "reports"),
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    feed = feedparser.parse(out.read_bytes())
    linked = [e.link for e in feed.entries if e.get("link", "").endswith(".html")]
    assert linked and all(link.startswith("reports/") for link in linked)
    assert all((out.parent / link).is_file() for link in linked)


def test_cli_feed_to_stdout_and_bad_db(db, tmp_path):
    res = CliRunner().invoke(cli, ["feed", "--db", str(db), "--min-severity", "high"])
    assert res.exit_code == 0
    assert feedparser.parse(res.stdout_bytes).entries
    res = CliRunner().invoke(cli, ["feed", "--db", str(tmp_path / "none.sqlite")])
    assert res.exit_code == 2 and "Error:" in res.output


def _ai_feed_of(paths, tmp_path):
    db = tmp_path / "db.sqlite"
    summary = scan(paths, db=db, jobs=1)
    assert not summary.all_failed
    reports = tmp_path / "reports"
    result = build_feed(db, flag="ai_training.*", per="comparison", reports=reports)
    feed = feedparser.parse(result.xml)
    assert not feed.bozo
    # training added, or training that already existed extended to new data or people
    added = [
        e
        for e in feed.entries
        if "ai_training.added" in e.content[0].value
        or "ai_training.scope_widened" in e.content[0].value
    ]
    assert added, [e.title for e in feed.entries]
    for entry in added:
        assert entry.link.endswith(".html")
        assert (reports / entry.link.rsplit("/", 1)[-1]).is_file()
    return added


@pytest.mark.corpora
@pytest.mark.slow
def test_feed_of_a_shared_history_lists_the_ai_training_addition(shared_corpora, tmp_path):
    folder = shared_corpora / "policy_versions" / "genai-eu" / "ChatGPT"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    added = _ai_feed_of([folder], tmp_path)
    assert any("2026-05-18" in e.title for e in added)


@pytest.mark.corpora
@pytest.mark.slow
def test_feed_of_a_synthetic_collection_lists_its_ai_training_additions(shared_corpora, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth_corpus import build

    counts = build(tmp_path / "corpus", 2, 8, shared_corpora)
    assert counts["ai_added"] == 2
    added = _ai_feed_of([tmp_path / "corpus"], tmp_path)
    assert {e.title.split(" ")[0] for e in added} <= {"Svc000", "Svc001"}

"""Tests for analyzer.report: the format registry and every format's escaping."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import types

import pytest
from _reportdata import (
    AI_TEXT,
    FORMULA_TEXT,
    LI_TEXT,
    identical_comparison,
    sample_analysis,
    sample_comparison,
)
from hypothesis import given
from hypothesis import strategies as st

from analyzer.errors import UsageError
from analyzer.report import FORMATS, formats, render
from analyzer.report.csv import COLUMNS, neutralise
from analyzer.report.markdown import md_escape

TEXT_FORMATS = ["rich", "text", "json", "markdown", "csv"]


def test_registry_lists_every_cli_format():
    assert set(FORMATS) <= set(formats())


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown report format 'yaml'"):
        render(sample_comparison(), "yaml")


def test_render_refuses_other_objects():
    with pytest.raises(UsageError, match="cannot render a dict"):
        render({}, "json")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("make", [sample_comparison, sample_analysis])
def test_every_format_mentions_every_finding(fmt, make):
    obj = make()
    out = render(obj, fmt)
    for f in obj.findings:
        assert f.flag in out
        assert (f.new_clause or f.old_clause).id in out


# --- JSON -------------------------------------------------------------------------------------


def test_json_is_to_dict_with_the_documented_finding_fields():
    c = sample_comparison()
    data = json.loads(render(c, "json"))
    assert data == json.loads(json.dumps(c.to_dict()))
    assert len(data["findings"]) == 3
    for f in data["findings"]:
        for key in ("flag", "severity", "reason", "new_clause", "old_clause", "evidence"):
            assert key in f
        assert f["new_clause"]["id"] and f["new_clause"]["text"]
    assert {ch["kind"] for ch in data["changes"]} == {"added", "removed", "modified", "moved"}
    assert AI_TEXT in {f["new_clause"]["text"] for f in data["findings"]}


def _keys(obj, prefix=""):
    """Every key path in a JSON object (lists are walked into)."""
    out = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.add(k)
            out |= _keys(v, k)
    elif isinstance(obj, list):
        for v in obj:
            out |= _keys(v, prefix)
    return out


@pytest.mark.parametrize("make", [sample_comparison, sample_analysis])
def test_json_schema_doc_documents_every_field(make):
    from conftest import ROOT

    doc = (ROOT / "docs" / "json-schema.md").read_text(encoding="utf-8")
    missing = sorted(k for k in _keys(make().to_dict()) if f"`{k}`" not in doc)
    assert not missing, f"fields not documented in docs/json-schema.md: {missing}"


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_table_keeps_its_columns_despite_pipes_in_policy_text():
    out = render(sample_comparison(), "markdown")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == 3  # one row per finding
    header_cols = out.splitlines()[
        [i for i, line in enumerate(out.splitlines()) if line.startswith("| # |")][0]
    ].count(" | ")
    for row in rows:
        unescaped = row.replace("\\|", "")
        assert unescaped.count(" | ") == header_cols


def test_markdown_escapes_html_links_and_emphasis():
    out = render(sample_comparison(), "markdown")
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert not re.search(r"(?<!\\)\]\(javascript:", out)  # no live link
    assert "\\[our form\\]" in out
    assert "\\*now\\*" in out


def test_markdown_findings_ordered_by_severity():
    out = render(sample_comparison(), "markdown")
    order = [
        out.index(f"`{flag}`")
        for flag in ("ai_training.added", "exclusion.removed", "vague_purpose.added")
    ]
    assert order == sorted(order)


@given(st.text())
def test_md_escape_never_leaves_a_raw_pipe_newline_or_tag(s):
    out = md_escape(s)
    assert "\n" not in out and "\r" not in out
    assert "<" not in out and ">" not in out
    i = out.find("|")
    while i != -1:
        assert i > 0 and out[i - 1] == "\\"
        i = out.find("|", i + 1)


# --- CSV --------------------------------------------------------------------------------------


def test_csv_one_row_per_finding_with_the_promised_columns():
    c = sample_comparison()
    rows = list(csv.DictReader(io.StringIO(render(c, "csv"))))
    assert len(rows) == len(c.findings)
    assert tuple(rows[0].keys()) == COLUMNS
    assert [r["severity"] for r in rows] == ["high", "medium", "low"]
    excl = next(r for r in rows if r["flag"] == "exclusion.removed")
    assert excl["old_clause_id"] == "c-oldexcl" and excl["new_clause_id"] == "c-newexcl"
    assert "accounts of people under 18" in excl["evidence"]
    assert excl["raised_by"].startswith("policydiff.exclusion.v1")


def test_csv_neutralises_formulas():
    rows = list(csv.DictReader(io.StringIO(render(sample_comparison(), "csv"))))
    vague = next(r for r in rows if r["flag"] == "vague_purpose.added")
    assert vague["new_clause_text"] == "'" + FORMULA_TEXT
    for r in rows:
        for v in r.values():
            assert not v.startswith(("=", "+", "-", "@"))


@given(st.text())
def test_neutralise_never_returns_a_formula(s):
    out = neutralise(s)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert out.endswith(s)


# --- text and rich ----------------------------------------------------------------------------


def test_text_report_lists_findings_then_changes():
    out = render(sample_comparison(), "text")
    assert out.index("FINDINGS (3") < out.index("CHANGES (")
    assert "[HIGH] ai_training.added" in out
    assert "[- or the accounts of people under 18-]" in out
    assert "> moved c-keep" in out


@pytest.mark.parametrize("fmt", ["text", "rich", "markdown"])
def test_identical_versions_say_no_changes(fmt):
    assert "no changes" in render(identical_comparison(), fmt).lower()


def test_rich_view_shows_policy_markup_literally_and_labels_severity():
    out = render(sample_comparison(), "rich")
    assert "[bold red]and photos[/bold red]" in out  # not interpreted as markup
    assert "<script>alert(1)</script>" in LI_TEXT and "HIGH" in out and "MEDIUM" in out
    assert out.index("Findings (3)") < out.index("Substantive changes")
    assert "raised by: policydiff.ai_training.v1 / p1 (rule)" in out


def test_rich_view_highlights_the_evidence_span():
    from rich.console import Console

    from analyzer.report.terminal import SPAN_STYLE, print_report

    console = Console(record=True, width=200, force_terminal=True, color_system="standard")
    print_report(sample_comparison(), console)
    spans = [
        seg.text
        for seg in console._record_buffer  # noqa: SLF001
        if seg.style is not None and str(seg.style) == SPAN_STYLE
    ]
    assert "to train our AI models" in spans
    assert "accounts of people under 18" in spans


# --- HTML (rendered by another module) --------------------------------------------------------


def test_html_is_delegated_to_render_comparison_html(monkeypatch):
    seen = []
    fake = types.ModuleType("analyzer.report.html")
    fake.render_comparison_html = lambda c: seen.append(c) or "<html>ok</html>"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "analyzer.report.html", fake)
    import analyzer.report as pkg

    monkeypatch.setattr(pkg, "html", fake, raising=False)
    c = sample_comparison()
    assert render(c, "html") == "<html>ok</html>"
    assert seen == [c]
    with pytest.raises(UsageError, match="single-version analysis"):
        render(sample_analysis(), "html")


def test_terminal_view_caps_the_change_list_but_never_the_findings():
    from rich.console import Console

    from analyzer.report.terminal import print_report

    c = sample_comparison()
    buf = io.StringIO()
    print_report(c, Console(file=buf, width=120, color_system=None), max_changes=2)
    out = buf.getvalue()
    n = len(c.substantive_changes)
    assert f"... and {n - 2} more substantive changes" in out
    for f in c.findings:
        assert f.flag in out
    assert "more substantive changes" not in render(c, "rich")  # default cap not reached


def test_a_finding_repeated_in_several_places_lists_them_in_every_format() -> None:
    from analyzer.engine import default_analyzer
    from analyzer.ingest import from_text
    from analyzer.report import render

    base = "# Policy\n\nWe use your data to provide the service.\n"
    repeated = "We may use your information for any other <b>business</b> purposes."
    new = f"{base}\n## Policy\n\n{repeated}\n\n## Annex\n\n{repeated}\n"
    engine = default_analyzer()
    c = engine.compare(from_text(base, source="a.md"), from_text(new, source="b.md"))
    (f,) = [x for x in c.findings if x.flag == "vague_purpose.added"]
    place = f.also_at[0]
    assert place.section == ("Policy", "Annex") or "Annex" in place.section
    for fmt in ("text", "markdown", "html"):
        out = render(c, fmt)
        assert place.id in out, fmt
    assert "<b>business</b>" not in render(c, "html")

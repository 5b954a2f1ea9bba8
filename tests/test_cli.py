"""CLI tests (CliRunner): compare, analyze, demo, output options, exit codes, bad input."""

from __future__ import annotations

import csv
import io
import json
import zlib
from pathlib import Path

import pytest
from _reportdata import sample_comparison
from click.testing import CliRunner

import cli as cli_module
from cli import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"
V1 = EXAMPLES / "2024-01-15_chirp-privacy-policy.md"
V2 = EXAMPLES / "2024-06-26_chirp-privacy-policy.md"
V3 = EXAMPLES / "2025-04-14_chirp-privacy-policy.md"
NOTICE = EXAMPLES / "2024-05-22_chirp-ai-notice-email.md"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_every_command_has_help(runner):
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output
        first = (command.help or "").strip().splitlines()[0] if command.help else ""
        assert first and first.split()[0] in result.output, name


def test_group_help_lists_my_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("compare", "analyze", "demo"):
        assert name in result.output


def test_identical_files_say_no_changes(runner):
    result = runner.invoke(cli, ["compare", str(V1), str(V1)])
    assert result.exit_code == 0, result.output
    assert "no changes" in result.output


def test_identical_files_json_has_nothing_substantive(runner):
    result = runner.invoke(cli, ["compare", str(V1), str(V1), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["findings"] == []
    assert [c for c in data["changes"] if c["substantive"]] == []


def test_compare_json_is_the_documented_object(runner):
    result = runner.invoke(cli, ["compare", str(V1), str(V2), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "policydiff.comparison/1"
    assert data["old"]["source"].endswith(V1.name)
    assert data["new"]["source"].endswith(V2.name)
    added = [c["new_clause"]["text"] for c in data["changes"] if c["kind"] == "added"]
    assert any("train the generative AI models" in t for t in added)
    for f in data["findings"]:
        assert f["flag"] and f["severity"] and f["reason"]


@pytest.mark.parametrize("fmt", ["rich", "text", "json", "markdown", "csv"])
def test_compare_writes_every_format_to_a_file(runner, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = runner.invoke(
        cli, ["compare", str(V2), str(V3), "--format", fmt, "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    body = out.read_text(encoding="utf-8")
    assert body.strip()
    assert "\x1b[" not in body  # no colour codes in files
    if fmt == "json":
        assert json.loads(body)["schema"] == "policydiff.comparison/1"
    elif fmt == "csv":
        assert next(csv.reader(io.StringIO(body)))[:3] == ["id", "flag", "severity"]
    else:
        assert "under 18" in body or "private messages" in body


def test_compare_metadata_options_reach_the_versions(runner):
    result = runner.invoke(
        cli,
        [
            "compare", str(V1), str(V2), "-f", "json", "--service", "Chirp",
            "--document-type", "Privacy Policy", "--old-date", "2024-01-15",
            "--new-date", "2024-06-26",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["old"]["service"] == data["new"]["service"] == "Chirp"
    assert data["old"]["document_type"] == "Privacy Policy"
    assert (data["old"]["date"], data["new"]["date"]) == ("2024-01-15", "2024-06-26")


def test_unwritable_output_is_a_one_line_error(runner, tmp_path):
    target = tmp_path / "no-such-dir" / "r.json"
    result = runner.invoke(cli, ["compare", str(V1), str(V2), "-f", "json", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("Error:")
    assert str(target) in result.stderr
    assert "Traceback" not in result.output


def test_unknown_format_is_a_usage_error(runner):
    result = runner.invoke(cli, ["compare", str(V1), str(V2), "--format", "yaml"])
    assert result.exit_code == 2


def test_analyze_html_is_a_clean_error(runner):
    result = runner.invoke(cli, ["analyze", str(V1), "--format", "html"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:") and "HTML report" in result.stderr


# --- --fail-on --------------------------------------------------------------------------------


@pytest.fixture()
def planted_findings(monkeypatch):
    """Make the engine's assess step return the hand-built findings (high, medium, low)."""
    import analyzer.engine as engine

    findings = list(sample_comparison().findings)
    monkeypatch.setattr(engine, "assess_comparison", lambda old, new, changes: findings)
    return findings


@pytest.mark.parametrize(
    ("fail_on", "code"), [("high", 1), ("medium", 1), ("low", 1), ("info", 1), (None, 0)]
)
def test_fail_on_exits_1_when_a_finding_reaches_it(runner, planted_findings, fail_on, code):
    args = ["compare", str(V1), str(V2), "-f", "json"]
    if fail_on:
        args += ["--fail-on", fail_on]
    result = runner.invoke(cli, args)
    assert result.exit_code == code, result.output
    assert len(json.loads(result.stdout)["findings"]) == 3  # the report is still printed


def test_fail_on_counts_only_findings_at_or_above(runner, monkeypatch):
    import analyzer.engine as engine

    low_only = [f for f in sample_comparison().findings if f.severity == "low"]
    monkeypatch.setattr(engine, "assess_comparison", lambda old, new, changes: low_only)
    ok = runner.invoke(cli, ["compare", str(V1), str(V2), "--fail-on", "medium"])
    assert ok.exit_code == 0, ok.output
    hit = runner.invoke(cli, ["compare", str(V1), str(V2), "--fail-on", "low"])
    assert hit.exit_code == 1
    assert "1 finding(s) at or above low" in hit.stderr


def test_rich_view_does_not_interpret_markup_from_the_policy(runner, tmp_path):
    old = tmp_path / "old.md"
    new = tmp_path / "new.md"
    old.write_text("# Policy\n\nWe keep your data safe.\n", encoding="utf-8")
    new.write_text(
        "# Policy\n\nWe keep your data safe.\n\n"
        "We share data [bold red]with partners[/bold red] and [link=https://x.example]here[/link].\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["compare", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert "[bold red]with partners[/bold red]" in result.output
    assert "[link=https://x.example]here[/link]" in result.output


# --- analyze ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rich", "text", "json", "markdown", "csv"])
def test_analyze_every_format(runner, fmt):
    result = runner.invoke(cli, ["analyze", str(NOTICE), "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.stdout)
        assert data["schema"] == "policydiff.analysis/1"
        assert any("develop and improve AI at Chirp" in c["text"] for c in data["clauses"])
    elif fmt == "csv":
        assert result.stdout.startswith("id,flag,severity")
    else:
        assert "develop and improve AI at Chirp" in result.output or fmt == "rich"


def test_analyze_date_option(runner):
    result = runner.invoke(cli, ["analyze", str(V1), "-f", "json", "--date", "2024-01-15"])
    assert json.loads(result.stdout)["version"]["date"] == "2024-01-15"


# --- demo -------------------------------------------------------------------------------------


def test_demo_compares_the_bundled_versions_in_order(runner):
    result = runner.invoke(cli, ["demo", "--format", "text"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("2024-01-15 -> 2024-06-26") < out.index("2024-06-26 -> 2025-04-14")
    assert "notice e-mail" in out


def test_demo_json_has_two_comparisons_and_the_notice(runner):
    result = runner.invoke(cli, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)
    schemas = [s["result"]["schema"] for s in steps]
    assert schemas == ["policydiff.comparison/1"] * 2 + ["policydiff.analysis/1"]
    assert steps[0]["result"]["old"]["date"] == "2024-01-15"
    assert steps[1]["result"]["new"]["date"] == "2025-04-14"


def test_demo_rich_runs(runner):
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "policydiff compare" in result.output


# --- bad input: one line "Error: <file>: <what> (<fix>)", exit 2, no traceback --------------------

MINIMAL_PDF_NO_TEXT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(b"\x00" * 256)


def _bad_missing(tmp: Path) -> Path:
    return tmp / "missing.md"


def _bad_directory(tmp: Path) -> Path:
    d = tmp / "a-folder.md"
    d.mkdir()
    return d


def _bad_empty(tmp: Path) -> Path:
    p = tmp / "empty.md"
    p.write_bytes(b"")
    return p


def _bad_image(tmp: Path) -> Path:
    p = tmp / "picture.md"
    p.write_bytes(PNG)
    return p


def _bad_pdf(tmp: Path) -> Path:
    p = tmp / "scan.pdf"
    p.write_bytes(MINIMAL_PDF_NO_TEXT)
    return p


def _bad_bytes(tmp: Path) -> Path:
    p = tmp / "garbled.txt"
    p.write_bytes(bytes(range(128, 256)) * 64 + b"\x00\x01\x02\x03" * 64)
    return p


def _bad_huge(tmp: Path) -> Path:
    p = tmp / "huge.md"
    line = b"We use your information to provide the service and for other purposes.\n"
    with p.open("wb") as fh:
        fh.write(line * (50 * 1024 * 1024 // len(line) + 1))
    return p


BAD_INPUTS = {
    "missing": _bad_missing,
    "directory": _bad_directory,
    "empty": _bad_empty,
    "image": _bad_image,
    "pdf-without-text": _bad_pdf,
    "undecodable": _bad_bytes,
    "50MB": _bad_huge,
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.parametrize("command", ["compare-old", "compare-new", "analyze"])
def test_bad_input_is_a_one_line_error_exit_2(runner, tmp_path, case, command):
    if case == "50MB" and command != "analyze":
        pytest.skip("the 50 MB case runs once (analyze) to keep the suite fast")
    bad = BAD_INPUTS[case](tmp_path)
    args = {
        "compare-old": ["compare", str(bad), str(V1)],
        "compare-new": ["compare", str(V1), str(bad)],
        "analyze": ["analyze", str(bad)],
    }[command]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, (case, result.output[-500:])
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    assert err.startswith("Error: ")
    assert bad.name in err
    assert "(" in err and err.endswith(")"), f"no fix in the message: {err}"


def test_debug_shows_the_traceback(runner, tmp_path):
    missing = tmp_path / "missing.md"
    result = runner.invoke(cli, ["--debug", "analyze", str(missing)])
    assert result.exit_code != 0
    from analyzer.errors import InputError

    assert isinstance(result.exception, InputError)


def test_cli_module_top_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = (
        "import sys, cli; heavy = [m for m in ('sklearn', 'skops', 'pandas', 'spacy')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    root = Path(cli_module.__file__).resolve().parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""

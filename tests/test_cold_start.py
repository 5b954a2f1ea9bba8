"""What a cold ``policydiff compare`` / ``analyze`` imports: nothing of scikit-learn, scipy,
skops or polars (the models are applied from their arrays), and no report, input-format or
batch dependency the command at hand does not use. Each case runs the CLI in a fresh
interpreter and reads ``sys.modules`` at the end."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "corpora" / "examples"
OLD = str(EXAMPLES / "2024-01-15_chirp-privacy-policy.md")
NEW = str(EXAMPLES / "2024-06-26_chirp-privacy-policy.md")
HTML = str(EXAMPLES / "2024-06-26_chirp-privacy-policy.html")

#: never needed to compare or analyze
NEVER = ("sklearn", "scipy", "skops", "polars", "dask", "joblib")


def _modules(args: list[str]) -> tuple[set[str], str]:
    """Run ``cli(args)`` in a fresh interpreter; the top-level packages imported, and the
    output."""
    code = textwrap.dedent(
        f"""
        import io, json, sys
        from contextlib import redirect_stdout
        from cli import cli
        buf = io.StringIO()
        with redirect_stdout(buf):
            try:
                cli({args!r}, prog_name="policydiff")
            except SystemExit as exc:
                code = exc.code
        mods = sorted({{m.split(".")[0] for m in sys.modules}} | {{
            m for m in sys.modules if m.startswith("spacy.cli")}})
        print(json.dumps({{"code": code, "modules": mods, "out": buf.getvalue()[:200]}}))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    res = json.loads(run.stdout.strip().splitlines()[-1])
    assert res["code"] in (0, 1, None), run.stderr
    return set(res["modules"]), res["out"]


@pytest.mark.parametrize(
    ("args", "also_absent"),
    [
        (["compare", OLD, NEW, "--format", "json"], ("jinja2", "rich", "bs4", "lxml", "pypdf")),
        (["compare", OLD, NEW, "--format", "markdown"], ("jinja2", "rich", "pypdf")),
        (["analyze", NEW, "--format", "json"], ("jinja2", "rich", "bs4", "lxml", "pypdf")),
        (["compare", OLD, HTML, "--format", "text"], ("jinja2", "rich", "pypdf")),
    ],
)
def test_compare_and_analyze_import_no_unused_module(args, also_absent):
    modules, out = _modules(args)
    assert out.strip()  # the command ran and wrote its report
    assert "spacy" in modules and "numpy" in modules
    unused = sorted(modules & {*NEVER, *also_absent, "typer", "requests", "weasel", "httpx"})
    assert unused == []
    assert not any(m.startswith("spacy.cli") for m in modules)


def test_html_report_imports_jinja2_only_when_asked():
    modules, out = _modules(["compare", OLD, NEW, "--format", "html"])
    assert "jinja2" in modules and "<html" in out.lower()
    assert not modules & set(NEVER)


def test_the_one_shot_compare_gives_the_library_result():
    """The CLI's compare (numpy products, no scipy, in a fresh interpreter) writes the JSON
    report the library gives in this process (where scipy is imported)."""
    from analyzer.engine import PolicyAnalyzer
    from analyzer.report import render

    pair = "/".join(Path(OLD).parts[-3:]), "/".join(Path(NEW).parts[-3:])
    run = subprocess.run(
        [sys.executable, "cli.py", "compare", *pair, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    expected = render(PolicyAnalyzer().compare(*pair), "json")
    assert json.loads(run.stdout) == json.loads(expected)

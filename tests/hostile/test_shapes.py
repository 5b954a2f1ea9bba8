"""Every pathological shape of ``tests/hostile/shapes.py`` is read, analyzed, compared and
reported, or refused with an input error: never another exception, never a hang.

Time and memory per shape are measured by ``benchmarks/hostile.py``, not here: the
timeouts below only guard against hangs (the machine running the tests may be slow).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import ingest
from analyzer.errors import InputError
from analyzer.report import render
from tests.hostile import shapes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "corpora" / "examples" / "2024-01-15_chirp-privacy-policy.md"


@pytest.fixture(scope="module")
def engine():
    from analyzer.engine import PolicyAnalyzer

    return PolicyAnalyzer()


@pytest.mark.parametrize("shape", sorted(shapes.SHAPES))
def test_shape_is_read_or_refused(shape, engine):
    # a tenth of the size the issue names, to keep the suite short; the structure is the same
    name, data = shapes.SHAPES[shape](max(1, shapes.default_size(shape) // 10))
    try:
        version = ingest.from_bytes(data, source=name, fmt=ingest.format_from_name(name))
        analysis = engine.analysis(version)
    except InputError as exc:
        assert name in str(exc) and "\n" not in str(exc)
        return
    clauses = analysis.analyzed.clauses
    assert clauses
    for c in clauses:
        assert 0 <= c.start <= c.end <= len(version.text)
    for fmt in ("json", "text", "markdown", "csv"):
        assert render(analysis, fmt)
    comparison = engine.compare(engine.analyze(EXAMPLE), analysis.analyzed)
    html = render(comparison, "html")
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    ("shape", "codes"),
    [("deep_divs", (0,)), ("link_parens", (0,)), ("md_table", (2,))],
)
def test_cli_on_shape(shape, codes, tmp_path):
    name, data = shapes.SHAPES[shape]()
    path = tmp_path / name
    path.write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "cli.py", "analyze", str(path), "--format", "json", "-o", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only
    )
    assert proc.returncode in codes, proc.stderr
    assert "Traceback" not in proc.stderr
    if proc.returncode == 2:
        assert proc.stderr.startswith(f"Error: {path}") and proc.stderr.count("\n") == 1

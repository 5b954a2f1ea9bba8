"""A short fuzzing run (fixed seeds, about a minute): generated Markdown/HTML/text
structures (hypothesis) and seeded byte-level mutants of real policies through every stage
and report, checked by ``tests.hostile.fuzz.check``. The long run is ``benchmarks/fuzz.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile import fuzz

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "corpora" / "examples" / "2024-01-15_chirp-privacy-policy.md"


@pytest.fixture(scope="module")
def engine():
    from analyzer.engine import PolicyAnalyzer

    return PolicyAnalyzer()


@pytest.fixture(scope="module")
def base(engine):
    return engine.analyze(EXAMPLE)


_FORMATS = {"md": "doc.md", "html": "doc.html", "txt": "doc.txt"}


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bytes]:
    """A random structured document (see ``fuzz.structure``) in a random format, seeded
    by hypothesis, optionally mutated."""
    fmt = draw(st.sampled_from(sorted(_FORMATS)))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    text = fuzz.structure(rng, fmt)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = fuzz.mutate(data, rng, rounds=draw(st.integers(1, 4)))
    return _FORMATS[fmt], data


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(documents())
def test_generated_structures(engine, base, doc):
    name, data = doc
    fuzz.check(engine, base, data, name)


def test_mutants_of_real_policies(engine, base, shared_corpora):
    files = sorted((shared_corpora / "ai_pairs").glob("*/old.md"))[:4]
    assert files
    rng = random.Random(12)
    results = []
    for i in range(12):
        src = files[i % len(files)]
        data = fuzz.mutate(src.read_bytes()[:30_000], rng)  # the first 30 KB: a short run
        name = f"mutant-{i}{rng.choice(('.md', '.html', '.txt', ''))}"
        results.append(fuzz.check(engine, base, data, name))
    assert len(results) == 12
    assert any(r.result == "ok" for r in results)  # the mutants are still mostly policies


def test_the_check_catches_an_unescaped_report(engine, base, monkeypatch):
    """The harness fails when a report lets policy markup through (so a pass means something)."""
    from analyzer import report

    real = report.render

    def leaky(obj, fmt):  # type: ignore[no-untyped-def]
        out = real(obj, fmt)
        return out + fuzz.XSS[0] if fmt == "html" else out

    monkeypatch.setattr(fuzz, "render", leaky)
    with pytest.raises(fuzz.FuzzFailure, match="unescaped"):
        fuzz.check(engine, base, b"# Privacy\n\nWe collect your email address.\n", "x.md")

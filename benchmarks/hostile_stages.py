"""CPU seconds per MB of each stage, on a real policy and on the densest hostile shapes.

    python benchmarks/hostile_stages.py [--corpora ../shared/corpora]

Stages: read (decode, parse, blocks), segment, segment + annotate (``analyze``), assess one
version, compare (align + assess) against the bundled example, and the reports of that
comparison (json, text, markdown, csv, html). One process, engine built first (process start
and model load are not counted). The README's per-MB budget comes from this script.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer import ingest  # noqa: E402
from analyzer._gc import gc_paused  # noqa: E402
from analyzer.assess import assess_version  # noqa: E402
from analyzer.report import render  # noqa: E402
from analyzer.segment import segment  # noqa: E402
from tests.hostile import shapes  # noqa: E402

REAL = "policy_versions/genai-eu/Google Generative AI Services/Privacy Policy/2026-08-18T10-31-58_df455ce9b7.md"  # noqa: E501
CASES = (
    ("deep_divs", None),
    ("link_parens", None),
    ("brackets", None),
    ("entities", None),
    ("md_table", 15_000),
    ("long_sentence", 190_000),
    ("deep_lists", 15_000),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    opts = ap.parse_args()
    from analyzer.engine import PolicyAnalyzer

    eng = PolicyAnalyzer()
    base = eng.analyze(ROOT / "corpora/examples/2024-01-15_chirp-privacy-policy.md")
    cases = []
    if (opts.corpora / REAL).is_file():
        cases.append(("real policy", "real.md", (opts.corpora / REAL).read_bytes()))
    for shape, n in CASES:
        name, data = shapes.SHAPES[shape](n or shapes.default_size(shape))
        cases.append((f"{shape} n={n or shapes.default_size(shape)}", name, data))
    for label, name, data in cases:
        times = {}
        c = time.process_time()
        with gc_paused():
            v = ingest.from_bytes(data, source=name, fmt=ingest.format_from_name(name))
        times["read"] = time.process_time() - c
        c = time.process_time()
        with gc_paused():
            clauses = segment(v, eng.nlp)
        times["segment"] = time.process_time() - c
        c = time.process_time()
        av = eng.analyze(v)
        times["segment+annotate"] = time.process_time() - c
        c = time.process_time()
        assess_version(av)
        times["assess"] = time.process_time() - c
        c = time.process_time()
        comparison = eng.compare(base, av)
        times["compare"] = time.process_time() - c
        c = time.process_time()
        for fmt in ("json", "text", "markdown", "csv", "html"):
            render(comparison, fmt)
        times["reports"] = time.process_time() - c
        mb = len(data) / 1e6
        cells = " ".join(f"{k} {t:.2f}s ({t / mb:.1f}/MB)" for k, t in times.items())
        print(
            f"{label:22} {len(data) / 1e3:6.0f} KB {len(clauses):6} clauses | {cells}", flush=True
        )


if __name__ == "__main__":
    main()

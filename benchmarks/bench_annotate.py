"""Benchmark the annotate stage (all rule recognizers) on one real ~150 KB policy.

Usage: python benchmarks/bench_annotate.py [FILE]  (default: a Gemini privacy hub version
from ../shared/corpora). Prints clauses, annotations, and the warm wall time of
``RecognizerRegistry.analyze`` (median of 5 runs on fresh Docs), per recognizer too.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.engine import PolicyAnalyzer  # noqa: E402
from analyzer.segment import segment  # noqa: E402

DEFAULT = (
    ROOT.parent
    / "shared"
    / "corpora"
    / "ai_pairs"
    / "06_google-gemini-hub-genai-eu_pp_2026-03-26"
    / "new.md"
)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        sys.exit(f"{path}: not found (give a policy file as argument)")
    engine = PolicyAnalyzer()
    version = engine.load(path)
    clauses = segment(version, engine.nlp)
    engine.registry.analyze(clauses, list(engine.nlp.pipe(c.text for c in clauses)))  # warm-up
    totals: list[float] = []
    per: dict[str, list[float]] = {r.name: [] for r in engine.registry.recognizers}
    n = 0
    for _ in range(5):
        docs = list(engine.nlp.pipe(c.text for c in clauses))
        t0 = time.perf_counter()
        n = 0
        for r in engine.registry.recognizers:
            t = time.perf_counter()
            n += len(r.analyze(clauses, docs))
            per[r.name].append(time.perf_counter() - t)
        totals.append(time.perf_counter() - t0)
    print(
        f"file: {path.name} ({version.size / 1024:.0f} KB), clauses: {len(clauses)}, "
        f"annotations: {n}"
    )
    print(f"annotate (all recognizers, warm, median of 5): {statistics.median(totals):.3f} s")
    for name, ts in per.items():
        print(f"  {name:<32} {statistics.median(ts) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()

"""Time ingest + segment + align on a real pair of ~170 KB policy versions.

Usage (from the repository root)::

    python benchmarks/bench_align.py [OLD NEW] [--repeat N]

Without paths it uses the Gemini privacy hub pair in
``../shared/corpora/ai_pairs/06_google-gemini-hub-genai-eu_pp_2026-03-26`` (set
``POLICYDIFF_CORPORA`` to point elsewhere). It prints the
best and median wall time of each stage over ``--repeat`` warm runs (library calls, the
spaCy pipeline already built), the time of the first (cold-ish) run in this process, and the
peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.align import align  # noqa: E402
from analyzer.ingest import read_path  # noqa: E402
from analyzer.nlp import get_nlp  # noqa: E402
from analyzer.segment import segment  # noqa: E402

CORPORA = Path(os.environ.get("POLICYDIFF_CORPORA", ROOT.parent / "shared" / "corpora"))
DEFAULT = CORPORA / "ai_pairs" / "06_google-gemini-hub-genai-eu_pp_2026-03-26"


def run_once(old: Path, new: Path, nlp) -> tuple[dict[str, float], dict[str, int]]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    a, b = read_path(old), read_path(new)
    t1 = time.perf_counter()
    ca, cb = segment(a, nlp), segment(b, nlp)
    t2 = time.perf_counter()
    changes = align(ca, cb)
    t3 = time.perf_counter()
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    times = {"ingest": t1 - t0, "segment": t2 - t1, "align": t3 - t2, "total": t3 - t0}
    return times, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    old, new = args.paths if len(args.paths) == 2 else (DEFAULT / "old.md", DEFAULT / "new.md")
    if not old.exists() or not new.exists():
        sys.exit(f"missing input: {old} / {new} (pass OLD NEW explicitly)")
    t = time.perf_counter()
    nlp = get_nlp()
    build = time.perf_counter() - t
    first, counts = run_once(old, new, nlp)
    runs = [run_once(old, new, nlp)[0] for _ in range(args.repeat)]
    print(f"pair: {old} ({old.stat().st_size:,} B) -> {new} ({new.stat().st_size:,} B)")
    print(f"changes: {counts}")
    print(f"spaCy blank pipeline build: {build * 1000:.0f} ms")
    print("first run: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in first.items()))
    for stage in ("ingest", "segment", "align", "total"):
        vals = [r[stage] for r in runs]
        print(
            f"warm {stage:8s} best {min(vals) * 1000:7.1f} ms   "
            f"median {statistics.median(vals) * 1000:7.1f} ms   (n={len(vals)})"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()

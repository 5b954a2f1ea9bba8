"""The long fuzzing run of issue 12: mutants of real policies and random structures through
every stage and report, checked by ``tests.hostile.fuzz.check``.

    python benchmarks/fuzz.py [--seed 12] [--minutes 20] [--corpora ../shared/corpora]
                              [--limit-seconds 60]

Inputs alternate between byte-level mutants (``fuzz.mutate``) of the real policies under
``policy_versions/`` and ``ai_pairs/`` of the corpora, and random Markdown/HTML/text
structures (``fuzz.structure``), all from one ``random.Random(seed)``: a run is reproducible
from its seed and count. Each input runs under a time limit (``deadline.time_limit``,
``--limit-seconds``); going over it counts as a hang. Prints the count, sizes, results,
the slowest inputs and the process's peak memory; writes each failing input to
``--failures DIR`` (default ``fuzz-failures/``) and exits 1 if there was any.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.deadline import time_limit  # noqa: E402
from analyzer.errors import TimeLimitError  # noqa: E402
from tests.hostile import fuzz  # noqa: E402


def _policies(corpora: Path) -> list[Path]:
    files = sorted(corpora.glob("policy_versions/**/*.md")) + sorted(
        corpora.glob("policy_versions/**/*.md.gz")
    )
    files += sorted(corpora.glob("ai_pairs/*/*.md"))
    return files


def _read(p: Path) -> bytes:
    data = p.read_bytes()
    return gzip.decompress(data) if p.name.endswith(".gz") else data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--limit-seconds", type=float, default=60.0)
    ap.add_argument("--failures", type=Path, default=Path("fuzz-failures"))
    opts = ap.parse_args()
    from analyzer.engine import PolicyAnalyzer

    engine = PolicyAnalyzer()
    base = engine.analyze(ROOT / "corpora" / "examples" / "2024-01-15_chirp-privacy-policy.md")
    files = _policies(opts.corpora)
    if not files:
        sys.exit(f"no policies under {opts.corpora}")
    rng = random.Random(opts.seed)
    results: Counter[str] = Counter()
    slowest: list[tuple[float, int, str]] = []
    failures = 0
    total_bytes = 0
    n = 0
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    while time.perf_counter() - t0 < opts.minutes * 60:
        n += 1
        if n % 2:
            src = rng.choice(files)
            data = fuzz.mutate(_read(src), rng)
            ext = rng.choice((".md", ".md", ".html", ".txt", ""))
            name = f"mutant{n}-{src.stem[:20]}{ext}"
        else:
            fmt = rng.choice(("md", "html", "txt"))
            data = fuzz.structure(rng, fmt).encode("utf-8", "surrogatepass")
            name = f"structure{n}.{fmt}"
        total_bytes += len(data)
        try:
            with time_limit(opts.limit_seconds, name):
                out = fuzz.check(engine, base, data, name)
            results["ok" if out.result == "ok" else "input error"] += 1
            slowest = sorted([*slowest, (out.seconds, len(data), name)], reverse=True)[:5]
        except (fuzz.FuzzFailure, TimeLimitError) as exc:
            failures += 1
            kind = (
                "hang"
                if isinstance(exc, TimeLimitError) or isinstance(exc.__cause__, TimeLimitError)
                else "crash"
            )
            results[kind] += 1
            opts.failures.mkdir(parents=True, exist_ok=True)
            (opts.failures / name).write_bytes(data)
            print(f"FAIL ({kind}) {name}: {exc}", flush=True)
        if n % 50 == 0:
            print(f"{n} inputs, {time.perf_counter() - t0:.0f} s, {dict(results)}", flush=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"seed {opts.seed}: {n} inputs ({total_bytes / 1e6:.1f} MB, {len(files)} source policies) "
        f"in {wall / 60:.1f} min wall, {time.process_time() - cpu0:.0f} s CPU; results "
        f"{dict(results)}; peak memory {peak:.0f} MB; pid {os.getpid()}"
    )
    print("slowest: " + "; ".join(f"{name} ({size:,} B) {s:.1f} s" for s, size, name in slowest))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

"""Cold ``policydiff compare`` of two checkouts, run alternately: wall and CPU medians.

On a shared machine the wall time of one cold run swings with the load; running the old and
the new code one after the other, several times, and reporting the CPU time of each process
(``ru_utime + ru_stime`` from ``os.wait4``, which other jobs inflate much less) gives a fair
comparison. Each run is ``python cli.py compare OLD NEW --format json`` in the checkout, with
the checkout first on ``PYTHONPATH``, pinned to one CPU, after each checkout's bytecode is
compiled as an installation does (``--source`` to skip that; ``benchmarks/_cold.py``).

Usage (from the repository root)::

    python benchmarks/cold_ab.py /path/to/old/checkout . --runs 5
    python benchmarks/cold_ab.py A B --pair corpora/examples/a.md corpora/examples/b.md

Default pairs: the bundled examples (2024-01-15 -> 2024-06-26) and the largest real pair of
the shared corpora, ``ai_pairs/08_google-gemini-hub-genai-eu_pp_2026-08-10`` (about 185 KB
each).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cold import conditions, one_core, prepare  # noqa: E402

EXAMPLES = (
    "corpora/examples/2024-01-15_chirp-privacy-policy.md",
    "corpora/examples/2024-06-26_chirp-privacy-policy.md",
)
REAL = "ai_pairs/08_google-gemini-hub-genai-eu_pp_2026-08-10"


def run(tree: Path, old: str, new: str, env: dict[str, str]) -> tuple[float, float]:
    """One cold compare in ``tree``: (wall seconds, CPU seconds of the process)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "cli.py", "compare", old, new, "--format", "json"],
        cwd=tree,
        stdout=subprocess.DEVNULL,
        env={**env, "PYTHONPATH": str(tree)},
        preexec_fn=one_core(),
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"Error: compare failed in {tree}")
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trees", nargs="+", type=Path, help="checkouts to compare (e.g. old new)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pair", nargs=2, metavar=("OLD", "NEW"), help="one pair instead")
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument(
        "--source",
        action="store_true",
        help="do not compile the checkouts' bytecode first (see benchmarks/_cold.py)",
    )
    args = ap.parse_args()
    envs = {tree: prepare(tree.resolve(), args.source) for tree in args.trees}
    pairs = {"examples": (str(ROOT / EXAMPLES[0]), str(ROOT / EXAMPLES[1]))}
    real = args.corpora / REAL
    if args.pair:
        pairs = {"pair": (str(Path(args.pair[0]).resolve()), str(Path(args.pair[1]).resolve()))}
    elif real.is_dir():
        pairs["real ~185 KB"] = (str(real / "old.md"), str(real / "new.md"))
    times: dict[tuple[str, Path], list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        for name, (old, new) in pairs.items():
            for tree in args.trees:
                times.setdefault((name, tree), []).append(run(tree.resolve(), old, new, envs[tree]))
    print(conditions(args.source))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), runs={args.runs}")
    for (name, tree), res in times.items():
        walls, cpus = [w for w, _ in res], [c for _, c in res]
        print(
            f"{name:<14} {str(tree):<28} wall median {statistics.median(walls):.2f} s "
            f"(min {min(walls):.2f})  CPU median {statistics.median(cpus):.2f} s "
            f"(min {min(cpus):.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

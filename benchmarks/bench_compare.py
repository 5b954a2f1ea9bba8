"""Benchmark ``policydiff compare`` on two real ~170-190 KB policy versions.

Prints wall time cold (process start to exit of ``compare ... --format json``, median of
several runs), the cold time split into its parts (below), warm wall and CPU time (library
call on an engine that is already built, median of N; CPU from ``time.process_time``,
which other load on the machine does not inflate), and peak memory (``ru_maxrss`` of each
child process, from ``os.wait4``). Nothing computed for one compare call is reused by the
next (the classifiers' vocabulary lookup tables are built once per process, like the loaded
models). Targets: cold <= 1.5 s for the real pair and <= 1.2 s for the bundled examples
(issue 15; ``--old``/``--new`` or ``--examples``), warm <= 0.3 s, peak <= 400 MB.

The cold split comes from separate cold runs of this script's ``--child`` mode, which does
what ``policydiff compare OLD NEW --format json`` does, by the same library calls, and
timestamps each part: *interpreter* (process start until the first line of the script runs:
starting Python and ``site``), *imports* (the CLI module and the modules the compare command
imports), *engine build* (``default_analyzer()``: the spaCy pipeline, the recognizers and
their pattern sets, the models), *first compare* (reading, analyzing and comparing the two
versions, rendering the JSON report), and *exit* (until the parent sees the process end;
like ``policydiff compare``, the child ends without the interpreter's teardown).
Each part is given as wall time and as CPU time of the process (the latter does not grow
with other load on the machine; the interpreter part has no CPU figure). Medians over the
runs.

Usage (from the repository root)::

    python benchmarks/bench_compare.py                      # default pair, see --help
    python benchmarks/bench_compare.py --cold-runs 5 --warm-runs 20 --json
    python benchmarks/bench_compare.py --old A.md --new B.md
    python benchmarks/bench_compare.py --examples             # the bundled example pair

The default pair is ``ai_pairs/06_google-gemini-hub-genai-eu_pp_2026-03-26/{old,new}.md``
(about 170 KB each) under the shared corpora: ``--corpora``, else ``$POLICYDIFF_CORPORA``,
else ``../shared/corpora`` next to the repository. Run it on an otherwise idle machine; each
cold run is pinned to one CPU, after the checkout's bytecode is compiled as an installation
does (``--source`` to skip that; ``benchmarks/_cold.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _cold import conditions, one_core, prepare  # noqa: E402

DEFAULT_PAIR = "ai_pairs/06_google-gemini-hub-genai-eu_pp_2026-03-26"
TARGETS = {"cold_s": 2.0, "warm_s": 0.3, "warm_cpu_s": 0.3, "peak_mb": 400.0}


def corpora_dir(arg: str | None) -> Path:
    for cand in (
        arg,
        os.environ.get("POLICYDIFF_CORPORA"),
        str(ROOT.parent / "shared" / "corpora"),
    ):
        if cand and Path(cand).is_dir():
            return Path(cand)
    sys.exit(
        "Error: shared corpora not found (give --corpora PATH, set POLICYDIFF_CORPORA, "
        "or pass --old and --new)"
    )


def run_cold(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run ``cmd`` once; return (wall seconds, child peak RSS in MB, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=one_core(),
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"Error: the command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    rss_mb = usage.ru_maxrss / 1024  # Linux: kilobytes
    return wall, rss_mb, proc.returncode


def child(old: str, new: str) -> None:
    """``--child``: one cold compare, timestamped part by part (module docstring); prints
    one JSON line. The clocks are read first thing: ``time`` is a built-in module."""
    t_start, c_start = time.time(), time.process_time()
    sys.path.insert(0, str(ROOT))
    import cli  # noqa: F401  (the CLI module, as ``policydiff`` imports it)
    from analyzer._gc import gc_paused
    from analyzer.classify.linear import numpy_products
    from analyzer.engine import default_analyzer
    from analyzer.report import render

    t_imports, c_imports = time.time(), time.process_time()
    with gc_paused(), numpy_products():  # as the compare command runs
        engine = default_analyzer()
        t_build, c_build = time.time(), time.process_time()
        comparison = engine.compare(engine.load(old), engine.load(new))
        with open(os.devnull, "w", encoding="utf-8") as fh:
            fh.write(render(comparison, "json"))
    t_done, c_done = time.time(), time.process_time()
    print(
        json.dumps(
            {
                "start": t_start,
                "imports_s": t_imports - t_start,
                "imports_cpu_s": c_imports - c_start,
                "build_s": t_build - t_imports,
                "build_cpu_s": c_build - c_imports,
                "compare_s": t_done - t_build,
                "compare_cpu_s": c_done - c_build,
                "done": t_done,
                "modules": sorted(sys.modules),
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)  # as ``policydiff compare`` ends: without the interpreter's teardown


def run_split(
    old: Path, new: Path, runs: int, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Cold runs of :func:`child`: the median of each part (module docstring)."""
    parts: dict[str, list[float]] = {}
    modules: list[str] = []
    for _ in range(runs):
        t0 = time.time()
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(old), str(new)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=one_core(),
            env=env,
        )
        out, err = proc.communicate()
        t_end = time.time()
        if proc.returncode != 0:
            sys.exit(f"Error: the --child run failed:\n{err.decode('utf-8', 'replace')}")
        rec = json.loads(out.decode("utf-8").strip().splitlines()[-1])
        modules = rec.pop("modules")
        rec["interpreter_s"] = rec["start"] - t0
        rec["exit_s"] = t_end - rec["done"]
        rec["total_s"] = t_end - t0
        for k, v in rec.items():
            if k.endswith("_s"):
                parts.setdefault(k, []).append(v)
    heavy = sorted(
        {m.split(".")[0] for m in modules}
        & {"sklearn", "scipy", "skops", "polars", "jinja2", "pypdf", "bs4", "lxml", "dask"}
    )
    return {
        **{f"split_{k}": statistics.median(v) for k, v in parts.items()},
        "split_runs": runs,
        "split_heavy_modules": heavy,  # type: ignore[dict-item]
    }


def run_warm(old: Path, new: Path, runs: int) -> dict[str, float]:
    """Time library calls on one engine: full compare from paths, and compare of analyzed
    versions (align + assess only)."""
    sys.path.insert(0, str(ROOT))
    from analyzer.engine import PolicyAnalyzer

    t0 = time.perf_counter()
    engine = PolicyAnalyzer()
    build = time.perf_counter() - t0
    # warm the engine on the bundled examples (lazy loads: pattern files, first model calls),
    # then time the first compare of this pair: a warm process meeting a pair it has not seen
    examples = sorted((ROOT / "corpora" / "examples").glob("*_chirp-privacy-policy.md"))
    engine.compare(str(examples[0]), str(examples[-1]))
    c = time.process_time()
    engine.compare(str(old), str(new))
    first_cpu = time.process_time() - c
    full: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        comparison = engine.compare(str(old), str(new))
        full.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    a, b = engine.analyze(str(old)), engine.analyze(str(new))
    aligned: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        engine.compare(a, b)
        aligned.append(time.perf_counter() - t)
    import resource

    from analyzer.engine import gc_paused

    with gc_paused():  # as the engine runs its stages
        stages = stage_times(engine, old, new)
    return {
        **stages,
        "engine_build_s": build,
        "warm_s": statistics.median(full),
        "warm_cpu_s": statistics.median(cpu),
        "warm_cpu_min_s": min(cpu),
        "warm_first_cpu_s": first_cpu,
        "warm_min_s": min(full),
        "warm_max_s": max(full),
        "warm_align_assess_s": statistics.median(aligned),
        "warm_process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "clauses_old": len(a.clauses),
        "clauses_new": len(b.clauses),
        "findings": len(comparison.findings),
        "substantive_changes": len(comparison.substantive_changes),
    }


def _model_recognizer(engine):  # type: ignore[no-untyped-def]
    for r in engine.registry.recognizers:
        if r.name == "policydiff.models.v1":
            return r
    return None


def stage_times(engine, old: Path, new: Path, runs: int = 5) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """CPU seconds of each stage inside ``engine.compare(old, new)`` (median of ``runs``;
    both versions together), to see where time goes. Each stage function the engine calls
    is wrapped with ``time.process_time`` for the duration of the measurement."""
    import analyzer.engine as eng

    totals: dict[str, float] = {}

    def timed(f, label):  # type: ignore[no-untyped-def]
        def w(*a, **k):  # type: ignore[no-untyped-def]
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                totals[label] = totals.get(label, 0.0) + time.process_time() - t

        return w

    patches = [
        (engine, "load", "ingest"),
        (eng, "segment", "segment"),
        (engine, "_docs", "tokenize"),
        *((r, "passes", f"annotate_{r.name}") for r in engine.registry.recognizers),
        # the AI-training model's share of the AI-training recognizer (gate, features, scores)
        *(
            (r, "_model_scores", "ai_training_model")
            for r in engine.registry.recognizers
            if hasattr(r, "_model_scores")
        ),
        (eng, "combine_each", "combine"),
        (eng, "align", "align"),
        (eng, "assess_comparison", "assess"),
    ]
    saved = [(obj, name, getattr(obj, name)) for obj, name, _ in patches]
    runs_by_stage: dict[str, list[float]] = {}
    try:
        for obj, name, label in patches:
            setattr(obj, name, timed(getattr(obj, name), label))
        for _ in range(runs):
            totals.clear()
            engine.compare(str(old), str(new))
            for k, v in totals.items():
                runs_by_stage.setdefault(k, []).append(v)
    finally:
        for obj, name, orig in saved:
            if isinstance(obj, types.ModuleType):
                setattr(obj, name, orig)
            else:
                obj.__dict__.pop(name, None)  # the wrapper was an instance attribute
    return {f"stage_{k}_s": statistics.median(v) for k, v in runs_by_stage.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", help="path of the shared corpora (default ../shared/corpora)")
    ap.add_argument("--old", type=Path, help="old version (default: the ai_pairs/06 pair)")
    ap.add_argument("--new", type=Path, help="new version")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--warm-runs", type=int, default=10)
    ap.add_argument(
        "--command",
        default=f"{sys.executable} cli.py",
        help="how to start policydiff for the cold runs (default: '%(default)s'; "
        "e.g. 'policydiff' for the installed console script)",
    )
    ap.add_argument(
        "--examples",
        action="store_true",
        help="use the bundled example pair (corpora/examples, 2024-01-15 -> 2024-06-26)",
    )
    ap.add_argument(
        "--split-runs", type=int, default=5, help="cold runs of the split (0: no split)"
    )
    ap.add_argument("--no-warm", action="store_true", help="cold figures only")
    ap.add_argument(
        "--source",
        action="store_true",
        help="do not compile the checkout's bytecode first: each cold start compiles the "
        "modules from source (as under PYTHONDONTWRITEBYTECODE=1 without .pyc files)",
    )
    ap.add_argument("--child", nargs=2, metavar=("OLD", "NEW"), help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)

    if args.child:
        child(*args.child)
        return 0
    if args.examples:
        ex = ROOT / "corpora" / "examples"
        old, new = (
            ex / "2024-01-15_chirp-privacy-policy.md",
            ex / "2024-06-26_chirp-privacy-policy.md",
        )
    elif args.old and args.new:
        old, new = args.old, args.new
    else:
        pair = corpora_dir(args.corpora) / DEFAULT_PAIR
        old, new = pair / "old.md", pair / "new.md"
    for p in (old, new):
        if not p.is_file():
            sys.exit(f"Error: {p}: no such file (give --old and --new)")

    env = prepare(ROOT, args.source)
    cmd = args.command.split() + ["compare", str(old), str(new), "--format", "json"]
    cold = [run_cold(cmd, env) for _ in range(args.cold_runs)]
    walls = [w for w, _, _ in cold]
    peaks = [m for _, m, _ in cold]
    split = run_split(old, new, args.split_runs, env) if args.split_runs else {}
    warm = {} if args.no_warm else run_warm(old, new, args.warm_runs)

    figures = {
        "old": str(old),
        "new": str(new),
        "old_kb": round(old.stat().st_size / 1024, 1),
        "new_kb": round(new.stat().st_size / 1024, 1),
        "cold_runs": args.cold_runs,
        "warm_runs": args.warm_runs,
        "cold_s": statistics.median(walls),
        "cold_min_s": min(walls),
        "cold_max_s": max(walls),
        "peak_mb": max(peaks),
        "conditions": conditions(args.source),
        **split,
        **warm,
    }
    targets = {**TARGETS, "cold_s": 1.2 if args.examples else 1.5}
    if args.json:
        print(json.dumps({**figures, "targets": targets}, indent=2))
        return 0
    print(
        f"policydiff compare benchmark: {old} ({figures['old_kb']} KB) -> "
        f"{new} ({figures['new_kb']} KB)"
    )
    print(figures["conditions"])
    if warm:
        print(
            f"clauses {warm['clauses_old']} -> {warm['clauses_new']}, "
            f"{warm['substantive_changes']} substantive changes, {warm['findings']} findings"
        )
    print()
    rows: list[tuple[str, str, str, str | None]] = [
        (
            "cold: process start to exit (median)",
            f"{figures['cold_s']:.3f} s",
            f"min {figures['cold_min_s']:.3f} / max {figures['cold_max_s']:.3f}, "
            f"n={args.cold_runs}",
            "cold_s",
        ),
    ]
    if split:
        n = split["split_runs"]
        rows.append(
            (
                "cold split (--child runs, median)",
                f"{split['split_total_s']:.3f} s",
                f"wall, n={n}; CPU where given",
                None,
            )
        )
        for label, key in (
            ("interpreter", "interpreter"),
            ("imports", "imports"),
            ("engine build", "build"),
            ("first compare (+ JSON)", "compare"),
            ("exit", "exit"),
        ):
            cpu = split.get(f"split_{key}_cpu_s")
            rows.append(
                (
                    f"  split: {label}",
                    f"{split[f'split_{key}_s']:.3f} s",
                    f"CPU {cpu:.3f} s" if cpu is not None else "",
                    None,
                )
            )
        heavy = ", ".join(split["split_heavy_modules"]) or "none"  # type: ignore[arg-type]
        rows.append(("  modules not needed, imported", heavy, "", None))
    if warm:
        rows += [
            (
                "warm: engine.compare(paths) (median)",
                f"{warm['warm_s']:.3f} s",
                f"min {warm['warm_min_s']:.3f} / max {warm['warm_max_s']:.3f}, n={args.warm_runs}",
                "warm_s",
            ),
            (
                "warm: engine.compare(paths) CPU (median)",
                f"{warm['warm_cpu_s']:.3f} s",
                f"time.process_time; min {warm['warm_cpu_min_s']:.3f}",
                "warm_cpu_s",
            ),
            (
                "warm, first compare of this pair: CPU",
                f"{warm['warm_first_cpu_s']:.3f} s",
                "engine warmed on the bundled examples only",
                None,
            ),
            (
                "warm: compare of analyzed versions",
                f"{warm['warm_align_assess_s']:.3f} s",
                "align + assess only",
                None,
            ),
            ("engine build (first use)", f"{warm['engine_build_s']:.3f} s", "", None),
            *(
                (
                    f"  stage: {k[6:-2].replace('annotate_policydiff.', '')}",
                    f"{warm[k]:.3f} s",
                    "CPU within compare (both versions)",
                    None,
                )
                for k in warm
                if k.startswith("stage_")
            ),
        ]
    rows.append(
        (
            "peak memory of the cold process",
            f"{figures['peak_mb']:.0f} MB",
            "ru_maxrss, max",
            "peak_mb",
        )
    )
    print(f"{'metric':<40} {'value':>10}  {'target':>9}  {'':<4} detail")
    for name, value, detail, key in rows:
        target = ""
        verdict = ""
        if key:
            unit = "MB" if key == "peak_mb" else "s"
            target = f"<= {targets[key]:g} {unit}"
            verdict = "ok" if figures[key] <= targets[key] else "MISS"
        print(f"{name:<40} {value:>10}  {target:>9}  {verdict:<4} {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of ``policydiff scan`` over the shared version histories.

Prints, for ``--jobs 1`` and ``--jobs 2`` (each into a fresh database): versions/s and
words/s of the full scan (reading, noise rules, analysis, successive diffs, timelines,
database writes); in the same run the throughput of bare ``spacy.blank("en")`` tokenization
of the same texts on one core, the ratio of the two, the jobs-2 speed-up and the peak
resident memory of the main process and of the largest worker.

Words/s counts the words of the versions the scan actually analyzed (duplicates and
text-identical captures are skipped by the noise rules, never tokenized), and the
tokenization baseline runs over exactly those texts, so the ratio compares like with like.
The "all files" figure divides the words of every file read by the scan time.

Usage::

    python benchmarks/bench_scan.py [CORPUS] [--jobs 1 2] [--limit N]
    python benchmarks/bench_scan.py --synthetic 10 50 [--synthetic 100 100] [--jobs 1 2] [--dask]

With ``--synthetic N M`` (repeatable) the corpus is built by ``benchmarks/synth_corpus.py``
(N services x M versions from the shared histories' text, with realistic edits and capture
noise), and for each size and setting the benchmark prints the database size, the scan
time per version, and, from a rescan after one more capture of each service, the bytes
each added capture cost against the clauses it changed and the clauses the document has.

CORPUS defaults to ``../shared/corpora/policy_versions`` next to the repository.
Targets (issue 4): scan >= 25% of bare tokenization on one core, jobs-2 >= 1.7x jobs-1,
peak memory <= 1 GB per process.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.scan import scan  # noqa: E402
from analyzer.sources import discover  # noqa: E402


def rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def analyzed_texts(db: Path) -> list[str]:
    with sqlite3.connect(db) as c:
        return [
            r[0]
            for r in c.execute(
                "SELECT t.text FROM version_texts t JOIN versions v ON v.id = t.version_id "
                "WHERE v.status = 'ok' ORDER BY v.id"
            )
        ]


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def tokenize_rate(texts: list[str]) -> tuple[float, float, int]:
    """(words per wall second, words per CPU second, tokens) of bare tokenization."""
    import spacy

    nlp = spacy.blank("en")
    nlp.max_length = 20_000_000
    t0, c0 = time.perf_counter(), cpu_self()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=16):
        tokens += len(doc)
    elapsed, cpu = time.perf_counter() - t0, cpu_self() - c0
    words = sum(len(t.split()) for t in texts)
    return words / elapsed, words / cpu, tokens


def run_child(paths: list[str], db: Path, jobs: int) -> dict:
    """Run one ``scan`` in a fresh Python process and return its figures.

    Each ``--jobs`` setting starts cold (imports, models, worker processes), as a real
    ``policydiff scan`` does; run in this process, a later setting would reuse the engine
    built by an earlier one and look faster than it is.
    """
    import json
    import subprocess

    before = host_cpu()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(jobs), "--db", str(db), *paths],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    after = host_cpu()
    rec = json.loads(out.strip().splitlines()[-1])
    rec["host"] = {k: after[k] - before[k] for k in before}
    return rec


def host_cpu() -> dict[str, float]:
    """Seconds of the machine's CPU time so far, from ``/proc/stat``: ``busy`` (user, nice,
    system, irq, softirq), ``idle`` and ``steal`` (time the hypervisor gave this virtual
    machine's CPUs to others); zeros where ``/proc/stat`` is missing. A run whose workers
    need more CPU for the same work than another run, while idle time stays, was slowed by
    the host, not by the scan."""
    import os

    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return {"busy": 0.0, "idle": 0.0, "steal": 0.0}
    v = [float(x) / os.sysconf("SC_CLK_TCK") for x in fields]
    return {"busy": v[0] + v[1] + v[2] + v[5] + v[6], "idle": v[3] + v[4], "steal": v[7]}


def child(paths: list[str], db: Path, jobs: int) -> None:
    """The ``--child`` side of :func:`run_child`: one timed scan, figures as JSON
    (``jobs`` 0 means ``--dask local`` with 2 workers)."""
    import json

    t0, c0 = time.perf_counter(), cpu_self()
    if jobs == 0:
        summary = scan(paths, db=db, jobs=2, dask="local")
    else:
        summary = scan(paths, db=db, jobs=jobs)
    elapsed, cpu = time.perf_counter() - t0, cpu_self() - c0
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": cpu,
                "versions": summary.versions,
                "versions_analyzed": summary.versions_analyzed,
                "words_analyzed": summary.words_analyzed,
                "errors": len(summary.errors),
                "series_cpu_seconds": summary.series_cpu_seconds,
                "series_wall_seconds": summary.series_wall_seconds,
                "peak_worker_rss_mb": summary.peak_worker_rss_mb,
                "read_ahead_cpu": summary.read_ahead_cpu_seconds,
                "main_rss_mb": rss_mb(resource.RUSAGE_SELF),
            }
        )
    )


def payload_bytes(db: Path) -> int:
    """Bytes of the rows and indexes in the database (SQLite's ``dbstat``: page bytes
    minus unused space), which does not move in whole pages like the file size."""
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT sum(pgsize - unused) FROM dbstat").fetchone()[0] or 0)


def controlled_growth(corpus: Path, db: Path) -> None:
    """Bytes a capture adds when it rewords 1, 4 or 16 paragraphs of the shortest and of the
    longest document of the corpus (rescanned one capture at a time)."""
    import random
    import re

    from synth_corpus import reword

    with sqlite3.connect(db) as c:
        docs = c.execute(
            "SELECT d.service, v.clause_count, v.source FROM versions v JOIN documents d "
            "ON d.id = v.document_id WHERE v.clause_count IS NOT NULL AND v.seq = "
            "(SELECT max(seq) FROM versions w WHERE w.document_id = v.document_id "
            "AND w.clause_count IS NOT NULL) ORDER BY v.clause_count"
        ).fetchall()
    if len(docs) < 2:
        return
    for service, clauses, source in (docs[0], docs[-1]):
        folder = Path(source).parent
        text = Path(source).read_text(encoding="utf-8")
        for k in (1, 4, 16):
            rng = random.Random(k)
            paras = re.split(r"\n\s*\n", text)
            for n in rng.sample(range(len(paras)), min(k * 3, len(paras))):
                if k <= 0:
                    break
                new = reword(paras[n], rng)
                if new != paras[n]:
                    paras[n] = new
                    k -= 1
            last = sorted(folder.glob("*.md"))[-1].name[:10]
            day = f"{int(last[:4]) + 1}{last[4:10]}"
            Path(folder / f"{day}T00-00-00_ctrl{len(paras)}.md").write_text(
                "\n\n".join(paras), encoding="utf-8"
            )
            before = payload_bytes(db)
            scan([str(corpus)], db=db, jobs=1)
            grown = payload_bytes(db) - before
            with sqlite3.connect(db) as c:
                vid, status = c.execute(
                    "SELECT v.id, v.status FROM versions v JOIN documents d "
                    "ON d.id = v.document_id WHERE d.service = ? ORDER BY v.seq DESC LIMIT 1",
                    (service,),
                ).fetchone()
                changed = c.execute(
                    "SELECT count(*) FROM changes WHERE version_id = ? AND substantive = 1",
                    (vid,),
                ).fetchone()[0]
            print(
                f"  controlled: {service} ({clauses} clauses), a capture rewording paragraphs: "
                f"{changed} changed clauses ({status}), +{grown:,} bytes of rows"
            )


def synthetic(
    sizes: list[tuple[int, int]],
    settings: list[int],
    keep: bool,
    repeat: int = 1,
    growth: bool = True,
) -> None:
    """The ``--synthetic`` benchmark (see the module docstring). With ``repeat`` > 1 each
    setting runs that many times per size, the settings alternating (1, 2, 1, 2, ...), each
    into a fresh database, and every run's jobs-2 speed-up is printed; ``growth`` False
    skips the added-capture and controlled measures."""
    import shutil

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import statistics

    from synth_corpus import build

    #: setting -> per size (in order), the time per version of each run
    per_version: dict[int, list[list[float]]] = {}
    #: the same, the workers' series CPU per version (start-up excluded)
    series_cpu_of: dict[int, list[list[float]]] = {}
    for n, m in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench_synth_{n}x{m}_"))
        corpus = tmp / "corpus"
        counts = build(corpus, n, m + 1)
        # the last capture of each service is held back for the incremental measure
        last = {}
        for folder in sorted(corpus.glob("*/*")):
            files = sorted(folder.glob("*.md"))
            last[folder] = files[-1]
            files[-1].rename(tmp / f"{folder.parent.name}.held")
        size_mb = sum(f.stat().st_size for f in corpus.rglob("*.md")) / 1e6
        print(
            f"synthetic {n} x {m}: {n * m} files ({size_mb:.0f} MB), made {counts} "
            f"(the {n} held-back captures excluded)"
        )
        for jobs in settings:
            per_version.setdefault(jobs, []).append([])
            series_cpu_of.setdefault(jobs, []).append([])
        for rep, jobs in ((rep, jobs) for rep in range(repeat) for jobs in settings):
            db = tmp / f"s{jobs}.sqlite"
            db.unlink(missing_ok=True)
            r = run_child([str(corpus)], db, jobs)
            name = "--dask local" if jobs == 0 else f"--jobs {jobs}"
            size = db.stat().st_size
            tpv = r["elapsed"] / r["versions"]
            per_version[jobs][-1].append(tpv)
            series_cpu = sum(r["series_cpu_seconds"]) / r["versions"]
            series_cpu_of[jobs][-1].append(series_cpu)
            if jobs == 2:
                span = makespan(r["series_cpu_seconds"], 2)
                total = sum(r["series_cpu_seconds"])
                # the series' CPU includes what the main process read for them while the
                # workers started; the rest of the main process's CPU is the writer's
                ahead = r.get("read_ahead_cpu", 0.0)
                writer = r["cpu"] - ahead
                print(
                    f"  --jobs 2 schedule bound on 2 idle cores: "
                    f"{min(2.0, (total + writer) / max(span, writer)):.2f}x (series CPU "
                    f"{total:.1f}s over a 2-worker makespan of {span:.1f}s, writer CPU "
                    f"{writer:.1f}s; read ahead by the main process while the workers "
                    f"started: {ahead:.1f}s)"
                )
            words = r["words_analyzed"]
            print(
                f"  scan {name}{f' (run {rep + 1})' if repeat > 1 else ''}: "
                f"{r['elapsed']:.1f}s wall, {1e6 * r['elapsed'] / max(words, 1):.0f} ms "
                f"per 1,000 analyzed words ({r['versions']} versions, "
                f"{r['versions_analyzed']} analyzed; {1000 * tpv:.0f} ms per version, "
                f"{1000 * r['elapsed'] / max(r['versions_analyzed'], 1):.0f} ms per analyzed "
                f"version; series CPU {1000 * series_cpu:.0f} ms per version, start-up "
                f"excluded; main-process CPU {r['cpu']:.1f}s); database {size / 1e6:.1f} MB, "
                f"{size / max(r['versions_analyzed'], 1) / 1e3:.1f} KB per analyzed version; "
                f"machine during the run: busy {r['host']['busy']:.1f}s, idle "
                f"{r['host']['idle']:.1f}s, steal {r['host']['steal']:.1f}s of CPU"
            )
        if 1 in per_version and 2 in per_version and repeat > 1:
            # the same versions in each run: the ratio of the times per version is the speed-up
            ups = [a / b for a, b in zip(per_version[1][-1], per_version[2][-1], strict=True)]
            print(
                f"  --jobs 2 speed-up per run at {n} x {m}: "
                + ", ".join(f"{u:.2f}x" for u in ups)
                + f" (lowest {min(ups):.2f}x; target >= 1.7x in every run)"
            )
            # the same series: above 1.00 the --jobs 2 run's workers needed more CPU for them,
            # because each worker warms its own caches (compiled regexes, vocabulary) where
            # one process warms them once, or because the host ran slower during that run
            cpu = [b / a for a, b in zip(series_cpu_of[1][-1], series_cpu_of[2][-1], strict=True)]
            print(
                f"  series CPU per version, --jobs 2 run / --jobs 1 run, per run at {n} x {m}: "
                + ", ".join(f"{c:.2f}" for c in cpu)
                + " (above 1.00: each worker's own warm-up, or a slower host during the run)"
            )
        if not growth:
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
            continue
        # incremental: one more capture per service, rescanned service by service
        db = tmp / f"s{settings[0]}.sqlite"
        rows = []
        for folder, path in last.items():
            before = payload_bytes(db)
            (tmp / f"{folder.parent.name}.held").rename(path)
            scan([str(corpus)], db=db, jobs=1)
            grown = payload_bytes(db) - before
            with sqlite3.connect(db) as c:
                vid, clauses = c.execute(
                    "SELECT v.id, v.clause_count FROM versions v JOIN documents d "
                    "ON d.id = v.document_id WHERE d.service = ? ORDER BY v.seq DESC LIMIT 1",
                    (folder.parent.name,),
                ).fetchone()
                changed = c.execute(
                    "SELECT count(*) FROM changes WHERE version_id = ?", (vid,)
                ).fetchone()[0]
            rows.append((folder.parent.name, clauses, changed, grown))
        for svc, clauses, changed, grown in rows:
            if clauses is None:
                print(f"  added capture of {svc}: not analyzed (noise), +{grown:,} bytes")
            else:
                print(
                    f"  added capture of {svc}: {clauses} clauses, {changed} changed, "
                    f"+{grown:,} bytes of rows"
                )
        analyzed = [r for r in rows if r[1] is not None]
        if len(analyzed) > 2:
            import statistics

            xs_len = [float(r[1]) for r in analyzed]
            xs_chg = [float(r[2]) for r in analyzed]
            ys = [float(r[3]) for r in analyzed]

            def corr(xs: list[float], ys: list[float]) -> float:
                try:
                    return statistics.correlation(xs, ys)
                except statistics.StatisticsError:
                    return float("nan")

            print(
                f"  bytes per added capture: median {statistics.median(ys):,.0f}; correlation "
                f"with changed clauses {corr(xs_chg, ys):.2f}, with document clauses "
                f"{corr(xs_len, ys):.2f}"
            )
        controlled_growth(corpus, db)
        if keep:
            print(f"  kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for jobs, by_size in per_version.items():
        name = "--dask local" if jobs == 0 else f"--jobs {jobs}"
        tpvs = [statistics.median(t) for t in by_size]
        ratio = tpvs[-1] / tpvs[0] if tpvs[0] else float("nan")
        print(
            f"time per version {name}{' (median of the runs)' if repeat > 1 else ''}: "
            + ", ".join(f"{1000 * t:.0f} ms" for t in tpvs)
            + f" (largest / smallest size: {ratio:.2f}x; target within 20%)"
        )
    if 1 in per_version and 2 in per_version:
        for (n, m), t1, t2 in zip(sizes, per_version[1], per_version[2], strict=True):
            ups = ", ".join(f"{a / b:.2f}x" for a, b in zip(t1, t2, strict=True))
            print(f"speed-up --jobs 2 vs --jobs 1 at {n} x {m}: {ups} (target >= 1.7x)")
    import os

    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def makespan(durations: list[float], workers: int) -> float:
    """Longest-processing-time-first schedule length (how the scan hands out series)."""
    loads = [0.0] * workers
    for d in sorted(durations, reverse=True):
        loads[loads.index(min(loads))] += d
    return max(loads)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpora" / "policy_versions")
    )
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--limit", type=int, default=0, help="Only the first N series.")
    ap.add_argument("--keep", action="store_true", help="Keep the benchmark databases.")
    ap.add_argument(
        "--synthetic",
        nargs=2,
        type=int,
        action="append",
        metavar=("N", "M"),
        help="Benchmark a synthetic corpus of N services x M versions (repeatable).",
    )
    ap.add_argument("--dask", action="store_true", help="With --synthetic: also --dask local.")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="With --synthetic: run each setting this many times (alternating) per size.",
    )
    ap.add_argument(
        "--no-growth",
        action="store_true",
        help="With --synthetic: skip the added-capture and controlled growth measures.",
    )
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        logging.basicConfig(level=logging.WARNING)
        child([args.corpus, *args.paths], Path(args.db), args.child)
        return
    if args.synthetic:
        logging.basicConfig(level=logging.WARNING)
        settings = list(args.jobs) + ([0] if args.dask else [])
        synthetic(
            [tuple(s) for s in args.synthetic],
            settings,
            args.keep,
            repeat=args.repeat,
            growth=not args.no_growth,
        )
        return
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"{corpus}: corpus folder not found (give the path to policy_versions)")
    logging.basicConfig(level=logging.WARNING)
    paths: list[str] = [str(corpus)]
    if args.limit:
        series = discover(paths).series()
        keep = {s.source for v in list(series.values())[: args.limit] for s in v}
        manifest = Path(tempfile.mkdtemp()) / "bench.jsonl"
        import json

        manifest.write_text(
            "\n".join(
                json.dumps(
                    {
                        "path": s.source,
                        "service": s.service,
                        "document_type": s.document_type,
                        "date": s.date,
                        "collection": s.collection,
                    }
                )
                for v in series.values()
                for s in v
                if s.source in keep
            )
        )
        paths = [str(manifest)]
    files = discover(paths)
    all_words = 0
    for s in files.sources:
        try:
            all_words += len(s.read_bytes().decode("utf-8", "replace").split())
        except Exception:  # noqa: BLE001 - counted by the scan as errors
            pass
    print(f"corpus: {corpus} ({len(files.sources)} files, {all_words:,} words)")
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench_scan_"))
    for jobs in args.jobs:
        db = tmp / f"jobs{jobs}.sqlite"
        r = run_child(paths, db, jobs)
        results[jobs] = r
        elapsed, cpu = r["elapsed"], r["cpu"]
        worker_cpu = sum(r["series_cpu_seconds"])
        busy = sum(r["series_wall_seconds"]) / (max(jobs, 1) * elapsed)
        print(
            f"scan --jobs {jobs}: {elapsed:.1f}s wall, main-process CPU {cpu:.1f}s, series CPU "
            f"{worker_cpu:.1f}s; {r['versions']} versions ({r['versions_analyzed']} "
            f"analyzed), {r['versions'] / elapsed:.1f} versions/s, "
            f"{r['words_analyzed'] / elapsed:,.0f} analyzed words/s, "
            f"{all_words / elapsed:,.0f} words/s over all files; errors: {r['errors']}; "
            f"workers busy {busy:.0%} of the time, CPU/wall inside series "
            f"{worker_cpu / max(sum(r['series_wall_seconds']), 1e-9):.0%}"
        )
    first_db = tmp / f"jobs{args.jobs[0]}.sqlite"
    texts = analyzed_texts(first_db)
    rate, cpu_rate, tokens = tokenize_rate(texts)
    print(
        f"bare spacy.blank('en') tokenization of the {len(texts)} analyzed texts: "
        f"{rate:,.0f} words/s wall, {cpu_rate:,.0f} words per CPU second ({tokens:,} tokens)"
    )
    if 1 in results:
        r1 = results[1]
        print(
            f"scan --jobs 1 / bare tokenization: "
            f"{(r1['words_analyzed'] / r1['elapsed']) / rate:.1%} by wall time, "
            f"{(r1['words_analyzed'] / r1['cpu']) / cpu_rate:.1%} by CPU time (target >= 25%)"
        )
    if 1 in results and 2 in results:
        r1, r2 = results[1], results[2]
        c2 = r2["cpu"]
        total2 = sum(r2["series_cpu_seconds"])
        span = makespan(r2["series_cpu_seconds"], 2)
        bound = min(2.0, (total2 + c2) / max(span, c2))
        print(
            f"speed-up jobs 2 vs jobs 1: {r1['elapsed'] / r2['elapsed']:.2f}x measured by wall "
            f"time (target >= 1.7x); schedule bound {bound:.2f}x on 2 idle cores (series CPU "
            f"{total2:.1f}s + main CPU {c2:.1f}s over the 2-worker makespan {span:.1f}s)"
        )
        print(
            f"largest series: {max(r2['series_cpu_seconds']):.1f}s CPU of "
            f"{sum(r2['series_cpu_seconds']):.1f}s"
        )
    main_rss = ", ".join(f"{r['main_rss_mb']:.0f} MB (jobs {j})" for j, r in results.items())
    worker = max((r["peak_worker_rss_mb"] for j, r in results.items() if j > 1), default=0.0)
    print(f"peak RSS: main process {main_rss}, largest worker {worker:.0f} MB (target <= 1024 MB)")
    import os

    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.keep:
        print(f"databases kept in {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

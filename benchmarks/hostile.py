"""Time and memory of every pathological shape (issue 12), each in a fresh CLI process.

    python benchmarks/hostile.py [--scale 1.0] [--shape NAME ...] [--command analyze|compare]
                                 [--timeout 120]

For each shape of ``tests/hostile/shapes.py`` (at its default size times ``--scale``) runs
``cli.py analyze FILE --format json`` and ``cli.py compare EXAMPLE FILE --format html`` and
prints the exit code, wall and CPU seconds (user + system of the process), peak memory and
the last line of stderr. The budget is 10 s of CPU and 1 GB per document; process start
(imports, models) is included. CPU time is what to compare on a shared machine: wall time
grows with the load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile import shapes  # noqa: E402

EXAMPLE = ROOT / "corpora" / "examples" / "2024-01-15_chirp-privacy-policy.md"
BUDGET_CPU, BUDGET_MB = 10.0, 1024


def run(args: list[str], timeout: float) -> tuple[int, float, float, float, str]:
    """Exit code, wall s, CPU s, peak MB and last stderr line of ``cli.py ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "cli.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout and not killed:
                proc.kill()
                killed = True
            time.sleep(0.02)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    code = os.waitstatus_to_exitcode(status)
    last = "KILLED (timeout)" if killed else (lines[-1][:110] if lines else "")
    if any(line.startswith("Traceback") for line in lines):
        last = "TRACEBACK: " + last
    cpu = usage.ru_utime + usage.ru_stime
    return code, time.perf_counter() - t0, cpu, usage.ru_maxrss / 1024, last


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--shape", action="append", choices=sorted(shapes.SHAPES))
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument(
        "--command", action="append", choices=("analyze", "compare"), help="default: both"
    )
    opts = ap.parse_args()
    over = 0
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"{'shape':27} {'bytes':>10} {'cmd':8} rc {'wall s':>7} {'cpu s':>6} {'MB':>5}  result"
        )
        for shape in opts.shape or sorted(shapes.SHAPES):
            n = max(1, int(shapes.default_size(shape) * opts.scale))
            name, data = shapes.SHAPES[shape](n)
            path = Path(tmp) / name
            path.write_bytes(data)
            commands = {
                "analyze": ["analyze", str(path), "--format", "json", "-o", os.devnull],
                "compare": [
                    "compare",
                    str(EXAMPLE),
                    str(path),
                    "--format",
                    "html",
                    "-o",
                    os.devnull,
                ],
            }
            for cmd in opts.command or list(commands):
                args = commands[cmd]
                code, wall, cpu, mb, last = run(args, opts.timeout)
                ok = code in (0, 2) and not last.startswith(("TRACEBACK", "KILLED"))
                ok = ok and cpu <= BUDGET_CPU and mb <= BUDGET_MB
                over += not ok
                print(
                    f"{shape:27} {len(data):>10,} {cmd:8} {code:>2} {wall:7.1f} {cpu:6.1f} "
                    f"{mb:5.0f}  {'ok ' if ok else 'OVER'} {last}",
                    flush=True,
                )
    print(
        f"{over} run(s) over budget (exit 0/2, no traceback, <= {BUDGET_CPU:g} s CPU, "
        f"<= {BUDGET_MB} MB)"
    )
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()

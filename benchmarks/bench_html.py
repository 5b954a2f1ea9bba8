"""Benchmark: time to render the HTML comparison report, and its size.

Target (issue 5): for two ~150 KB real versions, rendering takes <= 1 s beyond the comparison
itself, and the file is <= 3 MB.

Usage (from the repository root)::

    python benchmarks/bench_html.py                       # the default real pair
    python benchmarks/bench_html.py --case ../shared/corpora/ai_pairs/<case> --repeat 5
    python benchmarks/bench_html.py --output /tmp/report.html

Besides the comparison the pipeline gives, the report is rendered for a *stressed* copy of
it: every aligned clause pair turned into a ``modified`` change with a word diff, and a
finding with an evidence span on every fifth clause. That bounds what the full pipeline (more
modified clauses and findings than the placeholders give) can cost.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.datamodel import (  # noqa: E402
    ClauseChange,
    Comparison,
    DiffOp,
    Evidence,
    Explanation,
    Finding,
    Span,
)
from analyzer.engine import PolicyAnalyzer  # noqa: E402
from analyzer.report.html import render_comparison_html  # noqa: E402

DEFAULT_CASE = (
    ROOT.parent
    / "shared"
    / "corpora"
    / "ai_pairs"
    / ("06_google-gemini-hub-genai-eu_pp_2026-03-26")
)
SEVERITIES = ("high", "medium", "low", "info")
FLAGS = ("ai_training.added", "vague_purpose.added", "recipient.added", "purpose.added")


def stressed(comp: Comparison) -> Comparison:
    """Every matched clause as a modified change with a diff; a finding every fifth clause."""
    changes = []
    findings = []
    expl = Explanation("policydiff.bench.v1", "rule", "bench", "Synthetic finding.")
    for i, ch in enumerate(comp.changes):
        if ch.old is not None and ch.new is not None:
            words = ch.new.text.split(" ")
            cut = max(1, len(words) // 2)
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            diff = (
                DiffOp("equal", head),
                DiffOp("delete", " formerly"),
                DiffOp("insert", " " + tail if tail else ""),
            )
            old = replace(ch.old, text=head + " formerly")
            new = replace(ch.new, text=head + (" " + tail if tail else ""))
            ch = ClauseChange("modified", old, new, 0.8, True, diff)
        changes.append(ch)
        clause = ch.new or ch.old
        if clause is not None and i % 5 == 0:
            n = min(len(clause.text), 40)
            fid = "f" + hashlib.sha1(f"{i}{clause.id}".encode()).hexdigest()[:10]
            findings.append(
                Finding(
                    fid,
                    FLAGS[i % len(FLAGS)],
                    SEVERITIES[i % 4],  # type: ignore[arg-type]
                    "A synthetic finding to measure rendering cost.",
                    expl,
                    new_clause=ch.new,
                    old_clause=ch.old,
                    evidence=(
                        Evidence(
                            "new" if ch.new else "old",
                            clause.id,
                            Span(0, n, clause.text[:n]),
                            "new" if ch.new else "old",
                        ),
                    ),
                    gdpr="Art. 5(1)(b)",
                    terms=("may",),
                )
            )
    return replace(comp, changes=tuple(changes), findings=tuple(findings))


def bench(comp: Comparison, repeat: int) -> tuple[list[float], int, str]:
    times = []
    html = ""
    for _ in range(repeat):
        t = time.perf_counter()
        html = render_comparison_html(comp)
        times.append(time.perf_counter() - t)
    return times, len(html.encode("utf-8")), html


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--case",
        type=Path,
        default=DEFAULT_CASE,
        help="a folder with old.md and new.md (default: %(default)s)",
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--output", type=Path, help="also write the (unstressed) report here")
    args = ap.parse_args(argv)
    old, new = args.case / "old.md", args.case / "new.md"
    if not old.is_file() or not new.is_file():
        print(f"error: {args.case} has no old.md/new.md; pass --case", file=sys.stderr)
        return 2
    eng = PolicyAnalyzer()
    eng.compare(old, new)  # warm up the pipeline
    t = time.perf_counter()
    comp = eng.compare(old, new)
    t_compare = time.perf_counter() - t
    print(f"case: {args.case.name}")
    print(
        f"input: old {old.stat().st_size / 1024:.0f} KB, new {new.stat().st_size / 1024:.0f} KB;"
        f" {len(comp.old.clauses)} / {len(comp.new.clauses)} clauses,"
        f" {len(comp.changes)} changes, {len(comp.findings)} findings"
    )
    print(f"compare (warm): {t_compare:.3f} s")
    render_comparison_html(comp)  # first call loads templates
    ok = True
    for name, c in (("pipeline", comp), ("stressed", stressed(comp))):
        times, size, html = bench(c, args.repeat)
        med = statistics.median(times)
        ok &= med <= 1.0 and size <= 3_000_000
        print(
            f"render {name:<9} changes={len(c.changes):5d} findings={len(c.findings):4d}: "
            f"median {med:.3f} s, min {min(times):.3f} s over {args.repeat}; "
            f"size {size / 1e6:.2f} MB"
        )
        if name == "pipeline" and args.output:
            args.output.write_text(html, encoding="utf-8")
            print(f"wrote {args.output}")
    print("targets (render <= 1 s, size <= 3 MB):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark one analysis per language: the latest English and French Google privacy policy
versions of ``../shared/corpora/policy_versions`` (and a German TILTify policy), and the
one-off cost of building each language's pipeline.

Usage: python benchmarks/bench_languages.py [CORPORA] [--runs N]. Prints, per document, its
size, detected language, annotations and the CPU time of ``PolicyAnalyzer.analyze`` after a
warm-up run (median and all of N runs); then the time to build ``get_nlp(lang)`` in a fresh
process for en, de and fr.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.engine import PolicyAnalyzer  # noqa: E402
from analyzer.ingest import from_text, read_path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpora", nargs="?", default=str(ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    root = Path(args.corpora)
    versions = root / "policy_versions"
    docs = {
        "en Google": read_path(sorted((versions / "contrib" / "Google").rglob("*.md"))[-1]),
        "fr Google": read_path(sorted((versions / "france" / "Google").rglob("*.md"))[-1]),
    }
    tiltify = root / "tiltify" / "otto.json"
    if tiltify.is_file():
        import json

        data = json.loads(tiltify.read_text(encoding="utf-8"))["document"]["text"]
        docs["de otto (TILTify)"] = from_text(data, source="otto")
    engine = PolicyAnalyzer()
    for name, v in docs.items():
        av = engine.analyze(v)  # warm-up: pipelines, patterns, models
        times = []
        for _ in range(args.runs):
            t = time.process_time()
            engine.analyze(v)
            times.append(time.process_time() - t)
        print(
            f"{name}: {len(v.text):,} chars, language {v.language}, "
            f"{len(av.annotations)} annotations, CPU median {statistics.median(times):.3f} s "
            f"({', '.join(f'{x:.3f}' for x in times)})"
        )
    for lang in ("en", "de", "fr"):
        code = (
            "import time, spacy; from analyzer.nlp import get_nlp; "
            f"t = time.perf_counter(); get_nlp({lang!r}); print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        print(f"build get_nlp({lang!r}) in a fresh process: {float(out.stdout):.2f} s")


if __name__ == "__main__":
    main()

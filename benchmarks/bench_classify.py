"""Benchmark of the trained classifiers: clauses/s on one core, model load time, training time.

Run from the repository root::

    python benchmarks/bench_classify.py [--corpora PATH] [--train]

Prints one line per figure; throughputs are given per wall-clock second and per CPU second of
the process (the latter is the one to compare when other jobs load the machine).
"classify" = shared features + every model's heads + decisions + vagueness regressor,
batched; "recognizer" = ``ModelRecognizer.analyze`` including the Annotation objects and
top-term explanations; "features only" = the shared feature matrix, by
``PolicyFeatures.counts`` and by the stock scikit-learn union that defines it
(``to_union().transform``). The texts are classified again and again for at least 2 s;
nothing is cached across batches but the loaded models and the vocabulary's lookup tables
(as in a long-running process).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ.setdefault(_v, "1")  # one core

import argparse  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_t_import = time.perf_counter()
import sklearn.feature_extraction.text  # noqa: E402, F401
import sklearn.linear_model  # noqa: E402, F401
import sklearn.multiclass  # noqa: E402, F401
import sklearn.pipeline  # noqa: E402, F401

SKLEARN_SECONDS = time.perf_counter() - _t_import
_t_import = time.perf_counter()
from analyzer.classify.store import skops_io  # noqa: E402

skops_io()  # how the models are loaded: skops.io without its default-trusted scans
SKOPS_SECONDS = time.perf_counter() - _t_import

from analyzer.classify import features as features_mod  # noqa: E402
from analyzer.classify.linear import sublinear_tf  # noqa: E402
from analyzer.classify.recognizer import ModelRecognizer  # noqa: E402
from analyzer.classify.store import default_models_dir, load_models  # noqa: E402
from analyzer.classify.train import default_corpora, train_all  # noqa: E402
from analyzer.datamodel import Clause  # noqa: E402
from analyzer.nlp import get_nlp  # noqa: E402


def classify(models, texts):  # type: ignore[no-untyped-def]
    """What ``ModelRecognizer`` computes before explaining: the shared features once, then
    every model's probabilities, decisions and vagueness score (the folded tf-idf route)."""
    raw = next(iter(models.values())).featurize(texts)
    tf = sublinear_tf(raw)
    for m in models.values():
        proba, _score = m.predict_tf(tf, raw)
        m.decide(proba)


def rate(fn, texts, min_seconds: float = 2.0, batch: int = 2000) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Items per wall-clock second and per CPU second of this process (the second figure
    does not drop when other jobs share the machine)."""
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < min_seconds:
        for i in range(0, len(texts), batch):
            fn(texts[i : i + batch])
        n += len(texts)
    return n / (time.perf_counter() - t0), n / max(time.process_time() - c0, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=default_corpora())
    ap.add_argument("--train", action="store_true", help="also time `train_all`")
    args = ap.parse_args()
    c = args.corpora
    from corpora.goppc import read_folder
    from corpora.opp115 import read_jsonl
    from corpora.vagueness import read_docs

    def ready():  # type: ignore[no-untyped-def]
        """Load every model and build the feature lookup tables: ready to classify."""
        features_mod._SHARED.clear()  # no vocabulary kept from an earlier load
        t0 = time.perf_counter()
        loaded = load_models(default_models_dir())
        t1 = time.perf_counter()
        for m in loaded.values():
            m.features._tables  # noqa: B018 - built on first use, once per shared vocabulary
        return loaded, t1 - t0, time.perf_counter() - t0

    models, first_load, first = ready()
    again = [ready() for _ in range(3)]
    size = sum(p.stat().st_size for p in default_models_dir().glob("*.skops"))
    arrays = sum(p.stat().st_size for p in default_models_dir().glob("*.npz"))
    print(
        f"load all models (their .npz arrays) and build their lookup tables: first "
        f"{first:.3f} s (files {first_load:.3f} s), best of 3 "
        f"{min(r[2] for r in again):.3f} s (files {min(r[1] for r in again):.3f} s) "
        f"(this process imported scikit-learn, {SKLEARN_SECONDS:.2f} s, and skops.io, "
        f"{SKOPS_SECONDS:.2f} s, for the stock union below; loading the arrays needs neither); "
        f"models/: .skops {size / 1e6:.1f} MB, .npz {arrays / 1e6:.1f} MB"
    )

    opp = [s.text for s in read_jsonl(c / "opp115" / "validation.jsonl")]
    nlp = get_nlp()
    opp_sents = [s.text for d in nlp.pipe(opp) for s in d.sents if s.text.strip()]
    vague = [s.text for d in read_docs(c / "vagueness" / "docs.jsonl") for s in d.sentences]
    goppc = [p.text for ps in read_folder(c / "goppc150").values() for p in ps][:2000]
    sets = {
        "opp115 validation segments": opp,
        "opp115 validation sentences": opp_sents,
        "vagueness sentences": vague,
        "goppc paragraphs (first 2000)": goppc,
    }
    features = next(iter(models.values())).features
    union = features.to_union()
    fast = rate(features.counts, opp)
    stock = rate(union.transform, opp)
    print(
        f"features only, opp115 validation segments: counts {fast[1]:,.0f} texts per "
        f"CPU-second, stock union {stock[1]:,.0f} ({fast[1] / stock[1]:.1f}x)"
    )
    rec = ModelRecognizer(models=models)
    for name, texts in sets.items():
        avg = sum(map(len, texts)) / len(texts)
        r1 = rate(lambda b: classify(models, b), texts)
        clauses = [
            Clause(f"c{i}", i, t, t.lower(), "sentence", (), 0, len(t)) for i, t in enumerate(texts)
        ]
        r2 = rate(lambda b: rec.analyze(b, []), clauses, min_seconds=2.0)
        print(
            f"{name}: {len(texts)} texts, {avg:.0f} chars avg: classify {r1[0]:,.0f} clauses/s "
            f"({r1[1]:,.0f} per CPU-second); recognizer with explanations {r2[0]:,.0f} "
            f"clauses/s ({r2[1]:,.0f} per CPU-second)"
        )
    if args.train:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            train_all(c, tmp)
            print(f"train all models: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()

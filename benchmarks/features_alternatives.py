"""The side figures behind decision 0006's choice of feature storage and tokenizer.

Run from the repository root::

    python benchmarks/features_alternatives.py [--corpora PATH]

Prints, on one core: the time to tokenize the OPP-115 validation segments with Python's
``re`` (the reference pattern, which ``PolicyFeatures.counts`` uses since decision 0011),
with pyarrow's RE2 split and with polars' Rust regex (what ``transform`` used before), and
the time to import polars; and the time skops takes to load the models' vocabulary stored as
a ``CountVectorizer`` dict against the ``uint8`` array the model files hold.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer.classify.features import tokenize  # noqa: E402
from analyzer.classify.store import default_models_dir, load_model, skops_io  # noqa: E402
from analyzer.classify.train import default_corpora  # noqa: E402

#: The tokens of ``(?u)\w\w+`` for polars' Rust regex engine: Python's ``\w`` is a letter, a
#: number or the underscore; Rust's Unicode ``\w`` also takes combining marks and other
#: connector punctuation, so the class is spelled out.
FAST_TOKEN_PATTERN = r"[\p{L}\p{N}_]{2,}"


def best(fn, number: int = 20) -> float:  # type: ignore[no-untyped-def]
    return min(timeit.repeat(fn, number=number, repeat=3)) / number


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", type=Path, default=default_corpora())
    args = ap.parse_args()
    t_import = time.perf_counter()
    import polars as pl

    polars_import = time.perf_counter() - t_import
    import pyarrow as pa
    import pyarrow.compute as pc
    from sklearn.feature_extraction.text import CountVectorizer

    from corpora.opp115 import read_jsonl

    pa.set_cpu_count(1)
    texts = [s.text.lower() for s in read_jsonl(args.corpora / "opp115" / "validation.jsonl")]
    arrow, series = pa.array(texts), pl.Series(texts)
    rt = best(lambda: pc.split_pattern_regex(arrow, r"[^\p{L}\p{N}_]+"))
    pt = best(lambda: series.str.extract_all(FAST_TOKEN_PATTERN))
    py = best(lambda: [tokenize(t) for t in texts])
    print(
        f"tokenize {len(texts)} OPP-115 validation segments: Python re {py * 1000:.1f} ms, "
        f"pyarrow RE2 split {rt * 1000:.1f} ms, polars extract_all {pt * 1000:.1f} ms "
        f"(import polars: {polars_import:.3f} s)"
    )
    sio = skops_io()
    features = load_model(default_models_dir() / "opp115.skops").features
    as_dict = sio.dumps(
        CountVectorizer(vocabulary=list(features.vocabulary), ngram_range=(1, 2)).fit([""]),
        compression=zipfile.ZIP_DEFLATED,
    )
    as_array = sio.dumps(features.to_state(), compression=zipfile.ZIP_DEFLATED)
    t0 = time.perf_counter()
    sio.loads(as_dict, trusted=["sklearn.feature_extraction.text.CountVectorizer"])
    t1 = time.perf_counter()
    sio.loads(as_array, trusted=[])
    t2 = time.perf_counter()
    print(
        f"skops load of the {features.n_vocabulary:,}-entry vocabulary: as a CountVectorizer "
        f"{t1 - t0:.2f} s, as the uint8 array of the model files {(t2 - t1) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()

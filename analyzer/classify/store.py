"""Saving and loading models with skops (never pickle), with a reviewed list of types.

A model file is a compressed skops archive holding one dict::

    {"schema": "policydiff.model/2", "name": str, "labels": [str], "thresholds": [float],
     "features": {...}, "pipeline": Pipeline, "regressor": Ridge | None, "meta": {...}}

``features`` is :meth:`PolicyFeatures.to_state`: plain types and the vocabulary as one
``uint8`` array (UTF-8, newline-separated), which skops stores as a ``.npy`` member and loads
in milliseconds (the same 50,000 n-grams as a ``CountVectorizer`` vocabulary dict take skops
over a second: ``benchmarks/features_alternatives.py``). ``pipeline`` holds the stock
``tfidf`` and ``clf`` steps applied to that matrix.

:data:`TRUSTED_TYPES` lists the types beyond skops' primitive/container/numpy defaults that a
model file may contain; it was reviewed with ``skops.io.get_untrusted_types`` when the models
were trained. Saving refuses a model with any other type; loading refuses any file that is
not a skops archive, contains an unreviewed type, or does not hold the expected schema, with
a ``ModelError`` naming the file and the fix.

:func:`skops_io` imports ``skops.io`` without building skops' *default* trusted lists of every
scikit-learn estimator and every scipy ufunc (about 0.5-0.9 s of walking and importing at
import time; see ``docs/decisions/0007-skops-import.md``). Those defaults are only added to
an explicit list, so leaving them empty can only make loading stricter: this module trusts
exactly :data:`TRUSTED_TYPES` (which therefore names the stock scikit-learn types our
pipelines hold) plus skops' primitive, container and numpy defaults.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import ModelError
from .features import PolicyFeatures
from .model import TextModel

log = logging.getLogger(__name__)

SCHEMA = "policydiff.model/2"
FIX = "retrain with `policydiff train`"

#: Types a policydiff model file may hold beyond skops' primitive, container and numpy
#: defaults, reviewed with ``skops.io.get_untrusted_types`` on the files written by
#: ``policydiff train``: the stock scikit-learn pipeline (TfidfTransformer,
#: OneVsRestClassifier of LogisticRegression with its LabelBinarizer, Ridge; skops' defaults
#: trust every scikit-learn estimator, but :func:`skops_io` leaves those defaults empty), the
#: sparse coefficients (``sparsify``) and
#: the constant head ``OneVsRestClassifier`` fits for a label absent from the training data.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.pipeline.Pipeline",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._ridge.Ridge",
    "scipy.sparse._csr.csr_matrix",
)


def _no_estimators(*args: Any, **kwargs: Any) -> list:
    """Stand-in for ``sklearn.utils.all_estimators`` while skops.io is first imported."""
    return []


def _empty_dir() -> list[str]:
    """Stand-in for ``dir(scipy.special)`` while skops.io is first imported."""
    return []


_MISSING = object()


@contextlib.contextmanager
def _lean_skops_defaults() -> Iterator[None]:
    """While skops.io is first imported, make its default-trusted scans find nothing.

    ``skops.io._trusted_types`` computes at import time the types it trusts when a caller
    passes ``trusted=None``: every estimator of ``sklearn.utils.all_estimators()`` (which
    imports every scikit-learn submodule, dask's array API wrapper included when dask is
    installed) and every ufunc of ``dir(scipy.special)`` (each located by scanning all of
    ``sys.modules``). Both are replaced by functions returning ``[]`` for the duration of the
    import only, then restored in ``finally``; an attribute that does not exist (a future
    scikit-learn or scipy) is simply not patched, so the import falls back to the slow,
    equally correct path. Empty defaults never widen what is trusted.
    """
    patches: list[tuple[ModuleType, str, object]] = []
    try:
        import scipy.special
        import sklearn.utils

        targets: list[tuple[ModuleType, str, object]] = [
            (m, "all_estimators", _no_estimators)
            for m in (sklearn.utils, sys.modules.get("sklearn.utils.discovery"))
            if m is not None and callable(getattr(m, "all_estimators", None))
        ]
        targets.append((scipy.special, "__dir__", _empty_dir))
    except ImportError:  # pragma: no cover - both are dependencies of skops itself
        targets = []
    try:
        for mod, attr, stub in targets:
            patches.append((mod, attr, vars(mod).get(attr, _MISSING)))
            setattr(mod, attr, stub)
        yield
    finally:
        for mod, attr, orig in reversed(patches):
            if orig is _MISSING:
                delattr(mod, attr)
            else:
                setattr(mod, attr, orig)


def skops_io() -> ModuleType:
    """``skops.io``, imported without its default-trusted scans if it is not imported yet
    (see :func:`_lean_skops_defaults`)."""
    mod = sys.modules.get("skops.io")
    if mod is not None:
        return mod
    with _lean_skops_defaults():
        import skops.io as sio
    return sio


_REQUIRED = ("schema", "name", "labels", "thresholds", "features", "pipeline", "regressor", "meta")
_STEPS = ("tfidf", "clf")


def _payload(model: TextModel) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "name": model.name,
        "labels": list(model.labels),
        "thresholds": [float(t) for t in model.thresholds],
        "features": model.features.to_state(),
        "pipeline": model.pipeline,
        "regressor": model.regressor,
        "meta": model.meta,
    }


def save_model(model: TextModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.skops`` file), compressed.

    Raises:
        ModelError: the model holds a type outside :data:`TRUSTED_TYPES`.
    """
    sio = skops_io()
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    data = sio.dumps(_payload(model), compression=zipfile.ZIP_DEFLATED)
    unknown = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
    if unknown:
        raise ModelError(
            f"refusing to save a model with unreviewed types {unknown}",
            path=str(p),
            fix="review them and add them to analyzer.classify.store.TRUSTED_TYPES",
        )
    p.write_bytes(data)
    return p


def load_model(path: str | Path, name: str | None = None) -> TextModel:
    """Load a model written by :func:`save_model`.

    Args:
        path: the ``.skops`` file.
        name: the expected model name (``opp115``, ``goppc``, ``vagueness``), if known.

    Raises:
        ModelError: missing file, not a skops archive (e.g. a pickle), an unreviewed type
            (a tampered file), or a payload of the wrong schema.
    """
    sio = skops_io()
    p = Path(path)
    if not p.is_file():
        raise ModelError("model file not found", path=str(p), fix=FIX)
    try:
        data = p.read_bytes()
        if not zipfile.is_zipfile(p):
            raise ModelError(
                "not a skops archive (pickle and joblib files are never loaded)",
                path=str(p),
                fix=FIX,
            )
        try:
            # one pass: skops audits every node against the list before constructing anything
            obj = sio.loads(data, trusted=list(TRUSTED_TYPES))
        except sio.exceptions.UntrustedTypesFoundException:
            unknown = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
            raise ModelError(
                f"the file holds types that were never reviewed: {unknown}; it may have been "
                "tampered with",
                path=str(p),
                fix=FIX,
            ) from None
    except ModelError:
        raise
    except Exception as exc:  # zip/JSON corruption, skops schema errors, ...
        raise ModelError(
            f"cannot load the model ({type(exc).__name__}: {exc})", path=str(p), fix=FIX
        ) from None
    return _check(obj, p, name)


def _check(obj: Any, p: Path, name: str | None) -> TextModel:
    from sklearn.pipeline import Pipeline

    def bad(why: str) -> ModelError:
        return ModelError(f"not a policydiff model: {why}", path=str(p), fix=FIX)

    if not isinstance(obj, dict):
        raise bad(f"holds a {type(obj).__name__}, expected a dict")
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise bad(f"missing {missing}")
    if obj["schema"] != SCHEMA:
        raise bad(f"schema {obj['schema']!r}, expected {SCHEMA!r}")
    if name is not None and obj["name"] != name:
        raise bad(f"model name {obj['name']!r}, expected {name!r}")
    pipe = obj["pipeline"]
    if not isinstance(pipe, Pipeline) or tuple(pipe.named_steps) != _STEPS:
        raise bad(f"the pipeline must have the steps {_STEPS}")
    try:
        features = PolicyFeatures.from_state(obj["features"])
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise bad(f"unexpected features ({exc})") from None
    n_idf = len(getattr(pipe.named_steps["tfidf"], "idf_", ()))
    if n_idf != features.n_columns:
        raise bad(f"the tf-idf step has {n_idf} columns, the features {features.n_columns}")
    labels, thresholds = obj["labels"], obj["thresholds"]
    n_heads = len(getattr(pipe.named_steps["clf"], "estimators_", []))
    if not labels or len(labels) != len(thresholds) or n_heads != len(labels):
        raise bad("labels, thresholds and classifier heads do not match")
    meta = obj["meta"]
    if not isinstance(meta, dict) or "trained" not in meta:
        raise bad("missing training metadata")
    return TextModel(
        name=str(obj["name"]),
        labels=tuple(str(x) for x in labels),
        features=features,
        pipeline=pipe,
        thresholds=tuple(float(t) for t in thresholds),
        regressor=obj["regressor"],
        meta=meta,
    )


MODEL_NAMES: tuple[str, ...] = ("opp115", "goppc", "vagueness")


def default_models_dir() -> Path:
    """``models/`` at the repository root (next to the ``analyzer`` package)."""
    return Path(__file__).resolve().parents[2] / "models"


def load_models(models_dir: str | Path | None = None) -> dict[str, TextModel]:
    """Load every model of :data:`MODEL_NAMES` found in ``models_dir``."""
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    return {n: load_model(d / f"{n}.skops", n) for n in MODEL_NAMES}

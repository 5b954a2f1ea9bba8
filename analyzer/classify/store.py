"""Saving and loading models: skops (never pickle) with a reviewed list of types, and the
arrays that classifying reads.

:func:`save_model` writes two files per model: ``<name>.skops``, the scikit-learn pipeline
for anyone who wants the scikit-learn objects (:func:`load_model`), and ``<name>.npz``, the
same model as numpy arrays (:mod:`analyzer.classify.linear`), stamped with the SHA-256 of the
``.skops`` file. :func:`load_models`, which the engine uses, reads the ``.npz`` files with
``allow_pickle=False`` and imports neither scikit-learn nor skops; a ``.npz`` whose stamp does
not match its ``.skops`` file (one retrained or replaced without the other) is refused with
the fix, ``policydiff train``.

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
import dataclasses
import hashlib
import io
import logging
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from .features import PolicyFeatures
from .linear import LinearModel

if TYPE_CHECKING:
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


def arrays_path(path: str | Path) -> Path:
    """The inference arrays of the model file ``path``: ``<name>.npz`` beside ``<name>.skops``."""
    return Path(path).with_suffix(".npz")


def save_model(model: TextModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.skops`` file), compressed, and its inference arrays
    beside it (:func:`arrays_path`), stamped with the ``.skops`` file's SHA-256.

    Raises:
        ModelError: the model holds a type outside :data:`TRUSTED_TYPES`, or a tf-idf step
            the arrays cannot represent.
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
    try:
        linear = model.to_linear()
    except ValueError as exc:
        raise ModelError(str(exc), path=str(p), fix="train with `policydiff train`") from None
    linear = dataclasses.replace(linear, meta=_inference_meta(model.meta))
    arrays = linear.to_arrays(hashlib.sha256(data).hexdigest())
    p.write_bytes(data)
    arrays_path(p).write_bytes(npz_bytes(arrays))
    return p


def _np() -> ModuleType:
    import numpy as np

    return np


#: Arrays stored without compression in the ``.npz``: floating-point coefficients barely
#: compress (to 88% of their non-zero values), and inflating them was most of the loading
#: time.
STORED_ARRAYS = frozenset({"coef_t", "reg_coef"})


def npz_bytes(arrays: dict[str, Any]) -> bytes:
    """``arrays`` as a ``.npz`` archive (what ``numpy.savez_compressed`` writes, read by
    ``numpy.load``), with the members of :data:`STORED_ARRAYS` stored uncompressed."""
    np = _np()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for key, value in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asanyarray(value), allow_pickle=False)
            kind = zipfile.ZIP_STORED if key in STORED_ARRAYS else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = kind
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def _inference_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """What the arrays carry of a model's metadata: when and from what it was trained."""
    trained = meta.get("trained", {})
    return {"trained": {k: str(v) for k, v in trained.items()}}


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

    from .model import TextModel

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


#: The models the engine needs, in the order it runs them; every other model that
#: ``policydiff train`` writes into the same folder is loaded after them (:func:`model_names`).
MODEL_NAMES: tuple[str, ...] = ("opp115", "goppc", "vagueness")
#: models applied by a recognizer of their own (the AI-training model, read by
#: ``recognizers/ai_training.py`` on the clauses its gate lets through), not by the model
#: recognizer over every clause
SEPARATE_MODELS: tuple[str, ...] = ("ai_training",)


def default_models_dir() -> Path:
    """``models/`` at the repository root (next to the ``analyzer`` package)."""
    return Path(__file__).resolve().parents[2] / "models"


def model_names(models_dir: str | Path | None = None) -> tuple[str, ...]:
    """The models of ``models_dir``: :data:`MODEL_NAMES` (whether present or not, so that a
    missing one is reported), then every other ``<name>.skops`` there, by name."""
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    others = sorted(p.stem for p in d.glob("*.skops") if p.stem not in MODEL_NAMES)
    return (*MODEL_NAMES, *others)


def load_arrays(path: str | Path, name: str | None = None) -> LinearModel:
    """Load the inference arrays of the model file ``path`` (``<name>.skops``): the
    ``<name>.npz`` beside it, with ``allow_pickle=False``, after checking that it was
    written with that very ``.skops`` file (its SHA-256).

    Raises:
        ModelError: a missing file, a file that is not such arrays, or arrays stamped for
            another ``.skops`` file (retrained or replaced without them).
    """
    import numpy as np

    p = Path(path)
    npz = arrays_path(p)
    if not p.is_file():
        raise ModelError("model file not found", path=str(p), fix=FIX)
    if not npz.is_file():
        raise ModelError(f"the inference arrays of {p.name} are missing", path=str(npz), fix=FIX)
    with p.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    try:
        with np.load(npz, allow_pickle=False) as z:
            stamp = LinearModel.read_header(z).get("skops_sha256")
            if stamp != digest:
                raise ModelError(
                    f"the inference arrays were written with another {p.name} (the model file "
                    "was retrained or replaced without them)",
                    path=str(npz),
                    fix=FIX,
                )
            model = LinearModel.from_arrays(z)
    except ModelError:
        raise
    except Exception as exc:  # not a zip, a pickled object array, bad JSON, wrong shapes, ...
        raise ModelError(
            f"not policydiff inference arrays ({type(exc).__name__}: {exc})",
            path=str(npz),
            fix=FIX,
        ) from None
    if name is not None and model.name != name:
        raise ModelError(
            f"not policydiff inference arrays: model name {model.name!r}, expected {name!r}",
            path=str(npz),
            fix=FIX,
        )
    return model


def load_models(models_dir: str | Path | None = None) -> dict[str, LinearModel]:
    """Load every model of :func:`model_names` for classifying: its inference arrays,
    checked against its ``.skops`` file (scikit-learn and skops are not imported)."""
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    return {n: load_arrays(d / f"{n}.skops", n) for n in model_names(d)}


def load_pipelines(models_dir: str | Path | None = None) -> dict[str, TextModel]:
    """Load every model of :func:`model_names` as scikit-learn pipelines, from the
    ``.skops`` files (:func:`load_model`)."""
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    return {n: load_model(d / f"{n}.skops", n) for n in model_names(d)}

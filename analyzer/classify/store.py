"""Saving and loading models with skops (never pickle), with a reviewed list of types.

A model file is a compressed skops archive holding one dict::

    {"schema": "policydiff.model/1", "name": str, "labels": [str], "thresholds": [float],
     "pipeline": Pipeline, "regressor": Ridge | None, "meta": {...}}

:data:`TRUSTED_TYPES` lists the types outside skops' default-trusted set that a model file may
contain; it was reviewed with ``skops.io.get_untrusted_types`` when the models were trained.
Saving refuses a model with any other type; loading refuses any file that is not a skops
archive, contains an unreviewed type, or does not hold the expected schema, with a
``ModelError`` naming the file and the fix.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import Any

from ..errors import ModelError
from .features import PolicyFeatures
from .model import TextModel

log = logging.getLogger(__name__)

SCHEMA = "policydiff.model/1"
FIX = "retrain with `policydiff train`"

#: Types beyond skops' defaults that a policydiff model file may hold (reviewed with
#: ``skops.io.get_untrusted_types`` on the files written by ``policydiff train``). The
#: pipelines are stock scikit-learn (FeatureUnion of HashingVectorizer and CountVectorizer,
#: TfidfTransformer, OneVsRestClassifier of LogisticRegression, Ridge), all trusted by skops'
#: defaults; beyond those: the sparse coefficients (``sparsify``) and the constant head
#: ``OneVsRestClassifier`` fits for a label absent from the training data.
TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.multiclass._ConstantPredictor",
    "scipy.sparse._csr.csr_matrix",
)

_REQUIRED = ("schema", "name", "labels", "thresholds", "pipeline", "regressor", "meta")
_STEPS = ("features", "tfidf", "clf")


def _payload(model: TextModel) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "name": model.name,
        "labels": list(model.labels),
        "thresholds": [float(t) for t in model.thresholds],
        "pipeline": model.pipeline,
        "regressor": model.regressor,
        "meta": model.meta,
    }


def save_model(model: TextModel, path: str | Path) -> Path:
    """Write ``model`` to ``path`` (a ``.skops`` file), compressed.

    Raises:
        ModelError: the model holds a type outside :data:`TRUSTED_TYPES`.
    """
    import skops.io as sio

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
    import skops.io as sio

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
        unknown = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES]
        if unknown:
            raise ModelError(
                f"the file holds types that were never reviewed: {unknown}; it may have been "
                "tampered with",
                path=str(p),
                fix=FIX,
            )
        obj = sio.loads(data, trusted=list(TRUSTED_TYPES))
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
        PolicyFeatures.from_union(pipe.named_steps["features"])
    except (ValueError, TypeError, AttributeError) as exc:
        raise bad(f"unexpected features step ({exc})") from None
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

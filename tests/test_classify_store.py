"""Importing skops.io without its default-trusted scans (``store.skops_io``): faster, never
more trusting, restored afterwards, and harmless when the patched attributes are missing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import scipy.special
import sklearn.utils

from analyzer.classify import store

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (skops.io not imported yet); it prints JSON."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_lean_import_loads_the_models_and_restores_everything():
    res = _run(
        """
        import json, sys
        import scipy.special, sklearn.utils
        from analyzer.classify import store
        before = sklearn.utils.all_estimators
        assert "skops.io" not in sys.modules
        sio = store.skops_io()
        import skops.io._trusted_types as tt
        models = store.load_pipelines()
        texts = ["We share your data with advertisers.", "We may use data as needed."]
        print(json.dumps({
            "estimators": len(tt.SKLEARN_ESTIMATOR_TYPE_NAMES),
            "ufuncs": len(tt.SCIPY_UFUNC_TYPE_NAMES),
            "restored": sklearn.utils.all_estimators is before,
            "dir": len(dir(scipy.special)),
            "dunder_dir": "__dir__" in vars(scipy.special),
            "same_module": store.skops_io() is sio,
            "proba": [m.predict_proba(texts).round(6).tolist() for m in models.values()],
        }))
        """
    )
    assert res["estimators"] == 0 and res["ufuncs"] == 0  # the scans were skipped
    assert res["restored"] and res["dir"] > 100 and not res["dunder_dir"]
    assert res["same_module"]
    # same predictions as with a normally imported skops (this process imported it normally)
    import skops.io  # noqa: F401

    models = store.load_pipelines()
    texts = ["We share your data with advertisers.", "We may use data as needed."]
    assert res["proba"] == [m.predict_proba(texts).round(6).tolist() for m in models.values()]


def test_lean_import_is_stricter_not_wider(tmp_path):
    """A scikit-learn estimator skops trusts by default but we never reviewed is refused."""
    path = tmp_path / "tree.skops"
    res = _run(
        f"""
        import json
        from sklearn.tree import DecisionTreeClassifier
        from analyzer.classify import store
        from analyzer.errors import ModelError
        sio = store.skops_io()
        sio.dump({{"schema": store.SCHEMA, "pipeline": DecisionTreeClassifier()}}, {str(path)!r})
        try:
            store.load_model({str(path)!r})
            why = "loaded"
        except ModelError as exc:
            why = str(exc)
        print(json.dumps({{"why": why}}))
        """
    )
    assert "never reviewed" in res["why"] and "DecisionTreeClassifier" in res["why"]


def test_patches_are_restored_on_error():
    before = sklearn.utils.all_estimators
    with pytest.raises(RuntimeError), store._lean_skops_defaults():
        assert sklearn.utils.all_estimators() == []
        assert dir(scipy.special) == []
        raise RuntimeError("import failed")
    assert sklearn.utils.all_estimators is before
    assert "__dir__" not in vars(scipy.special) and len(dir(scipy.special)) > 100


def test_missing_attributes_are_not_patched(monkeypatch):
    """A future scikit-learn without ``all_estimators``: nothing is patched or added."""
    monkeypatch.delattr(sklearn.utils, "all_estimators")
    with store._lean_skops_defaults():
        assert not hasattr(sklearn.utils, "all_estimators")
    assert not hasattr(sklearn.utils, "all_estimators")


def test_trusted_types_name_the_reviewed_stock_types_only():
    assert all(t.startswith(("sklearn.", "scipy.sparse.")) for t in store.TRUSTED_TYPES)
    assert "sklearn.pipeline.Pipeline" in store.TRUSTED_TYPES

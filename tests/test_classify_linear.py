"""The models as arrays (``analyzer.classify.linear``, ``models/<name>.npz``): the same
numbers as the scikit-learn pipelines, files that load without pickle, and refusals that
name the fix."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from analyzer.classify import features as features_mod
from analyzer.classify import linear
from analyzer.classify import model as model_mod
from analyzer.classify.linear import FORMAT, LinearModel, sublinear_tf
from analyzer.classify.store import (
    arrays_path,
    default_models_dir,
    load_arrays,
    load_model,
    load_models,
    model_names,
    npz_bytes,
    save_model,
)
from analyzer.classify.train import TASKS, train_all
from analyzer.errors import ModelError
from tests.test_classify_models import OPP, write_tiny_corpora

FIX = "retrain with `policydiff train`"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("tiny_linear")
    out = base / "models"
    train_all(write_tiny_corpora(base / "corpora"), out)
    return out


def _texts() -> list[str]:
    return [
        *[t for ts in OPP.values() for t in ts],
        "",
        "a",
        "We may, from time to time, share data with partners as necessary.",
        "Können wir Ihre Daten übermitteln? ΟΔΟΣ İstanbul \udcff",
    ]


def _same(arr: LinearModel, pipe: model_mod.TextModel, texts: list[str]) -> None:
    """``arr`` computes exactly what ``pipe`` computes (probabilities, decisions, scores,
    tf-idf rows, explanations), and the stock pipeline's probabilities within 1e-9."""
    raw_sp = pipe.featurize(texts)
    raw = arr.featurize(texts)
    assert (raw.to_scipy() != raw_sp).nnz == 0
    proba, score = arr.predict_tf(sublinear_tf(raw))
    ref_proba, ref_score = pipe.predict_tf(model_mod.sublinear_tf(raw_sp), raw_sp)
    assert np.array_equal(proba, ref_proba)
    assert (score is None) == (ref_score is None)
    if score is not None:
        assert np.array_equal(score, ref_score)
    weighted, ref_weighted = arr.weigh(raw), pipe.weigh(raw_sp)
    assert np.array_equal(weighted.data, ref_weighted.data)
    assert np.array_equal(weighted.indices, ref_weighted.indices)
    assert np.array_equal(arr.proba_from(weighted), pipe.proba_from(ref_weighted))
    # the stock scikit-learn pipeline on the stock feature union
    stock = pipe.pipeline.predict_proba(pipe.features.to_union().transform(texts))
    if len(pipe.labels) == 1:  # one label: scikit-learn gives both classes
        stock = stock[:, 1:]
    assert np.allclose(proba, stock, rtol=0, atol=1e-9)
    assert np.array_equal(arr.decide(proba), pipe.decide(stock))
    if pipe.regressor is not None:
        stock_score = np.clip(pipe.regressor.predict(ref_weighted), 1, 5)
        assert np.allclose(score, stock_score, rtol=0, atol=1e-9)
    # the numpy products of a one-shot process (linear.numpy_products) are scipy's numbers
    tf = sublinear_tf(raw)
    for dense in (arr._folded[1], arr.coef_t):
        assert np.array_equal(linear._dot_numpy(tf, dense), linear._dot_scipy(tf, dense))
    labels = [*range(len(arr.labels)), *([-1] if arr.has_regressor else [])]
    pairs = [(i, j) for i in range(len(texts)) for j in labels]
    assert arr.name_top_many(weighted, pairs) == pipe.name_top_many(ref_weighted, pairs)


def test_arrays_compute_what_the_pipelines_compute(tiny):
    for name in model_names(tiny):
        path = tiny / f"{name}.skops"
        _same(load_arrays(path, name), load_model(path), _texts())


def test_every_model_train_writes_gets_arrays_and_is_loaded(tiny, tmp_path):
    """Generic over the models: one written under another name is saved with its arrays and
    loaded after the known ones."""
    pipe = load_model(tiny / "opp115.skops")
    extra = dataclasses.replace(pipe, name="zz_extra")
    for n in model_names(tiny):
        for suffix in (".skops", ".npz"):
            (tmp_path / f"{n}{suffix}").write_bytes((tiny / f"{n}{suffix}").read_bytes())
    save_model(extra, tmp_path / "zz_extra.skops")
    assert arrays_path(tmp_path / "zz_extra.skops").is_file()
    models = load_models(tmp_path)
    assert list(models) == ["opp115", "goppc", "vagueness", "zz_extra"]
    assert np.array_equal(
        models["zz_extra"].predict_proba(_texts()), models["opp115"].predict_proba(_texts())
    )
    assert models["zz_extra"].features is models["opp115"].features  # one shared space


def test_arrays_load_without_pickle_and_hold_no_objects(tiny):
    with np.load(tiny / "goppc.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    assert all(a.dtype.kind in "fiub" or a.dtype.kind == "U" for a in arrays.values())
    header = json.loads(str(arrays["header"]))
    assert header["format"] == FORMAT and header["name"] == "goppc"
    with zipfile.ZipFile(tiny / "goppc.npz") as zf:  # coefficients stored, the rest deflated
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
    assert kinds["coef_t.npy"] == zipfile.ZIP_STORED
    assert kinds["features_vocabulary.npy"] == zipfile.ZIP_DEFLATED


def _copy(tiny: Path, dst: Path, name: str = "opp115") -> Path:
    for suffix in (".skops", ".npz"):
        (dst / f"{name}{suffix}").write_bytes((tiny / f"{name}{suffix}").read_bytes())
    return dst / f"{name}.skops"


def test_refuses_arrays_of_another_model_file(tiny, tmp_path):
    path = _copy(tiny, tmp_path)
    path.write_bytes(path.read_bytes() + b"\0")  # the .skops file changed, its arrays did not
    with pytest.raises(ModelError, match=r"written with another opp115\.skops.*policydiff train"):
        load_arrays(path, "opp115")
    (tmp_path / "goppc.npz").write_bytes((tiny / "goppc.npz").read_bytes())
    path.write_bytes((tiny / "goppc.skops").read_bytes())
    arrays_path(path).write_bytes((tiny / "goppc.npz").read_bytes())
    with pytest.raises(ModelError, match="model name 'goppc', expected 'opp115'"):
        load_arrays(path, "opp115")


def test_refuses_missing_pickled_and_damaged_arrays(tiny, tmp_path):
    path = _copy(tiny, tmp_path)
    npz = arrays_path(path)
    with np.load(npz) as z:
        arrays = {k: z[k] for k in z.files}
    npz.unlink()
    with pytest.raises(ModelError, match=f"inference arrays of opp115.skops are missing.*{FIX}"):
        load_arrays(path)
    # an object array would need pickle to load: refused, never unpickled
    buf = io.BytesIO()
    np.savez(buf, **{**arrays, "idf": np.array([object()], dtype=object)})
    npz.write_bytes(buf.getvalue())
    header = json.loads(str(arrays["header"]))
    with pytest.raises(ModelError, match="not policydiff inference arrays"):
        load_arrays(path)
    for bad in (
        {**arrays, "coef_t": arrays["coef_t"][:-1]},
        {**arrays, "idf": arrays["idf"].astype(np.int64)},
        {k: v for k, v in arrays.items() if k != "intercept"},
        {**arrays, "features_bi_codes": arrays["features_bi_codes"][::-1].copy()},
        {**arrays, "header": np.array(json.dumps({**header, "format": "other/1"}))},
        {**arrays, "header": np.array(json.dumps({**header, "labels": ["one"]}))},
    ):
        npz.write_bytes(npz_bytes(bad))
        features_mod._SHARED.clear()  # else the space is shared from an earlier load
        with pytest.raises(ModelError, match=f"not policydiff inference arrays.*{FIX}"):
            load_arrays(path)
    npz.write_bytes(b"not a zip")
    with pytest.raises(ModelError, match="opp115.npz"):
        load_arrays(path)


@pytest.mark.corpora
@pytest.mark.parametrize("name", list(TASKS))
def test_committed_arrays_equal_the_pipelines_on_validation(shared_corpora, name):
    """On the validation texts of every model ``policydiff train`` writes: the committed
    arrays give the probabilities, decisions, scores and explanations of the committed
    ``.skops`` pipeline (and the stock pipeline's within 1e-9)."""
    d = default_models_dir()
    if not (d / f"{name}.skops").is_file():
        pytest.skip(f"model {name} not trained: run `python cli.py train`")
    load = TASKS[name][0]
    data = load(shared_corpora)
    texts = data.val_texts or data.train_texts  # the AI-training task has no validation split
    _same(load_arrays(d / f"{name}.skops", name), load_model(d / f"{name}.skops", name), texts)

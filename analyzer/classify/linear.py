"""The trained models as plain arrays: classification without scikit-learn or pickle.

``policydiff train`` fits every model as a scikit-learn pipeline (:class:`TextModel`, kept
in ``models/<name>.skops`` for anyone who wants the scikit-learn objects) and also writes
``models/<name>.npz`` (:func:`analyzer.classify.store.save_model`): what applying the model
needs, as numpy arrays that load with ``allow_pickle=False``:

* the shared feature space (:meth:`PolicyFeatures.to_arrays`: vocabulary, lexicon, n-gram
  range, token pattern and its lookup tables);
* the tf-idf step's ``idf`` (the step is ``TfidfTransformer(sublinear_tf=True)``, l2 norm);
* the heads' coefficients (``coef_t``: columns x labels, dense: more than half the
  coefficients are non-zero, so this is smaller than a sparse form and is used as read),
  intercepts, per-label thresholds and label names; a head that
  scikit-learn fitted as a constant predictor (a label absent from the training data) is a
  zero row with intercept +30 or -30, as :class:`TextModel` treats it;
* the ridge regressor's coefficients and intercept, for a model that has one;
* ``stop_only``: which vocabulary entries are made of scikit-learn's English stop words only
  (explanations skip them);
* ``skops_sha256``: the SHA-256 of the ``.skops`` file written with it. Loading checks it, so
  a model file retrained (or replaced) without its arrays is refused with the fix.

:class:`LinearModel` computes what :class:`TextModel` computes, with numpy only: the sums
over the stored values of each row are taken in the order scipy's sparse products take them
(``np.bincount``), so the probabilities and scores are the same numbers (tested on the
validation sets of every model against the scikit-learn pipeline). The one product scipy
does several times faster (sparse features times the weights, :func:`dot`) goes through
``scipy.sparse`` in a long-running process and through numpy inside
:func:`numpy_products` (the CLI's one-shot commands, which then import no scipy).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from .features import PolicyFeatures, Rows

FORMAT = "policydiff.inference/1"


def sublinear_tf(raw: Any) -> Rows:
    """``1 + log(count)`` of every stored count of a CSR matrix (:class:`Rows` or scipy's):
    the first step of a ``TfidfTransformer(sublinear_tf=True)``, shared by every model of a
    batch."""
    data = np.array(raw.data, dtype=np.float64, copy=True)
    np.log(data, out=data)
    data += 1.0
    return Rows(raw.indptr, raw.indices, data, raw.shape)


def _row_ids(m: Any) -> np.ndarray:
    return np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))


def row_sums(m: Any, values: np.ndarray) -> np.ndarray:
    """Per row of the CSR matrix ``m``, the sum of ``values`` (one per stored entry), added
    in storage order from 0.0, as scipy's CSR products add them."""
    out = np.bincount(_row_ids(m), weights=values, minlength=m.shape[0])
    return out.astype(np.float64, copy=False)  # bincount of no values gives integers


#: Set (non-empty) inside :func:`numpy_products`.
_NUMPY_ONLY: list[bool] = []


@contextmanager
def numpy_products() -> Iterator[None]:
    """Within the block, :func:`dot` computes with numpy only, unless scipy is imported
    already. For a one-shot process (the CLI's ``compare`` and ``analyze``): importing
    ``scipy.sparse`` takes about 0.15 s (a fifth of ``import spacy``), more than its faster
    products save on one or two documents; a long-running process (a warm engine, a scan
    worker) imports it once and multiplies several times faster. Both give the same numbers."""
    _NUMPY_ONLY.append(True)
    try:
        yield
    finally:
        _NUMPY_ONLY.pop()


def dot(m: Any, dense: np.ndarray) -> np.ndarray:
    """``m @ dense`` for a CSR matrix ``m`` and a dense (columns x k) array, as scipy
    computes it: each output a sum in storage order. With scipy's CSR product, or (inside
    :func:`numpy_products`) with one ``np.bincount`` over (row, k) keys in storage order,
    which adds the same products in the same order: the same numbers."""
    if not _NUMPY_ONLY or "scipy.sparse" in sys.modules:
        return _dot_scipy(m, dense)
    return _dot_numpy(m, dense)


def _dot_scipy(m: Any, dense: np.ndarray) -> np.ndarray:
    import scipy.sparse as sp

    return np.asarray(sp.csr_matrix((m.data, m.indices, m.indptr), shape=m.shape) @ dense)


def _dot_numpy(m: Any, dense: np.ndarray) -> np.ndarray:
    n, k = m.shape[0], dense.shape[1]
    prod = dense.take(m.indices, axis=0)
    prod *= np.asarray(m.data, dtype=np.float64)[:, None]
    keys = (_row_ids(m) * k)[:, None] + np.arange(k)
    out = np.bincount(keys.ravel(), weights=prod.ravel(), minlength=n * k)
    return out.astype(np.float64, copy=False).reshape(n, k)


class Explainer:
    """Naming the terms that weighed most in a decision; shared by :class:`LinearModel` and
    :class:`TextModel`. Needs ``features``, ``labels``, ``_dense_t`` (columns x labels),
    ``_reg_coef`` (empty without a regressor) and ``_stop_only`` (bool per vocabulary
    entry)."""

    features: PolicyFeatures
    labels: tuple[str, ...]
    _dense_t: np.ndarray
    _reg_coef: np.ndarray
    _stop_only: np.ndarray

    def contributions(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The (labels x columns) contribution of each tf-idf value to each label's score
        (value times coefficient), for one row given by its columns and values."""
        return (self._dense_t[cols] * values[:, None]).T

    def regressor_contributions(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        coef = self._reg_coef
        if coef.size == 0:
            return np.zeros(0)
        return coef[cols] * values

    def _first_named(self, cols: Sequence[int], k: int) -> tuple[str, ...]:
        """The first ``k`` distinct names of ``cols`` (already in contribution order):
        n-gram columns are named after their n-gram, lexicon columns after their term;
        stop-word-only n-grams are skipped."""
        vocab = self.features.vocabulary
        n = len(vocab)
        lexicon = self.features.lexicon
        stop = self._stop_only
        out: list[str] = []
        for col in cols:
            if col >= n:
                term = lexicon[col - n]
            else:
                if stop[col]:
                    continue
                term = vocab[col]
            if term not in out:
                out.append(term)
                if len(out) >= k:
                    break
        return tuple(out)

    def name_top(self, cols: np.ndarray, contrib: np.ndarray, k: int = 5) -> tuple[str, ...]:
        """The names of the ``k`` columns with the largest positive contribution (lexicon
        columns are named after their term; stop-word-only n-grams are skipped; equal
        contributions keep the column order)."""
        pos = np.flatnonzero(contrib > 0)
        pos = pos[np.argsort(-contrib[pos], kind="stable")]
        return self._first_named(cols[pos].tolist(), k)

    def name_top_many(
        self,
        weighted: Any,
        pairs: Sequence[tuple[int, int]],
        k: int = 5,
    ) -> list[tuple[str, ...]]:
        """:meth:`name_top` for many (row, label) pairs of ``weighted`` at once (label ``-1``:
        the regressor), with the same result for each pair.

        The contributions of every pair are gathered into one array and ordered by one
        ``lexsort`` (pair, then decreasing contribution, ties in column order) instead of a
        few small numpy calls per pair, which dominated the explanation of short clauses.

        Args:
            weighted: this model's tf-idf features (a CSR matrix: :class:`Rows` or scipy's).
            pairs: (row of ``weighted``, label index or -1) to explain.
            k: number of terms per pair.
        """
        if not pairs:
            return []
        rows = np.fromiter((i for i, _ in pairs), np.int64, len(pairs))
        labels = np.fromiter((j for _, j in pairs), np.int64, len(pairs))
        lo = weighted.indptr[rows].astype(np.int64)
        lens = weighted.indptr[rows + 1].astype(np.int64) - lo
        pair = np.repeat(np.arange(len(pairs)), lens)
        entry = np.repeat(lo - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
        cols = weighted.indices[entry]
        values = weighted.data[entry]
        lab = np.repeat(labels, lens)
        contrib = np.empty(len(entry))
        head = lab >= 0
        contrib[head] = self._dense_t[cols[head], lab[head]] * values[head]
        if not head.all():
            reg = self._reg_coef
            contrib[~head] = reg[cols[~head]] * values[~head] if reg.size else 0.0
        keep = contrib > 0
        pair, cols, contrib = pair[keep], cols[keep], contrib[keep]
        order = np.lexsort((-contrib, pair))  # stable: equal contributions in column order
        ordered = cols[order].tolist()
        bounds = np.searchsorted(pair[order], np.arange(len(pairs) + 1)).tolist()
        return [self._first_named(ordered[bounds[p] : bounds[p + 1]], k) for p in range(len(pairs))]


@dataclass(frozen=True, eq=False)
class LinearModel(Explainer):
    """A trained model as arrays (module docstring): the probabilities, decisions, vagueness
    scores and explanations of its :class:`TextModel`, without scikit-learn.

    Attributes:
        coef_t: the heads' coefficients, columns x labels (dense, C order).
        intercept: one per label.
        idf: the tf-idf step's idf, one per column.
        reg_coef, reg_intercept: the regressor's, or ``None``.
        stop_only: per vocabulary entry, whether it is made of stop words only.
    """

    name: str
    labels: tuple[str, ...]
    thresholds: tuple[float, ...]
    features: PolicyFeatures
    idf: np.ndarray
    coef_t: np.ndarray
    intercept: np.ndarray
    reg_coef: np.ndarray | None
    reg_intercept: float | None
    stop_only: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def has_regressor(self) -> bool:
        return self.reg_coef is not None

    # -- parts -------------------------------------------------------------------------------
    @property
    def _dense_t(self) -> np.ndarray:  # type: ignore[override]
        return self.coef_t

    @cached_property
    def _reg_coef(self) -> np.ndarray:  # type: ignore[override]
        return self.reg_coef if self.reg_coef is not None else np.zeros(0)

    @property
    def _stop_only(self) -> np.ndarray:  # type: ignore[override]
        return self.stop_only

    @cached_property
    def _folded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(idf**2, W, b)`` with the idf folded into the weights: ``W`` is (columns x
        labels, plus one column for the regressor) ``idf[:, None] * coef.T``."""
        idf = self.idf
        cols, bias = [self._dense_t], [self.intercept]
        if self.reg_coef is not None:
            cols.append(self.reg_coef[:, None])
            bias.append(np.array([self.reg_intercept], dtype=np.float64))
        w = np.ascontiguousarray(np.hstack(cols) * idf[:, None])
        return idf * idf, w, np.concatenate(bias)

    # -- prediction --------------------------------------------------------------------------
    def featurize(self, texts: Sequence[str]) -> Rows:
        """The raw (shared) feature matrix of ``texts``."""
        return self.features.counts(texts)

    def weigh(self, raw: Any) -> Rows:
        """Raw features -> this model's tf-idf features: the values scikit-learn's
        ``TfidfTransformer(sublinear_tf=True)`` (l2 norm) gives, in :class:`Rows`."""
        data = sublinear_tf(raw).data
        data *= self.idf[raw.indices]
        sums = row_sums(raw, data * data)
        nonzero = sums != 0.0
        norms = np.sqrt(sums, where=nonzero, out=np.ones_like(sums))
        data /= norms[_row_ids(raw)]
        return Rows(raw.indptr, raw.indices, data, raw.shape)

    def proba_from(self, weighted: Any) -> np.ndarray:
        """Per-label probabilities (n x labels) from tf-idf features."""
        z = dot(weighted, self._dense_t) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def regress_from(self, weighted: Any) -> np.ndarray:
        if self.reg_coef is None:
            raise ValueError(f"model {self.name} has no regressor")
        values = np.asarray(weighted.data, dtype=np.float64) * self.reg_coef[weighted.indices]
        return np.clip(row_sums(weighted, values) + self.reg_intercept, 1.0, 5.0)

    def predict_tf(self, tf: Any, raw: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-label probabilities and, for a model with a regressor, the clipped score, from
        :func:`sublinear_tf` of the shared raw counts (``raw`` is not needed; accepted for
        :class:`TextModel`'s signature): the values of ``proba_from(weigh(raw))`` and
        ``regress_from(weigh(raw))`` without building this model's tf-idf matrix. The tf-idf
        of a row is ``tf * idf / ||tf * idf||``, so its product with the weights is
        ``(tf @ (idf * coef.T)) / sqrt(tf**2 @ idf**2)``."""
        idf2, w, b = self._folded
        data = np.asarray(tf.data, dtype=np.float64)
        norms = np.sqrt(row_sums(tf, (data * data) * idf2[tf.indices]))
        norms[norms == 0.0] = 1.0  # an empty row stays empty, as scikit-learn's normalize does
        z = dot(tf, w) / norms[:, None] + b
        n = len(self.labels)
        proba = 1.0 / (1.0 + np.exp(-z[:, :n]))
        score = np.clip(z[:, n], 1.0, 5.0) if self.reg_coef is not None else None
        return proba, score

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.proba_from(self.weigh(self.featurize(texts)))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Boolean decisions (n x labels) with the per-label thresholds."""
        return proba >= np.asarray(self.thresholds)[None, :]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.decide(self.predict_proba(texts))

    def regress(self, texts: Sequence[str]) -> np.ndarray:
        return self.regress_from(self.weigh(self.featurize(texts)))

    def top_terms(
        self, text: str, label: str | None = None, k: int = 5, weighted: Any = None
    ) -> tuple[str, ...]:
        """The n-grams of ``text`` that pushed hardest towards ``label`` (or, with no label,
        towards a higher regressor score)."""
        if weighted is None:
            weighted = self.weigh(self.featurize([text]))
        j = -1 if label is None else self.labels.index(label)
        if j < 0 and self.reg_coef is None:
            return ()
        return self.name_top_many(weighted, [(0, j)], k)[0]

    # -- the file ------------------------------------------------------------------------------
    def to_arrays(self, skops_sha256: str) -> dict[str, np.ndarray]:
        """Everything as numpy arrays of numbers and one JSON header string (no object
        arrays: the file loads with ``allow_pickle=False``). Floats in the header (the
        thresholds, the regressor's intercept) are written by ``repr`` and read back
        exactly."""
        features_header, features_arrays = self.features.to_arrays()
        header = {
            "format": FORMAT,
            "name": self.name,
            "skops_sha256": skops_sha256,
            "labels": list(self.labels),
            "thresholds": [float(t) for t in self.thresholds],
            "reg_intercept": self.reg_intercept,
            "features": features_header,
            "meta": self.meta,
        }
        arrays = {
            "header": np.array(json.dumps(header, sort_keys=True)),
            "idf": self.idf,
            "coef_t": self.coef_t,
            "intercept": self.intercept,
            "stop_only": self.stop_only,
            **features_arrays,
        }
        if self.reg_coef is not None:
            arrays["reg_coef"] = self.reg_coef
        return arrays

    @staticmethod
    def read_header(arrays: Any) -> dict[str, Any]:
        """The JSON header of :meth:`to_arrays`.

        Raises:
            ValueError: no header, not JSON, not a dict, or another format.
        """
        try:
            header = json.loads(str(arrays["header"]))
        except KeyError:
            raise ValueError("missing array 'header'") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            got = header.get("format") if isinstance(header, dict) else header
            raise ValueError(f"format {got!r}, expected {FORMAT!r}")
        return header

    @classmethod
    def from_arrays(cls, arrays: Any) -> LinearModel:
        """The inverse of :meth:`to_arrays` (``arrays``: any mapping of the arrays, e.g. an
        open ``numpy.load`` archive).

        Raises:
            ValueError: a missing array or header entry, or arrays whose shapes or types do
                not fit.
        """
        header = cls.read_header(arrays)
        features = PolicyFeatures.from_arrays(header.get("features"), arrays)
        labels, thresholds = header.get("labels"), header.get("thresholds")
        if (
            not isinstance(labels, list)
            or not all(isinstance(x, str) for x in labels)
            or not isinstance(thresholds, list)
            or not all(isinstance(x, float | int) for x in thresholds)
            or not labels
            or len(labels) != len(thresholds)
        ):
            raise ValueError("labels and thresholds do not match")
        try:
            idf = arrays["idf"]
            coef_t, intercept = arrays["coef_t"], arrays["intercept"]
            stop_only = arrays["stop_only"]
            reg_intercept = header.get("reg_intercept")
            reg_coef = arrays["reg_coef"] if reg_intercept is not None else None
        except KeyError as exc:
            raise ValueError(f"missing array {exc}") from None
        n_cols, n_labels = features.n_columns, len(labels)

        def fits(a: np.ndarray, kind: str, length: int | None) -> bool:
            return a.dtype.kind == kind and a.ndim == 1 and (length is None or len(a) == length)

        if not (
            fits(idf, "f", n_cols)
            and fits(intercept, "f", n_labels)
            and coef_t.dtype.kind == "f"
            and coef_t.shape == (n_cols, n_labels)
            and fits(stop_only, "b", features.n_vocabulary)
            and (reg_coef is None or fits(reg_coef, "f", n_cols))
            and (reg_intercept is None or isinstance(reg_intercept, float | int))
        ):
            raise ValueError("arrays of the wrong type or shape for this feature space")
        meta = header.get("meta")
        return cls(
            name=str(header.get("name")),
            labels=tuple(labels),
            thresholds=tuple(float(t) for t in thresholds),
            features=features,
            idf=idf.astype(np.float64, copy=False),
            coef_t=np.ascontiguousarray(coef_t, dtype=np.float64),
            intercept=intercept.astype(np.float64, copy=False),
            reg_coef=None if reg_coef is None else reg_coef.astype(np.float64, copy=False),
            reg_intercept=None if reg_intercept is None else float(reg_intercept),
            stop_only=stop_only,
            meta=meta if isinstance(meta, dict) else {},
        )

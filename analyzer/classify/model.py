"""A trained text model: a scikit-learn ``Pipeline`` plus what it needs around it.

``TextModel.features`` is the shared feature space (:class:`PolicyFeatures`: word n-gram
counts over a fixed vocabulary plus lexicon counts); ``TextModel.pipeline`` has two named
steps, both stock scikit-learn, applied to that matrix: ``tfidf`` (``TfidfTransformer``) and
``clf`` (``OneVsRestClassifier`` of logistic regressions, one per label). ``thresholds`` holds one
decision threshold per label (chosen by cross-validation on the training data, see
``train.py``). The vagueness model also has a ``regressor`` (ridge regression of the 1-5
annotator score on the same tf-idf features).

This class is what training and evaluation use (it imports scikit-learn and scipy).
Classifying clauses goes through :class:`~analyzer.classify.linear.LinearModel`, the same
model as plain arrays (:meth:`TextModel.to_linear`; ``models/<name>.npz``), which computes
the same numbers without them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.pipeline import Pipeline

from .features import PolicyFeatures
from .linear import Explainer, LinearModel


def stop_only_mask(vocabulary: Sequence[str]) -> np.ndarray:
    """Per vocabulary entry: made of scikit-learn's English stop words only (explanations
    skip those entries)."""
    return np.fromiter(
        (all(w in ENGLISH_STOP_WORDS for w in term.split()) for term in vocabulary),
        dtype=np.bool_,
        count=len(vocabulary),
    )


def sublinear_tf(raw: sp.csr_matrix) -> sp.csr_matrix:
    """``1 + log(count)`` of every stored count: the first step of a
    ``TfidfTransformer(sublinear_tf=True)``, shared by every model of a batch."""
    tf = sp.csr_matrix(raw, dtype=np.float64, copy=True)
    np.log(tf.data, out=tf.data)
    tf.data += 1.0
    return tf


@dataclass(frozen=True)
class TextModel(Explainer):
    """A multi-label text classifier (and optional score regressor) with its metadata."""

    name: str
    labels: tuple[str, ...]
    features: PolicyFeatures
    pipeline: Pipeline
    thresholds: tuple[float, ...]
    regressor: Any | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    # -- parts -----------------------------------------------------------------------------
    @cached_property
    def _weights(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """All heads stacked: ``W`` (labels x columns, sparse) and the intercepts."""
        clf = self.pipeline.named_steps["clf"]
        rows, bias = [], []
        n_cols = self.features.n_columns
        for est in clf.estimators_:
            coef = getattr(est, "coef_", None)
            if coef is None:  # a constant predictor (label absent from the training data)
                p = float(np.ravel(getattr(est, "y_", [0.0]))[0])
                rows.append(sp.csr_matrix((1, n_cols)))
                bias.append(30.0 if p >= 0.5 else -30.0)
                continue
            rows.append(sp.csr_matrix(coef).reshape(1, -1))
            bias.append(float(np.ravel(est.intercept_)[0]))
        return sp.vstack(rows, format="csr"), np.asarray(bias)

    # -- prediction --------------------------------------------------------------------------
    def featurize(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The raw (shared) feature matrix of ``texts``."""
        return self.features.transform(texts)

    def weigh(self, raw: sp.csr_matrix) -> sp.csr_matrix:
        """Raw features -> this model's tf-idf features."""
        return self.pipeline.named_steps["tfidf"].transform(raw)

    @cached_property
    def _dense_t(self) -> np.ndarray:  # type: ignore[override]
        """The stacked weights as a dense (columns x labels) array: fast products."""
        return np.ascontiguousarray(self._weights[0].toarray().T)

    def proba_from(self, weighted: sp.csr_matrix) -> np.ndarray:
        """Per-label probabilities (n x labels) from tf-idf features."""
        z = np.asarray(weighted @ self._dense_t) + self._weights[1]
        return 1.0 / (1.0 + np.exp(-z))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.proba_from(self.weigh(self.featurize(texts)))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Boolean decisions (n x labels) with the per-label thresholds."""
        return proba >= np.asarray(self.thresholds)[None, :]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.decide(self.predict_proba(texts))

    def regress_from(self, weighted: sp.csr_matrix) -> np.ndarray:
        if self.regressor is None:
            raise ValueError(f"model {self.name} has no regressor")
        return np.clip(self.regressor.predict(weighted), 1.0, 5.0)

    def regress(self, texts: Sequence[str]) -> np.ndarray:
        return self.regress_from(self.weigh(self.featurize(texts)))

    # -- the folded route: every model of a batch from one sublinear-tf matrix ---------------------
    @cached_property
    def _folded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """``(idf**2, W, b)`` with the idf folded into the weights: ``W`` is (columns x
        labels, plus one column for the regressor) ``idf[:, None] * coef.T``. ``None`` when
        the tf-idf step is not the sublinear, idf-weighted, l2-normalized one this route
        reproduces (then :meth:`predict_tf` goes through :meth:`weigh`)."""
        tfidf = self.pipeline.named_steps["tfidf"]
        if not (
            tfidf.sublinear_tf and tfidf.use_idf and tfidf.norm == "l2" and hasattr(tfidf, "idf_")
        ):
            return None
        idf = np.asarray(tfidf.idf_, dtype=np.float64)
        cols, bias = [self._dense_t], [self._weights[1]]
        if self.regressor is not None:
            coef = np.ravel(self.regressor.coef_)
            if coef.shape != idf.shape:
                return None
            cols.append(coef[:, None])
            bias.append(np.ravel(self.regressor.intercept_)[:1].astype(np.float64))
        w = np.ascontiguousarray(np.hstack(cols) * idf[:, None])
        return idf * idf, w, np.concatenate(bias)

    def predict_tf(
        self, tf: sp.csr_matrix, raw: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per-label probabilities and, for a model with a regressor, the clipped score, from
        :func:`sublinear_tf` of the shared ``raw`` counts: the values of
        ``proba_from(weigh(raw))`` and ``regress_from(weigh(raw))`` (tested equal within
        1e-9) without building this model's tf-idf matrix. The tf-idf of a row is
        ``tf * idf / ||tf * idf||``, so its product with the weights is
        ``(tf @ (idf * coef.T)) / sqrt(tf**2 @ idf**2)``: two products per model instead of
        scikit-learn's copy, reweighting and normalization of the matrix."""
        folded = self._folded
        if folded is None:
            weighted = self.weigh(raw)
            score = self.regress_from(weighted) if self.regressor is not None else None
            return self.proba_from(weighted), score
        idf2, w, b = folded
        sq = tf.copy()
        sq.data **= 2
        norms = np.sqrt(np.asarray(sq @ idf2)).ravel()
        norms[norms == 0.0] = 1.0  # an empty row stays empty, as scikit-learn's normalize does
        z = np.asarray(tf @ w) / norms[:, None] + b
        n = len(self.labels)
        proba = 1.0 / (1.0 + np.exp(-z[:, :n]))
        score = np.clip(z[:, n], 1.0, 5.0) if self.regressor is not None else None
        return proba, score

    # -- explanation --------------------------------------------------------------------------
    @cached_property
    def _reg_coef(self) -> np.ndarray:  # type: ignore[override]
        return np.ravel(getattr(self.regressor, "coef_", np.zeros(0)))

    @cached_property
    def _stop_only(self) -> np.ndarray:  # type: ignore[override]
        return stop_only_mask(self.features.vocabulary)

    def top_terms(
        self, text: str, label: str | None = None, k: int = 5, weighted: sp.csr_matrix | None = None
    ) -> tuple[str, ...]:
        """The n-grams of ``text`` that pushed hardest towards ``label`` (or, with no label,
        towards a higher regressor score): tf-idf value times the head's coefficient."""
        if weighted is None:
            weighted = self.weigh(self.featurize([text]))
        row = sp.csr_matrix(weighted[0])
        cols, values = row.indices, row.data
        if label is None:
            contrib = self.regressor_contributions(cols, values)
            return self.name_top(cols, contrib, k) if contrib.size else ()
        contrib = self.contributions(cols, values)
        return self.name_top(cols, contrib[self.labels.index(label)], k)

    # -- the arrays of inference -------------------------------------------------------------------
    def to_linear(self) -> LinearModel:
        """This model as arrays (:class:`LinearModel`), for classifying without scikit-learn.

        Raises:
            ValueError: the tf-idf step is not the sublinear, idf-weighted, l2-normalized one
                (the only one :class:`LinearModel` computes, and the one training fits).
        """
        n_idf = len(getattr(self.pipeline.named_steps["tfidf"], "idf_", ()))
        if n_idf != self.features.n_columns:
            raise ValueError(
                f"model {self.name}: the tf-idf step has {n_idf} columns, the features "
                f"{self.features.n_columns}"
            )
        if self._folded is None:
            raise ValueError(
                f"model {self.name}: only a TfidfTransformer(sublinear_tf=True) with idf and "
                "l2 norm can be written as arrays"
            )
        reg = self.regressor
        return LinearModel(
            name=self.name,
            labels=self.labels,
            thresholds=self.thresholds,
            features=self.features,
            idf=np.asarray(self.pipeline.named_steps["tfidf"].idf_, dtype=np.float64),
            coef_t=self._dense_t,
            intercept=np.asarray(self._weights[1], dtype=np.float64),
            reg_coef=None if reg is None else np.ravel(reg.coef_).astype(np.float64),
            reg_intercept=(
                None if reg is None else float(np.ravel(reg.intercept_)[:1].astype(np.float64)[0])
            ),
            stop_only=self._stop_only,
            meta=self.meta,
        )

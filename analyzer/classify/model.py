"""A trained text model: a scikit-learn ``Pipeline`` plus what it needs around it.

``TextModel.pipeline`` has three named steps: ``features`` (:class:`PolicyFeatures`),
``tfidf`` (``TfidfTransformer``) and ``clf`` (``OneVsRestClassifier`` of logistic
regressions, one per label). ``thresholds`` holds one decision threshold per label (chosen
by cross-validation on the training data, see ``train.py``). The vagueness model also has a
``regressor`` (ridge regression of the 1-5 annotator score on the same tf-idf features).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline

from .features import PolicyFeatures


@dataclass(frozen=True)
class TextModel:
    """A multi-label text classifier (and optional score regressor) with its metadata."""

    name: str
    labels: tuple[str, ...]
    pipeline: Pipeline
    thresholds: tuple[float, ...]
    regressor: Any | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    # -- parts -----------------------------------------------------------------------------
    @property
    def features(self) -> PolicyFeatures:
        return self.pipeline.named_steps["features"]

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

    def proba_from(self, weighted: sp.csr_matrix) -> np.ndarray:
        """Per-label probabilities (n x labels) from tf-idf features."""
        w, b = self._weights
        z = np.asarray((weighted @ w.T).todense()) + b
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

    # -- explanation --------------------------------------------------------------------------
    def top_terms(
        self, text: str, label: str | None = None, k: int = 5, weighted: sp.csr_matrix | None = None
    ) -> tuple[str, ...]:
        """The n-grams of ``text`` that pushed hardest towards ``label`` (or, with no label,
        towards a higher regressor score): tf-idf value times the head's coefficient."""
        if weighted is None:
            weighted = self.weigh(self.featurize([text]))
        row = weighted.getrow(0) if weighted.shape[0] > 1 else weighted
        if label is None:
            coef = np.ravel(getattr(self.regressor, "coef_", np.zeros(0)))
            if coef.size == 0:
                return ()
            contrib = {
                int(j): float(v) * float(coef[j])
                for j, v in zip(row.indices, row.data, strict=True)
            }
        else:
            w, _ = self._weights
            wr = w.getrow(self.labels.index(label)).toarray().ravel()
            contrib = {
                int(j): float(v) * float(wr[j]) for j, v in zip(row.indices, row.data, strict=True)
            }
        names = self.features.column_terms(text)
        ranked = sorted((c for c in contrib.items() if c[1] > 0), key=lambda c: -c[1])
        out: list[str] = []
        for j, _ in ranked:
            term = names.get(j)
            if term and term not in out:
                out.append(term)
            if len(out) >= k:
                break
        return tuple(out)

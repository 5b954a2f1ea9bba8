"""A trained text model: a scikit-learn ``Pipeline`` plus what it needs around it.

``TextModel.pipeline`` has three named steps, all stock scikit-learn: ``features`` (a
``FeatureUnion`` of a ``HashingVectorizer`` and a ``CountVectorizer``, seen through
:class:`PolicyFeatures`), ``tfidf`` (``TfidfTransformer``) and ``clf``
(``OneVsRestClassifier`` of logistic regressions, one per label). ``thresholds`` holds one
decision threshold per label (chosen by cross-validation on the training data, see
``train.py``). The vagueness model also has a ``regressor`` (ridge regression of the 1-5
annotator score on the same tf-idf features).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.pipeline import Pipeline

from .features import PolicyFeatures


@lru_cache(maxsize=200_000)
def _all_stop(term: str) -> bool:
    return all(w in ENGLISH_STOP_WORDS for w in term.split())


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
    @cached_property
    def features(self) -> PolicyFeatures:
        """The shared feature space (a view over the pipeline's ``features`` union)."""
        return PolicyFeatures.from_union(self.pipeline.named_steps["features"])

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
    def _dense_t(self) -> np.ndarray:
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

    # -- explanation --------------------------------------------------------------------------
    @cached_property
    def _reg_coef(self) -> np.ndarray:
        return np.ravel(getattr(self.regressor, "coef_", np.zeros(0)))

    def contributions(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The (labels x columns) contribution of each tf-idf value to each label's score
        (value times coefficient), for one row given by its columns and values."""
        return (self._dense_t[cols] * values[:, None]).T

    def regressor_contributions(self, cols: np.ndarray, values: np.ndarray) -> np.ndarray:
        coef = self._reg_coef
        if coef.size == 0:
            return np.zeros(0)
        return coef[cols] * values

    def _first_named(self, cols: Sequence[int], names: dict[int, str], k: int) -> tuple[str, ...]:
        """The first ``k`` distinct names of ``cols`` (already in contribution order):
        lexicon columns are named after their term; unnamed and stop-word-only n-grams are
        skipped."""
        n = int(self.features.n_features)
        lexicon = self.features.lexicon
        out: list[str] = []
        for col in cols:
            if col >= n:
                term = lexicon[col - n]
            else:
                term = names.get(col, "")
                if not term or _all_stop(term):
                    continue
            if term not in out:
                out.append(term)
                if len(out) >= k:
                    break
        return tuple(out)

    def name_top(
        self, cols: np.ndarray, contrib: np.ndarray, names: dict[int, str], k: int = 5
    ) -> tuple[str, ...]:
        """The names of the ``k`` columns with the largest positive contribution (lexicon
        columns are named after their term; stop-word-only n-grams are skipped; equal
        contributions keep the column order)."""
        pos = np.flatnonzero(contrib > 0)
        pos = pos[np.argsort(-contrib[pos], kind="stable")]
        return self._first_named(cols[pos].tolist(), names, k)

    def name_top_many(
        self,
        weighted: sp.csr_matrix,
        pairs: Sequence[tuple[int, int]],
        names: Mapping[int, dict[int, str]],
        k: int = 5,
    ) -> list[tuple[str, ...]]:
        """:meth:`name_top` for many (row, label) pairs of ``weighted`` at once (label ``-1``:
        the regressor), with the same result for each pair.

        The contributions of every pair are gathered into one array and ordered by one
        ``lexsort`` (pair, then decreasing contribution, ties in column order) instead of a
        few small numpy calls per pair, which dominated the explanation of short clauses.

        Args:
            weighted: this model's tf-idf features.
            pairs: (row of ``weighted``, label index or -1) to explain.
            names: :meth:`PolicyFeatures.column_terms` of each row named in ``pairs``.
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
        return [
            self._first_named(ordered[bounds[p] : bounds[p + 1]], names[i], k)
            for p, (i, _) in enumerate(pairs)
        ]

    def top_terms(
        self, text: str, label: str | None = None, k: int = 5, weighted: sp.csr_matrix | None = None
    ) -> tuple[str, ...]:
        """The n-grams of ``text`` that pushed hardest towards ``label`` (or, with no label,
        towards a higher regressor score): tf-idf value times the head's coefficient."""
        if weighted is None:
            weighted = self.weigh(self.featurize([text]))
        row = sp.csr_matrix(weighted[0])
        cols, values = row.indices, row.data
        names = self.features.column_terms(text, lexicon=False)
        if label is None:
            contrib = self.regressor_contributions(cols, values)
            return self.name_top(cols, contrib, names, k) if contrib.size else ()
        contrib = self.contributions(cols, values)
        return self.name_top(cols, contrib[self.labels.index(label)], names, k)

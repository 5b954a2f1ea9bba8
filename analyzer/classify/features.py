"""Text features shared by every trained head.

:class:`PolicyFeatures` hashes word 1-2 grams (no vocabulary to store or load) and appends
one count column per term of a lexicon (the Reidenberg et al. 2016 vague terms). It is
stateless, so every model trained with the same parameters produces the same matrix: the
:class:`~analyzer.classify.recognizer.ModelRecognizer` computes it once per batch of clauses
and feeds it to every model. :meth:`PolicyFeatures.column_terms` maps the columns of one text
back to its n-grams, which is how a prediction names its top contributing terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

LEXICON_PREFIX = "lexicon:"


@lru_cache(maxsize=8)
def _hasher(n_features: int, ngram_range: tuple[int, int]) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=n_features,
        ngram_range=ngram_range,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float64,
    )


@lru_cache(maxsize=8)
def _lexicon_regex(lexicon: tuple[str, ...]) -> re.Pattern[str] | None:
    if not lexicon:
        return None
    alts = sorted({t.lower() for t in lexicon}, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, t.split())) for t in alts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def _norm_term(term: str) -> str:
    return " ".join(term.lower().split())


class PolicyFeatures(TransformerMixin, BaseEstimator):
    """Hashed word n-grams plus lexicon counts (stateless; ``fit`` does nothing).

    Args:
        n_features: number of hash buckets for the n-grams.
        ngram_range: word n-gram range.
        lexicon: terms counted in their own columns (after the hashed columns).
    """

    def __init__(
        self,
        n_features: int = 2**18,
        ngram_range: tuple[int, int] = (1, 2),
        lexicon: tuple[str, ...] = (),
    ):
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.lexicon = lexicon

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def fit(self, X: Iterable[str], y: object = None) -> PolicyFeatures:  # noqa: N803
        return self

    @property
    def n_columns(self) -> int:
        return self.n_features + len(self.lexicon)

    def key(self) -> tuple:
        """Identity of the feature space: equal keys give equal matrices."""
        return (int(self.n_features), tuple(self.ngram_range), tuple(self.lexicon))

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:  # noqa: N803
        texts = list(X)
        words = _hasher(int(self.n_features), tuple(self.ngram_range)).transform(texts)
        if not self.lexicon:
            return words.tocsr()
        regex = _lexicon_regex(tuple(self.lexicon))
        index = {_norm_term(t): i for i, t in enumerate(self.lexicon)}
        rows: list[int] = []
        cols: list[int] = []
        for r, text in enumerate(texts):
            for m in regex.finditer(text.lower()):  # type: ignore[union-attr]
                j = index.get(_norm_term(m.group(0)))
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        lex = sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(self.lexicon))
        )
        lex.sum_duplicates()
        return sp.hstack([words, lex], format="csr")

    def column_terms(self, text: str) -> dict[int, str]:
        """Columns that ``text`` sets, mapped to the n-gram or lexicon term behind each."""
        hv = _hasher(int(self.n_features), tuple(self.ngram_range))
        out: dict[int, str] = {}
        for term in hv.build_analyzer()(text):
            out.setdefault(abs(murmurhash3_32(term, seed=0)) % int(self.n_features), term)
        regex = _lexicon_regex(tuple(self.lexicon))
        if regex is not None:
            index = {_norm_term(t): i for i, t in enumerate(self.lexicon)}
            for m in regex.finditer(text.lower()):
                j = index.get(_norm_term(m.group(0)))
                if j is not None:
                    out[int(self.n_features) + j] = LEXICON_PREFIX + self.lexicon[j]
        return out

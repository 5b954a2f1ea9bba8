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
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

LEXICON_PREFIX = "lexicon:"


_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_BIGRAM_MUL = 1_000_003
_HASHES: dict[str, int] = {}
_HASHES_MAX = 2_000_000


def _hash_tokens(tokens: list[str]) -> list[int]:
    """31-bit murmurhash of each token, memoized (the same for every process and run)."""
    hs = list(map(_HASHES.get, tokens))
    if None in hs:
        for i, h in enumerate(hs):
            if h is None:
                t = tokens[i]
                h = murmurhash3_32(t, seed=0, positive=True)
                if len(_HASHES) < _HASHES_MAX:
                    _HASHES[t] = h
                hs[i] = h
    return hs  # type: ignore[return-value]


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of two or more characters (scikit-learn's default pattern)."""
    return _TOKEN.findall(text.lower())


def _columns(hashes: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Unigram columns and bigram columns (for consecutive tokens) of one token sequence."""
    uni = hashes % n_features
    big = ((hashes[:-1] * _BIGRAM_MUL) ^ hashes[1:]) % n_features
    return uni, big


@lru_cache(maxsize=16)
def _lexicon_plan(lexicon: tuple[str, ...], n: int) -> tuple[tuple[int, ...], ...]:
    """For each lexicon term, the n-gram columns whose minimum counts it."""
    plan: list[tuple[int, ...]] = []
    for term in lexicon:
        toks = tokenize(term)
        hs = np.asarray(_hash_tokens(toks), dtype=np.int64)
        if len(toks) == 0:
            plan.append(())
        elif len(toks) == 1:
            plan.append((int(hs[0] % n),))
        else:
            plan.append(tuple(int(c) for c in _columns(hs, n)[1]))
    return tuple(plan)


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

    def _lexicon_plan(self) -> tuple[tuple[int, ...], ...]:
        return _lexicon_plan(tuple(self.lexicon), int(self.n_features))

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:  # noqa: N803
        """Hashed word n-grams (counts) and lexicon counts, one row per text.

        Unigram ``t`` goes to column ``murmurhash(t) % n_features``; bigram ``a b`` to
        ``(h(a) * 1000003 XOR h(b)) % n_features``; lexicon term ``j`` to column
        ``n_features + j`` with the count of its n-gram (for terms of three or more words,
        the minimum count of their bigrams).
        """
        if tuple(self.ngram_range) not in ((1, 1), (1, 2)):
            raise ValueError("PolicyFeatures supports ngram_range (1, 1) or (1, 2)")
        n = int(self.n_features)
        texts = list(X)
        toks = [tokenize(t) for t in texts]
        lengths = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        flat = np.asarray(_hash_tokens(list(chain.from_iterable(toks))), dtype=np.int64)
        doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        uni, big = _columns(flat, n)
        rows, cols = [doc], [uni]
        if tuple(self.ngram_range) == (1, 2) and flat.size > 1:
            same = doc[:-1] == doc[1:]
            rows.append(doc[:-1][same])
            cols.append(big[same])
        r = np.concatenate(rows)
        c = np.concatenate(cols)
        words = sp.csr_matrix((np.ones(r.size, dtype=np.float64), (r, c)), shape=(len(texts), n))
        words.sum_duplicates()
        if not self.lexicon:
            return words
        plan = self._lexicon_plan()
        flat_cols = sorted({c for p in plan for c in p})
        if flat_cols:
            sub = words[:, flat_cols].toarray()
            where = {c: i for i, c in enumerate(flat_cols)}
            lex = np.zeros((len(texts), len(plan)))
            for j, p in enumerate(plan):
                if p:
                    lex[:, j] = sub[:, [where[c] for c in p]].min(axis=1)
        else:
            lex = np.zeros((len(texts), len(plan)))
        return sp.hstack([words, sp.csr_matrix(lex)], format="csr")

    def column_terms(self, text: str, lexicon: bool = True) -> dict[int, str]:
        """Columns that ``text`` sets, mapped to the n-gram or lexicon term behind each
        (``lexicon=False``: n-grams only; lexicon column ``n_features + j`` is term ``j``)."""
        n = int(self.n_features)
        toks = tokenize(text)
        out: dict[int, str] = {}
        if toks:
            uni, big = _columns(np.asarray(_hash_tokens(toks), dtype=np.int64), n)
            names = list(toks)
            cols = uni.tolist()
            if tuple(self.ngram_range) == (1, 2):
                names += [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
                cols += big.tolist()
            out = dict(zip(reversed(cols), reversed(names), strict=True))  # first use wins
        if lexicon and self.lexicon and out:
            for j, plan in enumerate(self._lexicon_plan()):
                if plan and all(c in out for c in plan):
                    out[n + j] = LEXICON_PREFIX + self.lexicon[j]
        return out

"""Text features shared by every trained head, built from stock scikit-learn components.

The ``features`` step of every model pipeline is a ``FeatureUnion`` of two stock vectorizers:

* ``words``: a ``HashingVectorizer`` of lower-cased word 1-2 grams (counts: no sign
  alternation, no normalization; the tf-idf step of each model weighs them), so no
  vocabulary is stored or loaded;
* ``lexicon``: a ``CountVectorizer`` with a fixed vocabulary, one count column per term of a
  lexicon (the Reidenberg et al. 2016 vague terms), appended after the hashed columns.

:class:`PolicyFeatures` builds that union and is a thin view over it (``from_union`` wraps the
union of a loaded model): every model trained with the same parameters produces the same
matrix, so the :class:`~analyzer.classify.recognizer.ModelRecognizer` computes it once per
batch of clauses and feeds it to every model. :meth:`PolicyFeatures.column_terms` maps the
columns of one text back to its n-grams (the vectorizer's own analyzer, each n-gram hashed
alone with the vectorizer's hasher), which is how a prediction names its top contributing
terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.pipeline import FeatureUnion

LEXICON_PREFIX = "lexicon:"

#: scikit-learn's default word pattern (words of two or more characters).
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
_MEMO_MAX = 1_000_000  # n-gram -> column entries kept by one PolicyFeatures


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of two or more characters (scikit-learn's default pattern)."""
    return _TOKEN.findall(text.lower())


def lexicon_vocabulary(lexicon: Iterable[str]) -> tuple[str, ...]:
    """The lexicon as the lexicon vectorizer counts it: each term lower-cased, reduced to its
    word tokens joined by one space; empty and repeated terms dropped (first one kept)."""
    out: list[str] = []
    for term in lexicon:
        norm = " ".join(tokenize(term))
        if norm and norm not in out:
            out.append(norm)
    return tuple(out)


def lexicon_pattern(vocabulary: Sequence[str]) -> str:
    """A token pattern whose matches are exactly the lexicon terms (whole words, longest
    first), so that a stock ``CountVectorizer`` counts them in one regex pass instead of
    building every 1-4 gram of the text. The words of a multi-word term must be separated by
    one space, as in the vocabulary (other separators would give a token it does not hold)."""
    if not vocabulary:
        return r"(?!x)x"  # matches nothing
    alts = (re.escape(t) for t in sorted(vocabulary, key=len, reverse=True))
    return r"(?u)\b(?:" + "|".join(alts) + r")\b"


def make_union(
    n_features: int = 2**18, ngram_range: tuple[int, int] = (1, 2), lexicon: Iterable[str] = ()
) -> FeatureUnion:
    """The stock feature union (see the module docstring), ready to ``transform``."""
    vocab = lexicon_vocabulary(lexicon)
    words = HashingVectorizer(
        n_features=int(n_features),
        ngram_range=tuple(ngram_range),
        token_pattern=TOKEN_PATTERN,
        lowercase=True,
        alternate_sign=False,
        norm=None,
        dtype=np.float64,
    )
    parts: list[tuple[str, object]] = [("words", words)]
    if vocab:
        lex = CountVectorizer(
            vocabulary=list(vocab),
            token_pattern=lexicon_pattern(vocab),
            lowercase=True,
            dtype=np.float64,
        )
        parts.append(("lexicon", lex))
    union = FeatureUnion(parts)
    return union.fit([""])  # stateless: sets the fixed vocabulary's fitted attributes


class PolicyFeatures:
    """Hashed word n-grams plus lexicon counts: a view over a stock ``FeatureUnion``.

    Args:
        n_features: number of hash buckets for the n-grams.
        ngram_range: word n-gram range.
        lexicon: terms counted in their own columns (after the hashed columns).
        union: an existing union built by :func:`make_union` (e.g. from a loaded model);
            overrides the other arguments.

    Raises:
        ValueError: ``union`` is not a union of a ``words`` ``HashingVectorizer`` and an
            optional ``lexicon`` ``CountVectorizer``.
    """

    def __init__(
        self,
        n_features: int = 2**18,
        ngram_range: tuple[int, int] = (1, 2),
        lexicon: Iterable[str] = (),
        union: FeatureUnion | None = None,
    ):
        self.union = union if union is not None else make_union(n_features, ngram_range, lexicon)
        parts = dict(self.union.transformer_list)
        words, lex = parts.get("words"), parts.get("lexicon")
        if (
            not isinstance(words, HashingVectorizer)
            or set(parts) - {"words", "lexicon"}
            or (lex is not None and not isinstance(lex, CountVectorizer))
            or [n for n, _ in self.union.transformer_list][0] != "words"
        ):
            raise ValueError(
                "the features step must be a FeatureUnion of a 'words' HashingVectorizer "
                "and an optional 'lexicon' CountVectorizer"
            )
        self.words: HashingVectorizer = words
        self.lex: CountVectorizer | None = lex
        self.n_features = int(words.n_features)
        self.ngram_range = tuple(words.ngram_range)
        self.lexicon: tuple[str, ...] = tuple(lex.vocabulary) if lex is not None else ()
        self._analyze = words.build_analyzer()
        self._lex_analyze = lex.build_analyzer() if lex is not None else None
        self._hasher = FeatureHasher(
            n_features=self.n_features,
            input_type="string",
            alternate_sign=words.alternate_sign,
            dtype=words.dtype,
        )
        self._memo: dict[str, int] = {}
        self._key = tuple(
            (name, type(t).__name__, tuple(sorted((k, repr(v)) for k, v in t.get_params().items())))
            for name, t in self.union.transformer_list
        )

    @classmethod
    def from_union(cls, union: FeatureUnion) -> PolicyFeatures:
        return cls(union=union)

    @property
    def n_columns(self) -> int:
        return self.n_features + len(self.lexicon)

    def key(self) -> tuple:
        """Identity of the feature space: equal keys give equal matrices."""
        return self._key

    def transform(
        self,
        X: Sequence[str],
        grams: Sequence[list[str]] | None = None,  # noqa: N803
    ) -> sp.csr_matrix:
        """Hashed word n-gram counts then lexicon counts, one row per text.

        N-gram ``g`` goes to column ``|murmurhash3(g)| % n_features`` (scikit-learn's
        hashing); lexicon term ``j`` to column ``n_features + j``.

        Args:
            X: the texts.
            grams: the n-grams of each text as :meth:`analyze_many` gives them, if already
                computed: they are hashed as the union's ``HashingVectorizer`` would hash
                them (same hasher, same matrix) instead of analyzing every text again.
        """
        X = list(X)
        if grams is None or self.union.transformer_weights is not None:
            return sp.csr_matrix(self.union.transform(X))
        words = self._hasher.transform(grams)  # what HashingVectorizer.transform does
        if self.words.binary:
            words.data.fill(1)
        if self.words.norm is not None:
            return sp.csr_matrix(self.union.transform(X))
        if self.lex is None:
            return sp.csr_matrix(words)
        return sp.csr_matrix(sp.hstack([words, self.lex.transform(X)]).tocsr())

    def analyze_many(self, texts: Sequence[str]) -> list[list[str]]:
        """The word n-grams of each text, from the hashing vectorizer's own analyzer."""
        return [self._analyze(t) for t in texts]

    def _columns_of(self, grams: Iterable[str]) -> dict[str, int]:
        """Column of each n-gram: hashed alone with the vectorizer's hasher (memoized)."""
        memo = self._memo
        uniq = dict.fromkeys(grams)
        new = [g for g in uniq if g not in memo]
        if new:
            if len(memo) + len(new) > _MEMO_MAX:
                memo.clear()
                new = list(uniq)
            cols = self._hasher.transform([[g] for g in new]).indices.tolist()
            memo.update(zip(new, cols, strict=True))
        return memo

    def column_terms_many(
        self,
        texts: Sequence[str],
        lexicon: bool = True,
        grams: Sequence[list[str]] | None = None,
    ) -> list[dict[int, str]]:
        """:meth:`column_terms` of several texts, hashing their new n-grams in one call
        (``grams``: their :meth:`analyze_many` n-grams, if already computed)."""
        if grams is None:
            grams = self.analyze_many(texts)
        col_of = self._columns_of(chain.from_iterable(grams))
        out: list[dict[int, str]] = []
        for t, gs in zip(texts, grams, strict=True):
            rev = gs[::-1]
            names = dict(zip(map(col_of.__getitem__, rev), rev, strict=True))  # first one wins
            if lexicon and self._lex_analyze is not None:
                index = self.lex.vocabulary_
                for tok in self._lex_analyze(t):
                    j = index.get(tok)
                    if j is not None:
                        names[self.n_features + j] = LEXICON_PREFIX + self.lexicon[j]
            out.append(names)
        return out

    def column_terms(self, text: str, lexicon: bool = True) -> dict[int, str]:
        """Columns that ``text`` sets, mapped to the n-gram or lexicon term behind each
        (``lexicon=False``: n-grams only; lexicon column ``n_features + j`` is term ``j``).

        The n-grams are those of the hashing vectorizer's own analyzer; each is hashed alone
        with the same hasher to find its column (the first n-gram wins a shared column).
        """
        return self.column_terms_many([text], lexicon)[0]

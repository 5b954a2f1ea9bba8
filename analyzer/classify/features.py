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

Speed (``transform``): the union's own ``transform`` spends most of its time in
scikit-learn's pure-Python n-gram loop (``_word_ngrams``) and in the generator that
``FeatureHasher(input_type="string")`` wraps around every n-gram. :meth:`PolicyFeatures.transform`
therefore takes the tokens from the vectorizer's own preprocessor and tokenizer, builds the
same n-grams with :func:`word_ngrams` (C-level ``zip``/``map``), hashes them with a stock
``FeatureHasher(input_type="pair")`` of the vectorizer's settings, and stacks the lexicon
counts once: the same matrix as ``union.transform`` (tested), in about 15-20% less time
(with the token and lexicon patterns below: 2,200 OPP-115 segments in 167 ms instead of 199
ms on one core). Any setting this shortcut does not reproduce (stop words, ``binary``, a
norm, a custom analyzer, transformer weights...) falls back to ``union.transform``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain, filterfalse, groupby, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer
from sklearn.pipeline import FeatureUnion

LEXICON_PREFIX = "lexicon:"

#: Words of two or more characters. ``findall`` gives exactly the tokens of scikit-learn's
#: default pattern ``(?u)\b\w\w+\b`` (every maximal run of two or more word characters: a
#: greedy match always ends at a run's end, so a search never starts inside a run), about a
#: third faster because the word boundaries are not tested at every position.
TOKEN_PATTERN = r"(?u)\w\w+"
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
    one space, as in the vocabulary (other separators would give a token it does not hold).

    The alternatives are grouped by their first character (``a(?:mong other things|nyone)``),
    so that at each word start the regex engine tests one branch per first letter instead of
    one per term (a third faster for the 40 vague terms; same matches, tested)."""
    if not vocabulary:
        return r"(?!x)x"  # matches nothing
    terms = sorted(dict.fromkeys(vocabulary), key=lambda t: (t[0], -len(t), t))
    groups = []
    for first, group in groupby(terms, key=lambda t: t[0]):
        rests = [re.escape(t[1:]) for t in group]  # longest first within the group
        groups.append(re.escape(first) + "(?:" + "|".join(rests) + ")")
    return r"(?u)\b(?:" + "|".join(groups) + r")\b"


def word_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int]) -> list[str]:
    """The word n-grams scikit-learn's ``_word_ngrams`` builds from ``tokens`` (no stop
    words): the tokens themselves if ``min_n == 1``, then for each longer ``n`` every run of
    ``n`` tokens joined by one space, in order. Built with C-level ``zip``/``map`` instead of
    scikit-learn's Python loop (tested equal to the vectorizer's own analyzer)."""
    min_n, max_n = ngram_range
    out = list(tokens) if min_n == 1 else []
    for n in range(max(min_n, 2), max_n + 1):
        out.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
    return out


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
        self._pairs = FeatureHasher(
            n_features=self.n_features,
            input_type="pair",
            alternate_sign=words.alternate_sign,
            dtype=words.dtype,
        )
        # the shortcut of ``transform``/``analyze_many`` reproduces exactly these settings
        self._fast = (
            self.union.transformer_weights is None
            and words.analyzer == "word"
            and words.input == "content"
            and words.preprocessor is None
            and words.tokenizer is None
            and words.stop_words is None
            and words.strip_accents is None
            and not words.binary
            and words.norm is None
        )
        self._preprocess = words.build_preprocessor()
        self._tokenize = words.build_tokenizer()
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
        X: Sequence[str],  # noqa: N803
        grams: Sequence[list[str]] | None = None,
    ) -> sp.csr_matrix:
        """Hashed word n-gram counts then lexicon counts, one row per text: the matrix of
        ``union.transform(X)`` (see the module docstring for how it is computed faster).

        N-gram ``g`` goes to column ``|murmurhash3(g)| % n_features`` (scikit-learn's
        hashing); lexicon term ``j`` to column ``n_features + j``.

        Args:
            X: the texts.
            grams: the n-grams of each text as :meth:`analyze_many` gives them, if already
                computed (they are not built again).
        """
        X = list(X)
        if not self._fast:
            return sp.csr_matrix(self.union.transform(X))
        if grams is None:
            grams = self.analyze_many(X)
        # what HashingVectorizer.transform does, without a Python generator per n-gram
        words = self._pairs.transform(zip(g, repeat(1)) for g in grams)
        if self.lex is None:
            return words
        return sp.hstack([words, self.lex.transform(X)], format="csr")

    def analyze_many(self, texts: Sequence[str]) -> list[list[str]]:
        """The word n-grams of each text, as the hashing vectorizer's own analyzer gives
        them (its preprocessor and tokenizer, then :func:`word_ngrams`)."""
        if not self._fast:
            return [self._analyze(t) for t in texts]
        pre, tok, rng = self._preprocess, self._tokenize, self.ngram_range
        return [word_ngrams(tok(pre(t)), rng) for t in texts]

    def _columns_of(self, grams: Iterable[str]) -> dict[str, int]:
        """Column of each n-gram: hashed alone with the vectorizer's hasher (memoized)."""
        memo = self._memo
        grams = list(grams)
        new = list(dict.fromkeys(filterfalse(memo.__contains__, grams)))  # C-level loops
        if new:
            if len(memo) + len(new) > _MEMO_MAX:
                memo.clear()
                new = list(dict.fromkeys(grams))
            # one row per n-gram; ``zip`` rows instead of one list per n-gram: 5x faster,
            # mostly because thousands of small lists set off the cyclic garbage collector
            rows = zip(zip(new, repeat(1)))
            cols = self._pairs.transform(rows).indices.tolist()
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

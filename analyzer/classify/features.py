"""Text features shared by every trained head: word n-gram counts over a fixed vocabulary.

The feature space (:class:`PolicyFeatures`) is defined by stock scikit-learn components,
:meth:`PolicyFeatures.to_union` builds them, and that union is the reference:

* ``words``: a ``CountVectorizer`` of lower-cased word 1-2 grams (scikit-learn's default
  tokens, ``\\w\\w+``) over a fixed vocabulary, one count column per n-gram. The vocabulary
  is chosen once, at training time, by a stock ``CountVectorizer(min_df=...)`` fitted on the
  training texts of every model (:meth:`PolicyFeatures.fit`), so all models share it;
* ``lexicon``: a ``CountVectorizer`` of the terms of a lexicon (the Reidenberg et al. 2016
  vague terms, 1-4 words), one count column per term, after the n-gram columns.

Because each column is one known n-gram, the terms that weighed most in a decision are read
straight off the vocabulary (:meth:`PolicyFeatures.term`): no hash collisions, no re-analysis
of the text to name a column.

Speed (:meth:`PolicyFeatures.counts`, :meth:`PolicyFeatures.transform`): the union's own
``transform`` builds every n-gram as a Python string and looks it up one by one, several
times slower (the "features only" line of ``benchmarks/bench_classify.py`` times both).
``counts`` computes the same matrix (tested equal to ``to_union().transform``) with one
regular-expression pass per text and numpy: each text is lower-cased and tokenized with the
union's own token pattern, each token gets its word id from one dict of the vocabulary's
words, and the bigrams and lexicon terms are matched as integer codes of consecutive word
ids (``searchsorted`` against the sorted codes of the vocabulary). ``np.unique`` of the
(row, column) keys counts them.

This module imports numpy only: scikit-learn (:meth:`PolicyFeatures.fit`,
:meth:`PolicyFeatures.to_union`) and scipy (:meth:`PolicyFeatures.transform`) are imported
by the methods that need them, so that classifying (``analyzer.classify.linear``) loads
neither (``docs/decisions/0011-cold-start.md``). Until that decision, tokens were found by
polars' Rust regex engine, 1.3-1.4x faster on large batches but 0.15-0.6 s to import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp
    from sklearn.pipeline import FeatureUnion

LEXICON_PREFIX = "lexicon:"
STATE_KIND = "policydiff.features/vocabulary-ngrams"

#: Words of two or more characters. ``findall`` gives exactly the tokens of scikit-learn's
#: default pattern ``(?u)\b\w\w+\b`` (every maximal run of two or more word characters).
TOKEN_PATTERN = r"(?u)\w\w+"
_TOKEN = re.compile(TOKEN_PATTERN)


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


#: Instances built by :meth:`PolicyFeatures.from_state`, by vocabulary digest: the models of
#: one training share one instance, hence one set of lookup tables.
_SHARED: dict[tuple, PolicyFeatures] = {}


def _blob(terms: Sequence[str]) -> np.ndarray:
    """The terms as one array of UTF-8 bytes, newline-separated (how a model file stores a
    vocabulary: one numpy array loads in milliseconds, the same 50,000 n-grams as a dict take over
    a second)."""
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8).copy()


#: One vocabulary entry: one to ``max_n`` tokens (as :func:`tokenize` finds them) joined by
#: one space; checked on all entries at once, one per line.
_ENTRY = r"\w{{2,}}(?: \w{{2,}}){{0,{extra}}}"


def _check_vocabulary(vocabulary: Sequence[str], max_n: int) -> None:
    """Raise ``ValueError`` unless every entry is a distinct lower-cased word n-gram of at
    most ``max_n`` tokens (one regular expression over all entries: the trained vocabulary
    has 50,000)."""
    if not vocabulary:
        raise ValueError("the vocabulary is empty")
    entry = _ENTRY.format(extra=max_n - 1)
    text = "\n".join(vocabulary)
    if (
        any("\n" in v for v in vocabulary)
        or text != text.lower()
        or not re.fullmatch(f"(?:{entry}\n)*{entry}", text)
    ):
        bad = next(
            v for v in vocabulary if "\n" in v or v != v.lower() or not re.fullmatch(entry, v)
        )
        raise ValueError(
            f"vocabulary entry {bad!r} is not a lower-cased word n-gram of at most {max_n} words"
        )
    if len(set(vocabulary)) != len(vocabulary):
        raise ValueError("the vocabulary repeats an entry")


@dataclass(frozen=True)
class Rows:
    """A sparse matrix in CSR form (the ``indptr``, ``indices`` and ``data`` arrays of
    ``scipy.sparse.csr_matrix``, sorted column indices, no duplicates), for the code that
    classifies without scipy; :meth:`to_scipy` gives the scipy matrix."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @property
    def row_ids(self) -> np.ndarray:
        """The row of each stored value."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))

    def with_data(self, data: np.ndarray) -> Rows:
        return Rows(self.indptr, self.indices, data, self.shape)

    def take(self, rows: np.ndarray) -> Rows:
        """The given rows (in that order), like ``csr[rows]``."""
        rows = np.asarray(rows, dtype=np.int64)
        lo = self.indptr[rows].astype(np.int64)
        lens = self.indptr[rows + 1].astype(np.int64) - lo
        indptr = np.zeros(len(rows) + 1, dtype=self.indptr.dtype)
        np.cumsum(lens, out=indptr[1:])
        entry = np.repeat(lo - indptr[:-1], lens) + np.arange(int(lens.sum()), dtype=np.int64)
        return Rows(indptr, self.indices[entry], self.data[entry], (len(rows), self.shape[1]))

    def to_scipy(self) -> sp.csr_matrix:
        import scipy.sparse as sp

        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)


class PolicyFeatures:
    """Word n-gram counts over a fixed vocabulary, plus lexicon counts (module docstring).

    Args:
        vocabulary: the n-gram of each column: lower-cased word tokens (as
            :func:`tokenize` gives them) joined by one space, at most ``ngram_range[1]``
            tokens, no repeats.
        lexicon: terms counted in their own columns (after the n-gram columns); normalized
            by :func:`lexicon_vocabulary`.
        ngram_range: ``(1, 1)`` or ``(1, 2)``.

    Raises:
        ValueError: an unsupported n-gram range, or a vocabulary entry that is not such an
            n-gram (or is repeated).
    """

    def __init__(
        self,
        vocabulary: Sequence[str],
        lexicon: Iterable[str] = (),
        ngram_range: tuple[int, int] = (1, 2),
    ):
        ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        if ngram_range not in ((1, 1), (1, 2)):
            raise ValueError(f"ngram_range must be (1, 1) or (1, 2), not {ngram_range}")
        self.ngram_range = ngram_range
        self.vocabulary: tuple[str, ...] = tuple(vocabulary)
        _check_vocabulary(self.vocabulary, ngram_range[1])
        self.lexicon: tuple[str, ...] = lexicon_vocabulary(lexicon)
        self.n_vocabulary = len(self.vocabulary)
        digest = hashlib.sha256(_blob(self.vocabulary).tobytes()).hexdigest()
        self._key = (STATE_KIND, self.ngram_range, digest, self.lexicon)

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        texts: Iterable[str],
        lexicon: Iterable[str] = (),
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
    ) -> PolicyFeatures:
        """Choose the vocabulary with a stock ``CountVectorizer``: every word n-gram found in
        at least ``min_df`` of ``texts`` (in the vectorizer's order, alphabetical)."""
        from sklearn.feature_extraction.text import CountVectorizer

        cv = CountVectorizer(
            token_pattern=TOKEN_PATTERN, lowercase=True, ngram_range=ngram_range, min_df=min_df
        ).fit(texts)
        return cls(cv.get_feature_names_out().tolist(), lexicon, ngram_range)

    def to_state(self) -> dict[str, Any]:
        """What a model file stores (plain types and one numpy array only)."""
        return {
            "kind": STATE_KIND,
            "token_pattern": TOKEN_PATTERN,
            "ngram_range": list(self.ngram_range),
            "vocabulary": _blob(self.vocabulary),
            "lexicon": list(self.lexicon),
        }

    @classmethod
    def from_state(cls, state: Any) -> PolicyFeatures:
        """The inverse of :meth:`to_state`.

        Raises:
            ValueError: ``state`` is not such a dict.
        """
        if not isinstance(state, dict) or state.get("kind") != STATE_KIND:
            raise ValueError(f"the features must be a dict of kind {STATE_KIND!r}")
        if state.get("token_pattern") != TOKEN_PATTERN:
            raise ValueError(
                f"token pattern {state.get('token_pattern')!r}, expected {TOKEN_PATTERN!r}"
            )
        blob = state.get("vocabulary")
        if not isinstance(blob, np.ndarray) or blob.dtype != np.uint8 or blob.ndim != 1:
            raise ValueError("the vocabulary must be a 1-D uint8 array")
        lexicon = state.get("lexicon")
        if not isinstance(lexicon, list) or not all(isinstance(t, str) for t in lexicon):
            raise ValueError("the lexicon must be a list of strings")
        rng = state.get("ngram_range")
        if not isinstance(rng, list | tuple) or len(rng) != 2:
            raise ValueError("ngram_range must be a pair")
        if tuple(lexicon) != lexicon_vocabulary(lexicon):
            raise ValueError("the lexicon is not normalized")
        key = (hashlib.sha256(blob.tobytes()).hexdigest(), tuple(lexicon), tuple(rng))
        shared = _SHARED.get(key)
        if shared is None:  # the models of one training share a vocabulary: one instance
            text = blob.tobytes().decode("utf-8")
            shared = cls(text.split("\n") if text else [], lexicon, (rng[0], rng[1]))
            if len(_SHARED) >= 4:
                _SHARED.clear()
            _SHARED[key] = shared
        return shared

    def to_union(self) -> FeatureUnion:
        """The stock scikit-learn union that defines this feature space (the reference
        :meth:`transform` is tested against; slower)."""
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.pipeline import FeatureUnion

        parts: list[tuple[str, object]] = [
            (
                "words",
                CountVectorizer(
                    vocabulary=list(self.vocabulary),
                    token_pattern=TOKEN_PATTERN,
                    lowercase=True,
                    ngram_range=self.ngram_range,
                    dtype=np.float64,
                ),
            )
        ]
        if self.lexicon:
            longest = max(len(t.split(" ")) for t in self.lexicon)
            parts.append(
                (
                    "lexicon",
                    CountVectorizer(
                        vocabulary=list(self.lexicon),
                        token_pattern=TOKEN_PATTERN,
                        lowercase=True,
                        ngram_range=(1, longest),
                        dtype=np.float64,
                    ),
                )
            )
        return FeatureUnion(parts).fit([""])

    # -- the space ------------------------------------------------------------------------------
    @property
    def n_columns(self) -> int:
        return self.n_vocabulary + len(self.lexicon)

    def key(self) -> tuple:
        """Identity of the feature space: equal keys give equal matrices."""
        return self._key

    def term(self, col: int) -> str:
        """The n-gram of column ``col``, or ``lexicon:<term>`` for a lexicon column."""
        if col < self.n_vocabulary:
            return self.vocabulary[col]
        return LEXICON_PREFIX + self.lexicon[col - self.n_vocabulary]

    def column_terms(self, text: str, lexicon: bool = True) -> dict[int, str]:
        """The columns ``text`` sets, mapped to their n-gram or ``lexicon:<term>``
        (``lexicon=False``: n-gram columns only)."""
        row = self.counts([text])
        return {
            int(c): self.term(int(c))
            for c in np.sort(row.indices)
            if lexicon or c < self.n_vocabulary
        }

    # -- the fast route ---------------------------------------------------------------------------
    @cached_property
    def _tables(self) -> dict[str, Any]:
        """Lookup tables of :meth:`counts`: :meth:`word_tables` (stored in the inference files
        by :meth:`to_arrays`, else built on first use) and the lexicon's (40 terms: built
        here). The per-word arrays have one extra last entry, -1, so that the word id -1 of
        an unknown token looks up "none"."""
        words, uni_col, bi_codes, bi_cols = self.word_tables()
        n_words = len(words)
        word_id = dict(zip(words, range(n_words), strict=True))
        lex_parts = [t.split(" ") for t in self.lexicon]
        lex_words = sorted({w for p in lex_parts for w in p})
        lex_index = {w: i for i, w in enumerate(lex_words)}
        lex_id = np.full(n_words + 1, -1, dtype=np.int64)
        lex_id[[word_id[w] for w in lex_words]] = np.arange(len(lex_words))
        # lexicon terms by length: codes over the lexicon's own words (base len+1)
        base = len(lex_words) + 1
        by_len: dict[int, list[tuple[int, int]]] = {}
        for j, p in enumerate(lex_parts):
            if base ** len(p) >= 2**62:
                raise ValueError(f"lexicon term {self.lexicon[j]!r} is too long to count")
            code = 0
            for w in p:
                code = code * base + lex_index[w]
            by_len.setdefault(len(p), []).append((code, self.n_vocabulary + j))
        lex = {
            n: (
                np.array([c for c, _ in entries], dtype=np.int64),
                np.array([col for _, col in entries], dtype=np.int64),
            )
            for n, entries in ((n, sorted(e)) for n, e in by_len.items())
        }
        return {
            "word_id": word_id,
            "n_words": n_words,
            "uni_col": uni_col,
            "bi": (bi_codes, bi_cols),
            "lex_id": lex_id,
            "lex_base": base,
            "lex": lex,
        }

    def word_tables(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """``(words, uni_col, bi_codes, bi_cols)``: every word of the vocabulary and the
        lexicon, sorted (its index is its word id); the unigram column of each word id (-1:
        none; one extra last entry -1); the code ``first id * len(words) + second id`` of
        each bigram column, sorted, and those columns."""
        given = self.__dict__.get("_word_tables")
        if given is not None:
            return given
        lex_words = {w for t in self.lexicon for w in t.split(" ")}
        words = sorted(set(" ".join(self.vocabulary).split(" ")).union(lex_words))
        n_words = len(words)
        word_id = dict(zip(words, range(n_words), strict=True))
        uni_col = np.full(n_words + 1, -1, dtype=np.int64)
        bi_codes: list[int] = []
        bi_cols: list[int] = []
        for col, term in enumerate(self.vocabulary):
            first, space, second = term.partition(" ")
            if space:
                bi_codes.append(word_id[first] * n_words + word_id[second])
                bi_cols.append(col)
            else:
                uni_col[word_id[first]] = col
        codes = np.array(bi_codes, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        return words, uni_col, codes[order], np.array(bi_cols, dtype=np.int64)[order]

    # -- inference files (numpy arrays only) ------------------------------------------------------
    def to_arrays(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """The space as a JSON-able header and numeric arrays (no object arrays: they load
        with ``allow_pickle=False``), with the lookup tables of :meth:`word_tables`, so that
        :meth:`from_arrays` builds nothing. The header names the vocabulary's SHA-256, so
        that a second model of the same space reads no array of it."""
        words, uni_col, bi_codes, bi_cols = self.word_tables()
        header = {
            "kind": STATE_KIND,
            "token_pattern": TOKEN_PATTERN,
            "ngram_range": list(self.ngram_range),
            "lexicon": list(self.lexicon),
            "vocabulary_sha256": self._key[2],
        }
        arrays = {
            "features_vocabulary": _blob(self.vocabulary),
            "features_words": _blob(words),
            "features_uni_col": uni_col,
            "features_bi_codes": bi_codes,
            "features_bi_cols": bi_cols,
        }
        return header, arrays

    @classmethod
    def from_arrays(cls, header: Any, arrays: Any) -> PolicyFeatures:
        """The inverse of :meth:`to_arrays` (``arrays``: any mapping, e.g. an open
        ``numpy.load`` archive, read only when this space is not loaded yet: spaces are
        shared by digest like :meth:`from_state`). The vocabulary is not checked entry by
        entry (the file's hash was checked against its model file, written from a checked
        instance); its digest is, and the tables are checked for shape and range, so that a
        damaged file gives ``ValueError``, never a wrong lookup.

        Raises:
            ValueError: a missing or inconsistent header entry or array.
        """
        if not isinstance(header, dict):
            raise ValueError("the features header must be a dict")
        kind, pattern = header.get("kind"), header.get("token_pattern")
        if kind != STATE_KIND or pattern != TOKEN_PATTERN:
            raise ValueError(f"features of kind {kind!r} / token pattern {pattern!r}")
        rng_in, lex_in = header.get("ngram_range"), header.get("lexicon")
        if not isinstance(rng_in, list) or tuple(rng_in) not in ((1, 1), (1, 2)):
            raise ValueError(f"ngram_range {rng_in!r}")
        if not isinstance(lex_in, list) or not all(isinstance(t, str) for t in lex_in):
            raise ValueError("the lexicon must be a list of strings")
        rng: tuple[int, int] = (rng_in[0], rng_in[1])
        lexicon = tuple(lex_in)
        if lexicon != lexicon_vocabulary(lexicon):
            raise ValueError("the lexicon is not normalized")
        digest = str(header.get("vocabulary_sha256"))
        key = (digest, lexicon, rng)
        shared = _SHARED.get(key)
        if shared is not None:
            return shared
        try:
            blob = arrays["features_vocabulary"]
            words_blob = arrays["features_words"]
            uni_col = arrays["features_uni_col"]
            bi_codes = arrays["features_bi_codes"]
            bi_cols = arrays["features_bi_cols"]
        except KeyError as exc:
            raise ValueError(f"missing array {exc}") from None
        for a in (blob, words_blob):
            if a.dtype != np.uint8 or a.ndim != 1:
                raise ValueError("the vocabulary and words must be 1-D uint8 arrays")
        if hashlib.sha256(blob.tobytes()).hexdigest() != digest:
            raise ValueError("the vocabulary does not match its digest")
        vocabulary = blob.tobytes().decode("utf-8").split("\n")
        words = words_blob.tobytes().decode("utf-8").split("\n")
        n_words, n_voc = len(words), len(vocabulary)
        for name, a, length in (
            ("uni_col", uni_col, n_words + 1),
            ("bi_codes", bi_codes, None),
            ("bi_cols", bi_cols, len(bi_codes)),
        ):
            if a.dtype != np.int64 or a.ndim != 1 or (length is not None and len(a) != length):
                raise ValueError(f"the {name} table has the wrong type or length")
        if (
            uni_col[-1] != -1
            or uni_col.min(initial=-1) < -1
            or uni_col.max(initial=-1) >= n_voc
            or bi_cols.min(initial=0) < 0
            or bi_cols.max(initial=0) >= n_voc
            or (uni_col >= 0).sum() + len(bi_cols) != n_voc
            or (len(bi_codes) and (bi_codes[0] < 0 or bi_codes[-1] >= n_words * n_words))
            or bool(np.any(bi_codes[1:] < bi_codes[:-1]))
            or len(set(words)) != n_words
            or not {w for t in lexicon for w in t.split(" ")} <= set(words)
        ):
            raise ValueError("the lookup tables do not fit the vocabulary")
        new = cls.__new__(cls)
        new.ngram_range = (rng[0], rng[1])
        new.vocabulary = tuple(vocabulary)
        new.lexicon = lexicon
        new.n_vocabulary = n_voc
        new._key = (STATE_KIND, new.ngram_range, digest, lexicon)
        new.__dict__["_word_tables"] = (words, uni_col, bi_codes, bi_cols)
        if len(_SHARED) >= 4:
            _SHARED.clear()
        _SHARED[key] = new
        return new

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:  # noqa: N803
        """N-gram counts then lexicon counts, one row per text, as a scipy CSR matrix: the
        matrix of ``to_union().transform(X)`` (:meth:`counts`)."""
        return self.counts(X).to_scipy()

    def counts(self, X: Iterable[str]) -> Rows:  # noqa: N803
        """The matrix of :meth:`transform` as plain arrays (no scipy)."""
        texts = list(X)
        n_rows = len(texts)
        n_cols = self.n_columns
        if n_rows == 0:
            return Rows(
                np.zeros(1, dtype=np.int32),
                np.zeros(0, dtype=np.int32),
                np.zeros(0, dtype=np.float64),
                (0, n_cols),
            )
        t = self._tables
        get = t["word_id"].get
        findall = _TOKEN.findall
        ids: list[int] = []
        lens: list[int] = []
        for text in texts:
            tokens = findall(text.lower())
            lens.append(len(tokens))
            ids += [get(w, -1) for w in tokens]
        wid = np.array(ids, dtype=np.int64)
        row = np.repeat(np.arange(n_rows, dtype=np.int64), lens)
        rows_out: list[np.ndarray] = []
        cols_out: list[np.ndarray] = []
        # unigrams
        known = wid >= 0
        uc = t["uni_col"][wid]  # the unknown id -1 looks up the table's last entry, -1
        hit = uc >= 0
        rows_out.append(row[hit])
        cols_out.append(uc[hit])
        # bigrams: both words known, same text
        if self.ngram_range[1] >= 2 and len(wid) > 1:
            ok = known[:-1] & known[1:] & (row[:-1] == row[1:])
            start = np.flatnonzero(ok)
            self._match(
                wid[start] * t["n_words"] + wid[start + 1], row[start], *t["bi"], rows_out, cols_out
            )
        # lexicon terms: runs of n lexicon words in one text
        if t["lex"]:
            lid = t["lex_id"][wid]
            base = t["lex_base"]
            for n, (codes, cols) in t["lex"].items():
                if len(lid) < n:
                    continue
                m = len(lid) - n + 1
                ok = np.ones(m, dtype=bool)
                code = np.zeros(m, dtype=np.int64)
                for k in range(n):
                    part = lid[k : k + m]
                    ok &= part >= 0
                    code = code * base + part
                if n > 1:
                    ok &= row[:m] == row[n - 1 : n - 1 + m]
                start = np.flatnonzero(ok)
                self._match(code[start], row[start], codes, cols, rows_out, cols_out)
        # count each (row, column) key
        keys = np.concatenate(rows_out) * n_cols + np.concatenate(cols_out)
        uniq, counts = np.unique(keys, return_counts=True)
        r = uniq // n_cols
        indptr = np.searchsorted(r, np.arange(n_rows + 1))
        return Rows(
            indptr.astype(np.int32),
            (uniq - r * n_cols).astype(np.int32),
            counts.astype(np.float64),
            (n_rows, n_cols),
        )

    @staticmethod
    def _match(
        codes: np.ndarray,
        rows: np.ndarray,
        known_codes: np.ndarray,
        known_cols: np.ndarray,
        rows_out: list[np.ndarray],
        cols_out: list[np.ndarray],
    ) -> None:
        """Append (row, column) of each code found in the sorted ``known_codes``."""
        if not len(codes) or not len(known_codes):
            return
        if len(codes) > 256:  # sorted queries: the binary searches walk memory in order
            order = np.argsort(codes)
            codes, rows = codes[order], rows[order]
        pos = np.minimum(np.searchsorted(known_codes, codes), len(known_codes) - 1)
        hit = known_codes[pos] == codes
        rows_out.append(rows[hit])
        cols_out.append(known_cols[pos[hit]])

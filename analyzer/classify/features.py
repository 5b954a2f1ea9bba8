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

Speed (:meth:`PolicyFeatures.transform`): the union's own ``transform`` builds every n-gram
as a Python string and looks it up one by one, several times slower (the "features only"
line of ``benchmarks/bench_classify.py`` times both). ``transform`` computes the same
matrix (tested equal to ``to_union().transform``) column-wise with polars and numpy: the
texts are lower-cased and tokenized by polars (Rust regex, ``[\\p{L}\\p{N}_]{2,}``: the same
runs of word characters as Python's ``\\w\\w+``), the tokens are looked up in a table of the
vocabulary's words by one hash join, and the bigrams and lexicon terms are matched as
integer codes of consecutive word ids (``searchsorted`` against the sorted codes of the
vocabulary). ``np.unique`` of the (row, column) keys counts them. polars runs
single-threaded (``POLARS_MAX_THREADS=1`` unless set before): batches are small and
parallel work is done by processes (``scan --jobs``).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import FeatureUnion

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # before polars is first imported

LEXICON_PREFIX = "lexicon:"
STATE_KIND = "policydiff.features/vocabulary-ngrams"

#: Words of two or more characters. ``findall`` gives exactly the tokens of scikit-learn's
#: default pattern ``(?u)\b\w\w+\b`` (every maximal run of two or more word characters).
TOKEN_PATTERN = r"(?u)\w\w+"
#: The same tokens for polars' Rust regex engine: Python's ``\w`` is a letter (``\p{L}``), a
#: number (``\p{N}``) or the underscore, whereas Rust's Unicode ``\w`` also takes combining
#: marks and other connector punctuation, so the class is spelled out.
FAST_TOKEN_PATTERN = r"[\p{L}\p{N}_]{2,}"
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


def _utf8(text: str) -> str:
    """``text`` with each lone surrogate replaced by ``?``: valid UTF-8 for polars, and the
    same tokens (neither is a word character)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _blob(terms: Sequence[str]) -> np.ndarray:
    """The terms as one array of UTF-8 bytes, newline-separated (how a model file stores a
    vocabulary: one numpy array loads in milliseconds, the same 50,000 n-grams as a dict take over
    a second)."""
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8).copy()


#: One vocabulary entry: one to ``max_n`` tokens (as polars finds them) joined by one space.
_ENTRY = r"^[\p{{L}}\p{{N}}_]{{2,}}(?: [\p{{L}}\p{{N}}_]{{2,}}){{0,{extra}}}$"


def _check_vocabulary(vocabulary: Sequence[str], max_n: int) -> None:
    """Raise ``ValueError`` unless every entry is a distinct lower-cased word n-gram of at
    most ``max_n`` tokens (checked column-wise: the trained vocabulary has 50,000 entries)."""
    import polars as pl

    if not vocabulary:
        raise ValueError("the vocabulary is empty")
    s = pl.Series("v", vocabulary, dtype=pl.String)
    bad = ~s.str.contains(_ENTRY.format(extra=max_n - 1)) | (s != s.str.to_lowercase())
    if bad.any():
        raise ValueError(
            f"vocabulary entry {s.filter(bad)[0]!r} is not a lower-cased word n-gram "
            f"of at most {max_n} words"
        )
    if s.n_unique() != len(s):
        raise ValueError("the vocabulary repeats an entry")


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
        row = self.transform([text])
        return {
            int(c): self.term(int(c))
            for c in np.sort(row.indices)
            if lexicon or c < self.n_vocabulary
        }

    # -- the fast route ---------------------------------------------------------------------------
    @cached_property
    def _tables(self) -> dict[str, Any]:
        """Lookup tables of :meth:`transform`, built on first use (tens of milliseconds for
        a vocabulary of 50,000 n-grams). The per-word arrays have one extra last entry, -1,
        so that the word id -1 of an unknown token looks up "none"."""
        import polars as pl

        parts = pl.Series("term", self.vocabulary, dtype=pl.String).str.split(" ")
        lex_parts = [t.split(" ") for t in self.lexicon]
        lex_words = sorted({w for p in lex_parts for w in p})
        # every word of the vocabulary and the lexicon gets an id
        words = pl.concat([parts.explode(), pl.Series(lex_words, dtype=pl.String)])
        words = words.unique().sort()
        n_words = len(words)
        word_table = pl.DataFrame({"tok": words, "wid": np.arange(n_words, dtype=np.int64)})

        def ids(tokens: pl.Series) -> np.ndarray:
            frame = pl.DataFrame({"tok": tokens})
            return frame.join(word_table, on="tok", how="left", maintain_order="left")[
                "wid"
            ].to_numpy()

        cols = np.arange(self.n_vocabulary, dtype=np.int64)
        n_parts = parts.list.len().to_numpy()
        # unigram column of each word id (-1: the word is only part of longer terms)
        uni = n_parts == 1
        uni_col = np.full(n_words + 1, -1, dtype=np.int64)
        uni_col[ids(parts.filter(pl.Series(uni)).list.get(0))] = cols[uni]
        # bigram columns by code (first word id * n_words + second word id), sorted
        bi = pl.Series(n_parts == 2)
        codes = ids(parts.filter(bi).list.get(0)) * n_words + ids(parts.filter(bi).list.get(1))
        order = np.argsort(codes, kind="stable")
        # lexicon terms by length: codes over the lexicon's own words (base len+1)
        lex_index = {w: i for i, w in enumerate(lex_words)}
        lex_id = np.full(n_words + 1, -1, dtype=np.int64)
        lex_id[ids(pl.Series(lex_words, dtype=pl.String))] = np.arange(len(lex_words))
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
            "words": word_table,
            "n_words": n_words,
            "uni_col": uni_col,
            "bi": (codes[order], cols[n_parts == 2][order]),
            "lex_id": lex_id,
            "lex_base": base,
            "lex": lex,
        }

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:  # noqa: N803
        """N-gram counts then lexicon counts, one row per text: the matrix of
        ``to_union().transform(X)`` (see the module docstring for how it is computed)."""
        import polars as pl

        texts = list(X)
        n_rows = len(texts)
        if n_rows == 0:
            return sp.csr_matrix((0, self.n_columns), dtype=np.float64)
        t = self._tables
        try:
            series = pl.Series("t", texts, dtype=pl.String)
        except UnicodeEncodeError:  # a lone surrogate (e.g. from JSON "\\udcff"): not UTF-8
            series = pl.Series("t", [_utf8(t) for t in texts], dtype=pl.String)
        tokens = series.str.to_lowercase().str.extract_all(FAST_TOKEN_PATTERN)
        exploded = pl.DataFrame({"tok": tokens}).with_row_index("row").explode("tok")
        joined = exploded.join(t["words"], on="tok", how="left", maintain_order="left")
        row = joined["row"].to_numpy().astype(np.int64)
        wid = joined["wid"].fill_null(-1).to_numpy()
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
        n_cols = self.n_columns
        keys = np.concatenate(rows_out) * n_cols + np.concatenate(cols_out)
        uniq, counts = np.unique(keys, return_counts=True)
        r = uniq // n_cols
        indptr = np.searchsorted(r, np.arange(n_rows + 1))
        return sp.csr_matrix(
            (
                counts.astype(np.float64),
                (uniq - r * n_cols).astype(np.int32),
                indptr.astype(np.int32),
            ),
            shape=(n_rows, n_cols),
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

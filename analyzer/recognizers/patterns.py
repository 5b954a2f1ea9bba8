"""Pattern files: load, validate and compile the rule data in ``analyzer/patterns/``.

A pattern file is JSON::

    {"kind": "purpose", "description": "...", "patterns": [
        {"id": "purpose.ads", "label": "advertising", "phrases": ["targeted ads", ...]},
        {"id": "purpose.x", "label": "analytics", "pattern": [{"LOWER": "measure"}, ...]},
        {"id": "purpose.y", "label": "research", "regex": "\\bresearch(es|ing)?\\b"}]}

Each entry has a unique ``id``, a ``label`` (from ``analyzer.taxonomy`` for the file's
``kind``, or from the file's own ``labels`` list for lexicon files), and exactly one of
``phrases`` (matched case-insensitively with spaCy's ``PhraseMatcher`` on ``LOWER``),
``pattern`` (a spaCy ``Matcher`` token pattern, or a list of them) or ``regex`` (a Python
regular expression, matched case-insensitively on the clause text). Optional keys: ``score``
(0-1, default 0.85), ``type`` (free text, e.g. the vagueness type), ``detail`` (a readable
sentence for the explanation), ``not_after`` (a regex: a hit is dropped when the text just
before it ends with a match, e.g. "third parties" after "interests of": they receive
nothing). Files are validated on load; a bad entry raises
``PatternError`` naming the file and the entry.

Patterns are per language: ``<name>.json`` holds the English patterns and
``<name>.<lang>.json`` (``purposes.de.json``, ``legal_bases.fr.json``) those of another
language, compiled on that language's tokenizer. Labels are the same in every language (the
taxonomy is language-neutral), so what comes after annotation does not depend on the
language.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from .. import taxonomy

try:  # optional: google-re2 runs these patterns about 4x faster than ``re`` (same results)
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the environment
    _re2 = None
from ..errors import PatternError
from ..nlp import get_nlp

PATTERN_DIR = Path(__file__).resolve().parent.parent / "patterns"
_ALLOWED_KEYS = {
    "id",
    "label",
    "phrases",
    "pattern",
    "regex",
    "score",
    "type",
    "detail",
    "kind",
    "not_after",
}
#: how far before a hit ``not_after`` looks (characters)
NOT_AFTER_WINDOW = 60


@dataclass(frozen=True)
class PatternEntry:
    """One validated entry of a pattern file."""

    id: str
    label: str
    kind: str
    score: float = 0.85
    type: str = ""
    detail: str = ""
    #: the hit is dropped when the text before it ends with a match of this
    not_after: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Match:
    """A pattern hit in a Doc: token and character offsets plus the entry that matched."""

    entry: PatternEntry
    start: int  # token index
    end: int
    start_char: int
    end_char: int
    text: str


@dataclass
class PatternSet:
    """The compiled patterns of one file: a PhraseMatcher, a Matcher and regexes."""

    path: Path
    kind: str
    entries: dict[str, PatternEntry]
    phrase_matcher: PhraseMatcher
    matcher: Matcher
    regexes: list[tuple[PatternEntry, re.Pattern[str] | LazyRegex]] = field(default_factory=list)
    fast_regexes: dict[str, Any] = field(default_factory=dict)
    #: the fast regexes were compiled for :func:`fold`-ed text (German and French files)
    folded: bool = False
    #: some entry has a ``not_after``
    vetoed: bool = False
    #: the ``Doc.user_data`` key under which the hits of this file are cached
    cache_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.cache_key = f"policydiff_pat_{self.path.name}"

    def labels(self) -> list[str]:
        return sorted({e.label for e in self.entries.values()})

    def match(self, doc: Doc) -> list[Match]:
        """All hits in ``doc``, sorted by position (overlaps kept); cached on the Doc."""
        hits = doc.user_data.get(self.cache_key)
        return hits if hits is not None else self.match_many([doc])[0]

    def match_many(self, docs: Sequence[Doc]) -> list[list[Match]]:
        """Hits for each Doc. Regexes run once over the joined texts (much faster than once
        per clause); results are cached in ``doc.user_data`` so recognizers share them."""
        key = self.cache_key
        todo = [d for d in docs if key not in d.user_data]
        if todo:
            regex_hits = self._regex_many(todo)
            tokens = bool(len(self.phrase_matcher) or len(self.matcher))
            for d, rh in zip(todo, regex_hits, strict=True):
                hits = self._token_hits(d) + rh if tokens else rh
                hits.sort(key=lambda m: (m.start_char, -m.end_char, m.entry.id))
                if self.vetoed:
                    hits = _drop_vetoed(_doc_text(d), hits)
                d.user_data[key] = hits
        return [d.user_data[key] for d in docs]

    def _regex_many(self, docs: Sequence[Doc]) -> list[list[Match]]:
        out: list[list[Match]] = [[] for _ in docs]
        if not self.regexes:
            return out
        texts = [_doc_text(d) for d in docs]
        tok_starts: list[list[int] | None] = [None] * len(docs)

        def add(i: int, e: PatternEntry, lo: int, hi: int) -> None:
            ts = tok_starts[i]
            if ts is None:
                ts = tok_starts[i] = _token_starts(docs[i])
            if not ts:
                return
            t0 = max(0, bisect_right(ts, lo) - 1)
            t1 = max(t0 + 1, bisect_right(ts, hi - 1))
            out[i].append(Match(e, t0, t1, lo, hi, texts[i][lo:hi]))

        slow = [(e, rx) for e, rx in self.regexes if e.id not in self.fast_regexes]
        if len(slow) < len(self.regexes):
            # RE2 on UTF-8 bytes: byte offsets map to characters cheaply (most text is ASCII);
            # folded text is all ASCII, with the same offsets as the text
            encoded = (
                [_doc_folded(d).encode("ascii") for d in docs]
                if self.folded
                else [t.encode("utf-8") for t in texts]
            )
            starts, pos = [], 0
            for b in encoded:
                starts.append(pos)
                pos += len(b) + 2
            joined_b = b"\n\n".join(encoded)
            ascii_ = [len(b) == len(t) for b, t in zip(encoded, texts, strict=True)]
            for e, _ in self.regexes:
                fast = self.fast_regexes.get(e.id)
                if fast is None:
                    continue
                for m in fast.finditer(joined_b):
                    a, b = m.start(), m.end()
                    if b <= a:
                        continue
                    i = bisect_right(starts, a) - 1
                    lo, hi = a - starts[i], b - starts[i]
                    if hi > len(encoded[i]):
                        continue
                    if not ascii_[i]:
                        raw = encoded[i]
                        lo = len(raw[:lo].decode("utf-8", "ignore"))
                        hi = len(raw[:hi].decode("utf-8", "ignore"))
                    add(i, e, lo, hi)
        if slow:
            starts, pos = [], 0
            for t in texts:
                starts.append(pos)
                pos += len(t) + 2
            joined = "\n\n".join(texts)
            for e, rx in slow:
                for m in rx.finditer(joined):
                    a, b = m.start(), m.end()
                    if b <= a:
                        continue
                    i = bisect_right(starts, a) - 1
                    lo, hi = a - starts[i], b - starts[i]
                    if hi > len(texts[i]):
                        continue
                    add(i, e, lo, hi)
        return out

    def _token_hits(self, doc: Doc) -> list[Match]:
        out: list[Match] = []
        vocab = doc.vocab.strings
        text = _doc_text(doc)
        for key, start, end in self.phrase_matcher(doc) if len(self.phrase_matcher) else ():
            e = self.entries[vocab[key]]
            a, b = _span_chars(doc, start, end)
            out.append(Match(e, start, end, a, b, text[a:b]))
        if len(self.matcher):
            for key, start, end in self.matcher(doc):
                e = self.entries[vocab[key]]
                a, b = _span_chars(doc, start, end)
                out.append(Match(e, start, end, a, b, text[a:b]))
        return out


_FOLD_PUNCT = {
    "\u2019": "'",
    "\u2018": "'",
    "\u00ab": '"',
    "\u00bb": '"',
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2011": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    return "x" if c.isalnum() else _FOLD_PUNCT.get(c, "\x01")


_LOOKAROUND = re.compile(r"\(\?<?[=!]")


def fold(text: str) -> str:
    r"""``text`` with every non-ASCII letter or digit replaced by ``x``, typographic quotes,
    dashes and spaces by their ASCII forms, and any other non-ASCII character by ``\x01``:
    one character for one, so offsets are unchanged. RE2's ``\w`` and ``\b`` are ASCII-only;
    on folded text (with patterns folded the same way) they see "öffentlich" as one word, as
    Python's ``re`` does on the original."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: _fold_char(m.group()), text)


def _fold_pattern(pattern: str) -> str | None:
    """A German or French regex for folded text, or None when it holds a non-ASCII character
    that folding would confuse with another (then Python's ``re`` runs it)."""
    folded = fold(pattern)
    return None if "\x01" in folded else folded


#: escapes RE2 reads and Python's ``re`` refuses (``\z``, ``\Q...\E``, ``\C``, ``\pL``): a
#: pattern with one is compiled with ``re`` at once, so that the error names its file
_RE2_ONLY = re.compile(r"\\[zQECpP]")


class LazyRegex:
    """A pattern-file regex compiled with Python's ``re`` (ignoring case) on first use.

    Every cold compare compiled each regex of every pattern file twice, with RE2 and with
    ``re`` (decision 0011), and most are only ever run by RE2 (``fast_regexes``);
    Python's ``re`` runs a regex RE2 cannot, and the legal-basis recognizer's clause checks.
    Only patterns RE2 has compiled are deferred, so a typo still fails when the file loads;
    ``tests/test_recognizers_patterns.py`` compiles every bundled one with ``re`` too."""

    __slots__ = ("pattern", "_path", "_where", "_compiled")

    def __init__(self, pattern: str, path: Path, where: str):
        self.pattern = pattern
        self._path, self._where = path, where
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        rx = self._compiled
        if rx is None:
            try:
                rx = self._compiled = re.compile(self.pattern, re.IGNORECASE)
            except re.error as exc:
                raise _fail(self._path, f"{self._where}: invalid regex: {exc}") from None
        return rx

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled.search(string, *args)

    def finditer(self, string: str, *args: int) -> Any:
        return self.compiled.finditer(string, *args)


def _fast_regex(pattern: str) -> Any:
    """The pattern compiled with RE2 when available and compatible, else None."""
    if _re2 is None or _LOOKAROUND.search(pattern):
        return None  # RE2 has no look-around (and would log the refusal on stderr)
    try:
        return _re2.compile(("(?i)" + pattern).encode("utf-8"))
    except Exception:  # RE2 lacks some constructs (look-behind, back-references)
        return None


def _drop_vetoed(text: str, hits: list[Match]) -> list[Match]:
    """``hits`` without those whose entry's ``not_after`` matches the text just before them."""
    return [
        m
        for m in hits
        if m.entry.not_after is None
        or not m.entry.not_after.search(text, max(0, m.start_char - NOT_AFTER_WINDOW), m.start_char)
    ]


def _doc_text(doc: Doc) -> str:
    t = doc.user_data.get("policydiff_text")
    if t is None:
        t = doc.user_data["policydiff_text"] = doc.text
    return t


def _doc_folded(doc: Doc) -> str:
    t = doc.user_data.get("policydiff_folded")
    if t is None:
        t = doc.user_data["policydiff_folded"] = fold(_doc_text(doc))
    return t


def _span_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    tok = doc[end - 1]
    return doc[start].idx, tok.idx + len(tok)


def _token_starts(doc: Doc) -> list[int]:
    from .common import token_arrays

    return token_arrays(doc)[0]


def _fail(path: Path, msg: str, fix: str = "fix the entry or remove it") -> PatternError:
    return PatternError(msg, path=str(path), fix=fix)


def _allowed_labels(path: Path, data: dict[str, Any], kind: str) -> set[str] | None:
    if "labels" in data:
        labels = data["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise _fail(path, "'labels' must be a list of strings")
        return set(labels)
    if kind in taxonomy.VOCABULARY:
        return set(taxonomy.VOCABULARY[kind])
    return None


def compile_file(path: Path, nlp: Language | None = None) -> PatternSet:
    """Read, validate and compile one pattern file (raises ``PatternError``), on the
    tokenizer of ``nlp`` or else of the file's language (``<name>.<lang>.json``)."""
    nlp = nlp or get_nlp(file_language(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "pattern file not found", "reinstall policydiff") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not valid JSON: {exc}", "fix the JSON syntax") from None
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), list):
        raise _fail(
            path,
            "expected an object with a 'patterns' list",
            "see analyzer/recognizers/patterns.py",
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise _fail(path, "missing 'kind'", 'add the annotation kind, e.g. "purpose"')
    allowed = _allowed_labels(path, data, kind)
    entries: dict[str, PatternEntry] = {}
    pm = PhraseMatcher(nlp.vocab, attr="LOWER")
    mt = Matcher(nlp.vocab)
    regexes: list[tuple[PatternEntry, re.Pattern[str] | LazyRegex]] = []
    fast_regexes: dict[str, Any] = {}
    for i, raw in enumerate(data["patterns"]):
        where = f"entry {i}"
        if not isinstance(raw, dict):
            raise _fail(path, f"{where} is not an object")
        pid = raw.get("id")
        if not isinstance(pid, str) or not pid:
            raise _fail(path, f"{where} has no 'id'")
        where = f"entry {i} ({pid!r})"
        if pid in entries:
            raise _fail(path, f"{where}: duplicate id", "give every entry a unique id")
        unknown = set(raw) - _ALLOWED_KEYS
        if unknown:
            raise _fail(path, f"{where}: unknown keys {sorted(unknown)}")
        label = raw.get("label")
        ekind = raw.get("kind", kind)
        ok_labels = allowed if ekind == kind else set(taxonomy.VOCABULARY.get(ekind, {}))
        if not isinstance(label, str) or (ok_labels is not None and label not in ok_labels):
            raise _fail(
                path,
                f"{where}: label {label!r} is not a known {ekind} label",
                f"use one of {sorted(ok_labels or [])}",
            )
        score = raw.get("score", 0.85)
        if not isinstance(score, int | float) or not 0 <= score <= 1:
            raise _fail(path, f"{where}: score must be a number in [0, 1]")
        not_after = None
        if "not_after" in raw:
            try:
                not_after = re.compile(f"(?:{raw['not_after']})\\s*$", re.IGNORECASE)
            except (re.error, TypeError) as exc:
                raise _fail(path, f"{where}: invalid not_after regex: {exc}") from None
        forms = [k for k in ("phrases", "pattern", "regex") if k in raw]
        if len(forms) != 1:
            raise _fail(path, f"{where}: needs exactly one of 'phrases', 'pattern', 'regex'")
        entry = PatternEntry(
            id=pid,
            label=label,
            kind=ekind,
            score=float(score),
            type=str(raw.get("type", "")),
            detail=str(raw.get("detail", "")),
            not_after=not_after,
        )
        entries[pid] = entry
        form = forms[0]
        if form == "phrases":
            phrases = raw["phrases"]
            if (
                not isinstance(phrases, list)
                or not phrases
                or not all(isinstance(p, str) and p.strip() for p in phrases)
            ):
                raise _fail(path, f"{where}: 'phrases' must be a non-empty list of strings")
            pm.add(pid, [nlp.make_doc(p) for p in phrases])
        elif form == "pattern":
            pat = raw["pattern"]
            pats = pat if pat and isinstance(pat[0], list) else [pat]
            try:
                mt.add(pid, pats)
            except Exception as exc:  # spaCy raises ValueError/MatchPatternError
                raise _fail(path, f"{where}: invalid token pattern: {exc}") from None
        else:
            regex = raw["regex"]
            if not isinstance(regex, str):
                raise _fail(path, f"{where}: 'regex' must be a string")
            # RE2's \w and \b are ASCII-only: German and French words ("öffentlich",
            # "données") are matched by RE2 on folded text (see ``fold``), or by ``re``
            if nlp.lang == "en":
                fast = _fast_regex(regex)
            else:
                folded = _fold_pattern(regex)
                fast = _fast_regex(folded) if folded is not None else None
            if fast is not None and not _RE2_ONLY.search(regex):
                # RE2 accepted it, so Python's ``re`` will: compiled when first needed
                regexes.append((entry, LazyRegex(regex, path, where)))
            else:
                try:
                    regexes.append((entry, re.compile(regex, re.IGNORECASE)))
                except re.error as exc:
                    raise _fail(path, f"{where}: invalid regex: {exc}") from None
            if fast is not None:
                fast_regexes[pid] = fast
    return PatternSet(
        path,
        kind,
        entries,
        pm,
        mt,
        regexes,
        fast_regexes,
        folded=nlp.lang != "en",
        vetoed=any(e.not_after is not None for e in entries.values()),
    )


def file_language(path: Path) -> str:
    """The language of a pattern file: ``de`` for ``purposes.de.json``, else ``en``."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) == 3 else "en"


def pattern_path(name: str, lang: str = "en") -> Path:
    """The file of pattern set ``name`` in ``lang``: ``<name>.json`` for English,
    ``<name>.<lang>.json`` otherwise."""
    return PATTERN_DIR / (f"{name}.json" if lang == "en" else f"{name}.{lang}.json")


def has_patterns(name: str, lang: str = "en") -> bool:
    """Whether pattern set ``name`` exists in ``lang``."""
    return pattern_path(name, lang).is_file()


@lru_cache(maxsize=64)
def load_patterns(name: str, lang: str = "en") -> PatternSet:
    """The compiled pattern set ``name`` in ``lang`` (see :func:`pattern_path`), compiled on
    that language's tokenizer (cached per process)."""
    return compile_file(pattern_path(name, lang), get_nlp(lang))

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
sentence for the explanation). Files are validated on load; a bad entry raises
``PatternError`` naming the file and the entry.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from .. import taxonomy
from ..errors import PatternError
from ..nlp import get_nlp

PATTERN_DIR = Path(__file__).resolve().parent.parent / "patterns"
_ALLOWED_KEYS = {"id", "label", "phrases", "pattern", "regex", "score", "type", "detail", "kind"}


@dataclass(frozen=True)
class PatternEntry:
    """One validated entry of a pattern file."""

    id: str
    label: str
    kind: str
    score: float = 0.85
    type: str = ""
    detail: str = ""


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
    regexes: list[tuple[PatternEntry, re.Pattern[str]]] = field(default_factory=list)

    def labels(self) -> list[str]:
        return sorted({e.label for e in self.entries.values()})

    def match(self, doc: Doc) -> list[Match]:
        """All hits in ``doc``, sorted by position (overlaps kept)."""
        out: list[Match] = []
        vocab = doc.vocab.strings
        for key, start, end in self.phrase_matcher(doc):
            e = self.entries[vocab[key]]
            span = doc[start:end]
            out.append(Match(e, start, end, span.start_char, span.end_char, span.text))
        if len(self.matcher):
            for key, start, end in self.matcher(doc):
                e = self.entries[vocab[key]]
                span = doc[start:end]
                out.append(Match(e, start, end, span.start_char, span.end_char, span.text))
        for e, rx in self.regexes:
            for m in rx.finditer(doc.text):
                if m.end() <= m.start():
                    continue
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is None:
                    continue
                out.append(Match(e, span.start, span.end, m.start(), m.end(), m.group(0)))
        out.sort(key=lambda m: (m.start_char, -m.end_char, m.entry.id))
        return out


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
    """Read, validate and compile one pattern file (raises ``PatternError``)."""
    nlp = nlp or get_nlp("en")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "pattern file not found", "reinstall policydiff") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"not valid JSON: {exc}", "fix the JSON syntax") from None
    if not isinstance(data, dict) or not isinstance(data.get("patterns"), list):
        raise _fail(path, "expected an object with a 'patterns' list", "see analyzer/recognizers/patterns.py")
    kind = data.get("kind")
    if not isinstance(kind, str) or not kind:
        raise _fail(path, "missing 'kind'", "add the annotation kind, e.g. \"purpose\"")
    allowed = _allowed_labels(path, data, kind)
    entries: dict[str, PatternEntry] = {}
    pm = PhraseMatcher(nlp.vocab, attr="LOWER")
    mt = Matcher(nlp.vocab)
    regexes: list[tuple[PatternEntry, re.Pattern[str]]] = []
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
        )
        entries[pid] = entry
        form = forms[0]
        if form == "phrases":
            phrases = raw["phrases"]
            if not isinstance(phrases, list) or not phrases or not all(
                isinstance(p, str) and p.strip() for p in phrases
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
            try:
                regexes.append((entry, re.compile(raw["regex"], re.IGNORECASE)))
            except (re.error, TypeError) as exc:
                raise _fail(path, f"{where}: invalid regex: {exc}") from None
    return PatternSet(path, kind, entries, pm, mt, regexes)


@lru_cache(maxsize=64)
def load_patterns(name: str) -> PatternSet:
    """The compiled pattern set of ``analyzer/patterns/<name>.json`` (cached per process)."""
    return compile_file(PATTERN_DIR / f"{name}.json")

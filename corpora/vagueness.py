"""Reader for the vagueness corpus of Lebanoff & Liu (EMNLP 2018) and the Reidenberg et al.
(2016) vague-term list.

``docs.jsonl`` holds one document a line, ``{"id", "vague_sentences": [{"sentence_str",
"scores": ["1".."5", ...], "vague_phrases": {phrase: count}}]}``. Sentences are PTB-tokenized
(`` `` ``, ``''``, ``-LRB-``); :func:`detokenize` turns them back into plain text so that
features match the clauses the pipeline sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzer.errors import InputError

from ._jsonl import jsonl_rows

VAGUE_THRESHOLD = 3.0

_PTB = [
    (re.compile(r"``\s*"), '"'),
    (re.compile(r"\s*''"), '"'),
    (re.compile(r"-LRB-\s*", re.I), "("),
    (re.compile(r"\s*-RRB-", re.I), ")"),
    (re.compile(r"-LSB-\s*", re.I), "["),
    (re.compile(r"\s*-RSB-", re.I), "]"),
    (re.compile(r"\s+([.,;:!?%)\]])"), r"\1"),
    (re.compile(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", re.I), r"\1"),
    (re.compile(r"([(\[$])\s+"), r"\1"),
]


@dataclass(frozen=True)
class VagueSentence:
    """A sentence, its annotator scores (1 = clear ... 5 = vague) and marked phrases."""

    doc_id: str
    text: str
    scores: tuple[float, ...]
    phrases: tuple[str, ...]

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores)

    @property
    def vague(self) -> bool:
        """The corpus definition used here: mean score >= 3."""
        return self.mean >= VAGUE_THRESHOLD


@dataclass(frozen=True)
class VagueDoc:
    id: str
    sentences: tuple[VagueSentence, ...]


def detokenize(text: str) -> str:
    """Undo PTB tokenization (quotes, brackets, spaces before punctuation)."""
    for pat, rep in _PTB:
        text = pat.sub(rep, text)
    return re.sub(r"\s+", " ", text).strip()


def read_docs(path: str | Path) -> list[VagueDoc]:
    """Read ``docs.jsonl``; sentences without scores are skipped.

    Raises:
        InputError: missing file or a line that is not a document object.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "docs.jsonl"
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="give the vagueness docs.jsonl")
    docs: list[VagueDoc] = []
    what = "a vagueness document"
    fix = 'each line needs "vague_sentences": [{"sentence_str", "scores"}]'
    for n, row in jsonl_rows(p, what, fix):
        try:
            raw = row["vague_sentences"]
            doc_id = str(row.get("id", n))
            sents = []
            for s in raw:
                scores = tuple(float(x) for x in s.get("scores", ()))
                if not scores:
                    continue
                phrases = s.get("vague_phrases") or {}
                sents.append(
                    VagueSentence(doc_id, detokenize(s["sentence_str"]), scores, tuple(phrases))
                )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"line {n} is not {what} ({exc!r})", path=str(p), fix=fix) from None
        docs.append(VagueDoc(doc_id, tuple(sents)))
    if not docs:
        raise InputError("no documents", path=str(p), fix="check the file")
    return docs


def read_terms(path: str | Path) -> tuple[str, ...]:
    """Read the vague-term list (one term a line), e.g. ``vagueness/vague_terms``."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="give the vague_terms file")
    terms = [t.strip().lower() for t in p.read_text(encoding="utf-8").splitlines()]
    return tuple(dict.fromkeys(t for t in terms if t))

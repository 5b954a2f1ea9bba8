"""Align: relate the clauses of two versions.

1. ``difflib.SequenceMatcher`` over the two lists of normalized clause texts finds the
   clauses kept in the same relative order: ``unchanged``.
2. Left-over clauses with the same normalized text on both sides are ``moved`` (a reordered
   section, a sentence taken to another place). A clause kept in order whose section path
   changed to another section that already existed in the old version is also ``moved``;
   one whose section was renamed, or newly inserted above it, stays ``unchanged``. Moves
   are reported with ``substantive=False``: the wording, and so what the policy says, did
   not change.
3. Within each changed region of the sequence alignment (and then, capped, across the
   remaining left-overs), clauses are paired greedily by word similarity:
   ``modified`` when the similarity reaches ``MODIFIED_THRESHOLD``.
4. What is left is ``added`` or ``removed``.

Modified clauses get a word-level diff (diff-match-patch in word mode with semantic clean-up
and an explicit timeout). A modification is ``substantive=False`` when the two texts differ
only in whitespace, punctuation, markup, case, link targets or word splitting ("e-mail" vs
"email").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from diff_match_patch import diff_match_patch

from .datamodel import Clause, ClauseChange, DiffOp

log = logging.getLogger(__name__)

#: Word similarity (0-1) at which a changed clause counts as a rewording of another.
MODIFIED_THRESHOLD = 0.5
#: Largest number of candidate pairs scored in one changed region before banding.
MAX_REGION_PAIRS = 40_000
#: Band half-width (in clauses) used when a region is larger than ``MAX_REGION_PAIRS``.
BAND = 60
#: Largest number of pairs scored in the final pass over all left-over clauses.
MAX_GLOBAL_PAIRS = 60_000
#: diff-match-patch time limit for one clause diff, in seconds.
DIFF_TIMEOUT = 0.2

_WORD = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _tokens(norm: str) -> list[str]:
    return norm.split()


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Order-aware word similarity of two token lists (difflib ratio, 0-1)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def word_diff(old: str, new: str, timeout: float = DIFF_TIMEOUT) -> tuple[DiffOp, ...]:
    """Word-level diff of two texts with diff-match-patch.

    Each distinct word, whitespace run or punctuation mark is mapped to one character (the
    line-mode trick of diff-match-patch applied to words), the character strings are
    diffed, mapped back, and cleaned up with ``diff_cleanupSemantic``.
    """
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    vocab: dict[str, str] = {}
    words: list[str] = []

    def encode(text: str) -> str:
        out = []
        for w in _WORD.findall(text):
            ch = vocab.get(w)
            if ch is None:
                n = len(words)
                # skip the surrogate range, which cannot be a str character on its own
                ch = chr(n + 0xE000) if n < 0x1000 else chr(n + 0x10000)
                vocab[w] = ch
                words.append(w)
            out.append(ch)
        return "".join(out)

    a, b = encode(old), encode(new)
    decode = {ch: w for w, ch in vocab.items()}
    diffs = dmp.diff_main(a, b, False)
    diffs = [(op, "".join(decode[ch] for ch in s)) for op, s in diffs]
    dmp.diff_cleanupSemantic(diffs)
    names = {-1: "delete", 0: "equal", 1: "insert"}
    return tuple(DiffOp(op=names[op], text=s) for op, s in diffs if s)  # type: ignore[arg-type]


def _squash(norm: str) -> str:
    return norm.replace(" ", "")


class _Aligner:
    def __init__(self, old: Sequence[Clause], new: Sequence[Clause]):
        self.old = old
        self.new = new
        self.old_partner: dict[int, ClauseChange] = {}
        self.new_partner: dict[int, ClauseChange] = {}
        self.tok_old: dict[int, list[str]] = {}
        self.tok_new: dict[int, list[str]] = {}

    def tokens(self, side: str, i: int) -> list[str]:
        cache = self.tok_old if side == "old" else self.tok_new
        if i not in cache:
            clauses = self.old if side == "old" else self.new
            cache[i] = _tokens(clauses[i].norm)
        return cache[i]

    def pair(self, i: int, j: int, change: ClauseChange) -> None:
        self.old_partner[i] = change
        self.new_partner[j] = change

    def run(self) -> list[ClauseChange]:
        old, new = self.old, self.new
        sm = SequenceMatcher(None, [c.norm for c in old], [c.norm for c in new], autojunk=False)
        old_sections = {c.section for c in old}
        regions: list[tuple[list[int], list[int]]] = []
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    o, n = old[i1 + k], new[j1 + k]
                    # in order, but now under another section that already existed: moved
                    kind = (
                        "moved"
                        if o.section != n.section and n.section in old_sections
                        else "unchanged"
                    )
                    self.pair(i1 + k, j1 + k, ClauseChange(kind, o, n, 1.0, False))
            else:
                regions.append((list(range(i1, i2)), list(range(j1, j2))))

        # 2. exact moves among left-overs
        left_old: dict[str, list[int]] = {}
        for olds, _ in regions:
            for i in olds:
                left_old.setdefault(old[i].norm, []).append(i)
        for _, news in regions:
            for j in news:
                cand = left_old.get(new[j].norm)
                if cand:
                    i = cand.pop(0)
                    self.pair(i, j, ClauseChange("moved", old[i], new[j], 1.0, False))

        # 3. modified: within regions, then across the remaining left-overs
        for olds, news in regions:
            self.match_similar(
                [i for i in olds if i not in self.old_partner],
                [j for j in news if j not in self.new_partner],
                MAX_REGION_PAIRS,
            )
        rest_old = [i for i in range(len(old)) if i not in self.old_partner]
        rest_new = [j for j in range(len(new)) if j not in self.new_partner]
        if rest_old and rest_new:
            self.match_similar(rest_old, rest_new, MAX_GLOBAL_PAIRS)
        return self.ordered()

    def match_similar(self, olds: list[int], news: list[int], cap: int) -> None:
        if not olds or not news:
            return
        sets_old = {i: set(self.tokens("old", i)) for i in olds}
        sets_new = {j: set(self.tokens("new", j)) for j in news}
        banded = len(olds) * len(news) > cap
        candidates: list[tuple[float, int, int]] = []
        for a, i in enumerate(olds):
            si = sets_old[i]
            if banded:
                centre = int(a * len(news) / len(olds))
                js = news[max(0, centre - BAND) : centre + BAND + 1]
            else:
                js = news
            for j in js:
                d = _dice(si, sets_new[j])
                if d >= MODIFIED_THRESHOLD * 0.8:
                    candidates.append((d, i, j))
        if banded:
            log.debug("banded similarity search over %d x %d clauses", len(olds), len(news))
        candidates.sort(key=lambda t: (-t[0], t[1], t[2]))
        used_old: set[int] = set()
        used_new: set[int] = set()
        for _, i, j in candidates:
            if i in used_old or j in used_new:
                continue
            sim = similarity(self.tokens("old", i), self.tokens("new", j))
            if sim < MODIFIED_THRESHOLD:
                continue
            used_old.add(i)
            used_new.add(j)
            o, n = self.old[i], self.new[j]
            substantive = _squash(o.norm) != _squash(n.norm)
            change = ClauseChange(
                "modified", o, n, similarity=sim, substantive=substantive,
                diff=word_diff(o.text, n.text),
            )  # fmt: skip
            self.pair(i, j, change)

    def ordered(self) -> list[ClauseChange]:
        """Every change once, in new-document order; removals after their old predecessor."""
        keyed: list[tuple[float, int, ClauseChange]] = []
        for j, c in enumerate(self.new):
            change = self.new_partner.get(j) or ClauseChange("added", None, c, 0.0, True)
            keyed.append((float(j), 0, change))
        pos = {id(c): j for j, c in enumerate(self.new)}
        anchor = -1.0
        seq = 0
        for i, c in enumerate(self.old):
            change = self.old_partner.get(i)
            if change is not None:
                if change.new is not None:
                    anchor = float(pos[id(change.new)])
                continue
            seq += 1
            keyed.append((anchor + 0.5, seq, ClauseChange("removed", c, None, 0.0, True)))
        keyed.sort(key=lambda t: (t[0], t[1]))
        return [c for _, _, c in keyed]


def align(old: Sequence[Clause], new: Sequence[Clause]) -> list[ClauseChange]:
    """Relate the clauses of two versions.

    Returns one ``ClauseChange`` per clause of either version (pairs count once), in
    new-document order, with removed clauses placed after the clause that followed their
    old predecessor. Kinds: ``unchanged``, ``moved`` (not substantive), ``modified`` (with
    a word diff), ``added``, ``removed``.
    """
    return _Aligner(old, new).run()

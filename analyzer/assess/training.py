"""AI training: uses and their facets, additions and removals in substance, legitimate
interests claimed for AI.

A training clause in the new version is an addition only when what it says is new: each
``ai_training`` annotation carries the data categories and sources of its sentence and its
actor (company or recipient). A new training clause whose facets are all already covered by the
old version's training clauses (a renamed product, a reworded sentence, the same sentence moved
to another section) is not added; nor is one whose wording is close to an old training
sentence. Everything else is flagged, with the facets that are new named in the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .. import taxonomy as tx
from ..datamodel import AnalyzedVersion, Annotation, ClauseChange, Evidence, Finding, Span
from ..modality import CHOICE, is_deferred, is_use, modality
from .catalogue import _evidence, _finding
from .common import (
    _clauses,
    _sentence_around,
    _similarity,
    _window,
)

SIMILAR_TRAINING = 0.9  # word-sequence ratio above which a training sentence is a near-copy
#: the longest AI-training statement quoted whole as evidence (characters)
QUOTE_MAX = 300


def _statement_evidence(v: AnalyzedVersion, a: Annotation, side: str) -> Evidence:
    """Evidence for an AI-training annotation: the sentence that states it, not only the
    words the recognizer matched ("improve", "human reviewers"), so that a reader can check
    the statement from the quote. A sentence longer than ``QUOTE_MAX`` characters (a table
    row) is cut to that length around the matched words."""
    ev = _evidence(v, a, side)
    clause = next((c for c in v.clauses if c.id == a.clause_id), None)
    if clause is None:
        return ev
    text, start, end = clause.text, a.span.start, a.span.end
    lo, hi = _sentence_around(text, start)
    lo, hi = min(lo, start), max(hi, end)
    if hi - lo > QUOTE_MAX:
        cut_lo = max(lo, start - max(0, QUOTE_MAX - (end - start)) // 2)
        cut_hi = min(hi, max(end, cut_lo + QUOTE_MAX))
        if cut_lo > lo:  # begin and end on whole words
            space = text.find(" ", cut_lo, start)
            cut_lo = space + 1 if space >= 0 else cut_lo
        if cut_hi < hi:
            space = text.rfind(" ", end, cut_hi)
            cut_hi = space if space >= 0 else cut_hi
        lo, hi = cut_lo, cut_hi
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return replace(ev, span=Span(lo, hi, text[lo:hi]))


def _uses(v: AnalyzedVersion, *, headings: bool = False) -> list[Annotation]:
    """AI-training uses (``modality.is_use``: not negated, not deferred, not the object of a
    user's choice), in document order; outside headings unless ``headings`` (a purpose
    heading such as "Developing and improving AI at Chirp" states training for what it heads:
    it counts for what the version covers, not as a clause to flag)."""
    heading = set() if headings else {c.id for c in v.clauses if c.kind == "heading"}
    return [
        a
        for a in v.annotations_of(tx.AI_TRAINING)
        if (is_use(a) or _choice_framed(a)) and a.clause_id not in heading
    ]


def _scoped(v: AnalyzedVersion, uses: Sequence[Annotation]) -> list[Annotation]:
    """``uses`` with the data and sources their layout attaches to them: a training heading
    covers the data named in the clauses under it, and so does a list item under such a
    heading ("### Developing AI" / "- Data we use: public posts, photos ..."). The same
    statement reads the same as a table row (whose cells already name the data) or as a
    heading with a list."""
    clauses = _clauses(v)
    heads = {
        (*clauses[a.clause_id].section, clauses[a.clause_id].text)
        for a in uses
        if clauses[a.clause_id].kind == "heading"
    }
    if not heads:
        return list(uses)
    under: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for b in v.annotations:
        if b.negated or b.kind not in (tx.DATA_CATEGORY, tx.DATA_SOURCE):
            continue
        sec = clauses[b.clause_id].section if b.clause_id in clauses else ()
        if sec in heads:
            key = "data" if b.kind == tx.DATA_CATEGORY else "source"
            under.setdefault(sec, set()).add((key, b.label))
    out = []
    for a in uses:
        c = clauses[a.clause_id]
        sec = (*c.section, c.text) if c.kind == "heading" else c.section
        extra = under.get(sec) if c.kind in ("heading", "list_item") else None
        if extra:
            a = Annotation(
                a.clause_id,
                a.kind,
                a.label,
                a.span,
                a.score,
                a.explanation,
                a.negated,
                a.inherited,
                (*a.qualifiers, *sorted(extra - set(a.qualifiers))),
            )
        out.append(a)
    return out


def _choice_framed(a: Annotation) -> bool:
    """A training use stated as the object of a user's choice ("you can opt out of having
    your posts used to train our AI"): evidence of training only where nothing else states
    it (``_referring_uses``)."""
    return a.kind == tx.AI_TRAINING and not a.negated and modality(a) == CHOICE


def _deferred(v: AnalyzedVersion) -> list[Annotation]:
    """AI-training statements of ``v`` that are planned but deferred."""
    return [a for a in v.annotations_of(tx.AI_TRAINING) if is_deferred(a)]


def _facets(a: Annotation) -> set[tuple[str, str]]:
    return {q for q in a.qualifiers if q[0] in ("data", "source", "actor")}


_CHOICE_REFERS = frozenset({"opt_out", "withdraw"})
_GENERIC = frozenset({("data", "personal_data"), ("actor", "company")})


def _choice_refers(v: AnalyzedVersion, a: Annotation, text: str) -> bool:
    """The training use is the object of a user choice stated before it in the sentence:
    "You have the right to object to the use of your information for developing AI", "You
    can opt out of having your data used to train our models". Such a clause is about the
    choice; the use it refers to is stated (or not) elsewhere."""
    lo, _hi = _sentence_around(text, a.span.start)
    for c in v.annotations_for(a.clause_id, tx.CHOICE):
        if c.label not in _CHOICE_REFERS or c.negated or "rule" not in c.explanation.source:
            continue
        if lo <= c.span.start < a.span.start and ";" not in text[c.span.end : a.span.start]:
            return True
    return False


def _referring_uses(v: AnalyzedVersion, uses: Sequence[Annotation]) -> set[int]:
    """Indices (into ``uses``) of training uses that only refer to a use stated elsewhere:
    the object of a choice (``_choice_refers``) whose specific facets (data, sources, other
    actors) are all named by the version's other training uses. A choice clause is the only
    evidence of training when nothing else states it, and then it counts."""
    clauses = _clauses(v)
    choice = {
        i
        for i, a in enumerate(uses)
        if _choice_framed(a) or _choice_refers(v, a, clauses[a.clause_id].text)
    }
    if not choice or len(choice) == len(uses):
        return set()
    stated: set[tuple[str, str]] = set()
    for i, a in enumerate(uses):
        if i not in choice:
            stated |= _facets(a)
    return {i for i in choice if not (_facets(uses[i]) - _GENERIC - stated)}


#: How a data or source facet reads in a reason ("public posts, photos and captions").
_FACET_WORDS: dict[tuple[str, str], str] = {
    # the label also covers "publicly available information", not only users' posts
    ("data", "public_posts"): "public posts, comments or other public information",
    ("data", "media"): "photos, videos, audio and captions",
    ("data", "messages"): "messages",
    ("data", "ai_interactions"): "interactions with AI features",
    ("source", "ai_interactions"): "interactions with AI features",
    ("source", "public_web"): "publicly available information from the web",
    ("source", "partners"): "data from partners and third parties",
    ("source", "user_provided"): "data users provide",
    ("source", "automatic"): "data collected automatically",
    ("source", "other_users"): "data other users provide",
}


def _describe(facets: Iterable[tuple[str, str]]) -> str:
    parts: list[str] = []
    for k, v in sorted(facets):
        if k == "actor":
            text = "training by another company" if v == "recipient" else "training by the company"
        elif (k, v) in _FACET_WORDS:
            text = _FACET_WORDS[(k, v)]
        elif k == "source":
            text = f"data from {v.replace('_', ' ')}"
        else:
            text = v.replace("_", " ")
        if text not in parts:
            parts.append(text)
    return ", ".join(parts)


# -- AI training --------------------------------------------------------------------------
def _training_additions(
    old: AnalyzedVersion, new: AnalyzedVersion, changed_new: dict[str, ClauseChange], side: str
) -> list[Finding]:
    """Training uses in changed ``new`` clauses that ``old`` does not state in substance.

    Used both ways: ``side="new"`` gives ``ai_training.added``; with the versions swapped
    (``side="old"``) it gives ``ai_training.removed``. Where the other version already states
    training, new data, sources or actors give ``ai_training.scope_widened`` (and, swapped,
    ``ai_training.scope_narrowed``); a deferred plan in the old version that the new one
    states as a use is an addition whose reason says so.
    """
    flag = "ai_training.added" if side == "new" else "ai_training.removed"
    old_uses = _scoped(old, _uses(old, headings=True))
    old_clauses = _clauses(old)
    new_clauses = _clauses(new)
    heading_ids = {c.id for c in new.clauses if c.kind == "heading"}
    covered: set[tuple[str, str]] = set()
    for a in old_uses:
        covered |= _facets(a)
    old_windows = [_window(old_clauses[a.clause_id], a) for a in old_uses]
    best: dict[str, tuple[Annotation, set[tuple[str, str]]]] = {}
    new_uses = [
        a for a in _scoped(new, _uses(new, headings=True)) if a.clause_id not in heading_ids
    ]
    referring = _referring_uses(new, new_uses)
    for i, a in enumerate(new_uses):
        if a.clause_id not in changed_new or i in referring:
            continue
        clause = new_clauses[a.clause_id]
        facets = _facets(a)
        if old_uses:
            novel = {f for f in facets if f not in covered}
            if not novel:
                continue
            win = _window(clause, a)
            if any(_similarity(win, w) >= SIMILAR_TRAINING for w in old_windows):
                continue
        else:
            novel = facets
        prev = best.get(a.clause_id)
        if prev is None or a.score > prev[0].score:
            best[a.clause_id] = (a, novel)
    out = []
    deferred = _deferred(old)
    for cid, (a, novel) in best.items():
        clause = new_clauses[cid]
        what = _describe(f for f in novel if f != ("actor", "company")) or "data"
        # what is new in substance (``history.substance_key``): the same facets raised again
        # by a comparison that skipped a rendering are a repeat, however the clause is cut
        terms = [f"{k}:{v}" for k, v in sorted(novel)]
        if side == "new":
            if old_uses:
                out.append(
                    _finding(
                        "ai_training.scope_widened",
                        f"AI training the old version already stated now extends to {what}, "
                        "which it did not name: a new use of that data must be specified and "
                        "disclosed (Art. 5(1)(b), Art. 13(3)).",
                        a.explanation,
                        new_clause=clause,
                        old_clause=old_clauses[old_uses[0].clause_id],
                        evidence=[
                            _statement_evidence(old, old_uses[0], "old"),
                            _statement_evidence(new, a, "new"),
                        ],
                        terms=terms,
                    )
                )
                continue
            used = f" ({what})" if what != "data" else ""
            if deferred:
                d = deferred[0]
                reason = (
                    f"The old version said AI training on data was planned but deferred; the "
                    f"new version states the use{used}: training starts, a new purpose "
                    "(Art. 5(1)(b), Art. 13(3))."
                )
                evidence = [_statement_evidence(old, d, "old"), _statement_evidence(new, a, "new")]
                old_clause = old_clauses.get(d.clause_id)
            else:
                reason = (
                    f"The new version says data{used} is used to train AI models, which the "
                    "old version did not say: a new purpose (Art. 5(1)(b), Art. 13(3))."
                )
                evidence = [_statement_evidence(new, a, "new")]
                old_clause = None
            out.append(
                _finding(
                    flag,
                    reason,
                    a.explanation,
                    new_clause=clause,
                    old_clause=old_clause,
                    evidence=evidence,
                    terms=terms,
                )
            )
        else:
            narrowed = bool(old_uses)  # "old" here is the new version: it still trains
            out.append(
                _finding(
                    "ai_training.scope_narrowed" if narrowed else flag,
                    (
                        f"AI training is still stated, but no longer on {what}; check whether "
                        "that data is now excluded or only no longer disclosed (Art. 13(1)(c))."
                    )
                    if narrowed
                    else (
                        f"AI-training language of the old version ({what}) is no longer "
                        "stated; check whether the practice stopped or is no longer "
                        "disclosed (Art. 13(1)(c))."
                    ),
                    a.explanation,
                    old_clause=clause,
                    evidence=[_statement_evidence(new, a, "old")],
                    terms=terms,
                )
            )
    return out


def _li_for_ai_annotations(v: AnalyzedVersion) -> list[Annotation]:
    """Legitimate-interests annotations stated for AI training (one per clause)."""
    trained = {a.clause_id for a in _uses(v)}
    out: list[Annotation] = []
    done: set[str] = set()
    for a in v.annotations:
        if a.kind != tx.LEGAL_BASIS or a.label != "legitimate_interests" or a.negated:
            continue
        if a.clause_id in done:
            continue
        if "ai_training" not in a.qualifier("purpose") and a.clause_id not in trained:
            continue
        done.add(a.clause_id)
        out.append(a)
    return out


def _li_for_ai(
    v: AnalyzedVersion, old: AnalyzedVersion | None, added: set[str] | None = None
) -> list[Finding]:
    """LI claimed for AI training. With ``old``: everywhere if the old version never claimed
    it (e.g. a clause moved from a consent heading to a legitimate-interests one), else only
    on clauses that also raise ``ai_training.added`` (``added``), so that a reworded clause
    that keeps the same claim is not flagged again."""
    out = []
    clauses = _clauses(v)
    before = _li_for_ai_annotations(old) if old is not None else []
    for a in _li_for_ai_annotations(v):
        if before and a.clause_id not in (added or set()):
            continue  # the old version already claimed it; only new training uses count
        how = "inherited from the section heading" if a.inherited else "stated in the clause"
        out.append(
            _finding(
                "legal_basis.legitimate_interest_for_ai",
                f"Legitimate interests ({how}) is claimed for training AI models, so "
                "users can only "
                "object afterwards instead of consenting (Art. 6(1)(f), Art. 21).",
                a.explanation,
                new_clause=clauses[a.clause_id],
                evidence=[_evidence(v, a, "new")],
            )
        )
    return out

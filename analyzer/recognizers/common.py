"""Helpers shared by the rule recognizers: scopes, negation, table cells, annotations.

Scope is decided without a parser (it is not available on the hot path): a clause is cut
into scopes at sentence starts and at the breakers listed in ``patterns/ai_training.json``
(";", ":", "but", "except", "however", "unless", ...). A hit is negated when a negation cue
("not", "n't", "never", "no", "without", ...) precedes it in the same scope within a short
token window, unless the cue is part of a choice phrase ("choose not to", "if you don't
want"). A negated use verb ("we do not use", "is never shared") also negates its object list
and purpose infinitive beyond that window (``negated_use_before``). Negation never reaches
into a coordinated clause with its own subject ("..., and we use ...", "..., and public posts
are used ...").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.tokens import Doc

from ..datamodel import Annotation, Clause, Explanation, Span
from ..languages import COVERED
from ..nlp import get_nlp
from .patterns import Match, PatternSet, has_patterns, load_patterns

NEG_WINDOW = 8
USE_SCOPE = 30  # tokens from a negated use verb that its negation reaches (same scope only)
USE_NEG_WINDOW = 3  # "do not use", "will never be used", "do not sell or share"
_SUBJECTS = frozenset({"we", "they", "i", "it"})  # a new subject starts a new predicate
_PASSIVE_AUX = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_MODALS = frozenset({"will", "may", "might", "can", "could", "shall", "would", "must"})
_SUBJECT_NEG = frozenset({"no", "none", "neither", "nothing"})
_HEADER_CELL = re.compile(r"^\s*([^:|]{1,60}):\s*(.*)$", re.S)


def en_doc(doc: Doc | None, text: str) -> Doc:
    """Return a Doc on the shared English vocab (the pattern files are compiled on it)."""
    nlp = get_nlp("en")
    if doc is not None and doc.vocab is nlp.vocab:
        if "policydiff_text" not in doc.user_data:
            doc.user_data["policydiff_text"] = text
        return doc
    if doc is not None:  # a Doc of another language: its English twin is made once
        twin = doc.user_data.get("policydiff_en")
        if twin is not None:
            return twin
    d = nlp(text)
    d.user_data["policydiff_text"] = text
    if doc is not None:
        doc.user_data["policydiff_en"] = d
    return d


def doc_language(docs: Sequence[Doc]) -> str:
    """The pattern language for ``docs``: the language of the pipeline that made them (one
    document has one language) when it has pattern files, else English (a Doc made by
    another pipeline is read again with the English one, as before languages were told
    apart)."""
    lang = docs[0].lang_ if docs else "en"
    return lang if lang in COVERED else "en"


def lang_doc(doc: Doc | None, text: str, lang: str) -> Doc:
    """:func:`en_doc` for ``lang``: ``doc`` itself when it is on that language's vocab."""
    if lang == "en":
        return en_doc(doc, text)
    nlp = get_nlp(lang)
    if doc is None or doc.vocab is not nlp.vocab:
        doc = nlp(text)
    if "policydiff_text" not in doc.user_data:
        doc.user_data["policydiff_text"] = text
    return doc


def lang_docs(clauses: Sequence[Clause], docs: Sequence[Doc], lang: str) -> list[Doc]:
    """:func:`lang_doc` for each clause (:func:`en_docs` for English)."""
    if lang == "en":
        return en_docs(clauses, docs)
    return [lang_doc(d, c.text, lang) for c, d in zip(clauses, docs, strict=False)]


def en_docs(clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Doc]:
    """:func:`en_doc` for each clause; the engine's Docs (already on the shared vocab, with
    their text noted) are returned as they are without a per-Doc check."""
    vocab = get_nlp("en").vocab
    if len(docs) == len(clauses) and all(
        d.vocab is vocab and "policydiff_text" in d.user_data for d in docs
    ):
        return list(docs)
    # Docs of another language: their English twins are made in one batch
    todo = [
        (c.text, d)
        for c, d in zip(clauses, docs, strict=False)
        if d.vocab is not vocab and "policydiff_en" not in d.user_data
    ]
    if todo:
        for (text, d), twin in zip(todo, get_nlp("en").pipe(t for t, _ in todo), strict=True):
            twin.user_data["policydiff_text"] = text
            d.user_data["policydiff_en"] = twin
    return [en_doc(doc, clause.text) for clause, doc in zip(clauses, docs, strict=False)]


def doc_text(doc: Doc) -> str:
    """The text of ``doc`` (cached: ``Doc.text`` re-joins every token on each access)."""
    t = doc.user_data.get("policydiff_text")
    if t is None:
        t = doc.user_data["policydiff_text"] = doc.text
    return t


@dataclass
class DocInfo:
    """Per-Doc facts computed once and shared by every recognizer (kept in ``user_data``)."""

    lex: dict[str, list[Match]]
    scope: list[int]
    neg_tokens: list[int]
    sent_of: list[int]
    sent_starts: list[int]
    idx: list[int]

    def has(self, label: str) -> bool:
        return bool(self.lex.get(label))


def token_arrays(doc: Doc) -> tuple[list[int], list[int]]:
    """Character offsets of the tokens and the token indices where sentences start."""
    cached = doc.user_data.get("policydiff_arrays")
    if cached is None:
        if len(doc):
            arr = doc.to_array([IDX, SENT_START]).astype(np.int64)
            idx = arr[:, 0].tolist()
            starts = np.flatnonzero(arr[:, 1] == 1).tolist()
            if not starts or starts[0] != 0:
                starts = [0, *starts]
        else:
            idx, starts = [], [0]
        cached = doc.user_data["policydiff_arrays"] = (idx, starts)
    return cached


def doc_lex(doc: Doc) -> dict[str, list[Match]]:
    """The AI-lexicon hits of ``doc`` grouped by role (cached on the Doc)."""
    lex = doc.user_data.get("policydiff_lex")
    if lex is None:
        lex = {}
        # another language's Doc reads its negation and scope cues from ``scope.<lang>.json``
        lang = doc.lang_
        lexicon = ("scope", lang) if lang != "en" and has_patterns("scope", lang) else None
        for m in (load_patterns(*lexicon) if lexicon else load_patterns("ai_training")).match(doc):
            lex.setdefault(m.entry.label, []).append(m)
        doc.user_data["policydiff_lex"] = lex
    return lex


def doc_info(doc: Doc) -> DocInfo:
    """Scopes, negation cues and the AI lexicon hits of ``doc`` (cached on the Doc)."""
    cached = doc.user_data.get("policydiff_info")
    if cached is not None:
        return cached
    lex = doc_lex(doc)
    n = len(doc)
    idx, sent_starts = token_arrays(doc)
    sent_flags = np.zeros(n, dtype=np.int64)
    if n:
        sent_flags[sent_starts] = 1
        sent_flags[0] = 0
    sent_of = np.cumsum(sent_flags)
    brk = np.zeros(n, dtype=np.int64)
    for m in lex.get("BREAK", []):
        brk[m.start] = 1
    scope = (sent_of + np.cumsum(brk)).tolist()
    excepted: set[int] = set()
    for m in lex.get("NEG_EXCEPT", []):
        excepted.update(range(m.start, m.end))
    neg = sorted({m.start for m in lex.get("NEG", []) if m.start not in excepted})
    info = DocInfo(
        lex=lex,
        scope=scope,
        neg_tokens=neg,
        sent_of=sent_of.tolist(),
        sent_starts=sent_starts,
        idx=idx,
    )
    doc.user_data["policydiff_info"] = info
    return info


def negation_before(info: DocInfo, start: int, window: int = NEG_WINDOW) -> int | None:
    """Token index of a negation cue before ``start`` in the same scope, or None."""
    if start >= len(info.scope):
        return None
    sc = info.scope[start]
    for t in reversed(info.neg_tokens):
        if t >= start:
            continue
        if start - t > window or info.scope[t] != sc:
            return None
        return t
    return None


def negated_use_before(doc: Doc, info: DocInfo, start: int) -> int | None:
    """Negation cue of a negated use verb whose object or purpose holds ``start``.

    "We do not use private messages or the accounts of people under 18 to develop and
    improve AI": the cue negates "use", and so everything "use" governs up to the end of the
    scope - the data it names and the purpose infinitive ("to develop ... AI") - however
    long the object list is. The nearest use verb before ``start`` in the same scope (within
    ``USE_SCOPE`` tokens) decides: if it is not negated ("we do not use X, and we use Y to
    train AI"), nothing is. Use verbs inside a purpose phrase ("to process", "for sharing")
    do not start a new predicate and are skipped; so does a new subject ("and we ...").
    """
    if start >= len(info.scope):
        return None
    sc = info.scope[start]
    for u in reversed(info.lex.get("USE_VERB", [])):
        if u.start >= start:
            continue
        if _span_outside_parens(doc, u.start, start) > USE_SCOPE or info.scope[u.start] != sc:
            return None
        if u.start > 0 and doc[u.start - 1].lower_ in ("to", "for"):
            continue
        if _nominal_ing(doc, u.start):
            continue  # "screen sharing", "data processing": part of the object list
        neg = negation_before(info, u.start, USE_NEG_WINDOW)
        if neg is None:
            neg = _negated_subject(doc, info, u.start)
        if neg is None or in_relative_clause(doc, info, neg, u.start):
            return None
        if new_subject_between(doc, u.end, start):
            return None  # "we do not use X, and we train AI on Y"
        if _subject_of_new_clause(doc, info, u.end, start):
            return None  # "we do not process X for ads, and public posts are used to ..."
        return neg
    return None


COORD_NEG_SCOPE = 25  # tokens over which a negation reaches through "or"-coordinated predicates
_COORD = frozenset({"or", "nor"})
_NEG_WORDS = frozenset({"not", "n't", "n’t", "never", "neither", "nor"})


def negated_coordination(doc: Doc, info: DocInfo, start: int) -> int | None:
    """Negation cue whose reach runs through a list of "or"-coordinated predicates to
    ``start``: "Chats from Temporary Chat won't appear in history, use or create memories, or
    be used to train our models". The cue is a verbal negation (not, n't, never) earlier in
    the same scope, at most ``COORD_NEG_SCOPE`` tokens before; between it and ``start`` there
    is an "or"/"nor" and no new subject (", and we use ..." ends its reach)."""
    t = negation_before(info, start, COORD_NEG_SCOPE)
    if t is None or doc[t].lower_ not in _NEG_WORDS:
        return None
    if not any(doc[i].lower_ in _COORD for i in range(t + 1, start)):
        return None
    if in_relative_clause(doc, info, t, start) or new_subject_between(doc, t + 1, start):
        return None
    return t


_ING_LICENSORS = frozenset(
    {
        "by",
        "for",
        "of",
        "from",
        "without",
        "when",
        "while",
        "before",
        "after",
        "in",
        "and",
        "or",
        "not",
        "about",
        "is",
        "are",
        "be",
        "been",
        "being",
        "to",
        "we",
        "they",
        "you",
    }
)


def _nominal_ing(doc: Doc, t: int) -> bool:
    """A use verb in -ing form that is the head of a compound noun ("screen sharing")."""
    w = doc[t].lower_
    if not w.endswith("ing") or t == 0:
        return False
    prev = doc[t - 1]
    return prev.is_alpha and prev.lower_ not in _ING_LICENSORS


def _span_outside_parens(doc: Doc, lo: int, hi: int) -> int:
    """Tokens from ``lo`` to ``hi`` not counting those inside parentheses: a parenthetical
    ("(such as poll results, whiteboard and reactions)") does not stretch a negation's reach."""
    depth = n = 0
    for t in range(lo, hi):
        w = doc[t].text
        if w == "(":
            depth += 1
        elif w == ")" and depth:
            depth -= 1
        elif depth == 0:
            n += 1
    return n


def _subject_of_new_clause(doc: Doc, info: DocInfo, lo: int, target: int) -> bool:
    """``target`` opens a coordinated clause as its subject: an 'and'/'or' between the use
    verb and it, and an auxiliary or use verb within a few tokens after it (not inside a
    relative clause: "messages that are private" stays in the object)."""
    if not any(doc[t].lower_ in ("and", "or") for t in range(lo, target)):
        return False
    sc = info.scope[target]
    for t in range(target + 1, min(len(doc), target + 5)):
        if info.scope[t] != sc:
            return False
        w = doc[t].lower_
        if w in ("that", "which", "who", "to", "for", ","):
            return False
        if w in _PASSIVE_AUX or w in _MODALS:
            return True
    return False


def _negated_subject(doc: Doc, info: DocInfo, use: int) -> int | None:
    """'No content from private groups is used to ...': a passive use verb whose subject
    opens its scope with 'no' / 'none' / 'neither' / 'nothing'."""
    if use == 0 or doc[use - 1].lower_ not in _PASSIVE_AUX:
        return None
    sc = info.scope[use]
    t = use - 1
    while t > 0 and info.scope[t - 1] == sc:
        t -= 1
    if doc[t].lower_ in _SUBJECT_NEG and t in info.neg_tokens:
        return t
    return None


def new_subject_between(doc: Doc, lo: int, hi: int) -> bool:
    """A coordinated clause with its own subject ('..., and we ...') between tokens."""
    return any(
        doc[t].lower_ in ("and", "or", ",", "while") and doc[t + 1].lower_ in _SUBJECTS
        for t in range(lo, hi - 1)
    )


def negated_at(
    doc: Doc, start: int, window: int = NEG_WINDOW, through_use: bool = True
) -> int | None:
    """``negation_before`` for a Doc; cheap when the Doc holds no negation cue at all.

    With ``through_use`` (the default), a negated use verb also negates its object and
    purpose beyond the token window (``negated_use_before``).
    """
    if not doc_lex(doc).get("NEG"):
        return None
    info = doc_info(doc)
    neg = negation_before(info, start, window)
    if neg is not None and (
        in_relative_clause(doc, info, neg, start)
        or new_subject_between(doc, neg + 1, start)
        or _subject_of_new_clause(doc, info, neg + 1, start)
    ):
        neg = None
    if neg is None and through_use:
        neg = negated_use_before(doc, info, start)
    if neg is None and through_use:
        neg = negated_coordination(doc, info, start)
    if neg is None and doc.lang_ == "de":
        neg = _negation_after(doc, info, start)
    return neg


#: tokens between a German object and the "nicht" that follows it ("Wir verwenden Ihre
#: privaten Nachrichten nicht, um ..."): the rest of the noun phrase
_DE_AFTER = 4


def _negation_after(doc: Doc, info: DocInfo, start: int) -> int | None:
    """German puts the negation after the object of a main-clause verb ("Wir verwenden Ihre
    Nachrichten nicht", "Wir geben Ihre Daten nicht weiter"): a cue within a few tokens
    after ``start`` in the same scope, with no punctuation in between."""
    sc = info.scope[start] if start < len(info.scope) else None
    for t in info.neg_tokens:
        if t <= start:
            continue
        if t - start > _DE_AFTER or info.scope[t] != sc:
            return None
        if any(doc[i].is_punct for i in range(start + 1, t)):
            return None
        return t
    return None


def in_relative_clause(doc: Doc, info: DocInfo, neg: int, target: int) -> bool:
    """'public posts, which do not include messages, to train' negates the relative clause,
    not what follows it: a comma between cue and target and 'which/that/who' just before."""
    if not any(doc[t].text == "," for t in range(neg + 1, target)):
        return False
    sc = info.scope[neg]
    t = neg - 1
    while t >= 0 and info.scope[t] == sc and neg - t <= 4:
        if doc[t].lower_ in ("which", "that", "who", "whom", "whose"):
            return True
        t -= 1
    return False


def sentence_bounds(doc: Doc, token: int) -> tuple[int, int]:
    """Character bounds of the sentence holding ``token`` (the whole doc when unsentenced)."""
    if not len(doc):
        return 0, 0
    idx, starts = token_arrays(doc)
    i = bisect_right(starts, token) - 1
    lo = idx[starts[i]]
    hi = idx[starts[i + 1]] if i + 1 < len(starts) else len(doc_text(doc))
    return lo, hi


def make_span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=text[start:end])


def annotation(
    clause: Clause,
    kind: str,
    label: str,
    start: int,
    end: int,
    score: float,
    recognizer: str,
    pattern: str,
    detail: str,
    **kw: object,
) -> Annotation:
    """Build an ``Annotation`` with a rule ``Explanation``."""
    return Annotation(
        clause_id=clause.id,
        kind=kind,
        label=label,
        span=make_span(clause.text, start, end),
        score=score,
        explanation=Explanation(
            recognizer=recognizer, source="rule", pattern=pattern, detail=detail
        ),
        **kw,  # type: ignore[arg-type]
    )


def table_cells(clause: Clause) -> list[tuple[str, str, int]]:
    """``(header, value, offset)`` for each ``Header: value`` cell of a table-row clause."""
    text = clause.text
    if " | " not in text and clause.kind != "table_row":
        return []
    out: list[tuple[str, str, int]] = []
    pos = 0
    for cell in text.split("|"):
        m = _HEADER_CELL.match(cell)
        if m and clause.kind == "table_row":
            out.append((m.group(1).strip(), m.group(2), pos + m.start(2)))
        elif m and len(m.group(1).split()) <= 6:
            out.append((m.group(1).strip(), m.group(2), pos + m.start(2)))
        pos += len(cell) + 1
    return out


def match_kind(
    pattern_name: str, clauses: Sequence[Clause], docs: Sequence[Doc]
) -> list[tuple[Clause, Doc, PatternSet, list[Match]]]:
    """Run one pattern file over every clause; yields only clauses with hits. The patterns
    are those of the Docs' language (see :func:`doc_language`)."""
    lang = doc_language(docs)
    if lang != "en" and not has_patterns(pattern_name, lang):
        return []  # the registry runs a recognizer only on languages it has patterns for
    ps = load_patterns(pattern_name, lang)
    edocs = lang_docs(clauses, docs, lang)
    if lang != "en" and has_patterns("scope", lang):
        load_patterns("scope", lang).match_many(edocs)  # negation cues: one batched pass
    out = []
    for clause, d, hits in zip(clauses, edocs, ps.match_many(edocs), strict=False):
        if hits:
            out.append((clause, d, ps, hits))
    return out


#: verbs whose negation also negates what they govern, beyond the token window: asking for,
#: encouraging, collecting or keeping data ("we do not encourage you to provide ... biometric
#: data", "we do not knowingly collect information from children"); the use verbs of the AI
#: lexicon are handled by ``negated_use_before``
GOVERNING_VERBS = frozenset(
    {
        "encourage", "encourages", "ask", "asks", "require", "requires", "request",
        "requests", "want", "wants", "need", "needs", "seek", "seeks", "solicit",
        "solicits", "collect", "collects", "collected", "gather", "gathers", "gathered",
        "obtain", "obtains", "obtained", "receive", "receives", "received", "store",
        "stores", "stored", "retain", "retains", "retained", "keep", "keeps", "kept",
        "process", "processes", "processed", "sell", "sells", "sold", "rent", "rents",
    }
)  # fmt: skip


def negated_governor_before(doc: Doc, start: int) -> int | None:
    """Negation cue of a negated governing verb (``GOVERNING_VERBS``) whose object holds
    ``start``: "LinkedIn does not encourage you to provide data that includes genetic,
    biometric and health data" negates the data categories listed, however long the list.

    The nearest governing verb before ``start`` in the same scope (within ``USE_SCOPE``
    tokens) decides, as in ``negated_use_before``; a verb inside a purpose phrase ("to
    collect") is skipped, and a new subject between the verb and ``start`` ("..., and we
    collect ...") or a coordinated clause with its own subject stops the negation.
    Additive to ``negated_at`` (which callers try first).
    """
    if not doc_lex(doc).get("NEG"):
        return None
    info = doc_info(doc)
    if start >= len(info.scope):
        return None
    sc = info.scope[start]
    lo = max(0, start - USE_SCOPE)
    for t in range(start - 1, lo - 1, -1):
        if info.scope[t] != sc:
            return None
        if doc[t].lower_ not in GOVERNING_VERBS:
            continue
        if t > 0 and doc[t - 1].lower_ in ("to", "for"):
            continue
        neg = negation_before(info, t, USE_NEG_WINDOW + 1)  # "do not knowingly collect"
        if neg is None or in_relative_clause(doc, info, neg, t):
            return None
        if new_subject_between(doc, t + 1, start) or _subject_of_new_clause(
            doc, info, t + 1, start
        ):
            return None
        return neg
    return None


_CONDITION = re.compile(r"\b(if|in case|in the event( that)?|should you|where you|whether)\b", re.I)
_CONDITION_ENDS = ",;:.!?|"


def in_condition(text: str, start: int) -> bool:
    """Whether offset ``start`` of ``text`` stands inside a conditional clause that has not
    ended yet ("If your child has provided us with personal data, contact us": the child's
    data is a hypothesis, not a statement that such data is processed). The condition ends
    at a comma, a colon, a semicolon or the end of the sentence."""
    lo = max(text.rfind(ch, 0, start) for ch in _CONDITION_ENDS)
    return _CONDITION.search(text, lo + 1, start) is not None


_RIGHTS = re.compile(
    r"\b(law|laws|act|regulation)s? (permits?|allows?|gives?|entitles?|grants?)\b|"
    r"\byou (also )?(have|may have) (the|a) right\b|\bright to (request|know|access|ask)\b",
    re.I,
)
_RESTRICTION_AFTER = re.compile(
    r"^\s*[(,]?\s*(other than|except|besides|apart from|"
    r"(that|which) (do not|don[’']t|does not|doesn[’']t|will not|won[’']t)\b)",
    re.I,
)


def in_rights_statement(text: str, start: int) -> bool:
    """Whether offset ``start`` of ``text`` stands in a sentence that describes a right or
    what the law permits ("California law permits residents to request what a company
    shares with third parties"), not what the company does."""
    lo = max(text.rfind(ch, 0, start) for ch in ".!?|")
    return _RIGHTS.search(text, lo + 1, start) is not None


def restricted_after(text: str, end: int) -> bool:
    """Whether the words right after offset ``end`` restrict what precedes ("any purpose
    (other than associating it with your account)", "any purpose except ...", "other
    purposes that don't involve deriving your attributes")."""
    return _RESTRICTION_AFTER.match(text[end : end + 40]) is not None

"""Segment: split a ``PolicyVersion`` into ``Clause`` objects.

- headings are clauses of kind ``heading`` and open a section (``Clause.section`` is the
  path of heading texts above a clause, nested by heading level);
- paragraphs are split into sentences with the shared spaCy sentencizer (batched with
  ``nlp.pipe``), then re-joined where the split fell after an abbreviation ("e.g.",
  "Art.", "Inc.") or a bare list number ("1.");
- each list item is one clause (a very long one is split into sentences, kind stays
  ``list_item``); the lead-in paragraph sentence ending with ":" just before a list, and any
  parent item ending with ":", become the item's ``context`` (a table right after such a
  sentence gets it as the ``context`` of each row);
- each table row is one clause whose text carries the column headers
  (``Purpose: ... | Legal basis: ...``). Offsets of a table-row clause span the row in
  ``version.text`` (cells joined by " | "), but its text differs from that slice when there
  are headers: it is the only kind for which ``text[start:end] != clause.text``.

Ids are stable: a hash of ``normalize(text)``, with ``-2``, ``-3`` for repeats.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.language import Language

from .datamodel import Block, Clause, PolicyVersion
from .errors import InputError
from .nlp import get_nlp

#: List items longer than this (characters) are split into sentences.
LONG_ITEM = 600
#: A document that splits into more clauses than this is refused (``InputError``): the
#: longest real policies in the shared corpora have about 1,200. Read at each call.
MAX_CLAUSES = 5_000
#: A document whose plain text is longer than this many characters is refused before it is
#: split (``InputError``): the longest real policies have about 185,000, and text this long
#: would exceed ``MAX_CLAUSES`` at any ordinary clause length. Read at each call.
MAX_TEXT_CHARS = 3_000_000
#: A document with a clause (a sentence, list item or table row) longer than this many
#: characters is refused (``InputError``): real clauses have at most a few thousand, and the
#: annotators' cost per clause grows with its length. Read at each call.
MAX_CLAUSE_CHARS = 200_000
#: A clause's ``context`` keeps at most this many characters (the end: the nearest lead-in),
#: so that lists nested deep under items ending in ":" stay linear.
CONTEXT_MAX = 1_000

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]{0,200}>")
_URL = re.compile(r"\bhttps?://\S+")
_NONWORD = re.compile(r"[\W_]+")
# Abbreviations after which a sentence never ends in policy text.
_ALWAYS_ABBREV = re.compile(
    r"(?:\b(?:e\.\s?g|i\.\s?e|cf|viz|approx|art|arts|no|nos|para|sec|p|pp|vol|ch|fig|"
    r"incl|esp|resp|vs|v|ref|mr|mrs|ms|dr|st|u\.s|u\.k|"
    # German and French legal and everyday abbreviations ("Art. 6 Abs. 1 lit. f", "al.")
    r"abs|lit|gem|ggf|bzw|vgl|nr|ziff|inkl|evtl|sog|bspw|zzgl|ca|z\.\s?b|d\.\s?h|u\.\s?a|al|ex)\.)$",
    re.I,
)
# Abbreviations that end a sentence only when an upper-case word follows.
_MAYBE_ABBREV = re.compile(r"\b(?:etc|inc|ltd|co|corp|llc|plc|gmbh|s\.a|b\.v|jr|sr)\.$", re.I)
_LIST_NUMBER = re.compile(r"(?:^|[:;,]\s+)(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|\(?[ivx]{1,5}[.)])$", re.I)


def normalize(text: str) -> str:
    """The comparison form of a clause.

    Lower case (casefold), Unicode NFKC, Markdown links reduced to their text, HTML tags,
    entities and bare URLs removed, and every run of punctuation (quotes, apostrophes,
    dashes, markup characters) or whitespace turned into one space. Whitespace reflow,
    markup, link targets, curly vs straight quotes and dash variants therefore do not
    change the result.
    """
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "://" in text:
        text = _URL.sub(" ", text)
    text = text.replace("\u2019", "").replace("'", "")
    return _NONWORD.sub(" ", text.casefold()).strip()


def clause_id(norm: str, seen: dict[str, int]) -> str:
    """Stable id of a clause from its normalized text; repeats get ``-2``, ``-3``..."""
    base = "c" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]
    n = seen.get(base, 0) + 1
    seen[base] = n
    return base if n == 1 else f"{base}-{n}"


def _bounded(context: str) -> str:
    """``context`` cut to its last ``CONTEXT_MAX`` characters, at a word boundary."""
    if len(context) <= CONTEXT_MAX:
        return context
    tail = context[-CONTEXT_MAX:]
    cut = tail.find(" ")
    return tail[cut + 1 :] if 0 <= cut < len(tail) - 1 else tail


def _too_many(version: PolicyVersion, limit: int) -> InputError:
    return InputError(
        f"the document splits into more than {limit:,} clauses (long real policies have "
        "about 1,200)",
        path=version.source,
        fix="check that it is the policy you meant, or split it "
        "(the limit is analyzer.segment.MAX_CLAUSES)",
    )


def _sentences(text: str, doc) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Sentence (start, end) character offsets in ``text``, repaired after abbreviations."""
    spans = [(s.start_char, s.end_char) for s in doc.sents]
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out:
            prev_start, prev_end = out[-1]
            prev = text[max(prev_start, prev_end - 40) : prev_end].rstrip()
            nxt = text[start:end].lstrip()
            first = nxt[:1]
            last_word = prev.rsplit(None, 1)[-1] if prev else ""
            if (
                _ALWAYS_ABBREV.search(prev[-16:])
                or _LIST_NUMBER.search(prev)
                or (_MAYBE_ABBREV.search(last_word) and not first.isupper())
                or first.islower()
            ):
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return out


def _pieces_of(block: Block, spans: list[tuple[int, int]]) -> list[tuple[str, int]]:
    pieces = []
    for s, e in spans:
        seg = block.text[s:e]
        stripped = seg.strip()
        if not stripped:
            continue
        lead = len(seg) - len(seg.lstrip())
        pieces.append((stripped, block.start + s + lead))
    return pieces


@dataclass
class SegmentCache:
    """Pure per-text results that :func:`segment` fills and reuses: the engine shares one
    between the two versions of a comparison, which have most paragraphs in common. Use one
    only with one ``nlp``."""

    sentences: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    norms: dict[str, str] = field(default_factory=dict)


def segment(
    version: PolicyVersion,
    nlp: Language | None = None,
    cache: SegmentCache | None = None,
) -> list[Clause]:
    """Split a version into clauses with stable ids, section paths, offsets and context.

    Args:
        version: the ingested document.
        nlp: a spaCy pipeline with a sentencizer (default: ``analyzer.nlp.get_nlp()``).
        cache: sentence splits and normal forms to reuse and fill (see
            :class:`SegmentCache`).

    Returns:
        The clauses in document order; ``Clause.index`` is the position in this list.

    Raises:
        InputError: the text is longer than ``MAX_TEXT_CHARS``, the document splits into
            more than ``MAX_CLAUSES`` clauses, or one clause is longer than
            ``MAX_CLAUSE_CHARS``.
    """
    nlp = nlp or get_nlp()
    blocks: Sequence[Block] = version.blocks
    limit = MAX_CLAUSES
    if len(version.text) > MAX_TEXT_CHARS:
        raise InputError(
            f"the text is {len(version.text):,} characters long, above the limit of "
            f"{MAX_TEXT_CHARS:,} (long real policies have about 185,000)",
            path=version.source,
            fix="check that it is the policy you meant, or split it "
            "(the limit is analyzer.segment.MAX_TEXT_CHARS)",
        )
    if len(blocks) > limit:  # every block gives at least one clause (or none if empty)
        raise _too_many(version, limit)
    to_split = [
        i
        for i, b in enumerate(blocks)
        if b.kind == "paragraph" or (b.kind == "list_item" and len(b.text) > LONG_ITEM)
    ]
    cache = cache if cache is not None else SegmentCache()
    memo = cache.sentences
    norms = cache.norms
    new = list(dict.fromkeys(blocks[i].text for i in to_split if blocks[i].text not in memo))
    for text, doc in zip(new, nlp.pipe(new), strict=True):
        memo[text] = _sentences(text, doc)
    spans = {i: memo[blocks[i].text] for i in to_split}

    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    section: list[tuple[int, str]] = []
    lead_in = ""  # the sentence ending with ":" that introduces the current list
    item_stack: list[tuple[int, str]] = []  # (level, context for children) of open items
    prev_kind = ""
    last_sentence = ""
    table_lead = ""  # the same, for the rows of a table

    def add(text: str, kind: str, start: int, end: int, sect: tuple[str, ...], ctx: str) -> None:
        norm = norms.get(text)
        if norm is None:
            norm = norms[text] = normalize(text)
        if not norm:
            return
        if len(clauses) >= limit:
            raise _too_many(version, limit)
        if len(text) > MAX_CLAUSE_CHARS:
            raise InputError(
                f"a {kind.replace('_', ' ')} of {len(text):,} characters (at offset {start:,}) "
                f"is above the limit of {MAX_CLAUSE_CHARS:,} for one clause",
                path=version.source,
                fix="check that the file is a policy, not a capture of generated data; "
                "the limit is analyzer.segment.MAX_CLAUSE_CHARS",
            )
        clauses.append(
            Clause(
                id=clause_id(norm, seen),
                index=len(clauses),
                text=text,
                norm=norm,
                kind=kind,  # type: ignore[arg-type]
                section=sect,
                start=start,
                end=end,
                context=ctx,
            )
        )

    for i, block in enumerate(blocks):
        if block.kind == "heading":
            while section and section[-1][0] >= block.level:
                section.pop()
            add(block.text, "heading", block.start, block.end, tuple(t for _, t in section), "")
            section.append((block.level, block.text))
        path = tuple(t for _, t in section)

        if block.kind == "list_item":
            if prev_kind != "list_item":
                lead_in = _bounded(
                    last_sentence
                    if prev_kind == "paragraph" and last_sentence.endswith(":")
                    else ""
                )
                item_stack = []
            while item_stack and item_stack[-1][0] >= block.level:
                item_stack.pop()
            parent_ctx = item_stack[-1][1] if item_stack else lead_in
            text = block.text
            if i in spans:
                for piece, start in _pieces_of(block, spans[i]):
                    add(piece, "list_item", start, start + len(piece), path, parent_ctx)
            else:
                add(text, "list_item", block.start, block.end, path, parent_ctx)
            child_ctx = parent_ctx
            if text.endswith(":"):
                child_ctx = _bounded(f"{parent_ctx} {text}".strip())
            item_stack.append((block.level, child_ctx))
        elif block.kind == "paragraph":
            pieces = _pieces_of(block, spans[i])
            for piece, start in pieces:
                add(piece, "sentence", start, start + len(piece), path, "")
            last_sentence = pieces[-1][0] if pieces else ""
        elif block.kind == "table_row":
            if prev_kind != "table_row":
                table_lead = _bounded(
                    last_sentence
                    if prev_kind == "paragraph" and last_sentence.endswith(":")
                    else ""
                )
            headers = block.headers or ("",) * len(block.cells)
            cells = [
                f"{h}: {c}" if h else c for h, c in zip(headers, block.cells, strict=False) if c
            ]
            add(" | ".join(cells), "table_row", block.start, block.end, path, table_lead)
        if block.kind != "list_item":
            item_stack = []
            if block.kind != "paragraph":
                last_sentence = ""
        prev_kind = block.kind
    return clauses

"""Markdown reader: markdown-it-py (CommonMark + GFM tables) tokens -> raw blocks.

Links keep their text and lose their target; ``<br>`` inside a table cell separates lines
of that cell; a list item that contains a heading (LinkedIn's numbered sections) is a
container whose children become ordinary blocks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import inline as core_inline
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token

from ._blocks import Cell, RawBlock, clean, join_lines, table_blocks
from .html import html_blocks


class InlineMemo:
    """Inline source -> its parsed (and text-joined) children, for :func:`sharing`.

    Args:
        keep: bound on memory: after each document, only the entries for inline content of
            the last ``keep`` documents parsed with this memo stay (``None``: keep all).
    """

    def __init__(self, keep: int | None = None):
        self.entries: dict[str, list[Token]] = {}
        self.keep = keep
        self._recent: deque[set[str]] = deque()

    def __len__(self) -> int:
        return len(self.entries)

    def document_done(self, used: set[str]) -> None:
        """Record the inline sources of one parsed document and apply the bound."""
        if self.keep is None:
            return
        self._recent.append(used)
        while len(self._recent) > self.keep:
            self._recent.popleft()
        live = used if len(self._recent) == 1 else set().union(*self._recent)
        for key in [k for k in self.entries if k not in live]:
            del self.entries[key]


#: the memo of the innermost active :func:`sharing` block
_INLINE: ContextVar[InlineMemo | None] = ContextVar("policydiff_md_inline", default=None)


@contextmanager
def sharing(memo: InlineMemo | dict[str, list[Token]]) -> Iterator[None]:
    """Within the block, Markdown inline content (a paragraph, heading, list item or cell)
    already parsed into ``memo`` is not parsed again: successive versions of one policy share
    most of it. The children token lists are then shared, so they must only be read.

    ``memo`` is an :class:`InlineMemo` (possibly bounded) or a plain dict (unbounded)."""
    if isinstance(memo, dict):
        plain = InlineMemo()
        plain.entries = memo
        memo = plain
    reset = _INLINE.set(memo)
    try:
        yield
    finally:
        _INLINE.reset(reset)


def _inline_rule(state: StateCore) -> None:
    """markdown-it's core ``inline`` rule, taking the children of known content from the
    memo of :func:`sharing` (not when the document defines link references: its inline
    parse depends on them)."""
    memo = _INLINE.get()
    if memo is None or state.env:
        core_inline(state)
        return
    entries = memo.entries
    for token in state.tokens:
        if token.type == "inline":
            hit = entries.get(token.content)
            if hit is not None:
                token.children = hit  # already text-joined: text_join leaves it as it is
            else:
                token.children = []
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def _remember_rule(state: StateCore) -> None:
    """After ``text_join``: store the children of the new inline content in the memo (then
    apply its bound: this rule runs once per parsed document)."""
    memo = _INLINE.get()
    if memo is None or state.env:
        return
    entries = memo.entries
    used: set[str] = set()
    for token in state.tokens:
        if token.type == "inline":
            if token.content not in entries:
                entries[token.content] = token.children or []
            used.add(token.content)
    memo.document_done(used)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Link targets are dropped anyway: skip their (slow) normalization and validation.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda text: text  # type: ignore[method-assign]
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.core.ruler.at("inline", _inline_rule)
    md.core.ruler.after("text_join", "policydiff_remember", _remember_rule)
    return md


def render_inline(token: Token, *, breaks: str = " ") -> tuple[str, bool]:
    """Plain text of an inline token and whether all of its text is bold.

    ``breaks`` replaces ``<br>`` and hard line breaks (a newline inside table cells).
    """
    parts: list[str] = []
    bold_depth = 0
    all_bold = True
    for child in token.children or []:
        t = child.type
        if t in ("text", "code_inline"):
            if child.content.strip() and bold_depth == 0:
                all_bold = False
            parts.append(child.content)
        elif t == "strong_open":
            bold_depth += 1
        elif t == "strong_close":
            bold_depth = max(0, bold_depth - 1)
        elif t == "softbreak":
            parts.append(" ")
        elif t == "hardbreak":
            parts.append(breaks)
        elif t == "html_inline":
            tag = child.content.strip().lower()
            if tag.startswith("<br"):
                parts.append(breaks)
            elif tag.startswith(("<p", "</p", "<li", "<div", "</div")):
                parts.append(breaks)
        elif t == "image":
            alt = "".join(c.content for c in child.children or [])
            if alt.strip():
                all_bold = False
            parts.append(alt)
    text = "".join(parts)
    return text, all_bold and bool(text.strip())


@dataclass
class _Item:
    level: int
    paragraphs: list[str] = field(default_factory=list)
    container: bool = False
    emitted: bool = False


def markdown_blocks(text: str) -> list[RawBlock]:
    """Parse Markdown into raw blocks in reading order."""
    tokens = _parser().parse(text)
    out: list[RawBlock] = []
    items: list[_Item] = []
    list_depth = 0

    def flush(item: _Item) -> None:
        if item.paragraphs:
            out.append(RawBlock("list_item", " ".join(item.paragraphs), level=item.level))
            item.paragraphs.clear()
            item.emitted = True

    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            if items:
                flush(items[-1])
            list_depth += 1
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif t == "list_item_open":
            items.append(_Item(level=max(0, list_depth - 1)))
        elif t == "list_item_close":
            if items:
                flush(items.pop())
        elif t == "heading_open":
            for it in items:
                flush(it)
                it.container = True
            inline = tokens[i + 1]
            out.append(RawBlock("heading", render_inline(inline)[0], level=int(tok.tag[1:])))
            i += 2
        elif t == "paragraph_open":
            inline = tokens[i + 1]
            txt = render_inline(inline)[0]
            if items and not items[-1].container:
                items[-1].paragraphs.append(txt)
            else:
                out.append(RawBlock("paragraph", txt))
            i += 2
        elif t in ("fence", "code_block"):
            out.append(RawBlock("paragraph", tok.content))
        elif t == "html_block":
            out.extend(html_blocks(tok.content, fragment=True))
        elif t == "table_open":
            i = _table(tokens, i, out)
            continue
        i += 1
    return out


def _table(tokens: list[Token], i: int, out: list[RawBlock]) -> int:
    """Read one table starting at ``tokens[i]`` (``table_open``); return the next index."""
    rows: list[list[Cell]] = []
    header_rows = 0
    in_head = False
    while i < len(tokens) and tokens[i].type != "table_close":
        t = tokens[i].type
        if t == "thead_open":
            in_head = True
        elif t == "thead_close":
            in_head = False
        elif t == "tr_open":
            rows.append([])
            if in_head:
                header_rows += 1
        elif t == "inline" and rows:
            raw, bold = render_inline(tokens[i], breaks="\n")
            rows[-1].append(Cell(text=clean(join_lines(raw.split("\n"))), bold=bold, header=False))
        i += 1
    out.extend(table_blocks(rows, header_rows))
    return i + 1

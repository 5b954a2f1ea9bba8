"""HTML reader internals: BeautifulSoup (lxml) tree -> raw blocks (see ``formats.html``).

Scripts, styles, navigation, page header/footer and ``noscript`` are dropped; headings,
paragraphs, list items (with their nesting level) and table rows are kept. Links keep their
text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, PageElement, ProcessingInstruction

from ._blocks import Cell, RawBlock, TooManyElements, clean, join_lines, table_blocks

DROP = frozenset(
    {
        "script", "style", "nav", "header", "footer", "noscript", "template", "svg", "canvas",
        "iframe", "object", "embed", "head", "button", "select", "input", "textarea", "dialog",
    }
)  # fmt: skip
BLOCK = frozenset(
    {
        "p", "div", "section", "article", "main", "aside", "blockquote", "pre", "dl", "dt",
        "dd", "address", "figure", "figcaption", "details", "summary", "body", "html", "form",
        "fieldset", "center", "hr", "caption", "legend",
    }
)  # fmt: skip
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_SKIP_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)


#: tags before which a table cell's text starts a new line (``<br>`` is a line break too)
_CELL_LINES = frozenset(("p", "li", "div", "ul", "ol"))
#: the strings ``get_text`` reads (no comments, doctypes, scripts or styles)
_TEXT_STRINGS = (NavigableString, CData)


class _Walker:
    """Reads a tree into raw blocks in document order.

    The walk keeps its own stack instead of recursing, so a tree nested 50,000 elements deep
    reads like a flat one (issue 12). The stack holds iterators over the children of the
    elements being read, each with the list depth and the mode it is read in (``walk``: any
    content; ``list``: the children of ``<ul>``/``<ol>``), and the actions to run once an
    element is done (flush the paragraph, restore the block kind after a list item).
    """

    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.buf: list[str] = []
        self.kind = "paragraph"
        self.level = 0
        self._stack: list[tuple[Iterator[PageElement], int, bool] | Callable[[], None]] = []

    def flush(self) -> None:
        text = clean("".join(self.buf))
        self.buf.clear()
        if text:
            self.out.append(RawBlock(self.kind, text, level=self.level))

    def walk(self, node: Tag, list_depth: int = 0) -> None:
        """Read the children of ``node`` (the whole subtree) into ``out``."""
        stack = self._stack
        base = len(stack)
        self._push(node, list_depth)
        while len(stack) > base:
            top = stack[-1]
            if callable(top):
                stack.pop()
                top()
                continue
            children, depth, in_list = top
            child = next(children, None)
            if child is None:
                stack.pop()
            elif in_list:
                self._list_child(child, depth)
            else:
                self._child(child, depth)

    def _push(self, node: Tag, depth: int, in_list: bool = False) -> None:
        self._stack.append((iter(node.contents), depth, in_list))

    def _then(self, action: Callable[[], None]) -> None:
        self._stack.append(action)

    def _child(self, child: PageElement, depth: int) -> None:
        if isinstance(child, NavigableString):
            if not isinstance(child, _SKIP_STRINGS):
                self.buf.append(str(child))
            return
        if not isinstance(child, Tag):
            return
        name = (child.name or "").lower()
        if name in DROP or child.has_attr("hidden"):
            return
        if name == "br":
            self.buf.append(" ")
        elif name == "img":  # Markdown renders images as <img alt>: keep the alt text
            alt = child.get("alt")
            if isinstance(alt, str) and alt.strip():
                self.buf.append(alt)
        elif name in HEADINGS:
            self.flush()
            text = clean(child.get_text(" "))
            if text:
                self.out.append(RawBlock("heading", text, level=HEADINGS[name]))
        elif name in ("ul", "ol"):
            self.flush()
            self._push(child, depth, in_list=True)
        elif name == "li":  # a stray <li> outside a list
            self.flush()
            self._item(child, depth)
        elif name == "table":
            self.flush()
            if _is_layout(child):
                for cell in reversed(_own_cells(child)):  # the first cell on top
                    self._then(self.flush)
                    self._push(cell, depth)
            else:
                self.out.extend(_table(child))
        elif name in BLOCK:
            self.flush()
            self._then(self.flush)
            self._push(child, depth)
        else:  # inline element
            self._push(child, depth)

    def _list_child(self, child: PageElement, depth: int) -> None:
        """A child of ``<ul>``/``<ol>``: an item, or other content read as its own block."""
        if not isinstance(child, Tag):
            return
        if child.name == "li":
            self._item(child, depth)
        elif child.name not in DROP:
            self._then(self.flush)
            self._push(child, depth)

    def _item(self, node: Tag, depth: int) -> None:
        saved = (self.kind, self.level)

        def end() -> None:
            self.flush()
            self.kind, self.level = saved

        self._then(end)
        self.kind, self.level = "list_item", depth
        self._push(node, depth + 1)


def _own_rows(table: Tag) -> list[Tag]:
    """The rows of ``table``, not of the tables nested in it, in document order.

    One pass over the table's own elements (nested tables are not entered), so nested
    tables cost their size once, not once per level.
    """
    rows: list[Tag] = []
    stack = [iter(table.contents)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag) and child.name != "table":
            if child.name == "tr":
                rows.append(child)
            stack.append(iter(child.contents))
    return rows


def _in_head(tr: Tag, table: Tag) -> bool:
    """Whether ``tr`` lies in a ``<thead>`` of ``table`` (walks up to the table only)."""
    node = tr.parent
    while node is not None and node is not table:
        if node.name == "thead":
            return True
        node = node.parent
    return False


def _row_cells(tr: Tag) -> list[Tag]:
    """The ``<td>``/``<th>`` children of a row (not ``find_all``: bs4 first walks to the
    last descendant, which for a row holding a nested table is the whole subtree)."""
    return [c for c in tr.contents if isinstance(c, Tag) and c.name in ("td", "th")]


def _own_cells(table: Tag) -> list[Tag]:
    return [c for tr in _own_rows(table) for c in _row_cells(tr)]


def _holds(cell: Tag, names: frozenset[str], count: int = 1) -> bool:
    """Whether ``cell`` holds at least ``count`` elements named in ``names`` (a walk that
    stops as soon as it knows)."""
    stack = [iter(cell.contents)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            if child.name in names:
                count -= 1
                if count <= 0:
                    return True
            stack.append(iter(child.contents))
    return False


_LAYOUT_INSIDE = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "table"))


def _is_layout(table: Tag) -> bool:
    """A table used for page layout, not data: one column, or cells holding headings,
    nested tables or several paragraphs. Its cells are read as ordinary blocks."""
    rows = _own_rows(table)
    if not rows:
        return True
    if max(len(_row_cells(tr)) for tr in rows) <= 1:
        return True
    for cell in _own_cells(table):
        if _holds(cell, _LAYOUT_INSIDE) or _holds(cell, frozenset(("p",)), 4):
            return True
    return False


def _cell_text(cell: Tag) -> Cell:
    """A data cell's text: ``<br>`` and block elements (``<p>``, ``<li>``, ``<div>``, lists)
    start new lines, joined by :func:`join_lines`; bold when all its text is in ``<b>`` or
    ``<strong>``. One pass over the cell, which is left as it is."""
    parts: list[str] = []
    bold_parts: list[str] = []
    stack: list[tuple[Iterator[PageElement], bool]] = [(iter(cell.contents), False)]
    while stack:
        children, bold = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif isinstance(child, Tag):
            name = child.name
            if name == "br":
                parts.append("\n")
                continue
            if name in _CELL_LINES:
                parts.append("\n")
            stack.append((iter(child.contents), bold or name in ("b", "strong")))
        elif type(child) in _TEXT_STRINGS:
            parts.append(child)
            if bold:
                bold_parts.append(child)
    text = join_lines("".join(parts).split("\n"))
    bold = bool(text) and clean("".join(bold_parts)).replace(" ", "") == text.replace(" ", "")
    return Cell(text=text, bold=bold, header=cell.name == "th")


def _table(table: Tag) -> list[RawBlock]:
    rows: list[list[Cell]] = []
    header_rows = 0
    for tr in _own_rows(table):
        cells = [_cell_text(c) for c in _row_cells(tr)]
        all_th = bool(cells) and all(c.header for c in cells)
        if (_in_head(tr, table) or all_th) and len(rows) == header_rows:
            header_rows += 1
        rows.append(cells)
    return table_blocks(rows, header_rows)


#: an HTML document with more start tags than this is refused before it is parsed: the
#: tree costs tens of microseconds per element (real policy pages have a few thousand)
MAX_ELEMENTS = 100_000
_START_TAG = re.compile(r"<[A-Za-z]")


def soup_blocks(text: str, *, fragment: bool = False) -> list[RawBlock]:
    """Parse an HTML document (or a fragment embedded in Markdown) into raw blocks.

    Raises:
        TooManyElements: more than ``MAX_ELEMENTS`` start tags.
    """
    count = sum(1 for _ in _START_TAG.finditer(text)) if len(text) > MAX_ELEMENTS * 2 else 0
    if count > MAX_ELEMENTS:
        raise TooManyElements(count)
    soup = BeautifulSoup(text, "lxml")
    walker = _Walker()
    root = soup.body if (soup.body is not None and not fragment) else soup
    walker.walk(root)
    walker.flush()
    return walker.out

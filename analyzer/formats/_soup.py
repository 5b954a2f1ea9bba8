"""HTML reader internals: BeautifulSoup (lxml) tree -> raw blocks (see ``formats.html``).

Scripts, styles, navigation, page header/footer and ``noscript`` are dropped; headings,
paragraphs, list items (with their nesting level) and table rows are kept. Links keep their
text.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from ._blocks import Cell, RawBlock, clean, join_lines, table_blocks

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


class _Walker:
    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.buf: list[str] = []
        self.kind = "paragraph"
        self.level = 0

    def flush(self) -> None:
        text = clean("".join(self.buf))
        self.buf.clear()
        if text:
            self.out.append(RawBlock(self.kind, text, level=self.level))

    def walk(self, node: Tag, list_depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _SKIP_STRINGS):
                    self.buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = (child.name or "").lower()
            if name in DROP or child.has_attr("hidden"):
                continue
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
                self._list(child, list_depth)
            elif name == "li":  # a stray <li> outside a list
                self.flush()
                self._item(child, list_depth)
            elif name == "table":
                self.flush()
                if _is_layout(child):
                    for cell in _own_cells(child):
                        self.walk(cell, list_depth)
                        self.flush()
                else:
                    self.out.extend(_table(child))
            elif name in BLOCK:
                self.flush()
                self.walk(child, list_depth)
                self.flush()
            else:  # inline element
                self.walk(child, list_depth)

    def _list(self, node: Tag, depth: int) -> None:
        for child in node.children:
            if isinstance(child, Tag) and child.name == "li":
                self._item(child, depth)
            elif isinstance(child, Tag) and child.name not in DROP:
                self.walk(child, depth)
                self.flush()

    def _item(self, node: Tag, depth: int) -> None:
        saved = (self.kind, self.level)
        self.kind, self.level = "list_item", depth
        self.walk(node, depth + 1)
        self.flush()
        self.kind, self.level = saved


def _own_rows(table: Tag) -> list[Tag]:
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _own_cells(table: Tag) -> list[Tag]:
    return [c for tr in _own_rows(table) for c in tr.find_all(["td", "th"], recursive=False)]


def _is_layout(table: Tag) -> bool:
    """A table used for page layout, not data: one column, or cells holding headings,
    nested tables or several paragraphs. Its cells are read as ordinary blocks."""
    rows = _own_rows(table)
    if not rows:
        return True
    if max(len(tr.find_all(["td", "th"], recursive=False)) for tr in rows) <= 1:
        return True
    for cell in _own_cells(table):
        if cell.find(["h1", "h2", "h3", "h4", "h5", "h6", "table"]) is not None:
            return True
        if len(cell.find_all("p")) > 3:
            return True
    return False


def _cell_text(cell: Tag) -> Cell:
    for br in cell.find_all("br"):
        br.replace_with("\n")
    for el in cell.find_all(["p", "li", "div", "ul", "ol"]):
        el.insert_before("\n")
    bold_text = "".join(b.get_text() for b in cell.find_all(["b", "strong"]))
    text = join_lines(cell.get_text().split("\n"))
    bold = bool(text) and clean(bold_text).replace(" ", "") == text.replace(" ", "")
    return Cell(text=text, bold=bold, header=cell.name == "th")


def _table(table: Tag) -> list[RawBlock]:
    rows: list[list[Cell]] = []
    header_rows = 0
    for tr in _own_rows(table):
        cells = [_cell_text(c) for c in tr.find_all(["td", "th"], recursive=False)]
        in_head = tr.find_parent("thead") is not None
        all_th = bool(cells) and all(c.header for c in cells)
        if (in_head or all_th) and len(rows) == header_rows:
            header_rows += 1
        rows.append(cells)
    return table_blocks(rows, header_rows)


def soup_blocks(text: str, *, fragment: bool = False) -> list[RawBlock]:
    """Parse an HTML document (or a fragment embedded in Markdown) into raw blocks."""
    soup = BeautifulSoup(text, "lxml")
    walker = _Walker()
    root = soup.body if (soup.body is not None and not fragment) else soup
    walker.walk(root)
    walker.flush()
    return walker.out

"""Markdown reader: pulldown-cmark events (CommonMark + GFM tables, via pyromark) -> raw blocks.

Links keep their text and lose their target; ``<br>`` inside a table cell separates lines
of that cell; a list item that contains a heading (LinkedIn's numbered sections) is a
container whose children become ordinary blocks.

pulldown-cmark is a CommonMark-compliant parser written in Rust; pyromark hands its event
stream (``Start``/``End`` of a block or span, ``Text``, ``Code``, ``Html``...) to Python in one
call. The reader walks that stream once. A tight list item's text arrives without a
``Paragraph`` around it, so such bare text is read as the item's (hidden) paragraph, as
CommonMark renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyromark

from ._blocks import Cell, RawBlock, clean, join_lines, table_blocks
from .html import html_blocks

#: CommonMark plus GFM tables and strikethrough; raw HTML is always passed through
OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
#: inline HTML tags read as a line break (inside a table cell: a new line of the cell)
_BREAK_TAGS = ("<br", "<p", "</p", "<li", "<div", "</div")
#: spans whose markers are dropped (their text is kept)
_SPANS = frozenset(("Strong", "Emphasis", "Strikethrough", "Link", "Image"))


class _Inline:
    """The text of one paragraph, heading or table cell being read, and whether it is all
    bold (a bold first table row serves as the header row)."""

    __slots__ = ("all_bold", "bold_depth", "breaks", "image_depth", "parts")

    def __init__(self, breaks: str = " "):
        self.parts: list[str] = []
        self.breaks = breaks  # what <br> and hard line breaks become
        self.bold_depth = 0
        self.image_depth = 0
        self.all_bold = True

    def add(self, text: str) -> None:
        # an image's alt text stands in for the image and is never header-bold
        if (self.bold_depth == 0 or self.image_depth) and text.strip():
            self.all_bold = False
        self.parts.append(text)

    def span(self, tag: str, opening: bool) -> None:
        step = 1 if opening else -1
        if tag == "Strong":
            self.bold_depth = max(0, self.bold_depth + step)
        elif tag == "Image":
            self.image_depth = max(0, self.image_depth + step)

    def result(self) -> tuple[str, bool]:
        text = "".join(self.parts)
        return text, self.all_bold and bool(text.strip())


@dataclass
class _Item:
    level: int
    paragraphs: list[str] = field(default_factory=list)
    container: bool = False


def _tag(value: str | dict) -> str:
    """The tag of a ``Start``/``End`` event's value: ``"Paragraph"`` or ``{"Heading": ...}``."""
    return value if isinstance(value, str) else next(iter(value))


class _Reader:
    """One pass over the event stream of one document."""

    def __init__(self) -> None:
        self.out: list[RawBlock] = []
        self.items: list[_Item] = []  # open list items, innermost last
        self.list_depth = 0
        self.inline: _Inline | None = None
        self.bare = False  # ``inline`` holds the bare text of a tight list item
        self.rows: list[list[Cell]] = []
        self.header_rows = 0
        self.raw: list[str] | None = None  # content of a code or HTML block

    # -- helpers ---------------------------------------------------------------------------
    def flush(self, item: _Item) -> None:
        if item.paragraphs:
            self.out.append(RawBlock("list_item", " ".join(item.paragraphs), level=item.level))
            item.paragraphs.clear()

    def paragraph(self, text: str) -> None:
        if self.items and not self.items[-1].container:
            self.items[-1].paragraphs.append(text)
        else:
            self.out.append(RawBlock("paragraph", text))

    def text_target(self) -> _Inline | None:
        """Where inline content goes; bare text in a list item opens its hidden paragraph."""
        if self.inline is None and self.items:
            self.inline, self.bare = _Inline(), True
        return self.inline

    def end_bare(self) -> None:
        if self.bare and self.inline is not None:
            self.paragraph(self.inline.result()[0])
            self.inline, self.bare = None, False

    # -- events ----------------------------------------------------------------------------
    def start(self, tag: str) -> None:
        if tag in _SPANS:
            target = self.text_target()
            if target is not None:
                target.span(tag, True)
            return
        self.end_bare()  # a block begins: the item's bare text before it is complete
        if tag == "Paragraph":
            self.inline = _Inline()
        elif tag == "Heading":
            for item in self.items:
                self.flush(item)
                item.container = True
            self.inline = _Inline()
        elif tag == "List":
            if self.items:
                self.flush(self.items[-1])
            self.list_depth += 1
        elif tag == "Item":
            self.items.append(_Item(level=max(0, self.list_depth - 1)))
        elif tag == "Table":
            self.rows, self.header_rows = [], 0
        elif tag == "TableHead":
            self.rows.append([])
            self.header_rows += 1
        elif tag == "TableRow":
            self.rows.append([])
        elif tag == "TableCell":
            self.inline = _Inline(breaks="\n")
        elif tag in ("CodeBlock", "HtmlBlock"):
            self.raw = []

    def end(self, tag: str, value: str | dict) -> None:
        if tag in _SPANS:
            if self.inline is not None:
                self.inline.span(tag, False)
            return
        if tag == "Paragraph":
            if self.inline is not None:
                self.paragraph(self.inline.result()[0])
            self.inline = None
        elif tag == "Heading":
            level = int(value["Heading"][1:])  # type: ignore[index]  # {"Heading": "H2"}
            text = self.inline.result()[0] if self.inline is not None else ""
            self.out.append(RawBlock("heading", text, level=level))
            self.inline = None
        elif tag == "Item":
            self.end_bare()
            if self.items:
                self.flush(self.items.pop())
        elif tag == "List":
            self.end_bare()
            self.list_depth -= 1
        elif tag == "TableCell":
            raw, bold = self.inline.result() if self.inline is not None else ("", False)
            if self.rows:
                self.rows[-1].append(Cell(text=clean(join_lines(raw.split("\n"))), bold=bold))
            self.inline = None
        elif tag == "Table":
            self.out.extend(table_blocks(self.rows, self.header_rows))
            self.rows = []
        elif tag in ("CodeBlock", "HtmlBlock"):
            content = "".join(self.raw or ())
            self.raw = None
            if tag == "CodeBlock":
                self.out.append(RawBlock("paragraph", content))
            else:
                self.out.extend(html_blocks(content, fragment=True))

    def read(self, text: str) -> list[RawBlock]:
        for event in pyromark.events(text, options=OPTIONS):
            if isinstance(event, str):  # SoftBreak, HardBreak, Rule
                if self.inline is not None:
                    if event == "SoftBreak":
                        self.inline.parts.append(" ")
                    elif event == "HardBreak":
                        self.inline.parts.append(self.inline.breaks)
                continue
            ((kind, value),) = event.items()
            if kind == "Text" or kind == "Code":
                if self.raw is not None:
                    self.raw.append(value)
                elif (target := self.text_target()) is not None:
                    target.add(value)
            elif kind == "Start":
                self.start(_tag(value))
            elif kind == "End":
                self.end(_tag(value), value)
            elif kind == "Html":
                if self.raw is not None:
                    self.raw.append(value)
            elif kind == "InlineHtml":
                target = self.text_target()
                if target is not None and value.strip().lower().startswith(_BREAK_TAGS):
                    target.parts.append(target.breaks)
        return self.out


def markdown_blocks(text: str) -> list[RawBlock]:
    """Parse Markdown into raw blocks in reading order."""
    return _Reader().read(text)

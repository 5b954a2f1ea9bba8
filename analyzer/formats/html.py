"""HTML reader: BeautifulSoup (lxml) tree -> raw blocks.

Scripts, styles, navigation, page header/footer and ``noscript`` are dropped; headings,
paragraphs, list items (with their nesting level) and table rows are kept. Links keep their
text. The reader itself lives in ``formats._soup``, imported on first use: BeautifulSoup
and lxml take a noticeable part of start-up, and most documents are Markdown.
"""

from __future__ import annotations

from ._blocks import RawBlock


def html_blocks(text: str, *, fragment: bool = False) -> list[RawBlock]:
    """Parse an HTML document (or a fragment embedded in Markdown) into raw blocks."""
    from ._soup import soup_blocks

    return soup_blocks(text, fragment=fragment)

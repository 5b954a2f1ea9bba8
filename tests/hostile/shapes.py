"""Generators of pathological documents (issue 12), one function per shape.

Each generator returns ``(file name, bytes)`` for a given size parameter ``n``; the default
``n`` is the size named in the issue. ``SHAPES`` maps a shape's name to its generator and
default size. ``python -m tests.hostile.shapes DIR`` writes every shape into ``DIR``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path

_POLICY = (
    "We collect your email address and use it to provide the service. "
    "We may share your data with our partners for advertising purposes."
)


def deep_divs(n: int = 50_000) -> tuple[str, bytes]:
    """HTML with ``n`` nested ``<div>`` (RecursionError in a recursive tree walk)."""
    body = "<div>" * n + f"<p>{_POLICY}</p>" + "</div>" * n
    return "deep-divs.html", f"<html><body>{body}</body></html>".encode()


def deep_lists(n: int = 20_000) -> tuple[str, bytes]:
    """HTML with ``n`` nested ``<ul><li>``."""
    body = "<ul><li>item " * n + "</li></ul>" * n
    return "deep-lists.html", f"<html><body><p>{_POLICY}</p>{body}</body></html>".encode()


def deep_tables(n: int = 5_000) -> tuple[str, bytes]:
    """HTML with ``n`` tables nested in each other's cells."""
    body = "<table><tr><td>cell</td><td>" * n + "x" + "</td></tr></table>" * n
    return "deep-tables.html", f"<html><body><p>{_POLICY}</p>{body}</body></html>".encode()


def deep_inline(n: int = 50_000) -> tuple[str, bytes]:
    """HTML with ``n`` nested inline elements (``<span>``)."""
    body = "<span>" * n + _POLICY + "</span>" * n
    return "deep-spans.html", f"<html><body><p>{body}</p></body></html>".encode()


def link_parens(n: int = 100_000) -> tuple[str, bytes]:
    """A Markdown link whose target opens ``n`` parentheses."""
    text = f"# Privacy\n\n{_POLICY} See [our policy](" + "(" * n + ") for details.\n"
    return "link-parens.md", text.encode()


def brackets(n: int = 100_000) -> tuple[str, bytes]:
    """One Markdown line of ``n`` ``[`` then ``n`` ``]``."""
    text = f"# Privacy\n\n{_POLICY}\n\n" + "[" * n + "]" * n + "\n"
    return "brackets.md", text.encode()


def entities(n: int = 500_000) -> tuple[str, bytes]:
    """An HTML page of ``n`` ``&amp;`` entities."""
    body = f"<p>{_POLICY}</p><p>" + "&amp;" * n + "</p>"
    return "entities.html", f"<html><body>{body}</body></html>".encode()


def md_table(n: int = 100_000) -> tuple[str, bytes]:
    """A Markdown table of ``n`` rows."""
    rows = "".join(f"| purpose {i} | we use your email {i} | consent |\n" for i in range(n))
    text = f"# Privacy\n\n{_POLICY}\n\n| Purpose | Data | Legal basis |\n|---|---|---|\n{rows}"
    return "table.md", text.encode()


def md_nested_quotes(n: int = 50_000) -> tuple[str, bytes]:
    """Markdown block quotes nested ``n`` deep (``> > > ...``)."""
    text = f"# Privacy\n\n{_POLICY}\n\n" + "> " * n + "deep\n"
    return "nested-quotes.md", text.encode()


def md_nested_lists(n: int = 1_000) -> tuple[str, bytes]:
    """Markdown list items nested ``n`` deep."""
    lines = "".join("  " * i + "- item\n" for i in range(n))
    return "nested-lists.md", f"# Privacy\n\n{_POLICY}\n\n{lines}".encode()


def md_emphasis(n: int = 100_000) -> tuple[str, bytes]:
    """``n`` unmatched ``*`` and ``_`` delimiters on one line."""
    text = f"# Privacy\n\n{_POLICY}\n\n" + "*a _b " * n + "\n"
    return "emphasis.md", text.encode()


def md_html_tags(n: int = 100_000) -> tuple[str, bytes]:
    """Markdown holding ``n`` inline HTML tags that never close."""
    text = f"# Privacy\n\n{_POLICY} " + "<b>word " * n + "\n"
    return "inline-tags.md", text.encode()


def many_headings(n: int = 100_000) -> tuple[str, bytes]:
    """``n`` headings of descending then ascending levels (deep section paths)."""
    parts = [f"{'#' * (1 + i % 6)} Section {i}\n\n{_POLICY}\n\n" for i in range(n // 10)]
    return "headings.md", "".join(parts).encode()


def long_sentence(n: int = 2_000_000) -> tuple[str, bytes]:
    """One sentence of ``n`` characters with no full stop."""
    words = ("we may use your data for purposes such as " * (n // 42 + 1))[:n]
    return "long-sentence.txt", f"Privacy\n\n{words}\n".encode()


def no_space(n: int = 5_000_000) -> tuple[str, bytes]:
    """``n`` characters without a space (the issue found it already fine)."""
    return "no-space.txt", ("Privacy\n\n" + "a" * n + "\n").encode()


def repeated_sentence(n: int = 50_000) -> tuple[str, bytes]:
    """The same sentence ``n`` times (every clause id repeats: ``-2``, ``-3``...)."""
    return "repeated.txt", ("Privacy\n\n" + (_POLICY + "\n\n") * n).encode()


def many_list_markers(n: int = 100_000) -> tuple[str, bytes]:
    """Plain text of ``n`` short list lines, indented ever deeper."""
    lines = "".join(" " * (i % 40) + f"- item {i}\n" for i in range(n))
    return "list-lines.txt", ("Privacy\n\n" + lines).encode()


def cell_breaks(n: int = 200_000) -> tuple[str, bytes]:
    """A Markdown table cell holding ``n`` ``<br>`` separated lines."""
    cell = "<br>".join(f"item {i}" for i in range(n))
    text = f"# Privacy\n\n| Data | Purpose |\n|---|---|\n| {cell} | ads |\n"
    return "cell-breaks.md", text.encode()


def html_cell_paragraphs(n: int = 50_000) -> tuple[str, bytes]:
    """An HTML table cell holding ``n`` paragraphs and ``<br>``."""
    cell = "".join(f"<p>item {i}<br>more</p>" for i in range(n))
    body = f"<table><tr><th>Data</th><th>Use</th></tr><tr><td>{cell}</td><td>ads</td></tr></table>"
    return "cell-paragraphs.html", f"<html><body>{body}</body></html>".encode()


def html_table_rows(n: int = 100_000) -> tuple[str, bytes]:
    """An HTML table of ``n`` rows."""
    rows = "".join(f"<tr><td>purpose {i}</td><td>email {i}</td></tr>" for i in range(n))
    body = f"<p>{_POLICY}</p><table><tr><th>Purpose</th><th>Data</th></tr>{rows}</table>"
    return "table-rows.html", f"<html><body>{body}</body></html>".encode()


def many_paragraphs_lowercase(n: int = 100_000) -> tuple[str, bytes]:
    """``n`` paragraphs that a capture split mid-sentence (each joined to the one before)."""
    text = "Privacy\n\nWe collect" + "".join(
        f"\n\nand use the data of item {i} for the purposes we describe here" for i in range(n)
    )
    return "wrapped.txt", text.encode()


def abbreviations(n: int = 300_000) -> tuple[str, bytes]:
    """``n`` abbreviations in one paragraph ("e.g. e.g. ..."), every sentence re-joined."""
    return "abbrev.txt", ("Privacy\n\nWe collect " + "e.g. data " * n + "\n").encode()


SHAPES: dict[str, Callable[..., tuple[str, bytes]]] = {
    "deep_divs": deep_divs,
    "deep_lists": deep_lists,
    "deep_tables": deep_tables,
    "deep_inline": deep_inline,
    "link_parens": link_parens,
    "brackets": brackets,
    "entities": entities,
    "md_table": md_table,
    "md_nested_quotes": md_nested_quotes,
    "md_nested_lists": md_nested_lists,
    "md_emphasis": md_emphasis,
    "md_html_tags": md_html_tags,
    "many_headings": many_headings,
    "long_sentence": long_sentence,
    "no_space": no_space,
    "repeated_sentence": repeated_sentence,
    "many_list_markers": many_list_markers,
    "cell_breaks": cell_breaks,
    "html_cell_paragraphs": html_cell_paragraphs,
    "html_table_rows": html_table_rows,
    "many_paragraphs_lowercase": many_paragraphs_lowercase,
    "abbreviations": abbreviations,
}


def default_size(shape: str) -> int:
    """The default ``n`` of a shape's generator."""
    return inspect.signature(SHAPES[shape]).parameters["n"].default


def write_all(folder: Path, scale: float = 1.0) -> list[Path]:
    """Write every shape (its default size times ``scale``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for shape, gen in SHAPES.items():
        name, data = gen(max(1, int(default_size(shape) * scale)))
        path = folder / name
        path.write_bytes(data)
        out.append(path)
    return out


if __name__ == "__main__":
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    for p in write_all(Path(sys.argv[1]), scale):
        print(p, p.stat().st_size)

"""Reports: render a ``Comparison`` or ``Analysis`` as text, JSON, Markdown, CSV or HTML.

One registry maps a format name to a renderer ``(obj) -> str``::

    from analyzer.report import render
    print(render(comparison, "markdown"))

``rich`` renders the terminal view as plain text (no colour) for files; the CLI prints the
coloured version straight to the terminal with :func:`analyzer.report.terminal.print_report`.
``html`` is looked up lazily in ``analyzer.report.html`` (its own module and dependencies).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Union

from ..datamodel import Analysis, Comparison
from ..errors import UsageError

Report = Union[Comparison, Analysis]  # noqa: UP007  (used at run time in isinstance checks)
Renderer = Callable[[Report], str]

_RENDERERS: dict[str, Renderer] = {}


def register_format(name: str) -> Callable[[Renderer], Renderer]:
    """Decorator: make ``fn`` the renderer of format ``name``."""

    def deco(fn: Renderer) -> Renderer:
        _RENDERERS[name] = fn
        return fn

    return deco


def _render_html(obj: Report) -> str:
    from . import html as html_report  # imported on demand: Jinja2 is not needed otherwise

    name = "render_comparison_html" if isinstance(obj, Comparison) else "render_analysis_html"
    fn = getattr(html_report, name, None)
    if fn is None:
        what = "a comparison" if isinstance(obj, Comparison) else "a single-version analysis"
        raise UsageError(
            f"the HTML report cannot render {what} ({name} is missing)",
            fix="use --format markdown, json, csv or text",
        )
    return fn(obj)


#: The module of each built-in format, imported when that format is first rendered (a JSON
#: report does not import rich, Jinja2 or the other renderers).
_BUILTIN: dict[str, str] = {
    "csv": "csv",
    "json": "json",
    "markdown": "markdown",
    "rich": "terminal",
    "text": "text",
}


def _load(fmt: str) -> None:
    """Register the built-in renderer of ``fmt`` (a no-op for other names)."""
    if fmt in _RENDERERS:
        return
    if fmt == "html":
        _RENDERERS["html"] = _render_html
    elif fmt in _BUILTIN:
        import_module(f"{__name__}.{_BUILTIN[fmt]}")  # registers the format


def formats() -> list[str]:
    """Names of every available format."""
    for name in (*_BUILTIN, "html"):
        _load(name)
    return sorted(_RENDERERS)


#: The formats the CLI offers (``rich`` is the default terminal view).
FORMATS: tuple[str, ...] = ("rich", "text", "json", "markdown", "csv", "html")


def render(obj: Report, fmt: str) -> str:
    """Render a ``Comparison`` or ``Analysis`` in format ``fmt``.

    Raises:
        UsageError: unknown format, or an object that is neither a Comparison nor an Analysis.
    """
    if not isinstance(obj, (Comparison, Analysis)):
        raise UsageError(
            f"cannot render a {type(obj).__name__}", fix="pass a Comparison or an Analysis"
        )
    _load(fmt)
    fn = _RENDERERS.get(fmt)
    if fn is None:
        raise UsageError(f"unknown report format {fmt!r}", fix=f"use one of {', '.join(formats())}")
    return fn(obj)


__all__ = ["FORMATS", "formats", "register_format", "render"]

"""The fuzzing harness of issue 12: hostile inputs through every stage, with invariants.

``check(engine, base, data, name)`` runs one input through ingest -> segment -> analyze ->
compare (against ``base``) -> every report format (rich, text, json, markdown, csv, html)
and returns a :class:`Outcome`. It raises :class:`FuzzFailure` for anything but the
project's input errors (``InputError``) and for a broken invariant:

- every clause's offsets lie inside the version text, and but for table rows
  ``text[start:end]`` is the clause text;
- clause ids are stable: a second analysis (fresh caches) gives the same ids;
- the JSON reports parse; the HTML report stays inert (no markup from the policy text
  survives unescaped: ``MARKER`` scripts and handlers never appear raw); the Markdown report
  holds no raw ``<script``; no CSV cell starts a formula.

Inputs come from two generators: :func:`mutate`, a seeded byte-level mutator over real
policies (``random.Random``: reproducible from the seed), and :func:`structure`, random
Markdown/HTML/text documents built from policy-like sentences and hostile fragments (the
hypothesis strategies of ``tests/hostile/test_fuzz.py`` draw the same structures).
Used by ``tests/hostile/test_fuzz.py`` (a short run) and ``benchmarks/fuzz.py`` (a long run).
"""

from __future__ import annotations

import csv
import io
import json
import random
import time
from dataclasses import dataclass

from analyzer import ingest
from analyzer.datamodel import AnalyzedVersion
from analyzer.errors import InputError
from analyzer.report import render

#: inserted by the mutator and the generators; must never reach the HTML report unescaped
MARKER = "pdfuzz"
XSS = (
    f"<script>alert('{MARKER}')</script>",
    f"<img src=x onerror=\"alert('{MARKER}')\">",
    f"<a href=\"javascript:alert('{MARKER}')\">link</a>",
)
#: fragments the mutator inserts: markup of every format, nesting openers, entities, noise
FRAGMENTS = (
    *XSS,
    "<div>", "</div>", "<ul><li>", "</li></ul>", "<table><tr><td>", "</td></tr></table>",
    "<p>", "<br>", "<h2>", "<b>", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "&apos",
    "[", "]", "(", ")", "](", "![", "*", "_", "`", "```", "~~~", "|", "| --- |",
    "\n\n", "\n", "# ", "## ", "- ", "1. ", "> ", "    ", "\t", "\r", "\f", "\x00", "\x1b[31m",
    "\u202e", "\u200b", "\ufeff", "\ud7ff", "e.g.", "Inc.", "1.", ":", ";", "...",
    "[bold]", "[link=http://x]", "=cmd|' /C calc'!A0", "+1", "@SUM(1)", "-2",
    "We may use your data to train our AI models based on legitimate interests.",
    "We do not share private messages.",
)  # fmt: skip
_WORDS = (
    "we collect your email address and device identifiers for advertising purposes "
    "including but not limited to research legitimate interests consent contract train "
    "artificial intelligence models partners processors may share sell data personal "
    "information location cookies you can object opt out under 18 accounts excluded"
).split()


class FuzzFailure(AssertionError):
    """An input made the pipeline raise something else than ``InputError``, or broke an
    invariant; the message names the input."""


@dataclass
class Outcome:
    name: str
    size: int
    result: str  # "ok" or "input-error: ..."
    seconds: float
    clauses: int = 0


def mutate(data: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """A few byte-level mutations of ``data`` (flip, delete, duplicate, insert fragments
    or random bytes, repeat a slice many times, truncate)."""
    buf = bytearray(data)
    for _ in range(rounds if rounds is not None else rng.randint(1, 8)):
        n = len(buf)
        op = rng.randrange(9)
        at = rng.randrange(n + 1) if n else 0
        if op == 0 and n:  # flip bits of a few bytes
            for _ in range(rng.randint(1, 16)):
                buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == 1 and n:  # delete a range
            buf[at : at + rng.randint(1, 2000)] = b""
        elif op == 2 and n:  # duplicate a range
            end = min(n, at + rng.randint(1, 5000))
            buf[at:at] = buf[at:end]
        elif op == 3:  # insert fragments
            frag = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 20)))
            buf[at:at] = frag.encode("utf-8", "surrogatepass")
        elif op == 4:  # insert random bytes
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif op == 5:  # one fragment repeated many times (nesting, long runs)
            frag = rng.choice(FRAGMENTS).encode("utf-8", "surrogatepass")
            buf[at:at] = frag * rng.choice((10, 100, 1000, 10_000))
        elif op == 6 and n:  # truncate
            del buf[at:]
        elif op == 7:  # policy text
            buf[at:at] = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 60))).encode()
        elif op == 8 and n:  # swap two ranges
            a, b = sorted((rng.randrange(n), rng.randrange(n)))
            buf[a:b] = buf[a:b][::-1]
    return bytes(buf)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 25))]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words) + 1), rng.choice(FRAGMENTS))
    return " ".join(words) + rng.choice((".", ".", ":", ";", "", "?"))


def structure(rng: random.Random, fmt: str, depth: int = 0) -> str:
    """A random document in ``fmt`` (md, html, txt) of headings, paragraphs, nested lists,
    tables and links, with hostile fragments here and there."""
    parts: list[str] = []
    for _ in range(rng.randint(1, 8)):
        kind = rng.choice(("heading", "para", "list", "table", "link", "nest"))
        s = sentence(rng)
        if fmt == "html":
            if kind == "heading":
                parts.append(f"<h{rng.randint(1, 6)}>{s}</h{rng.randint(1, 6)}>")
            elif kind == "list":
                items = "".join(f"<li>{sentence(rng)}</li>" for _ in range(rng.randint(1, 5)))
                parts.append(f"<ul>{items}</ul>")
            elif kind == "table":
                row = "".join(f"<td>{sentence(rng)}</td>" for _ in range(rng.randint(1, 4)))
                parts.append(
                    f"<table><tr><th>Purpose</th><th>Basis</th></tr><tr>{row}</tr></table>"
                )
            elif kind == "nest" and depth < 4:
                tag = rng.choice(("div", "section", "ul", "table", "span", "b"))
                parts.append(f"<{tag}>{structure(rng, fmt, depth + 1)}</{tag}>")
            else:
                parts.append(f"<p>{s} <a href='x'>{sentence(rng)}</a></p>")
        else:
            if kind == "heading":
                parts.append(("#" * rng.randint(1, 6) + " " if fmt == "md" else "") + s)
            elif kind == "list" or (kind == "nest" and depth < 4):
                indent = "  " * depth
                parts.append(
                    "\n".join(f"{indent}- {sentence(rng)}" for _ in range(rng.randint(1, 5)))
                )
                if kind == "nest":
                    parts.append(structure(rng, fmt, depth + 1))
            elif kind == "table" and fmt == "md":
                cells = " | ".join(sentence(rng) for _ in range(3))
                parts.append(f"| Purpose | Data | Basis |\n|---|---|---|\n| {cells} |")
            elif kind == "link" and fmt == "md":
                parts.append(f"{s} [{sentence(rng)}]({rng.choice(FRAGMENTS)})")
            else:
                parts.append(s)
    return "\n\n".join(parts)


def _check_invariants(name: str, av: AnalyzedVersion) -> None:
    text = av.version.text
    for c in av.clauses:
        if not 0 <= c.start <= c.end <= len(text):
            raise FuzzFailure(f"{name}: clause {c.id} offsets {c.start}-{c.end} outside the text")
        if c.kind != "table_row" and text[c.start : c.end] != c.text:
            raise FuzzFailure(f"{name}: clause {c.id} text differs from text[start:end]")


def _check_reports(name: str, obj: object, html: bool) -> None:
    from rich.console import Console

    from analyzer.report.terminal import print_report

    print_report(obj, Console(file=io.StringIO(), width=100))  # type: ignore[arg-type]
    render(obj, "rich")  # type: ignore[arg-type]
    render(obj, "text")  # type: ignore[arg-type]
    json.loads(render(obj, "json"))  # type: ignore[arg-type]
    md = render(obj, "markdown")  # type: ignore[arg-type]
    if "<script" in md.lower():
        raise FuzzFailure(f"{name}: raw <script in the Markdown report")
    for row in csv.reader(io.StringIO(render(obj, "csv"))):  # type: ignore[arg-type]
        for cell in row:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                raise FuzzFailure(f"{name}: CSV cell starts a formula: {cell[:40]!r}")
    if html:
        page = render(obj, "html")  # type: ignore[arg-type]
        for bad in (*XSS, f"alert('{MARKER}')", 'onerror="'):
            if bad in page:
                raise FuzzFailure(
                    f"{name}: policy markup {bad[:30]!r} unescaped in the HTML report"
                )


def check(engine, base: AnalyzedVersion, data: bytes, name: str) -> Outcome:  # type: ignore[no-untyped-def]
    """Run one input through every stage and report; raise ``FuzzFailure`` on a crash."""
    t0 = time.perf_counter()
    try:
        try:
            version = ingest.from_bytes(data, source=name, fmt=ingest.format_from_name(name))
            analysis = engine.analysis(version)
        except InputError as exc:
            if "\n" in str(exc):
                raise FuzzFailure(f"{name}: input error of several lines: {exc}") from exc
            return Outcome(name, len(data), f"input-error: {exc.message}", time.perf_counter() - t0)
        av = analysis.analyzed
        _check_invariants(name, av)
        again = engine.analyze(version)  # outside a session: fresh caches
        if [c.id for c in again.clauses] != [c.id for c in av.clauses]:
            raise FuzzFailure(f"{name}: clause ids differ between two analyses")
        _check_reports(name, analysis, html=False)
        comparison = engine.compare(base, av)
        _check_reports(name, comparison, html=True)
        back = engine.compare(av, base)
        _check_reports(name, back, html=True)
    except FuzzFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - the point: anything else is a crash
        raise FuzzFailure(f"{name}: {type(exc).__name__}: {exc}"[:500]) from exc
    return Outcome(name, len(data), "ok", time.perf_counter() - t0, len(av.clauses))

"""The HTML reports opened in headless Chromium, as a person would use them.

Needs the Python ``playwright`` package and a system Chromium (Debian ``chromium``; or set
``POLICYDIFF_CHROMIUM`` to the browser binary). Playwright's own browser download is never
used. Skipped with a reason where either is missing.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.engine import PolicyAnalyzer
from analyzer.report.html import render_comparison_html, render_history
from tests.report_fixtures import (
    HOSTILE,
    HOSTILE_TEXT,
    hostile_comparison,
    hostile_from_text,
    sample_comparison,
    sample_events,
)

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# collects CSP violations even though the page's own CSP forbids other scripts: init scripts
# are injected by the browser driver, not by the page
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def find_chromium() -> str | None:
    """The system Chromium: $POLICYDIFF_CHROMIUM, else chromium / chromium-browser on PATH."""
    env = os.environ.get("POLICYDIFF_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="the playwright package is not installed (pip install "
        "playwright; do not run 'playwright install')",
    )
    exe = find_chromium()
    if exe is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set POLICYDIFF_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page loaded from a file, with the console errors and requests it produced."""

    def __init__(self, browser, path: Path, viewport=(1366, 800)):  # type: ignore[no-untyped-def]
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.page.add_init_script(WATCH)
        self.page.on(
            "console",
            lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"),
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: r.url.startswith("file:") or self.requests.append(r.url))
        self.page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def clean(self) -> None:
        assert self.errors == []
        assert self.page.evaluate("window.__csp") == []
        assert self.requests == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def open_html(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    opened: list[Opened] = []

    def _open(html: str, name: str = "report.html", **kw) -> Opened:  # type: ignore[no-untyped-def]
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        o = Opened(browser, path, **kw)
        opened.append(o)
        return o

    yield _open
    for o in opened:
        o.close()


def _in_viewport(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight && r.bottom > 0; }""",
        selector,
    )


# ---------------------------------------------------------------------------------------------
def test_loads_without_errors_and_counts_match_json(open_html) -> None:  # type: ignore[no-untyped-def]
    comp = sample_comparison()
    o = open_html(render_comparison_html(comp))
    o.clean()
    page = o.page
    d = comp.to_dict()
    by_flag = Counter(f["flag"] for f in d["findings"])
    by_sev = Counter(f["severity"] for f in d["findings"])
    shown_flag = page.eval_on_selector_all(
        "table.by-flag tr[data-flag]",
        "els => Object.fromEntries(els.map(e => [e.dataset.flag, +e.dataset.count]))",
    )
    shown_sev = page.eval_on_selector_all(
        "table.by-severity tr[data-severity]",
        "els => Object.fromEntries(els.map(e => [e.dataset.severity, +e.dataset.count]))",
    )
    assert shown_flag == dict(by_flag)
    assert {k: v for k, v in shown_sev.items() if v} == dict(by_sev)
    # the visible text agrees with the data attributes
    for flag, n in by_flag.items():
        row = page.locator(f'table.by-flag tr[data-flag="{flag}"] td')
        assert row.inner_text().strip() == str(n)
    assert page.locator("article.finding").count() == len(d["findings"])
    assert (
        page.locator("#filter-status").inner_text() == f"{len(d['findings'])} of "
        f"{len(d['findings'])} findings shown"
    )


def test_clicking_a_summary_finding_scrolls_to_its_clause(open_html) -> None:  # type: ignore[no-untyped-def]
    comp = sample_comparison()
    o = open_html(render_comparison_html(comp))
    page = o.page
    # the last clause-attached finding in the summary is far down the page
    links = page.locator("ol.top a")
    target = links.nth(links.count() - 1).get_attribute("href")
    assert target and target.startswith("#f-")
    assert not _in_viewport(page, target)
    links.nth(links.count() - 1).click()
    page.wait_for_function("(id) => location.hash === id", arg=target)
    assert page.evaluate("(s) => document.querySelector(s).matches(':target')", target)
    assert _in_viewport(page, target)
    row = page.evaluate("(s) => document.querySelector(s).closest('.row').id", target)
    assert _in_viewport(page, f"#{row}")
    # the finding has focus, so keyboard users continue from there
    assert page.evaluate("(s) => document.activeElement === document.querySelector(s)", target)
    o.clean()


def test_filters_hide_other_flags_and_severities(open_html) -> None:  # type: ignore[no-untyped-def]
    comp = sample_comparison()
    o = open_html(render_comparison_html(comp))
    page = o.page
    ai = [f for f in comp.findings if f.flag == "ai_training.added"]
    others = [f for f in comp.findings if f.flag != "ai_training.added"]
    page.uncheck('input[data-filter="flag"][value="ai_training.added"]')
    assert page.locator('article.finding[data-flag="ai_training.added"]:visible').count() == 0
    assert page.locator('ol.top li[data-flag="ai_training.added"]:visible').count() == 0
    assert page.locator("article.finding:visible").count() == len(others)
    assert page.locator("#filter-status").inner_text().startswith(f"{len(others)} of ")
    page.click("#show-all")
    assert page.locator("article.finding:visible").count() == len(comp.findings)
    # severity filter: keep only high
    for s in ("medium", "low", "info"):
        page.uncheck(f'input[data-filter="severity"][value="{s}"]')
    visible = page.eval_on_selector_all(
        "article.finding:visible", "els => els.map(e => e.dataset.severity)"
    )
    assert visible and set(visible) == {"high"}
    assert len(visible) == sum(1 for f in comp.findings if f.severity == "high")
    assert len(ai) >= 1
    o.clean()


def test_keyboard_navigation_between_findings(open_html) -> None:  # type: ignore[no-untyped-def]
    comp = sample_comparison()
    o = open_html(render_comparison_html(comp))
    page = o.page
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("j")
    second = page.evaluate("document.activeElement.id")
    ids = page.eval_on_selector_all("article.finding", "els => els.map(e => e.id)")
    assert first == ids[0] and second == ids[1]
    assert _in_viewport(page, f"#{second}")
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == first
    # focus is visible: the outline of :focus-visible is drawn
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # findings are in the Tab order
    assert all(
        t == "0"
        for t in page.eval_on_selector_all(
            "article.finding", "els => els.map(e => e.getAttribute('tabindex'))"
        )
    )
    o.clean()


def test_collapsed_unchanged_clauses_open_for_print(open_html) -> None:  # type: ignore[no-untyped-def]
    o = open_html(render_comparison_html(sample_comparison()))
    page = o.page
    closed = page.locator("details.quiet:not([open])").count()
    assert closed > 0
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details.quiet:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.quiet:not([open])").count() == closed
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    o.clean()


@pytest.mark.parametrize(
    "build", [hostile_comparison, hostile_from_text], ids=["hand-built", "from_text"]
)
@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "escaping-alone"])
def test_injected_script_does_not_run(open_html, build, csp: bool) -> None:  # type: ignore[no-untyped-def]
    html = render_comparison_html(build(), title=HOSTILE_TEXT)
    if not csp:  # prove the escaping works on its own, without the CSP safety net
        start = html.index('<meta http-equiv="Content-Security-Policy"')
        html = html[:start] + html[html.index(">", start) + 1 :]
    o = open_html(html)
    page = o.page
    for link in page.eval_on_selector_all("a", "els => els.map(e => e.href)"):
        assert not link.lower().startswith("javascript:")
    # click every link and every piece of highlighted evidence: nothing runs
    for i in range(page.locator("main a").count()):
        page.locator("main a").nth(i).click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, textarea, iframe, main svg").count() == 0
    text = page.locator("body").inner_text()
    assert "<script>window.__pwned=1</script>" in text
    assert 'onerror="window.__pwned=1"' in text
    if csp:
        o.clean()
    else:
        assert o.errors == []


def test_history_page_marks_titles_and_panels(open_html) -> None:  # type: ignore[no-untyped-def]
    events = sample_events()
    html = render_history(
        events,
        service="Chirp",
        document_type="Privacy Policy",
        versions=[{"date": d} for d in ("2024-01-15", "2024-06-26", "2025-04-14")],
        compare_links={("2024-01-15", "2024-06-26"): "compare-2024-06-26.html"},
    )
    o = open_html(html, name="history.html")
    o.clean()
    page = o.page
    marks = page.locator("svg#chart a.mark")
    groups = {(e.family, e.date, e.event) for e in events}
    assert marks.count() == len(groups)
    # each mark is drawn with a non-zero size inside the chart
    boxes = [marks.nth(i).bounding_box() for i in range(marks.count())]
    assert all(b and b["width"] > 4 and b["height"] > 4 for b in boxes)
    # hover titles carry the clause text
    titles = page.eval_on_selector_all(
        "svg#chart a.mark > title", "els => els.map(e => e.textContent)"
    )
    assert any("under 18" in t and "disappeared" in t for t in titles)
    assert any("train our AI models" in t and "ai_training.added" in t for t in titles)
    # disappeared marks have another shape than appeared ones
    assert page.locator('a.mark[data-event="disappeared"] rect').count() == sum(
        1 for g in groups if g[2] == "disappeared"
    )
    assert page.locator('a.mark[data-event="appeared"] circle.appeared').count() == sum(
        1 for g in groups if g[2] == "appeared"
    )
    # clicking a mark opens its details panel with the full clause
    ai = page.locator('a.mark[data-family="ai_training"]').first
    ai.click()
    panel = page.locator("details.panel[open]")
    page.wait_for_function("document.querySelectorAll('details.panel[open]').length === 1")
    assert "We use publicly available information" in panel.inner_text()
    assert panel.locator('a[href="compare-2024-06-26.html"]').count() == 1
    # the marks are reachable from the keyboard: the first Tab stop of the page is a mark,
    # and Enter on it opens its panel
    page.goto(page.url.split("#")[0])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('class')")
    assert focused and "mark" in focused.split()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('details.panel[open]').length === 1")
    o.clean()


def test_hostile_history_is_inert(open_html) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    ev = [replace(e, clause_text=HOSTILE_TEXT, label=HOSTILE[1]) for e in sample_events()]
    o = open_html(
        render_history(ev, service=HOSTILE[0], document_type=HOSTILE[3]), name="history.html"
    )
    page = o.page
    for i in range(page.locator("a.mark").count()):
        page.locator("a.mark").nth(i).click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, textarea, iframe").count() == 0
    o.clean()


@pytest.mark.corpora
def test_real_pair_opens_cleanly(open_html, shared_corpora) -> None:  # type: ignore[no-untyped-def]
    case = shared_corpora / "ai_pairs" / "06_google-gemini-hub-genai-eu_pp_2026-03-26"
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    comp = PolicyAnalyzer().compare(case / "old.md", case / "new.md")
    o = open_html(render_comparison_html(comp))
    o.clean()
    rows = o.page.locator("div.row").count()
    assert rows == len(comp.changes)
    assert o.page.locator("article.finding").count() == len(comp.findings)

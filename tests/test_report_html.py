"""Fast tests of the HTML reports (no browser): structure, counts, escaping, CSP."""

from __future__ import annotations

import base64
import hashlib
import html as htmllib
import json
import re
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.datamodel import ClauseChange, Comparison, DiffOp, Evidence, Span
from analyzer.engine import PolicyAnalyzer
from analyzer.ingest import from_text
from analyzer.report.html import (
    json_for_script,
    render_comparison_html,
    render_history,
    render_history_html,
    render_marked,
    safe_href,
)
from tests.report_fixtures import (
    HOSTILE,
    HOSTILE_TEXT,
    hostile_comparison,
    hostile_from_text,
    make_clauses,
    sample_comparison,
    sample_events,
)

VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "col", "area", "base", "source"}


class Page(HTMLParser):
    """A small DOM-less view of a page: every element with its attributes and ancestors."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.stack: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.styles: list[str] = []
        self._raw: str | None = None
        self.text: list[str] = []
        self.unbalanced: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a, tuple(self.stack)))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag in ("script", "style"):
            self._raw = ""
            self._attrs = a

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(self.stack)))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in VOID:
            return
        if self._raw is not None and tag in ("script", "style"):
            if tag == "script":
                self.scripts.append((self._attrs, self._raw))
            else:
                self.styles.append(self._raw)
            self._raw = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.unbalanced.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._raw is not None:
            self._raw += data
        else:
            self.text.append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        out = []
        for t, a, _ in self.elements:
            if tag is not None and t != tag:
                continue
            if all(a.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                out.append(a)
        return out

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@pytest.fixture(scope="module")
def sample() -> Comparison:
    return sample_comparison()


@pytest.fixture(scope="module")
def sample_html(sample: Comparison) -> str:
    return render_comparison_html(sample)


# --- self-contained, CSP --------------------------------------------------------------------
@pytest.mark.parametrize("which", ["comparison", "history"])
def test_page_is_self_contained_and_pinned_by_csp(which: str, sample_html: str) -> None:
    text = (
        sample_html if which == "comparison" else render_history(sample_events(), service="Chirp")
    )
    page = Page(text)
    assert not page.unbalanced
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    for _, a, _ in page.elements:
        for name in ("src", "href", "action", "xlink:href"):
            value = a.get(name, "")
            assert not re.match(r"^\s*(https?:|//|javascript:|data:)", value, re.I), (name, value)
    meta = page.find("meta", http_equiv="Content-Security-Policy")
    assert len(meta) == 1
    # the CSP meta comes before any style or script
    first = next(i for i, (t, a, _) in enumerate(page.elements) if t in ("style", "script"))
    csp_i = next(
        i
        for i, (t, a, _) in enumerate(page.elements)
        if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp_i < first
    csp = meta[0]["content"]
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    executable = [s for a, s in page.scripts if a.get("type") != "application/json"]
    assert len(executable) == 1 and len(page.styles) == 1
    assert directives["script-src"] == f"'{_sha(executable[0])}'"
    assert directives["style-src"] == f"'{_sha(page.styles[0])}'"
    # no inline event handlers or style attributes (they would need 'unsafe-inline')
    for _, a, _ in page.elements:
        assert not any(k.startswith("on") for k in a)
        assert "style" not in a


# --- counts agree with the JSON ---------------------------------------------------------------
def test_summary_counts_match_to_dict(sample: Comparison, sample_html: str) -> None:
    d = sample.to_dict()
    page = Page(sample_html)
    by_flag = Counter(f["flag"] for f in d["findings"])
    by_sev = Counter(f["severity"] for f in d["findings"])
    shown_flag = {
        a["data-flag"]: int(a["data-count"])
        for a in page.find("tr")
        if "data-count" in a and "data-flag" in a
    }
    shown_sev = {
        a["data-severity"]: int(a["data-count"])
        for a in page.find("tr")
        if "data-count" in a and "data-severity" in a
    }
    assert shown_flag == dict(by_flag)
    assert {k: v for k, v in shown_sev.items() if v} == dict(by_sev)
    assert int(page.find("section", id="summary")[0]["data-findings"]) == len(d["findings"])
    changes = {
        a["data-kind"]: int(a["data-count"])
        for a in page.find("span")
        if "data-kind" in a and "data-count" in a
    }
    assert {k: v for k, v in changes.items() if v} == d["summary"]["changes"]
    blob = next(s for a, s in page.scripts if a.get("id") == "pd-summary")
    data = json.loads(blob)
    assert data["by_flag"] == dict(by_flag) and data["findings"] == d["summary"]["findings"]
    # every finding is a card; cards and summary entries carry the same flag/severity
    cards = page.find("article")
    assert Counter(c["data-flag"] for c in cards) == by_flag
    assert Counter(c["data-severity"] for c in cards) == by_sev
    assert all(c.get("tabindex") == "0" for c in cards)


def test_summary_lists_highest_severity_first_and_links_each_finding(sample_html: str) -> None:
    page = Page(sample_html)
    ids = {a["id"] for _, a, _ in page.elements if "id" in a}
    top = [
        (t, a, anc)
        for t, a, anc in page.elements
        if t == "li" and a.get("id", "").startswith("top-")
    ]
    ranks = ["info", "low", "medium", "high"]
    sevs = [ranks.index(a["data-severity"]) for _, a, _ in top]
    assert sevs == sorted(sevs, reverse=True)
    links = [
        a["href"]
        for t, a, anc in page.elements
        if t == "a" and "li" in anc and a.get("href", "").startswith("#f-")
    ]
    cards = [a["id"] for a in page.find("article")]
    assert sorted(h[1:] for h in links) == sorted(cards)
    assert all(h[1:] in ids for h in links)
    # every finding links back to its summary entry
    backs = {a["href"][1:] for a in page.find("a") if a.get("href", "").startswith("#top-")}
    assert backs == {a["id"] for _, a, _ in top}


def test_clauses_diff_moves_and_findings_placement(sample: Comparison, sample_html: str) -> None:
    assert "<ins>, photos and captions</ins>" in sample_html
    assert re.search(r"<del>(<mark[^>]*>)?Consent(</mark>)?</del>", sample_html)
    assert re.search(r"<ins>(<mark[^>]*>)?Legitimate interests(</mark>)?</ins>", sample_html)
    page = Page(sample_html)
    rows = {a["data-kind"]: a for a in page.find("div") if "data-kind" in a}
    assert set(rows) == {"unchanged", "modified", "moved", "added", "removed"}
    assert "moved from Sharing" in page.all_text
    # evidence spans are highlighted inside the clause text, linked to their finding
    marks = [a for a in page.find("mark") if "data-findings" in a]
    card_ids = {a["id"] for a in page.find("article")}
    assert {i for m in marks for i in m["data-findings"].split()} == card_ids
    assert re.search(r"<mark [^>]*>develop and improve AI at Chirp</mark>", sample_html)
    assert re.search(r"<mark [^>]*>people under 18</mark>", sample_html)
    # each card sits in the row of its clause, and no row with a finding is collapsed
    for t, _a, anc in page.elements:
        if t == "article":
            assert "details" not in anc
    unchanged = sum(1 for c in sample.changes if c.kind == "unchanged")
    collapsed = [
        a for t, a, anc in page.elements if t == "div" and a.get("data-kind") and "details" in anc
    ]
    assert len(collapsed) == unchanged
    assert "Not in the old version" in page.all_text and "Not in the new version" in page.all_text


def test_no_findings_and_identical_documents() -> None:
    eng = PolicyAnalyzer()
    doc = "# Data\n\nWe collect your e-mail address.\n\nWe keep it for a year."
    html = render_comparison_html(eng.compare(from_text(doc), from_text(doc)))
    page = Page(html)
    assert "No findings." in page.all_text
    assert not page.find("article") and not page.find("form")
    assert int(page.find("section", id="summary")[0]["data-findings"]) == 0


def test_title_option_and_orphan_findings(sample: Comparison) -> None:
    f = sample.findings[0]
    stray = make_clauses([(("Elsewhere",), "A clause the alignment does not list.")])[0]
    orphan = replace(
        f,
        id="orphan",
        new_clause=stray,
        old_clause=None,
        evidence=(Evidence("v", stray.id, Span(0, 1, "A")),),
    )
    comp = replace(sample, findings=sample.findings + (orphan,))
    html = render_comparison_html(comp, title="My <b>title</b>")
    page = Page(html)
    assert "My <b>title</b>" in page.all_text and not page.find("b")
    other = [
        a
        for t, a, anc in page.elements
        if t == "article" and "section" in anc and a["id"] == "f-orphan"
    ]
    assert other and "Findings not tied to a compared clause" in page.all_text


def test_bad_offsets_and_inconsistent_diff_do_not_break_the_report(sample: Comparison) -> None:
    ch = next(c for c in sample.changes if c.kind == "modified")
    bad_diff = replace(ch, diff=(DiffOp("equal", "Totally "), DiffOp("insert", "different")))
    f = sample.findings[0]
    shifted = replace(f, evidence=(Evidence("v", ch.new.id, Span(0, 3, "develop")),))  # type: ignore[union-attr]
    comp = replace(
        sample,
        changes=tuple(bad_diff if c is ch else c for c in sample.changes),
        findings=(shifted,) + sample.findings[1:],
    )
    page = Page(render_comparison_html(comp))
    assert "Totally different" in page.all_text
    assert not page.unbalanced


# --- security ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "build", [hostile_comparison, hostile_from_text], ids=["hand-built", "from_text"]
)
def test_hostile_policy_text_is_inert(build) -> None:  # type: ignore[no-untyped-def]
    comp = build()
    html = render_comparison_html(comp, title=HOSTILE_TEXT)
    page = Page(html)
    assert not page.unbalanced
    tags = {t for t, _, _ in page.elements}
    assert not tags & {"img", "svg", "textarea", "b", "iframe", "object", "embed"}
    assert len(page.scripts) == 2  # our JSON block and our script, nothing else
    for _, a, _ in page.elements:
        assert not any(k.startswith("on") for k in a), a
        for k, v in a.items():
            assert "javascript:" not in v.lower() or k in ("title", "data-flag", "content"), (k, v)
            if k in ("href", "src", "action"):
                assert v.startswith("#"), (k, v)
        if "id" in a:
            assert re.fullmatch(r"[A-Za-z0-9_-]+", a["id"]), a["id"]
    # the hostile strings are shown to the reader as text
    text = page.all_text
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert "</textarea>" in text or build is hostile_from_text
    for a, src in page.scripts:
        if a.get("type") == "application/json":
            assert "<" not in src  # escaped: cannot close the block
        else:
            assert "__pwned" not in src


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("report-2024.html", True),
        ("../reports/a%20b.html#x", True),
        ("#f-1", True),
        ("https://example.org/r.html", True),
        ("http://example.org/r.html", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("  javascript:alert(1)", False),
        ("\x01javascript:alert(1)", False),
        ("data:text/html,<script>1</script>", False),
        ("vbscript:msgbox", False),
        ("file:///etc/passwd", False),
        ("//evil.example/x", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_href(url: str | None, kept: bool) -> None:
    assert (safe_href(url) is not None) is kept


@given(
    st.recursive(
        st.text(),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=8,
    )
)
@settings(max_examples=80, deadline=None)
def test_json_for_script_is_inert_and_round_trips(data) -> None:  # type: ignore[no-untyped-def]
    out = str(json_for_script({"x": data, "h": HOSTILE_TEXT}))
    assert "<" not in out and ">" not in out and "\u2028" not in out
    assert json.loads(out) == {"x": data, "h": HOSTILE_TEXT}


_intervals = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6)


@given(
    text=st.text(alphabet=st.sampled_from("ab <>&\"'é\n"), max_size=40),
    spans=_intervals,
    marks=_intervals,
)
@settings(max_examples=150, deadline=None)
def test_render_marked_keeps_text_and_is_well_formed(text, spans, marks) -> None:  # type: ignore[no-untyped-def]
    from analyzer.report.html import _Mark

    n = len(text)
    sp = [
        (min(a, b, n), min(max(a, b), n), "ins" if i % 2 else "del")
        for i, (a, b) in enumerate(spans)
    ]
    sp = sorted(sp)
    # diff intervals never overlap each other
    clean: list[tuple[int, int, str]] = []
    for s, e, t in sp:
        if s < e and (not clean or s >= clean[-1][1]):
            clean.append((s, e, t))
    mk = [
        _Mark(min(a, b, n), min(max(a, b), n), f"f-{i}", "flag", "high")
        for i, (a, b) in enumerate(marks)
        if min(a, b, n) < min(max(a, b), n)
    ]
    out = str(render_marked(text, clean, mk))
    page = Page(f"<p>{out}</p>")
    assert not page.unbalanced and page.stack == []
    assert htmllib.unescape(re.sub(r"<[^>]+>", "", out)) == text
    assert {t for t, _, _ in page.elements} <= {"p", "ins", "del", "mark"}


# --- history ----------------------------------------------------------------------------------
def test_history_rows_marks_titles_and_links() -> None:
    events = sample_events()
    versions = [
        {"date": d, "status": "ok", "content_hash": "ab" * 32, "size": 1000}
        for d in ("2024-01-15", "2024-06-26", "2025-04-14")
    ]
    versions.insert(1, {"date": "2024-03-01", "status": "broken", "size": 120})
    links = {
        ("2024-01-15", "2024-06-26"): "cmp/2024-06-26.html",
        ("2024-06-26", "2025-04-14"): "javascript:alert(1)",
    }
    html = render_history_html(
        events,
        service="Chirp",
        document_type="Privacy Policy",
        versions=versions,
        compare_links=links,
    )
    page = Page(html)
    assert not page.unbalanced
    rows = {a["data-family"]: a for a in page.find("g") if "data-family" in a}
    for fam in (
        "ai_training",
        "purpose",
        "recipient",
        "legal_basis",
        "vague_purpose",
        "exclusion",
        "data_source",
    ):
        assert fam in rows
    assert "data_category" not in rows  # only drawn when present
    for fam, a in rows.items():
        evs = [e for e in events if e.family == fam]
        assert int(a["data-appeared"]) == sum(e.event == "appeared" for e in evs)
        assert int(a["data-disappeared"]) == sum(e.event == "disappeared" for e in evs)
    marks = [a for a in page.find("a") if "mark" in a.get("class", "").split()]
    groups = {(e.family, e.date, e.event) for e in events}
    assert len(marks) == len(groups)
    assert sum(int(m["data-count"]) for m in marks) == len(events)
    # every mark links to a panel, has a <title> with the clause text
    ids = {a["id"] for _, a, _ in page.elements if "id" in a}
    assert all(m["href"][1:] in ids for m in marks)
    assert "We use publicly available information and other online sources" in page.all_text
    titles = re.findall(r'<a href="#[^"]+" class="mark[^>]*>\s*<title>([^<]*)</title>', html)
    assert len(titles) == len(marks) and any("under 18" in t for t in titles)
    # shapes: filled circle for appeared, hollow square for disappeared
    squares = [
        a
        for t, a, anc in page.elements
        if t == "rect" and a.get("class") == "disappeared" and "a" in anc
    ]
    circles = [
        a
        for t, a, anc in page.elements
        if t == "circle" and a.get("class") == "appeared" and "a" in anc
    ]
    assert len(squares) == sum(1 for g in groups if g[2] == "disappeared")
    assert len(circles) == sum(1 for g in groups if g[2] == "appeared")
    hrefs = [a["href"] for a in page.find("a")]
    assert "cmp/2024-06-26.html" in hrefs
    assert not any("javascript" in h for h in hrefs)
    assert "compare with 2024-01-15" in page.all_text


def test_history_hostile_and_empty() -> None:
    ev = [
        replace(e, clause_text=HOSTILE_TEXT, label=HOSTILE[1], family=HOSTILE[0])
        for e in sample_events()[:2]
    ]
    html = render_history(
        ev,
        service=HOSTILE[0],
        document_type=HOSTILE[5],
        versions=[{"date": HOSTILE[2], "status": HOSTILE[3]}],
    )
    page = Page(html)
    assert not page.unbalanced and len(page.scripts) == 2
    assert not ({t for t, _, _ in page.elements} & {"img", "textarea", "iframe"})
    svgs = [t for t, _, _ in page.elements if t == "svg"]
    assert len(svgs) == 4  # three legend keys and the chart: none from the text
    assert "<script>window.__pwned=1</script>" in page.all_text
    for _, a, _ in page.elements:
        assert not any(k.startswith("on") for k in a)
    empty = Page(render_history([], service="Nobody"))
    assert "No events." in empty.all_text and not empty.unbalanced


def test_history_non_iso_dates_fall_back_to_order() -> None:
    ev = [replace(e, date=f"v{i}", previous_date=None) for i, e in enumerate(sample_events()[:3])]
    page = Page(render_history(ev, service="Chirp"))
    xs = [
        float(a["cx"])
        for a in page.find("circle", **{"class": "appeared"})
        if "cx" in a and a["cx"] != "7" and a["cx"] != "9"
    ]
    assert len(set(xs)) == 3


# --- scale on a real pair ---------------------------------------------------------------------
@pytest.mark.corpora
def test_real_pair_renders_small_and_consistent(shared_corpora) -> None:  # type: ignore[no-untyped-def]
    case = shared_corpora / "ai_pairs" / "06_google-gemini-hub-genai-eu_pp_2026-03-26"
    if not case.is_dir():
        pytest.skip(f"{case} not found")
    comp = PolicyAnalyzer().compare(case / "old.md", case / "new.md")
    html = render_comparison_html(comp)
    assert len(html.encode("utf-8")) <= 3_000_000
    page = Page(html)
    assert not page.unbalanced
    d = comp.to_dict()
    assert int(page.find("section", id="summary")[0]["data-findings"]) == len(d["findings"])
    rows = [a for a in page.find("div") if "data-kind" in a]
    assert len(rows) == len(comp.changes)
    assert len(page.find("article")) == len(comp.findings)


def test_unknown_change_kinds_and_missing_clauses_are_tolerated(sample: Comparison) -> None:
    odd = ClauseChange("unchanged", None, None)
    comp = replace(sample, changes=sample.changes + (odd,))
    assert "Summary" in render_comparison_html(comp)

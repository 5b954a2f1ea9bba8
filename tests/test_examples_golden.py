"""Golden test on the bundled Chirp examples (``corpora/examples``), plus hand-written checks
of the flags each example step was written to raise (see ``corpora/examples/README.md``).

The golden files in ``tests/golden/`` hold what the pipeline reports (flags, severities,
clause ids and texts, evidence spans, change kinds; no paths or timings). After a deliberate
change to the pipeline, regenerate them and review the diff::

    POLICYDIFF_UPDATE_GOLDEN=1 python -m pytest -q tests/test_examples_golden.py
    git diff tests/golden/
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analyzer.datamodel import SEVERITIES, Analysis, Comparison, Finding, severity_rank

GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"
UPDATE = os.environ.get("POLICYDIFF_UPDATE_GOLDEN") == "1"
STEP_NAMES = ("chirp_v1_v2", "chirp_v2_v3", "chirp_notice")


@pytest.fixture(scope="module")
def steps() -> dict[str, Comparison | Analysis]:
    from analyzer.demo import run_demo

    results = [s.result for s in run_demo()]
    assert len(results) == len(STEP_NAMES), "expected 3 policy versions and 1 notice"
    return dict(zip(STEP_NAMES, results, strict=True))


def _clause(c: Any) -> dict[str, str] | None:
    return None if c is None else {"id": c.id, "text": c.text}


def summarize(obj: Comparison | Analysis) -> dict[str, Any]:
    """The golden form of a result: what was flagged where, and what changed."""
    findings = sorted(
        (
            {
                "flag": f.flag,
                "severity": f.severity,
                "old_clause": _clause(f.old_clause),
                "new_clause": _clause(f.new_clause),
                "evidence": [[e.side, e.clause_id, e.span.text] for e in f.evidence],
            }
            for f in obj.findings
        ),
        key=lambda d: json.dumps(d, sort_keys=True),
    )
    out: dict[str, Any] = {"findings": findings}
    if isinstance(obj, Comparison):
        out["changes"] = sorted(
            (
                {
                    "kind": c.kind,
                    "substantive": c.substantive,
                    "old_clause_id": c.old.id if c.old else None,
                    "new_clause_id": c.new.id if c.new else None,
                }
                for c in obj.changes
                if c.kind != "unchanged"
            ),
            key=lambda d: json.dumps(d, sort_keys=True),
        )
    return out


PAIRS = EXAMPLES / "pairs"
PAIR_NAMES = ("deferral", "denial")


@pytest.fixture(scope="module")
def pairs() -> dict[str, Comparison]:
    """The bundled version pairs (``corpora/examples/pairs/<name>/``, two dated files each)."""
    import analyzer

    out = {}
    for name in PAIR_NAMES:
        old, new = sorted((PAIRS / name).glob("*.md"))
        out[name] = analyzer.compare(old, new)
    return out


@pytest.mark.parametrize("name", STEP_NAMES + tuple(f"pair_{n}" for n in PAIR_NAMES))
def test_matches_golden(steps, pairs, name):
    path = GOLDEN / f"{name}.json"
    got = summarize(pairs[name[5:]] if name.startswith("pair_") else steps[name])
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        doc = {
            "_regenerate": "POLICYDIFF_UPDATE_GOLDEN=1 python -m pytest -q "
            "tests/test_examples_golden.py",
            **got,
        }
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.is_file(), f"{path} is missing: regenerate with POLICYDIFF_UPDATE_GOLDEN=1"
    want = json.loads(path.read_text(encoding="utf-8"))
    want.pop("_regenerate", None)
    assert got == want, (
        f"{name} differs from {path.name}; if the change is intended, regenerate with "
        "POLICYDIFF_UPDATE_GOLDEN=1 and review `git diff tests/golden/`"
    )


# --- hand-written expectations: the flags the examples were designed to raise ------------------


def _with(obj: Comparison | Analysis, flag: str) -> list[Finding]:
    return [f for f in obj.findings if f.flag == flag]


def _text(c: Any) -> str:
    return c.text if c is not None else ""


def assert_flag(
    obj: Comparison | Analysis,
    flag: str,
    new_has: str | None = None,
    old_has: str | None = None,
    min_severity: str = "info",
) -> Finding:
    """Some finding ``flag`` whose new/old clause contains the given words."""
    cands = [
        f
        for f in _with(obj, flag)
        if (new_has is None or new_has.lower() in _text(f.new_clause).lower())
        and (old_has is None or old_has.lower() in _text(f.old_clause).lower())
    ]
    got = sorted({f.flag for f in obj.findings})
    assert cands, f"no {flag} finding (new has {new_has!r}, old has {old_has!r}); got {got}"
    best = max(cands, key=lambda f: severity_rank(f.severity))
    assert severity_rank(best.severity) >= severity_rank(min_severity), best.severity
    return best


def test_v1_v2_ai_training_added(steps):
    assert_flag(
        steps["chirp_v1_v2"], "ai_training.added", new_has="train the generative AI models",
        min_severity="medium",
    )  # fmt: skip


def test_v1_v2_legitimate_interest_for_ai(steps):
    assert_flag(steps["chirp_v1_v2"], "legal_basis.legitimate_interest_for_ai")


def test_v1_v2_legal_basis_consent_to_legitimate_interests(steps):
    assert_flag(
        steps["chirp_v1_v2"], "legal_basis.changed", new_has="legitimate interests",
        old_has="consent",
    )  # fmt: skip


def test_v1_v2_new_source_recipients_and_vague_purpose(steps):
    c = steps["chirp_v1_v2"]
    assert_flag(c, "data_source.added", new_has="publicly available information")
    assert_flag(c, "recipient.added", new_has="third parties")
    vague = assert_flag(c, "vague_purpose.added", new_has="any other business purposes")
    assert vague.terms, "vague_purpose findings name the vague terms found"


def test_v1_v2_keeps_both_exclusions(steps):
    assert not _with(steps["chirp_v1_v2"], "exclusion.removed")


def test_v1_v2_training_sentence_is_a_substantive_addition(steps):
    added = [
        c.new.text
        for c in steps["chirp_v1_v2"].substantive_changes
        if c.kind == "added" and c.new is not None
    ]
    assert any("train the generative AI models that power Chirp AI" in t for t in added)


def test_v2_v3_exclusion_for_minors_removed(steps):
    f = assert_flag(steps["chirp_v2_v3"], "exclusion.removed", old_has="under 18")
    assert f.old_clause is not None


def test_v2_v3_opt_in_became_opt_out(steps):
    assert_flag(steps["chirp_v2_v3"], "choice.changed", new_has="opt out")


def test_v2_v3_researchers_added_and_ads_basis_changed(steps):
    c = steps["chirp_v2_v3"]
    assert_flag(c, "recipient.added", new_has="researchers")
    assert_flag(c, "legal_basis.changed", new_has="personalized ads", old_has="consent")


def test_v2_v3_reworded_training_is_not_an_addition(steps):
    assert not _with(steps["chirp_v2_v3"], "ai_training.added")


NOISE_SECTIONS = ("Security", "International transfers", "How long we keep your information")
NOISE_OPENINGS = ("This Privacy Policy explains", "Chirp Social Ltd, 12 Harbour", "Under the GDPR")


def test_v2_v3_moved_section_and_reflow_are_not_substantive(steps):
    for ch in steps["chirp_v2_v3"].substantive_changes:
        if ch.kind == "moved":
            continue
        for clause in (ch.old, ch.new):
            if clause is None:
                continue
            assert not set(clause.section) & set(NOISE_SECTIONS), (ch.kind, clause.text)
            assert not clause.text.startswith(NOISE_OPENINGS), (ch.kind, clause.text)


def test_notice_announces_ai_training(steps):
    assert_flag(steps["chirp_notice"], "ai_training.present", new_has="develop and improve AI")


@pytest.mark.parametrize("name", STEP_NAMES)
def test_every_finding_quotes_its_evidence(steps, name):
    obj = steps[name]
    for f in obj.findings:
        assert f.severity in SEVERITIES
        assert f.reason.strip() and f.raised_by.recognizer
        assert f.evidence, f"{f.flag} has no evidence"
        for e in f.evidence:
            clause = f.new_clause if e.side == "new" else f.old_clause
            if clause is not None and clause.id == e.clause_id:
                assert clause.text[e.span.start : e.span.end] == e.span.text


_BLOCK_MARKER = re.compile(r"(?:>|#{1,6} |[-*+] |\d{1,9}[.)] )")


# --- invariants on the examples ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.md") if p.name[0] != "R"))
def test_example_compared_with_itself_has_no_changes(name):
    import analyzer

    c = analyzer.compare(str(EXAMPLES / name), str(EXAMPLES / name))
    assert not c.substantive_changes and not c.findings


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(min_value=30, max_value=200))
def test_reflowing_paragraphs_changes_nothing(width):
    import analyzer
    from analyzer.ingest import from_text

    src = (EXAMPLES / "2024-06-26_chirp-privacy-policy.md").read_text(encoding="utf-8")
    paras, wrapped_lines = [], []
    for p in src.split("\n\n"):
        if p[:1].isalpha() and "|" not in p:
            p = textwrap.fill(p, width=width, break_on_hyphens=False, break_long_words=False)
            wrapped_lines += p.split("\n")[1:]
        paras.append(p)
    # a wrapped line that starts with a block marker ("Settings >" / "> Your data") is no
    # longer a reflow: CommonMark reads a block quote there, which splits the paragraph
    assume(not any(_BLOCK_MARKER.match(line) for line in wrapped_lines))
    old = from_text(src, source="a.md")
    new = from_text("\n\n".join(paras), source="b.md")
    c = analyzer.compare(old, new)
    assert not c.substantive_changes, [ch.kind for ch in c.substantive_changes]


def test_html_version_reads_like_the_markdown_version():
    """The HTML rendering of v2 (with nav, scripts and a footer around it) has no substantive
    change from the Markdown source: markup and page chrome are not policy changes."""
    import analyzer

    c = analyzer.compare(
        str(EXAMPLES / "2024-06-26_chirp-privacy-policy.md"),
        str(EXAMPLES / "2024-06-26_chirp-privacy-policy.html"),
    )
    assert not c.substantive_changes, [
        (ch.kind, (ch.new or ch.old).text[:60]) for ch in c.substantive_changes
    ]
    assert not c.findings


def test_deferral_turning_into_use_is_added(pairs):
    """Meta's case: "we're still delaying our plans to use your information to develop AI"
    gives way to "we'll use public posts ... on the basis of legitimate interests to develop
    and improve generative AI models": training is added there, and the deferral going away
    is not reported as training removed."""
    c = pairs["deferral"]
    flags = [f.flag for f in c.findings]
    assert "ai_training.removed" not in flags
    added = [f for f in c.findings if f.flag == "ai_training.added"]
    assert len(added) == 1
    assert "deferred" in added[0].reason
    assert [e.side for e in added[0].evidence] == ["old", "new"]
    assert "legal_basis.legitimate_interest_for_ai" in flags


def test_denial_with_a_long_object_is_no_addition(pairs):
    """A new commitment NOT to train, with a long object list and a parenthesis, adds no
    training, no recipient and no purpose."""
    c = pairs["denial"]
    assert c.substantive_changes
    assert not [f for f in c.findings if f.flag.endswith(".added")], [f.flag for f in c.findings]


# --- the same policy as a table and as a list (issue 11) --------------------------------------
RESTRUCTURED = ("2025-06-01_chirp-policy-as-table.md", "2025-06-01_chirp-policy-as-list.md")
#: the families decided at document level (``analyzer.assess.labels`` / ``vagueness``)
_DOC_LEVEL = ("purpose.", "data_category.", "data_source.", "recipient.", "vague_purpose")


@pytest.fixture(scope="module")
def restructured() -> list[Comparison]:
    from analyzer.engine import default_analyzer

    engine = default_analyzer()
    table, listed = (engine.analyze(EXAMPLES / name) for name in RESTRUCTURED)
    return [engine.compare(table, listed), engine.compare(listed, table)]


def test_restructured_policy_states_the_same_things(restructured):
    """Purposes, data, sources, recipients and open-ended purposes of a table are the same
    when the table becomes a list of cards (and back): no finding of those families."""
    for c in restructured:
        assert c.problems == ()
        got = [(f.flag, f.terms) for f in c.findings if f.flag.startswith(_DOC_LEVEL)]
        assert got == []
        assert not [f for f in c.findings if f.flag.startswith(("exclusion.", "choice."))]


def test_restructured_policy_gives_no_findings(restructured):
    for c in restructured:
        assert [f.flag for f in c.findings] == []

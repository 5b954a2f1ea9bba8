"""Test doubles for the scan tests: a keyword recognizer and an analyzer that raises findings.

The real recognizers and assessors are being written elsewhere; these tiny stand-ins make the
scan, history and export code see annotations and findings. Module-level functions so that
worker processes (``--jobs 2``, Dask) can import them.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from analyzer.datamodel import Annotation, Evidence, Explanation, Finding, Span
from analyzer.engine import PolicyAnalyzer
from analyzer.recognizers.base import Recognizer, RecognizerRegistry

KEYWORDS = [
    (r"\btrain(?:ing)?\b[^.]*\b(?:models?|AI)\b", "ai_training", "use"),
    (r"\blegitimate interests?\b", "legal_basis", "legitimate_interests"),
    (r"\badvertis\w*", "purpose", "advertising"),
    (r"\bother purposes\b", "vague", "vague_purpose"),
    (r"\bprivate messages\b", "exclusion", "private_messages"),
]


class KeywordRecognizer(Recognizer):
    """Annotates clauses matching a few regular expressions."""

    name = "test.keywords.v1"
    kinds = ("ai_training", "legal_basis", "purpose", "vague", "exclusion")

    def analyze(self, clauses, docs):  # type: ignore[no-untyped-def]
        out = []
        for c in clauses:
            for pattern, kind, label in KEYWORDS:
                m = re.search(pattern, c.text, re.I)
                if m:
                    out.append(
                        Annotation(
                            clause_id=c.id,
                            kind=kind,
                            label=label,
                            span=Span(m.start(), m.end(), m.group(0)),
                            score=0.9,
                            explanation=Explanation(
                                self.name, pattern=pattern, detail=f"matched {pattern}"
                            ),
                            negated=" not " in f" {c.text.lower()} " and kind != "exclusion",
                            qualifiers=(("test", "yes"),),
                        )
                    )
        return out


class FindingAnalyzer(PolicyAnalyzer):
    """Raises ``ai_training.added`` (high) for added clauses annotated ai_training."""

    def compare(self, old, new):  # type: ignore[no-untyped-def]
        comp = super().compare(old, new)
        findings = []
        for ch in comp.changes:
            if ch.kind == "added" and ch.new is not None:
                for a in comp.new.annotations_for(ch.new.id, "ai_training"):
                    if a.negated:
                        continue
                    fid = "f" + hashlib.sha1(ch.new.id.encode()).hexdigest()[:8]
                    findings.append(
                        Finding(
                            id=fid,
                            flag="ai_training.added",
                            severity="high",
                            reason="The new version adds language allowing AI training.",
                            raised_by=a.explanation,
                            new_clause=ch.new,
                            evidence=(Evidence(comp.new.version.label, ch.new.id, a.span),),
                            gdpr="Art. 5(1)(b)",
                        )
                    )
        from dataclasses import replace

        return replace(comp, findings=tuple(findings))

    def assess_version(self, analyzed):  # type: ignore[no-untyped-def]
        return [
            Finding(
                id="p" + a.clause_id,
                flag="vague_purpose",
                severity="medium",
                reason="Open-ended purpose.",
                raised_by=a.explanation,
                new_clause=analyzed.clause(a.clause_id),
                evidence=(Evidence(analyzed.version.label, a.clause_id, a.span),),
            )
            for a in analyzed.annotations
            if a.kind == "vague"
        ]


def keyword_analyzer() -> PolicyAnalyzer:
    """Factory used by the scan tests (picklable: a module-level function)."""
    return FindingAnalyzer(registry=RecognizerRegistry([KeywordRecognizer()]))


def worker_keyword_analyzer() -> PolicyAnalyzer:
    """The same engine as ``keyword_analyzer`` under another factory name, for tests that
    check in which process engines get built."""
    return keyword_analyzer()


def broken_analyzer() -> PolicyAnalyzer:
    """A factory that fails like an engine with a damaged model file."""
    from analyzer.errors import ModelError

    raise ModelError("model file is damaged", path="models/opp115.skops", fix="retrain it")


# -- small synthetic histories -----------------------------------------------------------------
BASE = [
    "# Privacy Policy",
    "We collect your name and e-mail address when you sign up.",
    "We use your data to provide the service and for advertising.",
    "We keep your data for as long as your account is open.",
    "You can delete your account at any time in the settings.",
    "We protect your data with encryption and access controls.",
    "Contact our data protection officer at dpo@example.com.",
    "## Your rights",
    "You have the right to access, rectify and erase the personal data we hold about you.",
    "You can object to processing based on our interests by writing to us.",
    "You can lodge a complaint with your local data protection authority.",
    "## Changes",
    "We will tell you about material changes to this policy by e-mail before they apply.",
    "This policy applies to all users of our website, apps and related services worldwide.",
    "It was last updated on the date shown at the top of this page.",
]
AI = "We use your public posts to train our AI models on the basis of legitimate interests."
EXTRA = [
    "We may share aggregated statistics with partners.",
    "We respond to lawful requests from public authorities.",
    "Cookies help us remember your preferences and measure traffic.",
]


def text(*extra: str, base: list[str] | None = None) -> str:
    """A Markdown policy: the base paragraphs plus ``extra`` ones."""
    return "\n\n".join([*(base or BASE), *extra]) + "\n"


def write_history(
    root: Path, service: str, versions: list[tuple[str, str]], doctype: str = "Privacy Policy"
) -> list[Path]:
    """Write ``[(date, text), ...]`` in the Open Terms Archive layout under ``root``."""
    folder = root / service / doctype
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (date, body) in enumerate(versions):
        p = folder / f"{date}T00-00-00_{n:010x}.md"
        p.write_text(body, encoding="utf-8")
        paths.append(p)
    return paths


class CountingRecognizer(KeywordRecognizer):
    """The keyword recognizer declared per-clause (its annotations of a clause depend on that
    clause only), counting the clauses it is run on."""

    name = "test.counting.v1"
    per_clause = True
    version = "1"
    clauses_seen = 0

    def analyze(self, clauses, docs):  # type: ignore[no-untyped-def]
        type(self).clauses_seen += len(clauses)
        return super().analyze(clauses, docs)


def counting_analyzer() -> PolicyAnalyzer:
    """An engine of per-clause recognizers (so the scan reuses stored annotation sets)."""
    return FindingAnalyzer(registry=RecognizerRegistry([CountingRecognizer()]))


def forkserver_state() -> tuple[bool, bool, bool]:
    """In a scan worker, before any task: (was ``analyzer._forkserver`` imported in the
    forkserver, is the default engine in the worker's cache, is ``scipy.sparse``, which the
    models' products import on first use, imported already)."""
    import sys

    from analyzer import scan as s

    key = f"{s.default_factory.__module__}.{s.default_factory.__qualname__}"
    return "analyzer._forkserver" in sys.modules, key in s._WORKER, "scipy.sparse" in sys.modules

"""Assess: turn annotations and changes into ``Finding`` objects.

``assess_comparison(old, new, changes)`` raises flags about what changed between two
versions; ``assess_version(analyzed)`` raises flags about one version on its own. The flag
catalogue (``FLAGS``) is the single source of truth for severities, meanings and GDPR
articles; ``python -m analyzer.assess`` renders it as ``docs/flags.md``.

The package splits the work by family: ``catalogue`` (flags, building, ordering findings),
``training``, ``legal_basis``, ``labels``, ``exclusions``, ``vagueness``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..datamodel import AnalyzedVersion, Annotation, ClauseChange, Finding
from .catalogue import (
    FLAGS,
    FlagSpec,
    _finding,
    finding_id,
    flags_markdown,
    sort_findings,
)
from .common import _changed, _clauses, supplements_another
from .exclusions import _exclusions_removed
from .labels import _label_changes
from .legal_basis import _choice_changed, _legal_basis_changed
from .training import (
    _describe,
    _facets,
    _li_for_ai,
    _referring_uses,
    _statement_evidence,
    _training_additions,
    _uses,
)
from .vagueness import _vague_finding, stated_terms

__all__ = [
    "FLAGS",
    "FlagSpec",
    "assess_comparison",
    "assess_version",
    "finding_id",
    "flags_markdown",
]


def assess_comparison(
    old: AnalyzedVersion, new: AnalyzedVersion, changes: Sequence[ClauseChange]
) -> list[Finding]:
    """Findings about what changed between ``old`` and ``new``."""
    changed_new, changed_old = _changed(changes)
    findings: list[Finding] = []
    added = _training_additions(old, new, changed_new, "new")
    findings += added
    findings += _training_additions(new, old, changed_old, "old")
    findings += _li_for_ai(new, old, {f.new_clause.id for f in added if f.new_clause})
    findings += _legal_basis_changed(old, new, changes)
    findings += _exclusions_removed(old, new, changes)
    findings += _choice_changed(old, new, set(changed_new))
    findings += _label_changes(old, new, set(changed_new), set(changed_old))
    new_clauses = _clauses(new)
    old_terms = stated_terms(old)
    for cid in changed_new:
        f = _vague_finding("vague_purpose.added", new, new_clauses[cid], old_terms)
        if f is not None:
            findings.append(f)
    if supplements_another(new) and not supplements_another(old):
        # a capture of a supplement where the policy was (LinkedIn's regional notice at the
        # policy's address): it adds to the policy without restating it, so what it does not
        # say is not removed; what it says may still be new (decision 0003)
        findings = [f for f in findings if not f.flag.endswith(_NOT_FROM_A_SUPPLEMENT)]
    return sort_findings(findings, new, old)


#: findings a supplement cannot raise against the policy it supplements: they rest on
#: something the old version said that the new one does not
_NOT_FROM_A_SUPPLEMENT = (".removed", ".changed", ".narrowed")


def assess_version(analyzed: AnalyzedVersion) -> list[Finding]:
    """Findings about one version on its own (``*.present``, ``vague_purpose``)."""
    findings: list[Finding] = []
    clauses = _clauses(analyzed)
    best: dict[str, Annotation] = {}
    uses = _uses(analyzed)
    referring = _referring_uses(analyzed, uses)
    for i, a in enumerate(uses):
        if i in referring:
            continue
        if a.clause_id not in best or a.score > best[a.clause_id].score:
            best[a.clause_id] = a
    for cid, a in best.items():
        who = "another company" if a.label == "recipient_use" else "the company"
        what = _describe(f for f in _facets(a) if f[0] != "actor") or "data"
        findings.append(
            _finding(
                "ai_training.present",
                f"States that {who} trains AI models on {what}; the purpose and legal "
                "basis must be disclosed (Art. 13(1)(c)).",
                a.explanation,
                new_clause=clauses[cid],
                evidence=[_statement_evidence(analyzed, a, "new")],
            )
        )
    findings += _li_for_ai(analyzed, None)
    for c in analyzed.clauses:
        if c.kind == "heading":
            continue
        f = _vague_finding("vague_purpose", analyzed, c, set())
        if f is not None:
            findings.append(f)
    return sort_findings(findings, analyzed, None)

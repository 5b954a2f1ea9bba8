"""The typed data model that flows through the pipeline.

``ingest -> PolicyVersion -> segment -> Clause[] -> annotate -> Annotation[] -> align ->
ClauseChange[] -> assess -> Finding[] -> report``.

All objects are frozen dataclasses; ``to_dict()`` gives the JSON-ready form documented in
``docs/json-schema.md``. Offsets are character offsets: ``Block`` and ``Clause`` offsets index
``PolicyVersion.text``; ``Span`` offsets index the text of the clause they belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]
ClauseKind = Literal["heading", "sentence", "list_item", "table_row"]
ChangeKind = Literal["unchanged", "modified", "moved", "added", "removed"]
Severity = Literal["info", "low", "medium", "high"]
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high")


def severity_rank(severity: str) -> int:
    """Order of a severity name (info=0 ... high=3); unknown names raise ValueError."""
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Block:
    """A structural unit found by ingest: a heading, paragraph, list item or table row.

    ``headers`` holds the column headers of a table row (same length as ``cells``);
    ``level`` is the heading level (1-6) or the list nesting depth (0 = top level).
    """

    kind: BlockKind
    text: str
    start: int
    end: int
    level: int = 0
    cells: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PolicyVersion:
    """One version of one document, as read from a file or given as text.

    ``text`` is the normalized plain text (markup removed, blocks joined by blank lines);
    ``blocks`` are its structural units with offsets into ``text``. ``content_hash`` is the
    SHA-256 of the raw bytes, ``text_hash`` the SHA-256 of ``text``.
    """

    source: str
    text: str
    blocks: tuple[Block, ...]
    content_hash: str
    text_hash: str
    format: str
    service: str | None = None
    document_type: str | None = None
    date: str | None = None
    encoding: str | None = None
    size: int = 0
    language: str | None = None

    @property
    def label(self) -> str:
        """A short human label: the date if known, else the source name."""
        return self.date or self.source

    def to_dict(self, *, text: bool = False) -> dict[str, Any]:
        d = {
            "source": self.source,
            "service": self.service,
            "document_type": self.document_type,
            "date": self.date,
            "format": self.format,
            "encoding": self.encoding,
            "size": self.size,
            "language": self.language,
            "content_hash": self.content_hash,
            "text_hash": self.text_hash,
        }
        if text:
            d["text"] = self.text
        return d


@dataclass(frozen=True)
class Clause:
    """The unit of analysis: a sentence, list item, table row or heading.

    ``id`` is stable: derived from the normalized text (``norm``), so the same clause gets the
    same id in every version that contains it; repeats in one document get ``-2``, ``-3``...
    ``context`` is text that scopes the clause without being part of it: the lead-in of a
    list item ("We use your information to:") or nothing. A table row's ``text`` already
    carries its headers (``Purpose: ... | Legal basis: ...``).
    """

    id: str
    index: int
    text: str
    norm: str
    kind: ClauseKind
    section: tuple[str, ...]
    start: int
    end: int
    context: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "index": self.index,
            "text": self.text,
            "kind": self.kind,
            "section": list(self.section),
            "start": self.start,
            "end": self.end,
            "context": self.context,
        }


@dataclass(frozen=True)
class Span:
    """A piece of a clause: offsets into ``Clause.text`` and the text itself."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Explanation:
    """Why an annotation or finding was raised (after presidio's AnalysisExplanation).

    ``source`` is ``"rule"`` or ``"model"``; ``recognizer`` the registered name (e.g.
    ``policydiff.ai_training.v1``); ``pattern`` the pattern id or model name; ``detail`` a
    sentence a person can read; ``top_terms`` the terms that weighed most for a model.
    """

    recognizer: str
    source: Literal["rule", "model", "rule+model"] = "rule"
    pattern: str = ""
    detail: str = ""
    top_terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["top_terms"] = list(self.top_terms)
        return d


@dataclass(frozen=True)
class Annotation:
    """One thing a recognizer or model found in a clause.

    ``kind`` and ``label`` come from ``analyzer.taxonomy``. ``negated`` marks a statement
    that the practice does NOT happen ("we do not sell"); such annotations are usually
    mirrored by an ``exclusion`` annotation. ``inherited`` marks a label carried over from a
    section heading or table header rather than found in the clause itself. ``qualifiers``
    holds extra (key, value) facts, e.g. ``("purpose", "ai_training")`` on a legal basis.
    """

    clause_id: str
    kind: str
    label: str
    span: Span
    score: float
    explanation: Explanation
    negated: bool = False
    inherited: bool = False
    qualifiers: tuple[tuple[str, str], ...] = ()

    def qualifier(self, key: str) -> list[str]:
        return [v for k, v in self.qualifiers if k == key]

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause_id": self.clause_id,
            "kind": self.kind,
            "label": self.label,
            "span": self.span.to_dict(),
            "score": round(self.score, 4),
            "negated": self.negated,
            "inherited": self.inherited,
            "qualifiers": [list(q) for q in self.qualifiers],
            "explanation": self.explanation.to_dict(),
        }


@dataclass(frozen=True)
class AnalyzedVersion:
    """A version with its clauses and every annotation on them."""

    version: PolicyVersion
    clauses: tuple[Clause, ...]
    annotations: tuple[Annotation, ...]
    #: one-line warnings about the analysis of this version (e.g. a language outside those
    #: the patterns cover, and the annotation families then missing)
    warnings: tuple[str, ...] = ()
    #: the indexes below are built from ``annotations`` by each instance (not init fields:
    #: ``dataclasses.replace(v, annotations=...)`` must not share, and so overwrite, the
    #: index of ``v``): annotations by clause id, and ``annotations_of`` results by kind
    _by_clause: dict[str, tuple[Annotation, ...]] = field(init=False, repr=False, compare=False)
    _by_kind: dict[str, tuple[Annotation, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, list[Annotation]] = {}
        for a in self.annotations:
            index.setdefault(a.clause_id, []).append(a)
        object.__setattr__(self, "_by_clause", {k: tuple(v) for k, v in index.items()})
        object.__setattr__(self, "_by_kind", {})

    def clause(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        raise KeyError(clause_id)

    def annotations_of(self, kind: str) -> tuple[Annotation, ...]:
        """The annotations of one kind, in document order (computed once per kind)."""
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = tuple(a for a in self.annotations if a.kind == kind)
        return found

    def annotations_for(self, clause_id: str, kind: str | None = None) -> tuple[Annotation, ...]:
        found = self._by_clause.get(clause_id, ())
        if kind is None:
            return found
        return tuple(a for a in found if a.kind == kind)

    def to_dict(self, *, annotations: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "version": self.version.to_dict(),
            "clauses": [c.to_dict() for c in self.clauses],
        }
        if annotations:
            d["annotations"] = [a.to_dict() for a in self.annotations]
        return d


@dataclass(frozen=True)
class DiffOp:
    """One operation of a word-level diff: ``op`` is ``equal``, ``insert`` or ``delete``."""

    op: Literal["equal", "insert", "delete"]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClauseChange:
    """How one clause relates across two versions.

    ``substantive`` is False for changes that alter only whitespace, markup, link targets or
    punctuation; ``similarity`` is in [0, 1]; ``diff`` is set for ``modified`` clauses.
    """

    kind: ChangeKind
    old: Clause | None
    new: Clause | None
    similarity: float = 1.0
    substantive: bool = True
    diff: tuple[DiffOp, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "old_clause": self.old.to_dict() if self.old else None,
            "new_clause": self.new.to_dict() if self.new else None,
            "similarity": round(self.similarity, 4),
            "substantive": self.substantive,
            "diff": [d.to_dict() for d in self.diff],
        }


@dataclass(frozen=True)
class Evidence:
    """The text a finding rests on: which version, which clause, which span."""

    version: str
    clause_id: str
    span: Span
    side: Literal["old", "new"] = "new"

    def to_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "version": self.version,
            "clause_id": self.clause_id,
            "span": self.span.to_dict(),
        }


@dataclass(frozen=True)
class Finding:
    """A flag raised on a clause (or a pair of clauses), with its evidence and reason.

    ``id`` is stable: derived from the flag and the clause ids. ``reason`` is one sentence a
    lawyer would accept; ``gdpr`` the article it rests on, when one applies. ``also_at``
    holds the other clauses of the same version with the same text and flag (the same
    sentence repeated elsewhere, e.g. in an annex): one finding lists every place.
    """

    id: str
    flag: str
    severity: Severity
    reason: str
    raised_by: Explanation
    new_clause: Clause | None = None
    old_clause: Clause | None = None
    evidence: tuple[Evidence, ...] = ()
    gdpr: str | None = None
    terms: tuple[str, ...] = ()
    also_at: tuple[Clause, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flag": self.flag,
            "severity": self.severity,
            "reason": self.reason,
            "gdpr": self.gdpr,
            "terms": list(self.terms),
            "new_clause": self.new_clause.to_dict() if self.new_clause else None,
            "old_clause": self.old_clause.to_dict() if self.old_clause else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "raised_by": self.raised_by.to_dict(),
            "also_at": [c.to_dict() for c in self.also_at],
        }


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two versions: changes and findings."""

    old: AnalyzedVersion
    new: AnalyzedVersion
    changes: tuple[ClauseChange, ...]
    findings: tuple[Finding, ...]
    analyzer_version: str = ""
    #: versions that are not a policy text (a failed capture: redirect stub, error page),
    #: one line each naming the side; when set, nothing was compared (no changes, no findings)
    problems: tuple[str, ...] = ()

    @property
    def substantive_changes(self) -> tuple[ClauseChange, ...]:
        return tuple(c for c in self.changes if c.kind != "unchanged" and c.substantive)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for c in self.changes:
            if c.kind != "unchanged" and c.substantive:
                counts[c.kind] = counts.get(c.kind, 0) + 1
        return {
            "schema": "policydiff.comparison/1",
            "analyzer_version": self.analyzer_version,
            "old": self.old.version.to_dict(),
            "new": self.new.version.to_dict(),
            "summary": {
                "findings": len(self.findings),
                "changes": counts,
                "problems": list(self.problems),
            },
            "warnings": [f"old: {w}" for w in self.old.warnings]
            + [f"new: {w}" for w in self.new.warnings],
            "findings": [f.to_dict() for f in self.findings],
            "changes": [c.to_dict() for c in self.changes if c.kind != "unchanged"],
        }


@dataclass(frozen=True)
class Analysis:
    """The result of analyzing one version on its own (``policydiff analyze``)."""

    analyzed: AnalyzedVersion
    findings: tuple[Finding, ...]
    analyzer_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = {"schema": "policydiff.analysis/1", "analyzer_version": self.analyzer_version}
        d.update(self.analyzed.to_dict())
        d["warnings"] = list(self.analyzed.warnings)
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


@dataclass(frozen=True)
class TimelineEvent:
    """When something first appeared in, or disappeared from, a series of versions.

    ``family`` is an annotation kind or finding family (``ai_training``, ``purpose``,
    ``recipient``, ``legal_basis``, ``vague_purpose``, ``exclusion``, ``data_category``,
    ``data_source``, ``choice``); ``label`` the taxonomy label; ``previous_date`` the date of
    the version it is compared against (None for the first version of a series).
    """

    service: str
    document_type: str
    family: str
    label: str
    event: Literal["appeared", "disappeared"]
    date: str
    previous_date: str | None
    clause_id: str
    clause_text: str
    flag: str | None = None
    severity: str | None = None
    version_hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: what the per-clause recognizers read of a clause (see ``Recognizer.per_clause``): its id,
#: text, kind, context and section, the text and kind of the clause before it, and the
#: pipeline language
ClauseKey = tuple[str, str, str, str, tuple[str, ...], str | None, str | None, str]


def clause_keys(clauses: Sequence[Clause], lang: str = "en") -> list[ClauseKey]:
    """The :data:`ClauseKey` of each clause of one version in pipeline language ``lang``."""
    keys: list[ClauseKey] = []
    prev: Clause | None = None
    for c in clauses:
        keys.append(
            (
                c.id,
                c.text,
                c.kind,
                c.context,
                c.section,
                prev.text if prev is not None else None,
                prev.kind if prev is not None else None,
                lang,
            )
        )
        prev = c
    return keys

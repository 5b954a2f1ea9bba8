"""The engine: one object that runs every stage (after presidio's ``AnalyzerEngine``).

Build it once and reuse it: it holds the spaCy pipeline, the recognizer registry and the
loaded models.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# _spacy first: it imports spaCy without spaCy's command-line package (decision 0011)
from . import __version__, _spacy  # noqa: F401
from ._gc import gc_paused
from .align import align
from .assess import assess_comparison, assess_version
from .classify.combine import combine, combine_each
from .datamodel import (
    Analysis,
    AnalyzedVersion,
    Annotation,
    Clause,
    ClauseKey,
    Comparison,
    PolicyVersion,
    clause_keys,
)
from .ingest import ParseMemo, from_text, read_path
from .ingest import sharing as parse_sharing
from .languages import DEFAULT as DEFAULT_LANGUAGE
from .languages import pipeline_language, uncovered_warning
from .nlp import get_nlp
from .noise import not_a_policy
from .recognizers import RecognizerRegistry
from .segment import SegmentCache, segment

if TYPE_CHECKING:
    from spacy.tokens import Doc

DocumentLike = PolicyVersion | str | Path
#: a clause's Doc: its text, whether it goes through the sentencizer, and the language
DocKey = tuple[str, bool, str]


@dataclass
class _Shared:
    """Pure per-text results shared by the versions analyzed in one scope (one compare, or
    one :meth:`PolicyAnalyzer.session`).

    Every entry depends only on its key (a text), never on the version it came from, so a
    result computed for one version is valid for any other. With ``keep`` set, the scope is
    bounded: after each version only the entries whose texts occur in the last ``keep``
    versions stay (see :meth:`prune`).
    """

    docs: dict[DocKey, Doc] = field(default_factory=dict)
    segment: SegmentCache = field(default_factory=SegmentCache)
    #: the pipeline language ``segment`` was filled with (one cache per ``nlp``)
    segment_lang: str | None = None
    #: the combined annotations of a clause, one tuple per recognizer pass
    annotations: dict[ClauseKey, tuple[tuple[Annotation, ...], ...]] = field(default_factory=dict)
    keep: int | None = None
    #: annotations known from elsewhere (a scan's database): called with the clause keys
    #: the scope has not seen, returns for those it knows ``(passes, [(pass, annotation)])``
    lookup: Callable[[list[ClauseKey]], dict[ClauseKey, tuple[int, list]]] | None = None
    #: per recent version: (Doc keys, block and clause texts, clause keys)
    recent: deque[tuple[set[DocKey], set[str], set[ClauseKey]]] = field(default_factory=deque)

    def segment_cache(self, lang: str) -> SegmentCache:
        """The sentence-split cache for ``lang``: shared while the versions of the scope are
        in one language, a fresh one for a version in another language."""
        if self.segment_lang is None:
            self.segment_lang = lang
        return self.segment if lang == self.segment_lang else SegmentCache()

    def prune(self, doc_keys: set[DocKey], texts: set[str], clause_keys: set[ClauseKey]) -> None:
        """Record the keys one version used and drop what the last ``keep`` versions did
        not use (no-op for an unbounded scope)."""
        if self.keep is None:
            return
        self.recent.append((doc_keys, texts, clause_keys))
        while len(self.recent) > self.keep:
            self.recent.popleft()
        if len(self.recent) > 1:
            doc_keys = set().union(*(r[0] for r in self.recent))
            texts = set().union(*(r[1] for r in self.recent))
            clause_keys = set().union(*(r[2] for r in self.recent))
        self.docs = {k: v for k, v in self.docs.items() if k in doc_keys}
        self.annotations = {k: v for k, v in self.annotations.items() if k in clause_keys}
        seg = self.segment
        seg.sentences = {k: v for k, v in seg.sentences.items() if k in texts}
        seg.norms = {k: v for k, v in seg.norms.items() if k in texts}


class PolicyAnalyzer:
    """Runs ingest -> segment -> annotate -> align -> assess."""

    def __init__(self, registry: RecognizerRegistry | None = None, lang: str | None = None):
        """``lang`` forces one pipeline language for every document; by default each
        document runs the pipeline of the language found in it (``PolicyVersion.language``,
        see ``analyzer.languages``): its tokenizer and sentence rules and the recognizers
        that cover it."""
        self.lang = lang
        self.nlp = get_nlp(lang or DEFAULT_LANGUAGE)
        self.registry = registry if registry is not None else RecognizerRegistry.default()
        self.version = __version__
        self._session: _Shared | None = None
        self._registries: dict[str, RecognizerRegistry] = {}

    def language_of(self, version: PolicyVersion) -> str:
        """The pipeline language of ``version``."""
        return self.lang or pipeline_language(version.language)

    def registry_for(self, lang: str) -> RecognizerRegistry:
        """The recognizers that run on a document in pipeline language ``lang``."""
        reg = self._registries.get(lang)
        if reg is None:
            reg = self._registries[lang] = self.registry.for_language(lang)
        return reg

    def language_warning(self, version: PolicyVersion) -> str | None:
        """The one-line warning for a document in a language no pattern set covers, naming
        the annotation families it then lacks (None when covered)."""
        lang = self.language_of(version)
        missing = [k for r in self.registry.missing_for(lang) for k in r.kinds]
        return uncovered_warning(lang, missing)

    # -- stages ----------------------------------------------------------------------------
    def load(self, doc: DocumentLike, **meta: str | None) -> PolicyVersion:
        """Accept a ``PolicyVersion``, a path, or (for ``str`` with newlines) raw text."""
        if isinstance(doc, PolicyVersion):
            return doc
        if isinstance(doc, str) and ("\n" in doc or not Path(doc).exists()) and len(doc) > 260:
            return from_text(doc, **meta)  # type: ignore[arg-type]
        return read_path(doc, **meta)  # type: ignore[arg-type]

    def analyze(self, doc: DocumentLike, **meta: str | None) -> AnalyzedVersion:
        """Segment and annotate one version (sharing work with the other versions of the
        current :meth:`session`, if one is open)."""
        shared = self._session if self._session is not None else _Shared()
        return self._analyze(doc, shared, meta)

    @contextmanager
    def session(
        self,
        keep: int | None = 2,
        lookup: Callable[[list[ClauseKey]], dict[ClauseKey, tuple[int, list]]] | None = None,
    ) -> Iterator[PolicyAnalyzer]:
        """Analyze a sequence of versions (e.g. one document's history) with one sharing scope.

        Inside the block, :meth:`analyze` and :meth:`compare` reuse the per-text work of the
        versions analyzed before them: the parse of a document read again (a capture with the
        same text), the sentence splits and normal forms, and one spaCy Doc per distinct
        clause text together with the facts the recognizers and models cache on it.
        Successive versions of a policy share most of their sentences, so each later version
        costs only its new text. Results are exactly those of separate calls: every shared
        result depends only on its text.

        Args:
            keep: bound on memory: only the results for texts that occur in the last ``keep``
                analyzed versions are kept (``None``: keep everything until the block ends).
            lookup: where the combined annotations of clauses annotated before by the same
                pipeline can be found (``scan`` reads them from its database): called with
                the keys of clauses the session has not seen, it returns, for those it knows,
                the number of recognizer passes and the ``(pass, annotation)`` pairs. Only
                used with a registry of per-clause recognizers.

        Sessions do not nest and are not thread-safe (one engine per thread or process)::

            with analyzer.session():
                analyzed = [analyzer.analyze(v) for v in versions]
        """
        if self._session is not None:
            raise RuntimeError("PolicyAnalyzer.session() is already open on this engine")
        if keep is not None and keep < 1:
            raise ValueError("keep must be at least 1 (or None)")
        self._session = _Shared(keep=keep, lookup=lookup)
        try:
            # a document read again in the block (also by callers loading versions
            # themselves, before analyze) is not parsed again
            with parse_sharing(ParseMemo(keep or 2)):
                yield self
        finally:
            self._session = None

    def _analyze(
        self, doc: DocumentLike, shared: _Shared, meta: dict[str, str | None]
    ) -> AnalyzedVersion:
        """:meth:`analyze`, reusing (and filling) the per-text results of ``shared``."""
        keys: list[ClauseKey] = []
        with gc_paused():
            version = self.load(doc, **meta)
            lang = self.language_of(version)
            nlp = get_nlp(lang)
            registry = self.registry_for(lang)
            clauses = segment(version, nlp, shared.segment_cache(lang))
            if registry.per_clause:
                keys = clause_keys(clauses, lang)
                annotations = self._annotate(clauses, keys, shared, registry, lang)
            else:
                docs = self._docs(clauses, shared.docs, lang)
                annotations = combine(registry.analyze(clauses, docs))
        if shared.keep is not None:
            shared.prune(
                {(c.text, c.kind in ("list_item", "table_row"), lang) for c in clauses},
                {b.text for b in version.blocks} | {c.text for c in clauses},
                set(keys),
            )
        warning = self.language_warning(version)
        return AnalyzedVersion(
            version=version,
            clauses=tuple(clauses),
            annotations=tuple(annotations),
            warnings=(warning,) if warning else (),
        )

    def _annotate(
        self,
        clauses: list[Clause],
        keys: list[ClauseKey],
        shared: _Shared,
        registry: RecognizerRegistry | None = None,
        lang: str | None = None,
    ) -> list[Annotation]:
        """Run the (per-clause) recognizers and :func:`combine` on the clauses whose key the
        scope has not seen, and return the annotations of all clauses in the order of a
        plain run: recognizer pass by pass, clause by clause.

        Each recognizer sees a clause right after the clause before it (the AI-training
        recognizer reads that one), so the clauses before new ones run too; their own
        results are not kept. ``combine`` decides about a clause from its annotations
        alone, so it runs on the new clauses' annotations only.
        """
        registry = registry if registry is not None else self.registry
        memo = shared.annotations
        todo = [i for i, k in enumerate(keys) if k not in memo]
        if todo and shared.lookup is not None:
            width = len(next(iter(memo.values()))) if memo else None
            for key, (n, items) in shared.lookup([keys[i] for i in todo]).items():
                if width is not None and n != width:
                    continue
                per_pass: list[list[Annotation]] = [[] for _ in range(n)]
                for p, a in items:
                    per_pass[p].append(a)
                memo[key] = tuple(tuple(p) for p in per_pass)
                width = n
            todo = [i for i in todo if keys[i] not in memo]
        if todo:
            run = sorted({*todo, *(i - 1 for i in todo if i > 0)})
            sub = [clauses[i] for i in run]
            docs = self._docs(sub, shared.docs, lang)
            passes = [p for r in registry.recognizers for p in r.passes(sub, docs)]
            combined = iter(combine_each([a for p in passes for a in p]))
            wanted: dict[str, list[list[Annotation]]] = {
                clauses[i].id: [[] for _ in passes] for i in todo
            }
            for n, annotations in enumerate(passes):
                for a in annotations:
                    result = next(combined)
                    slots = wanted.get(a.clause_id)
                    if result is not None and slots is not None:
                        slots[n].append(result)
            for i in todo:
                memo[keys[i]] = tuple(tuple(p) for p in wanted[clauses[i].id])
        found = [memo[k] for k in keys]
        width = len(found[0]) if found else 0
        return [a for n in range(width) for per_pass in found for a in per_pass[n]]

    def _docs(
        self,
        clauses: list[Clause],
        shared: dict[DocKey, Doc] | None = None,
        lang: str | None = None,
    ) -> list[Doc]:
        """One spaCy Doc per clause. A sentence or heading is one sentence by construction,
        so it only needs the tokenizer; list items and table rows may hold several sentences
        and also go through the sentencizer.

        A Doc depends only on its text, so clauses with the same text (a repeated sentence,
        or the same sentence in the two versions of one comparison, via ``shared``) get the
        same Doc object; the per-Doc facts that the recognizers and the models cache in
        ``Doc.user_data`` are then computed once.
        """
        lang = lang or self.lang or DEFAULT_LANGUAGE
        nlp = get_nlp(lang)
        memo = shared if shared is not None else {}
        keys = [(c.text, c.kind in ("list_item", "table_row"), lang) for c in clauses]
        todo = list(dict.fromkeys(k for k in keys if k not in memo))
        plain = [k for k in todo if not k[1]]
        multi = [k for k in todo if k[1]]
        memo.update(zip(plain, nlp.tokenizer.pipe(k[0] for k in plain), strict=True))
        memo.update(
            zip(
                multi,
                nlp.pipe(nlp.tokenizer.pipe(k[0] for k in multi)),
                strict=True,
            )
        )
        return [memo[k] for k in keys]

    def analysis(self, doc: DocumentLike, **meta: str | None) -> Analysis:
        """Analyze one version and assess it on its own."""
        analyzed = self.analyze(doc, **meta)
        return Analysis(
            analyzed=analyzed,
            findings=tuple(assess_version(analyzed)),
            analyzer_version=self.version,
        )

    def compare_languages(
        self, old: DocumentLike | AnalyzedVersion, new: DocumentLike | AnalyzedVersion
    ) -> Comparison:
        """Compare two language versions of one policy (``analyzer.crosslang``): clauses
        aligned by what they state, findings for statements made in one language only."""
        return self.compare(old, new, cross_language=True)

    def compare(
        self,
        old: DocumentLike | AnalyzedVersion,
        new: DocumentLike | AnalyzedVersion,
        *,
        cross_language: bool = False,
    ) -> Comparison:
        """Compare two versions: aligned changes and findings (with ``cross_language``, two
        language versions: see :meth:`compare_languages`)."""
        # the two versions share most sentences: one Doc (and its cached facts) per text
        shared = self._session if self._session is not None else _Shared()
        a = old if isinstance(old, AnalyzedVersion) else self._analyze(old, shared, {})
        b = new if isinstance(new, AnalyzedVersion) else self._analyze(new, shared, {})
        del shared
        problems = tuple(
            f"the {side} version ({v.version.label}) is not a policy text: {why}"
            for side, v, other in (("old", a, b), ("new", b, a))
            if (why := not_a_policy(v.version, other.version)) is not None
        )
        if problems:  # a failed capture: say so instead of reporting its absence as change
            return Comparison(
                old=a,
                new=b,
                changes=(),
                findings=(),
                analyzer_version=self.version,
                problems=problems,
            )
        with gc_paused():
            if cross_language:
                from .crosslang import align_by_statements, assess_languages

                changes = align_by_statements(a, b)
                findings = assess_languages(a, b)
            else:
                changes = align(a.clauses, b.clauses)
                findings = assess_comparison(a, b, changes)
        return Comparison(
            old=a,
            new=b,
            changes=tuple(changes),
            findings=tuple(findings),
            analyzer_version=self.version,
        )


_DEFAULT: PolicyAnalyzer | None = None


def default_analyzer() -> PolicyAnalyzer:
    """The process-wide engine, built on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PolicyAnalyzer()
    return _DEFAULT

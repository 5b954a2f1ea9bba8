"""Batch scanning: every series under some paths -> analyzed, compared, stored in SQLite.

``scan(paths, db=...)`` is the library form of ``policydiff scan``. Work is split by series
(one task per document history, largest first); tasks run in this process (``jobs=1``), in a
pool of processes with one ``PolicyAnalyzer`` each (``jobs=N``; the pool starts first and the
pipeline identity comes from a worker, so this process builds no engine), or on a Dask
cluster (``dask="local"`` or a scheduler address). Results always come back to this process, which
alone writes the database, one transaction per series, so SQLite stays single-writer and a
killed scan restarts where it stopped: series whose inputs and pipeline are unchanged are
skipped (``documents.fingerprint``), and versions already analyzed by the same pipeline are
reused by content hash.

With Dask, workers read the input files themselves: on a multi-machine cluster the paths must
be visible to every worker (a shared filesystem), and ``factory`` must be importable there.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from ._gc import gc_paused
from .datamodel import AnalyzedVersion, Comparison, Finding, PolicyVersion
from .deadline import time_limit
from .errors import PolicyDiffError, UsageError
from .history import (
    TimelineRow,
    build_timeline,
    comparison_noise,
    drop_repeated,
    recurrent_clauses,
)
from .noise import NoiseConfig, choose_bases, classify
from .sources import Discovery, SourceProblem, VersionSource, discover
from .store import DEFAULT_DB, SeriesRows, Store, document_id, series_rows

log = logging.getLogger(__name__)

AnalyzerFactory = Callable[[], Any]

#: default time limit (seconds) on reading, analyzing or comparing one document; a real
#: policy takes well under a second (see ``deadline.time_limit`` and ``--doc-timeout``)
DEFAULT_DOC_TIMEOUT = 60.0


# -- what travels between the client and the workers -----------------------------------------
@dataclass
class SeriesTask:
    """One series to process, with the analyses the database already holds for it."""

    key: tuple[str, str, str]
    sources: list[VersionSource]
    fingerprint: str
    pipeline: str
    #: content hash -> (analysis, pass number of each annotation) stored by this pipeline
    cached: dict[str, tuple[AnalyzedVersion, list[int], int | None]] = field(default_factory=dict)
    #: the database, when the workers can read it: annotation sets stored by this pipeline
    #: for clauses of other series or earlier scans are reused (``SetLookup``)
    db: str | None = None
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    #: seconds allowed to read, to analyze, to compare one version (None: no limit)
    doc_timeout: float | None = None
    #: rough cost of the task (``series_weight``), to hand out the largest series first
    weight: int = 0
    #: ``file_identity`` of each source, when the scanning process hashed them already
    identities: list[str] | None = None
    #: the versions of the first sources, read by the scanning process while the workers
    #: started (``_read_ahead``); the worker reads the rest
    ahead: ReadAhead | None = None


@dataclass
class ReadAhead:
    """Versions of a series read by the scanning process before the series is handed out."""

    #: the versions of the series' first ``len(versions)`` sources (``None``: unreadable)
    versions: list[PolicyVersion | None]
    errors: list[SourceProblem]
    #: CPU seconds the reading took (added to the series' own)
    cpu_seconds: float


def series_weight(sources: Sequence[VersionSource], identities: Sequence[str]) -> int:
    """Rough cost of a series: the bytes of its distinct inputs. A byte-identical capture is
    neither parsed nor analyzed again, so it costs next to nothing (on the synthetic
    10 x 50 corpus the series' CPU per distinct megabyte is 0.49-0.76 s, per megabyte of all
    files 0.34-0.64 s); a git version counts as 50 kB."""
    total, seen = 0, set()
    for s, ident in zip(sources, identities, strict=True):
        if ident in seen:
            continue
        seen.add(ident)
        try:
            total += os.path.getsize(s.source) if s.kind == "file" else 50_000
        except OSError:
            pass
    return total


@dataclass
class VersionResult:
    source: str
    version: PolicyVersion | None
    status: str
    reason: str = ""
    same_as: int | None = None
    base: int | None = None
    similarity: float | None = None
    analyzed: AnalyzedVersion | None = None
    words: int = 0
    reused: bool = False
    #: the recognizer pass of each annotation of ``analyzed`` (``store.annotation_passes``)
    passes: list[int] | None = None
    #: the number of recognizer passes of the engine, when ``passes`` are its own
    width: int | None = None


@dataclass
class ComparisonResult:
    index: int
    base: int
    comparison: Comparison
    noise: dict[int, str]


@dataclass
class FindingsResult:
    index: int
    base: int | None
    findings: tuple[Finding, ...]
    recurrent: set[str] = field(default_factory=set)


@dataclass
class SeriesResult:
    """Everything computed for one series, written by ``Store.write_series``."""

    collection: str
    service: str
    document_type: str
    fingerprint: str
    pipeline: str
    versions: list[VersionResult]
    comparisons: list[ComparisonResult]
    findings: list[FindingsResult]
    timeline: list[TimelineRow]
    errors: list[SourceProblem]
    words_analyzed: int = 0
    #: clauses whose annotations came from the database instead of the recognizers
    sets_reused: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    failed: bool = False
    #: the database rows, once :meth:`pack` has computed them
    rows: SeriesRows | None = None

    @property
    def document_id(self) -> str:
        return document_id(self.collection, self.service, self.document_type)

    def pack(self) -> SeriesResult:
        """Compute the database rows now (in the worker) and drop what only they needed.

        After this, ``versions[i].analyzed`` is ``None``, ``comparisons`` is empty and the
        versions carry no blocks; :meth:`Store.write_series` writes ``rows``. A packed result
        is several times cheaper to send to the writing process and to write.
        """
        if self.rows is None:
            self.rows = series_rows(self)
        for v in self.versions:
            v.analyzed = None
            v.passes = v.width = None
            if v.version is not None and v.version.blocks:
                v.version = replace(v.version, blocks=())
        self.comparisons = []
        return self


# -- the pipeline identity --------------------------------------------------------------------
#: folders of the package whose files do not change what a scan stores (rendering only)
_NOT_PIPELINE = ("report", "templates")


def code_fingerprint(root: Path | None = None) -> str:
    """Hash of the package's own code and pattern files (``*.py``, ``*.json``; rendering
    excluded), computed once per process.

    Part of the pipeline id: a release keeps ``__version__`` while its patterns, rules or
    assessments change from one commit to the next, and a database must not then reuse
    annotation sets, or skip series, made by the code before (what ``scan`` re-annotates is
    what this id says is stale)."""
    return _fingerprint((root or Path(__file__).parent).resolve())


@cache
def _fingerprint(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.suffix in (".py", ".json") and rel.parts[0] not in _NOT_PIPELINE and p.is_file():
            h.update(rel.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def pipeline_info(analyzer: Any) -> dict[str, Any]:
    """Analyzer version, recognizers and model versions, a fingerprint of the package's code
    and pattern files (``code_fingerprint``), and an id hashing them all."""
    recognizers = sorted(
        f"{r.name}@{getattr(r, 'version', '')}" for r in analyzer.registry.recognizers
    )
    models = dict(getattr(analyzer, "model_versions", {}) or {})
    for r in analyzer.registry.recognizers:  # trained models held by recognizers
        held = getattr(r, "models", None)
        if isinstance(held, dict):
            for mname, model in held.items():
                meta = getattr(model, "meta", None)
                trained = meta.get("trained") if isinstance(meta, dict) else None
                models.setdefault(
                    f"{r.name}:{mname}", json.dumps(trained, sort_keys=True, default=str)
                )
    info = {
        "analyzer_version": getattr(analyzer, "version", __version__),
        "recognizers": recognizers,
        "models": models,
        "code": code_fingerprint(),
    }
    info["id"] = hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()[:16]
    return info


def default_factory() -> Any:
    from .engine import PolicyAnalyzer

    return PolicyAnalyzer()


_WORKER: dict[str, Any] = {}


def _worker_analyzer(factory: AnalyzerFactory) -> Any:
    key = f"{getattr(factory, '__module__', '')}.{getattr(factory, '__qualname__', factory)}"
    if key not in _WORKER:
        _WORKER[key] = factory()
    return _WORKER[key]


# -- one series -------------------------------------------------------------------------------
def process_series(task: SeriesTask, factory: AnalyzerFactory = default_factory) -> SeriesResult:
    """Read, classify, analyze, compare and build the timeline of one series.

    Never raises for bad input: unreadable versions and unexpected errors become entries of
    ``SeriesResult.errors`` and the series goes on without them.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    analyzer = _worker_analyzer(factory)
    collection, service, doctype = task.key
    errors: list[SourceProblem] = []
    # successive versions share most of their text: read and analyze them in one session of
    # the engine, so each version only pays for its new text (bounded to recent versions)
    session = getattr(analyzer, "session", None)
    lookup = None
    if task.db and session is not None and getattr(analyzer.registry, "per_clause", False):
        lookup = SetLookup(task.db, task.pipeline)
    scope = session(lookup=lookup) if lookup is not None else session() if session else None
    with scope if scope is not None else nullcontext():
        done: list[PolicyVersion | None] = []
        if task.ahead is not None:
            done = task.ahead.versions
            errors.extend(task.ahead.errors)
            c0 -= task.ahead.cpu_seconds
        loaded = _load_series(
            task.sources, errors, task.doc_timeout, identities=task.identities, done=done
        )
        statuses = classify(loaded, task.noise)
        words_of: dict[str, int] = {}  # by text hash: captures with the same text count once
        results = [
            VersionResult(
                src.source,
                v,
                st.status,
                st.reason,
                st.same_as,
                words=_word_count(v, words_of),
            )
            for src, v, st in zip(task.sources, loaded, statuses, strict=True)
        ]
        words = 0
        for i, r in enumerate(results):
            if r.status != "ok" or r.version is None:
                continue
            cached = task.cached.get(r.version.content_hash)
            if cached is not None:
                r.analyzed, r.reused = _rebind(cached[0], r.version), True
                r.passes, r.width = cached[1], cached[2]
                continue
            try:
                with time_limit(task.doc_timeout, r.source):
                    r.analyzed = analyzer.analyze(r.version)
                r.width, r.passes = _engine_passes(analyzer, r.analyzed)
                words += r.words
            except PolicyDiffError as exc:
                errors.append(SourceProblem(r.source, exc.message, type(exc).__name__, "analyze"))
                _demote(results, statuses, i, f"analysis failed: {exc.message}")
            except Exception as exc:  # noqa: BLE001
                log.debug("unexpected error analyzing %s", r.source, exc_info=True)
                errors.append(
                    SourceProblem(r.source, str(exc) or repr(exc), type(exc).__name__, "analyze")
                )
                _demote(results, statuses, i, f"analysis failed: {type(exc).__name__}")
    ids: dict[int, set[str]] = {}
    for i, r in enumerate(results):
        if r.status == "ok" and r.analyzed is not None:
            ids[i] = {c.id for c in r.analyzed.clauses}
    for i, r in enumerate(results):
        if r.status == "revert" and r.same_as in ids:
            ids[i] = ids[r.same_as]
    bases = choose_bases(statuses, ids, task.noise)
    chain = sorted(bases)
    comparisons: list[ComparisonResult] = []
    findings: list[FindingsResult] = []
    by_index: dict[int, tuple[Finding, ...]] = {}
    reported: dict[tuple[str, object], tuple[str, int]] = {}  # what earlier comparisons reported
    for pos, i in enumerate(chain):
        base, sim = bases[i]
        r = results[i]
        r.base, r.similarity = base, (round(sim, 4) if base is not None else None)
        if r.status != "ok" or r.analyzed is None:
            continue
        if base is None:  # the first version: findings about what it says on its own
            try:
                from . import assess

                assess_version = getattr(analyzer, "assess_version", assess.assess_version)
                with time_limit(task.doc_timeout, r.source):
                    fs = tuple(assess_version(r.analyzed))
            except Exception as exc:  # noqa: BLE001
                errors.append(
                    SourceProblem(r.source, str(exc) or repr(exc), type(exc).__name__, "assess")
                )
                fs = ()
            fs = drop_repeated(fs, reported, pos, task.noise)
            if fs:
                findings.append(FindingsResult(i, None, fs))
                by_index[i] = fs
            continue
        base_av = results[base].analyzed
        assert base_av is not None
        try:
            with time_limit(task.doc_timeout, r.source):
                comp = analyzer.compare(base_av, r.analyzed)
        except Exception as exc:  # noqa: BLE001
            errors.append(
                SourceProblem(r.source, str(exc) or repr(exc), type(exc).__name__, "compare")
            )
            continue
        added, removed = recurrent_clauses(chain, ids, i, base, task.noise)
        comparisons.append(ComparisonResult(i, base, comp, comparison_noise(comp, added, removed)))
        fresh = drop_repeated(comp.findings, reported, pos, task.noise)  # reported once
        if fresh:
            findings.append(FindingsResult(i, base, fresh, added | removed))
            by_index[i] = fresh
    chain_av = []
    for i in chain:
        r = results[i]
        src = results[r.same_as] if r.status == "revert" and r.same_as is not None else r
        if src.analyzed is not None:
            av = src.analyzed if src is r else _rebind(src.analyzed, r.version)
            chain_av.append((i, av))
    timeline = build_timeline(
        chain_av, by_index, service=service, document_type=doctype, config=task.noise
    )
    return SeriesResult(
        collection=collection,
        service=service,
        document_type=doctype,
        fingerprint=task.fingerprint,
        pipeline=task.pipeline,
        versions=results,
        comparisons=comparisons,
        findings=findings,
        timeline=timeline,
        errors=errors,
        words_analyzed=words,
        sets_reused=lookup.hits if lookup is not None else 0,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
        peak_rss_mb=_peak_rss_mb(),
    )


class SetLookup:
    """The annotation sets a database holds for clauses, made by one pipeline.

    Given to the engine's session (``PolicyAnalyzer.session(lookup=...)``): the clauses of a
    version that the session has not seen are looked up by the hash of what the recognizers
    read (``store.clause_input``), and those annotated before by the same pipeline, in this
    series, another one or an earlier scan, are not annotated again. So after a pipeline
    change a collection costs about one annotation per distinct clause, not one per capture.
    Read-only and best effort: any database error means nothing is found.
    """

    def __init__(self, db: str, pipeline: str):
        self.db, self.pipeline = db, pipeline
        self.conn: Any = None
        self.asked = self.hits = 0

    def __call__(self, keys: list[Any]) -> dict[Any, tuple[int, list]]:
        import sqlite3

        from .store import annotation_from_row, clause_input

        out: dict[Any, tuple[int, list]] = {}
        self.asked += len(keys)
        try:
            if self.conn is None:
                self.conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)
                self.conn.row_factory = sqlite3.Row
            by_input = {clause_input(*k): k for k in keys}
            inputs = list(by_input)
            for n in range(0, len(inputs), 500):
                part = inputs[n : n + 500]
                rows = self.conn.execute(
                    "SELECT id, input, passes FROM annotation_sets WHERE pipeline=? AND "
                    f"passes IS NOT NULL AND input IN ({','.join('?' * len(part))}) ORDER BY id",
                    [self.pipeline, *part],
                ).fetchall()
                for sid, inp, width in rows:
                    key = by_input[inp]
                    if key in out:
                        continue
                    items = self.conn.execute(
                        "SELECT * FROM annotation_items WHERE set_id=? ORDER BY pos", (sid,)
                    ).fetchall()
                    out[key] = (width, [(r["pass"], annotation_from_row(key[0], r)) for r in items])
        except sqlite3.Error:
            log.debug("annotation lookup in %s failed", self.db, exc_info=True)
            return {}
        self.hits += len(out)
        return out


def _engine_passes(analyzer: Any, av: AnalyzedVersion) -> tuple[int | None, list[int] | None]:
    """The recognizer pass of each annotation of ``av``, read from the engine's session
    (where the annotations of each clause are kept pass by pass), or ``None``.

    With them the annotations of a clause are stored the same way in every version that
    holds it, so the store keeps them once; ``store.annotation_passes`` checks them and
    falls back on runs of clause order when they are missing or do not fit.
    """
    shared = getattr(analyzer, "_session", None)
    memo = getattr(shared, "annotations", None)
    if not isinstance(memo, dict) or not getattr(analyzer.registry, "per_clause", False):
        return None, None
    from .datamodel import clause_keys

    try:
        found = [memo[k] for k in clause_keys(list(av.clauses))]
    except (KeyError, TypeError):
        return None, None
    width = len(found[0]) if found else 0
    return width, [n for n in range(width) for per_pass in found for _ in per_pass[n]]


def _word_count(version: PolicyVersion | None, memo: dict[str, int]) -> int:
    """Whitespace-separated words of a version's text (0 for a failed read)."""
    if version is None:
        return 0
    n = memo.get(version.text_hash)
    if n is None:
        n = memo[version.text_hash] = len(version.text.split())
    return n


def _load_series(
    sources: Sequence[VersionSource],
    errors: list[SourceProblem],
    doc_timeout: float | None = None,
    *,
    identities: Sequence[str] | None = None,
    done: Sequence[PolicyVersion | None] = (),
    stop: Callable[[], bool] | None = None,
) -> list[PolicyVersion | None]:
    """Read every version of a series (``None`` for those that fail, with an entry in
    ``errors``).

    ``identities`` are the sources' ``file_identity`` when known. ``done`` are the versions
    of the first sources, read before: reading goes on after them. ``stop`` is asked before
    each file: once it says so, the versions read so far are returned (fewer than the
    sources).

    A file with the same bytes and the same kind of name (extension) as one read before in
    the series is not parsed again: reading is a function of those, so its ``PolicyVersion``
    is the earlier one with this file's ``source`` and ``date`` (byte-identical captures are
    common in archives). Git versions, and files without a date, are always read.
    """
    loaded: list[PolicyVersion | None] = list(done)
    by_bytes: dict[tuple[str, str], PolicyVersion] = {}
    for k, src in enumerate(sources):
        key = None
        if src.kind == "file" and src.date is not None:
            ident = identities[k] if identities is not None else file_identity(src)
            if not ident.startswith("unreadable:"):
                key = (ident, "".join(Path(src.source).suffixes[-2:]).lower())
        if k < len(done):  # read before: the first version read of those bytes is reused
            if key is not None and done[k] is not None:
                by_bytes.setdefault(key, done[k])
            continue
        if stop is not None and stop():
            break
        earlier = by_bytes.get(key) if key is not None else None
        if earlier is not None:
            # the fields ``VersionSource.load`` sets from the file rather than its bytes
            loaded.append(replace(earlier, source=str(Path(src.source)), date=src.date))
            continue
        try:
            with time_limit(doc_timeout, src.source):
                version = src.load()
        except PolicyDiffError as exc:
            errors.append(SourceProblem(src.source, exc.message, type(exc).__name__, "read"))
            loaded.append(None)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop a batch
            log.debug("unexpected error reading %s", src.source, exc_info=True)
            errors.append(
                SourceProblem(src.source, str(exc) or repr(exc), type(exc).__name__, "read")
            )
            loaded.append(None)
            continue
        if key is not None:
            by_bytes[key] = version
        loaded.append(version)
    return loaded


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except (ImportError, OSError):  # pragma: no cover - not on Linux
        return 0.0


def _rebind(av: AnalyzedVersion, version: PolicyVersion | None) -> AnalyzedVersion:
    """The same analysis attached to another capture of the same text."""
    if version is None or version is av.version:
        return av
    return AnalyzedVersion(version=version, clauses=av.clauses, annotations=av.annotations)


def _demote(results: list[VersionResult], statuses: list[Any], i: int, reason: str) -> None:
    results[i].status = "broken"
    results[i].reason = reason
    statuses[i].status = "broken"
    statuses[i].reason = reason
    for j, st in enumerate(statuses):  # copies of a failed version cannot join the chain
        if st.same_as == i and st.status in ("revert", "duplicate", "skipped"):
            st.status = results[j].status = "broken"
            st.reason = results[j].reason = f"same text as version {i}, whose analysis failed"


def _freeze_long_lived() -> bool:
    """Move the objects alive now (the engine: spaCy vocab, models, patterns) out of the
    collector's sight (``gc.freeze``), so its full passes only walk what the scan allocates
    afterwards. Returns False (and does nothing) if something else of this process froze
    objects already, since ``gc.unfreeze`` cannot tell ours from theirs. ``scan`` unfreezes
    at its end; a worker process keeps them frozen for its life (they live as long as it)."""
    if gc.get_freeze_count():
        return False
    gc.collect()
    gc.freeze()
    return True


def _init_worker(factory: AnalyzerFactory) -> None:
    """Build the worker's engine before its first task, then freeze it (see
    ``_freeze_long_lived``)."""
    _worker_analyzer(factory)
    _freeze_long_lived()


def _run_task(task: SeriesTask, factory: AnalyzerFactory) -> SeriesResult:
    """``process_series`` that turns an unexpected failure of the whole series into a result."""
    try:
        with gc_paused():  # per series: allocations are freed by refcounting
            return process_series(task, factory).pack()
    except Exception as exc:  # noqa: BLE001 - one series must not stop a batch
        log.debug("series %s failed", task.key, exc_info=True)
        collection, service, doctype = task.key
        where = f"{collection}/{service}/{doctype}"
        return SeriesResult(
            collection=collection,
            service=service,
            document_type=doctype,
            fingerprint="",
            pipeline=task.pipeline,
            versions=[],
            comparisons=[],
            findings=[],
            timeline=[],
            errors=[SourceProblem(where, str(exc) or repr(exc), type(exc).__name__, "series")],
            failed=True,
        )


# -- the whole scan ---------------------------------------------------------------------------
@dataclass
class ScanSummary:
    """What a scan did (printed by the CLI at the end)."""

    db: str
    run_id: int = 0
    series: int = 0
    series_unchanged: int = 0
    versions: int = 0
    versions_analyzed: int = 0
    versions_reused: int = 0
    versions_skipped: int = 0
    versions_failed: int = 0
    status_counts: Counter = field(default_factory=Counter)
    findings_by_flag: Counter = field(default_factory=Counter)
    errors: list[SourceProblem] = field(default_factory=list)
    words_analyzed: int = 0
    sets_reused: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    files: int = 0
    series_cpu_seconds: list[float] = field(default_factory=list)
    series_wall_seconds: list[float] = field(default_factory=list)
    peak_worker_rss_mb: float = 0.0
    #: CPU seconds this process spent reading series while the workers started (also in
    #: those series' ``series_cpu_seconds``)
    read_ahead_cpu_seconds: float = 0.0

    @property
    def all_failed(self) -> bool:
        return self.files > 0 and self.versions_failed + self._discover_failed() >= self.files

    def _discover_failed(self) -> int:
        return sum(1 for e in self.errors if e.stage == "discover")

    def to_dict(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "run_id": self.run_id,
            "series": self.series,
            "series_unchanged": self.series_unchanged,
            "versions": self.versions,
            "versions_analyzed": self.versions_analyzed,
            "versions_reused": self.versions_reused,
            "versions_skipped": self.versions_skipped,
            "versions_failed": self.versions_failed,
            "statuses": dict(self.status_counts),
            "findings_by_flag": dict(self.findings_by_flag),
            "errors": [e.__dict__ for e in self.errors],
            "words_analyzed": self.words_analyzed,
            "annotation_sets_reused": self.sets_reused,
            "seconds": round(self.seconds, 3),
            "interrupted": self.interrupted,
        }


ProgressCallback = Callable[[str, dict[str, Any]], None]


def file_identity(src: VersionSource) -> str:
    """What makes a version's input the same input: bytes hash for files, commit for git."""
    if src.kind == "git":
        return src.source
    try:
        h = hashlib.sha256()
        with open(src.source, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"


def series_fingerprint(
    sources: Sequence[VersionSource],
    pipeline: str,
    noise: NoiseConfig,
    identities: Sequence[str] | None = None,
) -> str:
    """Hash of a series' inputs (each file's name, date and ``file_identity``, computed here
    unless given), the pipeline and the noise settings: an unchanged series is skipped."""
    if identities is None:
        identities = [file_identity(s) for s in sources]
    h = hashlib.sha256()
    h.update(f"{pipeline}\x1f{noise.key()}".encode())
    for s, ident in zip(sources, identities, strict=True):
        h.update(f"\x1e{s.source}\x1f{s.date}\x1f{ident}".encode())
    return h.hexdigest()[:32]


def scan(
    paths: Sequence[str | Path],
    *,
    db: str | Path = DEFAULT_DB,
    jobs: int | None = None,
    dask: str | None = None,
    factory: AnalyzerFactory = default_factory,
    noise: NoiseConfig | None = None,
    progress: ProgressCallback | None = None,
    force: bool = False,
    doc_timeout: float | None = DEFAULT_DOC_TIMEOUT,
) -> ScanSummary:
    """Scan ``paths`` into the database ``db`` and return a summary.

    Args:
        paths: folders, files, ``git:PATH`` repositories or manifests (see ``sources``).
        db: the SQLite file (created if missing).
        jobs: worker processes (default: number of cores; 1 runs in this process).
        dask: ``"local"`` for a LocalCluster or a scheduler address; overrides ``jobs``.
        factory: a picklable zero-argument callable that builds the ``PolicyAnalyzer``.
        noise: the history noise thresholds.
        progress: called as ``progress(event, info)`` with ``start`` (total versions),
            ``series`` (one series done) and ``end``; for progress bars.
        force: redo every series even when its inputs are unchanged.
        doc_timeout: seconds allowed to read, to analyze and to compare each version
            (``None`` or 0: no limit). A version over the limit is recorded as failed with
            its reason (``TimeLimitError``) and its series goes on without it. A version
            left out this way stays out on a re-run of the same inputs (use ``force``).

    Ctrl-C (``KeyboardInterrupt``) stops the scan; finished series stay committed and the
    summary comes back with ``interrupted=True``.
    """
    t0 = time.perf_counter()
    noise = noise or NoiseConfig()
    found: Discovery = discover(paths)
    if not found.sources and not found.problems:
        raise UsageError(
            "no documents found",
            path=", ".join(map(str, paths)),
            fix="give folders or files of policy versions, git:REPO or a manifest",
        )
    # with worker processes, start them first: they build their engines (and tell the
    # pipeline identity) while this process, which only reads inputs and writes the
    # database, goes on without loading one
    series = found.series()
    workers = jobs or os.cpu_count() or 1
    pool = None
    starting: Future | None = None
    if not dask and workers > 1 and len(series) > 1:
        pool = _start_pool(factory, workers)
    try:
        if pool is not None:
            starting = _start_workers(pool, factory, workers)
        # meanwhile: hash the inputs (for the fingerprints and the hand-out order), then
        # read series until the workers are ready: not the first ones each worker gets, which
        # it would start with, waiting for their versions to cross (pickled and unpickled:
        # 0.07 s per 50 versions, 0.18 s before the first series started on 10 x 50), but
        # those queued for them next
        identities = {key: [file_identity(s) for s in srcs] for key, srcs in series.items()}
        weights = {key: series_weight(series[key], identities[key]) for key in series}
        ahead = (
            _read_ahead(
                sorted(series, key=lambda k: -weights[k])[workers : 3 * workers],
                series,
                identities,
                starting,
                doc_timeout,
            )
            if starting is not None
            else {}
        )
        read_ahead_cpu = sum(a.cpu_seconds for a in ahead.values())
        pipe = _pool_pipeline_info(starting) if starting is not None else None
        if pipe is None:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
            pipe = pipeline_info(_worker_analyzer(factory))
        store = Store(db)
        summary = ScanSummary(
            db=str(db),
            files=len(found.sources) + sum(1 for p in found.problems if p.stage == "discover"),
            read_ahead_cpu_seconds=read_ahead_cpu,
        )
        summary.errors.extend(found.problems)
        run_id = store.start_run(
            pipe, {"paths": [str(p) for p in paths], "jobs": jobs, "dask": dask}
        )
        summary.run_id = run_id
        store.record_problems(found.problems, replace=True)
        tasks: list[SeriesTask] = []
        for key, sources in series.items():
            fp = series_fingerprint(sources, pipe["id"], noise, identities[key])
            doc = document_id(*key)
            summary.versions += len(sources)
            if not force and store.fingerprint(doc) == fp:
                summary.series_unchanged += 1
                summary.versions_skipped += len(sources)
                for row in store.conn.execute(
                    "SELECT source, stage, error_type, reason FROM errors WHERE document_id=?",
                    (doc,),
                ):
                    summary.errors.append(SourceProblem(row[0], row[3], row[2], row[1]))
                    summary.versions_failed += row[1] in ("read", "analyze")
                continue
            tasks.append(
                SeriesTask(
                    key,
                    sources,
                    fp,
                    pipe["id"],
                    noise=noise,
                    db=_shared_path(db, dask),
                    doc_timeout=doc_timeout,
                    weight=weights[key],
                    identities=identities[key],
                    ahead=ahead.pop(key, None),
                )
            )
        ahead.clear()  # read for series found unchanged
        tasks.sort(key=lambda t: -t.weight)
        if progress:
            progress(
                "start",
                {
                    "versions": sum(len(t.sources) for t in tasks),
                    "series": len(tasks),
                    "unchanged": summary.series_unchanged,
                },
            )
        status = "done"
        frozen = _freeze_long_lived()
        results = _execute(tasks, store, factory, workers, dask, pool)
        try:
            for result in results:
                if result.failed:  # keep what the database had; retried on the next run
                    store.record_problems(result.errors)
                    summary.errors.extend(result.errors)
                    summary.versions_failed += len(
                        next(
                            (
                                t.sources
                                for t in tasks
                                if t.key
                                == (result.collection, result.service, result.document_type)
                            ),
                            [],
                        )
                    )
                    continue
                store.write_series(result)
                _account(summary, result)
                if progress:
                    progress(
                        "series",
                        {
                            "service": result.service,
                            "versions": len(result.versions),
                            "words": sum(v.words for v in result.versions),
                        },
                    )
        except KeyboardInterrupt:
            summary.interrupted = True
            status = "interrupted"
            log.info("scan interrupted: finished series are saved")
        finally:
            results.close()  # stops the workers now, also on Ctrl-C
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            summary.seconds = time.perf_counter() - t0
            store.finish_run(
                run_id,
                status,
                {
                    "series_scanned": summary.series,
                    "series_unchanged": summary.series_unchanged,
                    "versions_scanned": summary.versions_analyzed,
                    "versions_skipped": summary.versions_skipped,
                    "versions_failed": summary.versions_failed,
                },
            )
            store.close()
            if frozen:
                gc.unfreeze()
            if progress:
                progress("end", summary.to_dict())
        return summary
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _shared_path(db: str | Path, dask: str | None) -> str | None:
    """The database path the workers may read annotation sets from (none for a remote Dask
    cluster, whose workers may not see this file)."""
    if str(db) == ":memory:" or (dask and dask != "local"):
        return None
    return str(Path(db).resolve())


def _account(summary: ScanSummary, r: SeriesResult) -> None:
    summary.series += 1
    summary.series_cpu_seconds.append(r.cpu_seconds)
    summary.series_wall_seconds.append(r.seconds)
    summary.peak_worker_rss_mb = max(summary.peak_worker_rss_mb, r.peak_rss_mb)
    summary.words_analyzed += r.words_analyzed
    summary.sets_reused += r.sets_reused
    failed = {e.source for e in r.errors if e.stage in ("read", "analyze")}
    summary.versions_failed += len(failed)
    for v in r.versions:
        if v.version is None:
            summary.status_counts["failed"] += 1
            continue
        summary.status_counts[v.status] += 1
        if v.status == "ok" and v.reused:
            summary.versions_reused += 1
        elif v.status == "ok":
            summary.versions_analyzed += 1
        elif v.source not in failed:
            summary.versions_skipped += 1
    for fs in r.findings:
        for f in fs.findings:
            summary.findings_by_flag[f.flag] += 1
    summary.errors.extend(r.errors)


def _with_cache(task: SeriesTask, store: Store) -> SeriesTask:
    task.cached = store.cached_analyses(document_id(*task.key), task.pipeline)
    return task


def _start_pool(factory: AnalyzerFactory, jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes: with the default engine they fork with the one
    the forkserver built (``analyzer._forkserver``), else each builds its own as it starts."""
    import multiprocessing

    # forkserver: workers fork from a clean server that has already imported spaCy and built
    # the default engine (fast start, and no fork of this process's threads, e.g. the
    # progress bar's); ``analyzer._forkserver`` is that build
    ctx = multiprocessing.get_context("forkserver")
    preload = ["analyzer.engine", "analyzer.scan"]
    if factory is default_factory:
        preload.append("analyzer._forkserver")
    ctx.set_forkserver_preload(preload)
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(factory,)
    )


def _worker_pipeline_info(factory: AnalyzerFactory) -> dict[str, Any]:
    return pipeline_info(_worker_analyzer(factory))


def _start_workers(pool: ProcessPoolExecutor, factory: AnalyzerFactory, jobs: int) -> Future:
    """Ask each worker for the pipeline identity, which makes the pool start all of them now,
    so their start-up (imports, models) overlaps, and this process, which only writes the
    database, never builds an engine. Returns the first worker's answer.

    The asking runs in a thread: starting a worker waits until the forkserver has built the
    engine (``analyzer._forkserver``, about a second), and this process has inputs to read
    meanwhile (``_read_ahead``).
    """
    import threading

    answer: Future = Future()

    def ask() -> None:
        try:
            calls = [pool.submit(_worker_pipeline_info, factory) for _ in range(jobs)]
            answer.set_result(calls[0].result())
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
            answer.set_exception(exc)

    threading.Thread(target=ask, name="policydiff-start-workers", daemon=True).start()
    return answer


def _read_ahead(
    keys: Sequence[tuple[str, str, str]],
    series: dict[tuple[str, str, str], list[VersionSource]],
    identities: dict[tuple[str, str, str], list[str]],
    ready: Future,
    doc_timeout: float | None,
) -> dict[tuple[str, str, str], ReadAhead]:
    """Read the series ``keys`` in this process until ``ready`` is done, i.e. while the
    workers start: this process would wait idle then, and what is read here the workers need
    not read (reading is a fifth of a series' work on the synthetic corpus). A series being
    read when the workers are ready is handed out with the versions read so far.

    ``scan`` passes the series queued behind each worker's first one: a worker starts its
    first series at once, where read versions would first have to cross to it (pickled and
    unpickled, about 0.07 s per 50 versions), and the series behind it cross while it works.
    Those are handed out at once or as the first series end, so nothing read waits here
    long."""
    out: dict[tuple[str, str, str], ReadAhead] = {}
    for key in keys:
        c0 = time.process_time()
        errors: list[SourceProblem] = []
        loaded = _load_series(
            series[key], errors, doc_timeout, identities=identities[key], stop=ready.done
        )
        if loaded:
            out[key] = ReadAhead(loaded, errors, time.process_time() - c0)
        if len(loaded) < len(series[key]):
            break
    return out


def _pool_pipeline_info(starting: Future) -> dict[str, Any] | None:
    """The pipeline identity, computed by the workers (``_start_workers``). ``None`` if the
    workers could not start (the caller then builds the engine here, which raises the real
    error if there is one)."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return starting.result()
    except BrokenProcessPool:
        log.warning("scan workers failed to start; scanning in this process")
        return None


def _execute(
    tasks: list[SeriesTask],
    store: Store,
    factory: AnalyzerFactory,
    jobs: int | None,
    dask: str | None,
    pool: ProcessPoolExecutor | None = None,
) -> Iterator[SeriesResult]:
    if dask:
        yield from _execute_dask(tasks, store, factory, dask, jobs)
        return
    if pool is None:
        for task in tasks:
            yield _run_task(_with_cache(task, store), factory)
        return
    workers = jobs or 1
    pending: set[Future] = set()
    queue = list(tasks)
    try:
        while queue or pending:
            while queue and len(pending) < workers * 2:
                pending.add(pool.submit(_run_task, _with_cache(queue.pop(0), store), factory))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
    finally:
        for fut in pending:
            fut.cancel()


def _execute_dask(
    tasks: list[SeriesTask], store: Store, factory: AnalyzerFactory, address: str, jobs: int | None
) -> Iterator[SeriesResult]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise UsageError(
            "--dask needs the optional dask extra", fix="pip install 'policydiff[dask]'"
        ) from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=jobs or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(address, timeout="10s")
        except OSError as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {address}: {exc}",
                fix="check the address, or use --dask local",
            ) from None
    try:
        futures = [
            client.submit(_run_task, _with_cache(t, store), factory, pure=False) for t in tasks
        ]
        for fut in as_completed(futures):
            yield fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

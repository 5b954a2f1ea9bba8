"""Version histories: the diff chain and timelines, on the noise rules of ``analyzer.noise``.

A *series* is every version of one document (same collection, service and document type)
ordered by date. Real captures are noisy, so before anything is compared each version gets a
status (rules in ``docs/decisions/0003-history-noise.md``):

* ``duplicate``: same bytes as an earlier version of the series (content hash);
* ``skipped``: different bytes but the same text as an earlier version: same normalized
  text, or the same text once link targets and URLs are ignored (``reading_hash``);
* ``broken``: a failed capture: under ``min_chars`` characters of text, or a drastic drop
  (under ``drop_ratio`` of the median length of the last accepted versions) that the next
  capture does not confirm;
* ``revert``: a duplicate or text-identical copy of an accepted version that is *not* the
  latest accepted one (a return to an earlier text, e.g. a long/short rendering flip-flop);
* ``ok``: everything else.

``ok`` and ``revert`` versions form the *chain*. Each ``ok`` version is compared with the
most similar of the last ``window`` (10) chain versions (clause-id Jaccard; ties go to the
latest), so a rendering that comes back is compared with its own earlier capture instead of
the other rendering. Timelines are built from what each chain version contains, with flap
damping: a change back to a state the item was in within the last ``window`` chain versions
is held *pending* and reported (at the version where it happened) only once it has lasted
``confirm`` (3) versions; if it flips back first, both flips are recorded as ``suppressed``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .datamodel import (
    SEVERITIES,
    AnalyzedVersion,
    Annotation,
    Clause,
    ClauseChange,
    Comparison,
    Finding,
    TimelineEvent,
)
from .modality import is_use
from .noise import NoiseConfig

#: Annotation kinds followed in timelines (``vague`` only for its ``vague_purpose`` label).
TIMELINE_KINDS = (
    "purpose",
    "data_category",
    "data_source",
    "legal_basis",
    "recipient",
    "exclusion",
    "choice",
    "ai_training",
)
#: AI-training scope items (``training_scope``) are followed too, as kind ``ai_training_scope``


if TYPE_CHECKING:
    from .engine import PolicyAnalyzer


def recurrent_clauses(
    chain: Sequence[int],
    clause_ids: dict[int, set[str]],
    index: int,
    base: int,
    config: NoiseConfig | None = None,
) -> tuple[set[str], set[str]]:
    """Clause ids of an (index vs base) diff that only flip back within the window.

    Returns ``(added, removed)``: added ids that some recent chain version already had, and
    removed ids that some recent chain version already lacked.
    """
    cfg = config or NoiseConfig()
    pos = chain.index(index)
    recent = [clause_ids[j] for j in chain[max(0, pos - cfg.window) : pos] if j != base]
    new, old = clause_ids[index], clause_ids[base]
    added = {c for c in new - old if any(c in r for r in recent)}
    removed = {c for c in old - new if any(c not in r for r in recent)}
    return added, removed


# -- timelines -------------------------------------------------------------------------------
_GENERIC_SCOPE = frozenset({("data", "personal_data"), ("actor", "company")})


def training_scope(analyzed: AnalyzedVersion, a: Annotation) -> list[str]:
    """What an AI-training use covers, as timeline items: the data categories and sources
    it names (``data:public_posts``, ``source:public_web``), training by another company
    (``actor:recipient``) and the legal basis stated in its clause (``basis:...``). A
    service that stated "improve our AI technologies" in 2022 and starts training on
    adults' public posts under legitimate interests in 2025 shows the 2025 step."""
    out = [
        f"{k}:{v}"
        for k, v in a.qualifiers
        if k in ("data", "source", "actor") and (k, v) not in _GENERIC_SCOPE
    ]
    out += [
        f"basis:{b.label}"
        for b in analyzed.annotations_for(a.clause_id, "legal_basis")
        if not b.negated and "rule" in b.explanation.source
    ]
    return out


def presence(analyzed: AnalyzedVersion) -> dict[tuple[str, str], Clause]:
    """The timeline items a version contains, each with the first clause that states it
    positively (as the findings decide it: not negated, not a hypothesis; a vague purpose
    only where a purpose of processing is stated)."""
    from .assess.vagueness import states_purpose
    from .recognizers.common import in_condition, in_rights_statement

    order = {c.id: c for c in analyzed.clauses}
    found: dict[tuple[str, str], Clause] = {}
    model: dict[str, float] = {}
    for a in analyzed.annotations:
        if a.kind == "vague" and a.label == "vague_sentence":
            model[a.clause_id] = max(model.get(a.clause_id, 0.0), a.score)
    for a in sorted(
        analyzed.annotations,
        key=lambda a: order[a.clause_id].index if a.clause_id in order else 1 << 30,
    ):
        if a.negated or a.clause_id not in order:
            continue
        if a.kind == "ai_training":
            if not is_use(a):
                continue  # deferred plans and choices are not training
            clause = order[a.clause_id]
            found.setdefault((a.kind, a.label), clause)
            for scope in training_scope(analyzed, a):
                found.setdefault(("ai_training_scope", scope), clause)
            continue
        if a.kind in TIMELINE_KINDS:
            key = (a.kind, a.label)
        elif a.kind == "vague" and a.label == "vague_purpose":
            key = ("vague_purpose", a.label)
        else:
            continue
        if key in found:
            continue
        clause = order[a.clause_id]
        if key[0] == "vague_purpose":
            if not states_purpose(clause, a, model.get(a.clause_id, 0.0)):
                continue  # a heading, a data source, a defined term, a protection...
        elif in_condition(clause.text, a.span.start) or in_rights_statement(
            clause.text, a.span.start
        ):
            continue  # a hypothesis or a right states nothing ("if your child gave us data")
        found[key] = clause
    return found


@dataclass
class TimelineRow:
    """A timeline event with its damping status and the versions it rests on."""

    event: TimelineEvent
    status: str  # reported | pending | suppressed
    chain_pos: int
    version_index: int
    previous_index: int | None = None


@dataclass
class _KeyState:
    reported: bool = False
    # last chain position where the item was actually present (True) / absent (False);
    # absence is assumed just before the first version
    last_seen: dict[bool, int | None] = field(default_factory=lambda: {True: None, False: -1})
    pending: int | None = None


def build_timeline(
    chain: Sequence[tuple[int, AnalyzedVersion]],
    findings: dict[int, Sequence[Finding]] | None = None,
    *,
    service: str,
    document_type: str,
    config: NoiseConfig | None = None,
) -> list[TimelineRow]:
    """Timeline of a chain ``[(series index, analyzed version), ...]`` in date order.

    ``findings[i]`` are the findings of the comparison that produced chain version ``i``;
    an event takes the flag and severity of the most severe finding on its clause.
    """
    cfg = config or NoiseConfig()
    findings = findings or {}
    pres = [presence(av) for _, av in chain]
    keys = sorted({k for p in pres for k in p})
    rows: list[TimelineRow] = []

    def make(key: tuple[str, str], pos: int, appeared: bool, status: str) -> TimelineRow:
        idx, av = chain[pos]
        prev = chain[pos - 1] if pos > 0 else None
        clause = pres[pos][key] if appeared else pres[pos - 1][key]
        side = "new" if appeared else "old"
        flag, severity = _flag_for(findings.get(idx, ()), clause.id, side)
        version = av.version if appeared or prev is None else prev[1].version
        ev = TimelineEvent(
            service=service,
            document_type=document_type,
            family=key[0],
            label=key[1],
            event="appeared" if appeared else "disappeared",
            date=av.version.date or av.version.source,
            previous_date=(prev[1].version.date or prev[1].version.source) if prev else None,
            clause_id=clause.id,
            clause_text=clause.text,
            flag=flag,
            severity=severity,
            version_hash=version.content_hash,
        )
        return TimelineRow(ev, status, pos, idx, prev[0] if prev else None)

    for key in keys:
        st = _KeyState()
        for pos in range(len(chain)):
            actual = key in pres[pos]
            if actual == st.reported:
                if st.pending is not None:  # flipped back: the pending change was noise
                    rows.append(make(key, st.pending, not st.reported, "suppressed"))
                    rows.append(make(key, pos, st.reported, "suppressed"))
                    st.pending = None
                st.last_seen[actual] = pos
                continue
            if st.pending is None:
                last = st.last_seen[actual]
                if last is not None and last >= pos - cfg.window:
                    st.pending = pos  # the item was in this state recently: wait and see
                else:
                    rows.append(make(key, pos, actual, "reported"))
                    st.reported = actual
                    st.last_seen[actual] = pos
                    continue
            if pos - st.pending + 1 >= cfg.confirm:
                rows.append(make(key, st.pending, actual, "reported"))
                st.reported = actual
                st.pending = None
            st.last_seen[actual] = pos
        if st.pending is not None:
            rows.append(make(key, st.pending, not st.reported, "pending"))
    rows.sort(
        key=lambda r: (
            r.chain_pos,
            r.event.event != "appeared",
            r.event.family,
            r.event.label,
            r.status,
        )
    )
    return rows


def _flag_for(
    findings: Sequence[Finding], clause_id: str, side: str
) -> tuple[str | None, str | None]:
    best: Finding | None = None
    for f in findings:
        clause = f.new_clause if side == "new" else f.old_clause
        ids = {clause.id} if clause else set()
        ids |= {e.clause_id for e in f.evidence if e.side == side}
        if clause_id in ids and (
            best is None or SEVERITIES.index(f.severity) > SEVERITIES.index(best.severity)
        ):
            best = f
    return (best.flag, best.severity) if best else (None, None)


def substance_key(f: Finding) -> tuple[str, str, object]:
    """What a finding reports, independent of where and how it is worded: its family, its
    direction (added / removed / changed) and its substance (the labels of a label
    finding, the open-ended wording of a vague purpose, the new or lost facets of an AI
    training finding, else the clause text). A
    ``*.present`` or ``vague_purpose`` finding of a series' first version counts as
    ``added``."""
    flag = f.flag
    direction = "added"
    for suffix in (".added", ".present", ".removed", ".changed"):
        if flag.endswith(suffix):
            flag = flag[: -len(suffix)]
            direction = {".removed": "removed", ".changed": "changed"}.get(suffix, "added")
            break
    if flag == "vague_purpose":
        from .assess.vagueness import term_key

        return (flag, direction, frozenset(term_key(e.span.text) for e in f.evidence))
    if flag in ("purpose", "data_category", "data_source", "recipient", "exclusion"):
        return (flag, direction, frozenset(f.terms))
    if flag.startswith("ai_training") and f.terms:  # the facets that are new (or gone)
        return (flag, direction, frozenset(f.terms))
    texts = tuple(" ".join(c.text.lower().split()) for c in (f.old_clause, f.new_clause) if c)
    return (flag, direction, texts)


def drop_repeated(
    findings: Sequence[Finding],
    reported: dict[tuple[str, object], tuple[str, int]],
    pos: int,
    config: NoiseConfig | None = None,
) -> tuple[Finding, ...]:
    """The findings of the comparison at chain position ``pos`` that report something new:
    not a change an earlier comparison of the series reported within the last ``window``
    chain versions (``substance_key``). ``reported`` maps ``(family, substance)`` to the
    direction last reported and its chain position, and is updated.

    A clause that comes and goes between two renderings of a policy, or a change that a
    comparison skipping a rendering (or after a revert) finds again, raises a finding the
    first time only: an ``added`` is dropped while the last reported change of the same
    substance, within the window, is ``added`` too (a ``removed`` likewise); after a
    reported removal, adding it back is news again. Beyond the window (the look-back of
    decision 0003) of its last sighting a change is reported again: the state it returns to
    is no longer recent."""
    cfg = config or NoiseConfig()
    fresh = []
    seen: dict[tuple[str, object], tuple[str, int]] = {}
    for f in findings:
        family, direction, substance = substance_key(f)
        key = (family, substance)
        last = reported.get(key)
        if last is None or last[0] != direction or pos - last[1] > cfg.window:
            fresh.append(f)
        seen[key] = (direction, pos)  # a repeat seen again keeps the memory recent
    reported.update(seen)
    return tuple(fresh)


def change_clause_id(change: ClauseChange) -> str:
    """The clause id a change is about (new side when there is one)."""
    clause = change.new or change.old
    return clause.id if clause else ""


def comparison_noise(comparison: Comparison, added: set[str], removed: set[str]) -> dict[int, str]:
    """Index of each change of ``comparison`` that is flip-flop noise -> ``"recurrent"``."""
    out: dict[int, str] = {}
    for n, ch in enumerate(comparison.changes):
        if ch.kind == "added" and ch.new and ch.new.id in added:
            out[n] = "recurrent"
        elif ch.kind == "removed" and ch.old and ch.old.id in removed:
            out[n] = "recurrent"
    return out


def write_compare_reports(
    events: Sequence[TimelineEvent],
    versions: Sequence[dict],
    out_dir: str | Path,
    *,
    service: str | None = None,
    engine: PolicyAnalyzer | None = None,
) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Write the HTML comparison report of every pair the timeline rests on.

    The pairs are the ``(previous_date, date)`` of ``events`` (the diff chain the scan used,
    noise excluded); each version is re-read from its ``source`` file, so the files must
    still be where the scan found them. Returns the file name of each pair's report, keyed
    by ``(old_date, new_date)`` as ``render_history(compare_links=...)`` expects, and one
    line per pair that could not be written (source gone, from git, unreadable).
    """
    from .engine import default_analyzer
    from .errors import PolicyDiffError
    from .report.html import render_comparison_html

    engine = engine or default_analyzer()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    by_date: dict[str, dict] = {}
    for v in versions:
        if v.get("status", "ok") == "ok":
            by_date.setdefault(str(v["date"]), v)
    pairs = sorted({(e.previous_date, e.date) for e in events if e.previous_date})
    links: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for old_date, new_date in pairs:
        old, new = by_date.get(old_date), by_date.get(new_date)
        if old is None or new is None:
            problems.append(f"{old_date} -> {new_date}: version not in the database")
            continue
        sources = [str(old.get("source") or ""), str(new.get("source") or "")]
        if not all(Path(s).is_file() for s in sources):
            problems.append(f"{old_date} -> {new_date}: source file not found ({sources[0]})")
            continue
        meta = {"service": service, "document_type": old.get("document_type")}
        try:
            comparison = engine.compare(
                engine.load(sources[0], date=old_date, **meta),
                engine.load(sources[1], date=new_date, **meta),
            )
        except PolicyDiffError as exc:
            problems.append(f"{old_date} -> {new_date}: {exc}")
            continue
        name = re.sub(r"[^0-9A-Za-z]+", "-", f"{old_date}_{new_date}").strip("-") + ".html"
        (out / name).write_text(render_comparison_html(comparison), encoding="utf-8")
        links[(old_date, new_date)] = name
    return links, problems

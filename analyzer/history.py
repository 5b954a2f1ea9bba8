"""Version histories: noise handling, the diff chain, and timelines.

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

import hashlib
import re
import statistics
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
    PolicyVersion,
    TimelineEvent,
)
from .modality import is_use

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


_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
#: the same matches as ``(?:https?|ftp)://[^\s)\]>]+|www\.[^\s)\]>]+``, written with the
#: three literal prefixes first, which the regex engine scans for about twice as fast
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s)\]>]+")

if TYPE_CHECKING:
    from .engine import PolicyAnalyzer


def reading_hash(text: str) -> str:
    """Hash of what a reader sees: text without link targets or URLs, whitespace collapsed.

    Captures that differ only in tracking parameters or session ids inside links (common in
    real histories) get the same reading hash.
    """
    plain = _URL.sub("<url>", _LINK_TARGET.sub("]", text))
    # str.split() splits on exactly the characters ``\s`` matches in a str pattern (both use
    # str.isspace), so this is ``re.sub(r"\s+", " ", plain).strip()``, three times faster
    return hashlib.sha256(" ".join(plain.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NoiseConfig:
    """Thresholds of the noise rules (see ``docs/decisions/0003-history-noise.md``)."""

    min_chars: int = 800
    drop_ratio: float = 0.3
    median_of: int = 5
    confirm_ratio: float = 0.25
    #: how many earlier chain versions count as "recent": candidates for the diff base,
    #: and the look-back for recurrent clauses and for timeline damping
    window: int = 10
    #: how many chain versions a damped timeline change must last before it is reported
    confirm: int = 3

    def key(self) -> str:
        return (
            f"noise/2:{self.min_chars}:{self.drop_ratio}:{self.median_of}:"
            f"{self.confirm_ratio}:{self.window}:{self.confirm}"
        )


@dataclass
class Status:
    """The noise verdict on one version of a series (``same_as`` indexes the series)."""

    status: str
    reason: str = ""
    same_as: int | None = None


def classify(
    versions: Sequence[PolicyVersion | None], config: NoiseConfig | None = None
) -> list[Status]:
    """Give each version of a date-ordered series a status; ``None`` entries failed to load."""
    cfg = config or NoiseConfig()
    out: list[Status] = []
    by_content: dict[str, int] = {}
    by_text: dict[str, int] = {}
    accepted_lengths: list[int] = []
    last_chain: int | None = None
    for i, v in enumerate(versions):
        if v is None:
            out.append(Status("failed", "could not be read"))
            continue
        earlier = by_content.get(v.content_hash)
        kind = "duplicate"
        reading = ""
        if earlier is None:
            kind = "skipped"
            earlier = by_text.get(v.text_hash)
            if earlier is None:  # the reading hash only when the text itself is new
                reading = reading_hash(v.text)
                earlier = by_text.get(reading)
        if earlier is not None:
            root = earlier
            while out[root].status not in ("ok", "broken") and out[root].same_as is not None:
                root = out[root].same_as
            what = "bytes" if kind == "duplicate" else "text"
            ref = _name(versions[root])
            if out[root].status == "broken":
                out.append(Status("broken", f"same {what} as broken capture {ref}", root))
            elif root == last_chain:
                out.append(Status(kind, f"same {what} as version {ref}", root))
            else:
                out.append(Status("revert", f"returns to the {what} of version {ref}", root))
                last_chain = root
            by_content.setdefault(v.content_hash, i)
            continue
        by_content[v.content_hash] = i
        by_text.setdefault(v.text_hash, i)
        by_text.setdefault(reading, i)
        length = len(v.text)
        tiny = tiny_capture(length, cfg)
        if tiny:
            out.append(Status("broken", tiny))
            continue
        recent = accepted_lengths[-cfg.median_of :]
        if recent:
            median = statistics.median(recent)
            drop = size_drop(length, median, cfg)
            if drop and not _confirmed(versions, i, cfg):
                out.append(
                    Status(
                        "broken",
                        f"{drop} (median of last accepted {median:.0f}),"
                        " not confirmed by the next capture",
                    )
                )
                continue
        out.append(Status("ok"))
        accepted_lengths.append(length)
        last_chain = i
    return out


def tiny_capture(length: int, config: NoiseConfig | None = None) -> str | None:
    """The scan's rule for a failed capture by size: under ``min_chars`` characters."""
    cfg = config or NoiseConfig()
    if length < cfg.min_chars:
        return f"tiny capture ({length} characters of text)"
    return None


def size_drop(length: int, reference: float, config: NoiseConfig | None = None) -> str | None:
    """The scan's rule for a drastic drop: under ``drop_ratio`` of a reference length."""
    cfg = config or NoiseConfig()
    if reference and length < cfg.drop_ratio * reference:
        return f"size drop to {length} characters"
    return None


#: what the text of a failed capture opens with: a redirect stub, an error or a wall page
_STUB = re.compile(
    r"^\W*(redirecting|you are being redirected|moved permanently|object moved|found\b|"
    r"page not found|not found|(error )?40[0-9]|50[0-9]|access denied|forbidden|"
    r"just a moment|attention required|please enable (javascript|cookies)|"
    r"enable javascript|checking your browser|service unavailable|error)\b",
    re.I,
)


def not_a_policy(
    version: PolicyVersion, other: PolicyVersion | None = None, config: NoiseConfig | None = None
) -> str | None:
    """Why ``version`` is not a policy text but a failed capture, or None.

    For a comparison of two versions (``policydiff compare``): the scan's rules of
    ``classify``, made safe for a pair: a version is a failed capture when it is a tiny
    capture (``tiny_capture``) *and* either opens like a redirect stub or an error page
    ("Redirecting to ...", "404 Not Found", "Just a moment...") or is a drastic drop from
    ``other`` (``size_drop``) when ``other`` is not tiny itself. A short notice compared
    with another short text is kept.
    """
    cfg = config or NoiseConfig()
    text = version.text.strip()
    tiny = tiny_capture(len(text), cfg)
    if tiny is None:
        return None
    if _STUB.match(text):
        words = " ".join(text.split()[:8])
        return f"{tiny}, reads like a redirect or error page: '{words}'"
    reference = len(other.text.strip()) if other is not None else 0
    if tiny_capture(reference, cfg) is None and size_drop(len(text), reference, cfg):
        return f"{tiny}, under {cfg.drop_ratio:.0%} of the other version"
    if not text.split():
        return "no text"
    return None


def _name(v: PolicyVersion | None) -> str:
    return (v.date or v.source) if v is not None else "?"


def _confirmed(versions: Sequence[PolicyVersion | None], i: int, cfg: NoiseConfig) -> bool:
    """True if the next distinct, readable capture has about the same size as version ``i``."""
    cur = versions[i]
    assert cur is not None
    for nxt in versions[i + 1 :]:
        if nxt is None or nxt.content_hash == cur.content_hash or nxt.text_hash == cur.text_hash:
            continue
        return abs(len(nxt.text) - len(cur.text)) <= cfg.confirm_ratio * len(cur.text)
    return False


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two clause-id sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def choose_bases(
    statuses: Sequence[Status],
    clause_ids: dict[int, set[str]],
    config: NoiseConfig | None = None,
) -> dict[int, tuple[int | None, float]]:
    """For each chain version, the version it is compared with and their similarity.

    ``clause_ids`` maps series index -> clause ids for ``ok`` versions. The first chain
    version has base ``None``; a ``revert`` has its ``same_as`` as base.
    """
    cfg = config or NoiseConfig()
    chain: list[int] = []
    out: dict[int, tuple[int | None, float]] = {}
    for i, st in enumerate(statuses):
        if st.status not in ("ok", "revert"):
            continue
        if not chain:
            out[i] = (None, 0.0)
        elif st.status == "revert":
            out[i] = (st.same_as, 1.0)
        else:
            ids = clause_ids[i]
            best: tuple[float, int] | None = None
            for j in chain[-cfg.window :]:
                sim = jaccard(ids, clause_ids[_resolve(statuses, j)])
                if best is None or sim >= best[0]:
                    best = (sim, j)
            assert best is not None
            out[i] = (_resolve(statuses, best[1]), best[0])
        chain.append(i)
    return out


def _resolve(statuses: Sequence[Status], i: int) -> int:
    st = statuses[i]
    return st.same_as if st.status == "revert" and st.same_as is not None else i


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
    finding, the open-ended wording of a vague purpose, else the clause text). A
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

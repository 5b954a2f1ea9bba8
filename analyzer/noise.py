"""Noise rules of a version history: which captures are duplicates, reverts, failed
captures or the same reading as another (``docs/decisions/0003-history-noise.md``), and
which earlier chain version each new one is compared with.

``analyzer.history`` builds the diff chain and timelines on these statuses; ``compare``
uses :func:`not_a_policy` alone, so it imports this module and not the timelines.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .datamodel import PolicyVersion

_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
#: the same matches as ``(?:https?|ftp)://[^\s)\]>]+|www\.[^\s)\]>]+``, written with the
#: three literal prefixes first, which the regex engine scans for about twice as fast
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s)\]>]+")


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

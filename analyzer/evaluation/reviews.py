"""Evaluate the findings of the current tool against a lawyer's review (``finding_reviews``).

``reviews.jsonl`` holds findings of an earlier policydiff, each judged ``correct``, ``wrong``
or ``debatable`` on ``ai_pairs`` version pairs (``scope: "pairs"``) and on scans of whole
histories (``scope: "history:<collection>/<service>+..."``). ``evaluate_reviews(dir)`` runs
the current tool on the same inputs (every pair of ``../ai_pairs``; every series of the
histories named in the scopes, from ``../policy_versions`` or ``corpora``) and reports, per
flag, how many findings reviewed ``wrong`` are still raised, how many reviewed ``correct``
are kept, and how many current findings match no review (new, unreviewed: to be read).

Match rule (a refined flag such as ``ai_training.scope_widened`` matches the flag it refines,
``REFINES``): flag, pair (pair id, or ``"<service> <document type> <base date> -> <date>"``
for a history comparison) and clause text agree (whitespace and case aside). History
findings count as a user gets them by default: findings resting on recurrent clauses
(flip-flop noise) are left out, as ``export`` does.

Run: ``policydiff evaluate reviews DIR [--format json]``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError

VERDICTS = ("correct", "wrong", "debatable")
_WS = re.compile(r"\s+")


def _norm(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip().lower()


def read_reviews(path: Path) -> list[dict[str, Any]]:
    """The rows of ``reviews.jsonl`` (a clear error naming the line when one is not JSON)."""
    from corpora._jsonl import jsonl_rows

    rows = []
    for n, row in jsonl_rows(Path(path), "JSON", "fix that line"):
        for key in ("scope", "pair", "flag", "verdict"):
            if key not in row:
                raise InputError(f"line {n} has no '{key}'", path=str(path), fix="add the field")
        rows.append(row)
    return rows


def _clause_text(row: dict[str, Any]) -> str:
    return row.get("clause") or row.get("new_clause") or row.get("old_clause") or ""


def review_key(flag: str, pair: str, clause: str) -> tuple[str, str, str]:
    return (flag, pair, _norm(clause))


def _finding_clause(f: Any) -> str:
    clause = f.new_clause or f.old_clause
    return clause.text if clause is not None else ""


def _history_pair(service: str, doctype: str, base: str | None, date: str) -> str:
    return f"{service} {doctype.lower()} {base} -> {date}"


def pair_findings(pairs_dir: Path, engine: Any) -> list[dict[str, Any]]:
    """Every finding of every ``ai_pairs`` case (old.md vs new.md)."""
    from corpora.ai_pairs import read_pairs

    out = []
    for case in read_pairs(pairs_dir):
        comparison = engine.compare(case.old, case.new)
        for f in comparison.findings:
            out.append(
                {
                    "scope": "pairs",
                    "pair": case.id,
                    "flag": f.flag,
                    "severity": f.severity,
                    "clause": _finding_clause(f),
                    "reason": f.reason,
                }
            )
    return out


def history_findings(
    roots: Iterable[Path], scope: str, factory: Any = None
) -> list[dict[str, Any]]:
    """The default (non-recurrent) findings of a scan of the series under ``roots``."""
    from ..noise import NoiseConfig
    from ..scan import SeriesTask, default_factory, process_series
    from ..sources import discover

    found = discover([str(r) for r in roots])
    out = []
    for key, sources in found.series().items():
        task = SeriesTask(key, sources, "", "", noise=NoiseConfig())
        result = process_series(task, factory or default_factory)
        dates = [v.version.date if v.version else None for v in result.versions]
        _collection, service, doctype = key
        for fs in result.findings:
            base = dates[fs.base] if fs.base is not None else None
            pair = _history_pair(service, doctype, base, str(dates[fs.index]))
            for f in fs.findings:
                clause = f.new_clause or f.old_clause
                if clause is not None and clause.id in fs.recurrent:
                    continue  # flip-flop noise, hidden by default (as ``export`` does)
                out.append(
                    {
                        "scope": scope,
                        "pair": pair,
                        "flag": f.flag,
                        "severity": f.severity,
                        "clause": _finding_clause(f),
                        "reason": f.reason,
                    }
                )
    return out


def _history_roots(scope: str, corpora: Path) -> list[Path]:
    names = scope.split(":", 1)[1].split("+")
    return [corpora / "policy_versions" / n for n in names]


def evaluate_reviews(
    path: Path, corpora: Path | None = None, engine: Any = None, factory: Any = None
) -> dict[str, Any]:
    """Score the current findings against the reviews in ``path`` (a folder holding
    ``reviews.jsonl``, or the file). ``corpora`` is the folder holding ``ai_pairs`` and
    ``policy_versions`` (default: the parent of the reviews folder)."""
    path = Path(path)
    file = path / "reviews.jsonl" if path.is_dir() else path
    if not file.is_file():
        raise InputError("no reviews.jsonl", path=str(path), fix="give the finding_reviews folder")
    corpora = Path(corpora) if corpora is not None else file.parent.parent
    reviews = read_reviews(file)
    if engine is None:
        from ..engine import PolicyAnalyzer

        engine = PolicyAnalyzer()
    current: list[dict[str, Any]] = []
    scopes = sorted({r["scope"] for r in reviews})
    for scope in scopes:
        if scope == "pairs":
            pairs_dir = corpora / "ai_pairs"
            if not pairs_dir.is_dir():
                raise InputError(
                    "the reviewed pairs are not there", path=str(pairs_dir), fix="pass --corpora"
                )
            current += pair_findings(pairs_dir, engine)
        elif scope.startswith("history:"):
            roots = _history_roots(scope, corpora)
            missing = [str(r) for r in roots if not r.is_dir()]
            if missing:
                raise InputError(
                    "the reviewed histories are not there", path=missing[0], fix="pass --corpora"
                )
            current += history_findings(roots, scope, factory)
    return score(reviews, current)


#: flags that refine a reviewed flag: the finding says the same thing in substance with a
#: more precise flag (training the old version already stated, now on new data or people, was
#: reviewed as ``ai_training.added`` before ``ai_training.scope_widened`` existed); a current
#: finding of the refined flag matches a review of the older one on the same pair and clause
REFINES: dict[str, str] = {
    "ai_training.scope_widened": "ai_training.added",
    "ai_training.scope_narrowed": "ai_training.removed",
}


def _reviewed_flag(flag: str) -> str:
    return REFINES.get(flag, flag)


def score(reviews: list[dict[str, Any]], current: list[dict[str, Any]]) -> dict[str, Any]:
    """Match current findings with reviewed ones (flag, pair, clause text; a refined flag,
    :data:`REFINES`, matches the flag it refines) and count."""
    reviewed: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in reviews:
        reviewed[review_key(r["flag"], r["pair"], _clause_text(r))].append(r)
    raised = Counter(review_key(_reviewed_flag(f["flag"]), f["pair"], f["clause"]) for f in current)
    per_flag: dict[str, Counter[str]] = defaultdict(Counter)
    rows = []
    for r in reviews:
        k = review_key(r["flag"], r["pair"], _clause_text(r))
        # a reviewed duplicate (the same key twice) is kept only while raised twice
        rank = reviewed[k].index(r)
        still = raised.get(k, 0) > rank
        per_flag[r["flag"]][f"{r['verdict']}_reviewed"] += 1
        per_flag[r["flag"]][f"{r['verdict']}_raised"] += int(still)
        rows.append(
            {"id": r.get("id"), "flag": r["flag"], "verdict": r["verdict"], "raised": still}
        )
    new = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for f in current:
        k = review_key(_reviewed_flag(f["flag"]), f["pair"], f["clause"])
        seen[k] += 1
        if seen[k] > len(reviewed.get(k, ())):
            new.append(f)
            per_flag[f["flag"]]["new"] += 1
    totals: Counter[str] = Counter()
    for c in per_flag.values():
        totals.update(c)

    def frac(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "task": "reviews",
        "wrong_still_raised": totals["wrong_raised"],
        "wrong_reviewed": totals["wrong_reviewed"],
        "wrong_still_raised_share": frac(totals["wrong_raised"], totals["wrong_reviewed"]),
        "correct_kept": totals["correct_raised"],
        "correct_reviewed": totals["correct_reviewed"],
        "correct_kept_share": frac(totals["correct_raised"], totals["correct_reviewed"]),
        "debatable_raised": totals["debatable_raised"],
        "debatable_reviewed": totals["debatable_reviewed"],
        "new": len(new),
        "findings": len(current),
        "per_flag": {k: dict(sorted(v.items())) for k, v in sorted(per_flag.items())},
        "reviews": rows,
        "new_findings": new,
    }


def format_text(result: dict[str, Any]) -> str:
    """A plain-text table: per flag, wrong still raised, correct kept, debatable, new."""
    lines = [f"{'flag':<40} {'wrong raised':>13} {'correct kept':>13} {'debatable':>10} {'new':>5}"]
    for flag, c in result["per_flag"].items():
        lines.append(
            f"{flag:<40} {c.get('wrong_raised', 0):>6}/{c.get('wrong_reviewed', 0):<6} "
            f"{c.get('correct_raised', 0):>6}/{c.get('correct_reviewed', 0):<6} "
            f"{c.get('debatable_raised', 0):>4}/{c.get('debatable_reviewed', 0):<5} "
            f"{c.get('new', 0):>5}"
        )

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.0f}%"

    lines.append(
        f"total: wrong still raised {result['wrong_still_raised']}/{result['wrong_reviewed']} "
        f"({pct(result['wrong_still_raised_share'])}), correct kept "
        f"{result['correct_kept']}/{result['correct_reviewed']} "
        f"({pct(result['correct_kept_share'])}), debatable raised "
        f"{result['debatable_raised']}/{result['debatable_reviewed']}, new {result['new']} "
        f"(of {result['findings']} findings)"
    )
    return "\n".join(lines)

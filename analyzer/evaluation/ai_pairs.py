"""Evaluate ``ai_training.added`` on labelled version pairs (``ai_pairs`` format).

``evaluate_ai_pairs(path)`` compares each case's ``old.md`` and ``new.md`` and reports
pair-level precision, recall and F1 of the ``ai_training.added`` and
``ai_training.scope_widened`` flags (ambiguous cases
scored apart), and per case whether some flagged clause contains one of the
``expected_added_sentences`` ("at the right clause").

Run: ``python -m analyzer.evaluation.ai_pairs ../shared/corpora/ai_pairs [--json]``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from corpora.ai_pairs import AIPair, read_pairs

from ..engine import PolicyAnalyzer

FLAG = "ai_training.added"
#: flags that say the new version adds AI-training language (new training, or training
#: widened to new data, sources or people)
FLAGS = (FLAG, "ai_training.scope_widened")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NONWORD = re.compile(r"[\W_]+", re.UNICODE)


def _norm(text: str) -> str:
    """Comparison form: Markdown links reduced to their text, punctuation and case dropped."""
    return _NONWORD.sub(" ", _MD_LINK.sub(r"\1", text).lower()).strip()


def _contains(clause_text: str, expected: str) -> bool:
    c, e = _norm(clause_text), _norm(expected)
    if not e:
        return False
    if e in c:
        return True
    # a long expected passage may span clause boundaries: accept a clause that holds a
    # substantial contiguous part of it (half of its words, at least 8)
    words = e.split()
    n = max(8, len(words) // 2)
    if len(words) <= n:
        return False
    return any(" ".join(words[i : i + n]) in c for i in range(0, len(words) - n + 1))


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"precision": p, "recall": r, "f1": f}


def evaluate_pair(case: AIPair, engine: PolicyAnalyzer) -> dict[str, Any]:
    """Compare one case and score its ``ai_training.added`` findings."""
    t0 = time.perf_counter()
    comparison = engine.compare(case.old, case.new)
    flagged = [f for f in comparison.findings if f.flag in FLAGS]
    texts = [f.new_clause.text for f in flagged if f.new_clause is not None]
    hits = [s for s in case.expected_added_sentences if any(_contains(t, s) for t in texts)]
    predicted = bool(flagged)
    right_clause = bool(hits) if case.expected_added_sentences else None
    return {
        "id": case.id,
        "kind": case.kind,
        "ambiguous": case.ambiguous,
        "expected": case.adds_ai_training,
        "predicted": predicted,
        "correct": predicted == case.adds_ai_training,
        "right_clause": right_clause,
        "expected_found": len(hits),
        "expected_total": len(case.expected_added_sentences),
        "flagged_clauses": len(flagged),
        "flagged": [t[:200] for t in texts],
        "seconds": round(time.perf_counter() - t0, 3),
    }


def _score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    tp = sum(r["expected"] and r["predicted"] for r in rows)
    fp = sum((not r["expected"]) and r["predicted"] for r in rows)
    fn = sum(r["expected"] and not r["predicted"] for r in rows)
    tn = sum((not r["expected"]) and not r["predicted"] for r in rows)
    pos = [r for r in rows if r["expected"]]
    out: dict[str, Any] = {"pairs": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn}
    out.update(_prf(tp, fp, fn))
    out["right_clause"] = sum(bool(r["right_clause"]) for r in pos)
    out["positives"] = len(pos)
    return out


def evaluate_ai_pairs(path: Path, engine: PolicyAnalyzer | None = None) -> dict[str, Any]:
    """Evaluate every case under ``path``; returns scores (clear and ambiguous apart) and rows."""
    engine = engine or PolicyAnalyzer()
    cases = read_pairs(Path(path))
    rows = [evaluate_pair(c, engine) for c in cases]
    clear = [r for r in rows if not r["ambiguous"]]
    ambiguous = [r for r in rows if r["ambiguous"]]
    scores = _score(clear)
    return {
        "task": "ai-pairs",
        "flag": FLAG,
        "path": str(path),
        # headline figures: non-ambiguous pairs (ambiguous ones are reported apart)
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
        "scores": scores,
        "ambiguous": _score(ambiguous),
        "all": _score(rows),
        "cases": rows,
    }


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of the per-case rows and the scores."""
    lines = [f"{'case':<48} {'kind':<22} {'exp':>4} {'pred':>5} {'clause':>7} {'n':>3}"]
    for r in result["cases"]:
        clause = "-" if r["right_clause"] is None else ("yes" if r["right_clause"] else "NO")
        mark = "" if r["correct"] else "  <-- wrong"
        amb = " (ambiguous)" if r["ambiguous"] else ""
        lines.append(
            f"{r['id'][:48]:<48} {r['kind'][:22]:<22} {int(r['expected']):>4} "
            f"{int(r['predicted']):>5} {clause:>7} {r['flagged_clauses']:>3}{mark}{amb}"
        )

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    for name in ("scores", "ambiguous", "all"):
        s = result[name]
        label = {"scores": "non-ambiguous", "ambiguous": "ambiguous", "all": "all"}[name]
        lines.append(
            f"{label:<14} pairs={s['pairs']} tp={s['tp']} fp={s['fp']} fn={s['fn']} tn={s['tn']} "
            f"P={fmt(s['precision'])} R={fmt(s['recall'])} F1={fmt(s['f1'])} "
            f"right-clause={s['right_clause']}/{s['positives']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    if len(args) != 1:
        print("usage: python -m analyzer.evaluation.ai_pairs PATH [--json]", file=sys.stderr)
        return 2
    result = evaluate_ai_pairs(Path(args[0]))
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Evaluate AI-training judgement on labelled sentences (``ai_clauses`` format).

Each labelled row (a sentence, table row or list item of a real policy) is located in its
source document (``file``, relative to the corpora root), the document is analyzed as a
whole (so that context, lead-ins and section headings play their part), and the row is
*reported as use* when a clause holding it carries an AI-training use: an ``ai_training``
annotation that is not negated and whose modality is a use (not deferred, not a plan). The
row counts as positive when its label is ``trains``.

Scores: precision, recall and F1 of ``trains`` on non-hard rows, hard rows apart, recall per
service, and how many ``not_trains`` / ``deferred`` rows were read as use (the issue's "no
denial reported as use").

With ``loso=True`` the trained part is validated leave one service out: for each service the
AI-training model is retrained on the other services' rows (same code, same seeds as
``policydiff train``) and the held-out service's documents are analyzed with that model.
That is the figure that says how the tool reads a company whose wording it never saw.

Run: ``policydiff evaluate ai-clauses ../shared/corpora/ai_clauses [--loso]``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datamodel import AnalyzedVersion, Annotation
from ..errors import InputError
from ..modality import is_use

_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NONWORD = re.compile(r"[\W_]+", re.UNICODE)
POSITIVE = "trains"
NEVER_USE = ("not_trains", "deferred")


def norm(text: str) -> str:
    """Comparison form: Markdown links reduced to their text, punctuation and case dropped."""
    return _NONWORD.sub(" ", _MD_LINK.sub(r"\1", text).lower()).strip()


@dataclass(frozen=True)
class Row:
    """One labelled row of ``clauses*.jsonl``."""

    id: str
    service: str
    file: str
    text: str
    label: str
    hard: bool
    language: str = "en"


def read_rows(path: Path) -> list[Row]:
    """Read a ``clauses*.jsonl`` file; a malformed line is an ``InputError`` naming it."""
    from corpora._jsonl import jsonl_rows

    if not Path(path).is_file():
        raise InputError(
            "cannot read labelled rows", path=str(path), fix="check the ai_clauses folder"
        )
    fix = "each line needs id, service, file, text and label"
    rows: list[Row] = []
    for n, d in jsonl_rows(Path(path), "a labelled row", fix):
        try:
            rows.append(
                Row(
                    id=d["id"],
                    service=d["service"],
                    file=d["file"],
                    text=d["text"],
                    label=d["label"],
                    hard=bool(d.get("hard")),
                    language=d.get("language", "en"),
                )
            )
        except (KeyError, TypeError) as exc:
            raise InputError(
                f"line {n} is not a labelled row ({exc})", path=str(path), fix=fix
            ) from None
    return rows


def uses_in(v: AnalyzedVersion, clause_ids: Sequence[str], text: str) -> list[Annotation]:
    """AI-training uses of the given clauses that fall in the row: in a clause much longer
    than the row (a table row holding the labelled cell, a paragraph holding the labelled
    sentence), only uses whose quoted span is part of the row's text count."""
    ids = set(clause_ids)
    t = norm(text)
    lengths = {c.id: len(norm(c.text)) for c in v.clauses if c.id in ids}
    out = []
    for a in v.annotations:
        if a.clause_id not in ids or not is_use(a):
            continue
        if lengths.get(a.clause_id, 0) > 1.5 * len(t) and norm(a.span.text) not in t:
            continue
        out.append(a)
    return out


def locate(v: AnalyzedVersion, text: str) -> list[str]:
    """Ids of the clauses of ``v`` that hold ``text`` (or that it holds, for a row that the
    segmenter cut into several clauses)."""
    t = norm(text)
    if not t:
        return []
    found = [c.id for c in v.clauses if t in norm(c.text)]
    if found:
        return found
    parts = [c.id for c in v.clauses if len(norm(c.text)) >= 20 and norm(c.text) in t]
    # a row the segmenter cut differently (a table row read with its headers): clauses that
    # hold a contiguous run of half its words, at least 8
    words = t.split()
    n = max(8, len(words) // 2)
    if len(words) > n:
        # the clause that holds most of the row's runs (two table rows sharing a long phrase
        # must not both stand for it)
        runs = [" ".join(words[i : i + n]) for i in range(0, len(words) - n + 1)]
        counts = {c.id: sum(run in norm(c.text) for run in runs) for c in v.clauses}
        best = max(counts.values(), default=0)
        parts += [cid for cid, k in counts.items() if k and k == best and cid not in parts]
    return parts


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision / recall / F1 of ``trains`` over scored rows (located ones)."""
    tp = sum(r["label"] == POSITIVE and r["use"] for r in rows)
    fp = sum(r["label"] != POSITIVE and r["use"] for r in rows)
    fn = sum(r["label"] == POSITIVE and not r["use"] for r in rows)
    out = _prf(tp, fp, fn)
    out["rows"] = len(rows)
    out["denials_read_as_use"] = sum(r["label"] in NEVER_USE and r["use"] for r in rows)
    return out


def _per_service(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["service"]].append(r)
    return {s: score(rs) for s, rs in sorted(by.items())}


def judge(
    rows: Sequence[Row],
    root: Path,
    analyze: Callable[[Path], AnalyzedVersion],
) -> list[dict[str, Any]]:
    """Analyze each source document once and judge every row located in it."""
    by_file: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_file[r.file].append(r)
    out: list[dict[str, Any]] = []
    for file, rs in sorted(by_file.items()):
        path = root / file
        if not path.exists():
            for r in rs:
                out.append(_row(r, None, [], f"source file not found: {file}"))
            continue
        v = analyze(path)
        for r in rs:
            ids = locate(v, r.text)
            if not ids:
                out.append(_row(r, False, [], "not located in its source document"))
                continue
            uses = uses_in(v, ids, r.text)
            out.append(_row(r, bool(uses), uses, None))
    return out


def _row(r: Row, use: bool | None, uses: list[Annotation], problem: str | None) -> dict[str, Any]:
    return {
        "id": r.id,
        "service": r.service,
        "label": r.label,
        "hard": r.hard,
        "language": r.language,
        "use": bool(use),
        "located": problem is None,
        "problem": problem,
        "decided_by": sorted({a.explanation.source for a in uses}),
        "model_score": max(
            (float(q) for a in uses for q in a.qualifier("model_score")), default=None
        ),
        "text": r.text[:300],
    }


def summarize(judged: list[dict[str, Any]]) -> dict[str, Any]:
    located = [r for r in judged if r["located"]]
    clear = [r for r in located if not r["hard"]]
    hard = [r for r in located if r["hard"]]
    s = score(clear)
    return {
        "precision": s["precision"],
        "recall": s["recall"],
        "f1": s["f1"],
        "non_hard": s,
        "hard": score(hard),
        "all": score(located),
        "per_service_non_hard": _per_service(clear),
        "labels": dict(Counter(r["label"] for r in judged)),
        "not_located": sum(not r["located"] for r in judged),
    }


def evaluate_ai_clauses(
    path: str | Path,
    *,
    loso: bool = False,
    corpora: str | Path | None = None,
    files: Sequence[str] = ("clauses.jsonl",),
) -> dict[str, Any]:
    """Evaluate the tool on an ``ai_clauses`` folder (see the module docstring).

    ``files`` names the row files to score (``clauses_de.jsonl`` ... for a language); the
    result has one block per file. ``corpora`` is the root the rows' ``file`` paths are
    relative to (default: the folder above ``path``).
    """
    from ..engine import PolicyAnalyzer

    folder = Path(path)
    root = Path(corpora) if corpora is not None else folder.parent
    result: dict[str, Any] = {"task": "ai-clauses", "path": str(folder), "loso": loso}
    for name in files:
        rows = read_rows(folder / name)
        engine = PolicyAnalyzer()
        judged = judge(rows, root, lambda p, e=engine: e.analyze(p))
        block = {"file": name, **summarize(judged), "rows": judged}
        if loso:
            block["leave_one_service_out"] = _loso(rows, root, folder)
        result[name] = block
    first = result[files[0]]
    head = first.get("leave_one_service_out", first)
    result.update({k: head[k] for k in ("precision", "recall", "f1")})
    return result


def _loso(rows: Sequence[Row], root: Path, folder: Path) -> dict[str, Any]:
    """Retrain the AI-training model without each service and judge that service's rows."""
    from ..classify.ai_model import fit_for, load_rows
    from ..engine import PolicyAnalyzer
    from ..recognizers.ai_training import AITrainingRecognizer
    from ..recognizers.base import RecognizerRegistry

    train_rows = load_rows(folder.parent)
    judged: list[dict[str, Any]] = []
    for service in sorted({r.service for r in rows}):
        model = fit_for([r for r in train_rows if r.service != service])
        registry = RecognizerRegistry.default()
        registry.replace(AITrainingRecognizer.name, AITrainingRecognizer(model=model))
        engine = PolicyAnalyzer(registry=registry)
        held = [r for r in rows if r.service == service]
        judged += judge(held, root, lambda p, e=engine: e.analyze(p))
    return {**summarize(judged), "rows": judged}


def format_text(result: dict[str, Any]) -> str:
    """Plain-text summary: scores per file, per service, and the misses."""

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    lines: list[str] = []
    for key, block in result.items():
        if not isinstance(block, dict) or "non_hard" not in block:
            continue
        parts = [("as shipped (models/)", block)]
        if "leave_one_service_out" in block:
            parts.append(("leave one service out", block["leave_one_service_out"]))
        for title, b in parts:
            s, h = b["non_hard"], b["hard"]
            lines.append(
                f"{key} [{title}] trains non-hard: P={fmt(s['precision'])} R={fmt(s['recall'])} "
                f"F1={fmt(s['f1'])} (tp={s['tp']} fp={s['fp']} fn={s['fn']}, {s['rows']} rows); "
                f"hard: P={fmt(h['precision'])} R={fmt(h['recall'])} ({h['rows']} rows); "
                f"not_trains/deferred read as use: {b['all']['denials_read_as_use']}; "
                f"not located: {b['not_located']}"
            )
            for svc, ss in b["per_service_non_hard"].items():
                lines.append(
                    f"    {svc:<32} R={fmt(ss['recall'])} P={fmt(ss['precision'])} "
                    f"(tp={ss['tp']} fp={ss['fp']} fn={ss['fn']})"
                )
    return "\n".join(lines)


def errors(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows a block got wrong (for reading)."""
    return [r for r in block["rows"] if r["located"] and (r["use"] != (r["label"] == POSITIVE))]


__all__ = ["evaluate_ai_clauses", "format_text", "errors"]

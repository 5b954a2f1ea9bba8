"""``policydiff evaluate TASK DATA``: score the trained models on labelled data in the
shared-corpora formats (files the models have never seen, e.g. the held-out parts).

Every function returns one JSON-ready dict with at least ``macro_f1`` and ``micro_f1`` (or
the task's equivalents), per-class figures and counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, UsageError
from .metrics import binary_report, correlation, multilabel_report
from .store import default_models_dir, load_model

TASKS: tuple[str, ...] = ("opp115", "goppc", "vagueness", "ai-pairs")


def _model(name: str, models_dir: str | Path | None):  # type: ignore[no-untyped-def]
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    return load_model(d / f"{name}.skops", name)


def evaluate_opp115(path: str | Path, models_dir: str | Path | None = None) -> dict[str, Any]:
    """Evaluate the category model on a JSONL of ``{"text", "labels"}``.

    Labels outside the 12 classes are counted under ``unknown_labels`` and ignored.
    """
    from corpora.opp115 import read_jsonl

    model = _model("opp115", models_dir)
    segs = read_jsonl(path)
    known = set(model.labels)
    unknown = Counter(lab for s in segs for lab in s.labels if lab not in known)
    gold = np.array([[lab in s.labels for lab in model.labels] for s in segs], dtype=bool)
    pred = model.predict([s.text for s in segs])
    rep = multilabel_report(gold, pred, model.labels)
    return {
        "task": "opp115",
        "data": str(path),
        "model": _provenance(model),
        **rep,
        "unknown_labels": dict(unknown),
    }


def evaluate_goppc(folder: str | Path, models_dir: str | Path | None = None) -> dict[str, Any]:
    """Evaluate the GDPR-concept model on every policy of a GoPPC folder.

    ``legal_basis_macro_f1`` averages the six Art. 6(1) bases present in the data.
    """
    from corpora.goppc import LEGAL_BASIS_CONCEPTS, read_folder

    model = _model("goppc", models_dir)
    policies = read_folder(folder)
    paras = [p for ps in policies.values() for p in ps]
    if not paras:
        raise InputError("no labelled paragraphs", path=str(folder), fix="check the XML files")
    gold = np.array([[c in p.concepts for c in model.labels] for p in paras], dtype=bool)
    pred = model.predict([p.text for p in paras])
    rep = multilabel_report(gold, pred, model.labels)
    bases = [
        rep["per_class"][c]["f1"]
        for c in LEGAL_BASIS_CONCEPTS
        if rep["per_class"][c]["support"] > 0
    ]
    return {
        "task": "goppc",
        "data": str(folder),
        "model": _provenance(model),
        "policies": len(policies),
        **rep,
        "legal_basis_macro_f1": round(float(np.mean(bases)), 4) if bases else None,
    }


def evaluate_vagueness(path: str | Path, models_dir: str | Path | None = None) -> dict[str, Any]:
    """Evaluate the vagueness model on a ``docs.jsonl``: correlation of the regressor with
    the mean annotator score, and F1 of "vague" (mean >= 3) for the classifier and for the
    regressor score >= 3 (which is what the pipeline emits)."""
    from corpora.vagueness import VAGUE_THRESHOLD, read_docs

    model = _model("vagueness", models_dir)
    docs = read_docs(path)
    sents = [s for d in docs for s in d.sentences]
    if not sents:
        raise InputError("no scored sentences", path=str(path), fix="check the file")
    texts = [s.text for s in sents]
    weighted = model.weigh(model.featurize(texts))
    score = model.regress_from(weighted)
    gold_mean = np.array([s.mean for s in sents])
    gold = gold_mean >= VAGUE_THRESHOLD
    clf = binary_report(gold, model.decide(model.proba_from(weighted))[:, 0])
    reg = binary_report(gold, score >= VAGUE_THRESHOLD)
    return {
        "task": "vagueness",
        "data": str(path),
        "model": _provenance(model),
        "documents": len(docs),
        "n": len(sents),
        **correlation(score, gold_mean),
        "f1_vague": clf["f1"],
        "macro_f1": clf["macro_f1"],
        "micro_f1": clf["micro_f1"],
        "classifier": clf,
        "regressor_ge_3": reg,
        "per_class": {
            "vague": {k: clf[k] for k in ("precision", "recall", "f1", "support", "predicted")}
        },
    }


def evaluate_ai_pairs(folder: str | Path, models_dir: str | Path | None = None) -> dict[str, Any]:
    """Delegate to ``analyzer.evaluation.ai_pairs.evaluate_ai_pairs`` (the AI-training
    findings are the pipeline's, not a model of this package)."""
    from ..evaluation.ai_pairs import evaluate_ai_pairs as run

    result = run(Path(folder))
    result.setdefault("task", "ai-pairs")
    result.setdefault("data", str(folder))
    return result


def _provenance(model) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"name": model.name, "trained": model.meta.get("trained", {})}


EVALUATORS: dict[str, Callable[..., dict[str, Any]]] = {
    "opp115": evaluate_opp115,
    "goppc": evaluate_goppc,
    "vagueness": evaluate_vagueness,
    "ai-pairs": evaluate_ai_pairs,
}


def evaluate(task: str, data: str | Path, models_dir: str | Path | None = None) -> dict[str, Any]:
    """Run the evaluation of ``task`` on ``data``."""
    if task not in EVALUATORS:
        raise UsageError(f"unknown task {task!r}", fix=f"choose one of {list(EVALUATORS)}")
    if not Path(data).exists():
        raise InputError("no such file or folder", path=str(data), fix="check the path")
    return EVALUATORS[task](data, models_dir)


def render_text(result: dict[str, Any]) -> str:
    """A short human-readable summary of an evaluation result."""
    if result.get("task") == "ai-pairs":
        from ..evaluation.ai_pairs import format_table

        return format_table(result)
    lines = [f"task: {result.get('task')}   data: {result.get('data')}"]
    for key in (
        "n",
        "policies",
        "documents",
        "macro_f1",
        "micro_f1",
        "legal_basis_macro_f1",
        "pearson",
        "spearman",
        "f1_vague",
    ):
        if key in result and result[key] is not None:
            lines.append(f"{key}: {result[key]}")
    per = result.get("per_class") or {}
    if per:
        lines.append(f"{'label':42} {'P':>6} {'R':>6} {'F1':>6} {'supp':>5} {'pred':>5}")
        for label, r in per.items():
            lines.append(
                f"{label[:42]:42} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
                f"{r['support']:5d} {r['predicted']:5d}"
            )
    if result.get("unknown_labels"):
        lines.append(f"ignored unknown labels: {result['unknown_labels']}")
    return "\n".join(lines)

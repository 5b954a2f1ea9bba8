"""Model cards (``models/<name>.md``), written by ``policydiff train`` from the model's own
metadata so that they stay true."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import TextModel

_TITLES = {
    "opp115": "OPP-115 data-practice categories",
    "goppc": "GDPR concepts (GoPPC-150)",
    "vagueness": "Sentence vagueness (Lebanoff & Liu 2018)",
}


def _table(per: dict[str, dict[str, Any]], thresholds: dict[str, float]) -> list[str]:
    lines = [
        "| label | precision | recall | F1 | support | predicted | threshold |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, r in per.items():
        lines.append(
            f"| {label} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r['support']} | {r['predicted']} | {thresholds.get(label, 0.5):.2f} |"
        )
    return lines


def render_card(model: TextModel) -> str:
    m = model.meta
    rep = m.get("metrics", {})
    tr = m.get("trained", {})
    val = rep.get("validation", {})
    lines = [
        f"# Model card: `{model.name}` — {_TITLES.get(model.name, model.name)}",
        "",
        "Written by `policydiff train`; do not edit by hand.",
        "",
        f"- Files: `models/{model.name}.skops`, the scikit-learn pipeline (skops, loaded with "
        "the reviewed type list in `analyzer/classify/store.py`: `store.load_model`), and "
        f"`models/{model.name}.npz`, the same model as numpy arrays (vocabulary and lookup "
        "tables, idf, coefficients, intercepts, thresholds, label names; loaded with "
        "`allow_pickle=False` and checked against the `.skops` file's SHA-256), which "
        "`policydiff compare`/`analyze` read without importing scikit-learn "
        "(`analyzer/classify/linear.py`)",
        f"- Trained: {tr.get('date', '?')}, code version {tr.get('code_version', '?')}, "
        f"seed {tr.get('seed', '?')}",
        f"- Labels: {', '.join(f'`{x}`' for x in model.labels)}",
        "",
        "## Training data and licence",
        "",
        f"- Licence: {m.get('licence', '?')}",
    ]
    for k, v in m.get("data", {}).items():
        lines.append(f"- {k}: {v}")
    lines += [
        "",
        "## Features and estimator",
        "",
        f"- Features: {m.get('features', '?')}",
        f"- Estimator: {m.get('estimator', '?')}; C = {rep.get('C')} chosen on validation "
        f"from {rep.get('c_grid')} (validation macro-F1 per C)",
        "",
        "## Metrics on validation",
        "",
        f"- Macro-F1 {val.get('macro_f1')} (over labels present in validation), micro-F1 "
        f"{val.get('micro_f1')}, {val.get('n')} examples; thresholds chosen by "
        "cross-validation on the training data.",
    ]
    d = rep.get("validation_default_threshold")
    if d:
        lines.append(
            f"- With threshold 0.5 for every label: macro-F1 {d['macro_f1']}, micro-F1 "
            f"{d['micro_f1']}."
        )
    o = rep.get("validation_thresholds_tuned_on_validation")
    if o:
        lines.append(
            f"- Optimistic (thresholds tuned on validation itself, NOT a fair estimate): "
            f"macro-F1 {o['macro_f1']}, micro-F1 {o['micro_f1']}."
        )
    reg = rep.get("regressor")
    if reg:
        g = reg["vague_if_score_ge_3"]
        c = rep.get("classifier", {})
        lines += [
            f"- Score regressor (ridge, alpha {reg['alpha']}): Pearson {reg['pearson']}, "
            f"Spearman {reg['spearman']} with the mean annotator score.",
            f'- "Vague" (mean score >= 3): classifier F1 {c.get("f1")} (P {c.get("precision")}'
            f", R {c.get('recall')}); regressor score >= 3: F1 {g['f1']} (P {g['precision']}, "
            f"R {g['recall']}).",
        ]
    if "train_seconds" in rep:
        lines.append(f"- Training time: {rep['train_seconds']} s.")
    if val.get("per_class"):
        lines += ["", "### Per label (validation)", ""]
        lines += _table(val["per_class"], rep.get("thresholds", {}))
    lines += [
        "",
        "## Use and limits",
        "",
        "- English text; trained on website privacy policies of the corpus period. Clauses in "
        "other languages get unreliable scores.",
        "- Predictions come with their top contributing n-grams (tf-idf value times "
        "coefficient); they are evidence to read, not a legal conclusion.",
        "",
    ]
    return "\n".join(lines)


def write_card(model: TextModel, path: str | Path) -> Path:
    p = Path(path)
    p.write_text(render_card(model), encoding="utf-8")
    return p

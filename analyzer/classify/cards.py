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
    "ai_training": "AI-training statements",
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
    if model.name == "ai_training":
        return "\n".join(lines + _ai_training_card(model, rep))
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
        "- English only: trained on English website privacy policies of the corpus period. "
        "The engine runs it only on documents found to be in English; German and French "
        "documents get the rule recognizers of their language alone (no labelled German or "
        "French data with these labels was available to train or measure on).",
        "- Predictions come with their top contributing n-grams (tf-idf value times "
        "coefficient); they are evidence to read, not a legal conclusion.",
        "",
    ]
    return "\n".join(lines)


def _ai_training_card(model: TextModel, rep: dict[str, Any]) -> list[str]:
    m = model.meta
    return [
        "",
        "## Features and estimator",
        "",
        f"- Features: {m.get('features', '?')}; {model.features.n_vocabulary} n-grams",
        f"- Estimator: {m.get('estimator', '?')}; C = {rep.get('C')} (grouped-CV F1 per C: "
        f"{rep.get('c_grid_f1_grouped_cv')}), threshold {rep.get('threshold')}",
        "",
        "## Metrics",
        "",
        f"- F1 of `trains` on the gated rows, cross-validation holding whole services out: "
        f"{rep.get('grouped_cv_f1')} ({rep.get('rows')} rows, {rep.get('positives')} trains).",
        "- The model alone over-reads: it is one part of the detector, which also needs the "
        "rules' polarity, modality and data checks (`analyzer/recognizers/ai_training.py`). "
        "The detector as a whole, validated leave one service out (the model retrained "
        "without each service): `policydiff evaluate ai-clauses ../shared/corpora/ai_clauses "
        "--loso`; the README quotes the figures.",
        *([f"- Training time: {rep['train_seconds']} s."] if "train_seconds" in rep else []),
        "",
        "## Use and limits",
        "",
        "- Reads only clauses that pass its gate (AI, model, algorithm or training words, "
        "English, German or French). Its German and French come from faithful translations "
        "of English rows of the same seven services, not from policies written in those "
        "languages.",
        "- A model-decided use is never raised on a negated, deferred or choice-framed "
        "sentence, nor on one that names no data; it is anchored on the clause's first "
        "training or improvement word (a weak one needs an AI or model word in its sentence) "
        "and says that the model decided, with its score.",
        "- Seven services of training data, 40% of rows from Google's generative-AI policy: "
        "expect lower figures on companies whose wording differs.",
        "",
    ]


def write_card(model: TextModel, path: str | Path) -> Path:
    p = Path(path)
    p.write_text(render_card(model), encoding="utf-8")
    return p

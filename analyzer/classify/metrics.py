"""Scores used by training and ``policydiff evaluate`` (plain functions over arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multilabel_report(
    y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]
) -> dict[str, Any]:
    """Macro/micro F1 and per-label precision, recall, F1, support and predicted counts.

    ``macro_f1`` averages over the labels that occur in ``y_true`` (a label that is neither
    present nor predicted has no defined F1); ``macro_f1_all_labels`` counts every label,
    absent ones as 0.
    """
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    per: dict[str, dict[str, float | int]] = {}
    tps = fps = fns = 0
    f1s_present: list[float] = []
    f1s_all: list[float] = []
    for j, label in enumerate(labels):
        t, p = y_true[:, j], y_pred[:, j]
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        tps, fps, fns = tps + tp, fps + fp, fns + fn
        prec, rec, f1 = _prf(tp, fp, fn)
        per[label] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(f1, 4),
            "support": int(t.sum()),
            "predicted": int(p.sum()),
        }
        f1s_all.append(f1)
        if t.any():
            f1s_present.append(f1)
    _, _, micro = _prf(tps, fps, fns)
    return {
        "macro_f1": round(float(np.mean(f1s_present)) if f1s_present else 0.0, 4),
        "micro_f1": round(micro, 4),
        "macro_f1_all_labels": round(float(np.mean(f1s_all)) if f1s_all else 0.0, 4),
        "n": int(y_true.shape[0]),
        "per_class": per,
    }


def best_thresholds(y: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Per-label threshold on ``proba`` maximizing F1 (grid 0.05..0.95; 0.5 if no positives).

    Ties go to the threshold closest to 0.5, so the choice is stable.
    """
    grid = np.round(np.linspace(0.05, 0.95, 91), 2)
    out = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        t = y[:, j].astype(bool)
        if not t.any():
            continue
        best, best_f = 0.5, -1.0
        for g in sorted(grid, key=lambda g: abs(g - 0.5)):
            p = proba[:, j] >= g
            tp = int((t & p).sum())
            f = 2 * tp / (t.sum() + p.sum()) if (t.sum() + p.sum()) else 0.0
            if f > best_f + 1e-12:
                best, best_f = float(g), f
        out[j] = best
    return out


def correlation(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """Pearson and Spearman correlation of two score vectors."""
    from scipy.stats import pearsonr, spearmanr

    if len(pred) < 2 or np.std(pred) == 0 or np.std(gold) == 0:
        return {"pearson": 0.0, "spearman": 0.0}
    return {
        "pearson": round(float(pearsonr(pred, gold)[0]), 4),
        "spearman": round(float(spearmanr(pred, gold)[0]), 4),
    }


def binary_report(gold: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """F1 of the positive class plus two-class macro and micro (= accuracy) F1."""
    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    p1, r1, f1 = _prf(
        int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum())
    )
    _, _, f0 = _prf(
        int((~gold & ~pred).sum()), int((gold & ~pred).sum()), int((~gold & pred).sum())
    )
    return {
        "f1": round(f1, 4),
        "precision": round(p1, 4),
        "recall": round(r1, 4),
        "macro_f1": round((f1 + f0) / 2, 4),
        "micro_f1": round(float((gold == pred).mean()) if len(gold) else 0.0, 4),
        "support": int(gold.sum()),
        "predicted": int(pred.sum()),
        "n": int(len(gold)),
    }

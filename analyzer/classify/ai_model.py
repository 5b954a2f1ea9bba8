"""The AI-training statement model: does a clause state that data is (or may be) used to
train, develop or improve AI / machine-learning models?

It is a :class:`TextModel` like the others (word 1-2 gram counts over its own vocabulary,
sublinear tf-idf, logistic regression, a threshold from cross-validation), trained by
``policydiff train`` on ``ai_clauses/clauses.jsonl`` (label ``trains`` against every other
label). It reads only clauses that pass :func:`gate`, a cheap lexical test for AI, model,
algorithm or training words (the lexicon of ``patterns/ai_training.json``); it is trained on
the rows that pass the same gate, so what it learns matches what it is asked. The rule
recognizer keeps giving spans, polarity, modality and explanations; the model gives reach
over wording the rules do not know (``recognizers/ai_training.py`` combines the two).

Its vocabulary is its own (the training rows' n-grams found at least twice): the shared
vocabulary of the other three models comes from pre-2020 policies and lacks "AI", "LLM" or
"generative".
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from .model import TextModel


NAME = "ai_training"
LABEL = "trains"
#: lexicon roles of ``patterns/ai_training.json`` any one of which opens the gate
GATE_ROLES: tuple[str, ...] = (
    "AI",
    "MODEL",
    "AI_MODEL",
    "TRAINING_NOUN",
    "VERB_STRONG",
    "GENERATIVE",
    "FOREIGN_USE",
    "FOREIGN_AI",
    "FOREIGN_TRAIN",
    "HUMAN_REVIEW",
)
C_GRID: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def gate(doc: Doc) -> bool:
    """The clause speaks of AI, models, algorithms or training at all."""
    from ..recognizers.common import doc_lex

    lex = doc_lex(doc)
    return any(lex.get(role) for role in GATE_ROLES)


def gated_texts(texts: Sequence[str]) -> list[bool]:
    """:func:`gate` of each text (parsed with the shared English pipeline)."""
    from ..recognizers.common import en_doc

    return [gate(en_doc(None, t)) for t in texts]


def clean(text: str) -> str:
    """Training text of a row: Markdown links reduced to their text."""
    return _MD_LINK.sub(r"\1", text)


def fit(
    texts: Sequence[str],
    y: Sequence[int],
    groups: Sequence[str],
    meta: dict[str, Any] | None = None,
) -> tuple[TextModel, dict[str, Any]]:
    """Fit the model on gated rows: C and the threshold by cross-validation grouped by
    service (each fold holds whole services out), then a final fit on every row."""
    from .features import PolicyFeatures
    from .metrics import binary_report
    from .model import TextModel
    from .train import MIN_DF, NGRAMS, _quiet_fit, _sparsify, best_thresholds, make_pipeline
    from .train import oof_proba as _oof

    texts = [clean(t) for t in texts]
    Y = np.asarray(y, dtype=int).reshape(-1, 1)  # noqa: N806
    features = PolicyFeatures.fit(texts, lexicon=(), ngram_range=NGRAMS, min_df=MIN_DF)
    raw = features.transform(texts)
    best: tuple[float, float, float] | None = None
    grid: dict[str, float] = {}
    for C in C_GRID:  # noqa: N806
        proba = _oof(features, C, raw, Y, list(groups))
        th = float(best_thresholds(Y, proba)[0])
        f1 = binary_report(Y[:, 0], proba[:, 0] >= th)["f1"] or 0.0
        grid[str(C)] = round(f1, 4)
        if best is None or f1 > best[0]:
            best = (f1, C, th)
    assert best is not None
    f1, C, th = best  # noqa: N806
    pipe = _quiet_fit(make_pipeline(C), raw, Y)
    _sparsify(pipe)
    report = {
        "C": C,
        "c_grid_f1_grouped_cv": grid,
        "threshold": th,
        "grouped_cv_f1": round(f1, 4),
        "rows": len(texts),
        "positives": int(Y.sum()),
        "groups": sorted(set(groups)),
    }
    model = TextModel(NAME, (LABEL,), features, pipe, (th,))
    model = dataclasses.replace(model, meta={**(meta or {}), "metrics": report})
    return model, report


@dataclasses.dataclass(frozen=True)
class Rows:
    """Gated training rows of ``ai_clauses``."""

    texts: list[str]
    y: list[int]
    groups: list[str]
    skipped: int


def training_rows(rows: Sequence[Any]) -> Rows:
    """The rows (``evaluation.ai_clauses.Row``) that pass the gate, with their labels."""
    ok = gated_texts([clean(r.text) for r in rows])
    kept = [r for r, g in zip(rows, ok, strict=True) if g]
    return Rows(
        texts=[r.text for r in kept],
        y=[int(r.label == LABEL) for r in kept],
        groups=[r.service for r in kept],
        skipped=len(rows) - len(kept),
    )


def fit_for(rows: Sequence[Any], meta: dict[str, Any] | None = None) -> TextModel:
    """The model trained on ``rows`` (used for leave-one-service-out validation)."""
    data = training_rows(rows)
    model, _ = fit(data.texts, data.y, data.groups, meta)
    return model


#: the row files the model is trained on: the English rows and their faithful German and
#: French translations (``clauses_en.jsonl`` repeats English rows, so it is not read)
ROW_FILES: tuple[str, ...] = ("clauses.jsonl", "clauses_de.jsonl", "clauses_fr.jsonl")


def load_rows(corpora: Path) -> list[Any]:
    """Every training row of ``ai_clauses`` (translations where present)."""
    from ..evaluation.ai_clauses import read_rows

    folder = corpora / "ai_clauses"
    return [r for name in ROW_FILES if (folder / name).exists() for r in read_rows(folder / name)]


def model_input(clause: Any) -> str:
    """What the model reads: the clause with its list lead-in, if any."""
    return f"{clause.context} {clause.text}" if clause.context else clause.text


_CACHE: dict[tuple[str, float], Any] = {}


def cached_model(models_dir: str | Path | None = None) -> Any:
    """The model's inference arrays (``models/ai_training.npz``, checked against its
    ``.skops`` file: a ``LinearModel``, no scikit-learn) loaded once per process (``None``
    when absent or unusable: the rules then run alone, and a warning says so once)."""
    import logging

    from .store import default_models_dir, load_arrays

    d = Path(models_dir) if models_dir is not None else default_models_dir()
    path = d / f"{NAME}.skops"
    stamp = path.stat().st_mtime if path.exists() else -1.0
    key = (str(path.resolve()), stamp)
    if key not in _CACHE:
        _CACHE.clear()
        if stamp < 0:
            logging.getLogger(__name__).warning(
                "%s not found: AI-training statements are read by the rules alone "
                "(run `policydiff train --task ai_training`)",
                path,
            )
            _CACHE[key] = None
        else:
            from ..errors import ModelError

            try:
                _CACHE[key] = load_arrays(path, NAME)  # numpy only: no scikit-learn
            except ModelError as exc:  # the rules still run: say so, once
                logging.getLogger(__name__).warning(
                    "AI-training model not used, the rules run alone: %s", exc
                )
                _CACHE[key] = None
    return _CACHE[key]

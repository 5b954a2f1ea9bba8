"""Training of every model from the shared corpora layout (``policydiff train``).

Deterministic: fixed seeds, fixed splits (by policy for GoPPC, by document for vagueness),
single-threaded liblinear, so two runs give the same models and metrics.

* ``opp115``: OPP-115 data-practice categories (12 labels), trained on ``train.jsonl``; the
  regularization strength is chosen on ``validation.jsonl``; per-label thresholds are chosen
  by 5-fold cross-validation on the training data (so validation figures stay honest; the
  figures with thresholds tuned on validation itself are reported apart as optimistic).
* ``goppc``: GDPR concepts (the six Art. 6(1) legal bases, any legal basis, purpose,
  sharing, data-subject rights, right to object, withdrawal of consent) on GoPPC-150,
  80/20 split of the policies; thresholds by grouped cross-validation on the training
  policies.
* ``vagueness``: "vague" (mean annotator score >= 3) classifier and a ridge regressor of the
  mean score, on Lebanoff & Liu's sentences, 80/20 split of the documents.

All three share the same :class:`PolicyFeatures`: counts of word 1-2 grams over one
vocabulary (every n-gram in at least ``MIN_DF`` training texts of the three tasks, chosen by
a stock ``CountVectorizer``) plus counts of the Reidenberg vague-term lexicon, each model with
its own tf-idf weights.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold, KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from .. import __version__
from ..errors import InputError
from .features import PolicyFeatures
from .metrics import best_thresholds, binary_report, correlation, multilabel_report
from .model import TextModel
from .store import save_model

log = logging.getLogger(__name__)

SEED = 0
NGRAMS = (1, 2)
MIN_DF = 2  # an n-gram of the vocabulary occurs in at least this many training texts
C_GRID: tuple[float, ...] = (1.0, 4.0, 16.0, 64.0)
ALPHA_GRID: tuple[float, ...] = (1.0, 3.0, 10.0)
VAL_FRACTION = 0.2

LICENCES = {
    "opp115": "OPP-115 (Wilson et al., ACL 2016), usableprivacy.org: research and teaching "
    "use only (non-commercial).",
    "goppc": "GoPPC-150 (Tang et al.), github.com/tp-sh/GDPR_privacy_policies: no licence "
    "file; research data.",
    "vagueness": "Lebanoff & Liu (EMNLP 2018), github.com/ucfnlp/vagueness: no licence file; "
    "research data. Vague-term list of Reidenberg et al. (2016) from the same corpus.",
    "ai_training": "ai_clauses (sentences of Open Terms Archive and PGA version histories, "
    "ODC-BY 1.0; labels made for policydiff).",
}


# -- helpers ----------------------------------------------------------------------------------
def default_corpora() -> Path:
    """``$POLICYDIFF_CORPORA``, else ``../shared/corpora`` relative to the repository (for a
    git worktree in ``wt/<name>``, also ``../../shared/corpora``)."""
    env = os.environ.get("POLICYDIFF_CORPORA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[2]
    for base in (repo.parent, repo.parent.parent):  # a checkout, or a worktree under wt/
        if (base / "shared" / "corpora").is_dir():
            return base / "shared" / "corpora"
    return repo.parent / "shared" / "corpora"


def code_version() -> str:
    """``analyzer.__version__`` plus the git commit of the code (``+dirty`` if modified)."""
    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str:
        run = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        )
        return run.stdout.strip()

    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--", "analyzer", "corpora", "cli.py")
    except (OSError, subprocess.SubprocessError):
        return f"{__version__} (git commit unknown)"
    return f"{__version__} (git {commit}{'+dirty' if dirty else ''})"


def make_features(texts: Sequence[str], lexicon: Sequence[str]) -> PolicyFeatures:
    """The shared feature space: the vocabulary of ``texts`` (the training texts)."""
    return PolicyFeatures.fit(texts, lexicon=tuple(lexicon), ngram_range=NGRAMS, min_df=MIN_DF)


def make_pipeline(C: float) -> Pipeline:  # noqa: N803
    lr = LogisticRegression(
        C=C,
        class_weight="balanced",
        solver="liblinear",
        dual=True,
        max_iter=1000,
        random_state=SEED,
    )
    return Pipeline(
        [
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ("clf", OneVsRestClassifier(lr)),
        ]
    )


def _sparsify(pipe: Pipeline) -> None:
    """Store coefficients sparsely: small files, fast loading, same predictions."""
    for est in pipe.named_steps["clf"].estimators_:
        if hasattr(est, "sparsify"):
            est.sparsify()


def _quiet_fit(pipe: Pipeline, X: Any, Y: np.ndarray) -> Pipeline:  # noqa: N803
    """Fit, silencing scikit-learn's note that a label is absent from a (small) fold."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label not .* is present", category=UserWarning)
        return pipe.fit(X, Y)


def oof_proba(
    features: PolicyFeatures,
    C: float,
    raw: Any,
    Y: np.ndarray,
    groups: Sequence[str] | None,  # noqa: N803
) -> np.ndarray:
    """Out-of-fold probabilities on the training data (5 folds; grouped when ``groups``)."""
    n = Y.shape[0]
    k = min(5, n if groups is None else len(set(groups)))
    if k < 2:
        return np.full(Y.shape, 0.5)
    splits = (
        GroupKFold(n_splits=k).split(np.zeros(n), groups=list(groups))
        if groups is not None
        else KFold(n_splits=k, shuffle=True, random_state=SEED).split(np.zeros(n))
    )
    out = np.zeros(Y.shape, dtype=float)
    for tr, te in splits:
        pipe = _quiet_fit(make_pipeline(C), raw[tr], Y[tr])
        model = TextModel(
            "fold", tuple(str(i) for i in range(Y.shape[1])), features, pipe, (0.5,) * Y.shape[1]
        )
        out[te] = model.proba_from(pipe.named_steps["tfidf"].transform(raw[te]))
    return out


@dataclass
class Fitted:
    model: TextModel
    report: dict[str, Any]


def fit_multilabel(
    name: str,
    labels: Sequence[str],
    train_texts: Sequence[str],
    Y: np.ndarray,  # noqa: N803
    features: PolicyFeatures,
    *,
    groups: Sequence[str] | None = None,
    val_texts: Sequence[str] | None = None,
    Yv: np.ndarray | None = None,  # noqa: N803
    c_grid: Sequence[float] = C_GRID,
    meta: dict[str, Any] | None = None,
) -> Fitted:
    """Fit one multi-label model: C on validation, thresholds by cross-validation on train."""
    raw = features.transform(train_texts)
    raw_val = features.transform(val_texts) if val_texts is not None else None
    candidates: list[tuple[float, float, TextModel, dict[str, Any]]] = []
    for C in c_grid:  # noqa: N806
        th = best_thresholds(Y, oof_proba(features, C, raw, Y, groups))
        pipe = _quiet_fit(make_pipeline(C), raw, Y)
        _sparsify(pipe)
        model = TextModel(name, tuple(labels), features, pipe, tuple(float(t) for t in th))
        rep: dict[str, Any] = {"C": C}
        score = 0.0
        if raw_val is not None and Yv is not None:
            proba = model.proba_from(model.weigh(raw_val))
            rep["validation"] = multilabel_report(Yv, model.decide(proba), labels)
            rep["validation_default_threshold"] = {
                k: v
                for k, v in multilabel_report(Yv, proba >= 0.5, labels).items()
                if k != "per_class"
            }
            rep["validation_thresholds_tuned_on_validation"] = {
                k: v
                for k, v in multilabel_report(
                    Yv, proba >= best_thresholds(Yv, proba)[None, :], labels
                ).items()
                if k != "per_class"
            }
            score = rep["validation"]["macro_f1"]
        candidates.append((score, -C, model, rep))
    score, _, model, rep = max(candidates, key=lambda c: (c[0], c[1]))
    rep["c_grid"] = {str(c[-1]["C"]): c[0] for c in candidates}
    rep["thresholds"] = dict(zip(labels, model.thresholds, strict=True))
    final = dataclasses.replace(model, meta={**(meta or {}), "metrics": rep})
    return Fitted(final, rep)


def split_by_group(groups: Sequence[str], fraction: float = VAL_FRACTION) -> set[str]:
    """A seeded choice of validation groups (policies or documents)."""
    uniq = sorted(set(groups), key=lambda g: (len(g), g))
    rng = np.random.RandomState(SEED)
    order = rng.permutation(len(uniq))
    n_val = max(1, round(len(uniq) * fraction)) if len(uniq) > 1 else 0
    return {uniq[i] for i in order[:n_val]}


def _onehot(rows: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    return np.array([[lab in r for lab in labels] for r in rows], dtype=int).reshape(
        len(rows), len(labels)
    )


# -- the three tasks -----------------------------------------------------------------------
@dataclass
class TaskData:
    """One task's training and validation data, read from the corpora."""

    labels: tuple[str, ...]
    train_texts: list[str]
    Y: np.ndarray
    val_texts: list[str]
    Yv: np.ndarray
    groups: list[str] | None
    data: dict[str, str]
    extra: dict[str, Any]


def load_opp115(corpora: Path) -> TaskData:
    from corpora.opp115 import LABELS, read_jsonl

    tr = read_jsonl(corpora / "opp115" / "train.jsonl")
    va = read_jsonl(corpora / "opp115" / "validation.jsonl")
    return TaskData(
        labels=tuple(LABELS),
        train_texts=[s.text for s in tr],
        Y=_onehot([s.labels for s in tr], LABELS),
        val_texts=[s.text for s in va],
        Yv=_onehot([s.labels for s in va], LABELS),
        groups=None,
        data={
            "train": f"opp115/train.jsonl ({len(tr)} segments)",
            "validation": f"opp115/validation.jsonl ({len(va)} segments)",
        },
        extra={},
    )


def load_goppc(corpora: Path) -> TaskData:
    from corpora.goppc import CONCEPTS, read_folder

    labels = tuple(CONCEPTS)
    policies = read_folder(corpora / "goppc150")
    val = split_by_group(list(policies))
    paras = [p for name in sorted(policies, key=lambda x: (len(x), x)) for p in policies[name]]
    tr = [p for p in paras if p.policy not in val]
    va = [p for p in paras if p.policy in val]
    return TaskData(
        labels=labels,
        train_texts=[p.text for p in tr],
        Y=_onehot([p.concepts for p in tr], labels),
        val_texts=[p.text for p in va],
        Yv=_onehot([p.concepts for p in va], labels),
        groups=[p.policy for p in tr],
        data={
            "train": f"goppc150: {len(policies) - len(val)} policies, {len(tr)} paragraphs",
            "validation": f"goppc150: {len(val)} policies, {len(va)} paragraphs: "
            + ", ".join(sorted(val, key=lambda x: (len(x), x))),
            "split": f"by policy, seed {SEED}, {VAL_FRACTION:.0%} of policies for validation",
        },
        extra={},
    )


def load_vagueness(corpora: Path) -> TaskData:
    from corpora.vagueness import read_docs

    docs = read_docs(corpora / "vagueness" / "docs.jsonl")
    val = split_by_group([d.id for d in docs])
    tr = [s for d in docs if d.id not in val for s in d.sentences]
    va = [s for d in docs if d.id in val for s in d.sentences]
    return TaskData(
        labels=("vague",),
        train_texts=[s.text for s in tr],
        Y=np.array([[s.vague] for s in tr], dtype=int).reshape(len(tr), 1),
        val_texts=[s.text for s in va],
        Yv=np.array([[s.vague] for s in va], dtype=int).reshape(len(va), 1),
        groups=[s.doc_id for s in tr],
        data={
            "train": f"vagueness: {len(docs) - len(val)} documents, {len(tr)} sentences",
            "validation": f"vagueness: {len(val)} documents, {len(va)} sentences",
            "split": f"by document, seed {SEED}, {VAL_FRACTION:.0%} of documents for validation",
        },
        extra={
            "gold_train": np.array([s.mean for s in tr]),
            "gold_val": np.array([s.mean for s in va]),
        },
    )


def fit_task(name: str, task: TaskData, features: PolicyFeatures, meta: dict[str, Any]) -> Fitted:
    """:func:`fit_multilabel` on one task's data."""
    return fit_multilabel(
        name,
        task.labels,
        task.train_texts,
        task.Y,
        features,
        groups=task.groups,
        val_texts=task.val_texts,
        Yv=task.Yv,
        meta={**meta, "data": task.data},
    )


def fit_vagueness(
    name: str, task: TaskData, features: PolicyFeatures, meta: dict[str, Any]
) -> Fitted:
    """The "vague" classifier plus a ridge regressor of the mean annotator score (alpha
    chosen on validation), on the classifier's tf-idf features."""
    fitted = fit_task(name, task, features, meta)
    model = fitted.model
    gold_tr, gold_va = task.extra["gold_train"], task.extra["gold_val"]
    w_tr = model.weigh(features.transform(task.train_texts))
    w_va = model.weigh(features.transform(task.val_texts))
    best: tuple[float, float, Ridge] | None = None
    grid: dict[str, float] = {}
    for alpha in ALPHA_GRID:
        reg = Ridge(alpha=alpha, random_state=SEED).fit(w_tr, gold_tr)
        r = correlation(np.clip(reg.predict(w_va), 1, 5), gold_va)["pearson"]
        grid[str(alpha)] = r
        if best is None or r > best[0]:
            best = (r, alpha, reg)
    assert best is not None
    reg = best[2]
    pred = np.clip(reg.predict(w_va), 1, 5)
    rep = fitted.report
    rep["regressor"] = {
        "alpha": best[1],
        "alpha_grid_pearson": grid,
        **correlation(pred, gold_va),
        "vague_if_score_ge_3": binary_report(gold_va >= 3, pred >= 3),
    }
    rep["classifier"] = binary_report(task.Yv[:, 0], model.predict(task.val_texts)[:, 0])
    final = dataclasses.replace(model, regressor=reg, meta={**model.meta, "metrics": rep})
    return Fitted(final, rep)


def load_ai_training(corpora: Path) -> TaskData:
    """``ai_clauses/clauses.jsonl``: the rows that pass the AI-training model's gate,
    ``trains`` against every other label; grouped by service (no validation split: C and the
    threshold come from cross-validation that holds whole services out)."""
    from . import ai_model

    rows = ai_model.load_rows(corpora)
    data = ai_model.training_rows(rows)
    return TaskData(
        labels=(ai_model.LABEL,),
        train_texts=data.texts,
        Y=np.array(data.y, dtype=int).reshape(-1, 1),
        val_texts=[],
        Yv=np.zeros((0, 1), dtype=int),
        groups=data.groups,
        data={
            "train": f"ai_clauses/clauses.jsonl, clauses_de.jsonl, clauses_fr.jsonl (German and "
            f"French translations of 251 rows): {len(data.texts)} of {len(rows)} rows pass the "
            f"gate (AI, model, algorithm or training words), {sum(data.y)} labelled trains; "
            f"{len(set(data.groups))} services",
            "validation": "cross-validation holding whole services out (GroupKFold by service)",
        },
        extra={},
    )


def fit_ai_training(
    name: str, task: TaskData, features: PolicyFeatures, meta: dict[str, Any]
) -> Fitted:
    """The AI-training statement model on its own vocabulary (``features`` is not used: the
    shared vocabulary lacks the words of AI policies, see ``ai_model``)."""
    from . import ai_model

    model, report = ai_model.fit(
        task.train_texts,
        task.Y[:, 0].tolist(),
        task.groups or [],
        {
            **meta,
            "data": task.data,
            "features": f"counts of lower-cased word {NGRAMS[0]}-{NGRAMS[1]} grams over its own "
            f"vocabulary (n-grams in at least {MIN_DF} training rows); sublinear tf-idf",
            "estimator": "logistic regression (liblinear, class_weight=balanced); C and the "
            "threshold by cross-validation grouped by service",
        },
    )
    return Fitted(model, report)


#: name -> (reads the task's data, fits its model)
TASKS: dict[str, tuple[Callable[[Path], TaskData], Callable[..., Fitted]]] = {
    "opp115": (load_opp115, fit_task),
    "goppc": (load_goppc, fit_task),
    "vagueness": (load_vagueness, fit_vagueness),
    "ai_training": (load_ai_training, fit_ai_training),
}
#: the tasks whose training texts make the shared vocabulary (the AI-training model has its own)
SHARED_VOCABULARY: tuple[str, ...] = ("opp115", "goppc", "vagueness")


def train_all(
    corpora: str | Path | None = None,
    output: str | Path | None = None,
    tasks: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Retrain every model from the shared corpora, write ``<name>.skops`` (with its
    ``<name>.npz`` inference arrays, by :func:`save_model`) and ``<name>.md``.

    Returns:
        ``{model name: metrics report}``.

    Raises:
        InputError: the corpora folder or one of its files is missing.
    """
    from .cards import write_card
    from .store import default_models_dir

    root = Path(corpora) if corpora is not None else default_corpora()
    if not root.is_dir():
        raise InputError(
            "corpora folder not found",
            path=str(root),
            fix="pass --corpora PATH or set POLICYDIFF_CORPORA to the shared corpora folder",
        )
    out = Path(output) if output is not None else default_models_dir()
    from corpora.vagueness import read_terms

    lexicon = read_terms(root / "vagueness" / "vague_terms")
    # every task's data is read, whichever are trained: the shared vocabulary comes from the
    # training texts of all of them (never their validation texts), so that a model trained
    # alone shares its feature space with the others
    # the AI-training task is left out of a default run on corpora without ai_clauses
    names = (
        list(tasks)
        if tasks
        else [n for n in TASKS if n in SHARED_VOCABULARY or (root / "ai_clauses").is_dir()]
    )
    data = {
        name: load(root)
        for name, (load, _) in TASKS.items()
        if name in SHARED_VOCABULARY or name in names
    }
    features = make_features(
        [t for name in SHARED_VOCABULARY for t in data[name].train_texts], lexicon
    )
    meta = {
        "trained": {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "code_version": code_version(),
            "seed": SEED,
        },
        "features": (
            f"counts of lower-cased word {NGRAMS[0]}-{NGRAMS[1]} grams over a vocabulary of "
            f"{features.n_vocabulary} n-grams (every n-gram found in at least {MIN_DF} "
            "training texts of the three models, chosen by scikit-learn's CountVectorizer) "
            f"plus counts of the {len(features.lexicon)} Reidenberg et al. vague terms; "
            "sublinear tf-idf (TfidfTransformer) fitted on this model's training data"
        ),
        "estimator": "one-vs-rest logistic regression (liblinear, class_weight=balanced), "
        "per-label thresholds from cross-validation on the training data",
    }
    reports: dict[str, dict[str, Any]] = {}
    for name in names:
        t0 = time.perf_counter()
        if progress:
            progress(f"training {name}")
        fit = TASKS[name][1]
        fitted = fit(name, data[name], features, {**meta, "licence": LICENCES[name]})
        fitted.report["train_seconds"] = round(time.perf_counter() - t0, 1)
        save_model(fitted.model, out / f"{name}.skops")
        write_card(fitted.model, out / f"{name}.md")
        reports[name] = fitted.report
        log.info("trained %s in %.1fs", name, fitted.report["train_seconds"])
    return reports

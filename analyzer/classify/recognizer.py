"""The trained models as a recognizer (``policydiff.models.v1``).

:class:`ModelRecognizer` loads the models of ``models/`` once (cached per process) and
annotates every clause in one batch: the shared features are computed once and fed to every
model. What it emits:

* ``category/<OPP-115 class>`` from the ``opp115`` model;
* ``legal_basis/<basis>`` for the six Art. 6(1) bases, ``recipient/shared`` (data is shared,
  recipient not named by the model), ``choice/opt_out`` (right to object, Art. 21) and
  ``choice/withdraw`` (withdrawal of consent) from the ``goppc`` model;
* nothing for clauses whose spaCy ``Doc`` is not English (the models are English-only);
* ``vague/vague_sentence`` when the vagueness regressor scores the clause >= 3 on the
  annotators' 1-5 scale (``score`` holds that value rescaled to 0-1, the raw score is the
  ``vagueness_score`` qualifier).

Each annotation spans the whole clause and carries an ``Explanation(source="model")`` with
the model name, the probability and threshold, and the n-grams that weighed most.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import taxonomy as tx
from ..datamodel import Annotation, Clause, Explanation, Span
from ..recognizers.base import Recognizer, register
from .features import Rows
from .linear import LinearModel, sublinear_tf
from .store import SEPARATE_MODELS, arrays_path, default_models_dir, load_arrays, model_names

if TYPE_CHECKING:
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

NAME = "policydiff.models.v1"
VAGUE_MIN_SCORE = 3.0

#: (model name, model label) -> (annotation kind, annotation label)
EMITS: dict[tuple[str, str], tuple[str, str]] = {
    **{("opp115", c): (tx.CATEGORY, c) for c in tx.CATEGORIES},
    **{("goppc", b): (tx.LEGAL_BASIS, b) for b in tx.LEGAL_BASES},
    ("goppc", "sharing"): (tx.RECIPIENT, "shared"),
    ("goppc", "right_to_object"): (tx.CHOICE, "opt_out"),
    ("goppc", "withdraw_consent"): (tx.CHOICE, "withdraw"),
}

#: every (kind, label) this recognizer can emit: used by ``combine`` to tell "the model
#: did not flag this" from "no model covers this label".
COVERED: frozenset[tuple[str, str]] = frozenset({*EMITS.values(), (tx.VAGUE, "vague_sentence")})

_DESCRIBE = {
    "opp115": "OPP-115 category classifier",
    "goppc": "GDPR concept classifier (GoPPC-150)",
    "vagueness": "vagueness regressor (Lebanoff & Liu 2018)",
}

_CACHE: dict[tuple[str, tuple[float, ...]], dict[str, LinearModel]] = {}


def cached_models(models_dir: str | Path | None = None) -> dict[str, LinearModel]:
    """Load the models (their inference arrays) once per process (reloaded if a file
    changes)."""
    d = Path(models_dir) if models_dir is not None else default_models_dir()
    names = [n for n in model_names(d) if n not in SEPARATE_MODELS]
    files = [p for n in names for p in (d / f"{n}.skops", arrays_path(d / f"{n}.skops"))]
    stamp = tuple(p.stat().st_mtime if p.exists() else -1.0 for p in files)
    key = (str(d.resolve()), stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = {n: load_arrays(d / f"{n}.skops", n) for n in names}
    return _CACHE[key]


_MEMO = "policydiff_models"  # Doc.user_data key of the model results of that Doc's text


def _with_clause_id(a: Annotation, clause_id: str) -> Annotation:
    return replace(a, clause_id=clause_id)  # rare: a repeated text whose id has a suffix


def clause_input(clause: Clause) -> str:
    """What the models read: the clause with its lead-in context, if any."""
    return f"{clause.context} {clause.text}" if clause.context else clause.text


@register(NAME)
class ModelRecognizer(Recognizer):
    """Trained classifiers over every clause (see the module docstring).

    Args:
        models_dir: folder of the model files (default ``models/``): ``opp115``, ``goppc``,
            ``vagueness`` and any other model ``policydiff train`` wrote there, each a
            ``.skops`` file and the ``.npz`` inference arrays read here.
        models: already loaded models (for tests); overrides ``models_dir``.
        top_k: number of top terms per explanation.

    Raises:
        ModelError: a model file is missing, tampered with or of the wrong schema.
    """

    per_clause = True
    kinds = (tx.CATEGORY, tx.LEGAL_BASIS, tx.RECIPIENT, tx.CHOICE, tx.VAGUE)
    languages = ("en",)  # trained on English text only (see the model cards)

    def __init__(
        self,
        models_dir: str | Path | None = None,
        models: dict[str, LinearModel] | None = None,
        top_k: int = 5,
    ):
        self.models = models if models is not None else cached_models(models_dir)
        self.top_k = top_k
        self._token = object()  # identifies this recognizer's results in Doc.user_data

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc] = ()) -> list[Annotation]:
        """Annotate ``clauses``. A clause's result depends only on its text and context, so
        it is kept in the ``user_data`` of its Doc: a clause whose Doc already holds it (the
        engine gives every clause of one text the same Doc, e.g. the sentences the two
        versions of a comparison share) is not classified again."""
        return [a for annotations in self.passes(clauses, docs) for a in annotations]

    def passes(self, clauses: Sequence[Clause], docs: Sequence[Doc] = ()) -> list[list[Annotation]]:
        """The annotations of :meth:`analyze`, one list per model, each in clause order."""
        with_docs = bool(docs) and len(docs) == len(clauses)
        if with_docs:
            # the models were trained on English text: clauses parsed as another language
            # (``PolicyAnalyzer(lang="de")``) are left to the rule recognizers
            keep = [i for i, d in enumerate(docs) if getattr(d, "lang_", "en") == "en"]
            if len(keep) < len(clauses):
                return self.passes([clauses[i] for i in keep], [docs[i] for i in keep])
        if not clauses:
            return [[] for _ in self.models]
        results: list[list[list[Annotation]] | None] = [None] * len(clauses)
        todo: list[int] = []
        for i, clause in enumerate(clauses):
            memo = docs[i].user_data.get(_MEMO) if with_docs else None
            hit = memo.get((self._token, clause.context)) if memo else None
            if hit is None:
                todo.append(i)
            else:
                results[i] = hit
        if todo:
            fresh = self._classify([clauses[i] for i in todo])
            for i, res in zip(todo, fresh, strict=True):
                results[i] = res
                if with_docs:
                    docs[i].user_data.setdefault(_MEMO, {})[(self._token, clauses[i].context)] = res
        out: list[list[Annotation]] = []
        for m in range(len(self.models)):  # model by model, clauses in order
            out.append(
                [
                    a if a.clause_id == clause.id else _with_clause_id(a, clause.id)
                    for clause, res in zip(clauses, results, strict=True)
                    for a in res[m]  # type: ignore[index]
                ]
            )
        return out

    def _classify(self, clauses: Sequence[Clause]) -> list[list[list[Annotation]]]:
        """The annotations of each clause, one list per model (in ``self.models`` order)."""
        per: list[list[list[Annotation]]] = [[[] for _ in self.models] for _ in clauses]
        texts = [clause_input(c) for c in clauses]
        raw_by_key: dict[tuple, tuple[Rows, Rows]] = {}
        for m, (mname, model) in enumerate(self.models.items()):
            key = model.features.key()
            if key not in raw_by_key:  # one matrix per feature space (the models share one)
                raw = model.features.counts(texts)
                raw_by_key[key] = (raw, sublinear_tf(raw))
            raw, tf = raw_by_key[key]
            proba, score = model.predict_tf(tf, raw)
            decided = model.decide(proba)
            # (row, label index or -1 for the regressor) of every annotation to emit, by row
            # then label, the regressor last
            n_labels = len(model.labels)
            emits = np.array([(mname, lab) in EMITS for lab in model.labels], dtype=bool)
            pr, pj = np.nonzero(decided & emits[None, :])
            if score is not None:
                vague_rows = np.flatnonzero(score >= VAGUE_MIN_SCORE)
                pr = np.concatenate([pr, vague_rows])
                pj = np.concatenate([pj, np.full(len(vague_rows), n_labels)])
                order = np.lexsort((pj, pr))
                pr, pj = pr[order], pj[order]
            pairs = [
                (i, j if j < n_labels else -1)
                for i, j in zip(pr.tolist(), pj.tolist(), strict=True)
            ]
            if not pairs:
                continue
            # the tf-idf rows of the clauses to explain only (scikit-learn's own step)
            # pr is sorted: its distinct values without np.unique (which imports numpy.ma)
            rows = pr[np.flatnonzero(np.diff(pr, prepend=-1))]
            weighted = model.weigh(raw.take(rows))
            local = np.searchsorted(rows, pr).tolist()
            explain = [(r, j) for r, (_, j) in zip(local, pairs, strict=True)]
            tops = model.name_top_many(weighted, explain, self.top_k)
            for (i, j), top in zip(pairs, tops, strict=True):
                clause = clauses[i]
                if j >= 0:
                    kind, label = EMITS[(mname, model.labels[j])]
                    p, th = float(proba[i, j]), model.thresholds[j]
                    per[i][m].append(
                        self._annotation(
                            clause,
                            kind,
                            label,
                            p,
                            mname,
                            top,
                            f"{_DESCRIBE.get(mname, mname)}: P({model.labels[j]}) = {p:.2f}"
                            f" >= threshold {th:.2f}",
                        )
                    )
                else:
                    s = float(score[i])  # type: ignore[index]
                    per[i][m].append(
                        self._annotation(
                            clause,
                            tx.VAGUE,
                            "vague_sentence",
                            (s - 1.0) / 4.0,
                            mname,
                            top,
                            f"{_DESCRIBE.get(mname, mname)}: predicted vagueness {s:.2f} on "
                            f"the 1-5 scale (>= {VAGUE_MIN_SCORE:g} counts as vague)",
                            qualifiers=(("vagueness_score", f"{s:.2f}"),),
                        )
                    )
        return per

    def _annotation(
        self,
        clause: Clause,
        kind: str,
        label: str,
        score: float,
        model_name: str,
        top_terms: tuple[str, ...],
        detail: str,
        qualifiers: tuple[tuple[str, str], ...] = (),
    ) -> Annotation:
        return Annotation(
            clause_id=clause.id,
            kind=kind,
            label=label,
            span=Span(0, len(clause.text), clause.text),
            score=round(min(max(score, 0.0), 1.0), 4),
            explanation=Explanation(
                recognizer=NAME,
                source="model",
                pattern=model_name,
                detail=detail,
                top_terms=top_terms,
            ),
            qualifiers=qualifiers,
        )

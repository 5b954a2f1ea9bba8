"""Recall of the pipeline's extractors on TILTify and PI-Extract spans.

A gold span counts as recalled when a clause that contains it (or that it covers) gets an
annotation of the matching kind (``data_category``, ``purpose``, ``legal_basis``,
``recipient``) from the recognizers the engine runs (rules, models, combined). Spans are
matched to clauses by their whitespace-normalized text, so the measure does not depend on how
ingest normalizes offsets.

Run it with ``python -m analyzer.classify.recall [CORPORA]``. With the foundation's empty
rule registry only the model kinds can fire, so recall of ``data_category`` and ``purpose``
is 0 until the rule recognizers land; the figure is the point of the exercise, not a bar.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..datamodel import Annotation, Clause
from ..engine import PolicyAnalyzer
from ..segment import normalize

KINDS: tuple[str, ...] = ("data_category", "purpose", "legal_basis", "recipient")
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return normalize(text)


def _clauses_for(span_text: str, clauses: Sequence[Clause], norms: Sequence[str]) -> list[int]:
    s = _norm(span_text)
    if not s:
        return []
    inside = [i for i, n in enumerate(norms) if s in n]
    if inside:
        return inside
    return [i for i, n in enumerate(norms) if n and n in s]  # the span covers whole clauses


def _kinds_by_clause(annotations: Sequence[Annotation]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for a in annotations:
        if not a.negated:
            out[a.clause_id].add(a.kind)
    return out


def _summary(hits: dict[str, list[bool]]) -> dict[str, Any]:
    return {
        k: {"spans": len(v), "recalled": sum(v), "recall": round(sum(v) / len(v), 4) if v else None}
        for k, v in sorted(hits.items())
    }


def tiltify_recall(folder: str | Path, analyzers: dict[str, PolicyAnalyzer] | None = None) -> dict:
    """Recall per language and kind on the TILTify documents of ``folder``."""
    from corpora.tiltify import read_folder

    from ..ingest import from_text

    analyzers = analyzers if analyzers is not None else {}
    hits: dict[str, list[bool]] = defaultdict(list)
    unmatched = 0
    for doc in read_folder(folder):
        lang = doc.language if doc.language in ("en", "de") else "en"
        pa = analyzers.setdefault(lang, PolicyAnalyzer(lang=lang))
        av = pa.analyze(from_text(doc.text, source=doc.name))
        norms = [_norm(c.text) for c in av.clauses]
        kinds = _kinds_by_clause(av.annotations)
        for span in doc.spans:
            if span.kind not in KINDS:
                continue
            idx = _clauses_for(span.text, av.clauses, norms)
            if not idx:
                unmatched += 1
            ok = any(span.kind in kinds.get(av.clauses[i].id, ()) for i in idx)
            hits[f"{lang}/{span.kind}"].append(ok)
    return {"corpus": "tiltify", "unmatched_spans": unmatched, "by_kind": _summary(hits)}


def piextract_recall(folder: str | Path, analyzer: PolicyAnalyzer | None = None) -> dict:
    """Recall of ``data_category`` on PI-Extract spans, per tag (COLLECT, SHARE and the
    negated NOT_COLLECT, NOT_SHARE; for the negated ones a hit must be a negated annotation
    or an ``exclusion``)."""
    from corpora.piextract import read_dataset

    from ..segment import clause_id

    pa = analyzer or PolicyAnalyzer()
    sents = [s for s in read_dataset(folder) if s.spans]
    seen: dict[str, int] = {}
    clauses = []
    for i, s in enumerate(sents):
        norm = _norm(s.text)
        clauses.append(
            Clause(clause_id(norm, seen), i, s.text, norm, "sentence", (), 0, len(s.text))
        )
    docs = list(pa.nlp.pipe(c.text for c in clauses))
    from .combine import combine

    anns = combine(pa.registry.analyze(clauses, docs))
    by_clause: dict[str, list[Annotation]] = defaultdict(list)
    for a in anns:
        by_clause[a.clause_id].append(a)
    hits: dict[str, list[bool]] = defaultdict(list)
    for c, s in zip(clauses, sents, strict=True):
        found = by_clause.get(c.id, [])
        for span in s.spans:
            if span.negated:
                ok = any(
                    (a.kind == "data_category" and a.negated) or a.kind == "exclusion"
                    for a in found
                )
            else:
                ok = any(a.kind == "data_category" and not a.negated for a in found)
            hits[span.tag].append(ok)
    return {"corpus": "piextract", "sentences": len(sents), "by_tag": _summary(hits)}


def extractor_recall(corpora: str | Path) -> dict[str, Any]:
    """Both recall reports, plus the recognizers that ran."""
    root = Path(corpora)
    pa = PolicyAnalyzer()
    return {
        "recognizers": [r.name for r in pa.registry.recognizers],
        "tiltify": tiltify_recall(root / "tiltify", {"en": pa}),
        "piextract": piextract_recall(root / "piextract", pa),
    }


if __name__ == "__main__":  # pragma: no cover
    import json

    from .train import default_corpora

    print(
        json.dumps(
            extractor_recall(sys.argv[1] if len(sys.argv) > 1 else default_corpora()), indent=2
        )
    )

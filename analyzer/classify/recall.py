"""Recall of the pipeline's extractors on TILTify and PI-Extract spans.

A gold span counts as recalled when a clause that contains it (or that it covers) gets an
annotation of the matching kind (``data_category``, ``purpose``, ``legal_basis``,
``recipient``) from the recognizers the engine runs (rules, models, combined). Spans are
matched to clauses by their whitespace-normalized text, so the measure does not depend on how
ingest normalizes offsets.

Run it with ``python -m analyzer.classify.recall [CORPORA]``. Each TILTify document runs the
pipeline of the language the engine finds in it (``analyzer.languages``), as ``analyze``
does; figures are reported per language (TILTify's own ``language`` field) and family.

The German TILTify policies were development data for the German patterns, but only half of
them were read while the patterns were written: the policies in :data:`HELD_OUT` were not
looked at, and their recall is reported apart (``by_split``), next to that of the policies
that were (``dev``).
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
#: German TILTify policies NOT read while the German patterns were written (about half of
#: the German policies with spans of the four kinds, and most of the legal-basis spans)
HELD_OUT: frozenset[str] = frozenset(
    {
        "otto",
        "verivox",
        "Bundestag.de",
        "instagram",
        "vinci",
        "paypal",
        "Cisco",
        "Luca App",
        "ZDF Mediathek",
        "dhl",
        "ryanair",
        "techniker krankenkasse",
        "vw",
        "webde",
        "xing",
    }
)
#: fewest English spans of a family for a German/English recall ratio to be reported
MIN_SPANS_FOR_RATIO = 10


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
    """Recall per language and kind on the TILTify documents of ``folder``.

    ``analyzers`` maps a TILTify language to the engine its documents run on; ``"*"`` (or a
    new ``PolicyAnalyzer``) serves the others. ``by_kind`` is keyed ``<lang>/<kind>``;
    ``by_split`` ``<lang>/<dev|held_out>/<kind>`` for the non-English documents (see
    :data:`HELD_OUT`); ``ratio_to_en`` gives each language's recall of a family over the
    English recall of that family, where English has at least
    :data:`MIN_SPANS_FOR_RATIO` spans of it (else None).
    """
    from corpora.tiltify import read_folder

    from ..ingest import from_text

    analyzers = analyzers if analyzers is not None else {}
    hits: dict[str, list[bool]] = defaultdict(list)
    split_hits: dict[str, list[bool]] = defaultdict(list)
    detected: dict[str, int] = defaultdict(int)
    unmatched = 0
    for doc in read_folder(folder):
        lang = doc.language or "en"
        pa = analyzers.get(lang) or analyzers.get("*")
        if pa is None:
            pa = analyzers["*"] = PolicyAnalyzer()
        av = pa.analyze(from_text(doc.text, source=doc.name))
        detected[f"{lang}->{pa.language_of(av.version)}"] += 1
        norms = [_norm(c.text) for c in av.clauses]
        kinds = _kinds_by_clause(av.annotations)
        split = "held_out" if doc.name in HELD_OUT else "dev"
        for span in doc.spans:
            if span.kind not in KINDS:
                continue
            idx = _clauses_for(span.text, av.clauses, norms)
            if not idx:
                unmatched += 1
            ok = any(span.kind in kinds.get(av.clauses[i].id, ()) for i in idx)
            hits[f"{lang}/{span.kind}"].append(ok)
            if lang != "en":
                split_hits[f"{lang}/{split}/{span.kind}"].append(ok)
    by_kind = _summary(hits)
    ratios: dict[str, float | None] = {}
    for key, row in by_kind.items():
        lang, kind = key.split("/", 1)
        if lang == "en":
            continue
        en = by_kind.get(f"en/{kind}")
        if en is None or en["spans"] < MIN_SPANS_FOR_RATIO or not en["recall"]:
            ratios[key] = None
        else:
            ratios[key] = round(row["recall"] / en["recall"], 3)
    return {
        "corpus": "tiltify",
        "unmatched_spans": unmatched,
        "pipeline_languages": dict(sorted(detected.items())),
        "by_kind": by_kind,
        "by_split": _summary(split_hits),
        "ratio_to_en": ratios,
    }


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
        "tiltify": tiltify_recall(root / "tiltify", {"*": pa}),
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

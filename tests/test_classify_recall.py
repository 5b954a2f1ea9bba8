"""Recall of the extractors on TILTify / PI-Extract spans, with a stand-in recognizer."""

from __future__ import annotations

import json

from analyzer.classify.recall import piextract_recall, tiltify_recall
from analyzer.datamodel import Annotation, Explanation, Span
from analyzer.engine import PolicyAnalyzer
from analyzer.recognizers import Recognizer, RecognizerRegistry


class EmailRecognizer(Recognizer):
    """Marks clauses mentioning 'email' as data_category (negated after 'not')."""

    name = "test.email.v1"
    kinds = ("data_category",)

    def analyze(self, clauses, docs):
        out = []
        for c in clauses:
            i = c.text.lower().find("email")
            if i >= 0:
                out.append(
                    Annotation(
                        c.id,
                        "data_category",
                        "identifiers",
                        Span(i, i + 5, "email"),
                        1.0,
                        Explanation(self.name),
                        negated=" not " in c.text,
                    )
                )
        return out


def analyzer():
    return PolicyAnalyzer(registry=RecognizerRegistry([EmailRecognizer()]))


def test_tiltify_recall_counts_clause_hits(tmp_path):
    text = "We collect your email address.\n\nWe also collect your postal address for billing."
    doc = {
        "document": {"document_name": "t", "text": text, "language": "en"},
        "annotations": [
            {
                "annotation_label": "dataDisclosed--Data Category",
                "annotation_text": "email address",
                "annotation_start": 0,
                "annotation_end": 0,
            },
            {
                "annotation_label": "dataDisclosed--Data Category",
                "annotation_text": "postal address",
                "annotation_start": 0,
                "annotation_end": 0,
            },
            {
                "annotation_label": "dataDisclosed--purposes--Purpose of Data",
                "annotation_text": "billing",
                "annotation_start": 0,
                "annotation_end": 0,
            },
        ],
    }
    (tmp_path / "t.json").write_text(json.dumps(doc), encoding="utf-8")
    r = tiltify_recall(tmp_path, {"en": analyzer()})
    assert r["by_kind"]["en/data_category"] == {"spans": 2, "recalled": 1, "recall": 0.5}
    assert r["by_kind"]["en/purpose"]["recall"] == 0.0
    assert r["unmatched_spans"] == 0


def test_piextract_recall_respects_negation(tmp_path):
    parts = {
        "CollectUse_true": "We _ _ O\ncollect _ _ O\nemail _ _ B-COLLECT\n\n"
        "We _ _ O\ndo _ _ O\nnot _ _ O\ncollect _ _ O\nemail _ _ O\n",
        "CollectUse_false": "We _ _ O\ncollect _ _ O\nemail _ _ O\n\n"
        "We _ _ O\ndo _ _ O\nnot _ _ O\ncollect _ _ O\nemail _ _ B-NOT_COLLECT\n",
    }
    for name, body in parts.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "train.conll03").write_text(body, encoding="utf-8")
    r = piextract_recall(tmp_path, analyzer())
    assert r["sentences"] == 2
    assert r["by_tag"]["COLLECT"]["recall"] == 1.0
    assert r["by_tag"]["NOT_COLLECT"]["recall"] == 1.0


def test_tiltify_recall_per_language_and_split(tmp_path):
    """German documents run the German pipeline; held-out policies are reported apart."""
    text = (
        "Wir verarbeiten Ihre Daten auf Grundlage von Art. 6 Abs. 1 lit. f DSGVO.\n\n"
        "Wir speichern die Daten in einem Rechenzentrum."
    )
    for name in ("otto", "dev_policy"):  # "otto" is one of the held-out policies
        doc = {
            "document": {"document_name": name, "text": text, "language": "de"},
            "annotations": [
                {
                    "annotation_label": "dataDisclosed--Data Disclosed - Legal Basis",
                    "annotation_text": "Art. 6 Abs. 1 lit. f DSGVO",
                    "annotation_start": 0,
                    "annotation_end": 0,
                }
            ],
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    r = tiltify_recall(tmp_path)
    assert r["by_kind"]["de/legal_basis"] == {"spans": 2, "recalled": 2, "recall": 1.0}
    assert r["by_split"]["de/held_out/legal_basis"]["spans"] == 1
    assert r["by_split"]["de/dev/legal_basis"]["spans"] == 1
    assert r["pipeline_languages"] == {"de->de": 2}
    assert r["ratio_to_en"]["de/legal_basis"] is None  # no English spans to compare with

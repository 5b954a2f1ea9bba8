"""Legal bases tied to purposes: table rows, section headings (inherited), statements."""

from __future__ import annotations

import pytest
from recognizer_helpers import annotate, clause

from analyzer.nlp import get_nlp
from analyzer.recognizers import RecognizerRegistry


def _bases(anns):
    return {
        (a.label, a.inherited, tuple(sorted(a.qualifier("purpose"))))
        for a in anns
        if a.kind == "legal_basis"
    }


def test_table_row_basis_column() -> None:
    text = "Purpose: To train our AI models | Legal basis: Legitimate interests"
    anns = annotate(text, kind="table_row")
    assert ("legitimate_interests", False, ("ai_training",)) in _bases(anns)


def test_table_row_with_bare_consent() -> None:
    text = "Why we use data: To show you personalised ads | Lawful basis: Consent"
    anns = annotate(text, kind="table_row")
    assert ("consent", False, ("advertising", "personalization")) in _bases(anns)


@pytest.mark.parametrize(
    ("heading", "label"),
    [
        ("Consent", "consent"),
        ("**Legitimate Interest**", "legitimate_interests"),
        ("To perform our contract with you", "contract"),
        ("Compliance with Legal Obligations", "legal_obligation"),
    ],
)
def test_section_heading_basis_is_inherited(heading: str, label: str) -> None:
    anns = annotate(
        "We use your public posts to train our AI models.", section=("Legal bases", heading)
    )
    lb = [a for a in anns if a.kind == "legal_basis"]
    assert [(a.label, a.inherited) for a in lb] == [(label, True)]
    assert "ai_training" in lb[0].qualifier("purpose")
    assert heading.strip("*") in lb[0].explanation.detail


def test_basis_heading_applies_to_subsections_and_plain_headings_do_not_count() -> None:
    anns = annotate("We use data to show ads.", section=("Consent", "Advertising"))
    assert [(a.label, a.inherited) for a in anns if a.kind == "legal_basis"] == [("consent", True)]
    anns = annotate("We use data to show ads.", section=("How we use data", "Advertising"))
    assert [a.label for a in anns if a.kind == "legal_basis"] == []


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("We rely on your consent to send you marketing e-mails.", "consent"),
        (
            "We process this data on the basis of our legitimate interests in "
            "securing the service.",
            "legitimate_interests",
        ),
        ("This is necessary for the performance of a contract with you.", "contract"),
    ],
)
def test_statements(text: str, label: str) -> None:
    assert label in {a.label for a in annotate(text) if a.kind == "legal_basis"}


def test_registry_lists_builtin_recognizers() -> None:
    names = RecognizerRegistry.available()
    for n in (
        "policydiff.ai_training.v1",
        "policydiff.legal_basis.v1",
        "policydiff.purpose.v1",
        "policydiff.vagueness.v1",
        "policydiff.exclusion.v1",
    ):
        assert n in names


def test_docs_from_another_vocab_are_accepted() -> None:
    text = "We use your posts to train our AI models."
    reg = RecognizerRegistry.default()
    anns = reg.analyze([clause(text)], [get_nlp("xx")(text)])
    assert any(a.kind == "ai_training" for a in anns)

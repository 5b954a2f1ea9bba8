"""German patterns of every rule family but AI training: (text, expected) per recognizer."""

from __future__ import annotations

import pytest
from recognizer_helpers import annotate_lang, labels


def de(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return annotate_lang(text, "de", **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Wir nutzen Ihre Daten, um Ihnen personalisierte Werbung anzuzeigen.",
            {"advertising", "personalization"},
        ),
        ("Die Daten dienen der Erkennung von Betrug und Missbrauch.", {"security"}),
        ("Wir werten die Nutzung statistisch aus, um die Reichweite zu messen.", {"analytics"}),
        (
            "Wir speichern die Daten, um gesetzliche Aufbewahrungspflichten zu erfüllen.",
            {"legal_compliance"},
        ),
        ("Wir verwenden die Daten auch für andere Zwecke.", {"open_ended"}),
        (
            "Ihre E-Mail-Adresse nutzen wir, um Ihnen unseren Newsletter zu senden.",
            {"communications"},
        ),
        ("Die Daten helfen uns, unser Angebot zu verbessern.", {"product_development"}),
        ("Wir nutzen Ihre Daten zur Bereitstellung unserer Dienste.", {"provide_service"}),
        ("Wir verwenden Ihre Beiträge, um unsere KI-Modelle zu trainieren.", {"ai_training"}),
    ],
)
def test_purposes(text: str, expected: set[str]) -> None:
    assert expected <= labels(de(text), "purpose")


@pytest.mark.parametrize(
    "text",
    [
        "Bitte lesen Sie diese Erklärung sorgfältig.",
        "Sie können Ihre Bewerbung jederzeit zurückziehen.",  # "Bewerbung" is not advertising
    ],
)
def test_no_purpose(text: str) -> None:
    assert labels(de(text), "purpose") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wir erheben Ihren Namen, Ihre E-Mail-Adresse und Ihre Telefonnummer.", {"identifiers"}),
        ("Dabei werden Ihre IP-Adresse und der verwendete Browser gespeichert.", {"device"}),
        ("Wir verarbeiten Ihren Standort und Ihre Nutzungsdaten.", {"location", "usage"}),
        ("Für die Zahlung benötigen wir Ihre Bankverbindung.", {"financial"}),
        ("Gesundheitsdaten verarbeiten wir nur mit Ihrer Einwilligung.", {"health"}),
        ("Sie können Fotos und Videos hochladen.", {"media"}),
        ("Der Inhalt Ihrer Nachrichten wird verschlüsselt.", {"messages"}),
    ],
)
def test_data_categories(text: str, expected: set[str]) -> None:
    assert expected <= labels(de(text), "data_category")


def test_ip_address_is_not_a_postal_address() -> None:
    found = labels(de("Dabei wird Ihre IP-Adresse gespeichert."), "data_category")
    assert "device" in found and "identifiers" not in found


def test_email_as_a_channel_is_not_message_content() -> None:
    assert "messages" not in labels(de("Wir informieren Sie per E-Mail."), "data_category")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rechtsgrundlage ist Art. 6 Abs. 1 lit. f DSGVO.", {"legitimate_interests"}),
        ("Die Verarbeitung erfolgt gemäß Art. 6 (1) f) DS-GVO.", {"legitimate_interests"}),
        (
            "Die Verarbeitung erfolgt auf Grundlage von Art. 6 Abs. 1 S. 1 lit. a DSGVO.",
            {"consent"},
        ),
        ("Rechtsgrundlage ist Art. 6 (1) a DSGVO.", {"consent"}),
        (
            "Dies ist für die Vertragserfüllung erforderlich (Art. 6 Abs. 1 lit. b DSGVO).",
            {"contract"},
        ),
        (
            "Wir verarbeiten die Daten zur Erfüllung einer rechtlichen Verpflichtung.",
            {"legal_obligation"},
        ),
        ("Die Verarbeitung erfolgt auf Grundlage Ihrer Einwilligung.", {"consent"}),
        ("Die Verarbeitung beruht auf unseren berechtigten Interessen.", {"legitimate_interests"}),
        (
            "Wir verfolgen damit das Interesse, unsere Website sicher zu betreiben.",
            {"legitimate_interests"},
        ),
        ("Rechtsgrundlage ist Art. 6 Abs. 1 lit. c DSGVO.", {"legal_obligation"}),
        (
            "Die Verarbeitung ist zum Schutz lebenswichtiger Interessen erforderlich.",
            {"vital_interests"},
        ),
    ],
)
def test_legal_bases(text: str, expected: set[str]) -> None:
    assert labels(de(text), "legal_basis") == expected


def test_legal_basis_in_a_table_cell_and_its_purposes() -> None:
    anns = de("Zweck: Newsletter-Versand | Rechtsgrundlage: Einwilligung", kind="table_row")
    lb = [a for a in anns if a.kind == "legal_basis"]
    assert [a.label for a in lb] == ["consent"]
    assert ("purpose", "communications") in lb[0].qualifiers


def test_legal_basis_inherited_from_a_heading() -> None:
    anns = de("Wir senden Ihnen unseren Newsletter.", section=("Einwilligung",))
    assert [(a.label, a.inherited) for a in anns if a.kind == "legal_basis"] == [("consent", True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wir geben Ihre Daten an unsere Dienstleister weiter.", {"service_providers"}),
        ("Die Daten werden an verbundene Unternehmen übermittelt.", {"affiliates"}),
        ("Auf Anfrage übermitteln wir Daten an Strafverfolgungsbehörden.", {"authorities"}),
        (
            "Eine Weitergabe an Dritte erfolgt nur mit Ihrer Einwilligung.",
            {"unnamed_third_parties"},
        ),
        (
            "Wir nutzen den Dienst OneSignal der Firma OneSignal, um Push-Meldungen zu senden.",
            {"named_company"},
        ),
        ("Die Informationen werden an Google Ireland Limited übermittelt.", {"named_company"}),
    ],
)
def test_recipients(text: str, expected: set[str]) -> None:
    assert expected <= labels(de(text), "recipient")


@pytest.mark.parametrize(
    "text",
    [
        "Dritte Parteien sind in diesem Absatz nicht gemeint.",  # no disclosure cue
        "Verantwortlich für die Datenverarbeitung ist die Beispiel GmbH.",  # the controller
    ],
)
def test_no_recipient(text: str) -> None:
    assert labels(de(text), "recipient") == set()


def test_recipient_negated() -> None:
    anns = de("Wir geben keine Daten an Dritte weiter.")
    assert "unnamed_third_parties" in labels(anns, "recipient", negated=True)
    assert "no_sharing" in labels(anns, "exclusion")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sie können der Verarbeitung jederzeit widersprechen.", {"opt_out"}),
        ("Sie haben ein Widerspruchsrecht nach Art. 21 DSGVO.", {"opt_out"}),
        ("Sie können Ihre Einwilligung jederzeit widerrufen.", {"withdraw"}),
        ("Sie können Cookies in Ihren Browsereinstellungen deaktivieren.", {"settings", "opt_out"}),
        ("Sie können die Löschung Ihrer Daten verlangen.", {"delete"}),
        ("Wir verarbeiten diese Daten nur mit Ihrer ausdrücklichen Einwilligung.", {"consent"}),
    ],
)
def test_choices(text: str, expected: set[str]) -> None:
    assert expected <= labels(de(text), "choice")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wir verkaufen Ihre personenbezogenen Daten nicht.", {"no_sale"}),
        ("Ihre Daten werden nicht an Dritte weitergegeben.", {"no_sharing"}),
        ("Private Nachrichten werden dafür nicht verwendet.", {"private_messages"}),
        ("Daten von Personen unter 18 Jahren werden nicht verwendet.", {"minors"}),
    ],
)
def test_exclusions(text: str, expected: set[str]) -> None:
    assert expected <= labels(de(text), "exclusion")


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Wir erheben unter anderem Ihren Namen.", "unter anderem"),
        ("Wir geben die Daten gegebenenfalls an Behörden weiter.", "gegebenenfalls"),
        ("Wir nutzen beispielsweise Cookies.", "beispielsweise"),
    ],
)
def test_vague_terms(text: str, term: str) -> None:
    anns = de(text)
    assert term in {dict(a.qualifiers).get("term") for a in anns if a.kind == "vague"}


def test_vague_purpose() -> None:
    assert "vague_purpose" in labels(de("Wir nutzen die Daten auch für sonstige Zwecke."), "vague")


def test_dritte_whose_interests_are_meant_are_not_recipients() -> None:
    text = "Wir übermitteln Daten zur Wahrung der berechtigten Interessen Dritter."
    assert "unnamed_third_parties" not in labels(de(text), "recipient")

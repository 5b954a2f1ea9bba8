"""French patterns of every rule family but AI training: (text, expected) per recognizer."""

from __future__ import annotations

import pytest
from recognizer_helpers import annotate_lang, labels


def fr(text: str, **kw: object):  # type: ignore[no-untyped-def]
    return annotate_lang(text, "fr", **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nous utilisons vos données pour vous proposer des annonces personnalisées.",
            {"advertising", "personalization"},
        ),
        ("Ces informations nous aident à détecter et prévenir la fraude.", {"security"}),
        ("Nous réalisons des statistiques pour mesurer l'audience.", {"analytics"}),
        (
            "Nous conservons ces données pour respecter nos obligations légales.",
            {"legal_compliance"},
        ),
        ("Nous pouvons utiliser vos informations à d'autres fins.", {"open_ended"}),
        (
            "Nous utilisons votre adresse e-mail pour vous envoyer notre newsletter.",
            {"communications"},
        ),
        ("Ces données nous permettent d'améliorer nos services.", {"product_development"}),
        ("Nous utilisons vos données pour entraîner nos modèles d'IA.", {"ai_training"}),
        ("Nous utilisons vos données à des fins de recherche scientifique.", {"research"}),
    ],
)
def test_purposes(text: str, expected: set[str]) -> None:
    assert expected <= labels(fr(text), "purpose")


def test_researchers_are_recipients_not_a_purpose() -> None:
    """Sharing 'with regulators and third parties, such as researchers' names who receives
    data, not a research purpose (a wrong purpose.added on an untuned French Google pair)."""
    anns = fr(
        "Nous partageons des informations avec des régulateurs et des tiers, "
        "tels que des chercheurs."
    )
    assert "research" not in labels(anns, "purpose")
    assert "researchers" in labels(anns, "recipient")


def test_search_is_not_research() -> None:
    assert "research" not in labels(
        fr("Les termes que vous recherchez sur la recherche Google."), "purpose"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nous collectons votre nom, votre adresse e-mail et votre numéro de téléphone.",
            {"identifiers"},
        ),
        ("Nous collectons votre adresse IP et le type de navigateur.", {"device"}),
        (
            "Nous utilisons votre position géographique et votre historique de navigation.",
            {"location", "usage"},
        ),
        ("Vos informations de paiement sont protégées.", {"financial"}),
        ("Nous utilisons les photos et vidéos que vous importez.", {"media"}),
        ("Nous traitons les données des enfants avec l'accord de leurs parents.", {"children"}),
    ],
)
def test_data_categories(text: str, expected: set[str]) -> None:
    assert expected <= labels(fr(text), "data_category")


def test_email_address_is_not_message_content() -> None:
    found = labels(fr("Nous collectons votre adresse e-mail."), "data_category")
    assert "identifiers" in found and "messages" not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Le traitement est fondé sur l'article 6, paragraphe 1, point f) du RGPD.",
            {"legitimate_interests"},
        ),
        ("Base juridique : art. 6.1.f du RGPD.", {"legitimate_interests"}),
        (
            "Nous traitons ces données sur la base de nos intérêts légitimes.",
            {"legitimate_interests"},
        ),
        ("Nous traitons ces données sur la base de votre consentement.", {"consent"}),
        ("Ce traitement est fondé sur l'article 6, paragraphe 1, point a) du RGPD.", {"consent"}),
        ("Le traitement est nécessaire à l'exécution du contrat.", {"contract"}),
        ("Nous devons respecter nos obligations légales.", {"legal_obligation"}),
        ("Ce traitement protège vos intérêts vitaux.", {"vital_interests"}),
    ],
)
def test_legal_bases(text: str, expected: set[str]) -> None:
    assert labels(fr(text), "legal_basis") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nous partageons des informations avec nos prestataires de services.",
            {"service_providers"},
        ),
        ("Nous transmettons des informations à nos sociétés affiliées.", {"affiliates"}),
        ("Nous pouvons communiquer vos données aux autorités compétentes.", {"authorities"}),
        ("Nous ne partageons pas vos données avec des annonceurs.", set()),
        ("Nous partageons vos données avec des tiers.", {"unnamed_third_parties"}),
    ],
)
def test_recipients(text: str, expected: set[str]) -> None:
    assert expected <= labels(fr(text), "recipient")


def test_recipient_negated_by_ne_pas() -> None:
    anns = fr("Nous ne partageons pas vos données avec des annonceurs.")
    assert "advertisers" in labels(anns, "recipient", negated=True)
    assert "no_sharing" in labels(anns, "exclusion")


def test_ne_que_is_not_a_negation() -> None:
    anns = fr("Nous ne communiquerons vos informations qu'avec votre consentement.")
    assert "consent" in labels(anns, "choice")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vous pouvez vous opposer à ce traitement.", {"opt_out"}),
        ("Vous disposez d'un droit d'opposition.", {"opt_out"}),
        ("Vous pouvez retirer votre consentement à tout moment.", {"withdraw"}),
        ("Vous pouvez modifier vos paramètres de confidentialité.", {"settings"}),
        ("Vous pouvez supprimer votre compte.", {"delete"}),
    ],
)
def test_choices(text: str, expected: set[str]) -> None:
    assert expected <= labels(fr(text), "choice")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nous ne vendons pas vos données personnelles.", {"no_sale"}),
        ("Les messages privés ne sont pas utilisés.", {"private_messages"}),
    ],
)
def test_exclusions(text: str, expected: set[str]) -> None:
    assert expected <= labels(fr(text), "exclusion")


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Nous collectons notamment votre nom.", "notamment"),
        ("Nous partageons le cas échéant vos données.", "le cas échéant"),
        ("Nous pouvons utiliser vos données à d'autres fins.", "à d'autres fins"),
    ],
)
def test_vague_terms(text: str, term: str) -> None:
    anns = fr(text)
    assert term in {dict(a.qualifiers).get("term") for a in anns if a.kind == "vague"}


def test_tiers_whose_interests_are_meant_are_not_recipients() -> None:
    text = "Nous partageons ces données pour nos intérêts légitimes et ceux de tiers."
    assert "unnamed_third_parties" not in labels(fr(text), "recipient")

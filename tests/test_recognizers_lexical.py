"""Purposes, data categories and sources, recipients, choices, exclusions, vagueness."""

from __future__ import annotations

import pytest
from recognizer_helpers import annotate, labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use your data to show you personalized ads.", {"advertising", "personalization"}),
        ("We use information to detect fraud and abuse.", {"security"}),
        ("We analyse usage statistics to measure performance.", {"analytics"}),
        ("We use your data to comply with legal obligations.", {"legal_compliance"}),
        ("We may use your data for other purposes.", {"open_ended"}),
        ("We use the data to train our AI models.", {"ai_training"}),
        ("We use your email address to contact you about your account.", {"communications"}),
    ],
)
def test_purposes(text: str, expected: set[str]) -> None:
    assert expected <= labels(annotate(text), "purpose")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We collect your public posts and comments.", {"public_posts"}),
        ("We process photos and videos you upload.", {"media"}),
        ("We may read the content of your private messages.", {"messages"}),
        ("We store your prompts and chats with the assistant.", {"ai_interactions"}),
        ("We collect your precise location and IP address.", {"location", "device"}),
        ("We process face geometry to verify you.", {"biometric"}),
        ("We do not knowingly collect data of children under 13.", set()),
    ],
)
def test_data_categories(text: str, expected: set[str]) -> None:
    assert expected <= labels(annotate(text), "data_category")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # conversations and chats between people are messages, not interactions with an AI
        ("We store your private conversations with other users.", False),
        ("We store conversations with your connections.", False),
        ("We store chats with friends.", False),
        ("We store data you give when you request support via email or live chat.", False),
        # bots and agents are no AI context: fake accounts, people acting for someone
        ("We store chats with our agents to detect bots and fraud.", False),
        ("We store transcripts of your Live chats with the assistant.", True),
        # a product name after "with" is read case-sensitively (the pattern is
        # case-insensitive elsewhere): "with other" is not a product
        ("We store your conversations with Gemini.", True),
        ("We store chats with your Notebooks in Gemini.", True),
        ("We store your chats with the assistant.", True),
    ],
)
def test_ai_interactions_are_not_conversations_between_people(text: str, found: bool) -> None:
    assert ("ai_interactions" in labels(annotate(text), "data_category")) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("If we learn that we collected personal information from a child under 13.", True),
        ("We process voice and audio data from children's features.", True),
        ("We use data from accounts of users under 18 to train AI models.", True),
        # an age limit, a purpose, a product or a heading names no data of children
        ("You must be at least 13 years old to use the Service and we collect data.", False),
        ("We process personal data where it is necessary to protect children from harm.", False),
        ("The YouTube Kids Privacy Notice provides additional information.", False),
        ("Children and Our Services", False),
    ],
)
def test_children_are_a_data_category_only_where_their_data_is_named(
    text: str, found: bool
) -> None:
    assert ("children" in labels(annotate(text), "data_category")) is found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We receive information about you from our partners and advertisers.", {"partners"}),
        ("We collect publicly available information from the open web.", {"public_web"}),
        ("Data that you import from other platforms is saved.", {"partners"}),
        ("Information you provide when you create an account.", {"user_provided"}),
        # partners as the subject that provides data (LinkedIn, vlopses-us 2025-09-07)
        ("Customers and partners may provide data to us.", {"partners"}),
        ("Advertisers share information with us about your purchases.", {"partners"}),
    ],
)
def test_data_sources(text: str, expected: set[str]) -> None:
    assert expected <= labels(annotate(text), "data_source")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We share information with service providers who process it for us.",
            {"service_providers"},
        ),
        ("We may disclose data to law enforcement when required.", {"authorities"}),
        ("We share your data with third parties.", {"unnamed_third_parties"}),
        (
            "We share data with our affiliates and in a merger or acquisition.",
            {"affiliates", "buyers"},
        ),
        ("We sell your personal information to data brokers.", {"sale"}),
        # Twitter 2017: "a Tweet, which is public by default" (the 2018 version's "will be
        # public" was reported as a new recipient)
        ("Any user can send a Tweet, which is public by default.", {"public"}),
    ],
)
def test_recipients(text: str, expected: set[str]) -> None:
    assert expected <= labels(annotate(text), "recipient")


def test_recipient_needs_a_disclosure_cue() -> None:
    assert labels(annotate("Our service providers are listed below."), "recipient") == set()


def test_we_do_not_sell_is_negated_sale_and_an_exclusion() -> None:
    anns = annotate("We do not sell your personal information.")
    assert "sale" in labels(anns, "recipient", negated=True)
    assert "sale" not in labels(anns, "recipient")
    assert "no_sale" in labels(anns, "exclusion")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will only do this with your consent.", {"consent"}),
        ("You can opt out at any time in your settings.", {"opt_out", "settings"}),
        ("You have the right to object to this processing.", {"opt_out"}),
        ("You can withdraw your consent at any time.", {"withdraw"}),
    ],
)
def test_choices(text: str, expected: set[str]) -> None:
    assert expected <= labels(annotate(text), "choice")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We do not use private messages for this purpose.", "private_messages"),
        ("Private messages are excluded.", "private_messages"),
        ("Accounts of people under 18 are excluded.", "minors"),
        ("We do not sell your data.", "no_sale"),
        ("We never share your personal data with advertisers.", "no_sharing"),
        (
            "We do not use private messages or the accounts of people under 18 to develop "
            "and improve AI.",
            "minors",
        ),
        (
            "We do not use private messages or the accounts of people under 18 to develop "
            "and improve AI.",
            "private_messages",
        ),
        # the negated use names them by a pronoun after a semicolon (Twitter, 2018)
        (
            "We share the content of your Direct Messages with the people you've sent them "
            "to; we do not use them to serve you ads.",
            "private_messages",
        ),
        ("Teens under 18 get a safer experience; we do not use their data for AI.", "minors"),
    ],
)
def test_exclusions(text: str, expected: str) -> None:
    assert expected in labels(annotate(text), "exclusion")


def test_exclusion_needs_the_negation() -> None:
    assert labels(annotate("We use private messages to personalise ads."), "exclusion") == set()
    text = "We store your direct messages; we use them to improve the service."
    assert labels(annotate(text), "exclusion") == set()
    # the user's promise not to sell (an account, user data) is no promise of the company
    text = "You are responsible for your account and you agree you will not sell it."
    assert labels(annotate(text), "exclusion") == set()
    assert labels(annotate("You will not sell user data."), "exclusion") == set()


@pytest.mark.parametrize(
    ("text", "purpose_terms", "term_types"),
    [
        ("We use your data for other purposes.", {"other purposes"}, set()),
        (
            "We use it for business purposes, including but not limited to analytics.",
            {"business purposes", "including but not limited to"},
            {"numeric_quantifier"},
        ),
        (
            "We may generally share some data to improve our services.",
            {"improve our services"},
            {"modality", "generalization", "numeric_quantifier"},
        ),
        ("We collect information from other online sources.", {"other online sources"}, set()),
    ],
)
def test_vagueness(text: str, purpose_terms: set[str], term_types: set[str]) -> None:
    anns = [a for a in annotate(text) if a.kind == "vague"]
    found = {t for a in anns if a.label == "vague_purpose" for t in a.qualifier("term")}
    assert purpose_terms <= found
    types = {t for a in anns if a.label == "vague_term" for t in a.qualifier("type")}
    assert term_types <= types


def test_negated_open_purpose_is_not_vague() -> None:
    anns = annotate("We will not use your data for any other purpose.")
    assert not [a for a in anns if a.label == "vague_purpose"]


@pytest.mark.parametrize(
    "text",
    [
        "We process your data for our legitimate interests and those of third parties.",
        "We may share data when necessary to protect the rights of third parties.",
        "Sharing is needed for the legitimate interests of third parties, such as safety.",
    ],
)
def test_third_parties_whose_interests_are_meant_are_not_recipients(text: str) -> None:
    assert "unnamed_third_parties" not in labels(annotate(text), "recipient")
    # the same words as the receiving party still are
    assert "unnamed_third_parties" in labels(
        annotate("We share your data with third parties."), "recipient"
    )


def test_researchers_are_recipients_not_a_purpose() -> None:
    anns = annotate(
        "Certain laws require us to share information with regulators and third parties, "
        "such as researchers."
    )
    assert "research" not in labels(anns, "purpose")
    assert "researchers" in labels(anns, "recipient")
    assert "research" in labels(annotate("We use your data for research."), "purpose")


def test_a_negated_show_reaches_the_data_it_is_based_on() -> None:
    """Showing is a use (a disclosure): "we don't show you ads based on ... sexual
    orientation" names the category only to exclude it (YouTube, 2018)."""
    text = (
        "We don’t show you personalized ads based on sensitive categories, such as race, "
        "religion, sexual orientation, or health."
    )
    cats = [a for a in annotate(text) if a.kind == "data_category"]
    assert cats and all(a.negated for a in cats)
    shown = [a for a in annotate("We show your profile and sexual orientation to members.")]
    assert any(a.label == "special_category" and not a.negated for a in shown)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("We collect health data you share with us.", True),
        # the name of another document names no data
        ("We collect data as described in the Health Privacy Notice.", False),
        ("We collect data as our Teen Privacy Guide explains.", False),
    ],
)
def test_a_category_word_in_a_document_name_is_no_category(text: str, found: bool) -> None:
    cats = labels(annotate(text), "data_category")
    assert (bool(cats & {"health", "children"})) is found

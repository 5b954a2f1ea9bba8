"""Polarity and modality of AI-training statements (analyzer/modality.py, patterns/modality.json,
the negation scope in recognizers/common.py), read by the rule recognizer alone so that each
row tests the rules, not the trained model."""

from __future__ import annotations

import pytest
from recognizer_helpers import clause

from analyzer import modality as mod
from analyzer import taxonomy as tx
from analyzer.nlp import get_nlp
from analyzer.recognizers.ai_training import AITrainingRecognizer


def _anns(text: str):
    rec = AITrainingRecognizer(model=False)
    found = rec.analyze([clause(text)], [get_nlp("en")(text)])
    return [a for a in found if a.kind == tx.AI_TRAINING]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use your public posts to train our AI models.", mod.USE),
        (
            "Based on feedback from regulators, we're still delaying our plans to use your "
            "information to develop and improve AI models.",
            mod.DEFERRED,
        ),
        (
            "We have paused the use of your posts to train our generative AI models until "
            "further notice.",
            mod.DEFERRED,
        ),
        (
            "We use the conversations people have with ChatGPT to train our models, unless you "
            "opt out.",
            mod.UNLESS_OBJECTION,
        ),
        (
            "Read our instructions on how you can opt out of our use of your content to train "
            "our models.",
            mod.CHOICE,
        ),
        (
            "If you choose to share feedback, we use it to improve our AI models.",
            mod.OPT_IN,
        ),
    ],
)
def test_modality_of_training_statements(text: str, expected: str) -> None:
    anns = _anns(text)
    assert anns, text
    assert {mod.modality(a) for a in anns} == {expected}
    assert all(mod.is_use(a) == (expected not in mod.NOT_USE) for a in anns)


@pytest.mark.parametrize(
    "text",
    [
        # a long object list with a parenthesis and a compound "screen sharing"
        "Chirp does not use any of your audio, video, chat, screen sharing, attachments or "
        "other communications-like content (such as poll results, whiteboard and reactions) to "
        "train Chirp's or third-party artificial intelligence models.",
        # negation through or-coordinated predicates
        "Chats from Temporary Chat won't appear in history, use or create memories, or be used "
        "to train our models.",
        "Améliorer les Services et mener des recherches (à l'exclusion de l'entraînement des "
        "modèles).",
        "Ihre privaten Nachrichten werden nicht verwendet, um unsere KI-Modelle zu trainieren.",
    ],
)
def test_denials_are_never_uses(text: str) -> None:
    anns = _anns(text)
    assert anns and all(a.negated for a in anns)
    assert not [a for a in anns if mod.is_use(a)]


def test_new_subject_ends_the_reach_of_a_negation() -> None:
    anns = _anns(
        "We do not sell your data or share it with advertisers, and we use your public posts "
        "to train our AI models."
    )
    assert [a for a in anns if mod.is_use(a)]


@pytest.mark.parametrize(
    "text",
    [
        "Anthropic is an AI safety and research company building reliable AI systems.",
        "This gives Claude a set of principles to guide the training of the Claude LLMs.",
    ],
)
def test_training_with_no_data_in_play_is_not_a_use(text: str) -> None:
    assert not [a for a in _anns(text) if mod.is_use(a)]


def test_pick_precedence() -> None:
    assert mod.pick([]) == mod.USE
    assert mod.pick(["UNLESS_OBJECTION", "DEFERRAL"]) == mod.DEFERRED
    assert mod.pick(["HYPOTHETICAL"]) == mod.CONDITIONAL


@pytest.mark.parametrize(
    "text",
    [
        "Wir verwenden Ihre öffentlichen Beiträge, um unsere KI-Modelle zu trainieren.",
        "Nous utilisons vos publications publiques pour entraîner nos modèles d'IA.",
    ],
)
def test_german_and_french_uses(text: str) -> None:
    assert [a for a in _anns(text) if mod.is_use(a)]

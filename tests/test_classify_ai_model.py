"""The AI-training statement model (analyzer/classify/ai_model.py) and its place in the
AI-training recognizer: the model gives reach, never overrides polarity or modality."""

from __future__ import annotations

import pytest
from recognizer_helpers import clause

from analyzer import modality as mod
from analyzer import taxonomy as tx
from analyzer.classify import ai_model
from analyzer.nlp import get_nlp
from analyzer.recognizers.ai_training import AITrainingRecognizer


def test_gate_reads_ai_and_training_words_only() -> None:
    assert ai_model.gated_texts(
        ["We use chats to improve models.", "We use cookies to remember you.", "KI-Modelle"]
    ) == [True, False, True]


def test_shipped_model_loads_and_scores() -> None:
    model = ai_model.cached_model()
    assert model is not None, "models/ai_training.skops is committed"
    p = model.predict_proba(
        ["We use your conversations to improve our models.", "We use cookies to remember you."]
    )[:, 0]
    assert p[0] > p[1]


def _uses(text: str, model: object) -> list:
    rec = AITrainingRecognizer(model=model)
    found = rec.analyze([clause(text)], [get_nlp("en")(text)])
    return [a for a in found if a.kind == tx.AI_TRAINING and mod.is_use(a)]


def test_model_reaches_wording_the_rules_miss() -> None:
    text = "We use their suggestions to help our models respond better in the future."
    assert not _uses(text, False)
    found = _uses(text, None)
    assert found and found[0].explanation.source == "model"
    assert found[0].qualifier("model_score")
    assert "model" in found[0].explanation.detail


@pytest.mark.parametrize(
    "text",
    [
        "We do not use your suggestions to help our models respond better.",
        "We are delaying our plans to use your suggestions to help our models respond better.",
    ],
)
def test_model_never_turns_a_denial_or_deferral_into_a_use(text: str) -> None:
    assert not _uses(text, None)


def test_rule_and_model_agreeing_say_so() -> None:
    found = _uses("We use your public posts to train our AI models.", None)
    assert found and found[0].explanation.source == "rule+model"


@pytest.mark.corpora
@pytest.mark.slow
def test_fit_for_holds_a_service_out(shared_corpora) -> None:
    rows = ai_model.load_rows(shared_corpora)
    model = ai_model.fit_for([r for r in rows if r.service != "ChatGPT"])
    assert model.labels == ("trains",)
    assert "ChatGPT" not in model.meta["metrics"]["groups"]

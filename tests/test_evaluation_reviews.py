"""Evaluation against reviewed findings: matching rules on synthetic rows, a synthetic pair
run end to end, and the shared ``finding_reviews`` (development figures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.errors import InputError
from analyzer.evaluation.reviews import evaluate_reviews, format_text, read_reviews, score


def _review(flag: str, pair: str, clause: str, verdict: str, **kw: str) -> dict:
    return {"scope": "pairs", "pair": pair, "flag": flag, "new_clause": clause,
            "verdict": verdict, **kw}  # fmt: skip


def _current(flag: str, pair: str, clause: str) -> dict:
    return {"scope": "pairs", "pair": pair, "flag": flag, "clause": clause}


def test_score_matches_flag_pair_and_clause_text() -> None:
    reviews = [
        _review("vague_purpose.added", "p1", "We use data for other purposes.", "wrong"),
        _review("ai_training.added", "p1", "We train AI on posts.", "correct"),
        _review("ai_training.added", "p2", "We train AI on posts.", "correct"),
        _review("data_category.added", "p1", "Biometric data.", "debatable"),
    ]
    current = [
        # same text, other case and spacing: still the reviewed finding
        _current("ai_training.added", "p1", "We  train AI on POSTS."),
        # same clause, other flag: new
        _current("purpose.added", "p1", "We train AI on posts."),
        # same flag and clause, other pair: the p2 review is matched, not p1's
        _current("ai_training.added", "p2", "We train AI on posts."),
    ]
    r = score(reviews, current)
    assert (r["wrong_still_raised"], r["wrong_reviewed"]) == (0, 1)
    assert (r["correct_kept"], r["correct_reviewed"]) == (2, 2)
    assert (r["debatable_raised"], r["new"]) == (0, 1)
    assert r["new_findings"][0]["flag"] == "purpose.added"
    assert r["per_flag"]["vague_purpose.added"] == {"wrong_raised": 0, "wrong_reviewed": 1}
    assert "wrong still raised 0/1" in format_text(r)


def test_a_reviewed_duplicate_counts_as_raised_only_while_raised_twice() -> None:
    row = _review("ai_training.present", "p", "Same text.", "correct")
    dup = _review("ai_training.present", "p", "Same text.", "wrong")
    once = score([row, dup], [_current("ai_training.present", "p", "Same text.")])
    assert once["correct_kept"] == 1 and once["wrong_still_raised"] == 0
    twice = score([row, dup], [_current("ai_training.present", "p", "Same text.")] * 2)
    assert twice["wrong_still_raised"] == 1


def test_bad_reviews_file_names_the_line(tmp_path: Path) -> None:
    f = tmp_path / "reviews.jsonl"
    f.write_text('{"scope": "pairs"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1 has no 'pair'"):
        read_reviews(f)
    with pytest.raises(InputError, match="no reviews.jsonl"):
        evaluate_reviews(tmp_path / "nowhere")


def test_end_to_end_on_a_synthetic_pair(tmp_path: Path) -> None:
    base = "# Privacy policy\n\nWe collect your e-mail address to run your account.\n\n"
    case = tmp_path / "corpora" / "ai_pairs" / "01_chirp"
    case.mkdir(parents=True)
    (case / "old.md").write_text(base, encoding="utf-8")
    new = base + "We use your public posts to train our AI models.\n"
    (case / "new.md").write_text(new, encoding="utf-8")
    (case / "meta.json").write_text(
        json.dumps({"id": "01_chirp", "kind": "positive", "adds_ai_training": True,
                    "expected_added_sentences": [], "ambiguous": False}),
        encoding="utf-8",
    )  # fmt: skip
    reviews = tmp_path / "corpora" / "finding_reviews"
    reviews.mkdir()
    rows = [
        _review("ai_training.added", "01_chirp", "We use your public posts to train our AI "
                "models.", "correct"),
        _review("vague_purpose.added", "01_chirp", "Gone clause.", "wrong"),
    ]  # fmt: skip
    (reviews / "reviews.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    from cli import cli

    out = CliRunner().invoke(cli, ["evaluate", "reviews", str(reviews), "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["correct_kept"] == 1 and result["wrong_still_raised"] == 0
    assert all(f["pair"] == "01_chirp" for f in result["new_findings"])


def test_development_reviews(shared_corpora: Path) -> None:
    """The shared reviews (development data, the rules were written looking at them):
    wrong findings gone but for the AI-training ones of issue 10, correct ones kept."""
    reviews = shared_corpora / "finding_reviews"
    if not (reviews / "reviews.jsonl").is_file():
        pytest.skip("finding_reviews not in the shared corpora")
    r = evaluate_reviews(reviews)
    assert r["correct_reviewed"] == 50 and r["wrong_reviewed"] == 23
    assert r["correct_kept"] >= 45
    not_training = {
        flag: c for flag, c in r["per_flag"].items() if not flag.startswith("ai_training")
    }
    assert sum(c.get("wrong_raised", 0) for c in not_training.values()) <= 1
    assert r["new"] <= 5


def test_a_refined_flag_matches_the_review_of_the_flag_it_refines() -> None:
    from analyzer.evaluation.reviews import score

    review = {
        "id": "r1",
        "scope": "pairs",
        "pair": "p",
        "flag": "ai_training.added",
        "verdict": "correct",
        "new_clause": "We also use your chats to train our models.",
    }
    now = [{"flag": "ai_training.scope_widened", "pair": "p", "clause": review["new_clause"]}]
    result = score([review], now)
    assert result["correct_kept"] == 1 and result["new"] == 0

"""ai_pairs evaluation: synthetic cases in a temp folder, and the shared development pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import InputError
from analyzer.evaluation.ai_pairs import _contains, evaluate_ai_pairs, format_table, main
from corpora.ai_pairs import read_pairs

BASE = (
    "# Privacy policy\n\nWe collect your name and e-mail address when you sign up.\n\n"
    "We use your data to provide the service and keep it secure.\n\n"
)


def _case(root: Path, name: str, old: str, new: str, adds: bool, expected=(), ambiguous=False):
    d = root / name
    d.mkdir(parents=True)
    (d / "old.md").write_text(BASE + old, encoding="utf-8")
    (d / "new.md").write_text(BASE + new, encoding="utf-8")
    (d / "meta.json").write_text(
        json.dumps(
            {
                "id": name,
                "kind": "positive" if adds else "negative",
                "adds_ai_training": adds,
                "expected_added_sentences": list(expected),
                "ambiguous": ambiguous,
            }
        ),
        encoding="utf-8",
    )


@pytest.fixture()
def pairs(tmp_path: Path) -> Path:
    _case(
        tmp_path,
        "a_pos",
        "",
        "We use your public posts to train our AI models.\n",
        True,
        ["use your public posts to train our AI models"],
    )
    _case(tmp_path, "b_neg_negated", "", "We do not use your messages to train AI models.\n", False)
    _case(
        tmp_path,
        "c_neg_reworded",
        "We use public posts to help train our AI models (Bard).\n",
        "We use public posts to help train our AI models (Gemini).\n",
        False,
    )
    _case(tmp_path, "d_amb", "", "Our assistant can make mistakes.\n", True, ["assistant"], True)
    return tmp_path


def test_evaluate_synthetic_pairs(pairs: Path) -> None:
    result = evaluate_ai_pairs(pairs)
    rows = {r["id"]: r for r in result["cases"]}
    assert rows["a_pos"]["predicted"] and rows["a_pos"]["right_clause"] is True
    assert not rows["b_neg_negated"]["predicted"] and rows["b_neg_negated"]["right_clause"] is None
    assert not rows["c_neg_reworded"]["predicted"]
    s = result["scores"]
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (1, 0, 0, 2)
    assert s["precision"] == s["recall"] == s["f1"] == 1.0
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    assert result["ambiguous"]["pairs"] == 1 and result["ambiguous"]["fn"] == 1
    table = format_table(result)
    assert "a_pos" in table and "non-ambiguous" in table


def test_cli_entry_point(pairs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(pairs), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["task"] == "ai-pairs" and len(out["cases"]) == 4
    assert main([]) == 2


def test_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        read_pairs(tmp_path / "missing")
    with pytest.raises(InputError, match="no case folders"):
        read_pairs(tmp_path)
    d = tmp_path / "x"
    d.mkdir()
    (d / "meta.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="old.md"):
        read_pairs(tmp_path)


@pytest.mark.parametrize(
    ("clause", "expected", "found"),
    [
        (
            "See [our notice](https://x.y/z), including to improve it.",
            "our notice, including",
            True,
        ),
        ("Something else entirely.", "our notice", False),
        (
            "A | B: " + "one two three four five six seven eight nine ten",
            "zero one two three four "
            "five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
            True,
        ),
    ],
)
def test_contains(clause: str, expected: str, found: bool) -> None:
    assert _contains(clause, expected) is found


@pytest.mark.slow
def test_development_pairs(shared_corpora: Path) -> None:
    """Figures reached on the 18 development pairs (see README / final report)."""
    result = evaluate_ai_pairs(shared_corpora / "ai_pairs")
    s = result["scores"]
    assert s["pairs"] == 15 and s["positives"] == 4
    assert s["recall"] == 1.0 and s["fp"] == 0
    assert s["right_clause"] == s["positives"]
    rows = {r["id"]: r for r in result["cases"]}
    # the French rewording must not raise a flag
    assert not any(r["predicted"] for r in rows.values() if not r["expected"])

"""``policydiff evaluate ai-clauses``: rows located in their source documents and scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.errors import InputError
from analyzer.evaluation.ai_clauses import evaluate_ai_clauses, locate, norm, read_rows


def test_norm_drops_links_and_punctuation() -> None:
    assert norm("See [our guide](https://x.y) — now!") == "see our guide now"


def test_malformed_row_file_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "clauses.jsonl"
    p.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        read_rows(p)


def test_tiny_folder_scores_rows_in_their_documents(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "p.md").write_text(
        "# Policy\n\nWe use your public posts to train our AI models.\n\n"
        "We do not use your private messages to train our AI models.\n\n"
        "We use cookies to remember your settings.\n",
        encoding="utf-8",
    )
    folder = tmp_path / "ai_clauses"
    folder.mkdir()
    rows = [
        ("r1", "We use your public posts to train our AI models.", "trains"),
        ("r2", "We do not use your private messages to train our AI models.", "not_trains"),
        ("r3", "We use cookies to remember your settings.", "none"),
    ]
    (folder / "clauses.jsonl").write_text(
        "".join(
            json.dumps({"id": i, "service": "X", "file": "docs/p.md", "text": t, "label": lab})
            + "\n"
            for i, t, lab in rows
        ),
        encoding="utf-8",
    )
    result = evaluate_ai_clauses(folder, corpora=tmp_path)
    block = result["clauses.jsonl"]
    assert block["non_hard"]["tp"] == 1 and block["non_hard"]["fp"] == 0
    assert block["all"]["denials_read_as_use"] == 0
    assert result["precision"] == 1.0 and result["recall"] == 1.0

    from cli import cli

    out = CliRunner().invoke(cli, ["evaluate", "ai-clauses", str(folder), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["recall"] == 1.0


@pytest.mark.corpora
@pytest.mark.slow
def test_shared_rows_are_located(shared_corpora: Path) -> None:
    from analyzer.engine import PolicyAnalyzer

    rows = read_rows(shared_corpora / "ai_clauses" / "clauses.jsonl")[:20]
    engine = PolicyAnalyzer()
    found = sum(bool(locate(engine.analyze(shared_corpora / r.file), r.text)) for r in rows)
    assert found >= 18

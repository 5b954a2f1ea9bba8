"""``compare --cross-language``: two language versions of one policy compared by what they
state (analyzer/crosslang.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

EN = (
    "# Privacy Policy\n\n"
    "We use your account information to provide the service.\n\n"
    "We use your public posts and comments to develop and improve our AI models, on the basis "
    "of our legitimate interests.\n\n"
    "We do not use your private messages to train our AI models.\n"
)
DE = (
    "# Datenschutzerklärung\n\n"
    "Wir verwenden Ihre Kontoinformationen, um den Dienst bereitzustellen.\n\n"
    "Wir verwenden Ihre öffentlichen Beiträge und Kommentare, um unsere KI-Modelle zu "
    "entwickeln und zu verbessern, auf der Grundlage unserer berechtigten Interessen.\n"
)
#: German word order: the negation follows the object ("Nachrichten nicht")
DE_FULL = (
    DE + "\nWir verwenden Ihre privaten Nachrichten nicht, um unsere KI-Modelle zu trainieren.\n"
)


def _files(tmp_path: Path, de: str) -> tuple[Path, Path]:
    en_f, de_f = tmp_path / "policy_en.md", tmp_path / "policy_de.md"
    en_f.write_text(EN, encoding="utf-8")
    de_f.write_text(de, encoding="utf-8")
    return en_f, de_f


def test_a_protection_stated_in_one_language_only_is_reported(tmp_path: Path) -> None:
    from analyzer.engine import PolicyAnalyzer

    en_f, de_f = _files(tmp_path, DE)
    c = PolicyAnalyzer().compare_languages(en_f, de_f)
    assert c.old.version.language == "en" and c.new.version.language == "de"
    assert [f.flag for f in c.findings] == ["exclusion.removed"]
    assert "private_messages" in c.findings[0].terms
    # the training clause is aligned with its German counterpart by what both state
    pairs = [ch for ch in c.changes if ch.kind == "modified"]
    assert any(
        "develop and improve our AI" in ch.old.text and "KI-Modelle" in ch.new.text for ch in pairs
    )


def test_the_same_statements_in_two_languages_give_no_finding(tmp_path: Path) -> None:
    from analyzer.engine import PolicyAnalyzer

    en_f, de_f = _files(tmp_path, DE_FULL)
    c = PolicyAnalyzer().compare_languages(en_f, de_f)
    assert [f.flag for f in c.findings] == []


def test_cli_flag(tmp_path: Path) -> None:
    from cli import cli

    en_f, de_f = _files(tmp_path, DE)
    res = CliRunner().invoke(
        cli, ["compare", str(en_f), str(de_f), "--cross-language", "--format", "text"]
    )
    assert res.exit_code == 0, res.output
    assert "exclusion.removed" in res.output


def test_a_broken_capture_is_reported_not_compared(tmp_path: Path) -> None:
    from analyzer.engine import PolicyAnalyzer

    en_f, _ = _files(tmp_path, DE)
    stub = tmp_path / "stub_de.md"
    stub.write_text("Redirecting to https://example.com/de/datenschutz ...\n", encoding="utf-8")
    c = PolicyAnalyzer().compare_languages(en_f, stub)
    assert c.problems and not c.findings and not c.changes

"""Document languages: detection, the pipeline each language runs, and the warning for a
language the patterns do not cover."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer import languages
from analyzer.engine import PolicyAnalyzer
from analyzer.ingest import from_text
from analyzer.recognizers.patterns import PATTERN_DIR, compile_file, has_patterns

EN = (
    "We collect the information you give us and we use it to provide the service. "
    "We share your data with service providers for the purposes in this policy."
)
DE = (
    "Wir erheben die Daten, die Sie uns geben, und wir nutzen sie für den Dienst. "
    "Rechtsgrundlage ist Art. 6 Abs. 1 lit. f DSGVO. Wir geben Ihre Daten an "
    "Dienstleister weiter."
)
FR = (
    "Nous collectons les données que vous nous donnez et nous les utilisons pour le "
    "service. Le traitement est fondé sur l'article 6, paragraphe 1, point f) du RGPD."
)
ES = (
    "Recopilamos información sobre usted cuando utiliza nuestros servicios. Utilizamos la "
    "información que recopilamos para proporcionar, mantener y mejorar nuestros servicios, "
    "y podemos compartirla con terceros para fines de publicidad."
)
IT = (
    "Raccogliamo informazioni su di te quando utilizzi i nostri servizi. Utilizziamo le "
    "informazioni che raccogliamo per fornire, mantenere e migliorare i nostri servizi."
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [(EN, "en"), (DE, "de"), (FR, "fr"), (ES, "es"), (IT, "it"), ("12345 67890", None)],
)
def test_detect(text: str, lang: str | None) -> None:
    assert languages.detect(text) == lang


def test_stopword_count_is_not_clear_on_spanish() -> None:
    """Spanish shares 'la', 'que', 'des' with French: the count alone would say French."""
    guess, clear = languages.stopword_guess(ES)
    assert not clear


@pytest.mark.parametrize(("text", "lang"), [(EN, "en"), (DE, "de"), (FR, "fr")])
def test_stopword_count_decides_plain_documents(text: str, lang: str) -> None:
    assert languages.stopword_guess(text) == (lang, True)


@pytest.fixture(scope="module")
def engine() -> PolicyAnalyzer:
    return PolicyAnalyzer()


def test_german_document_runs_the_german_pipeline(engine) -> None:
    av = engine.analyze(from_text(DE, source="de.txt"))
    assert av.version.language == "de" and av.warnings == ()
    found = {(a.kind, a.label) for a in av.annotations}
    assert ("legal_basis", "legitimate_interests") in found
    assert ("recipient", "service_providers") in found
    # the English-only classifiers do not run on German text
    assert not any(a.explanation.source == "model" for a in av.annotations)
    assert engine.language_of(av.version) == "de"


def test_french_document_runs_the_french_pipeline(engine) -> None:
    av = engine.analyze(from_text(FR, source="fr.txt"))
    assert ("legal_basis", "legitimate_interests") in {(a.kind, a.label) for a in av.annotations}


def test_uncovered_language_warns_and_names_the_missing_families(engine) -> None:
    av = engine.analyze(from_text(ES, source="es.txt"))
    assert av.version.language == "es"
    (warning,) = av.warnings
    assert "language 'es' is not covered" in warning
    for family in ("purposes", "legal bases", "recipients", "data categories"):
        assert family in warning
    assert not any(a.kind in ("purpose", "legal_basis", "recipient") for a in av.annotations)


def test_forced_language_overrides_detection() -> None:
    pa = PolicyAnalyzer(lang="en")
    av = pa.analyze(from_text(DE, source="de.txt"))
    assert pa.language_of(av.version) == "en"
    assert av.warnings == ()


def test_compare_across_languages_equals_separate_analyses(engine) -> None:
    """One compare shares Docs, splits and annotations between its versions: keyed by
    language, so an English and a German version do not mix."""
    en, de = from_text(EN, source="en.txt"), from_text(DE, source="de.txt")
    c = engine.compare(en, de)
    assert c.old.annotations == engine.analyze(en).annotations
    assert c.new.annotations == engine.analyze(de).annotations


def test_json_and_text_reports_name_the_language_and_warn() -> None:
    from analyzer.report import render

    pa = PolicyAnalyzer()
    a = pa.analysis(from_text(ES, source="es.txt"))
    d = json.loads(render(a, "json"))
    assert d["version"]["language"] == "es"
    assert len(d["warnings"]) == 1
    text = render(a, "text")
    assert "(language es)" in text and "warning: language 'es' is not covered" in text
    c = pa.compare(from_text(EN, source="en.txt"), from_text(ES, source="es.txt"))
    d = json.loads(render(c, "json"))
    assert [w.split(":")[0] for w in d["warnings"]] == ["new"]
    assert "language es" in render(c, "markdown")
    html = render(c, "html")
    assert '<th scope="row">Language</th><td>en</td><td>es</td>' in html
    assert "new: language &#39;es&#39; is not covered" in html


def test_cli_warns_on_stderr(tmp_path: Path) -> None:
    from cli import cli

    f = tmp_path / "es.txt"
    f.write_text(ES, encoding="utf-8")
    res = CliRunner().invoke(cli, ["analyze", str(f), "--format", "json"])
    assert res.exit_code == 0
    assert res.stderr.count("warning: language 'es' is not covered") == 1
    assert json.loads(res.stdout)["warnings"]


def test_every_rule_family_has_german_and_french_patterns() -> None:
    names = sorted(p.stem for p in PATTERN_DIR.glob("*.json") if p.stem.count(".") == 0)
    for name in names:
        if name in ("ai_training", "modality"):  # multilingual lexicons (en, de, fr in one file)
            continue
        for lang in ("de", "fr"):
            assert has_patterns(name, lang), f"{name}.{lang}.json missing"
            ps = compile_file(PATTERN_DIR / f"{name}.{lang}.json")
            en = compile_file(PATTERN_DIR / f"{name}.json")
            assert ps.kind == en.kind
            assert set(ps.labels()) <= set(en.labels()) | {"named_company"}


def test_german_abbreviations_do_not_end_sentences(engine) -> None:
    av = engine.analyze(from_text(DE, source="de.txt"))
    assert any("Art. 6 Abs. 1 lit. f DSGVO" in c.text for c in av.clauses)


def test_shared_corpora_languages_are_detected(shared_corpora: Path) -> None:
    from analyzer.ingest import read_path
    from corpora.tiltify import read_folder

    wrong = [
        d.name
        for d in read_folder(shared_corpora / "tiltify")
        if languages.detect(d.text) != d.language
    ]
    assert wrong == []
    france = sorted((shared_corpora / "policy_versions" / "france" / "Google").rglob("*.md*"))
    assert france and {read_path(p).language for p in france} == {"fr"}


def test_french_pipeline_splits_elisions_like_spacy_french() -> None:
    """The light French tokenizer (no spacy.lang.fr exceptions, which take seconds to build)
    splits elided articles and negations as spaCy's French does."""
    from analyzer.nlp import get_nlp

    nlp = get_nlp("fr")
    assert nlp.lang == "fr"
    text = "Nous n'utilisons pas l'article 6, paragraphe 1, point f) du RGPD qu'avec soin."
    assert [t.text for t in nlp(text)] == [
        "Nous", "n'", "utilisons", "pas", "l'", "article", "6", ",", "paragraphe", "1", ",",
        "point", "f", ")", "du", "RGPD", "qu'", "avec", "soin", ".",
    ]  # fmt: skip

"""Document languages: which are covered, how a document's language is found, and what a
report says when a document is in a language the patterns do not cover.

The language of a document decides its pipeline (``analyzer.engine``): the tokenizer and
sentence rules of ``spacy.blank(lang)``, and the recognizers that have patterns (or a model)
for that language (``Recognizer.languages``). Labels are the same in every language.

Detection is two-step. Most policies are plainly English, German or French, and a count of
a few function words decides them in microseconds (:func:`stopword_guess`). A text that this
count does not decide clearly (another language, or too little text) goes to py3langid
(``langid.py``'s model of 97 languages, shipped inside the package: nothing is downloaded),
loaded on first need.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Any

#: languages with their own patterns for every rule family
COVERED: tuple[str, ...] = ("en", "de", "fr")
#: the pipeline language of a document whose language could not be told
DEFAULT = "en"

_STOPWORDS = {
    "en": frozenset("the and of to we you your in is that for with are this our or by".split()),
    "fr": frozenset("le la les et des vous nous vos est une pour dans que sur par du".split()),
    "de": frozenset("der die und das sie wir ihre ist nicht mit den von zu für auf ein".split()),
}
_WORD = re.compile(r"[a-zäöüßéèàùçâêîôû]+")
#: the stop-word count decides when the best language's words are at least this share of
#: all words and the runner-up has at most ``_CLEAR_RATIO`` of its count. Measured: every
#: TILTify policy and every version in ``policy_versions`` has a share of 0.167 or more and a
#: runner-up ratio of 0.164 or less; Spanish or Italian text scores about 0.06 for French.
_CLEAR_SHARE = 0.12
_CLEAR_RATIO = 0.3
#: py3langid's normalized probability below which its answer is not trusted
_MIN_CONFIDENCE = 0.8

_KIND_NAMES = {
    "purpose": "purposes",
    "data_category": "data categories",
    "data_source": "data sources",
    "legal_basis": "legal bases",
    "recipient": "recipients",
    "choice": "choices",
    "exclusion": "exclusions",
    "vague": "vague terms",
    "ai_training": "AI training",
    "category": "OPP-115 categories",
}


def stopword_guess(text: str) -> tuple[str | None, bool]:
    """``(language, clear)`` from counts of English, French and German function words;
    ``clear`` is False when the count does not clearly pick one of the three."""
    words = _WORD.findall(text.lower())
    if len(words) < 5:
        return None, False
    counts = Counter(words)
    scores = sorted(
        ((sum(counts[w] for w in sw), lang) for lang, sw in _STOPWORDS.items()), reverse=True
    )
    (best, lang), (second, _) = scores[0], scores[1]
    if best < 2:
        return None, False
    clear = best >= _CLEAR_SHARE * len(words) and second <= _CLEAR_RATIO * best
    return lang, clear


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> str | None:
    """py3langid's answer for ``text`` (ISO 639-1), or None when it is not confident."""
    lang, prob = _identifier().classify(text)
    return str(lang) if prob >= _MIN_CONFIDENCE else None


def detect(text: str, sample: int = 20_000) -> str | None:
    """The language of ``text`` (ISO 639-1 code such as ``en``, ``de``, ``fr``, ``es``), or
    None when it cannot be told (too little text)."""
    head = text[:sample]
    lang, clear = stopword_guess(head)
    if clear:
        return lang
    if len(_WORD.findall(head.lower())) < 5:
        return None
    return identify(head[:5_000])


def pipeline_language(detected: str | None) -> str:
    """The pipeline a document in ``detected`` runs: its own language when covered, the
    default (English) when unknown, and otherwise its own code (then only the recognizers
    that do not depend on the language run, and the report warns)."""
    return detected or DEFAULT


def family_names(kinds: list[str] | tuple[str, ...]) -> list[str]:
    """Readable names of annotation kinds, in order, without repeats."""
    return list(dict.fromkeys(_KIND_NAMES.get(k, k) for k in kinds))


def uncovered_warning(lang: str | None, missing_kinds: list[str] | tuple[str, ...]) -> str | None:
    """The one-line warning for a document in a language outside :data:`COVERED`, naming
    the annotation families that are then not produced (None for a covered language)."""
    if lang is None or lang in COVERED:
        return None
    missing = ", ".join(family_names(missing_kinds)) or "none"
    return (
        f"language '{lang}' is not covered (covered: {', '.join(COVERED)}): "
        f"not annotated: {missing}"
    )

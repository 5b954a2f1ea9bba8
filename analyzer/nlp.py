"""The one spaCy pipeline every stage shares: ``spacy.blank`` plus a sentencizer.

No trained spaCy model package is needed or downloaded; recognizers add their own rule
components (``Matcher``/``PhraseMatcher``) on top of this tokenizer.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language


def get_nlp(lang: str = "en") -> Language:
    """Return the shared blank pipeline for ``lang`` (cached per process)."""
    return _build(lang)  # one cache key per language, however the argument was passed


@lru_cache(maxsize=4)
def _build(lang: str) -> Language:
    try:
        nlp = _french() if lang == "fr" else spacy.blank(lang)
    except Exception:  # unknown language code: fall back to a multi-language tokenizer
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000
    return nlp


def _french() -> Language:
    """``spacy.blank("fr")``'s tokenizer rules (elided "l'", "n'", "qu'" split off, the same
    prefixes, suffixes and infixes) without its French tokenizer exceptions: importing
    ``spacy.lang.fr`` builds thousands of hyphenated-word exceptions and took 3-10 s here,
    paid by the first French document of every process. The exceptions only keep words such
    as "aujourd'hui" or "peut-être" in one token, which no pattern depends on."""
    from spacy.lang.char_classes import (
        ALPHA,
        ALPHA_LOWER,
        ALPHA_UPPER,
        CONCAT_QUOTES,
        CURRENCY,
        LIST_ELLIPSES,
        LIST_PUNCT,
        LIST_QUOTES,
        UNITS,
        merge_chars,
    )
    from spacy.lang.punctuation import TOKENIZER_INFIXES, TOKENIZER_PREFIXES
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
    from spacy.language import BaseDefaults

    # as in spacy/lang/fr/punctuation.py
    elision = "'’"
    hyphens = r"- – — ‐ ‑".replace(" ", "")
    pe = "d l n D L N"
    hs = "ce clés elle en il ils je là moi nous on t vous"
    hs += " " + hs.upper()

    class FrenchDefaults(BaseDefaults):
        tokenizer_exceptions = BASE_EXCEPTIONS
        prefixes = [
            *TOKENIZER_PREFIXES,
            rf"(?:({merge_chars(pe)})[{elision}])(?=[{ALPHA}])",
        ]
        suffixes = [
            *LIST_PUNCT,
            *LIST_ELLIPSES,
            *LIST_QUOTES,
            r"(?<=[0-9])\+",
            r"(?<=°[FfCcKk])\.",
            r"(?<=[0-9])%",
            rf"(?<=[0-9])(?:{CURRENCY})",
            rf"(?<=[0-9])(?:{UNITS})",
            r"(?<=[0-9{al}{e}(?:{q})])\.".format(al=ALPHA_LOWER, e=r"%²\-\+", q=CONCAT_QUOTES),
            rf"(?<=[{ALPHA_UPPER}][{ALPHA_UPPER}])\.",
            rf"(?<=[{ALPHA}])[{hyphens}]({merge_chars(hs)})",
        ]
        infixes = [*TOKENIZER_INFIXES, rf"(?<=[{ALPHA}][{elision}])(?=[{ALPHA}])"]

    class French(Language):
        lang = "fr"
        Defaults = FrenchDefaults

    return French()

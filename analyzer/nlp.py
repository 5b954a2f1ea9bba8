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
        nlp = spacy.blank(lang)
    except Exception:  # unknown language code: fall back to a multi-language tokenizer
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000
    return nlp

"""The one spaCy pipeline every stage shares: ``spacy.blank`` plus a sentencizer.

No trained spaCy model package is needed or downloaded; recognizers add their own rule
components (``Matcher``/``PhraseMatcher``) on top of this tokenizer.

Two guards keep the tokenizer linear on hostile text (issue 12, decision 0014). spaCy splits
a whitespace-free chunk by stripping one prefix or suffix at a time, and its suffix rules
are one regex anchored at the end (``...$``) that ``re.search`` tries at every position, so
a chunk of 100,000 ``(`` cost minutes. Here the suffix search starts ``SUFFIX_WINDOW``
characters before the end (every suffix rule matches a few characters; lookbehinds still
see the text before the window), and a chunk longer than ``LONG_TOKEN`` characters is one
token, never split. Ordinary text never meets either limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

#: a whitespace-free chunk longer than this (characters) is one token, not split further
LONG_TOKEN = 1_000
#: the suffix rules are tried on the last this many characters of a chunk
SUFFIX_WINDOW = 64


def get_nlp(lang: str = "en") -> Language:
    """Return the shared blank pipeline for ``lang`` (cached per process)."""
    return _build(lang)  # one cache key per language, however the argument was passed


class _WindowedSuffix:
    """``suffix_search`` that tries the suffix regex on the end of a chunk only.

    Same result as the plain search whenever the suffix it finds is shorter than
    ``window`` characters (all of spaCy's suffix rules but runs of dots). ``__self__``
    stands for the compiled pattern, which spaCy reads when it serializes a tokenizer.
    """

    def __init__(self, pattern: re.Pattern[str], window: int):
        self.__self__ = pattern
        self.window = window

    def __call__(self, string: str) -> re.Match[str] | None:
        start = len(string) - self.window
        return self.__self__.search(string, start) if start > 0 else self.__self__.search(string)


class _LongOr:
    """``token_match`` of a language whose own pattern cannot be combined into one regex;
    ``__self__`` is that pattern (what spaCy writes when it serializes the tokenizer)."""

    def __init__(self, match: Callable[[str], object]):
        self.match = match
        self.__self__ = getattr(match, "__self__", None)

    def __call__(self, string: str) -> object:
        return len(string) > LONG_TOKEN or self.match(string)


def _long_or(match: Callable[[str], object] | None) -> Callable[[str], object]:
    """``token_match`` that also keeps any chunk longer than ``LONG_TOKEN`` whole: the
    ``match`` of one compiled pattern (spaCy serializes a tokenizer by its patterns), a
    run of ``LONG_TOKEN + 1`` characters or the language's own ``token_match`` pattern."""
    long = f"[\\s\\S]{{{LONG_TOKEN + 1}}}"
    if match is None:
        return re.compile(long).match
    orig = getattr(match, "__self__", None)
    if isinstance(orig, re.Pattern):
        try:
            return re.compile(f"{long}|(?:{orig.pattern})", orig.flags).match
        except re.error:  # e.g. global flags inside the pattern
            pass
    return _LongOr(match)


@lru_cache(maxsize=4)
def _build(lang: str) -> Language:
    """The language's blank pipeline, built directly from its class (``spacy.blank``
    resolves and validates a whole configuration first, then builds the same object) with
    the guarded tokenizer of :func:`_guarded_tokenizer`."""
    try:
        cls = _french_class() if lang == "fr" else spacy.util.get_lang_class(lang)
    except Exception:  # unknown language code: fall back to a multi-language tokenizer
        cls = spacy.util.get_lang_class("xx")
    nlp = cls(create_tokenizer=_guarded_tokenizer)
    nlp.add_pipe("sentencizer")
    nlp.max_length = 20_000_000
    return nlp


def _guarded_tokenizer(nlp: Language) -> Tokenizer:
    """spaCy's default tokenizer for ``nlp``'s language (``spacy.language.create_tokenizer``)
    with the two guards of the module docstring. Built in one go: each tokenizer setter
    reloads the special cases (about 0.1 s for English), which the constructor loads once."""
    d = nlp.Defaults
    suffix = spacy.util.compile_suffix_regex(d.suffixes) if d.suffixes else None
    return Tokenizer(
        nlp.vocab,
        rules=d.tokenizer_exceptions,
        prefix_search=spacy.util.compile_prefix_regex(d.prefixes).search if d.prefixes else None,
        suffix_search=_WindowedSuffix(suffix, SUFFIX_WINDOW) if suffix is not None else None,
        infix_finditer=spacy.util.compile_infix_regex(d.infixes).finditer if d.infixes else None,
        token_match=_long_or(d.token_match),
        url_match=d.url_match,
    )


def _french_class() -> type[Language]:
    """A language class with ``spacy.blank("fr")``'s tokenizer rules (elided "l'", "n'",
    "qu'" split off, the same prefixes, suffixes and infixes) without its French tokenizer
    exceptions: importing ``spacy.lang.fr`` builds thousands of hyphenated-word exceptions
    and took 3-10 s here, paid by the first French document of every process. The
    exceptions only keep words such as "aujourd'hui" or "peut-être" in one token, which no
    pattern depends on."""
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

    return French

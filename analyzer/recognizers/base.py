"""The recognizer interface and the registry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import ClassVar

from spacy.tokens import Doc

from ..datamodel import Annotation, Clause

_FACTORIES: dict[str, Callable[[], Recognizer]] = {}


class Recognizer:
    """Base class: subclasses set ``name`` and ``kinds`` and implement ``analyze``."""

    name: ClassVar[str] = "policydiff.base.v1"
    kinds: ClassVar[tuple[str, ...]] = ()
    #: True when the annotations of a clause depend only on that clause's ``id``, ``text``,
    #: ``kind``, ``context`` and ``section`` and on the text and kind of the clause before
    #: it (never on offsets, on other clauses or on state kept between calls). The engine
    #: then reuses the annotations of a clause it has seen in the same scope (the other
    #: version of a comparison, earlier versions of a session) instead of running the
    #: recognizers on it again.
    per_clause: ClassVar[bool] = False
    #: the document languages the recognizer has patterns (or a model) for; None: any
    languages: ClassVar[tuple[str, ...] | None] = None

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        """Annotate ``clauses``; ``docs[i]`` is the spaCy Doc of ``clauses[i].text``."""
        raise NotImplementedError

    def passes(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[list[Annotation]]:
        """The annotations of :meth:`analyze` as the recognizer's passes over the clauses
        (e.g. one per model), each in clause order; always the same number of passes. A
        :attr:`per_clause` recognizer whose ``analyze`` output is not in clause order
        overrides this. Default: one pass."""
        return [self.analyze(clauses, docs)]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def register(name: str) -> Callable[[type[Recognizer]], type[Recognizer]]:
    """Class decorator: make a recognizer available to ``RecognizerRegistry.default()``."""

    def deco(cls: type[Recognizer]) -> type[Recognizer]:
        cls.name = name
        _FACTORIES[name] = cls
        return cls

    return deco


class RecognizerRegistry:
    """An ordered set of recognizers the engine runs over every clause."""

    def __init__(self, recognizers: Sequence[Recognizer] = ()):
        self._recognizers: list[Recognizer] = list(recognizers)

    @classmethod
    def default(cls) -> RecognizerRegistry:
        """All built-in recognizers registered with ``@register``, plus the trained models
        (``policydiff.models.v1``) when ``models/`` holds loadable model files; if not, a
        warning is logged and the rules run alone."""
        from ..classify import recognizer  # noqa: F401  (registers policydiff.models.v1)
        from ..errors import ModelError
        from . import builtin  # noqa: F401  (import registers the built-in recognizers)

        found: list[Recognizer] = []
        for name, factory in _FACTORIES.items():
            try:
                found.append(factory())
            except ModelError as exc:
                logging.getLogger(__name__).warning(
                    "%s disabled, continuing with the rule recognizers only: %s", name, exc
                )
        return cls(found)

    @staticmethod
    def available() -> list[str]:
        from ..classify import recognizer  # noqa: F401
        from . import builtin  # noqa: F401

        return sorted(_FACTORIES)

    def add(self, recognizer: Recognizer) -> None:
        self._recognizers.append(recognizer)

    def remove(self, name: str) -> None:
        self._recognizers = [r for r in self._recognizers if r.name != name]

    def replace(self, name: str, recognizer: Recognizer) -> None:
        """Put ``recognizer`` in the place of the one registered as ``name``."""
        self._recognizers = [recognizer if r.name == name else r for r in self._recognizers]

    def get(self, name: str) -> Recognizer:
        for r in self._recognizers:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def recognizers(self) -> tuple[Recognizer, ...]:
        return tuple(self._recognizers)

    def for_language(self, lang: str) -> RecognizerRegistry:
        """The recognizers that cover documents in ``lang`` (same order)."""
        return RecognizerRegistry(
            [r for r in self._recognizers if r.languages is None or lang in r.languages]
        )

    def missing_for(self, lang: str) -> list[Recognizer]:
        """The recognizers that do not cover documents in ``lang``."""
        return [r for r in self._recognizers if r.languages is not None and lang not in r.languages]

    @property
    def per_clause(self) -> bool:
        """Whether every recognizer is :attr:`Recognizer.per_clause`."""
        return all(r.per_clause for r in self._recognizers)

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        for r in self._recognizers:
            out.extend(r.analyze(clauses, docs))
        return out

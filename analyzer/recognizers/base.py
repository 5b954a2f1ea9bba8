"""The recognizer interface and the registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from spacy.tokens import Doc

from ..datamodel import Annotation, Clause

_FACTORIES: dict[str, Callable[[], Recognizer]] = {}


class Recognizer:
    """Base class: subclasses set ``name`` and ``kinds`` and implement ``analyze``."""

    name: ClassVar[str] = "policydiff.base.v1"
    kinds: ClassVar[tuple[str, ...]] = ()

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        """Annotate ``clauses``; ``docs[i]`` is the spaCy Doc of ``clauses[i].text``."""
        raise NotImplementedError

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
        """All built-in recognizers registered with ``@register``."""
        from . import builtin  # noqa: F401  (import registers the built-in recognizers)

        return cls([factory() for factory in _FACTORIES.values()])

    @staticmethod
    def available() -> list[str]:
        from . import builtin  # noqa: F401

        return sorted(_FACTORIES)

    def add(self, recognizer: Recognizer) -> None:
        self._recognizers.append(recognizer)

    def remove(self, name: str) -> None:
        self._recognizers = [r for r in self._recognizers if r.name != name]

    def get(self, name: str) -> Recognizer:
        for r in self._recognizers:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def recognizers(self) -> tuple[Recognizer, ...]:
        return tuple(self._recognizers)

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        for r in self._recognizers:
            out.extend(r.analyze(clauses, docs))
        return out

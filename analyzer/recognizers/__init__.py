"""Recognizers: small registered classes that annotate clauses (after presidio-analyzer).

Each recognizer has a versioned ``name`` (``policydiff.<what>.v1``), the annotation ``kinds``
it can produce, and ``analyze(clauses, docs) -> list[Annotation]``. Rule recognizers read
their patterns from JSON files in ``analyzer/patterns/`` validated on load; model
recognizers wrap the trained classifiers in ``models/``. ``RecognizerRegistry.default()``
returns the built-in set.
"""

from __future__ import annotations

from .base import Recognizer, RecognizerRegistry, register

__all__ = ["Recognizer", "RecognizerRegistry", "register"]

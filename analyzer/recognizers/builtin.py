"""Imports every built-in recognizer module so that ``@register`` runs."""

from __future__ import annotations

from . import ai_training, legal_basis, lexical, vagueness  # noqa: F401

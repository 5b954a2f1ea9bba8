"""Imports every built-in recognizer module so that ``@register`` runs.

FOUNDATION VERSION: no recognizers yet.
"""

from __future__ import annotations

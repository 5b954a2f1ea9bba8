"""JSON report: ``Comparison.to_dict()`` / ``Analysis.to_dict()``, documented in
``docs/json-schema.md``."""

from __future__ import annotations

import json

from ..datamodel import Analysis, Comparison
from . import register_format


@register_format("json")
def render_json(obj: Comparison | Analysis) -> str:
    """Indented JSON (UTF-8 text, not ASCII-escaped) ending with a newline."""
    return json.dumps(obj.to_dict(), indent=2, ensure_ascii=False) + "\n"

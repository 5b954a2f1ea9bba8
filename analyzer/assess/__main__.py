"""``python -m analyzer.assess`` prints the flag catalogue (docs/flags.md)."""

from .catalogue import flags_markdown

print(flags_markdown(), end="")

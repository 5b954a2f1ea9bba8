"""Errors raised by the policydiff library.

Every error names the file (when there is one) and what to do about it. The CLI maps
them to exit codes: ``InputError`` (and its ``TimeLimitError``) and ``UsageError`` -> 2,
``ModelError`` -> 2.
"""

from __future__ import annotations


class PolicyDiffError(Exception):
    """Base class of every error policydiff raises on purpose."""

    code = "E000"

    def __init__(self, message: str, *, path: str | None = None, fix: str | None = None):
        self.path = path
        self.fix = fix
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        parts = []
        if self.path:
            parts.append(f"{self.path}: ")
        parts.append(self.message)
        if self.fix:
            parts.append(f" ({self.fix})")
        return "".join(parts)


class InputError(PolicyDiffError):
    """A document could not be read or holds no usable text."""

    code = "E100"


class TimeLimitError(InputError):
    """Processing one document took longer than its time limit (``scan --doc-timeout``)."""

    code = "E101"


class UsageError(PolicyDiffError):
    """Options or arguments that do not fit together."""

    code = "E200"


class ModelError(PolicyDiffError):
    """A trained model file is missing, tampered with, or of the wrong schema."""

    code = "E300"


class PatternError(PolicyDiffError):
    """A recognizer pattern file is malformed."""

    code = "E400"


class StoreError(PolicyDiffError):
    """The results database cannot be opened or written."""

    code = "E500"

"""Importing spaCy without its command-line package (``spacy.cli``).

``import spacy`` runs ``from .cli.info import info`` (for ``spacy.info()``), and importing
``spacy.cli`` imports every spaCy command: typer, weasel, requests, httpx, rich, jinja2 and
the project and download code. That is about a third of ``import spacy`` (0.2 s of 0.6 s on
a quiet host; ``python -X importtime -c "import spacy"``), none of it used by policydiff.

:func:`import_spacy` imports spaCy (if it is not imported yet) with a finder that answers
``spacy.cli`` and ``spacy.cli.info`` with placeholders *only while spaCy's own package is
being initialized*, and removes the placeholders right after, so that:

* ``spacy.info`` is a function that imports the real ``spacy.cli.info`` on its first call;
* a later ``import spacy.cli`` (ours never does; a user's code in the same process may)
  imports the real package as usual: nothing of the placeholders is left in ``sys.modules``
  or on the ``spacy`` package.

If spaCy is already imported, or its package does not import ``spacy.cli.info`` the way this
expects (another version), nothing is replaced and spaCy is imported as usual. See
``docs/decisions/0011-cold-start.md``; ``tests/test_spacy_import.py`` checks both properties.

Importing this module runs :func:`import_spacy`: ``analyzer.engine`` imports it before any
module that imports spaCy.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Any

_PLACEHOLDERS = ("spacy.cli", "spacy.cli.info")
_MARK = "__policydiff_placeholder__"


def _info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``: the real one, imported on first use."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


class _Placeholders(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``spacy.cli`` and ``spacy.cli.info`` while ``spacy`` is initializing."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in _PLACEHOLDERS:
            return None
        spacy = sys.modules.get("spacy")
        if spacy is None or not getattr(spacy.__spec__, "_initializing", False):
            return None
        return importlib.util.spec_from_loader(name, self, is_package=name == "spacy.cli")

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        setattr(module, _MARK, True)
        if module.__name__ == "spacy.cli.info":
            module.info = _info  # type: ignore[attr-defined]


def import_spacy() -> ModuleType:
    """``spacy``, imported without ``spacy.cli`` if it is not imported yet (module
    docstring)."""
    mod = sys.modules.get("spacy")
    if mod is not None:
        return mod
    finder = _Placeholders()
    sys.meta_path.insert(0, finder)
    try:
        import spacy
    finally:
        sys.meta_path.remove(finder)
        for name in _PLACEHOLDERS:
            if getattr(sys.modules.get(name), _MARK, False):
                del sys.modules[name]
        spacy_mod = sys.modules.get("spacy")
        if spacy_mod is not None and getattr(getattr(spacy_mod, "cli", None), _MARK, False):
            delattr(spacy_mod, "cli")
    return spacy


import_spacy()

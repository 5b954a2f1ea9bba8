"""The bundled example series (``corpora/examples``) and the ``policydiff demo`` run.

The examples are package data of the ``corpora`` package, found with ``importlib.resources``
so that the demo works from a source checkout, an editable install and a wheel.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .datamodel import Analysis, Comparison
from .errors import InputError

SERVICE = "Chirp"
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


def _date_of(path: Path) -> str | None:
    m = _DATE.match(path.name)
    return m.group(1) if m else None


@dataclass(frozen=True)
class DemoStep:
    """One step of the demo: a comparison of two versions, or an analysis of one."""

    title: str
    result: Comparison | Analysis

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "result": self.result.to_dict()}


@contextlib.contextmanager
def example_dir() -> Iterator[Path]:
    """The examples folder as a real directory (extracted to a temp dir if zipped)."""
    ref = resources.files("corpora").joinpath("examples")
    with resources.as_file(ref) as path:
        if not Path(path).is_dir():
            raise InputError(
                "the bundled examples are missing",
                path=str(path),
                fix="reinstall policydiff (the examples are package data of 'corpora')",
            )
        yield Path(path)


def example_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(policy versions in date order, notices) among the bundled examples."""
    policies = sorted(folder.glob("*_chirp-privacy-policy.md"))
    notices = sorted(folder.glob("*notice*.md"))
    return policies, notices


def run_demo(engine: Any = None) -> list[DemoStep]:
    """Compare each bundled policy version with the next, then analyze each notice."""
    if engine is None:
        from .engine import default_analyzer

        engine = default_analyzer()
    steps: list[DemoStep] = []
    with example_dir() as folder:
        policies, notices = example_files(folder)
        if len(policies) < 2:
            raise InputError(
                "fewer than two bundled policy versions found",
                path=str(folder),
                fix="reinstall policydiff",
            )
        meta = {"service": SERVICE, "document_type": "Privacy Policy"}
        versions = [engine.analyze(engine.load(str(p), date=_date_of(p), **meta)) for p in policies]
        names = {id(v): Path(v.version.source).name for v in versions}
        for a, b in zip(versions, versions[1:], strict=False):
            old = a.version.date or names[id(a)]
            new = b.version.date or names[id(b)]
            title = f"{SERVICE} privacy policy: {old} -> {new}"
            steps.append(DemoStep(title=title, result=engine.compare(a, b)))
        for n in notices:
            analysis = engine.analysis(
                engine.load(str(n), service=SERVICE, document_type="Notice", date=_date_of(n))
            )
            steps.append(DemoStep(title=f"{SERVICE} notice e-mail: {n.name}", result=analysis))
    return steps

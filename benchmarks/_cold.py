"""What the cold-start benchmarks (``bench_compare.py``, ``cold_ab.py``) set up alike.

* **Bytecode.** ``pip install`` compiles an installed package's modules to ``.pyc`` files,
  and an editable install writes them on its first run; a cold start then reads them. A
  process started with ``PYTHONDONTWRITEBYTECODE=1`` (some sandboxes set it) never writes
  them and compiles every module of the checkout from source at each start (0.1-0.2 s
  here: ``cold_ab.py`` with and without ``--source``). :func:`prepare` writes them first,
  as an installation would, or with ``--source`` deletes them and sets
  ``PYTHONDONTWRITEBYTECODE=1``, to measure that case.
* **One core.** The issue's targets are for one core: :func:`one_core` pins each measured
  process to a single CPU (the last one the benchmark may use), so that the threads numpy's
  BLAS starts cannot run beside it on the other core.
"""

from __future__ import annotations

import compileall
import os
from collections.abc import Callable
from pathlib import Path


def compile_bytecode(tree: Path) -> None:
    """Write the ``.pyc`` files of the checkout ``tree`` (``analyzer/`` and ``cli.py``)."""
    compileall.compile_dir(str(tree / "analyzer"), quiet=1)
    if (tree / "cli.py").is_file():
        compileall.compile_file(str(tree / "cli.py"), quiet=1)


def remove_bytecode(tree: Path) -> None:
    """Delete the ``.pyc`` files of the checkout ``tree`` (for ``--source`` runs, which also
    set ``PYTHONDONTWRITEBYTECODE=1`` so that no run writes them back)."""
    import shutil

    for cache in [tree / "__pycache__", *(tree / "analyzer").rglob("__pycache__")]:
        shutil.rmtree(cache, ignore_errors=True)


def prepare(tree: Path, source: bool) -> dict[str, str]:
    """Set up ``tree`` for cold runs; return the environment the runs get."""
    if source:
        remove_bytecode(tree)
        return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    compile_bytecode(tree)
    return dict(os.environ)


def one_core() -> Callable[[], None] | None:
    """A ``preexec_fn`` that pins the child process to one CPU (None where unsupported)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    return lambda: os.sched_setaffinity(0, {cpu})


def conditions(source: bool) -> str:
    """One line saying how the cold runs were made."""
    pinned = "one pinned CPU" if one_core() is not None else "CPU not pinned (unsupported)"
    code = "modules compiled from source at each start" if source else "bytecode compiled first"
    return f"cold runs: {pinned}; {code}"

"""A pause of the cyclic garbage collector, shared by the engine and the scan (this module
imports nothing heavy: the scan's writing process uses it without loading the pipeline)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (nests; restores the state).

    Analyzing a 150 KB policy allocates several hundred thousand short-lived objects
    (tokens, spans, annotations), and a scan's series millions, that reference counting
    frees and that form no cycles worth collecting mid-run; generation-0 passes over them
    cost about a quarter of the analysis time. The engine pauses the collector per document
    and the scan per series; cycles created meanwhile are collected once it is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

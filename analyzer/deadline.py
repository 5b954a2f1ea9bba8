"""A time limit on one piece of work (one document of a ``scan``), by ``SIGALRM``.

``time_limit(seconds, source)`` raises :class:`~analyzer.errors.TimeLimitError` in the
block once ``seconds`` of wall time have passed. The alarm interrupts any Python code and
regular-expression matching (CPython's ``re`` checks for signals while it backtracks), so
one hostile document ends as a failed version with its reason and the batch goes on
(issue 12, decision 0014). It cannot stop a C extension that never returns to Python;
the readers' own limits (depth-free tree walks, the tokenizer guards in ``analyzer.nlp``,
``segment.MAX_CLAUSES``) keep the known shapes well under the limit.

Signals reach only the main thread of a process: elsewhere (a thread of a Dask worker)
the block runs without a limit. An alarm set by the caller is restored afterwards.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import TimeLimitError


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float | None, source: str | None = None) -> Iterator[None]:
    """Raise ``TimeLimitError`` naming ``source`` if the block runs longer than ``seconds``.

    ``None`` or ``0`` means no limit. Nests: an inner limit never extends an outer one (when
    the outer alarm comes first it stays in charge), and the outer alarm and handler are
    restored when the block ends.
    """
    if not seconds or seconds <= 0 or not _usable():
        yield
        return
    started = time.monotonic()

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeLimitError(
            f"processing took longer than the time limit of {seconds:g} s",
            path=source,
            fix="check the document (a broken or hostile capture?), or raise the limit "
            "with --doc-timeout",
        )

    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= seconds:  # the caller's alarm comes first: it stays in charge
        yield
        return
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # give the outer alarm what is left of its time (at least a tick)
            left = outer - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))

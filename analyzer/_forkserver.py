"""Imported once by the forkserver that ``scan --jobs N`` starts its workers from.

It builds the default engine there, before any worker forks, so each worker inherits it
(copy-on-write) instead of building its own: a worker's ``_init_worker`` finds it under the
same key (``scan._worker_analyzer``). A scan with a custom engine factory builds that one in
each worker as before. It also imports ``scipy.sparse``, which each worker's first model
product would import (``classify.linear.dot``, about 0.2 s). The objects are then moved out
of the garbage collector's sight (``gc.freeze``, as ``_init_worker`` does), which is what
keeps forked pages shared.

If building fails here (multiprocessing ignores a preload module that fails to import),
the workers build the engine themselves and report the real error.
"""

from __future__ import annotations

from .scan import _freeze_long_lived, _worker_analyzer, code_fingerprint, default_factory

try:
    _worker_analyzer(default_factory)
except Exception as exc:  # noqa: BLE001 - the workers build it again and report the error
    raise ImportError(f"engine not prebuilt: {exc}") from exc
code_fingerprint()  # part of the pipeline id each worker reports: hashed once, here
# every worker's first model product imports scipy.sparse (``classify.linear.dot``); a fifth
# of a second each, and memory each: imported once here, it is shared by all of them
import scipy.sparse  # noqa: E402, F401

_freeze_long_lived()

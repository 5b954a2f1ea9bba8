"""A stand-in for a document that hangs the pipeline, for the scan time-limit tests.

The real hanging shapes of issue 12 are fixed, so the tests inject the hang: an engine that
runs a catastrophically backtracking regular expression (minutes of C-level matching, as a
bad pattern would) on any version whose text holds ``HANG_MARK``, and analyzes every other
version normally. Module-level so that ``--jobs 2`` worker processes can import it.
"""

from __future__ import annotations

import re

from analyzer.engine import PolicyAnalyzer

HANG_MARK = "HANG-HERE"
_BACKTRACK = re.compile(r"(a+)+$")


class HangingAnalyzer(PolicyAnalyzer):
    def analyze(self, doc, **meta):  # type: ignore[no-untyped-def]
        version = self.load(doc, **meta)
        if HANG_MARK in version.text:
            _BACKTRACK.match("a" * 60 + "b")  # 2**60 steps: never ends by itself
        return super().analyze(version, **meta)


def hanging_analyzer() -> HangingAnalyzer:
    return HangingAnalyzer()

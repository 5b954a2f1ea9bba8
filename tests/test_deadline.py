"""Tests for analyzer.deadline: the per-document time limit of ``scan``."""

from __future__ import annotations

import re
import signal
import time

import pytest

from analyzer.deadline import time_limit
from analyzer.errors import InputError, TimeLimitError


def test_a_python_loop_is_stopped_with_a_one_line_input_error():
    t0 = time.monotonic()
    with pytest.raises(TimeLimitError) as info, time_limit(0.3, "slow.md"):
        while True:
            pass
    assert time.monotonic() - t0 < 5
    assert isinstance(info.value, InputError)
    assert str(info.value).startswith(
        "slow.md: processing took longer than the time limit of 0.3 s"
    )
    assert "\n" not in str(info.value)


def test_catastrophic_regex_backtracking_is_stopped():
    with pytest.raises(TimeLimitError), time_limit(0.3, "x"):
        re.match(r"(a+)+$", "a" * 60 + "b")


def test_no_limit_and_a_finished_block_leave_no_alarm():
    with time_limit(None):
        pass
    with time_limit(5, "x"):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_an_inner_limit_does_not_extend_the_outer_one():
    with pytest.raises(TimeLimitError, match="time limit of 0.3 s"), time_limit(0.3, "outer"):
        with time_limit(30, "inner"):
            while True:
                pass

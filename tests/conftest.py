"""Shared fixtures: the blank English pipeline, paths to the shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYDIFF_CORPORA") or ROOT.parent / "shared" / "corpora")
EXAMPLES = ROOT / "corpora" / "examples"


@pytest.fixture(scope="session")
def nlp():
    from analyzer.nlp import get_nlp

    return get_nlp("en")


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """Path to ../shared/corpora; skips the test where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}: these tests need ../shared/corpora")
    return SHARED

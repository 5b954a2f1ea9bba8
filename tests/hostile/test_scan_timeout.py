"""``scan`` over real policies with one document that hangs: the scan finishes, records that
document as failed with its reason (the time limit), and stores all the others (issue 12)."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from analyzer.scan import scan
from tests.hostile import shapes
from tests.hostile.hanging import HANG_MARK, hanging_analyzer

SERIES = "policy_versions/contrib/LinkedIn"


def _real_series(shared: Path, dest: Path, n: int = 3) -> list[Path]:
    """The first ``n`` versions of a real history, copied in its Open Terms Archive layout."""
    src = next((shared / SERIES).iterdir())
    files = sorted(p for p in src.iterdir() if p.name.endswith((".md", ".md.gz")))[:n]
    out = dest / "LinkedIn" / src.name
    out.mkdir(parents=True)
    return [Path(shutil.copy(f, out / f.name)) for f in files]


def _folder(shared: Path, root: Path) -> tuple[list[Path], Path]:
    real = _real_series(shared, root)
    # the hanging document is a version inside the real series, dated between its versions
    bad = real[0].parent / (real[1].name[:10] + "T23-59-59_badcapture.md")
    text = real[1].read_text(encoding="utf-8")  # a real capture, with the hang added
    bad.write_text(f"{text}\n\nWe collect your email address. {HANG_MARK}\n", encoding="utf-8")
    other = root / "Chirp" / "Privacy Policy"
    other.mkdir(parents=True)
    good = other / "2024-01-15_chirp.md"
    shutil.copy(
        Path(__file__).parents[2] / "corpora/examples/2024-01-15_chirp-privacy-policy.md", good
    )
    return [*real, good], bad


def _stored(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT source, status, status_reason FROM versions").fetchall()
    return {Path(s).name: (st, reason) for s, st, reason in rows}


@pytest.mark.parametrize("jobs", [1, 2])
def test_scan_reports_a_hanging_document_and_stores_the_others(shared_corpora, tmp_path, jobs):
    good, bad = _folder(shared_corpora, tmp_path / "c")
    db = tmp_path / "out.sqlite"
    t0 = time.monotonic()
    summary = scan([tmp_path / "c"], db=db, jobs=jobs, factory=hanging_analyzer, doc_timeout=8)
    assert time.monotonic() - t0 < 600  # the regex alone would run for centuries
    failed = [e for e in summary.errors if Path(e.source).name == bad.name]
    assert len(failed) == 1, summary.errors
    assert failed[0].error_type == "TimeLimitError"
    assert "time limit of 8 s" in failed[0].reason and failed[0].stage == "analyze"
    assert not [e for e in summary.errors if Path(e.source).name != bad.name]
    stored = _stored(db)
    for p in good:
        assert stored[p.name][0] in ("ok", "revert", "duplicate"), stored
    assert stored[bad.name][0] == "broken" and "time limit" in stored[bad.name][1]
    with sqlite3.connect(db) as conn:
        (reason,) = conn.execute(
            "SELECT reason FROM errors WHERE source LIKE ?", (f"%{bad.name}",)
        ).fetchone()
    assert "time limit" in reason


def test_scan_of_real_policies_with_every_former_hanging_shape(shared_corpora, tmp_path):
    """With the default limit, the shapes that hung (issue 12) are read (or refused with an
    input error) and stored with the real policies."""
    good, bad = _folder(shared_corpora, tmp_path / "c")
    bad.unlink()  # only real policies and the shapes
    hostile = tmp_path / "c" / "Hostile" / "Privacy Policy"
    hostile.mkdir(parents=True)
    for i, gen in enumerate(
        (shapes.link_parens, shapes.brackets, shapes.entities, shapes.deep_divs)
    ):
        name, data = gen()
        suffix = name.split(".")[-1]
        (hostile / f"2024-0{i + 1}-01_{name.split('.')[0]}.{suffix}").write_bytes(data)
    db = tmp_path / "out.sqlite"
    summary = scan([tmp_path / "c"], db=db, jobs=1)
    stored = _stored(db)
    for p in good:
        assert stored[p.name][0] in ("ok", "revert", "duplicate")
    assert len([n for n in stored if "2024-0" in n and "chirp" not in n]) == 4
    assert not [e for e in summary.errors if e.error_type not in ("InputError",)], summary.errors

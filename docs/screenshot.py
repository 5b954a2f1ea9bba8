"""Render the bundled example comparison as HTML and save a screenshot for the README.

Usage (from the repository root; needs ``pip install playwright`` and a system Chromium,
e.g. Debian's ``chromium``; Playwright's browser download is not used)::

    python docs/screenshot.py                    # -> docs/report.png
    python docs/screenshot.py OLD NEW --output docs/report.png --full-page --html /tmp/r.html
    python docs/screenshot.py --fixture          # the hand-built test comparison instead

Without OLD/NEW it compares the first two privacy-policy versions in ``corpora/examples``
(in file-name order, i.e. by date), falling back to a real pair from
``../shared/corpora/ai_pairs`` when the examples are absent. ``--fixture`` renders the
hand-built comparison of ``tests/report_fixtures.py`` (every kind of change and finding),
useful while the pipeline does not yet produce findings. The HTML goes to a temporary file
unless ``--html`` is given (never into the repository by default: it quotes its inputs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.engine import PolicyAnalyzer  # noqa: E402
from analyzer.report.html import render_comparison_html  # noqa: E402

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FALLBACK = (
    ROOT.parent
    / "shared"
    / "corpora"
    / "ai_pairs"
    / ("06_google-gemini-hub-genai-eu_pp_2026-03-26")
)


def example_pair() -> tuple[Path, Path]:
    """The first two policy versions of the bundled examples, else a real shared pair."""
    examples = ROOT / "corpora" / "examples"
    if examples.is_dir():
        docs = sorted(
            p
            for p in examples.rglob("*")
            if p.is_file()
            and p.suffix in (".md", ".txt", ".html")
            and "policy" in p.name.lower()
            and p.name.lower() != "readme.md"
        )
        if len(docs) >= 2:
            return docs[0], docs[1]
    if (FALLBACK / "old.md").is_file():
        return FALLBACK / "old.md", FALLBACK / "new.md"
    raise SystemExit("error: no corpora/examples and no ../shared/corpora: pass OLD and NEW")


def chromium() -> str:
    exe = (
        os.environ.get("POLICYDIFF_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not exe:
        raise SystemExit(
            "error: no chromium found: apt-get install chromium, or set POLICYDIFF_CHROMIUM"
        )
    return exe


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Screenshot of the HTML comparison report.")
    ap.add_argument("old", nargs="?", type=Path)
    ap.add_argument("new", nargs="?", type=Path)
    ap.add_argument("--output", type=Path, default=ROOT / "docs" / "report.png")
    ap.add_argument(
        "--html",
        type=Path,
        default=None,
        help="also keep the HTML here (default: a temporary file)",
    )
    ap.add_argument(
        "--fixture",
        action="store_true",
        help="render the hand-built comparison from tests/report_fixtures.py",
    )
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    ap.add_argument("--full-page", action="store_true")
    args = ap.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        msg = "error: pip install playwright (do not run 'playwright install')"
        raise SystemExit(msg) from None

    if args.fixture:
        from tests.report_fixtures import sample_comparison

        comparison = sample_comparison()
        what = "tests/report_fixtures.py sample_comparison()"
    else:
        old, new = (args.old, args.new) if args.old and args.new else example_pair()
        comparison = PolicyAnalyzer().compare(old, new)
        what = f"{old} -> {new}"
    tmp = tempfile.TemporaryDirectory()
    html_path = args.html or Path(tmp.name) / "report.html"
    html_path.write_text(render_comparison_html(comparison), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(
            viewport={"width": args.width, "height": args.height}, device_scale_factor=1
        )
        page.goto(html_path.resolve().as_uri())
        page.screenshot(path=str(args.output), full_page=args.full_page)
        browser.close()
    print(
        f"{what}: {len(comparison.findings)} findings, "
        f"{len(comparison.substantive_changes)} substantive changes"
    )
    print(f"wrote {args.output}" + (f" and {args.html}" if args.html else ""))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

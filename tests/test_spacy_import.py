"""Importing spaCy without its command-line package (``analyzer._spacy``): the CLI's modules
stay unimported, spaCy works, and nothing of the placeholders is left behind."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (spaCy not imported yet); it prints JSON."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_spacy_without_its_cli_then_the_real_cli_on_demand():
    res = _run(
        """
        import json, sys
        from analyzer._spacy import import_spacy
        spacy = import_spacy()
        lean = sorted(m for m in sys.modules if m.startswith("spacy.cli") or
                      m.split(".")[0] in ("typer", "weasel", "requests", "httpx"))
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        doc = nlp("We share data. We keep it.")
        no_attr = not hasattr(spacy, "cli")
        import spacy.cli  # a user's code may: the real package
        from spacy.cli.info import info
        print(json.dumps({
            "lean": lean,
            "sents": len(list(doc.sents)),
            "no_attr": no_attr,
            "real_cli": hasattr(spacy.cli, "download") and hasattr(spacy.cli, "app"),
            "info_module": info.__module__,
            "info_call": isinstance(spacy.info(silent=True), dict),
            "meta_path": [type(f).__name__ for f in sys.meta_path],
        }))
        """
    )
    assert res["lean"] == []
    assert res["sents"] == 2 and res["no_attr"]
    assert res["real_cli"] and res["info_module"] == "spacy.cli.info" and res["info_call"]
    assert "_Placeholders" not in res["meta_path"]


def test_spacy_already_imported_is_left_alone():
    res = _run(
        """
        import json, sys
        import spacy
        from analyzer._spacy import import_spacy
        print(json.dumps({"same": import_spacy() is spacy,
                          "cli": "spacy.cli" in sys.modules,
                          "info": spacy.info.__module__}))
        """
    )
    assert res == {"same": True, "cli": True, "info": "spacy.cli.info"}

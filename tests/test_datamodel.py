from __future__ import annotations

import json

import pytest

from analyzer.datamodel import severity_rank
from analyzer.engine import PolicyAnalyzer
from analyzer.ingest import from_text


def test_severity_order():
    assert (
        severity_rank("info")
        < severity_rank("low")
        < severity_rank("medium")
        < severity_rank("high")
    )
    with pytest.raises(ValueError):
        severity_rank("critical")


def test_comparison_to_dict_is_json():
    eng = PolicyAnalyzer()
    old = from_text("# Data\n\nWe collect your e-mail address.", source="old.md")
    new = from_text(
        "# Data\n\nWe collect your e-mail address. We collect your location.", source="new.md"
    )
    d = eng.compare(old, new).to_dict()
    text = json.dumps(d)
    assert '"findings"' in text and '"changes"' in text
    added = [c for c in d["changes"] if c["kind"] == "added"]
    assert [c["new_clause"]["text"] for c in added] == ["We collect your location."]


def test_replace_does_not_touch_the_index_of_the_original():
    """``dataclasses.replace(v, annotations=...)`` (as ``crosslang`` filters annotations)
    builds its own per-clause index; the original keeps its annotations per clause."""
    import dataclasses

    v = PolicyAnalyzer().analyze(
        from_text("We share your data with partners.\n\nWe use cookies for advertising.\n")
    )
    before = {c.id: v.annotations_for(c.id) for c in v.clauses}
    assert any(before.values())
    fewer = dataclasses.replace(v, annotations=v.annotations[:1])
    assert {c.id: v.annotations_for(c.id) for c in v.clauses} == before
    assert sum(len(fewer.annotations_for(c.id)) for c in v.clauses) == 1

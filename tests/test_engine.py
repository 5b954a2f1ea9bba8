"""PolicyAnalyzer: what one compare call shares between its two versions changes no result."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.datamodel import Clause
from analyzer.engine import PolicyAnalyzer
from analyzer.ingest import from_text

EXAMPLES = Path(__file__).resolve().parents[1] / "corpora" / "examples"
PAIRS = [
    ("2024-01-15_chirp-privacy-policy.md", "2024-06-26_chirp-privacy-policy.md"),
    ("2024-06-26_chirp-privacy-policy.md", "2025-04-14_chirp-privacy-policy.md"),
    ("2024-01-15_chirp-privacy-policy.md", "2024-06-26_chirp-privacy-policy.html"),
]


@pytest.fixture(scope="module")
def engine() -> PolicyAnalyzer:
    return PolicyAnalyzer()


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_compare_equals_separately_analyzed_versions(engine, old, new):
    """compare(paths) shares Docs, sentence splits, Markdown inline parses and model results
    between the versions; the result must equal that of versions analyzed one by one."""
    shared = engine.compare(EXAMPLES / old, EXAMPLES / new)
    a, b = engine.analyze(EXAMPLES / old), engine.analyze(EXAMPLES / new)
    alone = engine.compare(a, b)
    assert shared.old.to_dict() == a.to_dict()
    assert shared.new.to_dict() == b.to_dict()
    assert shared.to_dict() == alone.to_dict()


SERIES = [
    "2024-01-15_chirp-privacy-policy.md",
    "2024-06-26_chirp-privacy-policy.md",
    "2024-06-26_chirp-privacy-policy.html",
    "2025-04-14_chirp-privacy-policy.md",
    "2024-01-15_chirp-privacy-policy.md",
]


@pytest.mark.parametrize("keep", [1, 2, None])
def test_session_equals_separate_analyses(engine, keep):
    """A session shares per-text work across a whole sequence of versions (also one that
    comes back to an earlier text); every result equals the version analyzed alone."""
    alone = [engine.analyze(EXAMPLES / name).to_dict() for name in SERIES]
    with engine.session(keep=keep):
        shared = [engine.analyze(EXAMPLES / name).to_dict() for name in SERIES]
        comp = engine.compare(EXAMPLES / SERIES[0], EXAMPLES / SERIES[1]).to_dict()
    assert shared == alone
    assert comp == engine.compare(EXAMPLES / SERIES[0], EXAMPLES / SERIES[1]).to_dict()


def test_reused_annotations_follow_the_clause_before(engine):
    """An unchanged clause after a changed one is annotated again: the AI-training recognizer
    reads the sentence before an anaphoric one ("This information is used to train...")."""
    from analyzer.ingest import from_text

    training = "This information is used to train our AI models."
    v1 = from_text(f"# AI\n\nWe collect your public posts and photos.\n\n{training}\n", fmt="md")
    v2 = from_text(f"# AI\n\nWe collect your private messages.\n\n{training}\n", fmt="md")

    def data_facets(analyzed):
        (ann,) = [a for a in analyzed.annotations if a.kind == "ai_training"]
        return {v for k, v in ann.qualifiers if k == "data"}

    with engine.session():
        first, second = engine.analyze(v1), engine.analyze(v2)
    assert data_facets(first) == {"public_posts", "media"}
    assert data_facets(second) == {"messages"}
    assert second.to_dict() == engine.analyze(v2).to_dict()


def test_position_dependent_recognizer_turns_reuse_off():
    """A recognizer that is not ``per_clause`` (here: one reading offsets) runs on every
    clause of every version, so a shared scope cannot hand it stale results."""
    from analyzer.datamodel import Annotation, Explanation, Span
    from analyzer.recognizers import RecognizerRegistry
    from analyzer.recognizers.base import Recognizer

    class Offsets(Recognizer):
        name = "test.offsets.v1"
        kinds = ("purpose",)

        def analyze(self, clauses, docs):
            return [
                Annotation(
                    c.id,
                    "purpose",
                    "other",
                    Span(0, 1, c.text[:1]),
                    1.0,
                    Explanation(self.name, "rule", "offset", f"starts at {c.start}"),
                )
                for c in clauses
            ]

    registry = RecognizerRegistry([Offsets()])
    assert not registry.per_clause
    assert RecognizerRegistry.default().per_clause
    engine = PolicyAnalyzer(registry=registry)
    name_a, name_b = SERIES[0], SERIES[3]  # same sentences at other offsets
    with engine.session():
        engine.analyze(EXAMPLES / name_a)
        shared = engine.analyze(EXAMPLES / name_b).to_dict()
    assert shared == engine.analyze(EXAMPLES / name_b).to_dict()


def test_session_is_bounded_to_recent_versions(engine):
    with engine.session(keep=1):
        first = engine.analyze(EXAMPLES / SERIES[0])
        scope = engine._session
        assert scope is not None
        engine.analyze(EXAMPLES / SERIES[3])
        texts = {c.text for c in first.clauses}
        kept = {k[0] for k in scope.docs}
        # only texts of the last version stay: those of the first one alone are dropped
        last = {c.text for c in engine.analyze(EXAMPLES / SERIES[3]).clauses}
        assert kept <= last
        assert texts - last and not (texts - last) & kept
        # a document read again in the session is not parsed again
        again = engine.load(EXAMPLES / SERIES[3])
        assert again.blocks is engine.load(EXAMPLES / SERIES[3]).blocks
        with pytest.raises(RuntimeError), engine.session():
            pass
    assert engine._session is None
    assert engine.load(EXAMPLES / SERIES[3]).blocks is not again.blocks


def _clause(i: int, text: str, kind: str = "sentence") -> Clause:
    return Clause(f"c{i}", i, text, text.lower(), kind, (), 0, len(text))  # type: ignore[arg-type]


def test_docs_are_shared_by_identical_texts(engine):
    memo: dict = {}
    first = engine._docs([_clause(0, "We sell data."), _clause(1, "We sell data.")], memo)
    second = engine._docs([_clause(0, "We sell data."), _clause(1, "We keep data.")], memo)
    assert first[0] is first[1] is second[0]
    assert second[1] is not first[0] and second[1].text == "We keep data."
    # a list item goes through the sentencizer too: it is not the sentence's Doc
    item = engine._docs([_clause(2, "We sell data.", "list_item")], memo)[0]
    assert item is not first[0] and item.has_annotation("SENT_START")


def test_output_does_not_depend_on_the_hash_seed():
    """Findings and their reasons are the same whatever PYTHONHASHSEED (no set-order leaks)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    ex = root / "corpora" / "examples"
    args = [
        sys.executable,
        str(root / "cli.py"),
        "compare",
        str(ex / "2024-06-26_chirp-privacy-policy.md"),
        str(ex / "2025-04-14_chirp-privacy-policy.md"),
        "--format",
        "json",
    ]
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        res = subprocess.run(args, capture_output=True, text=True, env=env, cwd=root, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert '"choice.changed"' in outs[0]


@pytest.mark.parametrize(
    "stub",
    [
        "Redirecting to https://www.example.com/legal/privacy ...",
        "404 Not Found\n\nThe page you requested does not exist.",
        "Just a moment... Checking your browser before accessing the site.",
    ],
)
def test_a_failed_capture_is_reported_not_compared(engine, stub, tmp_path):
    """A redirect stub or error page compared with the real policy raises no finding and no
    change: the comparison says which version is not a policy text."""
    policy = EXAMPLES / "2024-06-26_chirp-privacy-policy.md"
    broken = tmp_path / "2024-07-01_chirp-privacy-policy.md"
    broken.write_text(stub + "\n", encoding="utf-8")
    for old, new, side in ((policy, broken, "new"), (broken, policy, "old")):
        c = engine.compare(old, new)
        assert c.findings == () and c.changes == ()
        assert len(c.problems) == 1 and c.problems[0].startswith(f"the {side} version")
        assert "not a policy text" in c.to_dict()["summary"]["problems"][0]


def test_short_texts_are_still_compared(engine):
    """Two short notices (under the scan's size threshold, neither a stub nor a drop from the
    other) are compared as usual."""
    base = "# Notice\n\nWe collect your e-mail address to run your account.\n\n"
    new = base + "We use your public posts to train our AI models.\n"
    c = engine.compare(from_text(base, source="a.md"), from_text(new, source="b.md"))
    assert c.problems == ()
    assert "ai_training.added" in {f.flag for f in c.findings}


def test_a_drastic_drop_to_a_few_words_is_not_a_policy(engine):
    policy = EXAMPLES / "2024-06-26_chirp-privacy-policy.md"
    c = engine.compare(policy, from_text("# Chirp\n\nSign in to continue.\n", source="b.md"))
    assert c.findings == () and "under 30% of the other version" in c.problems[0]

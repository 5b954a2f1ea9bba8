"""Hand-built Comparison/Analysis objects for report and CLI tests (no pipeline needed).

The policy text is hostile on purpose: rich markup, Markdown table pipes, HTML, a
javascript: link and spreadsheet formulas, so every format's escaping is exercised.
"""

from __future__ import annotations

from analyzer.datamodel import (
    Analysis,
    AnalyzedVersion,
    Annotation,
    Clause,
    ClauseChange,
    Comparison,
    DiffOp,
    Evidence,
    Explanation,
    Finding,
    PolicyVersion,
    Span,
)

AI_TEXT = "We use public posts [bold red]and photos[/bold red] to train our AI models."
LI_TEXT = "Purpose: AI | Legal basis: legitimate interests <script>alert(1)</script>"
FORMULA_TEXT = '=HYPERLINK("http://evil.example","click") for any other business purposes'
LINK_TEXT = "See [our form](javascript:alert(1)) *now* or | object |"
OLD_EXCL = "We do not use private messages or the accounts of people under 18."
NEW_EXCL = "We do not use private messages."


def clause(text: str, index: int, cid: str, kind: str = "sentence") -> Clause:
    return Clause(
        id=cid,
        index=index,
        text=text,
        norm=text.lower(),
        kind=kind,  # type: ignore[arg-type]
        section=("Privacy Policy", "AI | at Chirp"),
        start=index * 100,
        end=index * 100 + len(text),
    )


def version(source: str, date: str, clauses: list[Clause]) -> AnalyzedVersion:
    v = PolicyVersion(
        source=source,
        text="\n\n".join(c.text for c in clauses),
        blocks=(),
        content_hash="0" * 64,
        text_hash="1" * 64,
        format="md",
        service="Chirp",
        document_type="Privacy Policy",
        date=date,
    )
    return AnalyzedVersion(version=v, clauses=tuple(clauses), annotations=())


def finding(
    flag: str,
    severity: str,
    new: Clause | None,
    old: Clause | None,
    span_text: str,
    side: str = "new",
    fid: str = "",
) -> Finding:
    target = new if side == "new" else old
    assert target is not None
    start = target.text.index(span_text)
    return Finding(
        id=fid or f"f-{flag}-{target.id}",
        flag=flag,
        severity=severity,  # type: ignore[arg-type]
        reason=f"Reason for {flag} | with a pipe.",
        raised_by=Explanation(recognizer=f"policydiff.{flag.split('.')[0]}.v1", pattern="p1"),
        new_clause=new,
        old_clause=old,
        evidence=(
            Evidence(
                version="2024-06-26" if side == "new" else "2024-01-15",
                clause_id=target.id,
                span=Span(start, start + len(span_text), span_text),
                side=side,  # type: ignore[arg-type]
            ),
        ),
        gdpr="Art. 6(1)(f)",
        terms=("train",),
    )


def sample_comparison() -> Comparison:
    """Three findings (high, medium, low) and added/removed/modified/moved changes."""
    o_keep = clause("We keep Chirp safe.", 0, "c-keep")
    o_excl = clause(OLD_EXCL, 1, "c-oldexcl")
    o_gone = clause("We send a newsletter.", 2, "c-gone")
    n_ai = clause(AI_TEXT, 0, "c-ai")
    n_li = clause(LI_TEXT, 1, "c-li", kind="table_row")
    n_keep = clause("We keep Chirp safe.", 2, "c-keep")
    n_excl = clause(NEW_EXCL, 3, "c-newexcl")
    n_vague = clause(FORMULA_TEXT, 4, "c-vague")
    n_link = clause(LINK_TEXT, 5, "c-link")
    old = version("old.md", "2024-01-15", [o_keep, o_excl, o_gone])
    new = version("new.md", "2024-06-26", [n_ai, n_li, n_keep, n_excl, n_vague, n_link])
    changes = (
        ClauseChange(kind="added", old=None, new=n_ai, similarity=0.0),
        ClauseChange(kind="added", old=None, new=n_li, similarity=0.0),
        ClauseChange(kind="moved", old=o_keep, new=n_keep, similarity=1.0),
        ClauseChange(
            kind="modified",
            old=o_excl,
            new=n_excl,
            similarity=0.6,
            diff=(
                DiffOp("equal", "We do not use private messages"),
                DiffOp("delete", " or the accounts of people under 18"),
                DiffOp("equal", "."),
            ),
        ),
        ClauseChange(kind="added", old=None, new=n_vague, similarity=0.0),
        ClauseChange(kind="added", old=None, new=n_link, similarity=0.0),
        ClauseChange(kind="removed", old=o_gone, new=None, similarity=0.0),
    )
    findings = (
        finding("vague_purpose.added", "low", n_vague, None, "any other business purposes"),
        finding("ai_training.added", "high", n_ai, None, "to train our AI models"),
        finding(
            "exclusion.removed", "medium", n_excl, o_excl, "accounts of people under 18", "old"
        ),
    )
    return Comparison(old=old, new=new, changes=changes, findings=findings, analyzer_version="t")


def identical_comparison() -> Comparison:
    c = clause("We keep Chirp safe.", 0, "c-keep")
    v = version("a.md", "2024-01-15", [c])
    return Comparison(
        old=v,
        new=v,
        changes=(ClauseChange(kind="unchanged", old=c, new=c, substantive=False),),
        findings=(),
    )


def sample_analysis() -> Analysis:
    n_ai = clause(AI_TEXT, 0, "c-ai")
    n_vague = clause(FORMULA_TEXT, 1, "c-vague")
    av = version("new.md", "2024-06-26", [n_ai, n_vague])
    ann = Annotation(
        clause_id="c-ai",
        kind="ai_training",
        label="use",
        span=Span(AI_TEXT.index("train"), AI_TEXT.index("train") + 5, "train"),
        score=0.9,
        explanation=Explanation(recognizer="policydiff.ai_training.v1"),
    )
    av = AnalyzedVersion(version=av.version, clauses=av.clauses, annotations=(ann,))
    findings = (
        finding("ai_training.present", "medium", n_ai, None, "to train our AI models"),
        finding("vague_purpose", "low", n_vague, None, "any other business purposes"),
    )
    return Analysis(analyzed=av, findings=findings, analyzer_version="t")

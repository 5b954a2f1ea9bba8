"""Hand-built ``Comparison`` and ``TimelineEvent`` objects for the HTML report tests.

The pipeline placeholders give no findings and no modified/moved changes yet, so these
fixtures construct realistic ones by hand: a modified clause with a word diff, a moved clause,
added and removed clauses, several findings with evidence spans (``ai_training.added`` high,
``vague_purpose.added`` medium with terms, ``legal_basis.changed`` with evidence on both
sides, ``exclusion.removed`` on a removed clause), plus a hostile variant whose every text
field carries markup that must stay inert.
"""

from __future__ import annotations

import difflib
import hashlib
import re

from analyzer.datamodel import (
    AnalyzedVersion,
    Clause,
    ClauseChange,
    Comparison,
    DiffOp,
    Evidence,
    Explanation,
    Finding,
    PolicyVersion,
    Span,
    TimelineEvent,
)
from analyzer.segment import normalize

HOSTILE = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "[x](javascript:window.__pwned=1)",
    "</textarea>",
    "<!-- ",
    '"><svg onload="window.__pwned=1">',
    "</script><script>window.__pwned=1</script>",
)
HOSTILE_TEXT = " ".join(HOSTILE)

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> tuple[DiffOp, ...]:
    """A word-level diff whose equal+delete ops spell ``old`` and equal+insert spell ``new``."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(DiffOp("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(DiffOp("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(DiffOp("insert", "".join(b[j1:j2])))
    return tuple(ops)


def make_clauses(items: list[tuple[tuple[str, ...], str]], kind: str = "sentence") -> list[Clause]:
    """Clauses with stable ids (hash of the normalized text) and offsets into the joined text."""
    clauses: list[Clause] = []
    pos = 0
    seen: dict[str, int] = {}
    for index, (section, text) in enumerate(items):
        norm = normalize(text)
        base = "c" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]
        seen[base] = seen.get(base, 0) + 1
        cid = base if seen[base] == 1 else f"{base}-{seen[base]}"
        k = "table_row" if text.startswith("Purpose:") else kind
        clauses.append(Clause(cid, index, text, norm, k, section, pos, pos + len(text)))  # type: ignore[arg-type]
        pos += len(text) + 2
    return clauses


def _version(clauses: list[Clause], *, source: str, date: str, service: str) -> PolicyVersion:
    text = "\n\n".join(c.text for c in clauses)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return PolicyVersion(
        source=source,
        text=text,
        blocks=(),
        content_hash=digest,
        text_hash=digest,
        format="md",
        service=service,
        document_type="Privacy Policy",
        date=date,
        encoding="utf-8",
        size=len(text.encode("utf-8")),
    )


def _span(clause: Clause, phrase: str) -> Span:
    start = clause.text.index(phrase)
    return Span(start, start + len(phrase), phrase)


def _fid(flag: str, *clauses: Clause | None) -> str:
    key = flag + "|" + "|".join(c.id for c in clauses if c is not None)
    return "f" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


USE = ("How we use information",)
BASES = ("How we use information", "Legal bases")
SHARING = ("Sharing",)
CHOICES = ("Your choices",)


def sample_comparison() -> Comparison:
    """A realistic comparison (Chirp v1 -> v2) with every kind of change and seven findings."""
    personalise_old = "We may use your public posts to personalise your feed."
    personalise_new = (
        "We may use your public posts, photos and captions to personalise your feed and to "
        "develop and improve AI at Chirp."
    )
    row_old = "Purpose: Personalised advertising | Legal basis: Consent"
    row_new = "Purpose: Personalised advertising | Legal basis: Legitimate interests"
    providers = "We share information with service providers who process it on our behalf."
    minors = "Accounts of people under 18 are excluded from AI training."
    public_info = (
        "We use publicly available information and other online sources to train our AI models."
    )
    vague = "We may also use your information for any other business purposes."
    objection = (
        "You can object to the use of your information for AI training by using our objection form."
    )
    filler = [
        "We use your information to provide and operate the Chirp service.",
        "We use information to keep Chirp secure and to prevent fraud and abuse.",
        "We use your contact details to send you service messages.",
        "We measure how people use Chirp to understand and fix problems.",
    ]
    old_items: list[tuple[tuple[str, ...], str]] = [
        (USE, filler[0]),
        (USE, personalise_old),
        (USE, filler[1]),
        (USE, filler[2]),
        (USE, filler[3]),
        (BASES, row_old),
        (BASES, "Purpose: Security | Legal basis: Legitimate interests"),
        (SHARING, providers),
        (SHARING, "We share information with law enforcement when the law requires it."),
        (SHARING, minors),
        (CHOICES, "You can delete your account at any time in Settings."),
        (CHOICES, "You can download a copy of your information."),
    ]
    new_items: list[tuple[tuple[str, ...], str]] = [
        (USE, filler[0]),
        (USE, personalise_new),
        (USE, filler[1]),
        (USE, providers),
        (USE, filler[2]),
        (USE, filler[3]),
        (USE, public_info),
        (USE, vague),
        (BASES, row_new),
        (BASES, "Purpose: Security | Legal basis: Legitimate interests"),
        (SHARING, "We share information with law enforcement when the law requires it."),
        (CHOICES, "You can delete your account at any time in Settings."),
        (CHOICES, "You can download a copy of your information."),
        (CHOICES, objection),
    ]
    old_c = make_clauses(old_items)
    new_c = make_clauses(new_items)
    o = {c.text: c for c in old_c}
    n = {c.text: c for c in new_c}
    changes: list[ClauseChange] = []
    for c in new_c:
        if c.text in o and c.text != providers:
            changes.append(ClauseChange("unchanged", o[c.text], c, 1.0, False))
        elif c.text == providers:
            changes.append(ClauseChange("moved", o[providers], c, 1.0, True))
        elif c.text == personalise_new:
            changes.append(
                ClauseChange(
                    "modified",
                    o[personalise_old],
                    c,
                    0.62,
                    True,
                    word_diff(personalise_old, personalise_new),
                )
            )
        elif c.text == row_new:
            changes.append(
                ClauseChange("modified", o[row_old], c, 0.8, True, word_diff(row_old, row_new))
            )
        else:
            changes.append(ClauseChange("added", None, c, 0.0, True))
    changes.append(ClauseChange("removed", o[minors], None, 0.0, True))

    v_old = _version(
        old_c, source="2024-01-15_chirp-privacy-policy.md", date="2024-01-15", service="Chirp"
    )
    v_new = _version(
        new_c, source="2024-06-26_chirp-privacy-policy.md", date="2024-06-26", service="Chirp"
    )
    ai_rule = Explanation(
        "policydiff.ai_training.v1",
        "rule",
        "use_content_to_train_models",
        "Content is said to be used to develop or train AI models.",
    )
    pn, pi, vg = n[personalise_new], n[public_info], n[vague]
    rn, ro, mo, ob = n[row_new], o[row_old], o[minors], n[objection]
    findings = (
        Finding(
            _fid("ai_training.added", pn),
            "ai_training.added",
            "high",
            "The new version uses public posts, photos and captions to develop AI, which the "
            "old version did not.",
            ai_rule,
            new_clause=pn,
            old_clause=o[personalise_old],
            evidence=(Evidence("2024-06-26", pn.id, _span(pn, "develop and improve AI at Chirp")),),
            gdpr="Art. 13(1)(c)",
        ),
        Finding(
            _fid("ai_training.added", pi),
            "ai_training.added",
            "high",
            "Publicly available information is now used to train AI models.",
            ai_rule,
            new_clause=pi,
            evidence=(Evidence("2024-06-26", pi.id, _span(pi, "train our AI models")),),
            gdpr="Art. 14(1)(c)",
        ),
        Finding(
            _fid("exclusion.removed", mo),
            "exclusion.removed",
            "high",
            "The exclusion of accounts of people under 18 from AI training was dropped.",
            Explanation(
                "policydiff.exclusion.v1",
                "rule",
                "minors_excluded",
                "A stated exclusion of minors' data.",
            ),
            old_clause=mo,
            evidence=(Evidence("2024-01-15", mo.id, _span(mo, "people under 18"), "old"),),
            gdpr="Art. 8",
        ),
        Finding(
            _fid("legal_basis.changed", ro, rn),
            "legal_basis.changed",
            "medium",
            "The legal basis for personalised advertising changed from consent to legitimate "
            "interests.",
            Explanation(
                "policydiff.legal_basis.v1",
                "rule",
                "table_legal_basis_column",
                "Legal basis read from the table column.",
            ),
            new_clause=rn,
            old_clause=ro,
            evidence=(
                Evidence("2024-01-15", ro.id, _span(ro, "Consent"), "old"),
                Evidence("2024-06-26", rn.id, _span(rn, "Legitimate interests")),
            ),
            gdpr="Art. 6(1)(f)",
        ),
        Finding(
            _fid("vague_purpose.added", vg),
            "vague_purpose.added",
            "medium",
            "An open-ended purpose was added; purposes must be specified and explicit.",
            Explanation(
                "policydiff.vague.v1",
                "rule+model",
                "open_ended_purpose",
                "Open-ended purpose phrase.",
                ("business purposes", "any other"),
            ),
            new_clause=vg,
            evidence=(Evidence("2024-06-26", vg.id, _span(vg, "any other business purposes")),),
            gdpr="Art. 5(1)(b)",
            terms=("may", "any other business purposes"),
        ),
        Finding(
            _fid("data_source.added", pi),
            "data_source.added",
            "low",
            "Publicly available information and other online sources are a new data source.",
            Explanation("policydiff.data_source.v1", "rule", "public_web"),
            new_clause=pi,
            evidence=(
                Evidence(
                    "2024-06-26",
                    pi.id,
                    _span(pi, "publicly available information and other online sources"),
                ),
            ),
            gdpr="Art. 14(2)(f)",
        ),
        Finding(
            _fid("choice.changed", ob),
            "choice.changed",
            "info",
            "Users must now object (Art. 21) rather than opt in.",
            Explanation(
                "policydiff.choice.v1",
                "model",
                "choice-clf",
                "Classifier score 0.91 for opt_out.",
                ("object", "form"),
            ),
            new_clause=ob,
            evidence=(Evidence("2024-06-26", ob.id, _span(ob, "object")),),
            gdpr="Art. 21",
        ),
    )
    return Comparison(
        old=AnalyzedVersion(v_old, tuple(old_c), ()),
        new=AnalyzedVersion(v_new, tuple(new_c), ()),
        changes=tuple(changes),
        findings=findings,
        analyzer_version="0.1.0",
    )


def hostile_comparison() -> Comparison:
    """Every text field (clauses, sections, context, reasons, terms, ids, metadata) is hostile."""
    sec = (HOSTILE[0], HOSTILE[1])
    old_text = f"We use your data. {HOSTILE_TEXT} Old."
    new_text = f"We use your data to train AI. {HOSTILE_TEXT} New <b>bold</b>."
    added = f"Added {HOSTILE_TEXT}"
    old_c = make_clauses([(sec, old_text), (sec, f"Removed {HOSTILE_TEXT}")])
    new_c = make_clauses([(sec, new_text), (sec, added)])
    old_c[0] = Clause(
        old_c[0].id,
        0,
        old_c[0].text,
        old_c[0].norm,
        "list_item",
        sec,
        old_c[0].start,
        old_c[0].end,
        context=HOSTILE[3],
    )
    changes = (
        ClauseChange("modified", old_c[0], new_c[0], 0.7, True, word_diff(old_text, new_text)),
        ClauseChange("added", None, new_c[1], 0.0, True),
        ClauseChange("removed", old_c[1], None, 0.0, True),
    )
    meta = dict(service=HOSTILE[1], date=HOSTILE[2])
    v_old = _version(old_c, source=HOSTILE[0], **meta)
    v_new = _version(new_c, source=HOSTILE[5], **meta)
    expl = Explanation(HOSTILE[0], "rule", HOSTILE[1], HOSTILE[3], (HOSTILE[2],))
    findings = (
        Finding(
            '"><script>window.__pwned=1</script>',
            HOSTILE[6],
            "high",
            HOSTILE_TEXT,
            expl,
            new_clause=new_c[0],
            old_clause=old_c[0],
            evidence=(
                Evidence(
                    HOSTILE[2], new_c[0].id, _span(new_c[0], "<script>window.__pwned=1</script>")
                ),
            ),
            gdpr=HOSTILE[1],
            terms=HOSTILE,
        ),
        Finding(
            "javascript:window.__pwned=1",
            "ai_training.added",
            "medium",
            HOSTILE[4],
            expl,
            new_clause=new_c[1],
            # an out-of-range span must be ignored, not crash the report
            evidence=(Evidence("x", new_c[1].id, Span(5, 10_000, "nope")),),
        ),
    )
    return Comparison(
        old=AnalyzedVersion(v_old, tuple(old_c), ()),
        new=AnalyzedVersion(v_new, tuple(new_c), ()),
        changes=changes,
        findings=findings,
        analyzer_version=HOSTILE[3],
    )


def hostile_from_text() -> Comparison:
    """A comparison of two hostile documents run through ``from_text`` and the real engine."""
    from analyzer.engine import PolicyAnalyzer
    from analyzer.ingest import from_text

    old = from_text(
        f"# Data {HOSTILE[0]}\n\nWe collect your e-mail. {HOSTILE[1]}",
        source=HOSTILE[0],
        service=HOSTILE[1],
    )
    new = from_text(
        f"# Data {HOSTILE[0]}\n\nWe collect your e-mail. {HOSTILE[1]}\n\n{HOSTILE_TEXT}\n\n"
        f"<textarea>{HOSTILE[2]}</textarea> [y](javascript:window.__pwned=2)",
        source=HOSTILE[5],
        service=HOSTILE[1],
        date=HOSTILE[2],
    )
    return PolicyAnalyzer().compare(old, new)


def sample_events(service: str = "Chirp") -> list[TimelineEvent]:
    """A three-version history: AI training appears, a minors exclusion disappears, etc."""
    d1, d2, d3 = "2024-01-15", "2024-06-26", "2025-04-14"
    ev = []

    def add(
        family: str,
        label: str,
        event: str,
        date: str,
        prev: str | None,
        text: str,
        flag: str | None = None,
        severity: str | None = None,
    ) -> None:
        cid = "c" + hashlib.sha1(normalize(text).encode()).hexdigest()[:10]
        ev.append(
            TimelineEvent(
                service,
                "Privacy Policy",
                family,
                label,
                event,
                date,  # type: ignore[arg-type]
                prev,
                cid,
                text,
                flag,
                severity,
            )
        )

    add(
        "purpose",
        "provide_service",
        "appeared",
        d1,
        None,
        "We use your information to provide and operate the Chirp service.",
    )
    add(
        "exclusion",
        "minors",
        "appeared",
        d1,
        None,
        "Accounts of people under 18 are excluded from AI training.",
    )
    add(
        "legal_basis",
        "consent",
        "appeared",
        d1,
        None,
        "Purpose: Personalised advertising | Legal basis: Consent",
    )
    add(
        "ai_training",
        "use",
        "appeared",
        d2,
        d1,
        "We use publicly available information and other online sources to train our AI models.",
        "ai_training.added",
        "high",
    )
    add(
        "vague_purpose",
        "vague_purpose",
        "appeared",
        d2,
        d1,
        "We may also use your information for any other business purposes.",
        "vague_purpose.added",
        "medium",
    )
    add(
        "legal_basis",
        "legitimate_interests",
        "appeared",
        d2,
        d1,
        "Purpose: Personalised advertising | Legal basis: Legitimate interests",
        "legal_basis.changed",
        "medium",
    )
    add(
        "legal_basis",
        "consent",
        "disappeared",
        d2,
        d1,
        "Purpose: Personalised advertising | Legal basis: Consent",
    )
    add(
        "data_source",
        "public_web",
        "appeared",
        d2,
        d1,
        "We use publicly available information and other online sources to train our AI models.",
    )
    add(
        "exclusion",
        "minors",
        "disappeared",
        d3,
        d2,
        "Accounts of people under 18 are excluded from AI training.",
        "exclusion.removed",
        "high",
    )
    add(
        "recipient",
        "researchers",
        "appeared",
        d3,
        d2,
        "We share information with researchers and academics.",
        "recipient.added",
        "low",
    )
    return ev

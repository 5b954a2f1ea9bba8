"""The AI-training recognizer: data or content used, or allowed to be used, to train,
develop, fine-tune or improve AI / machine-learning models, by the company or a recipient.

How it decides (lexicon in ``patterns/ai_training.json``, no parser needed):

* a **strong** training verb (train, fine-tune, retrain, pre-train) with an AI or model
  object within 12 tokens after it, or a model/AI term up to 8 tokens before it ("models
  trained on ...", "AI training"), in the same scope; "trained reviewers/staff" is not
  training;
* a **weak** verb (develop, improve, build, evaluate, enhance, refine) counts only with an
  explicit AI-model object close after it ("improve machine learning models", "improve our
  AI with ...") - not "develop AI features", not "use AI to rank content";
* "improve <product> with the help of human reviewers" (user content reviewed by people to
  improve an AI product) counts with a lower score;
* a negation cue before the verb in the same scope ("are not used for training", "we don't
  use your recordings to train ...") turns the hit into ``exclusion/no_ai_training`` and a
  ``negated`` use; so does a negated use verb however long its object is, the training
  verb being in its purpose infinitive ("we do not use private messages or the accounts of
  people under 18 to develop and improve AI"; ``common.negated_use_before``); "choose not
  to" / "if you don't want" are choices, not negations;
* "so that <someone else> can train", "enable X to train", "its own AI models" mark a
  recipient's training (``ai_training/recipient_use`` plus ``recipient/ai_providers``);
* questions ("Does X use my data to train AI?") are not statements of use;
* a French/German lexicon catches "entraîner ... modèles" / "KI-Modelle trainieren".

Every use carries qualifiers for the substance comparison in ``assess``: the data
categories (``data``), sources (``source``) named in its sentence (or the sentence an
anaphor "This data ..." points back to, or the list lead-in), the ``actor`` (``company`` or
``recipient``) and ``model`` (``generative`` when generative/language models are named).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from .. import taxonomy as tx
from ..datamodel import Annotation, Clause
from .base import Recognizer, register
from .common import (
    annotation,
    doc_info,
    doc_lex,
    doc_text,
    en_doc,
    en_docs,
    in_relative_clause,
    negated_at,
    negated_use_before,
    negation_before,
    new_subject_between,
    sentence_bounds,
)
from .patterns import Match, load_patterns

STRONG_AFTER = 12
STRONG_BEFORE = 8
WEAK_AFTER = 8
NEG_WINDOW = 10
_SERVICE_WORDS = {
    "services",
    "service",
    "products",
    "product",
    "features",
    "feature",
    "experience",
    "experiences",
    "quality",
    "offerings",
    "platform",
    "apps",
}


def _facets(clause_text: str, doc: Doc, lo: int, hi: int) -> set[tuple[str, str]]:
    """Data categories and sources named between character offsets ``lo`` and ``hi``."""
    facets: set[tuple[str, str]] = set()
    cache = doc.user_data.setdefault("policydiff_data", {})
    if "hits" not in cache:
        cache["hits"] = load_patterns("data_categories").match(doc) + load_patterns(
            "data_sources"
        ).match(doc)
    for m in cache["hits"]:
        if m.start_char >= lo and m.end_char <= hi:
            if negated_at(doc, m.start) is not None:
                continue  # "posts, which do not include private messages, ..."
            key = "data" if m.entry.kind == tx.DATA_CATEGORY else "source"
            facets.add((key, m.entry.label))
    info = doc_info(doc)
    for m in info.lex.get("BROAD_DATA", []):
        if m.start_char >= lo and m.end_char <= hi:
            facets.add(("data", "personal_data"))
    return facets


@register("policydiff.ai_training.v1")
class AITrainingRecognizer(Recognizer):
    """Finds AI-training uses (and commitments not to train) with their scope."""

    per_clause = True
    kinds = (tx.AI_TRAINING, tx.EXCLUSION, tx.RECIPIENT)

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        prev_doc: Doc | None = None
        ctx_docs: dict[str, Doc] = {}
        edocs = en_docs(clauses, docs)
        load_patterns("ai_training").match_many(edocs)  # one batched pass, cached per Doc
        for clause, doc in zip(clauses, edocs, strict=False):
            try:
                out.extend(self._clause(clause, doc, prev_doc, ctx_docs))
            finally:
                prev_doc = doc
        return out

    # -- one clause -----------------------------------------------------------------------
    def _clause(
        self, clause: Clause, doc: Doc, prev_doc: Doc | None, ctx_docs: dict[str, Doc]
    ) -> list[Annotation]:
        lex = doc_lex(doc)
        if not (
            lex.get("VERB_STRONG")
            or lex.get("VERB_WEAK")
            or lex.get("FOREIGN_USE")
            or lex.get("TRAINING_NOUN")
        ):
            return []
        if not (
            lex.get("AI") or lex.get("MODEL") or lex.get("AI_MODEL") or lex.get("FOREIGN_USE")
        ) and not (lex.get("HUMAN_REVIEW") or lex.get("TRAINING_NOUN")):
            return []
        if clause.text.rstrip().endswith("?"):
            return []
        info = doc_info(doc)
        hits = self._english_hits(doc, info)
        out: list[Annotation] = []
        seen: set[tuple[int, str, bool]] = set()
        for verb, obj, pattern, score, recipient in hits:
            first = min(verb.start, obj.start)
            neg_tok = negation_before(info, first, NEG_WINDOW)
            if neg_tok is not None and (
                in_relative_clause(doc, info, neg_tok, first)
                or new_subject_between(doc, neg_tok + 1, first)
            ):
                neg_tok = None  # "which do not ...", "we don't sell X, and we train ..."
            if neg_tok is None:  # "we do not use <long object list> to develop ... AI"
                neg_tok = negated_use_before(doc, info, first)
            negated = neg_tok is not None
            lo, hi = sentence_bounds(doc, verb.start)
            label = "recipient_use" if recipient else "use"
            key = (info.sent_of[verb.start], label, negated)
            if key in seen:
                continue
            seen.add(key)
            start = min(verb.start_char, obj.start_char)
            end = max(verb.end_char, obj.end_char)
            quals = self._qualifiers(clause, doc, prev_doc, ctx_docs, lo, hi, recipient, info)
            if negated:
                ns = doc[neg_tok].idx  # type: ignore[index]
                out.append(
                    annotation(
                        clause,
                        tx.EXCLUSION,
                        "no_ai_training",
                        ns,
                        end,
                        0.9,
                        self.name,
                        pattern,
                        f"'{clause.text[ns:end]}' says the data is NOT used to train AI models "
                        "(negation cue in the same scope as the training verb).",
                        qualifiers=quals,
                    )
                )
            detail = (
                f"'{verb.text}' with the AI/model object '{obj.text}' in the same scope"
                + (" (by a recipient)" if recipient else "")
                + (": negated, so this is a commitment not to train." if negated else ".")
            )
            out.append(
                annotation(
                    clause,
                    tx.AI_TRAINING,
                    label,
                    start,
                    end,
                    score * (0.9 if negated else 1.0),
                    self.name,
                    pattern,
                    detail,
                    negated=negated,
                    qualifiers=quals,
                )
            )
            if recipient and not negated:
                out.append(
                    annotation(
                        clause,
                        tx.RECIPIENT,
                        "ai_providers",
                        start,
                        end,
                        0.8,
                        self.name,
                        pattern,
                        "Data is shared so that another company can train its AI models.",
                    )
                )
        out.extend(self._foreign(clause, doc, info, seen, prev_doc, ctx_docs))
        return out

    @staticmethod
    def _recipient_cue(doc: Doc, m: Match) -> bool:
        """Check the subject of 'so that X' / 'enable X to' is not the company or the user."""
        if m.entry.type == "possessive":
            return True
        nxt = doc[m.end].lower_ if m.end < len(doc) else ""
        if nxt in ("we", "us", "you", "our", "i", "your", ""):
            return False
        if m.entry.type == "enable":
            return any(t.lower_ == "to" for t in doc[m.end + 1 : m.end + 6])
        return True

    def _english_hits(self, doc: Doc, info) -> list[tuple[Match, Match, str, float, bool]]:
        lex = info.lex
        scope = info.scope
        not_training = {t for m in lex.get("NOT_TRAINING", []) for t in range(m.start, m.end)}
        feature_ai = {m.start for m in lex.get("AI_FEATURE", [])}
        ai_terms = [m for m in lex.get("AI", []) if m.end - 1 not in feature_ai]
        ai_models = lex.get("AI_MODEL", [])
        models = lex.get("MODEL", [])
        recip = [r for r in lex.get("RECIPIENT_CUE", []) if self._recipient_cue(doc, r)]
        human = lex.get("HUMAN_REVIEW", [])
        hits: list[tuple[Match, Match, str, float, bool]] = []

        def recipient_for(verb: Match, obj: Match) -> bool:
            for r in recip:
                if scope[r.start] != scope[verb.start]:
                    continue
                if 0 < verb.start - r.start <= 25 or (
                    obj.start <= r.start < obj.end + 1 and doc[r.start].lower_ in ("its", "their")
                ):
                    return True
                if (
                    r.start >= verb.end
                    and r.start - verb.end <= 3
                    and doc[r.start].lower_
                    in (
                        "its",
                        "their",
                    )
                ):
                    return True
            return False

        for v in lex.get("VERB_STRONG", []):
            if v.start in not_training:
                continue
            sc = scope[v.start]
            cands = [
                o
                for o in ai_models + ai_terms + models
                if scope[o.start] == sc
                and (0 <= o.start - v.end < STRONG_AFTER or 0 <= v.start - o.end < STRONG_BEFORE)
            ]
            if cands:
                obj = min(cands, key=lambda o: abs(o.start - v.start))
                hits.append((v, obj, "ai.verb.strong", 0.9, recipient_for(v, obj)))
        for n in lex.get("TRAINING_NOUN", []):
            if n.start not in not_training:
                hits.append((n, n, "ai.training_noun", 0.85, recipient_for(n, n)))
        sent_has_ai = {info.sent_of[m.start] for m in ai_terms + ai_models}
        for v in lex.get("VERB_WEAK", []):
            sc = scope[v.start]
            obj = None
            for o in ai_models:
                if scope[o.start] == sc and 0 <= o.start - v.end < WEAK_AFTER:
                    obj = o
                    break
            if obj is None:
                for o in ai_terms:
                    if scope[o.start] == sc and 0 <= o.start - v.end < 4:
                        obj = o
                        break
            if obj is None and info.sent_of[v.start] in sent_has_ai:
                for o in models:
                    if scope[o.start] == sc and 0 <= o.start - v.end < WEAK_AFTER:
                        obj = o
                        break
            if obj is not None:
                hits.append((v, obj, "ai.verb.weak", 0.8, recipient_for(v, obj)))
                continue
            if not doc[v.start].lower_.startswith("improv"):
                continue
            for h in human:
                gap = doc[v.end : h.start]
                if scope[h.start] != sc or not 0 < h.start - v.end <= 8:
                    continue
                words = [
                    t
                    for t in gap
                    if t.is_alpha and t.lower_ not in ("with", "the", "help", "of", "from")
                ]
                if (
                    1 <= len(words) <= 4
                    and not any(t.lower_ in _SERVICE_WORDS for t in words)
                    and any(t.text[:1].isupper() for t in words)
                ):
                    hits.append((v, h, "ai.human_review", 0.6, False))
                    break
        hits.sort(key=lambda h: h[0].start)
        return hits

    def _qualifiers(
        self,
        clause: Clause,
        doc: Doc,
        prev_doc: Doc | None,
        ctx_docs: dict[str, Doc],
        lo: int,
        hi: int,
        recipient: bool,
        info,
    ) -> tuple[tuple[str, str], ...]:
        facets = _facets(clause.text, doc, lo, hi)
        anaphoric = any(
            lo <= m.start_char < lo + 2 and m.start in info.sent_starts
            for m in info.lex.get("ANAPHOR", [])
        )
        if anaphoric:
            if lo > 0:
                plo, _ = sentence_bounds(
                    doc, max(0, doc.char_span(lo, hi, alignment_mode="expand").start - 1)
                )
                facets |= _facets(clause.text, doc, plo, lo)
            elif prev_doc is not None and len(prev_doc):
                plo, phi = sentence_bounds(prev_doc, len(prev_doc) - 1)
                facets |= _facets(doc_text(prev_doc), prev_doc, plo, phi)
        if clause.context:
            cdoc = ctx_docs.get(clause.context)
            if cdoc is None:
                cdoc = en_doc(None, clause.context)
                ctx_docs[clause.context] = cdoc
            facets |= _facets(clause.context, cdoc, 0, len(clause.context))
        quals = sorted(facets)
        quals.append(("actor", "recipient" if recipient else "company"))
        if any(lo <= m.start_char < hi for m in info.lex.get("GENERATIVE", [])):
            quals.append(("model", "generative"))
        return tuple(quals)

    def _foreign(
        self, clause: Clause, doc: Doc, info, seen, prev_doc: Doc | None, ctx_docs: dict[str, Doc]
    ) -> list[Annotation]:
        out: list[Annotation] = []
        negs = info.lex.get("FOREIGN_NEG", [])
        for m in info.lex.get("FOREIGN_USE", []):
            lo, hi = sentence_bounds(doc, m.start)
            negated = any(
                lo <= n.start_char <= m.start_char + 20 and n.start_char >= m.start_char - 80
                for n in negs
            )
            key = (info.sent_of[m.start], "use", negated)
            if key in seen:
                continue
            seen.add(key)
            quals = self._qualifiers(clause, doc, prev_doc, ctx_docs, lo, hi, False, info)
            if negated:
                out.append(
                    annotation(
                        clause,
                        tx.EXCLUSION,
                        "no_ai_training",
                        m.start_char,
                        m.end_char,
                        0.8,
                        self.name,
                        m.entry.id,
                        f"'{m.text}' (French/German) is negated: data not used to train models.",
                        qualifiers=quals,
                    )
                )
            out.append(
                annotation(
                    clause,
                    tx.AI_TRAINING,
                    "use",
                    m.start_char,
                    m.end_char,
                    0.75 * (0.9 if negated else 1.0),
                    self.name,
                    m.entry.id,
                    f"'{m.text}': French/German training verb with a model object"
                    + (", negated." if negated else "."),
                    negated=negated,
                    qualifiers=quals,
                )
            )
        return out

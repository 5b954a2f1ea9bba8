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

import dataclasses
from collections.abc import Sequence

from spacy.tokens import Doc

from .. import modality as mod
from .. import taxonomy as tx
from ..datamodel import Annotation, Clause, Explanation
from .base import Recognizer, register
from .common import (
    annotation,
    doc_info,
    doc_language,
    doc_lex,
    doc_text,
    en_doc,
    en_docs,
    in_relative_clause,
    lang_doc,
    make_span,
    negated_at,
    negated_coordination,
    negated_use_before,
    negation_before,
    new_subject_between,
    sentence_bounds,
)
from .patterns import Match, load_patterns

STRONG_ANCHORS = ("VERB_STRONG", "TRAINING_NOUN", "HUMAN_REVIEW", "FOREIGN_USE", "FOREIGN_TRAIN")
MODEL_OBJECTS = ("AI", "MODEL", "AI_MODEL", "GENERATIVE", "FOREIGN_AI")

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
    lang = doc.user_data.get("policydiff_lang", "en")
    if "hits" not in cache:
        # the data patterns of the document's language, matched on a Doc of that language
        # (same text, so the character offsets are those of ``doc``)
        ldoc = doc if lang == "en" else lang_doc(None, doc_text(doc), lang)
        cache["hits"] = [
            (m, ldoc)
            for name in ("data_categories", "data_sources")
            for m in load_patterns(name, lang).match(ldoc)
        ]
    inside = [(m, ldoc) for m, ldoc in cache["hits"] if m.start_char >= lo and m.end_char <= hi]
    for m, ldoc in inside:
        if any(
            o.entry.kind == m.entry.kind
            and o.start_char <= m.start_char
            and m.end_char <= o.end_char
            and (o.end_char - o.start_char) > (m.end_char - m.start_char)
            for o, _ in inside
        ):
            continue  # a hit inside a longer one of the same kind: the longer one says it
        if negated_at(ldoc, m.start) is not None:
            continue  # "posts, which do not include private messages, ..."
        key = "data" if m.entry.kind == tx.DATA_CATEGORY else "source"
        facets.add((key, m.entry.label))
    info = doc_info(doc)
    for m in info.lex.get("BROAD_DATA", []):
        if m.start_char >= lo and m.end_char <= hi:
            facets.add(("data", "personal_data"))
    return facets


def _modality(doc: Doc, lo_char: int, hi_char: int, target_char: int) -> str:
    """Modality of a statement whose sentence spans ``lo_char:hi_char`` and whose target
    starts at ``target_char`` (cue table: ``patterns/modality.json``, see
    :mod:`analyzer.modality`). A choice frame counts only before the target ("you can opt out
    of our use of X to train"), within 100 characters."""
    hits = doc.user_data.get("policydiff_modality")
    if hits is None:
        hits = doc.user_data["policydiff_modality"] = load_patterns("modality").match(doc)
    cues: list[str] = []
    for m in hits:
        if not (lo_char <= m.start_char < hi_char):
            continue
        if (
            m.entry.label == "CHOICE_FRAME"
            and m.entry.type != "either"
            and not (0 <= target_char - m.start_char <= 100)
        ):
            continue
        cues.append(m.entry.label)
    return mod.pick(cues)


_DATA_REFERENCE = frozenset({"them", "these", "those"})


def _about_data(clause: Clause, info, quals: tuple[tuple[str, str], ...], lo: int, hi: int) -> bool:
    """A training statement is about people's data when its sentence (or the list lead-in
    or anaphor its qualifiers already read) names data, content or a source, or refers back
    to it ("them", "these"). Headings, table rows and list items state purposes without
    naming the data in the same breath ("Develop and improve AI at Meta") and always count.
    "Anthropic is an AI research company building reliable AI systems", "the model can
    predict the next word" name none: they describe AI, not the use of data."""
    if clause.kind != "sentence":
        return True
    if any(k in ("data", "source") for k, _ in quals):
        return True
    if any(lo <= m.start_char < hi for m in info.lex.get("DATA_WORD", [])):
        return True
    text = clause.text[lo:hi].lower()
    return any(f" {w} " in f" {text} " or f" {w}," in text for w in _DATA_REFERENCE)


def _foreign_negated(info, lo: int, hi: int, anchor: Match) -> bool:
    """A German or French negation ("nicht", "keine", "ne ... pas") in the anchor's sentence
    before it or just after it (French "ne ... pas" closes after the verb)."""
    return any(
        lo <= n.start_char < hi and n.start_char <= anchor.start_char + 20
        for n in info.lex.get("FOREIGN_NEG", [])
    )


def start_char_of(verb: Match, obj: Match) -> int:
    return min(verb.start_char, obj.start_char)


def _with_modality(quals: tuple[tuple[str, str], ...], value: str) -> tuple[tuple[str, str], ...]:
    return (*quals, ("modality", value)) if value != mod.USE else quals


@register("policydiff.ai_training.v1")
class AITrainingRecognizer(Recognizer):
    """Finds AI-training uses (and commitments not to train) with their scope, polarity
    and modality; with the trained AI-training model (``models/ai_training.skops``) it also
    finds training stated in words the rules do not know.

    Args:
        model: the AI-training :class:`TextModel` (default: loaded from ``models/`` when
            present; ``False`` runs the rules alone).
    """

    per_clause = True
    kinds = (tx.AI_TRAINING, tx.EXCLUSION, tx.RECIPIENT)
    languages = ("en", "de", "fr")

    def __init__(self, model: object | None = None):
        if model is None:
            from ..classify.ai_model import cached_model

            model = cached_model()
        self.model = model or None

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        prev_doc: Doc | None = None
        ctx_docs: dict[str, Doc] = {}
        lang = doc_language(docs)
        edocs = en_docs(clauses, docs)
        if lang != "en":  # the data patterns of the facets are read in the document's language
            for d in edocs:
                d.user_data["policydiff_lang"] = lang
        load_patterns("ai_training").match_many(edocs)  # one batched pass, cached per Doc
        scores = self._model_scores(clauses, edocs)
        for i, (clause, doc) in enumerate(zip(clauses, edocs, strict=False)):
            try:
                found = self._clause(clause, doc, prev_doc, ctx_docs)
                if i in scores:
                    found = self._with_model(clause, doc, found, scores[i], prev_doc, ctx_docs)
                out.extend(found)
            finally:
                prev_doc = doc
        return out

    # -- the model ------------------------------------------------------------------------
    def _model_scores(
        self, clauses: Sequence[Clause], docs: Sequence[Doc]
    ) -> dict[int, tuple[float, tuple[str, ...]]]:
        """P(trains) and top terms of every clause that passes the model's gate."""
        if self.model is None:
            return {}
        from ..classify.ai_model import gate, model_input

        todo = [i for i, (c, d) in enumerate(zip(clauses, docs, strict=False)) if gate(d)]
        if not todo:
            return {}
        texts = [model_input(clauses[i]) for i in todo]
        model = self.model
        weighted = model.weigh(model.featurize(texts))  # type: ignore[attr-defined]
        proba = model.proba_from(weighted)[:, 0]  # type: ignore[attr-defined]
        th = model.thresholds[0]  # type: ignore[attr-defined]
        explain = [row for row in range(len(todo)) if proba[row] >= th]
        tops = model.name_top_many(weighted, [(row, 0) for row in explain], 5)  # type: ignore[attr-defined]
        top_of = dict(zip(explain, tops, strict=True))
        return {i: (float(proba[row]), top_of.get(row, ())) for row, i in enumerate(todo)}

    def _with_model(
        self,
        clause: Clause,
        doc: Doc,
        found: list[Annotation],
        scored: tuple[float, tuple[str, ...]],
        prev_doc: Doc | None,
        ctx_docs: dict[str, Doc],
    ) -> list[Annotation]:
        """Combine the rule annotations of a clause with the model's score: a rule decision
        says whether the model agrees; with no rule decision, a model score at or above its
        threshold makes a use, unless negation, modality or a question says otherwise."""
        p, top = scored
        th = float(self.model.thresholds[0])  # type: ignore[union-attr]
        agree = p >= th
        rule_ai = [a for a in found if a.kind == tx.AI_TRAINING]
        if rule_ai:
            out = []
            for a in found:
                if a.kind != tx.AI_TRAINING:
                    out.append(a)
                    continue
                both = agree and mod.is_use(a)
                note = (
                    f" The AI-training model agrees (P(trains) = {p:.2f} >= {th:.2f})."
                    if both
                    else f" The AI-training model gives P(trains) = {p:.2f} (threshold {th:.2f})."
                )
                ex = a.explanation
                out.append(
                    dataclasses.replace(
                        a,
                        explanation=Explanation(
                            ex.recognizer,
                            "rule+model" if both else "rule",
                            ex.pattern,
                            ex.detail.rstrip() + note,
                            top if both else ex.top_terms,
                        ),
                        qualifiers=(*a.qualifiers, ("model_score", f"{p:.2f}")),
                    )
                )
            return out
        if not agree or clause.text.rstrip().endswith("?"):
            return found
        made = self._model_use(clause, doc, p, th, top, prev_doc, ctx_docs)
        return [*found, *made]

    def _model_use(
        self,
        clause: Clause,
        doc: Doc,
        p: float,
        th: float,
        top: tuple[str, ...],
        prev_doc: Doc | None,
        ctx_docs: dict[str, Doc],
    ) -> list[Annotation]:
        """A model-decided use, anchored on the clause's first training or improvement word."""
        info = doc_info(doc)
        lex = info.lex
        not_training = {t for n in lex.get("NOT_TRAINING", []) for t in range(n.start, n.end)}
        # the model decides how words combine, not whether a training predicate is there: a
        # model-decided use is anchored on a training or improvement word, and a weak one
        # ("improve", "develop", "more accurate") needs an AI or model word in its sentence
        strong = [
            m
            for role in (
                "VERB_STRONG",
                "TRAINING_NOUN",
                "HUMAN_REVIEW",
                "FOREIGN_USE",
                "FOREIGN_TRAIN",
            )
            for m in lex.get(role, [])
            if m.start not in not_training
        ]
        objects = [m for role in MODEL_OBJECTS for m in lex.get(role, [])]
        weak = [
            m
            for role in ("VERB_WEAK", "MODEL_PREDICATE", "FOREIGN_IMPROVE")
            for m in lex.get(role, [])
            if any(info.sent_of[o.start] == info.sent_of[m.start] for o in objects)
        ]
        anchors = strong + weak
        if not anchors:
            return []
        anchor = min(anchors, key=lambda m: m.start)
        neg = negation_before(info, anchor.start, NEG_WINDOW)
        if neg is not None and in_relative_clause(doc, info, neg, anchor.start):
            neg = None
        if neg is None:
            neg = negated_use_before(doc, info, anchor.start)
        if neg is None:
            neg = negated_coordination(doc, info, anchor.start)
        if neg is None and _foreign_negated(info, *sentence_bounds(doc, anchor.start), anchor):
            neg = anchor.start
        if neg is not None:
            return []  # a denial: the rules' business (they found none), never a use
        lo, hi = sentence_bounds(doc, anchor.start)
        value = _modality(doc, lo, hi, anchor.start_char)
        if value == mod.CHOICE:
            return []
        quals = self._qualifiers(clause, doc, prev_doc, ctx_docs, lo, hi, False, info)
        if not _about_data(clause, info, quals, 0, len(clause.text)):
            return []
        quals = (*_with_modality(quals, value), ("model_score", f"{p:.2f}"))
        return [
            Annotation(
                clause_id=clause.id,
                kind=tx.AI_TRAINING,
                label="use",
                span=make_span(clause.text, anchor.start_char, anchor.end_char),
                score=round(p, 4),
                explanation=Explanation(
                    recognizer=self.name,
                    source="model",
                    pattern="ai_training",
                    detail=(
                        f"The AI-training model reads this clause as a statement that data is "
                        f"used to train or improve AI models (P(trains) = {p:.2f} >= "
                        f"threshold {th:.2f}); no training rule matched its wording."
                    ),
                    top_terms=top,
                ),
                qualifiers=quals,
            )
        ]

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
            if neg_tok is None:  # "won't appear in history, ..., or be used to train"
                neg_tok = negated_coordination(doc, info, first)
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
            value = mod.USE if negated else _modality(doc, lo, hi, start_char_of(verb, obj))
            if not (negated or recipient) and not _about_data(clause, info, quals, lo, hi):
                continue  # "Anthropic is ... building reliable AI systems": no data in play
            quals = _with_modality(quals, value)
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
            if recipient and not negated and value not in mod.NOT_USE:
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
            if not negated:
                quals = _with_modality(quals, _modality(doc, lo, hi, m.start_char))
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

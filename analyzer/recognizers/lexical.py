"""Lexical rule recognizers: purposes, data categories and sources, recipients, choices,
exclusions. Each reads one pattern file and marks hits preceded by a negation cue in the
same scope as ``negated`` (e.g. "we do not sell" -> ``recipient/sale`` negated, mirrored by
``exclusion/no_sale`` from the exclusion patterns)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import ClassVar

from spacy.tokens import Doc

from .. import taxonomy as tx
from ..datamodel import Annotation, Clause
from ..languages import COVERED
from .base import Recognizer, register
from .common import annotation, doc_language, match_kind, negated_at, negated_governor_before
from .patterns import Match

_SHARING_CUE = re.compile(
    r"\b(shar(e|es|ed|ing)|disclos(e|es|ed|ure|ing)|transfer(s|red|ring)?|sell|sold|sale|"
    r"provide[sd]? (it |them |your \w+ )?to|make[s]? (it )?available|recipients?|access to|"
    r"receive[sd]?|give[sn]? access|give[sn]? (it |them |your \w+ )?to|hand over|publish(ed)?|"
    r"visible|(be|is|are) public)\b",
    re.I,
)
_SHARING_SECTION = re.compile(r"shar|disclos|recipient|third part|transfer|who we", re.I)
_CONTROLLER = re.compile(
    r"verantwortlich|responsable (du|de ce|des) traitement|\bcontroller\b|"
    r"datenschutzbeauftragt|délégué à la protection|data protection officer",
    re.I,
)
#: the same cues in the other covered languages
_SHARING_CUES = {
    "en": (_SHARING_CUE, _SHARING_SECTION),
    "de": (
        re.compile(
            r"\b((weiter|über|heraus)?(geben|gegeben|gibt)|weitergabe|übermitt\w*|offenleg\w*|"
            r"offengelegt|übertr(agen|ägt|agung|agen)|verkauf\w*|teilen|geteilt|teilt|"
            r"empfänger\w*|zugriff|zugänglich|übergeben|mitgeteilt|"
            r"veröffentlich\w*|sichtbar)\b",
            re.I,
        ),
        re.compile(r"weitergabe|empfänger|übermittlung|dritte|offenlegung|teilen", re.I),
    ),
    "fr": (
        re.compile(
            r"\b(partag\w*|communiqu\w*|transf[eé]r\w*|divulgu\w*|transmet\w*|transmis\w*|"
            r"transmission|vend\w*|vente|destinataires?|acc[eè]s|fournir|fournissons|"
            r"re[cç]oi\w*|publi\w*|visibles?)\b",
            re.I,
        ),
        re.compile(r"partag|destinataire|communicat|transfert|tiers|divulg", re.I),
    ),
}


class LexicalRecognizer(Recognizer):
    """Emits one annotation per pattern hit (first hit per label and clause kept)."""

    per_clause = True
    languages = COVERED
    pattern_file: ClassVar[str] = ""
    noun: ClassVar[str] = "practice"
    #: whether a negation cue before a hit marks it negated (exclusion patterns carry their own)
    negatable: ClassVar[bool] = True

    def keep(self, clause: Clause, text: str, lang: str = "en") -> bool:  # noqa: ARG002 - hook
        return True

    def drop(self, clause: Clause, m: Match) -> bool:  # noqa: ARG002 - hook for subclasses
        """Whether to leave out a hit that the patterns found."""
        return False

    #: label -> (regex the text just before a hit must not match at its end, regex the
    #: text just after it must not match at its start): hits that name something else
    #: ("contact us" is not contacts data, "a chat with other people" no AI interaction)
    not_when: ClassVar[dict[str, tuple[str, str]]] = {}

    #: label -> regex the clause must match somewhere for a hit that is one of the
    #: ``only_in_context`` words to count ("chats" are AI interactions only where the clause
    #: speaks of AI; "Google Chat, for sending messages" is not)
    only_in_context: ClassVar[dict[str, tuple[frozenset[str], str]]] = {}

    #: label -> (regex, characters): a hit counts only where the regex matches within that
    #: many characters of it ("children" names a data category where data is named beside
    #: it: "information from a child under 13", not "protect children from harm")
    only_near: ClassVar[dict[str, tuple[str, int]]] = {}

    def accept(self, text: str, m: Match) -> bool:
        """Whether hit ``m`` of ``text`` names what its label means (``not_when``,
        ``only_in_context``, ``only_near``)."""
        ctx = self.only_in_context.get(m.entry.label)
        if ctx is not None and m.text.lower() in ctx[0]:
            if _ci(ctx[1]).search(text) is None:
                return False
        near = self.only_near.get(m.entry.label)
        if near is not None:
            pattern, width = near
            lo, hi = max(0, m.start_char - width), min(len(text), m.end_char + width)
            if _ci(pattern).search(text[lo:hi]) is None:
                return False
        rule = _compiled_rules(type(self)).get(m.entry.label)
        if rule is None:
            return True
        before, after = rule
        if before is not None and before.search(text[max(0, m.start_char - 40) : m.start_char]):
            return False
        return not (after is not None and after.match(text, m.end_char))

    def describe(self, m: Match) -> str:
        """The explanation of a hit (before any negation note)."""
        e = m.entry
        meaning = tx.VOCABULARY.get(e.kind, {}).get(e.label, e.label)
        return e.detail or f"'{m.text}' names a {self.noun}: {meaning}"

    def analyze(self, clauses: Sequence[Clause], docs: Sequence[Doc]) -> list[Annotation]:
        out: list[Annotation] = []
        lang = doc_language(docs)
        for clause, doc, _ps, hits in match_kind(self.pattern_file, clauses, docs):
            if not self.keep(clause, clause.text, lang):
                # entries typed "named" (a company named as provider) need no cue
                hits = [m for m in hits if m.entry.type == "named"]
                if not hits:
                    continue
            seen: set[tuple[str, bool]] = set()
            for m in hits:
                e = m.entry
                if self.drop(clause, m) or not self.accept(clause.text, m):
                    continue
                neg = self.negatable and (
                    negated_at(doc, m.start) is not None
                    or negated_governor_before(doc, m.start) is not None
                )
                key = (e.label, neg)
                if key in seen:
                    continue
                seen.add(key)
                detail = self.describe(m)
                if neg:
                    detail = f"Negated: {detail} (a negation cue precedes it in the same scope)."
                out.append(
                    annotation(
                        clause,
                        e.kind,
                        e.label,
                        m.start_char,
                        m.end_char,
                        e.score * (0.9 if neg else 1.0),
                        self.name,
                        e.id,
                        detail,
                        negated=neg,
                    )
                )
        return out


_DOCUMENT_NAME = re.compile(
    r"(['’]s)?\s+(privacy|data)\s+(notice|policy|guide|cent(er|re)|statement|hub)\b", re.I
)

_RULES: dict[type, dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]] = {}


def _compiled_rules(
    cls: type[LexicalRecognizer],
) -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    rules = _RULES.get(cls)
    if rules is None:
        rules = _RULES[cls] = {
            label: (
                re.compile(f"(?:{b})$", re.I) if b else None,
                re.compile(a, re.I) if a else None,
            )
            for label, (b, a) in cls.not_when.items()
        }
    return rules


@cache
def _ci(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled case-insensitively, once (``only_in_context``, ``only_near``)."""
    return re.compile(pattern, re.I)


@register("policydiff.purpose.v1")
class PurposeRecognizer(LexicalRecognizer):
    kinds = (tx.PURPOSE,)
    pattern_file = "purposes"
    noun = "purpose"


@register("policydiff.data_category.v1")
class DataCategoryRecognizer(LexicalRecognizer):
    kinds = (tx.DATA_CATEGORY,)
    pattern_file = "data_categories"
    noun = "data category"

    def drop(self, clause: Clause, m: Match) -> bool:
        """A category word in the name of another document ("Health Privacy Notice", "Teen
        Privacy Guide", "YouTube Kids Privacy Notice") names that document, not data."""
        return _DOCUMENT_NAME.match(clause.text, m.end_char) is not None

    not_when: ClassVar[dict[str, tuple[str, str]]] = {
        # the company's own name ("change of name", "its name"), not a person's
        "identifiers": (
            r"\b(change of|its|our|company|company['’]s|brand|domain|trade|product|file) ",
            "",
        ),
        # "contact us", "to contact you": a way to reach someone, not contacts data
        "contacts": (
            r"\b(please|to|may|can|will|should|you|we) ",
            r"\s+((and|or) (personal )?)?(us|you|them|him|her|our|the company|support|"
            r"customer|information|info|details|data|form)\b",
        ),
        # "co-location facility" is no location data
        "location": (r"\bco-", ""),
        # "business activities" are the company's, not the user's usage data
        "usage": (
            r"\b(business|commercial|marketing|processing|these|such|our|illegal|unlawful|"
            r"fraudulent|suspicious|criminal|prohibited) ",
            "",
        ),
        # a chat with other people, a group chat or a support channel ("request support via
        # email or live chat") is no interaction with an AI (and see ``only_in_context``):
        # "with other Twitter users", "with your connections"; a capitalized "Live" is a
        # product name (Gemini Live)
        "ai_interactions": (
            r"\bgroup |\b(?-i:live) |\bsupport |\bcustomer (service|support) ",
            r"\s+with\s+((an)?other|others)\b|\s+with\s+(your |their )?(people|users|members|"
            r"friends|contacts|connections|followers|colleagues|family)\b",
        ),
    }
    # a group of people (children, minors, teens) is a data category where their data is
    # named beside it ("personal information from a child under 13", "children's voice
    # data", "accounts of teens"); an age limit ("you must be 13 years old to use the
    # Service"), a heading ("Children's Privacy"), a product ("YouTube Kids") or a purpose
    # ("to protect children from harm") names none
    only_near: ClassVar[dict[str, tuple[str, int]]] = {
        "children": (
            r"\b(data|information|pii|personally|accounts?|profiles?|voices?|audio|"
            r"collect\w*|provided|données|informations|comptes?|vocales?|collecte\w*|daten|"
            r"informationen|konten|konto|erheb\w*)\b",
            30,
        )
    }
    only_in_context: ClassVar[dict[str, tuple[frozenset[str], str]]] = {
        "ai_interactions": (
            frozenset(
                {
                    "chat",
                    "chats",
                    "conversation",
                    "conversations",
                    "prompt",
                    "prompts",
                    "queries",
                    "memory",
                    "memories",
                    "invites",
                }
            ),  # fmt: skip
            # not "bots" (fake accounts, scrapers) nor "agents" (people acting for someone)
            r"\b(ai|a\.i\.|artificial intelligence|assistants?|chatbots?|models?|llms?|"
            r"generative|gemini|bard|claude|copilot|chatgpt|gpt|agentic)\b",
        )
    }


@register("policydiff.data_source.v1")
class DataSourceRecognizer(LexicalRecognizer):
    kinds = (tx.DATA_SOURCE,)
    pattern_file = "data_sources"
    noun = "data source"
    not_when: ClassVar[dict[str, tuple[str, str]]] = {
        # "information set to everyone is publicly available information" says what becomes
        # of the user's data, not where data comes from
        "public_web": (r"\b(is|are|be|been|becomes?|will be) ", ""),
    }


@register("policydiff.recipient.v1")
class RecipientRecognizer(LexicalRecognizer):
    """Recipients count only where the clause or its section speaks of disclosure."""

    kinds = (tx.RECIPIENT,)
    pattern_file = "recipients"
    noun = "recipient"

    def keep(self, clause: Clause, text: str, lang: str = "en") -> bool:
        cue, section = _SHARING_CUES.get(lang, _SHARING_CUES["en"])
        if cue.search(text) or cue.search(clause.context):
            return True
        return any(section.search(h) for h in clause.section)

    def drop(self, clause: Clause, m: Match) -> bool:
        # a company named as the controller or its representative is not a recipient
        if m.entry.label != "named_company":
            return False
        return any(_CONTROLLER.search(t) for t in (clause.text, clause.context, *clause.section))


@register("policydiff.choice.v1")
class ChoiceRecognizer(LexicalRecognizer):
    kinds = (tx.CHOICE,)
    pattern_file = "choices"
    noun = "user choice"


@register("policydiff.exclusion.v1")
class ExclusionRecognizer(LexicalRecognizer):
    """Exclusion patterns carry their own negation, so hits are never marked negated."""

    kinds = (tx.EXCLUSION,)
    pattern_file = "exclusions"
    noun = "protection"
    negatable = False

    def describe(self, m: Match) -> str:
        return m.entry.detail or f"'{m.text}' states a protection."

"""The label vocabulary every stage shares.

Each annotation ``kind`` has a closed set of ``label`` values listed here with a one-line
definition. Recognizers, classifiers, findings and reports all use these names; the
documentation in ``docs/taxonomy.md`` is generated from this module
(``python -m analyzer.taxonomy``).
"""

from __future__ import annotations

# --- annotation kinds ---------------------------------------------------------------------------
PURPOSE = "purpose"
DATA_CATEGORY = "data_category"
DATA_SOURCE = "data_source"
LEGAL_BASIS = "legal_basis"
RECIPIENT = "recipient"
CHOICE = "choice"
EXCLUSION = "exclusion"
AI_TRAINING = "ai_training"
VAGUE = "vague"
CATEGORY = "category"  # OPP-115 data-practice category (trained classifier)

KINDS: dict[str, str] = {
    PURPOSE: "Why the data is processed.",
    DATA_CATEGORY: "What kind of personal data is involved.",
    DATA_SOURCE: "Where the data comes from.",
    LEGAL_BASIS: "The GDPR Art. 6(1) ground claimed for the processing.",
    RECIPIENT: "Who the data is disclosed, shared or sold to.",
    CHOICE: "What the user can do about the processing.",
    EXCLUSION: "A protection: data, people or uses the company says it leaves out.",
    AI_TRAINING: "Data used, or allowed to be used, to train or improve AI/ML models.",
    VAGUE: "Open-ended or unspecified wording (Reidenberg et al. 2016; Art. 5(1)(b)).",
    CATEGORY: "OPP-115 data-practice category of the clause (trained classifier).",
}

PURPOSES: dict[str, str] = {
    "provide_service": "Provide, operate or maintain the service the user asked for.",
    "security": "Security, integrity, fraud and abuse prevention, safety.",
    "personalization": "Personalize or customize content, feeds or features.",
    "advertising": "Advertising, marketing, ad targeting or ad measurement.",
    "analytics": "Measurement, analytics, statistics about use of the service.",
    "research": "Research (scientific, academic or internal).",
    "product_development": "Develop new products or features, improve the service.",
    "ai_training": "Train, develop, fine-tune or improve AI / machine-learning models.",
    "legal_compliance": "Comply with law, respond to legal requests, enforce terms.",
    "communications": "Communicate with the user: service messages, support, newsletters.",
    "open_ended": "Open-ended purposes: 'other purposes', 'any purpose', 'business purposes'.",
}

DATA_CATEGORIES: dict[str, str] = {
    "public_posts": "Public posts, comments, reactions and other public content.",
    "media": "Photos, videos, audio recordings and their captions.",
    "messages": "Private messages, chats, e-mails exchanged on the service.",
    "ai_interactions": "Prompts, chats and other interactions with AI features.",
    "contacts": "Contacts, address book, social graph.",
    "location": "Precise or approximate location.",
    "device": "Device identifiers, IP address, browser, operating system.",
    "usage": "Usage and activity data, logs, interactions, browsing.",
    "identifiers": "Name, e-mail, phone number, account identifiers.",
    "financial": "Payment and financial information.",
    "biometric": "Biometric data: face, voice prints, fingerprints.",
    "health": "Health data.",
    "special_category": "Other Art. 9 special categories (religion, ethnicity, sexuality...).",
    "children": "Data of children or minors.",
    "profile": "Profile information, demographics, inferences.",
}

DATA_SOURCES: dict[str, str] = {
    "user_provided": "Provided by the user.",
    "automatic": "Collected automatically (cookies, logs, sensors).",
    "partners": "Received from partners, advertisers or other third parties.",
    "public_web": "From public sources and the web ('publicly available information').",
    "ai_interactions": "From the user's interactions with AI features.",
    "other_users": "Provided by other users about the user.",
}

LEGAL_BASES: dict[str, str] = {
    "consent": "Art. 6(1)(a) consent.",
    "contract": "Art. 6(1)(b) performance of a contract.",
    "legal_obligation": "Art. 6(1)(c) legal obligation.",
    "vital_interests": "Art. 6(1)(d) vital interests.",
    "public_task": "Art. 6(1)(e) public interest or official authority.",
    "legitimate_interests": "Art. 6(1)(f) legitimate interests.",
}

LEGAL_BASIS_ARTICLE: dict[str, str] = {
    "consent": "Art. 6(1)(a)",
    "contract": "Art. 6(1)(b)",
    "legal_obligation": "Art. 6(1)(c)",
    "vital_interests": "Art. 6(1)(d)",
    "public_task": "Art. 6(1)(e)",
    "legitimate_interests": "Art. 6(1)(f)",
}

RECIPIENTS: dict[str, str] = {
    "service_providers": "Service providers, processors, vendors acting for the company.",
    "affiliates": "Affiliates and group companies.",
    "advertisers": "Advertisers, ad and marketing partners.",
    "partners": "Business partners, integration partners, developers.",
    "researchers": "Researchers and academics.",
    "authorities": "Law enforcement, courts, regulators and public authorities.",
    "buyers": "Buyers or successors in a merger, acquisition or sale of assets.",
    "ai_providers": "Other companies' AI models or AI providers.",
    "public": "Made public or visible to other users.",
    "unnamed_third_parties": "Unnamed 'third parties'.",
    "named_company": "A company named as a recipient or as the provider of a service used "
    "('der Firma INFOnline', 'Anbieter: Twitter, Inc.', 'Google Ireland Limited').",
    "sale": "Personal data is sold.",
    "shared": "Data is shared or disclosed; recipient not named (trained-model signal).",
}

CHOICES: dict[str, str] = {
    "consent": "Opt-in: processing only with the user's consent.",
    "opt_out": "Opt-out or objection (Art. 21): the user must act to stop it.",
    "withdraw": "Withdrawal of consent (Art. 7(3)).",
    "settings": "A setting or control the user can change.",
    "delete": "Deletion of data or account.",
}

EXCLUSIONS: dict[str, str] = {
    "private_messages": "Private messages are not used.",
    "minors": "Data of minors / under-18 accounts is excluded.",
    "no_sale": "Personal data is not sold.",
    "no_ai_training": "Data is not used to train AI models.",
    "no_sharing": "Data is not shared with third parties.",
    "no_ads": "Data is not used for advertising.",
    "other": "Another stated limit on use.",
}

CATEGORIES: dict[str, str] = {
    "First Party Collection/Use": "How and why the service collects and uses data.",
    "Third Party Sharing/Collection": "Sharing with or collection by third parties.",
    "User Choice/Control": "Choices and controls offered to users.",
    "User Access, Edit and Deletion": "Access, edit and deletion of data.",
    "Data Retention": "How long data is kept.",
    "Data Security": "How data is protected.",
    "Policy Change": "How users are told of policy changes.",
    "Do Not Track": "Do Not Track signals.",
    "International and Specific Audiences": "Practices for specific audiences or regions.",
    "Introductory/Generic": "Introductory or generic text.",
    "Privacy contact information": "How to contact the company about privacy.",
    "Practice not covered": "Another practice.",
}

VOCABULARY: dict[str, dict[str, str]] = {
    PURPOSE: PURPOSES,
    DATA_CATEGORY: DATA_CATEGORIES,
    DATA_SOURCE: DATA_SOURCES,
    LEGAL_BASIS: LEGAL_BASES,
    RECIPIENT: RECIPIENTS,
    CHOICE: CHOICES,
    EXCLUSION: EXCLUSIONS,
    AI_TRAINING: {
        "use": "Data or content used or allowed to be used to train/improve AI models.",
        "recipient_use": "Data shared so that a recipient can train its AI models.",
    },
    VAGUE: {
        "vague_purpose": "An open-ended or unspecified purpose.",
        "vague_term": "A vague term (condition, generalization, modality, quantifier).",
        "vague_sentence": "The clause as a whole is vague (trained score, Lebanoff & Liu 2018).",
    },
    CATEGORY: CATEGORIES,
}


def is_known(kind: str, label: str) -> bool:
    """Return True if ``label`` belongs to the vocabulary of ``kind``."""
    return label in VOCABULARY.get(kind, {})


def to_markdown() -> str:
    """Render the whole vocabulary as a Markdown document."""
    lines = ["# Taxonomy", "", "Generated by `python -m analyzer.taxonomy`.", ""]
    for kind, desc in KINDS.items():
        lines += [f"## `{kind}`", "", desc, "", "| label | meaning |", "|---|---|"]
        for label, meaning in VOCABULARY[kind].items():
            lines.append(f"| `{label}` | {meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(to_markdown())

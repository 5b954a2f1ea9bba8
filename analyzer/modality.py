"""Polarity and modality of a statement, decided in one place.

Following ConText (Harkema et al. 2009; medspaCy's ``context`` component), a statement found
by a recognizer (a *target*, e.g. "use ... to train AI models") is modified by *cues* in its
sentence, each with a category and a direction, whose reach ends at a scope terminator. The
cue table is data (``patterns/modality.json``, validated on load like every pattern file):

* ``DEFERRAL`` (either direction): "we are delaying our plans to", "paused", "not yet",
  "postponed", "until further notice": training is planned but has not started. A deferred
  statement is not a use (``modality=deferred``).
* ``UNLESS_OBJECTION`` (either direction): "unless you opt out", "if you do not object",
  "you can opt out of": a use that holds unless the user objects (``modality=unless_objection``).
* ``ONLY_WITH_CONSENT`` (either direction): "if you opt in", "with your consent", "if you choose
  to share": a use that needs the user's consent (``modality=opt_in``).
* ``CHOICE_FRAME`` (forward, within 100 characters before the target): "you can opt out of our
  use of X to train", "control whether your data is used to improve AI": the statement is the
  object of a user's choice; the use is stated, or not, elsewhere (``modality=choice``, not a
  use).
* ``HYPOTHETICAL`` (backward only, at the start of the sentence): "if we ever", "should we":
  a statement about what would happen, treated as a plan (``modality=conditional``), still a use.

Negation itself (polarity) is decided by the recognizers' shared scope code
(``recognizers.common``: negation cue, negated use verb over long objects) and stored as
``Annotation.negated``; this module adds the modality qualifier and tells whether an
annotation states a use (:func:`is_use`), which every consumer (assess, evaluation, history)
asks here instead of reading the fields itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import taxonomy as tx
from .datamodel import Annotation

#: modality values (the ``("modality", value)`` qualifier of AI-training annotations)
USE = "use"
DEFERRED = "deferred"
UNLESS_OBJECTION = "unless_objection"
OPT_IN = "opt_in"
CONDITIONAL = "conditional"
CHOICE = "choice"
MODALITIES: dict[str, str] = {
    USE: "stated as a use",
    DEFERRED: "planned but deferred, paused or not yet started: not a use",
    UNLESS_OBJECTION: "a use that holds unless the user objects or opts out",
    OPT_IN: "a use only with the user's consent (opt-in)",
    CONDITIONAL: "a use stated as a condition or plan",
    CHOICE: "the object of a user's choice or right (opt out of, object to, control whether): "
    "not itself a statement of use",
}
#: cue label (patterns/modality.json) -> modality it sets, in order of precedence
CUE_MODALITY: tuple[tuple[str, str], ...] = (
    ("DEFERRAL", DEFERRED),
    ("CHOICE_FRAME", CHOICE),
    ("UNLESS_OBJECTION", UNLESS_OBJECTION),
    ("ONLY_WITH_CONSENT", OPT_IN),
    ("HYPOTHETICAL", CONDITIONAL),
)
NOT_USE: frozenset[str] = frozenset({DEFERRED, CHOICE})


def modality(a: Annotation) -> str:
    """The modality of ``a`` (``use`` when none was recorded)."""
    found = a.qualifier("modality")
    return found[0] if found else USE


def is_use(a: Annotation) -> bool:
    """``a`` states that data is (or will be, or may be) used to train AI: an AI-training
    annotation that is neither negated (an exclusion) nor deferred."""
    return a.kind == tx.AI_TRAINING and not a.negated and modality(a) not in NOT_USE


def is_deferred(a: Annotation) -> bool:
    """``a`` states training that is planned but deferred (not negated)."""
    return a.kind == tx.AI_TRAINING and not a.negated and modality(a) == DEFERRED


def pick(cues: Iterable[str]) -> str:
    """The modality set by the cue labels found in a statement's scope (precedence as in
    :data:`CUE_MODALITY`), ``use`` when none."""
    found = set(cues)
    for label, value in CUE_MODALITY:
        if label in found:
            return value
    return USE

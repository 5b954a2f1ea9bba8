"""Build clauses by hand and run recognizers on them (shared by the recognizer tests)."""

from __future__ import annotations

from analyzer.datamodel import Annotation, Clause
from analyzer.nlp import get_nlp
from analyzer.recognizers import RecognizerRegistry


def clause(
    text: str,
    *,
    context: str = "",
    section: tuple[str, ...] = (),
    kind: str = "sentence",
    cid: str = "c1",
    index: int = 0,
) -> Clause:
    return Clause(
        id=cid,
        index=index,
        text=text,
        norm=text.lower(),
        kind=kind,  # type: ignore[arg-type]
        section=section,
        start=0,
        end=len(text),
        context=context,
    )


def annotate(text: str, **kw: object) -> list[Annotation]:
    c = clause(text, **kw)  # type: ignore[arg-type]
    return RecognizerRegistry.default().analyze([c], [get_nlp("en")(text)])


def labels(anns: list[Annotation], kind: str, *, negated: bool | None = False) -> set[str]:
    return {a.label for a in anns if a.kind == kind and (negated is None or a.negated == negated)}


def annotate_lang(text: str, lang: str, **kw: object) -> list[Annotation]:
    """Annotate one clause with the pipeline and recognizers of ``lang``."""
    c = clause(text, **kw)  # type: ignore[arg-type]
    nlp = get_nlp(lang)
    doc = nlp(text) if c.kind in ("list_item", "table_row") else nlp.make_doc(text)
    return RecognizerRegistry.default().for_language(lang).analyze([c], [doc])

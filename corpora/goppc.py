"""Reader for GoPPC-150 (Tang et al.): one XML file per policy, paragraphs labelled with
node ids of a 96-node GDPR taxonomy (``label_map.tsv``).

A ``category`` attribute looks like ``"8,9.1,11;8,9.1,11"``: comma-separated node ids, and
after the ``;`` the same labels with those inherited from the enclosing section (titles read
``"19;11"``: no label of their own, section about purposes). We use the part before ``;``,
the paragraph's own labels, and expand every node id to its ancestors (``10.1.1`` also
counts as ``10.1`` and ``10``).

A few files are malformed XML (mismatched tags); they are read with lxml's recovering
parser, and if even that fails, paragraphs are cut out with a regular expression.

``CONCEPTS`` maps the GDPR concepts the pipeline uses to node ids.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from analyzer.errors import InputError

log = logging.getLogger(__name__)

#: concept label -> node ids (any of them, or a descendant) that make it present.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "consent": ("10.5",),
    "contract": ("10.1",),
    "legal_obligation": ("10.6",),
    "vital_interests": ("10.4",),
    "public_task": ("10.2",),
    "legitimate_interests": ("10.3",),
    "legal_basis_any": ("10",),
    "purpose": ("11",),
    "sharing": ("17",),
    "rights": ("4",),
    "right_to_object": ("4.6",),
    "withdraw_consent": ("4.9",),
}

LEGAL_BASIS_CONCEPTS: tuple[str, ...] = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)

_WS = re.compile(r"\s+")
_PARA_RE = re.compile(r'<paragraph\s+category="([^"]*)"[^>]*>(.*?)</paragraph>', re.S)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Paragraph:
    """One labelled paragraph of one policy."""

    policy: str
    index: int
    text: str
    nodes: tuple[str, ...]

    @property
    def concepts(self) -> tuple[str, ...]:
        """The ``CONCEPTS`` present in this paragraph."""
        return concepts_of(self.nodes)


def expand(node: str) -> list[str]:
    """``"10.1.1"`` -> ``["10", "10.1", "10.1.1"]``."""
    parts = node.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def parse_category(value: str) -> tuple[str, ...]:
    """Own node ids of a ``category`` attribute, expanded to their ancestors."""
    own = value.split(";")[0]
    nodes: dict[str, None] = {}
    for raw in own.split(","):
        raw = raw.strip()
        if raw and re.fullmatch(r"\d+(\.\d+)*", raw):
            for n in expand(raw):
                nodes[n] = None
    return tuple(nodes)


def concepts_of(nodes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    have = set(nodes)
    return tuple(c for c, ids in CONCEPTS.items() if any(i in have for i in ids))


def read_label_map(path: str | Path) -> dict[str, str]:
    """Read ``label_map.tsv`` (``node_id<TAB>label``)."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", path=str(p), fix="give the GoPPC label_map.tsv")
    out: dict[str, str] = {}
    for line in p.read_text(encoding="utf-8").splitlines()[1:]:
        if "\t" in line:
            k, v = line.split("\t", 1)
            out[k.strip()] = v.strip()
    return out


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def read_policy(path: str | Path) -> list[Paragraph]:
    """Read the paragraphs of one GoPPC XML policy (malformed files are recovered)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc})", path=str(p), fix="check the path") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    name = p.stem
    paras: list[Paragraph] = []
    malformed = False
    root = None
    try:
        root = etree.fromstring(raw, etree.XMLParser(recover=False, resolve_entities=False))
    except etree.XMLSyntaxError:
        malformed = True
        log.warning("%s: malformed XML, reading it with the recovering parser", p)
        try:
            root = etree.fromstring(
                raw, etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
            )
        except etree.XMLSyntaxError:
            root = None
    if root is not None:
        for el in root.iter("paragraph"):
            text = _clean("".join(el.itertext()))
            if text:
                paras.append(
                    Paragraph(name, len(paras), text, parse_category(el.get("category", "")))
                )
    if malformed:  # the recovering parser may drop paragraphs: keep the fuller reading
        cut: list[Paragraph] = []
        for m in _PARA_RE.finditer(raw.decode("utf-8", errors="replace")):
            text = _clean(html.unescape(_TAG_RE.sub(" ", m.group(2))))
            if text:
                cut.append(Paragraph(name, len(cut), text, parse_category(m.group(1))))
        if len(cut) > len(paras):
            paras = cut
    return paras


def policy_files(folder: str | Path) -> list[Path]:
    """The ``*.xml`` policies of a GoPPC folder (or its ``policies/`` subfolder), sorted; a
    single ``.xml`` file is accepted too."""
    f = Path(folder)
    if f.is_file() and f.suffix.lower() == ".xml":
        return [f]
    if (f / "policies").is_dir():
        f = f / "policies"
    if not f.is_dir():
        raise InputError("not a folder", path=str(f), fix="give a folder of GoPPC XML policies")
    files = sorted(f.glob("*.xml"), key=lambda x: (len(x.stem), x.stem))
    if not files:
        raise InputError("no *.xml policies here", path=str(f), fix="give a GoPPC policies folder")
    return files


def read_folder(folder: str | Path) -> dict[str, list[Paragraph]]:
    """Read every policy of a folder: ``{policy name: paragraphs}``."""
    return {p.stem: read_policy(p) for p in policy_files(folder)}

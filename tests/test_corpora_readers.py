"""Readers of the public corpus formats, on tiny hand-written samples."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import InputError
from corpora import goppc, opp115, piextract, tiltify, vagueness

GOOD_XML = """<?xml version='1.0' encoding='utf-8'?>
<policy>
  <url>https://example.com/privacy</url>
  <paragraph category="">Welcome to our policy.</paragraph>
  <segment>
    <title category="19;10">Legal basis</title>
    <paragraph category="10.5,11;10.5,11">We process your data with your consent
      <list><item>to send newsletters</item><item>to show ads</item></list></paragraph>
    <paragraph category="10.1.1;10.1.1">Processing is needed for our contract.</paragraph>
    <paragraph category="19;17.1">Some text labelled only through its section.</paragraph>
    <paragraph category="4.6,17;4.6,17">You can object. We share data &amp; more.</paragraph>
  </segment>
</policy>
"""

BAD_XML = """<?xml version='1.0' encoding='utf-8'?>
<policy>
  <paragraph category="11;11">We use data for analytics.</paragraph>
  <segment><title category="19;4">Rights</title>
    <paragraph category="4.5;4.5">You may ask us to <b>delete</i> your data.</paragraph>
  </oops>
  <paragraph category="10.3;10.3">We rely on legitimate interests.</paragraph>
</policy>
"""


def test_opp115_reads_and_validates(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(
        json.dumps({"text": "We collect email.", "labels": ["First Party Collection/Use"]})
        + "\n\n"
        + json.dumps({"text": "Hello", "labels": "Introductory/Generic"})
        + "\n",
        encoding="utf-8",
    )
    segs = opp115.read_jsonl(p)
    assert [s.labels for s in segs] == [("First Party Collection/Use",), ("Introductory/Generic",)]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no labels"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        opp115.read_jsonl(bad)
    unknown = tmp_path / "u.jsonl"
    unknown.write_text('{"text": "t", "labels": ["Nope"]}\n', encoding="utf-8")
    assert opp115.read_jsonl(unknown)[0].labels == ("Nope",)
    with pytest.raises(InputError, match="unknown"):
        opp115.read_jsonl(unknown, strict_labels=True)
    with pytest.raises(InputError):
        opp115.read_jsonl(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("value", "nodes"),
    [
        ("", ()),
        ("19;11", ("19",)),
        ("10.1.1;10.1.1", ("10", "10.1", "10.1.1")),
        ("8,9.2,11;8,9.2,11", ("8", "9", "9.2", "11")),
        ("x,4.6", ("4", "4.6")),
    ],
)
def test_goppc_category_parsing(value, nodes):
    assert goppc.parse_category(value) == nodes


def test_goppc_reads_good_policy(tmp_path):
    (tmp_path / "1.xml").write_text(GOOD_XML, encoding="utf-8")
    paras = goppc.read_policy(tmp_path / "1.xml")
    assert len(paras) == 5
    assert "to send newsletters" in paras[1].text and "to show ads" in paras[1].text
    assert set(paras[1].concepts) == {"consent", "legal_basis_any", "purpose"}
    assert set(paras[2].concepts) == {"contract", "legal_basis_any"}
    assert paras[3].concepts == ()  # own label 19: the section label is not inherited
    assert set(paras[4].concepts) == {"rights", "right_to_object", "sharing"}
    assert "&" in paras[4].text


def test_goppc_survives_malformed_xml(tmp_path, caplog):
    (tmp_path / "7.xml").write_bytes(b"\xef\xbb\xbf" + BAD_XML.encode("utf-8"))
    paras = goppc.read_policy(tmp_path / "7.xml")
    texts = [p.text for p in paras]
    assert len(paras) == 3, texts
    assert any("legitimate interests" in t for t in texts)
    assert set(paras[-1].concepts) == {"legitimate_interests", "legal_basis_any"}
    assert "malformed" in caplog.text


def test_goppc_folder_and_label_map(tmp_path):
    pol = tmp_path / "policies"
    pol.mkdir()
    (pol / "1.xml").write_text(GOOD_XML, encoding="utf-8")
    (pol / "2.xml").write_text(BAD_XML, encoding="utf-8")
    (tmp_path / "label_map.tsv").write_text("node_id\tlabel\n10\tLAWFUL_BASIS\n", encoding="utf-8")
    assert sorted(goppc.read_folder(tmp_path)) == ["1", "2"]
    assert list(goppc.read_folder(pol / "1.xml")) == ["1"]
    assert goppc.read_label_map(tmp_path / "label_map.tsv") == {"10": "LAWFUL_BASIS"}
    with pytest.raises(InputError):
        goppc.read_folder(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("ptb", "plain"),
    [
        ("marked `` public '' by him .", 'marked "public" by him.'),
        ("one 's edits -LRB- see below -RRB- , ok", "one's edits (see below), ok"),
        ("we do n't sell", "we don't sell"),
    ],
)
def test_vagueness_detokenize(ptb, plain):
    assert vagueness.detokenize(ptb) == plain


def test_vagueness_reads_docs_and_terms(tmp_path):
    doc = {
        "id": 5,
        "type": "Document",
        "vague_sentences": [
            {
                "sentence_str": "We may share data .",
                "scores": ["3", "4", "3"],
                "vague_phrases": {"may": 2},
            },
            {"sentence_str": "We delete logs .", "scores": ["1", "1", "2"], "vague_phrases": {}},
            {"sentence_str": "No scores .", "scores": []},
        ],
    }
    p = tmp_path / "docs.jsonl"
    p.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    docs = vagueness.read_docs(tmp_path)  # a folder works too
    s = docs[0].sentences
    assert len(s) == 2 and s[0].text == "We may share data."
    assert s[0].vague and not s[1].vague
    assert s[0].mean == pytest.approx(10 / 3)
    (tmp_path / "terms").write_text("may\n\nSome\nmay\n", encoding="utf-8")
    assert vagueness.read_terms(tmp_path / "terms") == ("may", "some")
    (tmp_path / "bad.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 1"):
        vagueness.read_docs(tmp_path / "bad.jsonl")


def test_tiltify_relocates_spans(tmp_path):
    text = "Intro. We collect your email address for marketing. Recipients: Acme GmbH."
    doc = {
        "document": {"document_name": "X", "text": text, "language": "en"},
        "annotations": [
            # offset is wrong (as in the shared copy): relocated to the nearest occurrence
            {
                "annotation_label": "dataDisclosed--Data Category",
                "annotation_text": "email address",
                "annotation_start": 3,
                "annotation_end": 16,
            },
            {
                "label": "dataDisclosed--purposes--Purpose of Data",
                "text": "marketing",
                "start": text.index("marketing"),
                "end": text.index("marketing") + 9,
            },
            {
                "annotation_label": "dataDisclosed--recipients--Recipient Name",
                "annotation_text": "Acme GmbH",
                "annotation_start": 0,
                "annotation_end": 9,
            },
            {
                "annotation_label": "controller--Company Name",
                "annotation_text": "Nowhere Inc",
                "annotation_start": 0,
                "annotation_end": 11,
            },
        ],
    }
    (tmp_path / "x.json").write_text(json.dumps(doc), encoding="utf-8")
    d = tiltify.read_document(tmp_path / "x.json")
    assert d.dropped == 1 and d.language == "en"
    kinds = {s.kind: text[s.start : s.end] for s in d.spans}
    assert kinds == {
        "data_category": "email address",
        "purpose": "marketing",
        "recipient": "Acme GmbH",
    }


CONLL_COLLECT = """-DOCSTART- -X- O O

We _ _ O
collect _ _ O
your _ _ B-COLLECT
email _ _ I-COLLECT
address _ _ I-COLLECT
. _ _ O

We _ _ O
do _ _ O
not _ _ O
sell _ _ O
data _ _ O
"""

CONLL_NOT_SHARE = """-DOCSTART- -X- O O

We _ _ O
collect _ _ O
your _ _ O
email _ _ O
address _ _ O
. _ _ O

We _ _ O
do _ _ O
not _ _ O
sell _ _ O
data _ _ B-NOT_SHARE
"""


def test_piextract_merges_parts(tmp_path):
    for part, body in [("CollectUse_true", CONLL_COLLECT), ("Share_false", CONLL_NOT_SHARE)]:
        (tmp_path / part).mkdir()
        (tmp_path / part / "train.conll03").write_text(body, encoding="utf-8")
    sents = piextract.read_dataset(tmp_path)
    assert [s.text for s in sents] == ["We collect your email address .", "We do not sell data"]
    (a,) = sents[0].spans
    assert (a.tag, a.text, a.negated, a.shared) == ("COLLECT", "your email address", False, False)
    (b,) = sents[1].spans
    assert (b.tag, b.text, b.negated, b.shared) == ("NOT_SHARE", "data", True, True)
    with pytest.raises(InputError):
        piextract.read_dataset(tmp_path / "none")

"""Tests for analyzer.ingest and the format readers in analyzer.formats."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer import ingest
from analyzer.errors import InputError
from analyzer.ingest import from_bytes, from_text, metadata_from_path, read_path

LINKEDIN_TABLE = (
    "## Consent\n\n|     |     |\n| --- | --- |\n"
    "| **Why and how we use your data** | **Data we use** |\n"
    "| To allow Members to register<br><br>and manage their account "
    "| Your account information<br><br>Data relating to your use: IP address<br>device ID |\n"
    "| To allow Members to connect | Contact information |\n"
)


def minimal_pdf(text: str | None) -> bytes:
    """A one-page PDF; with ``text`` None the page has no text layer."""
    if text is None:
        stream = b"0 0 1 rg 10 10 100 100 re f"
        resources = b"<< >>"
    else:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1")
        resources = b"<< /Font << /F1 5 0 R >> >>"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources "
        + resources
        + b" >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def kinds(version):
    return [(b.kind, b.text) for b in version.blocks]


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_blocks_and_offsets():
    v = from_text(
        "Privacy Policy\n==============\n\nWe collect **your** _name_ and "
        "[email](https://example.com/a?b=c).\n\n### Sharing\n\n1\\. Not a list.\n"
    )
    assert kinds(v) == [
        ("heading", "Privacy Policy"),
        ("paragraph", "We collect your name and email."),
        ("heading", "Sharing"),
        ("paragraph", "1. Not a list."),
    ]
    assert [b.level for b in v.blocks if b.kind == "heading"] == [1, 3]
    assert "example.com" not in v.text
    for b in v.blocks:
        assert v.text[b.start : b.end] == b.text
    assert v.text == "\n\n".join(b.text for b in v.blocks)


def test_markdown_nested_lists_keep_levels_and_lead_in_order():
    v = from_text(
        "We use your information to:\n\n* provide the service\n* improve it, including:\n"
        "    * training models\n        * deep item\n* show ads\n"
    )
    assert v.blocks[0] == v.blocks[0].__class__(
        kind="paragraph", text="We use your information to:", start=0, end=27
    )
    items = [(b.text, b.level) for b in v.blocks if b.kind == "list_item"]
    assert items == [
        ("provide the service", 0),
        ("improve it, including:", 0),
        ("training models", 1),
        ("deep item", 2),
        ("show ads", 0),
    ]


def test_markdown_list_item_with_heading_is_a_container():
    v = from_text("1.  Introduction\n    ------------\n    \n    We are a social network.\n")
    assert kinds(v) == [("heading", "Introduction"), ("paragraph", "We are a social network.")]


def test_markdown_table_linkedin_style_bold_header_row():
    v = from_text(LINKEDIN_TABLE)
    rows = [b for b in v.blocks if b.kind == "table_row"]
    assert len(rows) == 2  # the bold header row is not a row of its own; <br> adds no block
    assert rows[0].headers == ("Why and how we use your data", "Data we use")
    assert rows[0].cells[0] == "To allow Members to register; and manage their account"
    assert "Data relating to your use: IP address; device ID" in rows[0].cells[1]
    assert rows[1].cells == ("To allow Members to connect", "Contact information")
    assert (
        v.text[rows[1].start : rows[1].end] == "To allow Members to connect | Contact information"
    )


def test_markdown_table_plain_header_and_lists_in_cells():
    v = from_text(
        "| Purpose | Legal basis |\n|---|---|\n"
        "| Ads<br>*   [profile](http://x) data<br>*   activity | Consent |\n"
    )
    (row,) = [b for b in v.blocks if b.kind == "table_row"]
    assert row.headers == ("Purpose", "Legal basis")
    assert row.cells == ("Ads; profile data; activity", "Consent")


def test_markdown_table_without_header_text():
    v = from_text("|   |   |\n|---|---|\n| a plain | row |\n| second | row |\n")
    rows = [b for b in v.blocks if b.kind == "table_row"]
    assert [r.cells for r in rows] == [("a plain", "row"), ("second", "row")]
    assert all(r.headers == () for r in rows)


def test_markdown_invisible_characters_and_html_block():
    v = from_text(
        "\ufeff[Settings](https://x) are\u00a0available.\n\n<div><p>Raw <b>html</b></p></div>\n"
    )
    assert kinds(v) == [("paragraph", "Settings are available."), ("paragraph", "Raw html")]


def test_paragraphs_split_mid_sentence_are_rejoined():
    v = from_text(
        "Coverage\n\nBecause we want to show our commitment to\n\n"
        "our users&apos privacy, we disclose our practices below.\n\n"
        "We show ads. Learn more\n\npayment information\n\nclose\n\nclose\n"
    )
    assert kinds(v) == [
        ("paragraph", "Coverage"),
        (
            "paragraph",
            "Because we want to show our commitment to our users' privacy, we disclose our "
            "practices below.",
        ),
        ("paragraph", "We show ads. Learn more"),
        ("paragraph", "payment information"),
        ("paragraph", "close"),
        ("paragraph", "close"),
    ]


# -- HTML -----------------------------------------------------------------------------------

HTML = """<!doctype html><html><head><title>T</title><style>p{}</style></head><body>
<header>Site header</header><nav><a href="/">Home</a></nav>
<script>var x = "We sell data";</script><noscript>Enable JS</noscript>
<main><h1>Privacy Policy</h1>
<p>We collect <a href="https://t.co/x">your data</a>.<br>Always.</p>
<p>We use it to:</p>
<ul><li>run the service<ul><li>including support</li></ul></li><li>show ads</li></ul>
<table><thead><tr><th>Purpose</th><th>Legal basis</th></tr></thead>
<tbody><tr><td>Ads<br>Measurement</td><td><b>Consent</b></td></tr></tbody></table>
<div>Loose div text</div></main><footer>Footer links</footer></body></html>"""


def test_html_reader_drops_chrome_and_keeps_structure():
    v = from_bytes(HTML.encode(), source="p.html", fmt="html")
    assert v.format == "html"
    assert kinds(v) == [
        ("heading", "Privacy Policy"),
        ("paragraph", "We collect your data. Always."),
        ("paragraph", "We use it to:"),
        ("list_item", "run the service"),
        ("list_item", "including support"),
        ("list_item", "show ads"),
        ("table_row", "Ads; Measurement | Consent"),
        ("paragraph", "Loose div text"),
    ]
    for dropped in ("Site header", "Home", "We sell data", "Enable JS", "Footer", "t.co"):
        assert dropped not in v.text
    assert [b.level for b in v.blocks if b.kind == "list_item"] == [0, 1, 0]
    (row,) = [b for b in v.blocks if b.kind == "table_row"]
    assert row.headers == ("Purpose", "Legal basis")


def test_html_and_markdown_renderings_segment_alike(nlp):
    import pyromark

    from analyzer.align import align
    from analyzer.segment import segment

    md = (
        LINKEDIN_TABLE
        + "\nWe use your information to:\n\n* show ads\n* select ![More](m.png) and then "
        "[Report](https://x)\n\n> Quoted **note**.\n"
    )
    html = pyromark.html(md, options=pyromark.Options.ENABLE_TABLES)
    changes = align(segment(from_text(md), nlp), segment(from_text(html, fmt="html"), nlp))
    assert {c.kind for c in changes} == {"unchanged"}


def test_html_layout_table_is_read_as_blocks():
    html = (
        "<html><body><table><tr><td><h2>Privacy</h2><p>We collect data.</p></td>"
        "<td><ul><li>name</li></ul></td></tr></table>"
        "<table><tr><td>Only one column</td></tr></table></body></html>"
    )
    v = from_bytes(html.encode(), source="layout.html")
    assert kinds(v) == [
        ("heading", "Privacy"),
        ("paragraph", "We collect data."),
        ("list_item", "name"),
        ("paragraph", "Only one column"),
    ]


def test_html_sniffed_without_extension(tmp_path):
    p = tmp_path / "policy"
    p.write_text(HTML)
    v = read_path(p)
    assert v.format == "html" and v.blocks[0].text == "Privacy Policy"


# -- plain text and PDF ---------------------------------------------------------------------


def test_text_reader_paragraphs_lists_and_headings(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text(
        "DATA WE COLLECT\n\nWe collect data\nthat you give us.\n\nWe use it to:\n"
        "- run the service\n  - and support\n- show ads\n"
    )
    v = read_path(p)
    assert v.format == "txt"
    assert kinds(v) == [
        ("heading", "DATA WE COLLECT"),
        ("paragraph", "We collect data that you give us."),
        ("paragraph", "We use it to:"),
        ("list_item", "run the service"),
        ("list_item", "and support"),
        ("list_item", "show ads"),
    ]
    assert [b.level for b in v.blocks if b.kind == "list_item"] == [0, 1, 0]


def test_pdf_with_text_layer(tmp_path):
    p = tmp_path / "policy.pdf"
    p.write_bytes(minimal_pdf("We collect your email address to run the service."))
    v = read_path(p)
    assert v.format == "pdf"
    assert "We collect your email address" in v.text


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    p = tmp_path / "scan.pdf"
    p.write_bytes(minimal_pdf(None))
    with pytest.raises(InputError, match="OCR") as exc:
        read_path(p)
    assert str(p) in str(exc.value)


def test_broken_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n garbage")
    with pytest.raises(InputError, match=r"broken\.pdf"):
        read_path(p)


def test_pdf_magic_wins_over_extension(tmp_path):
    p = tmp_path / "policy.txt"
    p.write_bytes(minimal_pdf("We keep logs for ninety days."))
    assert read_path(p).format == "pdf"


# -- gzip, encodings ------------------------------------------------------------------------


def test_gzip_markdown(tmp_path):
    md = "# Policy\n\nWe collect data.\n"
    p = tmp_path / "2024-06-26T12-00-00_abc123.md.gz"
    stored = gzip.compress(md.encode())
    p.write_bytes(stored)
    v = read_path(p)
    plain = from_text(md)
    assert v.format == "md"
    assert v.text == plain.text and v.text_hash == plain.text_hash
    assert v.content_hash == hashlib.sha256(stored).hexdigest()  # the file bytes as stored
    assert v.size == len(stored)


def test_gzip_pdf_and_html(tmp_path):
    pdf = tmp_path / "policy.pdf.gz"
    pdf.write_bytes(gzip.compress(minimal_pdf("We share data with advertisers.")))
    assert read_path(pdf).format == "pdf"
    html = tmp_path / "policy.html.gz"
    html.write_bytes(gzip.compress(HTML.encode()))
    v = read_path(html)
    assert v.format == "html" and v.blocks[0].text == "Privacy Policy"


def test_broken_gzip(tmp_path):
    p = tmp_path / "p.md.gz"
    p.write_bytes(gzip.compress(b"# Policy\n\nWe collect data.\n" * 50)[:40])
    with pytest.raises(InputError, match="gzip"):
        read_path(p)


def test_gzip_bomb_respects_the_limit(tmp_path):
    p = tmp_path / "big.txt.gz"
    p.write_bytes(gzip.compress(b"a " * 200_000))
    with pytest.raises(InputError, match="size limit"):
        read_path(p, max_bytes=100_000)


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [
        ("Café “données” – naïve".encode("utf-8-sig"), "utf-8-sig", "Café “données” – naïve"),
        ("Café “données” – naïve".encode("utf-16"), "utf-16", "Café “données” – naïve"),
        ("Café “données” – naïve".encode("cp1252"), "cp1252", "Café “données” – naïve"),
        ("Nous utilisons vos données".encode(), "utf-8", "Nous utilisons vos données"),
    ],
)
def test_encodings(tmp_path, data, encoding, expected):
    p = tmp_path / "p.txt"
    p.write_bytes(data)
    v = read_path(p)
    assert v.text == expected
    assert v.encoding == encoding


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("empty.md", b"", "empty"),
        ("blank.md", b"  \n\n\t \n", "empty"),
        ("image.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a text document"),
        ("photo.txt", b"\xff\xd8\xff\xe0" + b"\x10" * 64, "not a text document"),
        ("doc.txt", b"PK\x03\x04" + b"\x00" * 64, "not a text document"),
        ("nul.txt", b"We collect\x00\x01\x02 data" * 20, "not a text document"),
        ("garbage.txt", bytes(range(128, 256)) * 3, "undecodable"),
        ("markup-only.html", b"<html><script>x()</script></html>", "empty"),
    ],
)
def test_bad_input_names_file_and_fix(tmp_path, name, data, match):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError, match=match) as exc:
        read_path(p)
    assert str(p) in str(exc.value)
    assert exc.value.fix  # every message says what to do


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "nope.md")
    with pytest.raises(InputError, match="directory"):
        read_path(tmp_path)


def test_size_limit_default_and_argument(tmp_path, monkeypatch):
    p = tmp_path / "huge.md"
    with open(p, "wb") as f:  # sparse: 50 MB on paper, nothing written
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match="20,971,520 bytes"):
        read_path(p)
    small = tmp_path / "small.md"
    small.write_text("We collect data. " * 100)
    with pytest.raises(InputError, match="size limit of 100 bytes"):
        read_path(small, max_bytes=100)
    monkeypatch.setattr(ingest, "MAX_BYTES", 50)
    with pytest.raises(InputError, match="size limit of 50 bytes"):
        read_path(small)


# -- metadata -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "corp/LinkedIn/Privacy Policy/2024-06-26T12-00-00_abc123.md",
            ("LinkedIn", "Privacy Policy", "2024-06-26T12:00:00"),
        ),
        (
            "x/YouTube/Privacy Policy/20180601_YouTube_PrivacyPolicy.md",
            ("YouTube", "Privacy Policy", "2018-06-01"),
        ),
        ("Google/Terms/2023-01-02.md.gz", ("Google", "Terms", "2023-01-02")),
        ("some/dir/old.md", (None, None, None)),
        ("corpora/examples/2024-01-15_chirp-privacy-policy.md", (None, None, "2024-01-15")),
    ],
)
def test_metadata_from_path(path, expected):
    m = metadata_from_path(path)
    assert (m["service"], m["document_type"], m["date"]) == expected


def test_options_override_path_metadata(tmp_path):
    d = tmp_path / "Acme" / "Privacy Policy"
    d.mkdir(parents=True)
    p = d / "2025-01-31T08-15-00_deadbeef.md"
    p.write_text("# Policy\n\nWe collect data.\n")
    v = read_path(p)
    assert (v.service, v.document_type, v.date) == ("Acme", "Privacy Policy", "2025-01-31T08:15:00")
    v2 = read_path(p, service="Other", date="2025-02-01")
    assert (v2.service, v2.document_type, v2.date) == ("Other", "Privacy Policy", "2025-02-01")
    assert v.content_hash == hashlib.sha256(p.read_bytes()).hexdigest()
    assert v.text_hash == hashlib.sha256(v.text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("We collect the data that you give us and we use it for the service.", "en"),
        (
            "Nous collectons les données que vous nous donnez et nous les utilisons pour le "
            "service.",
            "fr",
        ),
        (
            "Wir erheben die Daten, die Sie uns geben, und wir nutzen sie für den Dienst und "
            "die Sicherheit.",
            "de",
        ),
        ("12345 67890", None),
    ],
)
def test_language_guess(text, lang):
    assert ingest.guess_language(text) == lang


def test_gzip_helper_rejects_trailing_truncation():
    data = zlib.compress(b"x")  # zlib, not gzip: not a gzip member
    with pytest.raises(InputError):
        from_bytes(b"\x1f\x8b" + data, source="odd.gz")


_MARKUPISH = st.lists(
    st.sampled_from(list("ab \n\t#*-_|[]()<>!`\\:.1=&;/\u00a0\ufeff") + ["<br>", "**", "\n\n"]),
    max_size=120,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(_MARKUPISH, st.sampled_from(["md", "html", "txt"]))
def test_readers_never_crash_and_keep_offsets(text, fmt):
    try:
        v = from_text(text, fmt=fmt)
    except InputError:
        return
    assert v.text.strip()
    for b in v.blocks:
        assert v.text[b.start : b.end] == b.text
        assert b.text == b.text.strip() and "\n\n" not in b.text


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_version_or_an_input_error(data):
    try:
        v = from_bytes(data, source="fuzz.bin")
    except InputError as exc:
        assert "fuzz.bin" in str(exc)
    else:
        assert v.text.strip()


def test_damaged_pdfs_give_input_errors():
    good = minimal_pdf("We collect your email address to run the service.")
    for cut in range(20, len(good), 37):
        try:
            from_bytes(good[:cut], source="cut.pdf", fmt="pdf")
        except InputError as exc:
            assert "cut.pdf" in str(exc)


# -- real corpus ----------------------------------------------------------------------------


def _sample_corpus_files(shared: Path) -> list[Path]:
    files = []
    for folder in sorted((shared / "policy_versions").glob("*/*/*")):
        got = sorted(folder.glob("*.md*"))
        if got:
            files += [got[0], got[-1]]
    for folder in sorted(
        (shared / "policy_versions").glob("pga-v1-2004-2021/Versions/Markdown/*/*")
    ):
        got = sorted(folder.glob("*.md*"))
        if got:
            files.append(got[-1])
    return files


def test_corpus_sample_ingests_with_metadata(shared_corpora):
    files = _sample_corpus_files(shared_corpora)
    assert files
    for f in files:
        v = read_path(f)
        assert v.text and v.blocks, f
        assert v.date and v.service and v.document_type, f
        for b in v.blocks:
            assert v.text[b.start : b.end] == b.text


def test_corpus_linkedin_tables_keep_headers(shared_corpora):
    folder = shared_corpora / "policy_versions" / "pga" / "LinkedIn" / "Privacy Policy"
    files = sorted(folder.glob("*.md*"))
    if not files:
        pytest.skip("no LinkedIn pga versions in the shared corpora")
    v = read_path(files[-1])
    rows = [b for b in v.blocks if b.kind == "table_row"]
    assert rows
    assert any(b.headers[:2] == ("Why and how we use your data", "Data we use") for b in rows)
    assert all("<br>" not in b.text and "**" not in b.text for b in rows)


@pytest.mark.slow
def test_corpus_every_version_ingests(shared_corpora):
    files = sorted((shared_corpora / "policy_versions").rglob("*.md*"))
    for f in files:
        v = read_path(f)
        assert v.blocks, f


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2024-01-15_chirp-privacy-policy.md", "chirp-privacy-policy"),
        ("2024-05-22_chirp-ai-notice-email.md.gz", "chirp-ai-notice-email"),
        ("2024-06-26T12-00-00_abc123.md", None),
        ("20180601_YouTube_PrivacyPolicy.md", None),
        ("2024-01-01_a.md", None),
        ("2024-01-01.md", None),
        ("policy.md", None),
    ],
)
def test_descriptive_name(name, expected):
    from analyzer.ingest import descriptive_name

    assert descriptive_name(f"some/dir/{name}") == expected


def test_markdown_tight_and_loose_items_read_alike():
    """A tight list item's text arrives without a paragraph around it: it is read as the
    item's paragraph, as in a loose list; text after a nested list stays with its item."""
    from analyzer.formats.markdown import markdown_blocks

    tight = "We use:\n\n- your **posts**\n- your photos\n  - and captions\n"
    loose = "We use:\n\n- your **posts**\n\n- your photos\n\n  - and captions\n"
    expected = [
        ("paragraph", "We use:", 0),
        ("list_item", "your posts", 0),
        ("list_item", "your photos", 0),
        ("list_item", "and captions", 1),
    ]
    for text in (tight, loose):
        assert [(b.kind, b.text, b.level) for b in markdown_blocks(text)] == expected
    # a heading makes its item a container: what follows it is an ordinary paragraph
    blocks = markdown_blocks("1. ## Introduction\n   We process data.\n")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Introduction"),
        ("paragraph", "We process data."),
    ]


# -- hostile nesting (issue 12) ---------------------------------------------------------------
def test_html_nested_deeper_than_the_recursion_limit():
    import sys

    n = sys.getrecursionlimit() * 3
    html = "<html><body>" + "<div>" * n + "<p>We collect data.</p>" + "</div>" * n
    v = from_bytes(html.encode(), source="deep.html")
    assert [b.text for b in v.blocks] == ["We collect data."]
    items = "<ul><li>item " * n + "</li></ul>" * n
    v = from_bytes(f"<html><body>{items}</body></html>".encode(), source="deep-list.html")
    assert len(v.blocks) == n and v.blocks[-1].level == n - 1


def test_html_nested_tables_and_cell_lines():
    html = (
        "<html><body><table><thead><tr><th>Data</th><th>Use</th></tr></thead>"
        "<tr><td><p>name</p><p>email</p><br>phone<br>address</td><td><b>ads</b></td></tr>"
        "</table></body></html>"
    )
    v = from_bytes(html.encode(), source="t.html")
    assert [(b.kind, b.text, b.headers) for b in v.blocks] == [
        ("table_row", "name; email; phone; address | ads", ("Data", "Use"))
    ]


def test_html_with_too_many_elements_is_an_input_error(monkeypatch):
    from analyzer.formats import _soup

    monkeypatch.setattr(_soup, "MAX_ELEMENTS", 50)
    html = "<html><body>" + "<p>We collect data.</p>" * 60 + "</body></html>"
    with pytest.raises(
        InputError, match="many.html: the HTML holds 62 elements, above the limit of 50"
    ):
        from_bytes(html.encode(), source="many.html")

"""Tests for the Word and PDF annex writers, on small HTML annexes built here (en, fr, ar)."""

from __future__ import annotations

import base64
import html as html_lib
import re
import struct
import unicodedata
import zlib
from pathlib import Path

import docx
import pypdf
import pypdfium2
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.report import annex_pdf, pandoc
from workbench.report.annex_docx import write_docx
from workbench.report.annex_docx_html import prepare_html
from workbench.report.annex_docx_styles import reference_docx
from workbench.report.annex_pdf import write_pdf
from workbench.errors import WorkbenchError

NNBSP = "\u202f"
A4_PT = (595.28, 841.89)
MARGIN_PT = 2 / 2.54 * 72


# ---------------------------------------------------------------- HTML annexes following the contract


def _png(width: int, height: int) -> str:
    """A plain RGB PNG (a blue band on white), base64, made by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + (b"\x2a\x5d\x8f" if height // 3 <= y < 2 * height // 3 else b"\xff\xff\xff") * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii")


def _table(anchor: str, label: str, caption: str, header: list[str], rows: list[list[str]], source: str) -> str:
    head = "".join(f"<th>{html_lib.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            '<td class="wb-suppressed">[s]</td>' if cell == "[s]" else f"<td>{html_lib.escape(cell)}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    wide = " wb-wide" if len(header) >= 8 else ""  # as annex_html.table_html marks them
    landscape = " wb-landscape" if len(header) >= 12 else ""  # annex_html.LANDSCAPE_COLUMNS
    return (
        f'<figure class="wb-exhibit wb-kind-table{landscape}" id="{anchor}">'
        f'<figcaption class="wb-caption"><span class="wb-label">{label}</span> {html_lib.escape(caption)}</figcaption>'
        f'<table class="wb-table{wide}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<p class="wb-source">{html_lib.escape(source)}</p>'
        f"<p class=\"wb-note\">Note: flag 'c': computed by the workbench.</p></figure>"
    )


def _figure(anchor: str, label: str, caption: str, png: str, source: str) -> str:
    return (
        f'<figure class="wb-exhibit wb-kind-figure" id="{anchor}">'
        f'<figcaption class="wb-caption"><span class="wb-label">{label}</span> {html_lib.escape(caption)}</figcaption>'
        f'<img class="wb-figure" alt="{html_lib.escape(caption)}" src="data:image/png;base64,{png}">'
        f'<p class="wb-source">{html_lib.escape(source)}</p><p class="wb-note">Note: none.</p></figure>'
    )


def _document(lang: str, title: str, toc_titles: tuple[str, str], sections: list[tuple[str, str, str]],
              exhibits: list[tuple[str, str]], sources: list[str]) -> str:
    """Whole annex: ``sections`` are (id, heading, body html); ``exhibits`` are (id, 'label caption')."""
    direction = "rtl" if lang == "ar" else "ltr"
    toc_sections = "".join(f'<li><a href="#{a}">{html_lib.escape(h)}</a></li>' for a, h, _ in sections)
    toc_exhibits = "".join(f'<li><a href="#{a}">{html_lib.escape(t)}</a></li>' for a, t in exhibits)
    body = "".join(
        f'<section class="wb-section" id="{a}"><h2>{html_lib.escape(h)}</h2>{b}</section>' for a, h, b in sections
    )
    source_items = "".join(f"<li>{html_lib.escape(s)}</li>" for s in sources)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head><meta charset="utf-8">'
        f"<title>{html_lib.escape(title)}</title>"
        "<style>body { max-width: 60em; margin: 2em auto; } .wb-exhibit { overflow-x: auto; }"
        " table.wb-table td:not(:first-child) { font-variant-numeric: tabular-nums; }</style></head>\n<body>\n"
        f'<header class="wb-title"><h1>{html_lib.escape(title)}</h1><p class="wb-subtitle">Run r-test</p></header>\n'
        f'<nav class="toc"><h2 class="wb-toc-title">{toc_titles[0]}</h2><ol>{toc_sections}</ol>'
        f'<h2 class="wb-toc-title">{toc_titles[1]}</h2><ol>{toc_exhibits}</ol></nav>\n'
        f"{body}\n"
        f'<section class="wb-section wb-sources" id="sources"><h2>Sources</h2><ol>{source_items}</ol></section>\n'
        '<footer class="wb-provenance"><p>Run r-test; git commit 0123abc; workbench 0.1.0</p></footer>\n'
        "</body></html>"
    )


WIDE_HEADER = ["Indicator"] + [str(year) for year in range(2010, 2024)]
WIDE_ROWS = [
    [f"Indicator {i}"]
    + ["[s]" if (i, year) == (2, 2015) else f"{i * 1000 + year - 2000:,}.5" for year in range(2010, 2024)]
    for i in range(1, 7)
]
LONG_HEADER = ["Year", "Population (persons)", "Foreign-born share (%)"]
LONG_ROWS = [[str(1940 + i), f"{1_500_000 + 1234 * i:,}", f"{10 + i / 10:.1f}"] for i in range(80)]


def english_html() -> str:
    wide = _table("table-a-1", "Table A.1.", "Key figures: Vienna and Austria, 2010-2023",
                  WIDE_HEADER, WIDE_ROWS, "Source: Stadt Wien, population register; licence CC BY 4.0")
    long = _table("table-a-2", "Table A.2.", "Population by year, Vienna",
                  LONG_HEADER, LONG_ROWS, "Source: Statistik Austria, POPREG; licence CC BY 4.0")
    figure = _figure("figure-a-1", "Figure A.1.", "Foreign-born share, Vienna", _png(2400, 900),
                     "Source: Stadt Wien; licence CC BY 4.0")
    sections = [
        ("s-1", "1. Synopsis", "<h3>1.1 Key figures</h3><p>Vienna grew <strong>fast</strong>.</p>"
                               "<ul><li>first point</li><li>second point</li></ul>" + wide),
        ("s-2", "2. Population", "<h3>2.1 Over time</h3><p>Population by year.</p>" + long + figure),
    ]
    exhibits = [("table-a-1", "Table A.1. Key figures: Vienna and Austria, 2010-2023"),
                ("table-a-2", "Table A.2. Population by year, Vienna"),
                ("figure-a-1", "Figure A.1. Foreign-born share, Vienna")]
    return _document("en", "Annex: Vienna", ("Contents", "Tables and figures"), sections, exhibits,
                     ["Stadt Wien, Bevölkerung, https://www.wien.gv.at/statistik, CC BY 4.0, accessed 2025-01-15"])


FR_VALUE = f"1{NNBSP}234,5"


def french_html() -> str:
    rows = [["Population étrangère", FR_VALUE, f"5{NNBSP}123{NNBSP}456,0"], ["Part (%)", "12,3", "7,7"]]
    table = _table("tableau-a-1", "Tableau A.1.", "Chiffres clés : Lyon et France",
                   ["Indicateur", "Lyon", "France"], rows, "Source : Insee, recensement ; licence Etalab 2.0")
    sections = [("s-1", "1. Synthèse", "<h3>1.1 Chiffres</h3><p>Lyon compte 1\u202f234,5 milliers.</p>" + table)]
    return _document("fr", "Annexe : Lyon", ("Sommaire", "Tableaux et graphiques"), sections,
                     [("tableau-a-1", "Tableau A.1. Chiffres clés : Lyon et France")],
                     ["Insee, Recensement, https://www.insee.fr, Etalab 2.0, consulté le 2025-01-15"])


AR_CAPTION = "الجدول أ.1."
AR_FIGURE = "الشكل أ.1."


def arabic_html() -> str:
    table = _table("table-a-1", AR_CAPTION, "أرقام رئيسية: Amman والأردن",
                   ["المؤشر", "2015", "2021"],
                   [["السكان", "4,007,526", "4,642,000"], ["المولودون في الخارج (%)", "35.2", "[s]"]],
                   "المصدر: دائرة الإحصاءات العامة (DoS)، الترخيص CC BY 4.0")
    figure = _figure("figure-a-1", AR_FIGURE, "نسبة المولودين في الخارج", _png(600, 240), "المصدر: UNHCR")
    text = "<h3>1.1 الأرقام</h3><p>يبلغ عدد سكان Amman نحو 4,642,000 نسمة.</p>"
    exhibits = [("table-a-1", f"{AR_CAPTION} أرقام رئيسية"), ("figure-a-1", f"{AR_FIGURE} نسبة المولودين")]
    return _document("ar", "الملحق: Amman", ("المحتويات", "الجداول والأشكال"),
                     [("s-1", "1. ملخص", text + table + figure)], exhibits,
                     ["UNHCR, Refugee Data Finder, https://www.unhcr.org/refugee-statistics, CC BY 4.0"])


DOCUMENTS = {"en": english_html, "fr": french_html, "ar": arabic_html}


# ---------------------------------------------------------------- fixtures: each document written once


#: Reference documents go to a temporary cache, not the user's (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("temporary_cache_home")


@pytest.fixture(scope="module")
def html_docs() -> dict[str, str]:
    return {lang: make() for lang, make in DOCUMENTS.items()}


@pytest.fixture(scope="module")
def docx_files(html_docs, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docx")
    return {lang: write_docx(text, folder / f"annex-{lang}.docx", lang) for lang, text in html_docs.items()}


@pytest.fixture(scope="module")
def pdf_files(html_docs, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    return {lang: write_pdf(text, folder / f"annex-{lang}.pdf", lang) for lang, text in html_docs.items()}


def _html_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    soup = BeautifulSoup(text, "html.parser")
    return [
        ([th.get_text() for th in table.thead.find_all("th")],
         [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")])
        for table in soup.find_all("table")
    ]


def _body_blocks(document) -> list[Paragraph | Table]:
    """Paragraphs and tables of the body in order (bookmarks and section properties skipped)."""
    blocks = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            blocks.append(Paragraph(element, document))
        elif element.tag == qn("w:tbl"):
            blocks.append(Table(element, document))
    return blocks


def _labels(text: str) -> list[str]:
    return [span.get_text() for span in BeautifulSoup(text, "html.parser").find_all("span", class_="wb-label")]


# ---------------------------------------------------------------- DOCX


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_docx_tables_are_word_tables_with_the_html_cells(lang, html_docs, docx_files):
    document = docx.Document(str(docx_files[lang]))
    expected = _html_tables(html_docs[lang])
    assert len(document.tables) == len(expected)
    for table, (header, rows) in zip(document.tables, expected):
        assert [cell.text for cell in table.rows[0].cells] == header
        assert len(table.rows) == len(rows) + 1
        for r in (0, len(rows) // 2, len(rows) - 1):
            assert [cell.text for cell in table.rows[r + 1].cells] == rows[r]


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_docx_caption_paragraph_sits_right_above_each_exhibit(lang, html_docs, docx_files):
    document = docx.Document(str(docx_files[lang]))
    blocks = _body_blocks(document)
    labels = iter(_labels(html_docs[lang]))
    soup = BeautifulSoup(html_docs[lang], "html.parser")
    sources = iter(p.get_text() for p in soup.find_all("p", class_="wb-source"))
    for index, block in enumerate(blocks):
        is_image = isinstance(block, Paragraph) and block._p.xpath(".//wp:inline")
        if isinstance(block, Table) or is_image:
            caption, source = blocks[index - 1], blocks[index + 1]
            assert isinstance(caption, Paragraph) and caption.style.name == "Caption"
            assert caption.text.startswith(next(labels))
            assert isinstance(source, Paragraph) and source.style.name == "Source"
            assert source.text == next(sources)
    assert next(labels, None) is None and next(sources, None) is None


def test_write_docx_headings_use_heading_styles(docx_files):
    pairs = [(p.text, p.style.name) for p in docx.Document(str(docx_files["en"])).paragraphs]
    assert ("Annex: Vienna", "Title") in pairs
    for text in ("Synopsis", "Population", "Sources"):  # numbers by the heading list (test_annex_docx.py)
        assert (text, "Heading 1") in pairs
    for text in ("Key figures", "Over time"):
        assert (text, "Heading 2") in pairs
    assert ("Contents", "TOC Heading") in pairs and ("1. Synopsis", "toc 1") in pairs
    assert ("Table A.2. Population by year, Vienna", "table of figures") in pairs


def test_write_docx_contents_entries_take_their_level(html_docs, tmp_path):
    # The annex writer marks levels with classes; a nested list is read the same way.
    page = html_docs["en"].replace(
        '<li><a href="#s-2">2. Population</a></li>',
        '<li class="wb-toc-2"><a href="#s-2">2. Population</a><ul><li><a href="#s-2">2.1 Over time</a></li></ul></li>'
        '<li class="wb-toc-3"><a href="#s-2">2.2 By class</a></li>',
    )
    pairs = [(p.text, p.style.name) for p in docx.Document(str(write_docx(page, tmp_path / "a.docx", "en"))).paragraphs]
    assert pairs[pairs.index(("1. Synopsis", "toc 1")):][:4] == [
        ("1. Synopsis", "toc 1"), ("2. Population", "toc 1"), ("2.1 Over time", "toc 2"), ("2.2 By class", "toc 2")]


def test_write_docx_one_inline_image_per_figure_within_the_text_width(html_docs, docx_files):
    for lang in ("en", "ar"):
        document = docx.Document(str(docx_files[lang]))
        figures = BeautifulSoup(html_docs[lang], "html.parser").find_all("img", class_="wb-figure")
        assert len(document.inline_shapes) == len(figures) == 1
        descriptions = document.element.body.xpath(".//pic:cNvPr/@descr")
        assert descriptions == [figures[0]["alt"]]  # alt text, not the data: URI pandoc puts there
        section = document.sections[0]
        assert document.inline_shapes[0].width <= section.page_width - section.left_margin - section.right_margin


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_docx_page_is_a4_with_2cm_margins(lang, docx_files):
    section = docx.Document(str(docx_files[lang])).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.cm, 1) == round(section.top_margin.cm, 1) == 2.0
    assert section.footer.paragraphs[0]._p.xpath("./w:fldSimple/@w:instr") == ["PAGE"]


def test_write_docx_header_rows_repeat_and_short_tables_stay_together(docx_files):
    wide, long = docx.Document(str(docx_files["en"])).tables
    for table in (wide, long):
        first, second = table.rows[0]._tr, table.rows[1]._tr
        assert first.xpath("./w:trPr/w:tblHeader") and not second.xpath("./w:trPr/w:tblHeader")
    kept = [p.paragraph_format.keep_with_next for row in wide.rows[:-1] for c in row.cells for p in c.paragraphs]
    assert all(kept)
    assert not any(p.paragraph_format.keep_with_next for c in long.rows[1].cells for p in c.paragraphs)


def test_write_docx_keeps_narrow_no_break_spaces_in_french_numbers(docx_files):
    cells = [c.text for row in docx.Document(str(docx_files["fr"])).tables[0].rows for c in row.cells]
    assert FR_VALUE in cells


def test_write_docx_arabic_paragraphs_and_tables_are_right_to_left(docx_files):
    document = docx.Document(str(docx_files["ar"]))
    paragraphs = document.element.body.iter(qn("w:p"))
    assert all(p.pPr is not None and p.pPr.find(qn("w:bidi")) is not None for p in paragraphs)
    assert all(t._tbl.tblPr.find(qn("w:bidiVisual")) is not None for t in document.tables)
    assert "أرقام رئيسية" in "".join(p.text for p in document.paragraphs)


def test_write_docx_english_is_left_to_right(docx_files):
    body = docx.Document(str(docx_files["en"])).element.body
    assert not list(body.iter(qn("w:bidi"))) and not list(body.iter(qn("w:bidiVisual")))


def test_write_docx_same_html_gives_same_bytes(html_docs, docx_files, tmp_path):
    again = write_docx(html_docs["fr"], tmp_path / "again.docx", "fr")
    assert again.read_bytes() == docx_files["fr"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.docx"]


def test_reference_docx_is_built_once_per_language(tmp_path):
    first = reference_docx("fr", cache_dir=tmp_path)
    stamp = first.stat().st_mtime_ns
    assert reference_docx("fr", cache_dir=tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert reference_docx("ar", cache_dir=tmp_path) != first
    stale = tmp_path / "reference-fr-0000000000000000.docx"
    stale.write_bytes(b"older version")
    first.unlink()
    assert reference_docx("fr", cache_dir=tmp_path) == first and not stale.exists()
    styles = docx.Document(str(first)).styles
    assert {"Source", "toc 1", "table of figures"} <= {s.name for s in styles}


def test_write_docx_without_pandoc_names_the_target(html_docs, tmp_path, monkeypatch):
    def missing():
        raise OSError("No pandoc was found")

    monkeypatch.setattr(pandoc.pypandoc, "get_pandoc_path", missing)
    target = tmp_path / "annex.docx"
    with pytest.raises(WorkbenchError, match=r"annex\.docx.*pandoc not found"):
        write_docx(html_docs["en"], target, "en")
    assert not target.exists()


def test_write_docx_pandoc_failure_leaves_the_old_file(html_docs, tmp_path, monkeypatch):
    target = tmp_path / "annex.docx"
    target.write_bytes(b"previous")
    reference_docx("en")
    monkeypatch.setattr(pandoc.pypandoc, "get_pandoc_path", lambda: "false")
    with pytest.raises(WorkbenchError, match=r"annex\.docx: pandoc failed with exit code 1"):
        write_docx(html_docs["en"], target, "en")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["annex.docx"]


@pytest.mark.parametrize("writer", [write_docx, write_pdf])
def test_writers_reject_a_language_the_html_does_not_have(writer, html_docs, tmp_path):
    with pytest.raises(WorkbenchError, match=r"lang='fr'.*'en'"):
        writer(html_docs["fr"], tmp_path / "x.out", "en")
    with pytest.raises(WorkbenchError, match="unknown annex language 'de'"):
        writer(html_docs["fr"], tmp_path / "x.out", "de")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=15).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(caption=_TEXT, cells=st.lists(_TEXT, min_size=2, max_size=5))
def test_prepare_html_keeps_caption_then_table_then_source(caption, cells):
    page = _document("en", "T", ("C", "E"), [("s-1", "1. S", _table(
        "table-a-1", "Table A.1.", caption, cells, [cells], "Source: somewhere"))], [], [])
    blocks = [t for t in BeautifulSoup(prepare_html(page), "html.parser").find("section").children
              if getattr(t, "name", None)]
    assert [b.name for b in blocks] == ["h1", "div", "table", "div", "div"]
    assert blocks[1]["data-custom-style"] == "Caption" and blocks[1]["id"] == "table-a-1"
    assert " ".join(blocks[1].get_text().split()) == " ".join(f"Table A.1. {caption}".split())
    assert [th.get_text() for th in blocks[2].find_all("th")] == cells
    assert [td.get_text() for td in blocks[2].find_all("td")] == cells
    assert blocks[3]["data-custom-style"] == "Source" and blocks[3].get_text() == "Source: somewhere"


# ---------------------------------------------------------------- PDF


def _page_texts(path: Path) -> list[str]:
    """Text of each page, NFKC-normalised (Arabic presentation forms to letters), spaces collapsed."""
    reader = pypdf.PdfReader(str(path))
    return [" ".join(unicodedata.normalize("NFKC", page.extract_text()).split()) for page in reader.pages]


def _pdfium_texts(path: Path) -> list[str]:
    """Same with pdfium, which keeps mixed Arabic/Latin lines in reading order (pypdf reorders them)."""
    document = pypdfium2.PdfDocument(str(path))
    try:
        texts = [page.get_textpage().get_text_bounded() for page in document]
    finally:
        document.close()
    return [" ".join(unicodedata.normalize("NFKC", text).split()) for text in texts]


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_pdf_pages_are_a4_and_numbered(lang, pdf_files):
    reader = pypdf.PdfReader(str(pdf_files[lang]))
    for page in reader.pages:
        # portrait, or landscape for a page of wide tables
        width, height = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert abs(width - A4_PT[0]) <= 1 and abs(height - A4_PT[1]) <= 1
    texts = _page_texts(pdf_files[lang])
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {len(texts)}" in text


def test_write_pdf_long_table_breaks_with_its_header_repeated(pdf_files):
    texts = _page_texts(pdf_files["en"])
    assert len(texts) > 2
    with_rows = [t for t in texts if any(row[1] in t for row in LONG_ROWS)]
    assert len(with_rows) >= 2
    assert all("Population (persons)" in t for t in with_rows)


def test_write_pdf_contents_give_the_page_of_each_exhibit(pdf_files):
    texts = _page_texts(pdf_files["en"])
    for label in ("Table A.1.", "Table A.2.", "Figure A.1."):
        listed = re.search(re.escape(label) + r".*? (?:\. )+(\d+) ", texts[0])
        assert listed, label
        # the contents need not fill a page of their own: the exhibit may follow them on page 1
        where = next(n for n, t in enumerate(texts, start=1) if t.count(label) > (1 if n == 1 else 0))
        assert int(listed.group(1)) == where


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_pdf_shows_every_caption_label_and_the_numbers(lang, html_docs, pdf_files):
    # pypdf scrambles the order of mixed Arabic/Latin lines; pdfium reads them as laid out.
    text = " ".join((_pdfium_texts if lang == "ar" else _page_texts)(pdf_files[lang]))
    squeezed = re.sub(r"\s", "", text)
    for label in _labels(html_docs[lang]):
        assert re.sub(r"\s", "", unicodedata.normalize("NFKC", label)) in squeezed
    numbers = {"en": [LONG_ROWS[79][1], WIDE_ROWS[2][5]], "fr": ["1234,5", "5123456,0"], "ar": ["4,642,000", "35.2"]}
    for number in numbers[lang]:
        assert number in squeezed


def test_write_pdf_arabic_text_is_extractable(pdf_files):
    text = " ".join(_page_texts(pdf_files["ar"]))
    assert sum("\u0600" <= ch <= "\u06ff" for ch in text) > 50


@pytest.mark.parametrize("lang", list(DOCUMENTS))
def test_write_pdf_embeds_every_font(lang, pdf_files):
    reader = pypdf.PdfReader(str(pdf_files[lang]))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type3":
                continue  # glyphs drawn by the PDF itself
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            names.add(str(font["/BaseFont"]))
    assert any("DejaVu-Sans" in name for name in names)


def test_write_pdf_keeps_the_wide_table_inside_the_page(pdf_files):
    document = pypdfium2.PdfDocument(str(pdf_files["en"]))
    try:
        for page in document:
            width = page.get_width()
            text = page.get_textpage()
            for index in range(text.count_chars()):
                if text.get_text_range(index, 1).isspace():
                    continue  # line ends pdfium adds, with no box of their own
                left, _, right, _ = text.get_charbox(index)
                assert MARGIN_PT - 1 <= left and right <= width - MARGIN_PT + 1
    finally:
        document.close()


def test_write_pdf_same_html_gives_same_bytes(html_docs, pdf_files, tmp_path):
    again = write_pdf(html_docs["fr"], tmp_path / "again.pdf", "fr")
    assert again.read_bytes() == pdf_files["fr"].read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.pdf"]


def test_write_pdf_broken_image_is_an_error_and_leaves_no_file(tmp_path):
    page = english_html().replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1)
    target = tmp_path / "annex.pdf"
    with pytest.raises(WorkbenchError, match=r"annex\.pdf: WeasyPrint could not render"):
        write_pdf(page, target, "en")
    assert list(tmp_path.iterdir()) == []


def test_write_pdf_does_not_fetch_outside_resources(tmp_path):
    page = english_html().replace("</body>", '<img src="https://example.org/x.png"></body>')
    with pytest.raises(WorkbenchError, match="example.org"):
        write_pdf(page, tmp_path / "annex.pdf", "en")


def test_print_stylesheet_is_the_module_file():
    assert annex_pdf.PRINT_CSS.name == "annex-print.css" and "@page" in annex_pdf.PRINT_CSS.read_text()

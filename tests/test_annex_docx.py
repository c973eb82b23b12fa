"""Tests that a Word annex pastes into a template: fields, heading numbers by style, standard styles,
landscape sections, properties; on small annex pages built here in English, French and Arabic."""

from __future__ import annotations

import base64
import html as html_lib
import re
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn

from workbench.report.annex_docx import AUTHOR, write_docx
from workbench.report.annex_html import LANDSCAPE_COLUMNS
from workbench.report.annex_docx_html import prepare_html, read_marker
from workbench.report.annex_docx_styles import HEADING_NUM_ID, reference_docx

#: Every style a Word annex may define (names as in styles.xml, lower case).
ALLOWED = {
    "normal", "title", "subtitle", *(f"heading {n}" for n in range(1, 10)), "caption", "source",
    "toc heading", *(f"toc {n}" for n in range(1, 10)), "table of figures", "list paragraph", "quote",
    "footnote text", "footnote reference", "hyperlink", "default paragraph font", "normal table",
    "table grid", "no list",
}
WORDS = {
    "en": {"table": "Table", "figure": "Figure", "contents": "Contents", "exhibits": "Tables and figures",
           "sources": "Sources", "source": "Source: Statistics office", "title": "Annex A: Vienna",
           "subtitle": "Vienna — Austria."},
    "fr": {"table": "Tableau", "figure": "Figure", "contents": "Sommaire", "exhibits": "Tableaux et figures",
           "sources": "Sources", "source": "Source\u202f: Insee", "title": "Annexe A\u202f: Lyon",
           "subtitle": "Lyon — France."},
    "ar": {"table": "الجدول", "figure": "الشكل", "contents": "المحتويات", "exhibits": "الجداول والأشكال",
           "sources": "المصادر", "source": "المصدر: دائرة الإحصاءات العامة", "title": "الملحق A: عمّان",
           "subtitle": "عمّان — الأردن."},
}
WIDE_COLUMNS = LANDSCAPE_COLUMNS


def _png() -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x2a\x5d\x8f" * 40 for _ in range(20))
    header = struct.pack(">IIBBBBB", 40, 20, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii")


def _exhibit(lang: str, kind: str, number: int, caption: str, columns: int = 3) -> tuple[str, str, str]:
    """(anchor, list entry, figure html) as annex_html writes them."""
    words = WORDS[lang]
    label = f"{words[kind]} A.{number}."
    anchor = f"{kind}-a-{number}"
    if kind == "table":
        header = "".join(f"<th>{2010 + c}</th>" for c in range(columns))
        rows = "".join("<tr>" + "".join(f'<td class="wb-num">{r * 10 + c}</td>' for c in range(columns)) + "</tr>"
                       for r in range(3))
        wide = " wb-wide" if columns >= 8 else ""
        body = f'<table class="wb-table{wide}"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'
    else:
        body = f'<img class="wb-figure" alt="{html_lib.escape(caption)}" src="data:image/png;base64,{_png()}">'
    landscape = " wb-landscape" if kind == "table" and columns >= LANDSCAPE_COLUMNS else ""
    figure = (f'<figure class="wb-exhibit wb-kind-{kind}{landscape}" id="{anchor}">'
              f'<figcaption class="wb-caption"><span class="wb-label">{html_lib.escape(label)}</span> '
              f"{html_lib.escape(caption)}</figcaption>{body}"
              f'<p class="wb-source">{html_lib.escape(words["source"])}</p>'
              f'<p class="wb-note">Note: c.</p></figure>')
    return anchor, f"{label} {caption}", figure


def annex_html(lang: str) -> str:
    """A city annex: numbered parts and subsections, an unnumbered expert chapter and the sources;
    two wide tables (one under a heading of its own), a narrow table and a figure."""
    wide1 = _exhibit(lang, "table", 1, "Key figures", WIDE_COLUMNS)
    figure = _exhibit(lang, "figure", 1, "Share over time")
    narrow = _exhibit(lang, "table", 2, "Population by year")
    wide2 = _exhibit(lang, "table", 3, "Origins by year", 12)
    sections = [
        (2, "s-0", "1. Synopsis", f"<p>Text one.</p>{wide1[2]}<p>After the wide table.</p>"),
        (3, "s-1", "1.1 Key figures", f"<p>Text two.</p>{figure[2]}"),
        (4, "s-2", "1.1.1 Detail", f"<p>Detail.</p>{narrow[2]}"),
        (3, "s-3", "1.2 Origins", ""),
        (4, "s-4", "1.2.1 By year", wide2[2]),
        (2, "s-5", "2. Local knowledge", "<p>Expert text in <code>chapter.md</code>.</p>"
                                          "<blockquote><p>A quoted remark.</p></blockquote>"),
        (3, "s-6", "National policy", "<p>To be contributed.</p>"),
    ]
    toc = "".join(f'<li class="wb-toc-{level}"><a href="#{anchor}">{html_lib.escape(heading)}</a></li>'
                  for level, anchor, heading, _ in sections if level <= 3)
    exhibits = "".join(f'<li><a href="#{anchor}">{html_lib.escape(entry)}</a></li>'
                       for anchor, entry, _ in (wide1, figure, narrow, wide2))
    body = "".join(f'<section class="wb-section" id="{anchor}"><h{level}>{html_lib.escape(heading)}</h{level}>'
                   f"{content}</section>" for level, anchor, heading, content in sections)
    words = WORDS[lang]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"><head><meta charset="utf-8">'
        f"<title>{html_lib.escape(words['title'])}</title></head><body>"
        f'<header class="wb-title"><h1>{html_lib.escape(words["title"])}</h1>'
        f'<p class="wb-subtitle">{html_lib.escape(words["subtitle"])}</p></header>'
        f'<nav class="toc"><h2 class="wb-toc-title">{words["contents"]}</h2><ul>{toc}'
        f'<li><a href="#sources">{words["sources"]}</a></li></ul>'
        f'<h2 class="wb-toc-title">{words["exhibits"]}</h2><ul>{exhibits}</ul></nav>{body}'
        f'<section class="wb-section wb-sources" id="sources"><h2>{words["sources"]}</h2>'
        "<ol><li>Publisher, <em>Table</em>; https://example.org</li></ol></section>"
        '<footer class="wb-provenance"><p>Run r-test.</p></footer></body></html>'
    )


#: Reference documents go to a temporary cache, not the user's (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("temporary_cache_home")


@pytest.fixture(scope="module")
def word(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("word")
    return {lang: write_docx(annex_html(lang), folder / f"annex-{lang}.docx", lang) for lang in WORDS}


def _body(path: Path):
    return docx.Document(str(path)).element.body


def _instructions(element) -> list[str]:
    return [" ".join(text.split()) for text in element.xpath(".//w:instrText/text()")]


def _style_names(document) -> dict[str, str]:
    return {s.get(qn("w:styleId")): s.find(qn("w:name")).get(qn("w:val"))
            for s in document.styles.element.findall(qn("w:style"))}


def _field_results(body, instruction: str) -> list[str]:
    """Text of each paragraph inside the complex field whose instruction starts with ``instruction``."""
    paragraphs, inside, depth = [], False, 0
    for paragraph in body.iter(qn("w:p")):
        text = ""
        for node in paragraph.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t")):
            if node.tag == qn("w:instrText") and " ".join(node.text.split()).startswith(instruction) and depth == 1:
                inside = True
            elif node.tag == qn("w:fldChar"):
                kind = node.get(qn("w:fldCharType"))
                depth += {"begin": 1, "end": -1}.get(kind, 0)
                if kind == "end" and depth == 0 and inside:
                    paragraphs.append(text)
                    return paragraphs
            elif node.tag == qn("w:t") and inside:
                text += node.text or ""
        if inside:
            paragraphs.append(text)
    return paragraphs


# ---------------------------------------------------------------- contents and lists: TOC fields


@pytest.mark.parametrize("lang", list(WORDS))
def test_write_docx_contents_and_exhibit_lists_are_toc_fields_prefilled(lang, word):
    body = _body(word[lang])
    instructions = _instructions(body)
    assert 'TOC \\o "1-3" \\h \\z \\u' in instructions
    assert 'TOC \\h \\z \\c "Table"' in instructions and 'TOC \\h \\z \\c "Figure"' in instructions
    contents = _field_results(body, "TOC \\o")
    assert contents[:2] == ["1. Synopsis", "1.1 Key figures"] and contents[-1] == WORDS[lang]["sources"]
    label = WORDS[lang]["table"]
    # the list of tables holds the tables only, in order; the figure has a list of its own
    assert _field_results(body, 'TOC \\h \\z \\c "Table"') == [
        f"{label} A.1. Key figures", f"{label} A.2. Population by year", f"{label} A.3. Origins by year"]
    assert _field_results(body, 'TOC \\h \\z \\c "Figure"') == [f"{WORDS[lang]['figure']} A.1. Share over time"]
    assert not body.xpath(".//w:bookmarkStart[starts-with(@w:name, 'wbdocx')]")


def test_write_docx_asks_word_to_update_fields_on_opening(word):
    settings = docx.Document(str(word["en"])).settings.element
    assert settings.find(qn("w:updateFields")).get(qn("w:val")) == "true"


# ---------------------------------------------------------------- captions: SEQ fields


@pytest.mark.parametrize("lang", list(WORDS))
def test_write_docx_caption_numbers_are_seq_fields_in_the_annex_words(lang, word):
    document = docx.Document(str(word[lang]))
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    words = WORDS[lang]
    expected = [("table", 1), ("figure", 1), ("table", 2), ("table", 3)]
    assert len(captions) == len(expected)
    for paragraph, (kind, number) in zip(captions, expected):
        identifier = {"table": "Table", "figure": "Figure"}[kind]
        assert _instructions(paragraph._p) == [f"SEQ {identifier} \\* ARABIC"]
        assert _field_results(paragraph._p, "SEQ") == [str(number)]
        assert paragraph.text.startswith(f"{words[kind]} A.{number}. ")
        texts = paragraph._p.xpath("./w:r/w:t/text()")
        assert texts[0] == f"{words[kind]} A."  # the text before the field keeps the annex's word


# ---------------------------------------------------------------- headings: numbered by the list


def _word_numbers(document) -> list[tuple[str, str]]:
    """(number Word shows, heading text) for each heading, numbering as Word does from the styles."""
    names = _style_names(document)
    counters = [0, 0, 0]
    shown = []
    for paragraph in document.element.body.iter(qn("w:p")):
        name = names.get(paragraph.style or "", "").lower()
        if not name.startswith("heading "):
            continue
        level = int(name.split()[1])
        direct = paragraph.pPr.numPr if paragraph.pPr is not None else None
        text = "".join(paragraph.xpath(".//w:t/text()"))
        if direct is not None and direct.numId is not None and direct.numId.val == 0 or level > 3:
            shown.append(("", text))
            continue
        counters[level - 1] += 1
        counters[level:] = [0] * (3 - level)
        number = ".".join(str(c) for c in counters[:level]) + ("." if level == 1 else "")
        shown.append((number, text))
    return shown


@pytest.mark.parametrize("lang", list(WORDS))
def test_write_docx_headings_are_numbered_by_style_as_the_annex_numbered_them(lang, word):
    document = docx.Document(str(word[lang]))
    typed = [" ".join(h.get_text().split()) for h in BeautifulSoup(annex_html(lang), "html.parser")
             .find_all(["h2", "h3", "h4"]) if "wb-toc-title" not in h.get("class", [])]
    shown = [f"{number} {text}".strip() for number, text in _word_numbers(document)]
    assert shown == typed
    assert not any(re.match(r"\d", text) for _, text in _word_numbers(document))  # no typed numbers left


def test_write_docx_heading_out_of_sequence_keeps_its_typed_number(tmp_path):
    page = annex_html("en").replace("1.2 Origins", "7.4 Origins").replace("1.2.1 By year", "7.4.1 By year")
    document = docx.Document(str(write_docx(page, tmp_path / "a.docx", "en")))
    shown = dict((text, number) for number, text in _word_numbers(document))
    assert shown["7.4 Origins"] == "" and shown["7.4.1 By year"] == ""  # as typed, not renumbered
    assert shown["Detail"] == "1.1.1" and shown["Local knowledge"] == "2."


def test_reference_docx_links_heading_1_to_3_to_one_multilevel_list(tmp_path):
    document = docx.Document(str(reference_docx("en", cache_dir=tmp_path)))
    numbering = document.part.numbering_part.element
    abstract = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{HEADING_NUM_ID}"]')[0]
    def value(level, tag):
        element = level.find(qn(tag))
        return None if element is None else element.get(qn("w:val"))

    levels = {lvl.get(qn("w:ilvl")): (value(lvl, "w:pStyle"), value(lvl, "w:lvlText"))
              for lvl in abstract.findall(qn("w:lvl"))}
    assert levels["0"] == ("Heading1", "%1.") and levels["1"] == ("Heading2", "%1.%2")
    assert levels["2"] == ("Heading3", "%1.%2.%3") and levels["3"][0] is None
    for level in range(3):
        style = document.styles[f"Heading {level + 1}"].element
        assert style.xpath("./w:pPr/w:numPr/w:numId/@w:val") == [str(HEADING_NUM_ID)]
        assert style.xpath("./w:pPr/w:numPr/w:ilvl/@w:val") == [str(level)]
    assert document.styles["TOC Heading"].element.xpath("./w:pPr/w:numPr/w:numId/@w:val") == ["0"]
    assert list(numbering)[0].tag == qn("w:abstractNum") and list(numbering)[-1].tag == qn("w:num")


# ---------------------------------------------------------------- standard styles only


@pytest.mark.parametrize("lang", list(WORDS))
def test_write_docx_defines_and_uses_only_standard_styles(lang, word):
    document = docx.Document(str(word[lang]))
    names = _style_names(document)
    assert {name.lower() for name in names.values()} <= ALLOWED
    with zipfile.ZipFile(word[lang]) as archive:
        xml = "".join(archive.read(name).decode("utf-8") for name in archive.namelist()
                      if re.fullmatch(r"word/(document|footer\d*|header\d*|footnotes|numbering|styles)\.xml", name))
    used = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle|basedOn|next|link) w:val="([^"]+)"', xml))
    assert used <= set(names), used - set(names)
    used_names = {names[sid].lower() for sid in used}
    assert {"heading 1", "caption", "source", "table grid", "toc 1", "table of figures", "list paragraph",
            "quote"} <= used_names  # pandoc's Block Text became Quote; its Verbatim Char (code) went
    assert all(t.style.name == "Table Grid" for t in document.tables)


# ---------------------------------------------------------------- landscape sections


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_write_docx_wide_tables_sit_in_landscape_sections(lang, word):
    document = docx.Document(str(word[lang]))
    body = document.element.body
    blocks = [el for el in body.iterchildren() if el.tag in (qn("w:p"), qn("w:tbl"))]
    orientation, section_of = [], []
    for element in reversed(blocks):  # a paragraph's sectPr closes the section it ends
        held = element.pPr.sectPr if element.tag == qn("w:p") and element.pPr is not None else None
        if held is not None or not orientation:
            size = (held if held is not None else body.sectPr).find(qn("w:pgSz"))
            orientation.append(size.get(qn("w:orient")) or "portrait")
        section_of.append(orientation[-1])
    section_of.reverse()
    tables = [(section_of[i], len(el.tblGrid)) for i, el in enumerate(blocks) if el.tag == qn("w:tbl")]
    assert tables == [("landscape", WIDE_COLUMNS), ("portrait", 3), ("landscape", 12)]
    names = _style_names(document)
    for i, element in enumerate(blocks):
        if element.tag != qn("w:tbl"):
            continue
        caption, after = blocks[i - 1], blocks[i + 1]
        assert names[caption.style] == "Caption" and section_of[i - 1] == section_of[i]
        assert names[after.style] == "Source" and section_of[i + 1] == section_of[i]
    # the first wide table opens its section: the heading and introduction go with it (no portrait
    # page left holding only them); the text after it stays on portrait pages
    first = next(i for i, el in enumerate(blocks) if el.tag == qn("w:tbl"))
    assert names[blocks[first - 3].style] == "heading 1"
    assert section_of[first - 3] == section_of[first - 2] == "landscape"
    assert section_of[first - 4] == "portrait" and section_of[first + 3] == "portrait"
    # the second: its headings go with it, so no heading is left alone at the foot of a portrait page
    last = max(i for i, el in enumerate(blocks) if el.tag == qn("w:tbl"))
    assert [names[blocks[j].style] for j in (last - 3, last - 2)] == ["heading 2", "heading 3"]
    assert section_of[last - 3] == "landscape" and section_of[-1] == "portrait"
    sections = document.sections
    assert [s.orientation for s in sections].count(1) == 2  # WD_ORIENTATION.LANDSCAPE
    for section in sections:
        assert round(section.left_margin.cm, 1) == 2.0 and section.footer.paragraphs[0]._p.xpath(".//@w:instr")
        if section.orientation == 1:
            assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    grids = [sum(int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol"))) for t in document.tables]
    landscape_twips = (sections[1].page_width - sections[1].left_margin - sections[1].right_margin) // 635
    portrait_twips = (sections[0].page_width - sections[0].left_margin - sections[0].right_margin) // 635
    assert abs(grids[0] - landscape_twips) <= WIDE_COLUMNS and abs(grids[1] - portrait_twips) <= 3


# ---------------------------------------------------------------- properties, direction, bytes


@pytest.mark.parametrize("lang", list(WORDS))
def test_write_docx_core_properties_set_without_dates(lang, word):
    properties = docx.Document(str(word[lang])).core_properties
    assert properties.title == WORDS[lang]["title"] and properties.subject == WORDS[lang]["subtitle"]
    assert properties.author == AUTHOR and properties.language == {"en": "en-GB", "fr": "fr-FR", "ar": "ar-SA"}[lang]
    assert properties.keywords and (lang == "en") == ("statistics" in properties.keywords)
    with zipfile.ZipFile(word[lang]) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        app = archive.read("docProps/app.xml").decode("utf-8")
        dates = {info.date_time for info in archive.infolist()}
    assert "dcterms:created" not in core and "dcterms:modified" not in core and "lastModifiedBy" not in core
    assert "Microsoft" not in app and dates == {(1980, 1, 1, 0, 0, 0)}


def test_write_docx_same_page_gives_same_bytes(word, tmp_path):
    assert write_docx(annex_html("ar"), tmp_path / "again.docx", "ar").read_bytes() == word["ar"].read_bytes()


def test_write_docx_arabic_stays_right_to_left(word):
    body = _body(word["ar"])
    assert all(p.pPr is not None and p.pPr.find(qn("w:bidi")) is not None for p in body.iter(qn("w:p")))
    assert all(t.find(qn("w:tblPr")).find(qn("w:bidiVisual")) is not None for t in body.iter(qn("w:tbl")))


def test_write_docx_english_has_no_right_to_left_marks(word):
    body = _body(word["en"])
    assert not list(body.iter(qn("w:bidi"))) and not list(body.iter(qn("w:bidiVisual")))


# ---------------------------------------------------------------- the page given to pandoc


def test_prepare_html_marks_labels_and_lists_tables_before_figures():
    soup = BeautifulSoup(prepare_html(annex_html("fr")), "html.parser")
    listed = soup.select('div[data-custom-style="table of figures"] span[id]')
    entries = [(read_marker(span["id"]), span.get_text()) for span in listed]
    assert [(m.role, m.kind, m.wide) for m, _ in entries] == [
        ("entry", "table", True), ("entry", "table", False), ("entry", "table", True), ("entry", "figure", False)]
    assert [text.split(". ")[0] for _, text in entries] == ["Tableau A.1", "Tableau A.2", "Tableau A.3", "Figure A.1"]
    labels = [(read_marker(span["id"]), span.get_text()) for span in soup.select("span.wb-label")]
    assert [(m.role, m.kind, m.wide, text) for m, text in labels] == [
        ("label", "table", True, "Tableau A.1."), ("label", "figure", False, "Figure A.1."),
        ("label", "table", False, "Tableau A.2."), ("label", "table", True, "Tableau A.3.")]
    assert read_marker("table-a-1") is None and read_marker("wbdocx_label_chart_wide_1") is None

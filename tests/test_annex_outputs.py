"""A real annex (Tunis, from the nbval baseline) in every language and format: same cells, captions, sources, suppression."""

from __future__ import annotations

import re

import docx
import pypdfium2
import pytest
from bs4 import BeautifulSoup

from workbench.report import annex, annex_document, annex_html
from workbench import paths
from workbench.report.annex_docx import write_docx
from workbench.report.annex_pdf import write_pdf
from workbench.reference.i18n import RTL

NOTEBOOK = paths.project_root() / "tests" / "nbval" / "cities" / "tunis" / "profile.ipynb"
PROVENANCE = {"run_id": "test", "git_commit": "-", "started": "", "packages": {}, "inputs": {}}
THRESHOLD = 1000  # high, so that real cells are suppressed in the test
LABEL = {"en": "Table", "fr": "Tableau", "ar": "جدول"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _label_in(label: str, text: str, lang: str) -> bool:
    # text extracted from a right-to-left PDF comes out in visual order: 'A.1' may read '.1A'
    letter, number = label.split(".")
    return label in text or (lang in RTL and f".{number}{letter}" in text)


def _marks(text: str) -> int:
    # '[s]', or its mirrored brackets in text extracted from a right-to-left page
    return len(re.findall(r"[\[\]]\s?s\s?[\[\]]", text))


@pytest.fixture(scope="module", params=annex.annex_languages("tunis"))
def outputs(request, tmp_path_factory):
    lang = request.param
    folder = tmp_path_factory.mktemp(f"annex-{lang}")
    page = annex_html.render_html(annex_document.city_document(NOTEBOOK, "tunis"), PROVENANCE, THRESHOLD, lang)
    return lang, page, write_docx(page, folder / "tunis.docx", lang), write_pdf(page, folder / "tunis.pdf", lang)


def _html_tables(page: str) -> list[dict]:
    soup = BeautifulSoup(page, "html.parser")
    out = []
    for figure in soup.select("figure.wb-exhibit.wb-kind-table"):
        table = figure.find("table")
        out.append({
            "caption": (figure.find("figcaption") or figure.find("caption")).get_text(" ", strip=True),
            "source": figure.find("p", class_="wb-source").get_text(" ", strip=True) if figure.find("p", class_="wb-source") else "",
            "cells": [[c.get_text(strip=True) for c in row.find_all(["th", "td"])] for row in table.find_all("tr")] if table else [],
        })
    return out


def test_every_table_has_a_numbered_caption_and_a_source(outputs):
    lang, page, _, _ = outputs
    tables = _html_tables(page)
    assert tables
    for number, table in enumerate(tables, start=1):
        assert f"A.{number}." in table["caption"], table["caption"]
        assert table["source"] and len(table["source"]) > 10, table["caption"]


def test_word_tables_carry_the_same_cells_as_the_html(outputs):
    _, page, docx_path, _ = outputs
    html_tables = [t for t in _html_tables(page) if t["cells"]]
    word = docx.Document(str(docx_path)).tables
    assert len(word) == len(html_tables)
    for html_table, word_table in zip(html_tables, word):
        cells = [[_squash(c.text) for c in row.cells] for row in word_table.rows]
        assert cells == [[_squash(c) for c in row] for row in html_table["cells"]], html_table["caption"]


def test_pdf_shows_every_caption_and_the_numbers(outputs):
    lang, page, _, pdf_path = outputs
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    text = _squash("".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    for table in _html_tables(page):
        label = re.search(r"A\.\d+", table["caption"]).group(0)
        assert _label_in(label, text, lang), label
        numbers = [c for row in table["cells"][1:] for c in row if re.fullmatch(r"[\d\s\u202f.,\-]+", c) and len(c) > 2]
        for cell in numbers[:20]:
            assert _squash(cell) in text, (table["caption"], cell)


def test_suppressed_cells_are_suppressed_in_all_three_formats(outputs):
    _, page, docx_path, pdf_path = outputs
    in_html = sum(row.count("[s]") for t in _html_tables(page) for row in t["cells"])
    assert in_html > 0, "the test threshold should suppress some cells"
    in_word = sum(c.text.strip() == "[s]" for t in docx.Document(str(docx_path)).tables for row in t.rows for c in row.cells)
    assert in_word == in_html
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert _marks(text) >= in_html


def test_the_visible_text_is_for_readers(outputs):
    # what a reader sees: no escaped markup, no source ids, no internal licence note, no file paths
    # of the project, no publishers' internal place marks
    from workbench.reference.registry import load_sources

    lang, page, _, _ = outputs
    soup = BeautifulSoup(page, "html.parser")
    for hidden in soup.select("footer.wb-provenance, .wb-checksum, style, title"):
        hidden.decompose()
    text = soup.get_text(" ")
    assert "&lt;" not in text and "&gt;" not in text and "&amp;" not in text
    assert not re.search(r"\bverify\b", text) and "data/local" not in text and "[Admin" not in text
    ids = [i for i in load_sources() if "_" in i]
    assert not [i for i in ids if re.search(rf"(?<![\w/]){re.escape(i)}(?![\w.])", text)]

"""Tests of the tables written beside an annex (CSV and XLSX): the annex's cells, suppression, captions, stable bytes."""

from __future__ import annotations

import re

import csv
import io
import zipfile
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT
from workbench.reference.i18n import render
from workbench.report import annex_document, annex_html, disclosure, downloads
from workbench.report.exhibits import table_json

PROVENANCE = {"run_id": "run-1", "git_commit": "abc", "started": "2026-11-22T08:00:00+00:00", "packages": {}, "inputs": {}}
TUNIS = ROOT / "tests" / "nbval" / "cities" / "tunis" / "profile.ipynb"


def _table_output(number: int, caption: str, table: pd.DataFrame):
    meta = {"kind": "table", "number": number, "label": f"Table {number}", "caption": caption,
            "sources": ["Source one"], "source_ids": ["worldbank_wdi"], "notes": ["A note."], "slug": f"table-{number}",
            "table": table_json(table)}
    return nbformat.v4.new_output("display_data", data={"text/plain": caption}, metadata={"workbench": meta})


def _document(folder: Path, rows: int = 2) -> annex_document.Document:
    # a city annex of two tables: origins with one small count (3 persons), and a long table
    origins = pd.DataFrame({"origin": ["Morocco", "Peru"], "persons": [1200.0, 3.0], "share (%)": [99.75, 0.25]})
    long = pd.DataFrame({"year": list(range(2000, 2000 + rows)), "persons": [1000.4 + i for i in range(rows)]})
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x()")
    code.outputs = [_table_output(1, "Origins", origins), _table_output(2, "Series", long)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\n## 1. Part"), code]
    path = folder / "profile.ipynb"
    nbformat.write(nb, str(path))
    return annex_document.city_document(path, "madrid")


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_csv_and_workbook_suppress_the_cells_the_annex_suppresses(tmp_path: Path):
    document = _document(tmp_path)
    written = downloads.write_downloads(document, tmp_path, "madrid", "en", 5, PROVENANCE)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "madrid-tables.xlsx", "madrid-tables/table-a-1.csv", "madrid-tables/table-a-2.csv"]
    rows = _csv(tmp_path / "madrid-tables" / "table-a-1.csv")
    assert rows == [["origin", "persons", "share (%)"], ["Morocco", "1200", "99.8"], ["Peru", disclosure.MARK, disclosure.MARK]]
    sheet = openpyxl.load_workbook(tmp_path / "madrid-tables.xlsx")["A.1"]
    values = [list(r) for r in sheet.iter_rows(min_row=3, max_row=5, values_only=True)]
    assert values == [["origin", "persons", "share (%)"], ["Morocco", 1200, 99.8], ["Peru", disclosure.MARK, disclosure.MARK]]
    assert sheet["B4"].number_format == "#,##0" and sheet["C4"].number_format == "#,##0.0"
    # the annex page shows the mark in the same cells
    page = annex_html.render_html(document, PROVENANCE, 5, "en")
    table = BeautifulSoup(page, "html.parser").find("figure", id="table-a-1").find("table")
    shown = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
    assert [[cell if cell == disclosure.MARK else "" for cell in row] for row in shown[1:]] == \
           [[cell if cell == disclosure.MARK else "" for cell in row] for row in rows[1:]]
    # without disclosure control the count is there
    downloads.write_downloads(document, tmp_path, "open", "en", 0, PROVENANCE)
    assert _csv(tmp_path / "open-tables" / "table-a-1.csv")[2] == ["Peru", "3", "0.2"]


def test_each_sheet_has_caption_table_source_and_notes(tmp_path: Path):
    downloads.write_downloads(_document(tmp_path), tmp_path, "madrid", "en", 5, PROVENANCE)
    book = openpyxl.load_workbook(tmp_path / "madrid-tables.xlsx")
    assert book.sheetnames == ["A.1", "A.2"]
    lines = [r[0] for r in book["A.1"].iter_rows(values_only=True)]
    assert lines[0] == "Table A.1. Origins" and lines[1] is None
    assert lines[-3:] == ["Source: World Bank, World Development Indicators; Source one.", "Note: A note.",
                          "Note: " + render(disclosure.note(5), "en")]
    assert book.properties.title.startswith("Annex A") and book.properties.language == "en"
    assert not book["A.1"].sheet_view.rightToLeft


def test_the_whole_table_is_written_with_its_numbers_as_shown(tmp_path: Path):
    downloads.write_downloads(_document(tmp_path, rows=40), tmp_path, "madrid", "en", 5, PROVENANCE)
    rows = _csv(tmp_path / "madrid-tables" / "table-a-2.csv")
    assert len(rows) == 41 and rows[1] == ["2000", "1000"] and rows[-1] == ["2039", "1039"]


def test_downloads_are_the_same_bytes_when_written_again(tmp_path: Path):
    document = _document(tmp_path)
    first = {p: p.read_bytes() for p in downloads.write_downloads(document, tmp_path, "madrid", "en", 5, PROVENANCE)}
    again = {p: p.read_bytes() for p in downloads.write_downloads(document, tmp_path, "madrid", "en", 5, PROVENANCE)}
    assert first == again
    book = openpyxl.load_workbook(tmp_path / "madrid-tables.xlsx")
    assert book.properties.created == book.properties.modified == pd.Timestamp("2026-11-22T08:00:00").to_pydatetime()
    with zipfile.ZipFile(tmp_path / "madrid-tables.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_csv_files_of_tables_no_longer_in_the_annex_are_removed(tmp_path: Path):
    stale = tmp_path / "madrid-tables" / "table-a-9.csv"
    stale.parent.mkdir()
    stale.write_text("old\n", encoding="utf-8")
    downloads.write_downloads(_document(tmp_path), tmp_path, "madrid", "en", 5, PROVENANCE)
    assert not stale.exists() and (tmp_path / "madrid-tables" / "table-a-1.csv").is_file()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_headers_and_labels_are_those_of_the_annex_in_its_language(tmp_path: Path, lang: str):
    document = annex_document.city_document(TUNIS, "tunis")
    downloads.write_downloads(document, tmp_path, "tunis", lang, 1000, PROVENANCE)
    page = BeautifulSoup(annex_html.render_html(document, PROVENANCE, 1000, lang), "html.parser")
    book = openpyxl.load_workbook(tmp_path / "tunis-tables.xlsx")
    tables = [e for e in document.exhibits if e.table is not None]
    assert book.sheetnames == [e.annex_number for e in tables]
    for exhibit in tables:
        figure = page.find("figure", id=annex_html._anchor(exhibit))
        # (the page keeps a percent sign with its number by a no-break space; the tables keep the text)
        shown = [[re.sub(r"(?<=\d)\u00a0%", " %", c.get_text()) for c in tr.find_all(["th", "td"])]
                 for tr in figure.find("table").find_all("tr")]
        rows = _csv(tmp_path / "tunis-tables" / f"{annex_html._anchor(exhibit)}.csv")
        assert rows[0] == shown[0], f"{exhibit.annex_number}: headers differ from the annex"
        numeric = [pd.api.types.is_numeric_dtype(exhibit.table[c]) for c in exhibit.table.columns]
        for csv_row, html_row in zip(rows[1:], shown[1:]):
            # text cells as the annex prints them; suppressed cells marked in both
            assert [c for c, n in zip(csv_row, numeric) if not n or c == disclosure.MARK] == \
                   [c for c, n in zip(html_row, numeric) if not n or c == disclosure.MARK], exhibit.annex_number
        sheet = book[exhibit.annex_number]
        assert sheet["A1"].value == figure.find("caption").get_text(" ", strip=True)
        assert sheet.sheet_view.rightToLeft == (lang == "ar")
    assert any(disclosure.MARK in row for p in (tmp_path / "tunis-tables").glob("*.csv") for row in _csv(p))

"""The tables behind an annex as downloads beside it: one CSV per table and one XLSX workbook, suppressed like the annex.

For the annex ``annex/<lang>/<name>.html`` they are ``annex/<lang>/<name>-tables/<anchor>.csv``
(``<anchor>`` is the exhibit's anchor in the annex, e.g. ``table-a-3``) and
``annex/<lang>/<name>-tables.xlsx`` (one sheet per table, named by its number, e.g. ``A.3``).
Every cell comes from :func:`workbench.report.annex_html.table_text`, the function the annex
table itself is printed from: the same headers and labels in the annex's language and the same
cells suppressed (shown as :data:`workbench.report.disclosure.MARK`). Numbers are written as
numbers, rounded as the annex shows them (:func:`workbench.reference.formats.column_decimals`),
and the whole table is written even where the annex shows its first rows only.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.reference.formats import column_decimals
from workbench.reference.i18n import RTL, render
from workbench.report import disclosure
from workbench.report.annex_document import Document
from workbench.report.annex_html import _anchor, _label, _text, note_lines, reader_table, table_text
from workbench.report.exhibit_sources import annex_source_line
from workbench.report.exhibits import Exhibit
from workbench.report.pandoc import fixed_zip_dates

#: What the downloads' names add to the annex's name: ``<name>-tables/`` and ``<name>-tables.xlsx``.
SUFFIX = "-tables"

#: The workbook's created and modified date when the run has no start date to give.
_FIXED_DATE = datetime(2000, 1, 1)


@dataclass(frozen=True)
class DownloadTable:
    """One table exhibit as its downloads hold it."""

    number: str  #: its number in the annex ('A.3'), the name of its sheet
    anchor: str  #: its anchor in the annex ('table-a-3'), the name of its CSV file
    caption: str  #: label and caption as the annex prints them ('Table A.3. Key figures …')
    headers: list[str]
    rows: list[list]  #: str, int, float, None (empty) or the suppression mark
    decimals: list[list[int | None]]  #: decimals shown for each number cell, None for a text cell
    source: str  #: the source line ('Source: …')
    notes: list[str]  #: the notes ('Note: …'), the disclosure note among them when cells are suppressed


def tables_folder(folder: Path, name: str) -> Path:
    """The folder of the CSV files of annex ``name`` in the language folder ``folder``."""
    return Path(folder) / f"{name}{SUFFIX}"


def workbook_path(folder: Path, name: str) -> Path:
    """The XLSX workbook of annex ``name`` in the language folder ``folder``."""
    return Path(folder) / f"{name}{SUFFIX}.xlsx"


def write_downloads(document: Document, folder: Path, name: str, lang: str, threshold: int,
                    provenance: dict | None = None) -> list[Path]:
    """Write the CSV files and the XLSX workbook of one annex's tables beside it.

    Parameters
    ----------
    document
        The annex (:func:`workbench.report.annex_document.city_document` or ``network_document``).
    folder
        The annex's language folder (``<run>/annex/<lang>``).
    name
        The annex's file name without extension (a city id or ``network``).
    lang
        The annex's language.
    threshold
        The disclosure-control threshold of the annex.
    provenance
        The run's provenance (:func:`workbench.report.annex.run_provenance`): its start date
        dates the workbook.

    Returns
    -------
    list of Path
        The files written (each atomically); none when the annex has no table. CSV files left
        from an earlier rendering of a table the annex no longer has are removed.
    """
    tables = [download_table(e, lang, threshold) for e in document.exhibits if e.table is not None]
    csv_dir = tables_folder(folder, name)
    written = []
    if tables:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for table in tables:
            written.append(paths.write_atomic(csv_dir / f"{table.anchor}.csv", csv_text(table)))
        title = render(document.title, lang)
        written.append(paths.write_atomic(workbook_path(folder, name),
                                          workbook_bytes(tables, title, lang, _date((provenance or {}).get("started")))))
    for stale in sorted(csv_dir.glob("*.csv")) if csv_dir.is_dir() else []:
        if stale not in written:
            stale.unlink()
    return written


def download_table(exhibit: Exhibit, lang: str, threshold: int) -> DownloadTable:
    """A table exhibit as its downloads show it in ``lang`` (the whole table, suppressed as the annex)."""
    frame = reader_table(exhibit.table)
    headers, cells, hidden = table_text(frame, threshold, lang, exhibit.where)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    places = [column_decimals(frame, c) if numeric[j] else None for j, c in enumerate(frame.columns)]
    rows, decimals = [], []
    for i, row in enumerate(cells):
        values, shown = [], []
        for j, text in enumerate(row):
            if text is None:
                values.append(disclosure.MARK)
                shown.append(None)
            elif numeric[j]:
                values.append(_number(frame.iat[i, j], places[j][i]))
                shown.append(places[j][i])
            else:
                values.append(text)
                shown.append(None)
        rows.append(values)
        decimals.append(shown)
    caption = f"{_label(exhibit, lang)}. {_text(exhibit.caption, lang, exhibit.where)}"
    return DownloadTable(exhibit.annex_number, _anchor(exhibit), caption, headers, rows, decimals,
                         annex_source_line(exhibit, lang), note_lines(exhibit, lang, threshold, hidden))


def csv_text(table: DownloadTable) -> str:
    """The table as CSV: the header row and the cells (UTF-8, comma-separated, '.' as decimal mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.headers)
    writer.writerows([["" if v is None else v for v in row] for row in table.rows])
    return out.getvalue()


def workbook_bytes(tables: list[DownloadTable], title: str, lang: str, when: datetime = _FIXED_DATE) -> bytes:
    """An XLSX workbook with one sheet per table: caption, table, source line and notes.

    The bytes depend on the tables, title, language and ``when`` only (the workbook's created
    and modified date; every zip entry is dated as :func:`workbench.report.pandoc.fixed_zip_dates` does).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.number)
        sheet.sheet_view.rightToLeft = lang in RTL
        sheet.append([table.caption])
        sheet["A1"].font = bold
        sheet.append([])
        sheet.append(table.headers)
        for cell in sheet[3]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for values, decimals in zip(table.rows, table.decimals):
            sheet.append(values)
            for cell, places in zip(sheet[sheet.max_row], decimals):
                if places is not None and cell.value is not None:
                    cell.number_format = "#,##0" + ("." + "0" * places if places else "")
        sheet.append([])
        for line in [table.source, *table.notes]:
            sheet.append([line])
        sheet.freeze_panes = "A4"
        for j, header in enumerate(table.headers, start=1):
            longest = max([len(header), *(len(str(row[j - 1])) for row in table.rows if row[j - 1] is not None)])
            sheet.column_dimensions[get_column_letter(j)].width = min(max(longest + 2, 8), 40)
    book.properties.title = title
    book.properties.creator = "workbench"
    book.properties.language = lang
    book.properties.created = book.properties.modified = when
    out = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would date the workbook now
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return fixed_zip_dates(out.getvalue())


def _number(value, places: int):
    # a number rounded as the annex shows it: whole numbers as int, a missing value as an empty cell
    if value is None or pd.isna(value):
        return None
    return int(round(float(value))) if places == 0 else round(float(value), places)


def _date(started: str | None) -> datetime:
    # the run's start (UTC, naive as openpyxl writes it), or a fixed date
    try:
        moment = datetime.fromisoformat(started or "")
    except ValueError:
        return _FIXED_DATE
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment

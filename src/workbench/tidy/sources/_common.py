"""Shared pieces for source readers: loud workbook reading, header and cell checks, tidy row assembly."""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from workbench.errors import ConfigError, SourceFormatError, where
from workbench.tidy.csvfile import data_lines
from workbench.tidy.schemas import SUPPRESSED, TIDY_COLUMNS

#: Defaults for tidy columns a reader leaves out.
TIDY_DEFAULTS: dict[str, str] = {
    "city_id": "",
    "sex": "total",
    "age": "total",
    "origin_type": "",
    "origin": "total",
    "category": "total",
    "flag": "",
    "note": "",
}


def locate(path: Path | str, *, sheet: str | None = None, row: object = None, column: object = None) -> str:
    """Format where a problem is: ``file.xlsx, sheet 'Data', row 12, column 'D'``.

    Parameters
    ----------
    path
        The file.
    sheet
        The sheet of a workbook, if any.
    row, column
        1-based row as a spreadsheet or an editor shows it, and the column's header or letter.

    Returns
    -------
    str
    """
    place = f"{path}, sheet {sheet!r}" if sheet is not None else str(path)
    return where(place, row, column)


def column_letter(j: int) -> str:
    """Return the spreadsheet column letter (A, B ... AA) of a 0-based column index."""
    letters = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_excel_checked(path: Path, sheet: str | int | None = 0, **kwargs) -> pd.DataFrame | dict:
    """Read a spreadsheet (``.xlsx`` with openpyxl, ``.xls`` with xlrd) with clear errors.

    Parameters
    ----------
    path
        The workbook.
    sheet
        Sheet name or index, or ``None`` for all sheets (then a dict is returned).
    **kwargs
        Passed to :func:`pandas.read_excel`.

    Raises
    ------
    SourceFormatError
        File missing, not a workbook, or without the requested sheet (the message lists the
        sheets it has).
    """
    kwargs.setdefault("header", None)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles of workbooks saved by other tools: irrelevant to values
            warnings.filterwarnings("ignore", message="Workbook contains no default style")
            # pandas 3 deprecates its xlrd engine for .xls; still supported in the pinned version
            warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
            return pd.read_excel(path, sheet_name=sheet, **kwargs)
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: file not found") from None
    except ValueError as exc:
        if "not found" in str(exc) or "No sheet" in str(exc) or "Worksheet" in str(exc):
            raise SourceFormatError(
                f"{path}: no sheet {sheet!r}; expected a sheet named {sheet!r}, the workbook's "
                f"sheets are {sheet_names(path)}"
            ) from None
        raise SourceFormatError(f"{path}: not a readable workbook: {exc}; expected an Excel workbook (.xlsx or .xls)") from None
    except Exception as exc:  # xlrd / openpyxl / zipfile raise many unrelated types
        raise SourceFormatError(
            f"{path}: not a readable workbook ({type(exc).__name__}: {exc}); expected an Excel workbook "
            "(.xlsx or .xls): is the file truncated or of another format?"
        ) from None


def sheet_names(path: Path) -> list[str]:
    """Return the sheet names of a workbook (empty list if it cannot be opened)."""
    try:
        return list(pd.ExcelFile(path).sheet_names)
    except Exception:  # only used to enrich an error message
        return []


def require_columns(
    frame: pd.DataFrame,
    expected: Iterable[str],
    path: Path | str,
    *,
    row: int | None = None,
    sheet: str | None = None,
) -> None:
    """Fail loudly when a publisher renamed or dropped a column, or moved the header row.

    Parameters
    ----------
    frame
        The table as read, its columns taken from the header row.
    expected
        Column headers the reader needs.
    path
        The file, for the message.
    row
        1-based row of the header; defaults to the line :func:`workbench.tidy.csvfile.read_csv_checked` recorded, else 1.
    sheet
        The sheet, for a workbook.

    Raises
    ------
    SourceFormatError
        Naming the file, the header row, the first missing column, every missing column and the
        columns found; when the missing headers appear on a later row, saying so.
    """
    expected = list(expected)
    missing = [c for c in expected if c not in frame.columns]
    if not missing:
        return
    row = row if row is not None else frame.attrs.get("header_line", 1)
    found = ["" if str(c).startswith("Unnamed: ") else str(c) for c in frame.columns]
    raise SourceFormatError(
        f"{locate(path, sheet=sheet, row=row, column=missing[0])}: expected column(s) {missing} "
        f"in the header row, not found; the header row has {found}."
        f"{_moved_header(frame, missing, row)}{_renamed(found, expected, missing)} "
        "Has the publisher changed the layout?"
    )


def _moved_header(frame: pd.DataFrame, missing: list[str], row: int) -> str:
    lines = data_lines(frame, row + 1)
    for i in range(min(len(frame), 10)):
        cells = {" ".join(str(v).split()) for v in frame.iloc[i] if not pd.isna(v)}
        if all(" ".join(name.split()) in cells for name in missing):
            return f" They are on row {lines[i]}: has a line been added above the header?"
    return ""


def _renamed(found: list[str], expected: list[str], missing: list[str]) -> str:
    extra = [c for c in found if c and c not in expected]
    if len(missing) == 1 and len(extra) == 1 and len(found) == len(expected):
        return f" Was {missing[0]!r} renamed {extra[0]!r}?"
    guesses = [
        f"{name!r} -> {match[0]!r}"
        for name in missing
        if (match := difflib.get_close_matches(name, extra, n=1, cutoff=0.75))
    ]
    return f" Renamed? {', '.join(guesses)}." if guesses else ""


def expect_cell(
    actual: object, expected: str, path: Path | str, row: int, column: object, *, sheet: str | None = None
) -> None:
    """Check a title or header cell of a fixed-layout table.

    Parameters
    ----------
    actual
        The cell as read.
    expected
        Text the cell must contain (case-insensitive, surrounding spaces ignored).
    row, column
        1-based row and the column label, as a spreadsheet user would name them.
    sheet
        The sheet, for a workbook.

    Raises
    ------
    SourceFormatError
    """
    text = "" if actual is None or (isinstance(actual, float) and pd.isna(actual)) else str(actual)
    if expected.lower() not in text.strip().lower():
        raise SourceFormatError(
            f"{locate(path, sheet=sheet, row=row, column=column)}: expected {expected!r}, found {text!r}. "
            "Has the publisher changed the layout?"
        )


#: Cell texts that mean "not available" in the official files.
NOT_AVAILABLE = frozenset({"", "-", "–", "..", "...", ":", "x"})


def parse_number(
    text: object, path: Path | str, row: int, column: object, *, sheet: str | None = None
) -> float | None:
    """Parse a published number: spaces or non-breaking spaces as thousands separators allowed.

    Returns ``None`` for an empty cell or a dash/'..' (not available); raises on anything else
    that is not a number.

    Raises
    ------
    SourceFormatError
        Naming the file, sheet, row and column, the text found and what a number looks like.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, bool):
        raise SourceFormatError(f"{locate(path, sheet=sheet, row=row, column=column)}: {text!r} is not a number")
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = str(text).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if cleaned in NOT_AVAILABLE:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise SourceFormatError(
            f"{locate(path, sheet=sheet, row=row, column=column)}: {text!r} is not a number; expected "
            "a number such as 1234 or 12.5 (or an empty cell, '..' or '-' where not available)"
        ) from None


def tidy_frame(rows: pd.DataFrame | Iterable[Mapping[str, object]], source_id: str) -> pd.DataFrame:
    """Assemble tidy rows: fill defaults, set ``source_id``, order columns and rows.

    Parameters
    ----------
    rows
        A frame or records holding at least place_id, place_name, geography_level,
        country_iso3, indicator_id, definition_id, period, ref_date, value, unit.
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Columns exactly :data:`workbench.tidy.schemas.TIDY_COLUMNS`, text columns as ``str``,
        ``value`` as float, sorted by the key columns, index 0..n-1. Rows with a missing
        value are dropped (the tidy table holds observations, not gaps), except a cell its
        publisher withheld as a small count (flag ``s``): it keeps its row with an empty value,
        so that it is never taken for a zero.
    """
    frame = pd.DataFrame(rows).copy()
    frame["source_id"] = source_id
    for column, default in TIDY_DEFAULTS.items():
        if column not in frame.columns:
            frame[column] = default
        frame[column] = frame[column].fillna(default)
    frame = frame[[c for c in TIDY_COLUMNS]]
    frame = frame[frame["value"].notna() | frame["flag"].astype(str).str.contains(SUPPRESSED, regex=False)].copy()
    frame["value"] = frame["value"].astype(float)
    for column in TIDY_COLUMNS:
        if column != "value":
            frame[column] = frame[column].astype(str)
    order = [c for c in TIDY_COLUMNS if c not in ("value", "place_name", "note", "unit", "flag")]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def single_file(module: str, source_id: str, served: Iterable[str], files: list[Path]) -> Path:
    """Check a ``build`` call for a one-file source and return that file.

    Parameters
    ----------
    module
        The reader module's name, for the message.
    source_id
        The source asked for.
    served
        Source ids the module builds.
    files
        The files the registry entry lists.

    Raises
    ------
    ConfigError
        If the module does not build ``source_id`` or the entry does not list exactly one file.
    """
    served = list(served)
    if source_id not in served:
        raise ConfigError(f"{module} does not build source '{source_id}'; it builds {', '.join(served)}")
    if len(files) != 1:
        raise ConfigError(f"{source_id}: expected exactly one file, got {[str(f) for f in files]}")
    return Path(files[0])

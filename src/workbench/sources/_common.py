"""Shared pieces for source readers: loud file reading, header checks, tidy row assembly."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from workbench.errors import ConfigError, SourceFormatError
from workbench.schemas import TIDY_COLUMNS

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


def read_csv_checked(path: Path, *, encoding: str = "utf-8", **kwargs) -> pd.DataFrame:
    """Read a CSV as text columns, turning every parsing problem into a SourceFormatError.

    Parameters
    ----------
    path
        The file.
    encoding
        Expected encoding; a file that does not decode is an error naming the byte offset.
    **kwargs
        Passed to :func:`pandas.read_csv` (``sep``, ``skiprows``, ``header`` ...).

    Returns
    -------
    pandas.DataFrame
        All cells as strings (``dtype=str``), empty cells as NaN.

    Raises
    ------
    SourceFormatError
        File missing, empty, not in ``encoding``, or not parseable as CSV.
    """
    kwargs.setdefault("dtype", str)
    kwargs.setdefault("keep_default_na", False)
    kwargs.setdefault("na_values", [""])
    try:
        return pd.read_csv(path, encoding=encoding, **kwargs)
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{path}: not {encoding} text (undecodable byte at offset {exc.start})"
        ) from None
    except pd.errors.EmptyDataError:
        raise SourceFormatError(f"{path}: file is empty") from None
    except pd.errors.ParserError as exc:
        raise SourceFormatError(f"{path}: not a readable CSV: {exc}") from None


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
                f"{path}: no sheet {sheet!r}; sheets are {sheet_names(path)}"
            ) from None
        raise SourceFormatError(f"{path}: not a readable workbook: {exc}") from None
    except Exception as exc:  # xlrd / openpyxl / zipfile raise many unrelated types
        raise SourceFormatError(f"{path}: not a readable workbook ({type(exc).__name__}: {exc})") from None


def sheet_names(path: Path) -> list[str]:
    """Return the sheet names of a workbook (empty list if it cannot be opened)."""
    try:
        return list(pd.ExcelFile(path).sheet_names)
    except Exception:  # only used to enrich an error message
        return []


def require_columns(frame: pd.DataFrame, expected: Iterable[str], path: Path | str) -> None:
    """Fail loudly when a publisher renamed or dropped a column.

    Raises
    ------
    SourceFormatError
        Naming the file, the missing columns and the columns found.
    """
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SourceFormatError(
            f"{path}: expected column(s) {missing} not found; the file has {list(frame.columns)}. "
            "Has the publisher changed the layout?"
        )


def expect_cell(actual: object, expected: str, path: Path | str, row: int, column: object) -> None:
    """Check a title or header cell of a fixed-layout table.

    Parameters
    ----------
    actual
        The cell as read.
    expected
        Text the cell must contain (case-insensitive, surrounding spaces ignored).
    row, column
        1-based row and the column label, as a spreadsheet user would name them.

    Raises
    ------
    SourceFormatError
    """
    text = "" if actual is None or (isinstance(actual, float) and pd.isna(actual)) else str(actual)
    if expected.lower() not in text.strip().lower():
        raise SourceFormatError(
            f"{path}, row {row}, column {column!r}: expected {expected!r}, found {text!r}. "
            "Has the publisher changed the layout?"
        )


def parse_number(text: object, path: Path | str, row: int, column: object) -> float | None:
    """Parse a published number: spaces or non-breaking spaces as thousands separators allowed.

    Returns ``None`` for an empty cell or a dash/'..' (not available); raises on anything else
    that is not a number.

    Raises
    ------
    SourceFormatError
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = str(text).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
    if cleaned in {"", "-", "–", "..", "...", ":", "x"}:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise SourceFormatError(
            f"{path}, row {row}, column {column!r}: {text!r} is not a number"
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
        Columns exactly :data:`workbench.schemas.TIDY_COLUMNS`, text columns as ``str``,
        ``value`` as float, sorted by the key columns, index 0..n-1. Rows with a missing
        value are dropped (the tidy table holds observations, not gaps).
    """
    frame = pd.DataFrame(rows).copy()
    frame["source_id"] = source_id
    for column, default in TIDY_DEFAULTS.items():
        if column not in frame.columns:
            frame[column] = default
        frame[column] = frame[column].fillna(default)
    frame = frame[[c for c in TIDY_COLUMNS]]
    frame = frame[frame["value"].notna()].copy()
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

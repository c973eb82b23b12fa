"""UNHCR refugee statistics: what every table shares: loading one checked (R data or CSV), its country codes."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pycountry
import rdata
from rdata.conversion import DEFAULT_CLASS_MAP

from workbench.errors import SourceFormatError, where
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import require_columns


#: Columns naming the country of origin and of asylum, in every table of the package.
COUNTRY_COLUMNS: tuple[str, ...] = ("year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso")


#: Note on returned refugees: a flow during the year, placed in the country they left.
RETURNED_REFUGEE_NOTE = (
    "Refugees who returned to their country of origin during the year (a flow), "
    "counted under the country of asylum they left"
)


def network_countries(cities: dict[str, City]) -> frozenset[str]:
    """Return the ISO3 codes of the countries of the network cities.

    Parameters
    ----------
    cities
        The cities registry.

    Returns
    -------
    frozenset of str
    """
    return frozenset(city.country_iso3 for city in cities.values())


def load_table(path: Path, name: str, text_columns: tuple[str, ...], value_columns: tuple[str, ...]) -> pd.DataFrame:
    """Load one table of the package as published, checked: codes present, years whole, values numbers.

    Parameters
    ----------
    path
        An ``.rda`` file holding the object ``name``, or a ``.csv`` with the same columns.
    name
        Name of the R object (``population``, ``demographics``, ``unrwa``).
    text_columns
        Columns that must be present and never missing (``year`` among them).
    value_columns
        Numeric columns that must be present (missing cells allowed).

    Returns
    -------
    pandas.DataFrame
        ``year`` as int, other text columns as str, value columns as float; index 0..n-1.

    Raises
    ------
    SourceFormatError
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".rda":
        frame, first_row = load_rda_frame(path, name), 1
    elif suffix == ".csv":
        frame, first_row = read_csv_checked(path), 2
    else:
        raise SourceFormatError(f"{path}: expected an .rda file or a .csv extract, not {suffix or 'no suffix'!r}")
    if frame.empty:
        raise SourceFormatError(f"{path}: table {name!r} has no rows; expected one row per year and country pair")
    require_columns(frame, text_columns + value_columns, path)
    check_row_lengths(frame)
    frame = frame.reset_index(drop=True)
    checked = {c: check_text(frame[c], path, first_row) for c in text_columns if c != "year"}
    checked["year"] = check_years(frame["year"], path, first_row)
    checked.update({c: check_numbers(frame[c], path, first_row) for c in value_columns})
    return pd.DataFrame(checked)[list(text_columns + value_columns)]


def load_rda_frame(path: Path, name: str) -> pd.DataFrame:
    """Return the data frame ``name`` stored in an R ``.rda`` file.

    Raises
    ------
    SourceFormatError
        File missing or not an R data file, or without a data frame called ``name``.
    """
    classes = {**DEFAULT_CLASS_MAP, "tbl_df": DEFAULT_CLASS_MAP["data.frame"]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata warns before failing on a file that is not R data
            content = rdata.read_rda(path, constructor_dict=classes)
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: file not found") from None
    except Exception as exc:  # rdata raises many unrelated types on a file that is not R data
        raise SourceFormatError(f"{path}: not a readable R data file ({type(exc).__name__}: {exc})") from None
    if name not in content:
        raise SourceFormatError(f"{path}: no object {name!r} in the R data file; it holds {sorted(content)}")
    frame = content[name]
    if not isinstance(frame, pd.DataFrame):
        raise SourceFormatError(f"{path}: object {name!r} is a {type(frame).__name__}, not a data frame")
    return frame


def check_text(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return a code or label column as str, failing on a missing cell.

    Parameters
    ----------
    column
        The column as read.
    path
        File, for messages.
    first_row
        Row number (as the user sees it) of the frame's first row: 2 for a CSV with a header, 1 for R data.

    Raises
    ------
    SourceFormatError
    """
    missing = column.isna() | (column.astype(str).str.strip() == "")
    if missing.any():
        row = int(missing.to_numpy().nonzero()[0][0]) + first_row
        raise SourceFormatError(f"{where(path, row, column.name)}: empty cell where a code or label is expected")
    return column.astype(str)


def check_years(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return the ``year`` column as int, failing on a missing, non-numeric or fractional year.

    Raises
    ------
    SourceFormatError
    """
    numbers = check_numbers(column, path, first_row)
    bad = numbers.isna() | (numbers % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SourceFormatError(
            f"{where(path, i + first_row, 'year')}: {column.iloc[i]!r} is not a year; expected a whole number such as 2024"
        )
    return numbers.astype(int)


def check_numbers(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return a column as float (missing cells as NaN), failing on a cell that is not a number.

    Raises
    ------
    SourceFormatError
    """
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    text = column.astype(str).str.strip()
    present = column.notna() & (text != "") & (text.str.upper() != "NA")
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    bad = present & numbers.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SourceFormatError(
            f"{where(path, i + first_row, column.name)}: {column.iloc[i]!r} is not a number; "
            "expected a number, an empty cell or NA"
        )
    return numbers.astype(float)


def melt_values(wide: pd.DataFrame, keys: tuple[str, ...], values: tuple[str, ...]) -> pd.DataFrame:
    """Reshape value columns into ``column`` / ``value`` rows, dropping missing cells.

    Parameters
    ----------
    wide
        A checked table.
    keys, values
        Identifying columns and value columns.

    Returns
    -------
    pandas.DataFrame
    """
    long = wide.melt(id_vars=list(keys), value_vars=list(values), var_name="column", value_name="value")
    return long[long["value"].notna()].reset_index(drop=True)


def map_codes(codes: pd.Series, mapping: dict, what: str) -> pd.Series:
    """Map publisher codes through a table, failing on a code the table does not know.

    Raises
    ------
    SourceFormatError
        Naming the unknown codes and the known ones.
    """
    unknown = sorted(set(codes) - set(mapping))
    if unknown:
        raise SourceFormatError(f"unknown {what} {unknown}; known: {sorted(mapping)}")
    return codes.map(mapping)


def origin_types(codes: pd.Series) -> pd.Series:
    """Return ``origin_country`` for ISO 3166-1 alpha-3 codes, ``origin_group`` for UNHCR's other codes."""
    countries = {code: pycountry.countries.get(alpha_3=code) is not None for code in codes.unique()}
    return codes.map(countries).map({True: "origin_country", False: "origin_group"})

"""Shared pieces of the UN DESA readers: M49 codes, data-type letters, published symbols, numbered notes."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import parse_number, read_excel_checked


#: M49 code of the world total.
WORLD_M49 = 900
#: M49 code UN DESA gives to "Others" (origins not reported separately) in the 2024 edition.
OTHERS_CODE = 2003
#: Published symbols that stand for "no number" (not available, privacy-protected, below half a unit).
SYMBOLS = ("..", "~", "—")
#: Meaning of the letters of the "Type of data" column (UN DESA notes sheet).
DATA_TYPE_MEANINGS: dict[str, str] = {
    "B": "foreign-born",
    "C": "foreign citizens",
    "R": "refugees added",
    "I": "imputed (no data on migrants)",
}


#: A year as a column label (2020 edition) or header (2024 edition).
YEAR = re.compile(r"^\d{4}$")
#: A period such as 1990-1995 (annual rates of change).
PERIOD = re.compile(r"^(\d{4})-(\d{4})$")


def network_countries(cities: dict[str, City]) -> frozenset[str]:
    """Return the ISO3 codes of the countries the network cities lie in."""
    return frozenset(city.country_iso3 for city in cities.values())


def pick_file(files: list[Path], name: str) -> Path:
    """Return the file called ``name`` among ``files``.

    Raises
    ------
    SourceFormatError
        If no file has that name.
    """
    for path in files:
        if Path(path).name == name:
            return Path(path)
    raise SourceFormatError(f"expected a file named {name!r} among {[str(p) for p in files]}")


@functools.cache
def m49_to_iso3(code: int) -> str | None:
    """Return the ISO 3166-1 alpha-3 code of an M49 country code, or ``None`` for an aggregate."""
    country = pycountry.countries.get(numeric=f"{int(code):03d}")
    return None if country is None else country.alpha_3


def describe_data_type(code: str) -> str:
    """Spell out a UN DESA "Type of data" code such as ``C R``.

    Returns
    -------
    str
        E.g. ``"UN DESA data type: C R — foreign citizens; refugees added"``, or ``""`` when
        the code is empty (aggregates).

    Raises
    ------
    SourceFormatError
        On a letter the UN DESA notes do not define.
    """
    letters = code.split()
    unknown = [letter for letter in letters if letter not in DATA_TYPE_MEANINGS]
    if unknown:
        raise SourceFormatError(f"unknown UN DESA data type letter(s) {unknown} in {code!r}")
    if not letters:
        return ""
    meanings = "; ".join(DATA_TYPE_MEANINGS[letter] for letter in letters)
    return f"UN DESA data type: {' '.join(letters)} — {meanings}"


def read_cell_value(cell: object, path: Path | str, row: int, column: object) -> tuple[float | None, str]:
    """Parse a published cell into (number, symbol); symbols such as ``..`` give no number.

    Raises
    ------
    SourceFormatError
        If the cell is neither a number, empty, nor a documented symbol.
    """
    if isinstance(cell, str) and cell.strip() in SYMBOLS:
        return None, cell.strip()
    return parse_number(cell, path, row, column), ""


def read_ims_notes(path: Path, sheet: str) -> dict[int, str]:
    """Read the numbered country notes of a UN DESA workbook (number in column A, text in B).

    Parameters
    ----------
    path
        The workbook.
    sheet
        ``Notes`` (2020 edition) or ``Source`` (2024 re-shaped copy).

    Returns
    -------
    dict
        Note number -> note text, as published.

    Raises
    ------
    SourceFormatError
        Missing sheet, or a sheet without the "Type of data" explanation.
    """
    frame = read_excel_checked(path, sheet=sheet)
    texts = frame.iloc[:, 1].astype("string")
    if not texts.str.contains("Type of data", regex=False, na=False).any():
        raise SourceFormatError(
            f"{path}, sheet {sheet!r}: the explanation of 'Type of data' is missing from column B. "
            "Has the publisher changed the layout?"
        )
    notes: dict[int, str] = {}
    for i, (number, text) in enumerate(zip(frame.iloc[:, 0], frame.iloc[:, 1])):
        if isinstance(number, (int, float)) and not pd.isna(number) and isinstance(text, str):
            if float(number) != int(number):
                raise SourceFormatError(
                    f"{path}, sheet {sheet!r}, row {i + 1}, column 'A': note number {number!r}"
                )
            notes[int(number)] = text.strip()
    return notes


def is_blank(cell: object) -> bool:
    if isinstance(cell, str):
        return not cell.strip()
    return cell is None or (isinstance(cell, float) and pd.isna(cell))


def place_columns(codes: pd.Series) -> pd.DataFrame:
    """Map M49 location codes to place id, geography level and country (same index as ``codes``).

    The world is ``WLD``; a country with an ISO code its ISO3; any other code (regions,
    development and income groups, areas without ISO code) ``M49_<code>`` at level
    ``world_region`` with country ``WLD``.
    """
    rows = [_place_of(int(code)) for code in codes]
    return pd.DataFrame(rows, columns=["iso3", "place_id", "level", "country"], index=codes.index)


def _place_of(code: int) -> tuple[str, str, str, str]:
    if code == WORLD_M49:
        return "WLD", "WLD", "world", "WLD"
    iso3 = m49_to_iso3(code)
    if iso3:
        return iso3, iso3, "country", iso3
    return "", f"M49_{code}", "world_region", "WLD"


def note_of_country(number: str, notes: dict[int, str]) -> str:
    if not number:
        return ""
    text = notes.get(int(float(number)))
    if text is None:
        raise SourceFormatError(f"UN DESA country note {number} is referenced but not in the notes sheet")
    return f"UN DESA note {int(float(number))}: {text}"


def header_text(cell: object) -> str:
    if isinstance(cell, (int, float)) and not pd.isna(cell) and float(cell).is_integer():
        return str(int(cell))
    return "" if is_blank(cell) else str(cell).strip()

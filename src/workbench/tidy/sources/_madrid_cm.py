"""What the Comunidad de Madrid tables share: sheets, header and year rows, the region and cities as places."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.sources._common import column_letter, read_excel_checked
from workbench.tidy.sources._madrid import cell_text


#: Code systems of data/registry/cities.yaml used here.
IECM_CODE_SYSTEM = "madrid_iecm_municipality"
IECM_NAME_SYSTEM = "madrid_iecm_municipality_name"
INE_CODE_SYSTEM = "ine_municipality"

#: The Comunidad de Madrid as a region (NUTS 2 ES30 = province 28).
COMUNIDAD_PLACE_ID = "ES30"
COMUNIDAD_NAME = "Comunidad de Madrid"
COUNTRY = "ESP"

#: Sheet names of the files as published.
PADRON_SHEET = "Sheet 1"
ANUARIO_SHEET = "Hoja1"


#: Rows searched for a title or header line.
_HEAD_ROWS = 20
#: A year written in a footnote or a title.
YEAR_IN_TEXT = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


def read_sheet(path: Path, sheet: str) -> pd.DataFrame:
    """Read one sheet of a published workbook as cells (objects), failing when it is empty."""
    kwargs: dict[str, object] = {"dtype": object}
    if Path(path).suffix.lower() == ".xls":
        kwargs["engine_kwargs"] = {"logfile": io.StringIO()}
    frame = read_excel_checked(path, sheet, **kwargs)
    if frame.empty:
        raise SourceFormatError(f"{path}, sheet {sheet!r}: the sheet is empty; expected the published table")
    return frame


def find_row(
    sheet: pd.DataFrame, column: int, text: str, path: Path | str, what: str, start: int = 0, limit: int = _HEAD_ROWS
) -> int:
    """Return the first row (0-based) from ``start`` whose cell in ``column`` contains ``text``."""
    wanted = " ".join(text.split()).lower()
    if column < sheet.shape[1]:
        for i in range(start, min(limit, len(sheet))):
            if wanted in " ".join(cell_text(sheet.iat[i, column]).split()).lower():
                return i
    raise SourceFormatError(
        f"{path}, rows {start + 1}-{min(limit, len(sheet))}, column {column_letter(column)!r}: expected the "
        f"{what} {text!r}, not found; the column holds {_texts(sheet, column, start, limit)}. "
        "Has the publisher changed the layout?"
    )


def _texts(sheet: pd.DataFrame, column: int, start: int, limit: int) -> list[str]:
    """The first non-empty cells of a column between two rows, for an error message."""
    if column >= sheet.shape[1]:
        return []
    cells = (cell_text(sheet.iat[i, column]) for i in range(start, min(limit, len(sheet))))
    return [c for c in cells if c][:8]


def find_year_header(sheet: pd.DataFrame, path: Path | str) -> int:
    """Return the first row (0-based) holding a year from column B on."""
    # its other cells are checked next, by header_years
    for i in range(min(_HEAD_ROWS, len(sheet))):
        if any(_is_year(sheet.iat[i, j]) for j in range(1, sheet.shape[1])):
            return i
    raise SourceFormatError(
        f"{path}, rows 1-{min(_HEAD_ROWS, len(sheet))}, column 'B': expected a header row of years from "
        "column B, none found. Has the publisher changed the layout?"
    )


def header_years(sheet: pd.DataFrame, header: int, path: Path | str) -> dict[int, int]:
    """Return column index -> year of a header row, failing on a cell that is not a year."""
    years: dict[int, int] = {}
    for j in range(1, sheet.shape[1]):
        cell = sheet.iat[header, j]
        if cell_text(cell) == "":
            continue
        if not _is_year(cell):
            raise SourceFormatError(f"{path}, row {header + 1}, column {column_letter(j)!r}: {cell!r} is not a year; expected a year such as 2021")
        years[j] = int(float(cell))
    return years


def _is_year(cell: object) -> bool:
    try:
        number = float(str(cell).strip())
    except ValueError:
        return False
    return number.is_integer() and 1900 <= number <= 2100


def cell_code(cell: object) -> str:
    """Return a municipality code as 4-digit text (codes stored as numbers lose their zeros)."""
    if isinstance(cell, (int, float)) and not pd.isna(cell):
        return f"{int(cell):04d}"
    return cell_text(cell)


def city_codes(cities: dict[str, City], system: str) -> dict[str, str]:
    """Map the codes of one cities.yaml code system to city ids; no code at all is an error."""
    codes = codes_of(cities, system)
    if not codes:
        raise SourceFormatError(f"no city of cities.yaml declares a '{system}' code; the Madrid rows cannot be found")
    return codes


def require_places(found: pd.Series, wanted: dict[str, str], what: str) -> None:
    """Fail when a code of cities.yaml (``wanted``: code -> city id) is not among the codes ``found`` in the file."""
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise SourceFormatError(
            f"{what}(s) {missing} of cities.yaml ({', '.join(wanted[m] for m in missing)}) not found in the file"
        )


def region_place() -> dict[str, str]:
    """Return the place columns of the Comunidad de Madrid (NUTS 2 region)."""
    return {
        "place_id": COMUNIDAD_PLACE_ID,
        "place_name": COMUNIDAD_NAME,
        "geography_level": "nuts2",
        "country_iso3": COUNTRY,
        "city_id": "",
    }


def city_place(city: City, name: str) -> dict[str, str]:
    """Return the place columns of a city's municipality (place id from its INE code)."""
    ine = city.codes.get(INE_CODE_SYSTEM, [])
    if len(ine) != 1:
        raise SourceFormatError(
            f"city {city.city_id!r} needs exactly one '{INE_CODE_SYSTEM}' code in cities.yaml for its place id"
        )
    return {
        "place_id": f"ES-{ine[0]}",
        "place_name": name,
        "geography_level": "municipality",
        "country_iso3": city.country_iso3,
        "city_id": city.city_id,
    }

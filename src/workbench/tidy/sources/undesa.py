"""UN DESA International Migrant Stock: 2020 destination workbook, 2024 destination-origin table."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import (
    check_row_lengths,
    column_letter,
    data_lines,
    expect_cell,
    parse_number,
    read_csv_checked,
    read_excel_checked,
    require_columns,
    tidy_frame,
)

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

_FILE_2020 = "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
_FILE_2024_STOCK = "migrant_stock.xlsx"
_FILE_2024_SEX = "migration_table1_countries_clean.csv"

_HEADER_ROW_2020 = 11  # 1-based row holding years / periods
_BLOCK_ROW_2020 = 8  # 1-based row holding the block labels
_FIRST_VALUE_COL = 5  # 0-based column F
_FIXED_HEADERS_2020 = {
    1: "Region, development group, country or area",
    2: "Notes",
    3: "Location code",
    4: "Type of data",
}

#: Sheet -> (title in cell E3, block labels in row 8 from column F, left to right).
TABLES_2020: dict[str, tuple[str, tuple[str, ...]]] = {
    "Table 1": (
        "Table 1: International migrant stock at mid-year by sex",
        (
            "International migrant stock at mid-year, both sexes combined",
            "International migrant stock at mid-year, males",
            "International migrant stock at mid-year, females",
        ),
    ),
    "Table 2": (
        "Table 2: Total population at mid-year by sex",
        (
            "Total population at mid-year, both sexes combined (thousands)",
            "Total population at mid-year, males (thousands)",
            "Total population at mid-year, females (thousands)",
        ),
    ),
    "Table 3": (
        "Table 3: International migrant stock as a percentage of the total population by sex",
        (
            "International migrant stock as a percentage of the total population, both sexes combined",
            "International migrant stock as a percentage of the total population, males",
            "International migrant stock as a percentage of the total population, females",
        ),
    ),
    "Table 4": (
        "Table 4: Female migrants as a percentage of the international migrant stock",
        ("Female migrants as a percentage of the international migrant stock",),
    ),
    "Table 5": (
        "Table 5: Annual rate of change of the migrant stock by sex",
        (
            "Annual rate of change of the migrant stock, both sexes combined",
            "Annual rate of change of the migrant stock, males",
            "Annual rate of change of the migrant stock, females",
        ),
    ),
    "Table 6": (
        "Table 6: Estimated refugee stock (including asylum seekers) at mid-year",
        (
            "Refugee and asylum seekers at mid-year, both sexes combined",
            "Refugee and asylum seekers as a percentage of the international migrant stock",
            "Annual rate of change of the refugee and asylum seekers, both sexes combined",
        ),
    ),
}

_BY_SEX = ("total", "male", "female")


def _blocks_by_sex(sheet: str, indicator: str, definition: str, unit: str, factor: int) -> dict:
    labels = TABLES_2020[sheet][1]
    return {(sheet, label): (indicator, definition, sex, unit, factor) for label, sex in zip(labels, _BY_SEX)}


#: (sheet, block label) -> indicator, definition, sex, unit, factor applied to the published number.
MEASURES_2020: dict[tuple[str, str], tuple[str, str, str, str, int]] = {
    **_blocks_by_sex("Table 1", "population", "un_migrant_stock", "persons", 1),
    **_blocks_by_sex("Table 2", "population", "total_population", "persons", 1000),
    **_blocks_by_sex("Table 3", "population_share", "un_migrant_stock", "percent", 1),
    ("Table 4", TABLES_2020["Table 4"][1][0]): ("female_share", "un_migrant_stock", "total", "percent", 1),
    **_blocks_by_sex("Table 5", "annual_growth_rate", "un_migrant_stock", "percent", 1),
    ("Table 6", TABLES_2020["Table 6"][1][0]): ("population", "un_refugees_in_stock", "total", "persons", 1),
    ("Table 6", TABLES_2020["Table 6"][1][1]): (
        "share_of_migrant_stock", "un_refugees_in_stock", "total", "percent", 1
    ),
    ("Table 6", TABLES_2020["Table 6"][1][2]): (
        "annual_growth_rate", "un_refugees_in_stock", "total", "percent", 1
    ),
}

_STOCK_2024_COLUMNS = (
    "index",
    "destination",
    "location_code_destination",
    "origin",
    "location_code_origin",
)
_SEX_2024_ID_COLUMNS = (
    "Index",
    "Region, development group, country or area of destination",
    "Coverage",
    "Data type",
    "Location code of destination",
    "Region, development group, country or area of origin",
    "Location code of origin",
)
_SEX_2024_VALUE = re.compile(r"^(\d{4})_(total|males|females)$")
_SEXES_2024 = {"males": "male", "females": "female"}
_YEAR = re.compile(r"^\d{4}$")
_PERIOD = re.compile(r"^(\d{4})-(\d{4})$")


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one UN DESA International Migrant Stock source.

    Parameters
    ----------
    source_id
        ``undesa_ims_2020`` or ``undesa_ims_2024``.
    files
        The official files listed in the source's registry entry.
    cities
        The cities registry; the countries of the network cities define the scope.

    Returns
    -------
    pandas.DataFrame
        Tidy rows for the network countries and the world.

    Raises
    ------
    SourceFormatError
        Unknown source id, missing file or unexpected layout.
    """
    countries = network_countries(cities)
    if source_id == "undesa_ims_2020":
        path = pick_file(files, _FILE_2020)
        raw = read_ims2020_destination(path)
        notes = read_ims_notes(path, "Notes")
        return harmonise_ims2020_destination(raw, notes, countries, source_id)
    if source_id == "undesa_ims_2024":
        stock_path = pick_file(files, _FILE_2024_STOCK)
        stock = read_ims2024_stock(stock_path)
        by_sex = read_ims2024_country_pairs(pick_file(files, _FILE_2024_SEX))
        notes = read_ims_notes(stock_path, "Source")
        return harmonise_ims2024(stock, by_sex, notes, countries, source_id)
    raise SourceFormatError(f"workbench.tidy.sources.undesa cannot build source {source_id!r}")


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


def read_ims2020_destination(path: Path) -> pd.DataFrame:
    """Reshape Tables 1-6 of the 2020 destination workbook into one long frame.

    Parameters
    ----------
    path
        ``undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx``.

    Returns
    -------
    pandas.DataFrame
        Columns ``table, block, column_label, row, area, notes, location_code, data_type,
        value, symbol``: one row per data cell, labels as published; ``value`` is NaN when the
        cell holds a symbol (``..``, ``~``, ``—``) or is empty.

    Raises
    ------
    SourceFormatError
        Missing sheet, changed title, block label or header, non-numeric cell or location code.
    """
    sheets = read_excel_checked(path, sheet=None)
    frames = []
    for sheet, (title, blocks) in TABLES_2020.items():
        if sheet not in sheets:
            raise SourceFormatError(
                f"{path}: no sheet {sheet!r}; expected sheets {list(TABLES_2020)}, the workbook has {list(sheets)}"
            )
        frames.append(read_ims2020_table(sheets[sheet], path, sheet, title, blocks))
    return pd.concat(frames, ignore_index=True)


def read_ims2020_table(
    grid: pd.DataFrame, path: Path, sheet: str, title: str, blocks: tuple[str, ...]
) -> pd.DataFrame:
    """Reshape one sheet of the 2020 workbook (see :func:`read_ims2020_destination`).

    Raises
    ------
    SourceFormatError
    """
    where = f"{path}, sheet {sheet!r}"
    if grid.shape[0] < _HEADER_ROW_2020 + 1 or grid.shape[1] <= _FIRST_VALUE_COL:
        raise SourceFormatError(
            f"{where}: sheet too small ({grid.shape[0]} rows, {grid.shape[1]} columns); expected the header on "
            f"row {_HEADER_ROW_2020} and values from column {column_letter(_FIRST_VALUE_COL)}"
        )
    expect_cell(grid.iat[2, 4], title, where, 3, "E")
    for col, label in _FIXED_HEADERS_2020.items():
        expect_cell(grid.iat[_HEADER_ROW_2020 - 1, col], label, where, _HEADER_ROW_2020, column_letter(col))
    block_of_column = _block_columns(grid, where, blocks)
    labels = {col: _column_label(grid.iat[_HEADER_ROW_2020 - 1, col], where, col) for col in block_of_column}
    records = []
    for i in range(_HEADER_ROW_2020, grid.shape[0]):
        row = grid.iloc[i]
        if _is_blank(row.iloc[1]) and _is_blank(row.iloc[3]):
            continue
        code = _location_code(row.iloc[3], where, i + 1)
        for col, block in block_of_column.items():
            value, symbol = read_cell_value(row.iloc[col], where, i + 1, column_letter(col))
            records.append(
                {
                    "table": sheet,
                    "block": block,
                    "column_label": labels[col],
                    "row": i + 1,
                    "area": str(row.iloc[1]).strip(),
                    "notes": _note_number(row.iloc[2], where, i + 1),
                    "location_code": code,
                    "data_type": "" if _is_blank(row.iloc[4]) else str(row.iloc[4]).strip(),
                    "value": value,
                    "symbol": symbol,
                }
            )
    return pd.DataFrame.from_records(records)


def _block_columns(grid: pd.DataFrame, where: str, blocks: tuple[str, ...]) -> dict[int, str]:
    starts = [
        col
        for col in range(_FIRST_VALUE_COL, grid.shape[1])
        if not _is_blank(grid.iat[_BLOCK_ROW_2020 - 1, col])
    ]
    found = [str(grid.iat[_BLOCK_ROW_2020 - 1, col]).strip() for col in starts]
    if tuple(found) != blocks:
        raise SourceFormatError(
            f"{where}, row {_BLOCK_ROW_2020}: expected block labels {list(blocks)}, found {found}. "
            "Has the publisher changed the layout?"
        )
    last = max(
        col for col in range(grid.shape[1]) if not _is_blank(grid.iat[_HEADER_ROW_2020 - 1, col])
    )
    bounds = [*starts, last + 1]
    return {col: blocks[k] for k in range(len(starts)) for col in range(bounds[k], bounds[k + 1])}


def _column_label(cell: object, where: str, col: int) -> str:
    text = _header_text(cell)
    if not (_YEAR.match(text) or _PERIOD.match(text)):
        raise SourceFormatError(
            f"{where}, row {_HEADER_ROW_2020}, column {column_letter(col)!r}: expected a year or a "
            f"period such as 1990-1995, found {cell!r}"
        )
    return text


def _location_code(cell: object, where: str, row: int) -> int:
    number = parse_number(cell, where, row, "D")
    if number is None or not float(number).is_integer():
        raise SourceFormatError(
            f"{where}, row {row}, column 'D': location code {cell!r} is not a whole number"
        )
    return int(number)


def _note_number(cell: object, where: str, row: int) -> str:
    if _is_blank(cell):
        return ""
    number = parse_number(cell, where, row, "C")
    return str(int(number)) if number is not None and float(number).is_integer() else str(cell).strip()


def _is_blank(cell: object) -> bool:
    if isinstance(cell, str):
        return not cell.strip()
    return cell is None or (isinstance(cell, float) and pd.isna(cell))


def harmonise_ims2020_destination(
    raw: pd.DataFrame, notes: dict[int, str], countries: frozenset[str], source_id: str
) -> pd.DataFrame:
    """Turn the long 2020 destination tables into tidy rows for ``countries`` and the world.

    Parameters
    ----------
    raw
        Output of :func:`read_ims2020_destination`.
    notes
        Output of :func:`read_ims_notes` (country notes by number).
    countries
        ISO3 codes in scope.
    source_id
        Registry id written on every row.

    Returns
    -------
    pandas.DataFrame
        Tidy rows. Table 2 (thousands) is multiplied by 1000 and says so in ``note``; Table 5
        and the last block of Table 6 are five-year periods dated at the period's end (1 July).

    Raises
    ------
    SourceFormatError
        If a block has no mapping or a country in scope is absent from a table.
    """
    places = place_columns(raw["location_code"])
    scope = raw[(raw["location_code"] == WORLD_M49) | places["iso3"].isin(countries)]
    _require_countries(scope, places, countries)
    rows = [_tidy_2020_row(record, places.at[i, "iso3"], notes) for i, record in scope.iterrows()]
    return tidy_frame(rows, source_id)


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


def _require_countries(scope: pd.DataFrame, places: pd.DataFrame, countries: frozenset[str]) -> None:
    for table in TABLES_2020:
        found = set(places.loc[scope.index[scope["table"] == table], "iso3"])
        missing = sorted(countries - found)
        if missing:
            raise SourceFormatError(
                f"UN DESA 2020 {table}: no row for {missing} (matched by M49 location code)"
            )


def _tidy_2020_row(record: pd.Series, iso3: str, notes: dict[int, str]) -> dict[str, object]:
    key = (record["table"], record["block"])
    if key not in MEASURES_2020:
        raise SourceFormatError(f"UN DESA 2020: no mapping for {record['table']} block {record['block']!r}")
    indicator, definition, sex, unit, factor = MEASURES_2020[key]
    label = record["column_label"]
    period = _PERIOD.match(label)
    end_year = period.group(2) if period else label
    return {
        "place_id": iso3,
        "place_name": record["area"],
        "geography_level": "world" if iso3 == "WLD" else "country",
        "country_iso3": iso3,
        "indicator_id": indicator,
        "definition_id": definition,
        "sex": sex,
        "period": label,
        "ref_date": f"{end_year}-07-01",
        "value": scale_value(record["value"], factor),
        "unit": unit,
        "note": _note_2020(record, notes, factor),
    }


def scale_value(value: float | None, factor: int) -> float | None:
    """Multiply a published number by ``factor`` exactly (decimal arithmetic, no float noise)."""
    if value is None or pd.isna(value):
        return None
    if factor == 1:
        return float(value)
    return float(Decimal(repr(float(value))) * factor)


def _note_2020(record: pd.Series, notes: dict[int, str], factor: int) -> str:
    parts = [describe_data_type(record["data_type"])]
    if factor == 1000:
        parts.append("published in thousands (Table 2), multiplied by 1000")
    parts.append(_country_note(record["notes"], notes))
    return "; ".join(part for part in parts if part)


def _country_note(number: str, notes: dict[int, str]) -> str:
    if not number:
        return ""
    text = notes.get(int(float(number)))
    if text is None:
        raise SourceFormatError(f"UN DESA country note {number} is referenced but not in the notes sheet")
    return f"UN DESA note {int(float(number))}: {text}"


def read_ims2024_stock(path: Path) -> pd.DataFrame:
    """Reshape the 2024 destination x origin table (both sexes) into a long frame.

    Parameters
    ----------
    path
        ``migrant_stock.xlsx`` (sheet ``Sheet1``: one row per destination-origin pair, one
        column per year).

    Returns
    -------
    pandas.DataFrame
        Columns ``row, destination, destination_code, origin, origin_code, year, value``; one
        row per cell; ``value`` NaN for an empty or symbol cell.

    Raises
    ------
    SourceFormatError
        Missing sheet, changed header, non-numeric code or value.
    """
    grid = read_excel_checked(path, sheet="Sheet1")
    where = f"{path}, sheet 'Sheet1'"
    header = [_header_text(cell) for cell in grid.iloc[0]]
    for col, name in enumerate(_STOCK_2024_COLUMNS):
        expect_cell(header[col] if col < len(header) else None, name, where, 1, column_letter(col))
    years = header[len(_STOCK_2024_COLUMNS) :]
    bad = [k for k, year in enumerate(years) if not _YEAR.match(year)]
    if bad or not years:
        column = column_letter(len(_STOCK_2024_COLUMNS) + (bad[0] if bad else 0))
        raise SourceFormatError(
            f"{where}, row 1, column {column!r}: expected year columns after {list(_STOCK_2024_COLUMNS)}, "
            f"found {years}"
        )
    body = grid.iloc[1:].reset_index(drop=True)
    body.columns = header
    ids = pd.DataFrame(
        {
            "row": body.index + 2,
            "destination": body["destination"].astype("string").str.strip(),
            "destination_code": _whole_numbers(body["location_code_destination"], where, "C"),
            "origin": body["origin"].astype("string").str.strip(),
            "origin_code": _whole_numbers(body["location_code_origin"], where, "E"),
        }
    )
    values = [
        ids.assign(year=year, value=_numbers(body[year], where, column_letter(len(_STOCK_2024_COLUMNS) + k)))
        for k, year in enumerate(years)
    ]
    return pd.concat(values, ignore_index=True)


def _header_text(cell: object) -> str:
    if isinstance(cell, (int, float)) and not pd.isna(cell) and float(cell).is_integer():
        return str(int(cell))
    return "" if _is_blank(cell) else str(cell).strip()


def _numbers(cells: pd.Series, path: Path | str, column: str, rows: list[int] | None = None) -> pd.Series:
    """Parse a column of published numbers; symbols and empty cells give NaN, anything else fails.

    ``rows`` are the 1-based rows of the cells (default: the cell at index ``i`` is on row ``i + 2``).
    """
    numbers = pd.to_numeric(cells, errors="coerce")
    text = cells.astype("string").str.strip()
    bad = numbers.isna() & cells.notna() & ~text.isin(["", *SYMBOLS])
    if bad.any():
        i = bad.idxmax()
        raise SourceFormatError(
            f"{path}, row {rows[i] if rows else i + 2}, column {column!r}: {cells[i]!r} is not a number; "
            f"expected a number, an empty cell or one of the symbols {sorted(SYMBOLS)}"
        )
    return numbers.astype(float)


def _whole_numbers(cells: pd.Series, path: Path | str, column: str, rows: list[int] | None = None) -> pd.Series:
    numbers = _numbers(cells, path, column, rows)
    bad = numbers.isna() | (numbers % 1 != 0)
    if bad.any():
        i = bad.idxmax()
        raise SourceFormatError(
            f"{path}, row {rows[i] if rows else i + 2}, column {column!r}: location code {cells[i]!r} is not "
            "a whole number; expected an M49 code"
        )
    return numbers.astype(int)


def read_ims2024_country_pairs(path: Path) -> pd.DataFrame:
    """Reshape the country-pair extract of 2024 Table 1 (totals, males, females) into a long frame.

    Parameters
    ----------
    path
        ``migration_table1_countries_clean.csv`` (UTF-8, one row per destination-origin
        country pair, columns ``<year>_total``, ``<year>_males``, ``<year>_females``).

    Returns
    -------
    pandas.DataFrame
        Columns ``row, destination, coverage, data_type, destination_code, origin,
        origin_code, year, sex, value``; ``sex`` as published (``total``, ``males``, ``females``).

    Raises
    ------
    SourceFormatError
        Missing column, unexpected value column, non-numeric code or value.
    """
    frame = read_csv_checked(path)
    require_columns(frame, _SEX_2024_ID_COLUMNS, path)
    value_columns = [c for c in frame.columns if c not in _SEX_2024_ID_COLUMNS]
    bad = [c for c in value_columns if not _SEX_2024_VALUE.match(c)]
    if bad or not value_columns:
        raise SourceFormatError(
            f"{path}, row {frame.attrs.get('header_line', 1)}, column {(bad or [''])[0]!r}: unexpected value "
            f"column(s) {bad or 'none'}; expected '<year>_total|males|females'"
        )
    check_row_lengths(frame)
    rows = data_lines(frame)
    ids = pd.DataFrame(
        {
            "row": rows,
            "destination": frame[_SEX_2024_ID_COLUMNS[1]].str.strip(),
            "coverage": frame["Coverage"].fillna("").str.strip(),
            "data_type": frame["Data type"].fillna("").str.strip(),
            "destination_code": _whole_numbers(frame[_SEX_2024_ID_COLUMNS[4]], path, _SEX_2024_ID_COLUMNS[4], rows),
            "origin": frame[_SEX_2024_ID_COLUMNS[5]].str.strip(),
            "origin_code": _whole_numbers(frame[_SEX_2024_ID_COLUMNS[6]], path, _SEX_2024_ID_COLUMNS[6], rows),
        }
    )
    parts = []
    for column in value_columns:
        year, sex = _SEX_2024_VALUE.match(column).groups()
        parts.append(ids.assign(year=year, sex=sex, value=_numbers(frame[column], path, column, rows)))
    return pd.concat(parts, ignore_index=True)


def harmonise_ims2024(
    stock: pd.DataFrame,
    by_sex: pd.DataFrame,
    notes: dict[int, str],
    countries: frozenset[str],
    source_id: str,
) -> pd.DataFrame:
    """Turn the 2024 destination x origin tables into tidy rows.

    Kept: every origin (countries, aggregates, "Others") for destinations in ``countries``;
    every destination (countries and aggregates) for origins in ``countries``; the world
    total. Both-sexes values come from ``stock``; males and females of country pairs from
    ``by_sex`` (its totals are only cross-checked against ``stock``).

    Parameters
    ----------
    stock
        Output of :func:`read_ims2024_stock`.
    by_sex
        Output of :func:`read_ims2024_country_pairs`.
    notes
        Country notes by number (:func:`read_ims_notes` on the ``Source`` sheet).
    countries
        ISO3 codes in scope.
    source_id
        Registry id written on every row.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SourceFormatError
        A country in scope missing, a total of the sex table that differs from the stock
        table, or a destination with two different data types.
    """
    codes = {code for code in stock["destination_code"].unique() if m49_to_iso3(code) in countries}
    missing = sorted(countries - {m49_to_iso3(code) for code in codes})
    if missing:
        raise SourceFormatError(f"UN DESA 2024 stock table: no destination rows for {missing}")
    in_scope = stock["destination_code"].isin(codes) | stock["origin_code"].isin(codes)
    world = (stock["destination_code"] == WORLD_M49) & (stock["origin_code"] == WORLD_M49)
    totals = stock[in_scope | world].assign(sex="total")
    pairs = by_sex[by_sex["destination_code"].isin(codes) | by_sex["origin_code"].isin(codes)]
    check_pair_totals(totals, pairs[pairs["sex"] == "total"])
    split = pairs[pairs["sex"].isin(list(_SEXES_2024))].assign(sex=lambda f: f["sex"].map(_SEXES_2024))
    long = pd.concat([totals, split[totals.columns]], ignore_index=True)
    notes_by_destination = destination_notes(by_sex, notes)
    return tidy_frame(_tidy_2024_rows(long, notes_by_destination), source_id)


def check_pair_totals(totals: pd.DataFrame, pair_totals: pd.DataFrame) -> None:
    """Fail when the sex table's both-sexes totals differ from the stock table's for a pair.

    Raises
    ------
    SourceFormatError
        Naming the first differing pair and year, or a pair absent from the stock table.
    """
    keys = ["destination_code", "origin_code", "year"]
    merged = pair_totals.merge(totals[[*keys, "value"]], on=keys, how="left", suffixes=("", "_stock"))
    absent = merged["value_stock"].isna() & merged["value"].notna()
    differs = (merged["value"] - merged["value_stock"]).abs() > 0
    bad = merged[absent | differs]
    if len(bad):
        first = bad.iloc[0]
        raise SourceFormatError(
            f"UN DESA 2024: country-pair table row {first['row']} ({first['destination']} <- "
            f"{first['origin']}, {first['year']}) total {first['value']} differs from the stock table "
            f"({first['value_stock']})"
        )


def destination_notes(by_sex: pd.DataFrame, notes: dict[int, str]) -> dict[int, str]:
    """Return, per destination M49 code, the data-type note and country note of the 2024 edition.

    Raises
    ------
    SourceFormatError
        If a destination carries two different data types or coverage notes.
    """
    per_destination = by_sex[["destination_code", "data_type", "coverage"]].drop_duplicates()
    repeated = per_destination["destination_code"].duplicated()
    if repeated.any():
        code = per_destination.loc[repeated, "destination_code"].iloc[0]
        raise SourceFormatError(f"UN DESA 2024: destination {code} has several data types or notes")
    repaired = {number: repair_mojibake(text) for number, text in notes.items()}
    out = {}
    for code, data_type, coverage in per_destination.itertuples(index=False):
        country_note = _country_note(coverage, repaired)
        out[int(code)] = "; ".join(part for part in (describe_data_type(data_type), country_note) if part)
    return out


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text decoded as Latin-1 (``RÃ©union`` -> ``Réunion``); other text unchanged."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _tidy_2024_rows(long: pd.DataFrame, notes: dict[int, str]) -> pd.DataFrame:
    destinations = place_columns(long["destination_code"])
    pairs = zip(long["origin_code"], destinations["place_id"])
    origin, origin_type = zip(*(_origin_2024(int(code), place) for code, place in pairs))
    return pd.DataFrame(
        {
            "place_id": destinations["place_id"],
            "place_name": long["destination"],
            "geography_level": destinations["level"],
            "country_iso3": destinations["country"],
            "indicator_id": "population",
            "definition_id": "un_migrant_stock",
            "sex": long["sex"],
            "origin_type": origin_type,
            "origin": origin,
            "period": long["year"],
            "ref_date": long["year"] + "-07-01",
            "value": long["value"],
            "unit": "persons",
            "note": [notes.get(int(code), "") for code in long["destination_code"]],
        }
    )


def _origin_2024(code: int, destination_place: str) -> tuple[str, str]:
    iso3 = m49_to_iso3(code)
    if code == WORLD_M49:
        return "total", ""
    if code == OTHERS_CODE:
        return f"OTHER_{destination_place}", "origin_group"
    if iso3:
        return iso3, "origin_country"
    return f"M49_{code}", "origin_group"

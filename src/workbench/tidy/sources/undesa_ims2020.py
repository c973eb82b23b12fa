"""UN DESA International Migrant Stock 2020, by destination and sex (Tables 1-6 of the workbook)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.tidy.sources._common import (
    column_letter,
    expect_cell,
    parse_number,
    read_excel_checked,
    tidy_frame,
)
from workbench.tidy.sources._undesa import (
    PERIOD,
    WORLD_M49,
    YEAR,
    note_of_country,
    describe_data_type,
    header_text,
    is_blank,
    place_columns,
    read_cell_value,
)


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
        if is_blank(row.iloc[1]) and is_blank(row.iloc[3]):
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
                    "data_type": "" if is_blank(row.iloc[4]) else str(row.iloc[4]).strip(),
                    "value": value,
                    "symbol": symbol,
                }
            )
    return pd.DataFrame.from_records(records)


def _block_columns(grid: pd.DataFrame, where: str, blocks: tuple[str, ...]) -> dict[int, str]:
    starts = [
        col
        for col in range(_FIRST_VALUE_COL, grid.shape[1])
        if not is_blank(grid.iat[_BLOCK_ROW_2020 - 1, col])
    ]
    found = [str(grid.iat[_BLOCK_ROW_2020 - 1, col]).strip() for col in starts]
    if tuple(found) != blocks:
        raise SourceFormatError(
            f"{where}, row {_BLOCK_ROW_2020}: expected block labels {list(blocks)}, found {found}. "
            "Has the publisher changed the layout?"
        )
    last = max(
        col for col in range(grid.shape[1]) if not is_blank(grid.iat[_HEADER_ROW_2020 - 1, col])
    )
    bounds = [*starts, last + 1]
    return {col: blocks[k] for k in range(len(starts)) for col in range(bounds[k], bounds[k + 1])}


def _column_label(cell: object, where: str, col: int) -> str:
    text = header_text(cell)
    if not (YEAR.match(text) or PERIOD.match(text)):
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
    if is_blank(cell):
        return ""
    number = parse_number(cell, where, row, "C")
    return str(int(number)) if number is not None and float(number).is_integer() else str(cell).strip()


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
    period = PERIOD.match(label)
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
    parts.append(note_of_country(record["notes"], notes))
    return "; ".join(part for part in parts if part)

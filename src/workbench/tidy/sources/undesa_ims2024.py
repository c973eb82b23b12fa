"""UN DESA International Migrant Stock 2024, by destination and origin (stock workbook, table by sex)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import (
    column_letter,
    expect_cell,
    read_excel_checked,
    require_columns,
    tidy_frame,
)
from workbench.tidy.sources._undesa import (
    OTHERS_CODE,
    SYMBOLS,
    WORLD_M49,
    YEAR,
    note_of_country,
    describe_data_type,
    header_text,
    m49_to_iso3,
    place_columns,
)


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
    header = [header_text(cell) for cell in grid.iloc[0]]
    for col, name in enumerate(_STOCK_2024_COLUMNS):
        expect_cell(header[col] if col < len(header) else None, name, where, 1, column_letter(col))
    years = header[len(_STOCK_2024_COLUMNS) :]
    bad = [k for k, year in enumerate(years) if not YEAR.match(year)]
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
        country_note = note_of_country(coverage, repaired)
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

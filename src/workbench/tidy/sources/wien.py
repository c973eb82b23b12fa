"""Stadt Wien open government data: district population by sex, 5-year age group and origin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import expect_cell, require_columns, single_file, tidy_frame

SOURCE_ID = "wien_ogd_population_origin"

#: Words the title line of the file must contain.
TITLE = "Population by sex, 5-year age groups and origin since 2002 - districts of Vienna"

KEY_COLUMNS: tuple[str, ...] = (
    "NUTS",
    "DISTRICT_CODE",
    "SUB_DISTRICT_CODE",
    "REF_YEAR",
    "REF_DATE",
    "SEX",
    "AGE5",
)
ORIGIN_COLUMNS: tuple[str, ...] = ("AUT", "EEA", "REU", "TCN")

#: Stadt Wien district codes (Gemeindebezirke 1-23).
DISTRICT_NAMES: dict[str, str] = {
    "90100": "Innere Stadt",
    "90200": "Leopoldstadt",
    "90300": "Landstraße",
    "90400": "Wieden",
    "90500": "Margareten",
    "90600": "Mariahilf",
    "90700": "Neubau",
    "90800": "Josefstadt",
    "90900": "Alsergrund",
    "91000": "Favoriten",
    "91100": "Simmering",
    "91200": "Meidling",
    "91300": "Hietzing",
    "91400": "Penzing",
    "91500": "Rudolfsheim-Fünfhaus",
    "91600": "Ottakring",
    "91700": "Hernals",
    "91800": "Währing",
    "91900": "Döbling",
    "92000": "Brigittenau",
    "92100": "Floridsdorf",
    "92200": "Donaustadt",
    "92300": "Liesing",
}

#: SEX codes: 1 male, 2 female (checked on the data: code 2 outnumbers code 1 about 2.3 to 1
#: at 80+, code 1 outnumbers code 2 about 1.06 to 1 at 0-4, the usual sex ratio at birth).
SEXES: dict[str, str] = {"1": "male", "2": "female"}

#: Origin columns -> origin group codes (prefixed: the bare column name REU is the ISO3 code of
#: Réunion). Meanings are declared in data/registry/origins/wien.yaml.
ORIGIN_GROUPS: dict[str, str] = {"EEA": "WIEN_EEA", "REU": "WIEN_REU", "TCN": "WIEN_TCN"}

#: AGE5 codes 1..16 are 5-year bands from 0-4, 17 is 80 and over.
AGE_BANDS: dict[str, str] = {
    **{str(k): f"Y{5 * (k - 1)}-{5 * (k - 1) + 4}" for k in range(1, 17)},
    "17": "Y80-MAX",
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for the Stadt Wien district population by origin.

    Parameters
    ----------
    source_id
        Must be ``wien_ogd_population_origin``.
    files
        The one CSV file of the source.
    cities
        The cities registry (for the NUTS code of Vienna).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown source id, wrong number of files, or a file not in the expected layout.
    """
    path = single_file(__name__, source_id, [SOURCE_ID], files)
    return harmonise_population_origin(read_population_origin(path), cities)


def read_population_origin(path: Path) -> pd.DataFrame:
    """Read the district file into one row per district, year, sex, age band and origin group.

    Parameters
    ----------
    path
        ``vie-bez-pop-sex-age5-stk-ori-geo4-2002f.csv``: a title line, then a semicolon
        separated table with columns NUTS;DISTRICT_CODE;SUB_DISTRICT_CODE;REF_YEAR;REF_DATE;
        SEX;AGE5;AUT;EEA;REU;TCN.

    Returns
    -------
    pandas.DataFrame
        The key columns as published (text), ``ORIGIN`` (the column name AUT/EEA/REU/TCN) and
        ``VALUE`` (float); empty cells give no row.

    Raises
    ------
    SourceFormatError
        Missing title line, renamed or missing column, or a count that is not a number.
    """
    title = read_csv_checked(path, sep=";", header=None, nrows=1)
    expect_cell(title.iat[0, 0], TITLE, path, 1, "A")
    table = read_csv_checked(path, sep=";", skiprows=1)
    require_columns(table, KEY_COLUMNS + ORIGIN_COLUMNS, path)
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: no data rows after the header; expected one row per district, year, sex and age")
    lines = pd.Series(data_lines(table, first=3))
    long = table.melt(
        id_vars=list(KEY_COLUMNS), value_vars=list(ORIGIN_COLUMNS), var_name="ORIGIN", value_name="TEXT"
    )
    long["VALUE"] = _parse_counts(long["TEXT"], lines[long.index % len(table)].tolist(), long["ORIGIN"], path)
    return long[long["VALUE"].notna()].drop(columns="TEXT").reset_index(drop=True)


def _parse_counts(text: pd.Series, lines: list[int], columns: pd.Series, path: Path) -> pd.Series:
    cleaned = text.str.strip().replace("", pd.NA)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    bad = cleaned.notna() & (numbers.isna() | (numbers < 0))
    if bad.any():
        i = bad.idxmax()
        raise SourceFormatError(
            f"{path}, line {lines[i]}, column {columns[i]!r}: {text[i]!r} is not a count; expected a number "
            "of persons (0 or more) or an empty cell"
        )
    return numbers.astype(float)


def harmonise_population_origin(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Map the faithful Wien rows to tidy rows.

    AUT is the Austrian-origin population (``austrian_origin_wien``); EEA, REU and TCN are
    foreign-origin groups (``foreign_origin_wien``, ``origin_type='origin_group'``, origins
    ``WIEN_EEA``, ``WIEN_REU``, ``WIEN_TCN``). Districts
    become ``AT-<DISTRICT_CODE>`` places of city ``vienna`` (via the ``wien_nuts`` codes).
    No totals are computed here.

    Parameters
    ----------
    raw
        Output of :func:`read_population_origin`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown NUTS, district, sex or age code, a sub-district differing from its district,
        or a reference date that does not match the year.
    """
    nuts_to_city = codes_of(cities, "wien_nuts")
    _check_known(raw, "NUTS", nuts_to_city)
    _check_known(raw, "DISTRICT_CODE", DISTRICT_NAMES)
    _check_known(raw, "SEX", SEXES)
    _check_known(raw, "AGE5", AGE_BANDS)
    _check_known(raw, "ORIGIN", dict.fromkeys(ORIGIN_COLUMNS))
    split = raw["SUB_DISTRICT_CODE"] != raw["DISTRICT_CODE"]
    if split.any():
        row = raw[split].iloc[0]
        raise SourceFormatError(
            f"{SOURCE_ID}: SUB_DISTRICT_CODE {row['SUB_DISTRICT_CODE']} differs from DISTRICT_CODE "
            f"{row['DISTRICT_CODE']}; the reader expects whole districts only"
        )
    ref_date = _iso_dates(raw["REF_DATE"], raw["REF_YEAR"])
    austrian = raw["ORIGIN"] == "AUT"
    rows = pd.DataFrame(
        {
            "place_id": "AT-" + raw["DISTRICT_CODE"],
            "place_name": raw["DISTRICT_CODE"].map(DISTRICT_NAMES),
            "geography_level": "district",
            "country_iso3": "AUT",
            "city_id": raw["NUTS"].map(nuts_to_city),
            "indicator_id": "population",
            "definition_id": austrian.map({True: "austrian_origin_wien", False: "foreign_origin_wien"}),
            "sex": raw["SEX"].map(SEXES),
            "age": raw["AGE5"].map(AGE_BANDS),
            "origin_type": austrian.map({True: "", False: "origin_group"}),
            "origin": raw["ORIGIN"].map(ORIGIN_GROUPS).where(~austrian, "total"),
            "period": raw["REF_YEAR"],
            "ref_date": ref_date,
            "value": raw["VALUE"],
            "unit": "persons",
        }
    )
    return tidy_frame(rows, SOURCE_ID)


def _check_known(raw: pd.DataFrame, column: str, known: dict) -> None:
    unknown = sorted(set(raw[column]) - set(known))
    if unknown:
        raise SourceFormatError(
            f"{SOURCE_ID}: column {column!r} has unexpected code(s) {unknown}; known: {sorted(known)}"
        )


def _iso_dates(ref_date: pd.Series, ref_year: pd.Series) -> pd.Series:
    iso = ref_date.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    bad = ~iso.str.match(r"^\d{4}-\d{2}-\d{2}$") | (iso.str[:4] != ref_year)
    if bad.any():
        i = bad.idxmax()
        raise SourceFormatError(
            f"{SOURCE_ID}: REF_DATE {ref_date[i]!r} is not a YYYYMMDD date of REF_YEAR {ref_year[i]!r}"
        )
    return iso

"""Comunidad de Madrid: the Padrón 2021 exports (foreign-born by nationality, age, region of birth)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import column_letter, expect_cell, parse_number
from workbench.tidy.sources._madrid import (
    BIRTH_REGIONS,
    NATIONALITY_GROUPS,
    cell_text,
    country_iso3,
    group_code,
)
from workbench.tidy.sources._madrid_cm import (
    COUNTRY,
    IECM_CODE_SYSTEM,
    PADRON_SHEET,
    YEAR_IN_TEXT,
    cell_code,
    city_codes,
    city_place,
    find_row,
    read_sheet,
    region_place,
    require_places,
)


#: Titles of the tables (checked in the files).
TITLE_NATIONALITY = "Nacidos en el extranjero por Municipio de residencia según País de nacionalidad"
TITLE_AGE_REGION = (
    "Nacidos en el extranjero por Municipio de residencia y Grupos quinquenales de edad "
    "según Subcontinente de nacimiento"
)
TITLE_BIRTH_REGION = "Población total por Municipio de residencia según Subcontinente de nacimiento"


#: Labels of the total rows and columns of the Padrón exports.
TOTAL_MUNICIPALITY = "Total Municipio de residencia"
TOTAL_NATIONALITY = "Total País de nacionalidad"
TOTAL_REGION = "Total Subcontinente de nacimiento"
TOTAL_AGE = "Total Grupos quinquenales de edad"


def read_foreign_born_nationality(path: Path) -> pd.DataFrame:
    """Reshape "Nacidos en el extranjero por Municipio de residencia según País de nacionalidad".

    Parameters
    ----------
    path
        The ``.xls`` export of the Comunidad de Madrid data bank.

    Returns
    -------
    pandas.DataFrame
        Columns ``edition`` ("Padrón Continuo. 2021"), ``municipality_code`` ('' on the
        Comunidad total row), ``municipality``, ``nationality``, ``value``; one row per
        non-empty cell, labels as published.

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title or header, a municipality row without code, a non-number.
    """
    return _read_padron_export(path, TITLE_NATIONALITY, TOTAL_NATIONALITY, "nationality", age=False)


def read_foreign_born_age_region(path: Path) -> pd.DataFrame:
    """Reshape the foreign-born by municipality, five-year age group and region of birth table.

    Parameters
    ----------
    path
        The ``.xls`` export ("... y Grupos quinquenales de edad según Subcontinente de nacimiento").

    Returns
    -------
    pandas.DataFrame
        Columns ``edition``, ``municipality_code``, ``municipality``, ``age_group``,
        ``birth_region``, ``value`` (labels as published; the municipality name, printed
        only on the first row of each block, is repeated on its age rows).

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title or header, an age row under a different code, a non-number.
    """
    return _read_padron_export(path, TITLE_AGE_REGION, TOTAL_REGION, "birth_region", age=True)


def read_population_birth_region(path: Path) -> pd.DataFrame:
    """Reshape "Población total por Municipio de residencia según Subcontinente de nacimiento".

    Parameters
    ----------
    path
        The ``.xls`` export.

    Returns
    -------
    pandas.DataFrame
        Columns ``edition``, ``municipality_code``, ``municipality``, ``birth_region``, ``value``.

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title or header, a non-number.
    """
    return _read_padron_export(path, TITLE_BIRTH_REGION, TOTAL_REGION, "birth_region", age=False)


def harmonise_foreign_born_nationality(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_foreign_born_nationality` output into tidy rows (population, foreign_born).

    Keeps the Comunidad total (``ES30``) and the network municipalities (Madrid, ``ES-28079``).
    Countries get ISO3 codes (``origin_type=citizenship``), residual groups and stateless
    persons the group codes of ``data/registry/origins/es.yaml`` (``citizenship_group``).

    Raises
    ------
    SourceFormatError
        A network municipality missing from the file, an unknown country name.
    """
    frame = _with_places(raw, cities)
    origins = [_nationality_origin(n) for n in frame["nationality"]]
    return _padron_rows(frame, origins, "foreign_born", age="total")


def harmonise_foreign_born_age_region(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_foreign_born_age_region` output into tidy rows (population, foreign_born).

    Ages become ``Y0-4`` ... ``Y95-99``, ``Y100-MAX``; regions of birth become group codes
    (``origin_type=birth_group``).

    Raises
    ------
    SourceFormatError
        A network municipality missing, an unknown age group or region of birth.
    """
    frame = _with_places(raw, cities)
    origins = [_region_origin(r, foreign_born=True) for r in frame["birth_region"]]
    ages = [_age_band(a) for a in frame["age_group"]]
    return _padron_rows(frame, origins, "foreign_born", age=ages)


def harmonise_population_birth_region(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_population_birth_region` output into tidy rows (population, total_population).

    The published "Unión Europea" column counts people born in Spain too (the table has no
    Spain column): it is kept as published under its own code ``ES_UE_INCL_ESP``, flagged
    ``d`` with a note, and never merged with ``ES_UE`` of the foreign-born tables.

    Raises
    ------
    SourceFormatError
        A network municipality missing, an unknown region of birth.
    """
    frame = _with_places(raw, cities)
    origins = [_region_origin(r, foreign_born=False) for r in frame["birth_region"]]
    return _padron_rows(frame, origins, "total_population", age="total")


def _read_padron_export(path: Path, title: str, total_label: str, column_name: str, *, age: bool) -> pd.DataFrame:
    sheet = read_sheet(path, PADRON_SHEET)
    where = f"{path}, sheet {PADRON_SHEET!r}"
    edition_row = find_row(sheet, 0, "Padrón Continuo", where, "edition line 'Padrón Continuo. <year>'")
    find_row(sheet, 0, title, where, "title")
    first = 3 if age else 2
    header = find_row(sheet, first, total_label, where, "header")
    labels = _header_labels(sheet, header, first, where)
    expect_cell(sheet.iat[header + 1, 1], TOTAL_MUNICIPALITY, where, header + 2, "B")
    edition = cell_text(sheet.iat[edition_row, 0])
    keys = ["edition", "municipality_code", "municipality"] + (["age_group"] if age else [])
    records = []
    code, name = "", ""
    for i in range(header + 1, len(sheet)):
        row = sheet.iloc[i]
        if row.isna().all():
            continue
        code, name = _row_place(row, code, name, where, i, age)
        key = [edition, code, name] + ([cell_text(row.iloc[2])] if age else [])
        for j, label in labels.items():
            value = parse_number(row.iloc[j], where, i + 1, column_letter(j))
            if value is not None:
                records.append(dict(zip(keys, key)) | {column_name: label, "value": value})
    frame = pd.DataFrame.from_records(records, columns=keys + [column_name, "value"])
    frame.attrs["path"] = str(path)
    return frame


def _row_place(row: pd.Series, code: str, name: str, path: Path | str, i: int, age: bool) -> tuple[str, str]:
    """Return (code, name) of a Padrón export row; in the age layout, names open a block."""
    row_code = cell_code(row.iloc[0])
    row_name = cell_text(row.iloc[1])
    if row_name:
        if not row_code and row_name != TOTAL_MUNICIPALITY:
            raise SourceFormatError(f"{path}, row {i + 1}, column 'A': municipality {row_name!r} has no code; expected its municipality code in column A")
        return row_code, row_name
    if not age:
        raise SourceFormatError(f"{path}, row {i + 1}, column 'B': municipality name missing; expected a name or 'Total Municipio de residencia'")
    if row_code != code:
        raise SourceFormatError(
            f"{path}, row {i + 1}, column 'A': code {row_code!r} differs from the block's code {code!r} "
            f"({name!r}) and no new municipality name is given"
        )
    if not cell_text(row.iloc[2]):
        raise SourceFormatError(f"{path}, row {i + 1}, column 'C': age group missing; expected a five-year age group")
    return code, name


def _header_labels(sheet: pd.DataFrame, header: int, first: int, path: Path | str) -> dict[int, str]:
    labels: dict[int, str] = {}
    for j in range(first, sheet.shape[1]):
        label = cell_text(sheet.iat[header, j])
        if label:
            labels[j] = label
        elif sheet.iloc[header + 1 :, j].notna().any():
            raise SourceFormatError(f"{path}, row {header + 1}, column {column_letter(j)!r}: column label missing; expected a label above a column holding values")
    return labels


def _with_places(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Keep the Comunidad total and the network municipalities, with tidy place columns."""
    codes = city_codes(cities, IECM_CODE_SYSTEM)
    is_region = (raw["municipality_code"] == "") & (raw["municipality"] == TOTAL_MUNICIPALITY)
    is_city = raw["municipality_code"].isin(list(codes))
    require_places(raw.loc[is_city, "municipality_code"], codes, f"{IECM_CODE_SYSTEM} code")
    if not is_region.any():
        raise SourceFormatError(f"{raw.attrs.get('path', 'Padrón table')}: no '{TOTAL_MUNICIPALITY}' row")
    frame = raw[is_region | is_city]
    places = [
        region_place() if c == "" else city_place(cities[codes[c]], n)
        for c, n in zip(frame["municipality_code"], frame["municipality"])
    ]
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(places)], axis=1)


def _padron_rows(
    frame: pd.DataFrame, origins: list[tuple[str, str, str, str]], definition: str, age: str | list[str]
) -> pd.DataFrame:
    year = _edition_year(frame)
    rows = frame[["place_id", "place_name", "geography_level", "country_iso3", "city_id"]].copy()
    rows["indicator_id"] = "population"
    rows["definition_id"] = definition
    rows["age"] = age
    rows["origin_type"] = [o[0] for o in origins]
    rows["origin"] = [o[1] for o in origins]
    rows["flag"] = [o[2] for o in origins]
    rows["note"] = [o[3] for o in origins]
    rows["period"] = str(year)
    rows["ref_date"] = f"{year}-01-01"
    rows["value"] = frame["value"].to_numpy()
    rows["unit"] = "persons"
    return rows


def _edition_year(frame: pd.DataFrame) -> int:
    editions = set(frame["edition"])
    years = {m.group(1) for e in editions if (m := YEAR_IN_TEXT.search(e))}
    if len(editions) != 1 or len(years) != 1:
        raise SourceFormatError(f"edition line {sorted(editions)} does not give one Padrón year")
    return int(years.pop())


def _nationality_origin(label: str) -> tuple[str, str, str, str]:
    where = f"nationality column {label!r}"
    if label == TOTAL_NATIONALITY:
        return "", "total", "", ""
    if label in NATIONALITY_GROUPS:
        return "citizenship_group", NATIONALITY_GROUPS[label], "", ""
    iso3 = country_iso3(label, where)
    note = "Spanish nationals born abroad" if iso3 == COUNTRY else ""
    return "citizenship", iso3, "", note


def _region_origin(label: str, *, foreign_born: bool) -> tuple[str, str, str, str]:
    key = " ".join(label.split())
    if key == TOTAL_REGION:
        return "", "total", "", ""
    code = group_code(key, BIRTH_REGIONS, "region of birth", f"birth region column {label!r}")
    if code == "ES_UE" and not foreign_born:
        return (
            "birth_group",
            "ES_UE_INCL_ESP",
            "d",
            "Published column 'Unión Europea' includes people born in Spain (the table has no "
            "separate Spain column); not comparable with ES_UE of the foreign-born tables",
        )
    return "birth_group", code, "", ""


def _age_band(label: str) -> str:
    key = " ".join(label.split())
    if key == TOTAL_AGE:
        return "total"
    if m := re.fullmatch(r"De (\d+) a (\d+) años", key):
        return f"Y{m.group(1)}-{m.group(2)}"
    if m := re.fullmatch(r"De (\d+) y más años", key):
        return f"Y{m.group(1)}-MAX"
    raise SourceFormatError(f"age group {label!r} is not of the form 'De <a> a <b> años' or 'De <a> y más años'")

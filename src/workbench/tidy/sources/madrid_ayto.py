"""Ayuntamiento de Madrid data bank: population by nationality, district and barrio (table C4210722)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import (
    column_letter,
    expect_cell,
    parse_number,
    read_excel_checked,
    single_file,
    tidy_frame,
)
from workbench.tidy.sources._madrid import MONTHS, cell_text, country_iso3

#: Code systems of data/registry/cities.yaml used here.
CITY_LABEL_SYSTEM = "madrid_ayto_city_label"
INE_CODE_SYSTEM = "ine_municipality"

SHEET = "C4210722"
TITLE = "POBLACIÓN SEGÚN NACIONALIDAD"
TABLE = "Población por País de nacionalidad según Distrito y Barrio de residencia"
HEADER = "País de nacionalidad"

#: Row labels that are not countries.
TOTAL = "Total"
SPANISH = "España"
FOREIGN = "Otro país"
FOREIGN_SHARE = "% de extranjeros"
REST = "Resto de países"

#: Group code of "Resto de países" (declared in data/registry/origins/es.yaml).
REST_CODE = "ES_RESTO_PAISES_LT1500"

_DISTRICT_CODE = re.compile(r"^(\d{2})\.$")
_FOOTNOTE_MARK = re.compile(r"\s*\(\d+\)$")
_HEAD_ROWS = 15

_TOTAL_NOTES = {
    "municipality": "Total includes stateless persons, persons with nationality not recorded and "
    "persons with district not recorded",
    "district": "Total includes persons with barrio not recorded",
    "neighbourhood": "",
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for ``madrid_ayto_nationality_2022``.

    Parameters
    ----------
    source_id
        ``madrid_ayto_nationality_2022``.
    files
        The one official workbook.
    cities
        The cities registry (the city column's label is looked up in the
        ``madrid_ayto_city_label`` code system).

    Raises
    ------
    SourceFormatError
        Unknown source id, wrong number of files, or a file not in the expected layout.
    """
    path = single_file(__name__, source_id, ["madrid_ayto_nationality_2022"], files)
    return tidy_frame(harmonise_nationality_by_barrio(read_nationality_by_barrio(path), cities), source_id)


def read_nationality_by_barrio(path: Path) -> pd.DataFrame:
    """Reshape table C4210722 "Población por País de nacionalidad según Distrito y Barrio de residencia".

    The first value column is the city; each district column carries its code ("01.") in
    the row above the names and is followed by its barrios.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook of the Ayuntamiento's data bank.

    Returns
    -------
    pandas.DataFrame
        Columns ``title`` (the table's heading, with its reference date), ``area_level``
        ('ciudad', 'distrito', 'barrio'), ``district_code`` ('' for the city),
        ``barrio_number`` (1, 2 ... within the district, 0 otherwise), ``area`` (label as
        published), ``nationality`` (row label as published), ``value``.

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title or header, a district code not of the form "NN.", a
        column without a name, barrios before the first district, a non-number.
    """
    sheet = read_excel_checked(path, SHEET, dtype=object)
    where = f"{path}, sheet {SHEET!r}"
    title_row = _find_row(sheet, TITLE, where, "title")
    _find_row(sheet, TABLE, where, "table heading")
    codes_row = _find_row(sheet, HEADER, where, "header", exact=True)
    areas = _area_columns(sheet, codes_row, where)
    title = cell_text(sheet.iat[title_row, 1])
    records = []
    for i in range(codes_row + 2, len(sheet)):
        label = cell_text(sheet.iat[i, 1])
        if label.upper().startswith(("NOTAS", "FUENTE")):
            break
        if not label:
            continue
        for j, area in areas.items():
            value = parse_number(sheet.iat[i, j], where, i + 1, column_letter(j))
            if value is not None:
                records.append({"title": title, **area, "nationality": label, "value": value})
    if not records:
        raise SourceFormatError(
            f"{where}, row {codes_row + 3}: no data rows under the header; expected one row per nationality"
        )
    columns = ["title", "area_level", "district_code", "barrio_number", "area", "nationality", "value"]
    return pd.DataFrame.from_records(records, columns=columns)


def harmonise_nationality_by_barrio(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_nationality_by_barrio` output into tidy rows.

    Place ids: the city ``ES-<INE code>``, districts ``ES-<INE>-D<nn>``, barrios
    ``ES-<INE>-B<nnb>`` (district code + the barrio's position within its district, the
    Ayuntamiento's own three-digit numbering). "Total" is ``total_population``, "España"
    ``national_citizens``, "Otro país" and the countries ``foreign_nationality`` (countries
    with ``origin_type=citizenship``), "Resto de países" the group ``ES_RESTO_PAISES_LT1500``,
    "% de extranjeros" a published ``population_share`` in percent. Reference date and the
    provisional flag ``p`` come from the table's heading.

    Raises
    ------
    SourceFormatError
        City label not in cities.yaml, a heading without a date, an unknown country.
    """
    ref_date, flag = _heading_date(raw["title"].iloc[0])
    city = _city(raw, cities)
    base = f"ES-{_ine_code(city)}"
    places = [
        _place(base, city, level, code, number, area)
        for level, code, number, area in zip(raw["area_level"], raw["district_code"], raw["barrio_number"], raw["area"])
    ]
    rows = pd.DataFrame(places)
    measures = pd.DataFrame([_measure(n) for n in raw["nationality"]])
    rows = pd.concat([rows, measures], axis=1)
    rows["note"] = [
        _TOTAL_NOTES[level] if d == "total_population" else ""
        for level, d in zip(rows["geography_level"], rows["definition_id"])
    ]
    rows["period"] = ref_date[:4]
    rows["ref_date"] = ref_date
    rows["value"] = raw["value"].to_numpy()
    rows["flag"] = flag
    return rows


def _area_columns(sheet: pd.DataFrame, codes_row: int, path: Path | str) -> dict[int, dict[str, object]]:
    """Describe each value column: city, district (with its code) or barrio (with its number)."""
    names_row = codes_row + 1
    expect_cell(sheet.iat[names_row, 2], "Ciudad", path, names_row + 1, "C")
    areas: dict[int, dict[str, object]] = {2: _area("ciudad", "", 0, sheet.iat[names_row, 2])}
    district, number = "", 0
    for j in range(3, sheet.shape[1]):
        name, code = cell_text(sheet.iat[names_row, j]), cell_text(sheet.iat[codes_row, j])
        if not name and not code:
            if sheet.iloc[names_row + 1 :, j].notna().any():
                raise SourceFormatError(
                    f"{path}, row {names_row + 1}, column {column_letter(j)!r}: area name missing; expected "
                    "a district or barrio name above a column holding values"
                )
            continue
        if code:
            match = _DISTRICT_CODE.match(code)
            if not match or not name:
                raise SourceFormatError(
                    f"{path}, row {codes_row + 1}, column {column_letter(j)!r}: expected a district code 'NN.' "
                    f"above a district name, found {code!r} / {name!r}"
                )
            district, number = match.group(1), 0
            areas[j] = _area("distrito", district, 0, sheet.iat[names_row, j])
            continue
        if not district:
            raise SourceFormatError(
                f"{path}, row {names_row + 1}, column {column_letter(j)!r}: barrio before any district; "
                "expected a district code 'NN.' in a column to its left"
            )
        number += 1
        areas[j] = _area("barrio", district, number, sheet.iat[names_row, j])
    return areas


def _area(level: str, district: str, number: int, name: object) -> dict[str, object]:
    return {"area_level": level, "district_code": district, "barrio_number": number, "area": str(name)}


def _find_row(sheet: pd.DataFrame, text: str, path: Path | str, what: str, exact: bool = False) -> int:
    """Return the first row (0-based) whose column B contains (or, if ``exact``, is) ``text``."""
    wanted = text.lower()
    for i in range(min(_HEAD_ROWS, len(sheet))):
        cell = " ".join(cell_text(sheet.iat[i, 1]).split()).lower() if sheet.shape[1] > 1 else ""
        if cell == wanted or (not exact and wanted in cell):
            return i
    raise SourceFormatError(
        f"{path}, rows 1-{min(_HEAD_ROWS, len(sheet))}, column 'B': expected the {what} {text!r}, not found; "
        f"the column holds {_texts(sheet)}. Has the publisher changed the layout?"
    )


def _texts(sheet: pd.DataFrame) -> list[str]:
    """The first non-empty cells of column B, for an error message."""
    if sheet.shape[1] < 2:
        return []
    cells = (" ".join(cell_text(sheet.iat[i, 1]).split()) for i in range(min(_HEAD_ROWS, len(sheet))))
    return [c[:60] for c in cells if c][:8]


def _heading_date(title: str) -> tuple[str, str]:
    """Return (ISO reference date, flag) from a heading such as '... A 1 DE JULIO DE 2022 (DATOS PROVISIONALES)'."""
    m = re.search(r"\bA (\d{1,2}) DE (" + "|".join(MONTHS) + r") DE (\d{4})", title, flags=re.IGNORECASE)
    if not m:
        raise SourceFormatError(f"table heading {title!r} gives no reference date ('A <d> DE <mes> DE <año>')")
    date = f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return date, "p" if "PROVISIONAL" in title.upper() else ""


def _city(raw: pd.DataFrame, cities: dict[str, City]) -> City:
    labels = {code: city for city in cities.values() for code in city.codes.get(CITY_LABEL_SYSTEM, [])}
    label = _clean(raw.loc[raw["area_level"] == "ciudad", "area"].iloc[0])
    if label not in labels:
        raise SourceFormatError(
            f"city column {label!r} is not a '{CITY_LABEL_SYSTEM}' code of any city in cities.yaml"
        )
    return labels[label]


def _ine_code(city: City) -> str:
    codes = city.codes.get(INE_CODE_SYSTEM, [])
    if len(codes) != 1:
        raise SourceFormatError(f"city {city.city_id!r} needs exactly one '{INE_CODE_SYSTEM}' code in cities.yaml")
    return codes[0]


def _place(base: str, city: City, level: str, district: str, number: int, area: str) -> dict[str, str]:
    if level == "ciudad":
        place_id, geography = base, "municipality"
    elif level == "distrito":
        place_id, geography = f"{base}-D{district}", "district"
    elif number <= 9:
        place_id, geography = f"{base}-B{district}{number}", "neighbourhood"
    else:
        raise SourceFormatError(f"district {district} has more than 9 barrios; barrio {area!r} cannot be numbered")
    return {
        "place_id": place_id,
        "place_name": _clean(area),
        "geography_level": geography,
        "country_iso3": city.country_iso3,
        "city_id": city.city_id,
    }


def _measure(label: str) -> dict[str, str]:
    """Map a row label to indicator, definition, origin and unit."""
    key = _FOOTNOTE_MARK.sub("", " ".join(label.split()))
    fixed = {
        TOTAL: ("population", "total_population", "", "total", "persons"),
        SPANISH: ("population", "national_citizens", "", "total", "persons"),
        FOREIGN: ("population", "foreign_nationality", "", "total", "persons"),
        FOREIGN_SHARE: ("population_share", "foreign_nationality", "", "total", "percent"),
        REST: ("population", "foreign_nationality", "citizenship_group", REST_CODE, "persons"),
    }
    if key in fixed:
        values = fixed[key]
    else:
        values = ("population", "foreign_nationality", "citizenship", country_iso3(key, f"row {label!r}"), "persons")
    return dict(zip(("indicator_id", "definition_id", "origin_type", "origin", "unit"), values))


def _clean(name: str) -> str:
    """Join a name broken over lines in the heading ('Fuentela-\\nrreina', 'Casa de \\nCampo')."""
    joined = re.sub(r"-\n(?=[a-záéíóúñ])", "", str(name)).replace("-\n", "-")
    return " ".join(joined.replace("\n", " ").split())

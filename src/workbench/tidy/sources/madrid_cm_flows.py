"""Comunidad de Madrid: immigration flows of foreigners by continent and country of origin."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import column_letter, parse_number
from workbench.tidy.sources._madrid import CONTINENTS, OTHER_COUNTRIES_OF, cell_text, country_iso3, group_code
from workbench.tidy.sources._madrid_cm import (
    ANUARIO_SHEET,
    find_row,
    find_year_header,
    header_years,
    read_sheet,
    region_place,
)


TITLE_FLOWS = "Inmigrantes extranjeros por continente y país de procedencia"


def read_immigration_flows(path: Path) -> pd.DataFrame:
    """Reshape Anuario table 2-3-5 "Inmigrantes extranjeros por continente y país de procedencia".

    Parameters
    ----------
    path
        The ``.xls`` file (``anu2-3-5.xls``).

    Returns
    -------
    pandas.DataFrame
        Columns ``level`` ('total', 'continent' or 'country': countries are the indented
        rows), ``continent`` (label of the continent a country row lies under, '' otherwise),
        ``label`` (as published, spaces trimmed), ``year`` (int), ``value``.

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title, a header cell that is not a year, no 'Total' row first,
        a country row before any continent, a non-number.
    """
    sheet = read_sheet(path, ANUARIO_SHEET)
    where = f"{path}, sheet {ANUARIO_SHEET!r}"
    find_row(sheet, 0, TITLE_FLOWS, where, "title")
    header = find_year_header(sheet, where)
    years = header_years(sheet, header, where)
    records: list[dict[str, object]] = []
    continent = ""
    for i in range(header + 1, len(sheet)):
        raw_label = sheet.iat[i, 0]
        label = cell_text(raw_label)
        if label.startswith("Fuente"):
            break
        if not label:
            continue
        level = _flow_level(raw_label, label, not records)
        if level == "continent":
            continent = label
        elif level == "country" and not continent:
            raise SourceFormatError(f"{where}, row {i + 1}, column 'A': country {label!r} before any continent; expected a continent row first")
        for j, year in years.items():
            value = parse_number(sheet.iat[i, j], where, i + 1, column_letter(j))
            if value is not None:
                records.append(
                    {"level": level, "continent": continent if level == "country" else "",
                     "label": label, "year": year, "value": value}
                )
    if not records or records[0]["level"] != "total":
        raise SourceFormatError(f"{where}, row {header + 2}, column 'A': expected a 'Total' row right under the years; none found")
    frame = pd.DataFrame.from_records(records, columns=["level", "continent", "label", "year", "value"])
    frame.attrs["path"] = str(path)
    return frame


def harmonise_immigration_flows(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_immigration_flows` output into tidy rows (inflows, foreign_nationality).

    Regional figures only (``ES30``); countries of origin get ISO3 codes (``origin_country``),
    continents and each continent's "Otros países" group codes (``origin_group``). The
    reference date is the last day of the year.

    Raises
    ------
    SourceFormatError
        An unknown continent or country name.
    """
    where = raw.attrs.get("path", "immigration flows table")
    origins = [_flow_origin(lv, c, lb, where) for lv, c, lb in zip(raw["level"], raw["continent"], raw["label"])]
    rows = pd.DataFrame([region_place()] * len(raw))
    rows["indicator_id"] = "inflows"
    rows["definition_id"] = "foreign_nationality"
    rows["origin_type"] = [o[0] for o in origins]
    rows["origin"] = [o[1] for o in origins]
    rows["period"] = raw["year"].astype(str).to_numpy()
    rows["ref_date"] = [f"{y}-12-31" for y in raw["year"]]
    rows["value"] = raw["value"].to_numpy()
    rows["unit"] = "persons"
    rows["note"] = [o[2] for o in origins]
    return rows


def _flow_level(raw_label: object, label: str, first: bool) -> str:
    if first:
        return "total" if label.lower() == "total" else "continent"
    indent = len(str(raw_label)) - len(str(raw_label).lstrip())
    return "country" if indent >= 2 else "continent"


def _flow_origin(level: str, continent: str, label: str, where: str) -> tuple[str, str, str]:
    if level == "total":
        return "", "total", ""
    if level == "continent":
        return "origin_group", group_code(label, CONTINENTS, "continent", where), ""
    code = group_code(continent, CONTINENTS, "continent", where)
    if label == "Otros países":
        return "origin_group", OTHER_COUNTRIES_OF[code], f"'Otros países' of {continent}: countries not shown separately"
    return "origin_country", country_iso3(label, f"{where}, row {label!r}"), ""

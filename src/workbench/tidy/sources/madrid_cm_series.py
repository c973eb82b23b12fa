"""Comunidad de Madrid: the population series by statistical zone and municipality, with its notes by year."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import column_letter, expect_cell, parse_number
from workbench.tidy.sources._madrid import MONTHS, cell_text
from workbench.tidy.sources._madrid_cm import (
    ANUARIO_SHEET,
    COMUNIDAD_NAME,
    IECM_NAME_SYSTEM,
    YEAR_IN_TEXT,
    city_codes,
    city_place,
    find_row,
    find_year_header,
    header_years,
    read_sheet,
    region_place,
    require_places,
)


TITLE_SERIES = "Población empadronada por zonas estadísticas y por municipios"


#: Blocks of the population series, in file order (separated by blank rows).
SERIES_BLOCKS = ("comunidad", "zona_estadistica", "municipio")


def read_population_series(path: Path) -> pd.DataFrame:
    """Reshape "Población empadronada por zonas estadísticas y por municipios" (1985-2022).

    Parameters
    ----------
    path
        The ``.xls`` file.

    Returns
    -------
    pandas.DataFrame
        Columns ``block`` (one of :data:`SERIES_BLOCKS`), ``place`` (label as published),
        ``year`` (int), ``reference_note`` (the footnote line that dates that year's
        figures, verbatim), ``value``.

    Raises
    ------
    SourceFormatError
        Wrong sheet, missing title, a header cell that is not a year, blocks not as
        expected, a year that no footnote dates, a non-number.
    """
    sheet = read_sheet(path, ANUARIO_SHEET)
    where = f"{path}, sheet {ANUARIO_SHEET!r}"
    find_row(sheet, 0, TITLE_SERIES, where, "title")
    header = find_year_header(sheet, where)
    years = header_years(sheet, header, where)
    body_end = find_row(sheet, 0, "(1)", where, "footnote (1)", start=header + 1, limit=len(sheet))
    notes = _notes_by_year(_note_lines(sheet, body_end, where), list(years.values()), where, body_end)
    blocks = _split_blocks(sheet, header + 1, body_end)
    if len(blocks) != len(SERIES_BLOCKS):
        raise SourceFormatError(
            f"{where}: expected {len(SERIES_BLOCKS)} blocks of rows separated by blank rows "
            f"(Comunidad, zonas estadísticas, municipios), found {len(blocks)}. "
            "Has the publisher changed the layout?"
        )
    expect_cell(sheet.iat[blocks[0][0], 0], COMUNIDAD_NAME, where, blocks[0][0] + 1, "A")
    records = []
    for block, rows in zip(SERIES_BLOCKS, blocks):
        for i in rows:
            place = cell_text(sheet.iat[i, 0])
            if not place:
                raise SourceFormatError(f"{where}, row {i + 1}, column 'A': place name missing; expected a place")
            for j, year in years.items():
                value = parse_number(sheet.iat[i, j], where, i + 1, column_letter(j))
                if value is not None:
                    records.append(
                        {"block": block, "place": place, "year": year,
                         "reference_note": notes[year], "value": value}
                    )
    return pd.DataFrame.from_records(records, columns=["block", "place", "year", "reference_note", "value"])


def harmonise_population_series(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_population_series` output into tidy rows (population, total_population).

    Keeps the Comunidad de Madrid (``ES30``) and the network municipalities (found by their
    name in the ``madrid_iecm_municipality_name`` code system). Each year's reference date
    comes from the file's footnote; values not dated 1 January (1985-1996: annual
    rectifications, the 1986 and 1996 Padrón renewals, the 1991 census) are flagged ``d``
    with the footnote as note.

    Raises
    ------
    SourceFormatError
        A network municipality missing, a footnote without a readable date.
    """
    names = city_codes(cities, IECM_NAME_SYSTEM)
    is_region = raw["block"] == "comunidad"
    is_city = (raw["block"] == "municipio") & raw["place"].isin(list(names))
    require_places(raw.loc[is_city, "place"], names, f"{IECM_NAME_SYSTEM} municipality name")
    frame = raw[is_region | is_city].copy()
    place = [region_place() if b == "comunidad" else city_place(cities[names[p]], p)
             for b, p in zip(frame["block"], frame["place"])]
    dates = [_note_date(n, y) for n, y in zip(frame["reference_note"], frame["year"])]
    rows = pd.DataFrame(place, index=frame.index)
    rows["indicator_id"] = "population"
    rows["definition_id"] = "total_population"
    rows["period"] = frame["year"].astype(str)
    rows["ref_date"] = dates
    rows["value"] = frame["value"]
    rows["unit"] = "persons"
    january = [d.endswith("-01-01") for d in dates]
    rows["flag"] = ["" if j else "d" for j in january]
    rows["note"] = [
        "" if j else f"Not a 1 January count; the file's footnote: '{n}'"
        for j, n in zip(january, frame["reference_note"])
    ]
    return rows.reset_index(drop=True)


def _split_blocks(sheet: pd.DataFrame, start: int, end: int) -> list[list[int]]:
    blocks: list[list[int]] = []
    current: list[int] = []
    for i in range(start, end):
        if sheet.iloc[i].isna().all():
            if current:
                blocks.append(current)
            current = []
        else:
            current.append(i)
    if current:
        blocks.append(current)
    return blocks


def _note_lines(sheet: pd.DataFrame, start: int, path: Path | str) -> list[str]:
    lines = []
    for i in range(start, len(sheet)):
        text = " ".join(cell_text(sheet.iat[i, 0]).split())
        if text.startswith("Fuente") or (text.startswith("(") and not text.startswith("(1)")):
            break
        if text:
            lines.append(text.removeprefix("(1)").strip())
    if not lines:
        raise SourceFormatError(f"{path}, row {start + 1}: footnote (1) on reference dates is empty")
    return lines


def _notes_by_year(lines: list[str], years: list[int], path: Path | str, row: int) -> dict[int, str]:
    """Give each year the footnote line that names it ("Años 1987, 1988 ...", "A partir de 1998")."""
    notes: dict[int, str] = {}
    for line in lines:
        named = [int(y) for y in YEAR_IN_TEXT.findall(line)]
        if line.lower().startswith("a partir de") and named:
            applies = [y for y in years if y >= named[0]]
        else:
            applies = named
        for year in applies:
            notes.setdefault(year, line)
    undated = [y for y in years if y not in notes]
    if undated:
        raise SourceFormatError(
            f"{path}, row {row + 1}: footnote (1) gives no reference date for year(s) {undated}"
        )
    return notes


def _note_date(note: str, year: int) -> str:
    m = re.search(r"(\d{1,2}) de (" + "|".join(MONTHS) + r")", note.lower())
    if not m:
        raise SourceFormatError(f"footnote for {year} gives no reference date ('<day> de <month>'): {note!r}")
    return f"{year}-{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}"

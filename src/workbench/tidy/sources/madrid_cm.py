"""Comunidad de Madrid statistical institute: Padrón 2021 tables, population series, immigration flows."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.sources._common import (
    column_letter,
    expect_cell,
    parse_number,
    read_excel_checked,
    single_file,
    tidy_frame,
)
from workbench.tidy.sources._madrid import (
    BIRTH_REGIONS,
    CONTINENTS,
    MONTHS,
    NATIONALITY_GROUPS,
    OTHER_COUNTRIES_OF,
    cell_text,
    country_iso3,
    group_code,
)

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

#: Titles of the tables (checked in the files).
TITLE_NATIONALITY = "Nacidos en el extranjero por Municipio de residencia según País de nacionalidad"
TITLE_AGE_REGION = (
    "Nacidos en el extranjero por Municipio de residencia y Grupos quinquenales de edad "
    "según Subcontinente de nacimiento"
)
TITLE_BIRTH_REGION = "Población total por Municipio de residencia según Subcontinente de nacimiento"
TITLE_SERIES = "Población empadronada por zonas estadísticas y por municipios"
TITLE_FLOWS = "Inmigrantes extranjeros por continente y país de procedencia"

#: Labels of the total rows and columns of the Padrón exports.
TOTAL_MUNICIPALITY = "Total Municipio de residencia"
TOTAL_NATIONALITY = "Total País de nacionalidad"
TOTAL_REGION = "Total Subcontinente de nacimiento"
TOTAL_AGE = "Total Grupos quinquenales de edad"

#: Blocks of the population series, in file order (separated by blank rows).
SERIES_BLOCKS = ("comunidad", "zona_estadistica", "municipio")

_HEAD_ROWS = 20
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one Comunidad de Madrid source.

    Parameters
    ----------
    source_id
        One of the ids in :data:`LAYOUTS`.
    files
        The one official file of the source.
    cities
        The cities registry (municipality codes and names are looked up there).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown source id, wrong number of files, or a file not in the expected layout.
    """
    path = single_file(__name__, source_id, LAYOUTS, files)
    read, harmonise = LAYOUTS[source_id]
    return tidy_frame(harmonise(read(path), cities), source_id)


# ---------------------------------------------------------------------------------------------
# Reading: faithful reshapes of the published tables
# ---------------------------------------------------------------------------------------------


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
    sheet = _read_sheet(path, ANUARIO_SHEET)
    where = f"{path}, sheet {ANUARIO_SHEET!r}"
    _find_row(sheet, 0, TITLE_SERIES, where, "title")
    header = _find_year_header(sheet, where)
    years = _header_years(sheet, header, where)
    body_end = _find_row(sheet, 0, "(1)", where, "footnote (1)", start=header + 1, limit=len(sheet))
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
    sheet = _read_sheet(path, ANUARIO_SHEET)
    where = f"{path}, sheet {ANUARIO_SHEET!r}"
    _find_row(sheet, 0, TITLE_FLOWS, where, "title")
    header = _find_year_header(sheet, where)
    years = _header_years(sheet, header, where)
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


# ---------------------------------------------------------------------------------------------
# Harmonising: place ids, definitions, origins, dates
# ---------------------------------------------------------------------------------------------


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
    names = _codes(cities, IECM_NAME_SYSTEM)
    is_region = raw["block"] == "comunidad"
    is_city = (raw["block"] == "municipio") & raw["place"].isin(list(names))
    _require_places(raw.loc[is_city, "place"], names, f"{IECM_NAME_SYSTEM} municipality name")
    frame = raw[is_region | is_city].copy()
    place = [_region_place() if b == "comunidad" else _city_place(cities[names[p]], p)
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
    rows = pd.DataFrame([_region_place()] * len(raw))
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


# ---------------------------------------------------------------------------------------------
# Helpers: reading
# ---------------------------------------------------------------------------------------------


def _read_sheet(path: Path, sheet: str) -> pd.DataFrame:
    kwargs: dict[str, object] = {"dtype": object}
    if Path(path).suffix.lower() == ".xls":
        kwargs["engine_kwargs"] = {"logfile": io.StringIO()}
    frame = read_excel_checked(path, sheet, **kwargs)
    if frame.empty:
        raise SourceFormatError(f"{path}, sheet {sheet!r}: the sheet is empty; expected the published table")
    return frame


def _read_padron_export(path: Path, title: str, total_label: str, column_name: str, *, age: bool) -> pd.DataFrame:
    sheet = _read_sheet(path, PADRON_SHEET)
    where = f"{path}, sheet {PADRON_SHEET!r}"
    edition_row = _find_row(sheet, 0, "Padrón Continuo", where, "edition line 'Padrón Continuo. <year>'")
    _find_row(sheet, 0, title, where, "title")
    first = 3 if age else 2
    header = _find_row(sheet, first, total_label, where, "header")
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
    row_code = _code(row.iloc[0])
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


def _find_row(
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


def _find_year_header(sheet: pd.DataFrame, path: Path | str) -> int:
    # the first row holding a year from column B on (its other cells are checked next)
    for i in range(min(_HEAD_ROWS, len(sheet))):
        if any(_is_year(sheet.iat[i, j]) for j in range(1, sheet.shape[1])):
            return i
    raise SourceFormatError(
        f"{path}, rows 1-{min(_HEAD_ROWS, len(sheet))}, column 'B': expected a header row of years from "
        "column B, none found. Has the publisher changed the layout?"
    )


def _header_years(sheet: pd.DataFrame, header: int, path: Path | str) -> dict[int, int]:
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
        named = [int(y) for y in _YEAR.findall(line)]
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


def _flow_level(raw_label: object, label: str, first: bool) -> str:
    if first:
        return "total" if label.lower() == "total" else "continent"
    indent = len(str(raw_label)) - len(str(raw_label).lstrip())
    return "country" if indent >= 2 else "continent"


def _code(cell: object) -> str:
    """Return a municipality code as 4-digit text (codes stored as numbers lose their zeros)."""
    if isinstance(cell, (int, float)) and not pd.isna(cell):
        return f"{int(cell):04d}"
    return cell_text(cell)


# ---------------------------------------------------------------------------------------------
# Helpers: harmonising
# ---------------------------------------------------------------------------------------------


def _codes(cities: dict[str, City], system: str) -> dict[str, str]:
    """Map the codes of one cities.yaml code system to city ids; no code at all is an error."""
    codes = codes_of(cities, system)
    if not codes:
        raise SourceFormatError(f"no city of cities.yaml declares a '{system}' code; the Madrid rows cannot be found")
    return codes


def _require_places(found: pd.Series, wanted: dict[str, str], what: str) -> None:
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise SourceFormatError(
            f"{what}(s) {missing} of cities.yaml ({', '.join(wanted[m] for m in missing)}) not found in the file"
        )


def _region_place() -> dict[str, str]:
    return {
        "place_id": COMUNIDAD_PLACE_ID,
        "place_name": COMUNIDAD_NAME,
        "geography_level": "nuts2",
        "country_iso3": COUNTRY,
        "city_id": "",
    }


def _city_place(city: City, name: str) -> dict[str, str]:
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


def _with_places(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Keep the Comunidad total and the network municipalities, with tidy place columns."""
    codes = _codes(cities, IECM_CODE_SYSTEM)
    is_region = (raw["municipality_code"] == "") & (raw["municipality"] == TOTAL_MUNICIPALITY)
    is_city = raw["municipality_code"].isin(list(codes))
    _require_places(raw.loc[is_city, "municipality_code"], codes, f"{IECM_CODE_SYSTEM} code")
    if not is_region.any():
        raise SourceFormatError(f"{raw.attrs.get('path', 'Padrón table')}: no '{TOTAL_MUNICIPALITY}' row")
    frame = raw[is_region | is_city]
    places = [
        _region_place() if c == "" else _city_place(cities[codes[c]], n)
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
    years = {m.group(1) for e in editions if (m := _YEAR.search(e))}
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


def _note_date(note: str, year: int) -> str:
    m = re.search(r"(\d{1,2}) de (" + "|".join(MONTHS) + r")", note.lower())
    if not m:
        raise SourceFormatError(f"footnote for {year} gives no reference date ('<day> de <month>'): {note!r}")
    return f"{year}-{MONTHS[m.group(2)]:02d}-{int(m.group(1)):02d}"


def _flow_origin(level: str, continent: str, label: str, where: str) -> tuple[str, str, str]:
    if level == "total":
        return "", "total", ""
    if level == "continent":
        return "origin_group", group_code(label, CONTINENTS, "continent", where), ""
    code = group_code(continent, CONTINENTS, "continent", where)
    if label == "Otros países":
        return "origin_group", OTHER_COUNTRIES_OF[code], f"'Otros países' of {continent}: countries not shown separately"
    return "origin_country", country_iso3(label, f"{where}, row {label!r}"), ""


#: Source id -> (reader, harmoniser).
LAYOUTS: dict[str, tuple[Callable[[Path], pd.DataFrame], Callable[[pd.DataFrame, dict[str, City]], pd.DataFrame]]] = {
    "cm_padron_foreign_born_nationality_2021": (read_foreign_born_nationality, harmonise_foreign_born_nationality),
    "cm_padron_foreign_born_age_region_2021": (read_foreign_born_age_region, harmonise_foreign_born_age_region),
    "cm_padron_population_birth_region_2021": (read_population_birth_region, harmonise_population_birth_region),
    "cm_padron_population_series": (read_population_series, harmonise_population_series),
    "cm_immigration_flows_foreigners": (read_immigration_flows, harmonise_immigration_flows),
}

"""HCP Morocco census (RGPH 2024, 2014) legal population and households by region, province, commune."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, tidy_frame

SOURCE_ID = "hcp_rgph"

#: Census reference dates (RGPH 2014 and RGPH 2024 both refer to 1 September).
CENSUS_DATES: dict[str, str] = {"2014": "2014-09-01", "2024": "2024-09-01"}

REGION_COLUMNS = ("code", "name_fr", "name_ar", "population_2024", "households_2024")
PROVINCE_COLUMNS = ("code", "name_fr", "name_ar", "type", "region_code", "population_2024", "households_2024")
COMMUNE_COLUMNS = (
    "code",
    "name_fr",
    "name_ar",
    "type",
    "region_code",
    "province_code",
    "population_2024",
    "households_2024",
    "population_2014",
)

#: Columns holding census figures; others (names, codes, OpenStreetMap area and density,
#: the upstream author's % change, counts of sub-units) are not figures of this source.
_MEASURE = re.compile(r"^(?P<measure>population|households)_(?P<year>\d{4})$")

_ID_COLUMNS = ("code", "name_fr", "name_ar", "type", "region_code", "province_code")

_PROVINCE_LEVELS = {
    "prefecture": "prefecture",
    "province": "province",
    "prefecture_of_arrondissements": "prefecture",
}

_COMMUNE_TYPES = {"urban": "commune urbaine", "rural": "commune rurale"}

_CENSUS_NOTES = {
    "population": "HCP RGPH {year}, population légale (legal population); census reference date 1 September {year}",
    "households": "HCP RGPH {year}, ménages (households); census reference date 1 September {year}",
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return the tidy rows of the HCP census tables.

    Parameters
    ----------
    source_id
        Must be ``hcp_rgph``.
    files
        ``regions.csv``, ``provinces.csv`` and ``communes_*.csv`` (any order; told apart by name).
    cities
        The cities registry (codes ``hcp_region`` and ``hcp_province``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SourceFormatError
        Unknown source id, a missing or unexpected file, or a layout not as expected.
    """
    if source_id != SOURCE_ID:
        raise SourceFormatError(f"workbench.tidy.sources.hcp serves {SOURCE_ID!r}, not {source_id!r}")
    by_kind = _sort_files(files)
    raw = pd.concat(
        [
            read_regions(by_kind["regions"]),
            read_provinces(by_kind["provinces"]),
            read_communes(by_kind["communes"]),
        ],
        ignore_index=True,
    )
    return harmonise_rgph(raw, cities)


def _sort_files(files: list[Path]) -> dict[str, Path]:
    kinds = {}
    for path in files:
        name = Path(path).name
        kind = next((k for k in ("regions", "provinces", "communes") if name.startswith(k)), None)
        if kind is None or kind in kinds:
            raise SourceFormatError(
                f"{SOURCE_ID}: unexpected or repeated file {path}; expected regions.csv, "
                "provinces.csv and communes_*.csv once each"
            )
        kinds[kind] = Path(path)
    missing = [k for k in ("regions", "provinces", "communes") if k not in kinds]
    if missing:
        raise SourceFormatError(f"{SOURCE_ID}: missing file(s) for {missing}; got {files}")
    return kinds


def read_regions(path: Path) -> pd.DataFrame:
    """Read ``regions.csv`` (one row per region) into long census figures.

    Returns
    -------
    pandas.DataFrame
        See :func:`read_table`.
    """
    return read_table(path, "region", REGION_COLUMNS)


def read_provinces(path: Path) -> pd.DataFrame:
    """Read ``provinces.csv`` (provinces, préfectures, préfectures d'arrondissements).

    Returns
    -------
    pandas.DataFrame
        See :func:`read_table`.
    """
    return read_table(path, "province", PROVINCE_COLUMNS)


def read_communes(path: Path) -> pd.DataFrame:
    """Read ``communes*.csv`` (communes with 2024 and 2014 figures).

    Returns
    -------
    pandas.DataFrame
        See :func:`read_table`.
    """
    return read_table(path, "commune", COMMUNE_COLUMNS)


def read_table(path: Path, table: str, expected: tuple[str, ...]) -> pd.DataFrame:
    """Reshape one HCP attribute table to long form: one row per unit and census figure.

    Parameters
    ----------
    path
        The CSV (UTF-8, with or without byte-order mark).
    table
        ``region``, ``province`` or ``commune``: written in column ``table``.
    expected
        Columns the file must have.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``line`` (CSV line), the identifying columns the file has
        (``code``, ``name_fr``, ``name_ar``, ``type``, ``region_code``, ``province_code``),
        ``measure`` (``population`` or ``households``), ``year`` and ``value`` (float;
        empty cells give no row).

    Raises
    ------
    SourceFormatError
        Missing file or column, no data rows, empty or repeated code, or a non-numeric figure.
    """
    frame = read_csv_checked(path, encoding="utf-8-sig")
    require_columns(frame, expected, path)
    check_row_lengths(frame)
    if frame.empty:
        raise SourceFormatError(f"{path}: no data rows below the header")
    _check_codes(frame, path)
    ids = [c for c in _ID_COLUMNS if c in frame.columns]
    measures = [c for c in frame.columns if _MEASURE.match(c)]
    records = []
    for i, row in enumerate(frame.to_dict("records")):
        for column in measures:
            value = parse_number(row[column], path, i + 2, column)
            if value is not None:
                match = _MEASURE.match(column)
                records.append(
                    {
                        "table": table,
                        "line": i + 2,
                        **{c: row[c] for c in ids},
                        "measure": match["measure"],
                        "year": match["year"],
                        "value": value,
                    }
                )
    return pd.DataFrame(records)


def _check_codes(frame: pd.DataFrame, path: Path) -> None:
    codes = frame["code"]
    empty = codes.isna()
    if empty.any():
        raise SourceFormatError(f"{path}, row {int(frame.index[empty][0]) + 2}, column 'code': empty code")
    repeated = codes.duplicated()
    if repeated.any():
        i = int(frame.index[repeated][0])
        raise SourceFormatError(f"{path}, row {i + 2}, column 'code': code {codes[i]!r} appears twice")


def harmonise_rgph(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Map HCP units and figures to tidy rows.

    Every region and province is kept (country context); communes are kept only for
    provinces listed under ``codes.hcp_province`` of a city (the network city's préfecture).
    Regions and provinces listed under ``hcp_region`` / ``hcp_province`` get that city's id,
    and so do the communes of such a province.

    Parameters
    ----------
    raw
        Output of the ``read_*`` functions, concatenated.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy rows for source ``hcp_rgph``: ``population`` and ``households`` of the
        ``total_population``, at the census reference date.

    Raises
    ------
    SourceFormatError
        An unknown province type, commune type or census year.
    """
    regions = codes_of(cities, "hcp_region")
    provinces = codes_of(cities, "hcp_province")
    communes = codes_of(cities, "hcp_commune")
    rows = []
    for record in raw.to_dict("records"):
        place = _describe_place(record, regions, provinces, communes)
        if place is not None:
            figure = _describe_figure(record)
            note = "; ".join(n for n in (figure.pop("note"), place.pop("place_note")) if n)
            rows.append({**place, **figure, "note": note})
    return tidy_frame(rows, SOURCE_ID)


def _describe_place(
    record: dict, regions: dict[str, str], provinces: dict[str, str], communes: dict[str, str]
) -> dict | None:
    table = record["table"]
    code = record["code"]
    base = {"place_id": f"MAR-{code}", "place_name": record["name_fr"], "country_iso3": "MAR"}
    if table == "region":
        return {**base, "geography_level": "region", "city_id": regions.get(code, ""), "place_note": ""}
    if table == "province":
        kind = record["type"]
        if kind not in _PROVINCE_LEVELS:
            raise SourceFormatError(
                f"{SOURCE_ID}: provinces.csv, row {record['line']}, column 'type': unknown type {kind!r}; "
                f"expected one of {list(_PROVINCE_LEVELS)}"
            )
        note = (
            "préfecture d'arrondissements inside the Casablanca prefecture (06.141), included in its total"
            if kind == "prefecture_of_arrondissements"
            else ""
        )
        return {**base, "geography_level": _PROVINCE_LEVELS[kind], "city_id": provinces.get(code, ""), "place_note": note}
    if record["province_code"] not in provinces:
        return None
    kind = record["type"]
    if kind not in _COMMUNE_TYPES:
        raise SourceFormatError(
            f"{SOURCE_ID}: communes file, row {record['line']}, column 'type': unknown type {kind!r}; "
            f"expected one of {list(_COMMUNE_TYPES)}"
        )
    return {
        **base,
        "geography_level": "municipality",
        # the other communes of the préfecture lie outside the city: kept as context, not as the city
        "city_id": communes.get(code, ""),
        "place_note": f"{_COMMUNE_TYPES[kind]} of the préfecture/province {record['province_code']}",
    }


def _describe_figure(record: dict) -> dict:
    year = record["year"]
    if year not in CENSUS_DATES:
        raise SourceFormatError(
            f"{SOURCE_ID}: row {record['line']} of the {record['table']} table: census year {year} "
            f"unknown; known: {sorted(CENSUS_DATES)}"
        )
    notes = [_CENSUS_NOTES[record["measure"]].format(year=year)]
    if record["table"] == "commune" and year == "2014":
        notes.append("2014 figure mapped to 2024 commune boundaries by the upstream compiler (crosswalk)")
    is_households = record["measure"] == "households"
    return {
        "indicator_id": "households" if is_households else "population",
        "definition_id": "total_population",
        "period": year,
        "ref_date": CENSUS_DATES[year],
        "value": record["value"],
        "unit": "count" if is_households else "persons",
        "note": "; ".join(notes),
    }

"""INSEE census tables for Lyon ('Étrangers – Immigrés' tables IMG1B, IMG2B, NAT1, NAT2, NAT3A, NAT3B)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, single_file, tidy_frame

SOURCE_ID = "insee_rp_lyon"

#: Columns of the long transcription of the INSEE pages.
RP_COLUMNS: tuple[str, ...] = (
    "geography",
    "census_year",
    "insee_table",
    "sex",
    "row_label",
    "column_label",
    "value",
    "page_url",
    "insee_source_note",
)

_GEOGRAPHY = re.compile(
    r"^(?P<kind>Commune|Unité urbaine|Zone d'emploi|Département)"
    r"(?: (?P<vintage>\d{4}))?(?: de | du | d'| de l')(?P<name>.+?) \((?P<code>[0-9A-Z]+)\)$"
)

_SEXES = {"Ensemble": "total", "Hommes": "male", "Femmes": "female"}

_AGES = {
    "Moins de 15 ans": "Y_LT15",
    "15 à 24 ans": "Y15-24",
    "25 à 54 ans": "Y25-54",
    "55 ans ou plus": "Y55-MAX",
    "Ensemble": "total",
}

#: INSEE 'type d'activité' (self-declared in the census, not ILO status) -> category code.
_ACTIVITIES = {
    "Actifs ayant un emploi": "activity:employed",
    "Chômeurs": "activity:unemployed",
    "Retraités ou préretraités": "activity:retired",
    "Élèves, étudiants, stagiaires non rémunérés": "activity:student",
    "Femmes ou hommes au foyer": "activity:homemaker",
    "Autres inactifs": "activity:other_inactive",
    "Ensemble": "total",
}

#: INSEE 'catégorie socioprofessionnelle' (PCS groups 1-8) -> category code.
_CSP = {
    "Agriculteurs exploitants": "csp:farmers",
    "Artisans, commerçants, chefs d'entreprise": "csp:craftsmen_shopkeepers_business_owners",
    "Cadres et professions intellectuelles supérieures": "csp:executives_higher_intellectual_professions",
    "Professions intermédiaires": "csp:intermediate_professions",
    "Employés": "csp:employees",
    "Ouvriers": "csp:manual_workers",
    "Retraités": "csp:retired",
    "Autres personnes sans activité professionnelle": "csp:other_without_occupation",
    "Ensemble": "total",
}

#: Row labels -> (definition_id, origin_type, origin).
_SIMPLE_NATIONALITY = {
    "Français": ("national_citizens", "", "total"),
    "Étrangers": ("foreign_nationality", "", "total"),
    "Ensemble": ("total_population", "", "total"),
    "Immigrés": ("immigre_insee", "", "total"),
    "Non-immigrés": ("non_immigre_insee", "", "total"),
}

_DETAILED_NATIONALITY = {
    "Français de naissance": ("national_citizens", "citizenship_group", "FR_BY_BIRTH"),
    "Français par acquisition": ("national_citizens", "citizenship_group", "FR_BY_ACQUISITION"),
    "Portugais": ("foreign_nationality", "citizenship", "PRT"),
    "Italiens": ("foreign_nationality", "citizenship", "ITA"),
    "Espagnols": ("foreign_nationality", "citizenship", "ESP"),
    "Autres nationalités de l'UE": ("foreign_nationality", "citizenship_group", "INSEE_EU_OTHER"),
    "Autres nationalités d'Europe": ("foreign_nationality", "citizenship_group", "INSEE_EUROPE_OTHER"),
    "Algériens": ("foreign_nationality", "citizenship", "DZA"),
    "Marocains": ("foreign_nationality", "citizenship", "MAR"),
    "Tunisiens": ("foreign_nationality", "citizenship", "TUN"),
    "Autres nationalités d'Afrique": ("foreign_nationality", "citizenship_group", "INSEE_AFRICA_OTHER"),
    "Turcs": ("foreign_nationality", "citizenship", "TUR"),
    "Autres nationalités": ("foreign_nationality", "citizenship_group", "INSEE_WORLD_OTHER"),
    "Ensemble": ("total_population", "", "total"),
}

_BIRTH_GROUP = {
    "Portugal": ("immigre_insee", "birth_country", "PRT"),
    "Italie": ("immigre_insee", "birth_country", "ITA"),
    "Espagne": ("immigre_insee", "birth_country", "ESP"),
    "Autres pays de l'Union Européenne à 27": ("immigre_insee", "birth_group", "INSEE_EU27_OTHER"),
    "Autres pays de l'Union Européenne": ("immigre_insee", "birth_group", "INSEE_EU_OTHER"),
    "Autres pays d'Europe": ("immigre_insee", "birth_group", "INSEE_EUROPE_OTHER"),
    "Algérie": ("immigre_insee", "birth_country", "DZA"),
    "Maroc": ("immigre_insee", "birth_country", "MAR"),
    "Tunisie": ("immigre_insee", "birth_country", "TUN"),
    "Autres pays d'Afrique": ("immigre_insee", "birth_group", "INSEE_AFRICA_OTHER"),
    "Turquie": ("immigre_insee", "birth_country", "TUR"),
    "Autres pays": ("immigre_insee", "birth_group", "INSEE_WORLD_OTHER"),
    "Ensemble": ("immigre_insee", "", "total"),
}

#: Table code -> (row-label map, column-label map, age of the whole table or None when the
#: columns are age bands).
_TABLES: dict[str, tuple[dict, dict, str | None]] = {
    "IMG1B": (_BIRTH_GROUP, _AGES, None),
    "IMG2B": (_BIRTH_GROUP, _ACTIVITIES, "Y15-MAX"),
    "NAT1": (_SIMPLE_NATIONALITY, _AGES, None),
    "NAT2": (_SIMPLE_NATIONALITY, _ACTIVITIES, "Y15-MAX"),
    "NAT3A": (_SIMPLE_NATIONALITY, _CSP, "total"),
    "NAT3B": (_DETAILED_NATIONALITY, _CSP, "total"),
}

#: Geography kind -> (place-id prefix, geography level); zonings add their year to the prefix.
_LEVELS = {
    "Commune": ("FR-", "municipality"),
    "Unité urbaine": ("FR-UU", "urban_unit"),
    "Zone d'emploi": ("FR-ZE", "employment_zone"),
    "Département": ("FR-D", "departement"),
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return the tidy rows of the INSEE census tables for Lyon.

    Parameters
    ----------
    source_id
        Must be ``insee_rp_lyon``.
    files
        One path: the long transcription ``insee_rp_lyon_tables_from_stored_pages.csv``.
    cities
        The cities registry (labels under ``codes.insee_geography`` give the city ids).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown source id, wrong number of files, or a layout not as expected.
    """
    path = single_file(__name__, source_id, [SOURCE_ID], files)
    return harmonise_rp_tables(read_rp_tables(path), cities)


def read_rp_tables(path: Path) -> pd.DataFrame:
    """Read the long transcription of INSEE census tables, values as numbers.

    Parameters
    ----------
    path
        The CSV (UTF-8; columns :data:`RP_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The file's columns with the publisher's labels, ``value`` as float, plus ``line``
        (the CSV line of each row, for messages).

    Raises
    ------
    SourceFormatError
        Missing file or column, empty table, a non-numeric value or census year.
    """
    frame = read_csv_checked(path)
    require_columns(frame, RP_COLUMNS, path)
    check_row_lengths(frame)
    if frame.empty:
        raise SourceFormatError(f"{path}: no data rows below the header")
    frame = frame[list(RP_COLUMNS)].copy()
    frame.insert(0, "line", range(2, len(frame) + 2))
    frame["value"] = [
        parse_number(text, path, line, "value") for text, line in zip(frame["value"], frame["line"])
    ]
    bad_year = ~frame["census_year"].fillna("").str.fullmatch(r"\d{4}")
    if bad_year.any():
        first = frame[bad_year].iloc[0]
        raise SourceFormatError(
            f"{path}, row {first['line']}, column 'census_year': {first['census_year']!r} is not a year"
        )
    return frame.reset_index(drop=True)


def harmonise_rp_tables(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Map INSEE labels to tidy ids: places, definitions, origins, age, categories, dates.

    Activity status (NAT2, IMG2B) becomes ``population`` with ``category=activity:<code>``:
    INSEE publishes a partition of the population aged 15 or over by self-declared activity
    type (not ILO status), with no separate inactive total, so one indicator keeps the
    partition whole. Socio-professional categories become ``category=csp:<code>``.

    Parameters
    ----------
    raw
        Output of :func:`read_rp_tables`.
    cities
        The cities registry: a geography label listed under ``codes.insee_geography`` (as
        published, or without its trailing INSEE code in brackets) belongs to that city.

    Returns
    -------
    pandas.DataFrame
        Tidy rows for source ``insee_rp_lyon``.

    Raises
    ------
    SourceFormatError
        An unknown table, geography, sex, row or column label, or a census year that differs
        from the year in INSEE's source note.
    """
    path = SOURCE_ID
    codes = _insee_codes(cities)
    places = {geo: _describe_place(geo, codes, path) for geo in raw["geography"].unique()}
    rows = [_harmonise_row(record, places, path) for record in raw.to_dict("records")]
    return tidy_frame(rows, SOURCE_ID)


def _describe_place(label: str, codes: dict[str, str], path: str) -> dict[str, str]:
    match = _GEOGRAPHY.match(label or "")
    if match is None:
        raise SourceFormatError(
            f"{path}: geography {label!r} is not of the form 'Commune de X (code)', "
            "'Unité urbaine YYYY de X (code)', 'Zone d'emploi YYYY de X (code)' or 'Département du X (code)'"
        )
    prefix, level = _LEVELS[match["kind"]]
    zoning = match["kind"] in ("Unité urbaine", "Zone d'emploi")
    if zoning and not match["vintage"]:
        raise SourceFormatError(f"{path}: geography {label!r} lacks its zoning year")
    place_id = f"{prefix}{match['vintage']}-{match['code']}" if zoning else f"{prefix}{match['code']}"
    return {
        "place_id": place_id,
        "place_name": label,
        "geography_level": level,
        "country_iso3": "FRA",
        "city_id": _city_of(label, match["code"], codes, path),
    }


def _insee_codes(cities: dict[str, City]) -> dict[str, str]:
    """Map each ``codes.insee_geography`` label of the registry to its city id."""
    return codes_of(cities, "insee_geography")


def _city_of(label: str, code: str, codes: dict[str, str], path: str) -> str:
    """Find the city whose ``insee_geography`` labels list the label (with or without its code)."""
    bare = label.removesuffix(f" ({code})")
    for candidate in (label, bare):
        if candidate in codes:
            return codes[candidate]
    raise SourceFormatError(
        f"{path}: geography {label!r} is not listed under codes.insee_geography in cities.yaml"
    )


def _harmonise_row(record: dict, places: dict[str, dict], path: str) -> dict:
    line = record["line"]
    table = str(record["insee_table"]).split(" - ")[0].strip()
    if table not in _TABLES:
        raise SourceFormatError(
            f"{path}, row {line}, column 'insee_table': unknown table {record['insee_table']!r}; "
            f"known: {sorted(_TABLES)}"
        )
    row_map, column_map, table_age = _TABLES[table]
    definition, origin_type, origin = _lookup(row_map, record["row_label"], path, line, "row_label", table)
    column = _lookup(column_map, record["column_label"], path, line, "column_label", table)
    year = record["census_year"]
    source_note = str(record["insee_source_note"])
    if f"RP{year}" not in source_note.replace(" ", ""):
        raise SourceFormatError(
            f"{path}, row {line}, column 'insee_source_note': {source_note!r} does not name RP{year}"
        )
    return {
        **places[record["geography"]],
        "indicator_id": "population",
        "definition_id": definition,
        "sex": _lookup(_SEXES, record["sex"], path, line, "sex", table),
        "age": column if table_age is None else table_age,
        "origin_type": origin_type,
        "origin": origin,
        "category": "total" if table_age is None else column,
        "period": year,
        "ref_date": f"{year}-01-01",
        "value": record["value"],
        "unit": "persons",
        "note": f"RP {year} (5 annual surveys); {table}; {source_note}; {record['page_url']}",
    }


def _lookup(mapping: dict, label: object, path: str, line: int, column: str, table: str):
    if label not in mapping:
        raise SourceFormatError(
            f"{path}, row {line}, column {column!r}: label {label!r} not expected in table {table}; "
            f"expected one of {list(mapping)}"
        )
    return mapping[label]

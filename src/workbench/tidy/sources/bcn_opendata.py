"""Ajuntament de Barcelona, Open Data BCN: Padró population by world region of nationality and sex, by barri."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import require_columns, tidy_frame

SOURCE_ID = "bcn_opendata_nationality_region"

#: Code systems of data/registry/cities.yaml used here: the city whose portal publishes the file,
#: and its INE municipality code (the stem of the place ids, as for Madrid).
CITY_SYSTEM = "opendata_bcn"
INE_CODE_SYSTEM = "ine_municipality"

#: Columns of the yearly portal files ``YYYY_pad_mdb_nacionalitat-regio_sexe.csv``.
COLUMNS: tuple[str, ...] = (
    "Data_Referencia",
    "Codi_Districte",
    "Nom_Districte",
    "Codi_Barri",
    "Nom_Barri",
    "Valor",
    "NACIONALITAT_REGIO",
    "SEXE",
)

#: Columns of the Padró dimension table ``taula_dimensions_padro.csv`` (the official code list).
CODE_LIST_COLUMNS: tuple[str, ...] = (
    "Codi_Dimensio",
    "Desc_Dimensio",
    "Codi_Valor",
    "Desc_Valor_CA",
    "Desc_Valor_ES",
    "Desc_Valor_EN",
)

#: The publisher's mark of a cell below 5 persons withheld for confidentiality: not a zero.
SUPPRESSED = ".."

#: English labels of the code list's SEXE dimension -> tidy sex (the codes come from the list).
SEX_LABELS: dict[str, str] = {"Female": "female", "Male": "male"}

#: English labels of the code list's NACIONALITAT_REGIO dimension -> (origin group code, continent).
#: Codes are declared in data/registry/origins/bcn.yaml; the continent says which regions
#: ``non_european_nationality`` sums (``None``: nationality not recorded, in no continent).
REGIONS: dict[str, tuple[str, str | None]] = {
    "Eastern Africa": ("BCN_EASTERN_AFRICA", "Africa"),
    "Middle Africa": ("BCN_MIDDLE_AFRICA", "Africa"),
    "Northern Africa": ("BCN_NORTHERN_AFRICA", "Africa"),
    "Southern Africa": ("BCN_SOUTHERN_AFRICA", "Africa"),
    "Western Africa": ("BCN_WESTERN_AFRICA", "Africa"),
    "Caribbean": ("BCN_CARIBBEAN", "Americas"),
    "Central America": ("BCN_CENTRAL_AMERICA", "Americas"),
    "South America": ("BCN_SOUTH_AMERICA", "Americas"),
    "Northern America": ("BCN_NORTHERN_AMERICA", "Americas"),
    "Central Asia": ("BCN_CENTRAL_ASIA", "Asia"),
    "Eastern Asia": ("BCN_EASTERN_ASIA", "Asia"),
    "Southern Asia": ("BCN_SOUTHERN_ASIA", "Asia"),
    "South-Eastern Asia": ("BCN_SOUTH_EASTERN_ASIA", "Asia"),
    "Western Asia": ("BCN_WESTERN_ASIA", "Asia"),
    "Eastern Europe": ("BCN_EASTERN_EUROPE", "Europe"),
    "Northern Europe": ("BCN_NORTHERN_EUROPE", "Europe"),
    "Southern Europe": ("BCN_SOUTHERN_EUROPE_INCL_ESP", "Europe"),
    "Western Europe": ("BCN_WESTERN_EUROPE", "Europe"),
    "Australia and New Zealand": ("BCN_AUSTRALIA_NEW_ZEALAND", "Oceania"),
    "Melanesia": ("BCN_MELANESIA", "Oceania"),
    "Micronesia": ("BCN_MICRONESIA", "Oceania"),
    "Polynesia": ("BCN_POLYNESIA", "Oceania"),
    "Not available": ("BCN_NATIONALITY_NOT_RECORDED", None),
}

#: The region holding Spanish nationals: kept as published, flagged ``d``, never read as foreigners.
SPAIN_REGION = "BCN_SOUTHERN_EUROPE_INCL_ESP"
SPAIN_NOTE = (
    "Southern Europe as published includes Spanish nationals (with Italians, Portuguese ...): "
    "not a group of foreign nationals"
)

_DATE = re.compile(r"^(\d{4})-01-01$")
_CODE = re.compile(r"^[1-9]\d?$")
_COUNT = re.compile(r"^\d+$")


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for ``bcn_opendata_nationality_region``.

    Parameters
    ----------
    source_id
        ``bcn_opendata_nationality_region``.
    files
        The Padró file, then the Padró code list (in the order of the registry entry).
    cities
        The cities registry (the city declaring an ``opendata_bcn`` code, and its INE code).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    ConfigError
        Unknown source id or not two files.
    SourceFormatError
        A file not in the expected layout, or a code missing from the code list.
    """
    if source_id != SOURCE_ID:
        raise ConfigError(f"{__name__} does not build source '{source_id}'; it builds {SOURCE_ID}")
    if len(files) != 2:
        raise ConfigError(f"{source_id}: expected two files (the Padró table, the code list), got {[str(f) for f in files]}")
    codes = read_code_list(Path(files[1]))
    return harmonise_nationality_region(read_nationality_region(Path(files[0]), codes), cities)


def read_code_list(path: Path) -> pd.DataFrame:
    """Read the Padró dimension table: one row per (dimension, code) with its labels.

    Parameters
    ----------
    path
        ``taula_dimensions_padro.csv``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`CODE_LIST_COLUMNS` as published (text).

    Raises
    ------
    SourceFormatError
        Renamed or missing column, no SEXE or NACIONALITAT_REGIO dimension, or a code listed
        twice in one dimension.
    """
    table = read_csv_checked(path)
    require_columns(table, CODE_LIST_COLUMNS, path)
    check_row_lengths(table)
    table = table[list(CODE_LIST_COLUMNS)].fillna("")
    for dimension in ("SEXE", "NACIONALITAT_REGIO"):
        if not (table["Desc_Dimensio"] == dimension).any():
            raise SourceFormatError(
                f"{path}, column 'Desc_Dimensio': no dimension {dimension!r}; expected the Padró code list "
                "with the codes of SEXE and NACIONALITAT_REGIO"
            )
    twice = table.duplicated(["Desc_Dimensio", "Codi_Valor"], keep=False)
    if twice.any():
        row = table[twice].iloc[0]
        raise SourceFormatError(
            f"{path}, line {data_lines(table)[int(twice.to_numpy().argmax())]}, column 'Codi_Valor': code "
            f"{row['Codi_Valor']!r} appears twice in dimension {row['Desc_Dimensio']!r}; expected each code once"
        )
    return table.reset_index(drop=True)


def read_nationality_region(path: Path, codes: pd.DataFrame) -> pd.DataFrame:
    """Read the Padró table into one row per date, barri, region of nationality and sex, with labels.

    The mirror concatenates six yearly portal files (year blocks out of order); rows keep the
    file's order. A ``..`` cell (fewer than 5 persons, withheld) is kept with an empty value and
    ``suppressed`` true: it is not a zero (a combination with no residents has no row at all).

    Parameters
    ----------
    path
        ``2020-2025_pad_mdb_nacionalitat-regio_sexe.csv``.
    codes
        Output of :func:`read_code_list`.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS` as published (text), ``value`` (float, NaN where
        suppressed), ``suppressed`` (bool), ``line`` (the row's line in the file), and the code
        list's labels ``sex_ca``/``sex_es``/``sex_en`` and ``region_ca``/``region_es``/``region_en``.

    Raises
    ------
    SourceFormatError
        Renamed or missing column, a row of another length, an empty file, a value that is not a
        count or ``..``, a code that is not a number, a sex or region code missing from the code
        list, a reference date that is not 1 January, or the same cell twice.
    """
    table = read_csv_checked(path)
    require_columns(table, COLUMNS, path)
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: no data rows after the header; expected one row per date, barri, region and sex")
    table = table[list(COLUMNS)].fillna("")
    lines = data_lines(table)
    table["line"] = lines
    _check_pattern(table, "Data_Referencia", _DATE, "a reference date YYYY-01-01 (1 January)", path)
    for column in ("Codi_Districte", "Codi_Barri", "NACIONALITAT_REGIO", "SEXE"):
        _check_pattern(table, column, _CODE, "a code 1-99", path)
    text = table["Valor"].str.strip()
    table["suppressed"] = text == SUPPRESSED
    _check_pattern(table[~table["suppressed"]], "Valor", _COUNT, f"a count of persons or {SUPPRESSED!r} (fewer than 5, withheld)", path)
    table["value"] = pd.to_numeric(text.where(~table["suppressed"]), errors="coerce").astype(float)
    twice = table.duplicated(["Data_Referencia", "Codi_Barri", "NACIONALITAT_REGIO", "SEXE"], keep="first")
    if twice.any():
        row = table[twice].iloc[0]
        raise SourceFormatError(
            f"{path}, line {row['line']}: the cell (date {row['Data_Referencia']}, barri {row['Codi_Barri']}, region "
            f"{row['NACIONALITAT_REGIO']}, sex {row['SEXE']}) appears twice; expected each once (a year's file added twice?)"
        )
    table = _labelled(table, codes, "SEXE", "sex", path)
    return _labelled(table, codes, "NACIONALITAT_REGIO", "region", path)


def _check_pattern(table: pd.DataFrame, column: str, pattern: re.Pattern, expected: str, path: Path) -> None:
    bad = ~table[column].str.strip().str.match(pattern)
    if bad.any():
        row = table[bad].iloc[0]
        raise SourceFormatError(
            f"{path}, line {row['line']}, column {column!r}: found {row[column]!r}; expected {expected} "
            f"({int(bad.sum())} row(s) in all)"
        )


def _labelled(table: pd.DataFrame, codes: pd.DataFrame, dimension: str, prefix: str, path: Path) -> pd.DataFrame:
    """Add the code list's Catalan, Spanish and English labels of one dimension's codes."""
    listed = codes[codes["Desc_Dimensio"] == dimension].set_index("Codi_Valor")
    missing = ~table[dimension].isin(listed.index)
    if missing.any():
        row = table[missing].iloc[0]
        raise SourceFormatError(
            f"{path}, line {row['line']}, column {dimension!r}: code {row[dimension]!r} is not in the code list's "
            f"dimension {dimension} (codes {sorted(listed.index, key=int)}); is the code list of another edition?"
        )
    out = table.copy()
    for language in ("CA", "ES", "EN"):
        out[f"{prefix}_{language.lower()}"] = table[dimension].map(listed[f"Desc_Valor_{language}"])
    return out


#: Headline definitions summed from the cells: definition id -> the continents whose regions it sums
#: (``None`` in the set: nationality not recorded). ``non_european_nationality`` and
#: ``european_or_unrecorded_nationality`` are complementary: together they make ``total_population``.
SUMMED_DEFINITIONS: dict[str, frozenset] = {
    "total_population": frozenset({"Africa", "Americas", "Asia", "Oceania", "Europe", None}),
    "non_european_nationality": frozenset({"Africa", "Americas", "Asia", "Oceania"}),
    "european_or_unrecorded_nationality": frozenset({"Europe", None}),
}

#: Area levels of the sums: level -> the cells' code column (``None``: the whole municipality).
_LEVELS: dict[str, str | None] = {"neighbourhood": "barri", "district": "district", "municipality": None}


def harmonise_nationality_region(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Turn :func:`read_nationality_region` output into tidy rows.

    Every published cell becomes a ``total_population`` row of its barri (``ES-<INE>-B<nn>``,
    ``neighbourhood``) broken down by sex (from the code list's English label) and region of
    nationality (``origin_type=citizenship_group``, group codes of :data:`REGIONS`); a ``..``
    cell keeps an empty value with flag ``s``. Southern Europe, which holds the Spanish
    nationals, is flagged ``d``. No foreign-national count exists in the file and none is made.

    Computed rows (flag ``c``) are sums of the published cells: suppressed cells (1-4 persons
    each) are left out of every sum and counted in the note, so a sum is the persons in the
    published cells, never a zero standing for a withheld cell; a sum whose cells are all
    suppressed is itself empty (flags ``cs``). They are: the same sex × region cells for each
    district (``ES-<INE>-D<nn>``) and for the municipality (``ES-<INE>``, the sum of the barris);
    and, for each barri, district and the municipality, by sex and for both sexes together, the
    definitions of :data:`SUMMED_DEFINITIONS`: all residents (``total_population``), nationals of a
    country outside Europe (``non_european_nationality``: the regions of Africa, the Americas,
    Asia and Oceania) and the rest of the residents (``european_or_unrecorded_nationality``).

    Parameters
    ----------
    raw
        Output of :func:`read_nationality_region`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        No city (or more than one) declares an ``opendata_bcn`` code, a sex or region label
        unknown to :data:`SEX_LABELS` / :data:`REGIONS`, or a barri listed in two districts.
    """
    city = _city(cities)
    base = f"ES-{_ine_code(city)}"
    _check_labels(raw, "sex_en", SEX_LABELS, "SEXE")
    _check_labels(raw, "region_en", REGIONS, "NACIONALITAT_REGIO")
    _check_barris(raw)
    cells = pd.DataFrame(
        {
            "district": raw["Codi_Districte"].str.strip().str.zfill(2),
            "district_name": raw["Nom_Districte"].str.strip(),
            "barri": raw["Codi_Barri"].str.strip().str.zfill(2),
            "barri_name": raw["Nom_Barri"].str.strip(),
            "municipality": "",
            "municipality_name": city.names.local or city.names.en,
            "sex": raw["sex_en"].map(SEX_LABELS),
            "origin": raw["region_en"].map(lambda label: REGIONS[label][0]),
            "continent": raw["region_en"].map(lambda label: REGIONS[label][1]),
            "year": raw["Data_Referencia"].str[:4],
            "value": raw["value"],
            "suppressed": raw["suppressed"],
        }
    )
    parts = [
        _published(cells, base, city),
        _summed(cells, ["sex", "origin"], base, city, "district", "barri"),
        _summed(cells, ["sex", "origin"], base, city, "municipality", "barri"),
    ]
    for definition_id, continents in SUMMED_DEFINITIONS.items():
        chosen = cells[cells["continent"].isin(continents)].assign(origin="total")
        for level in _LEVELS:
            what = "region" if level == "neighbourhood" else "barri × region"
            by_sex = _summed(chosen, ["sex"], base, city, level, what)
            both = _summed(chosen.assign(sex="total"), ["sex"], base, city, level, f"sex × {what}")
            parts += [by_sex.assign(definition_id=definition_id, origin_type=""), both.assign(definition_id=definition_id, origin_type="")]
    return tidy_frame(pd.concat(parts, ignore_index=True), SOURCE_ID)


def _published(cells: pd.DataFrame, base: str, city: City) -> pd.DataFrame:
    spain = cells["origin"] == SPAIN_REGION
    return pd.DataFrame(
        {
            **_place(base, city, "neighbourhood", cells["barri"], cells["barri_name"]),
            "indicator_id": "population",
            "definition_id": "total_population",
            "sex": cells["sex"],
            "origin_type": "citizenship_group",
            "origin": cells["origin"],
            "period": cells["year"],
            "ref_date": cells["year"] + "-01-01",
            "value": cells["value"],
            "unit": "persons",
            "flag": cells["suppressed"].map({True: "s", False: ""}) + spain.map({True: "d", False: ""}),
            "note": spain.map({True: SPAIN_NOTE, False: ""}),
        }
    )


def _summed(cells: pd.DataFrame, keys: list[str], base: str, city: City, level: str, what: str) -> pd.DataFrame:
    """Sum published cells by area of ``level``, ``keys`` and year; suppressed cells are left out and counted in the note."""
    code_column = _LEVELS[level] or "municipality"
    groups = cells.groupby([code_column, *keys, "year"], sort=True)
    sums = groups.agg(
        value=("value", "sum"),
        summed=("value", "count"),
        suppressed=("suppressed", "sum"),
        name=(f"{code_column}_name", "first"),
    ).reset_index()
    none_published = sums["summed"] == 0
    notes = [
        f"sum of {n} published {what} cells; {k} suppressed cell(s) of fewer than 5 persons each not included"
        if k else f"sum of {n} published {what} cells"
        for n, k in zip(sums["summed"], sums["suppressed"])
    ]
    spain = sums["origin"] == SPAIN_REGION if "origin" in sums else pd.Series(False, index=sums.index)
    return pd.DataFrame(
        {
            **_place(base, city, level, sums[code_column], sums["name"]),
            "indicator_id": "population",
            "definition_id": "total_population",
            "sex": sums["sex"],
            "origin_type": "citizenship_group",
            "origin": sums["origin"] if "origin" in sums else "total",
            "period": sums["year"],
            "ref_date": sums["year"] + "-01-01",
            # every cell suppressed: between 1 and 4 persons each, so the sum is withheld too
            "value": sums["value"].where(~none_published),
            "unit": "persons",
            "flag": "c" + none_published.map({True: "s", False: ""}) + spain.map({True: "d", False: ""}),
            "note": [f"{n}; {SPAIN_NOTE}" if s else n for n, s in zip(notes, spain)],
        }
    )


def _place(base: str, city: City, level: str, code: pd.Series, name: pd.Series) -> dict[str, object]:
    if level == "municipality":
        place_id: object = base
    else:
        place_id = f"{base}-{'D' if level == 'district' else 'B'}" + code
    return {
        "place_id": place_id,
        "place_name": name,
        "geography_level": level,
        "country_iso3": city.country_iso3,
        "city_id": city.city_id,
    }


def _city(cities: dict[str, City]) -> City:
    found = sorted(set(codes_of(cities, CITY_SYSTEM).values()))
    if len(found) != 1:
        raise SourceFormatError(
            f"{SOURCE_ID}: expected exactly one city with a '{CITY_SYSTEM}' code in cities.yaml (the city whose "
            f"portal publishes the file), found {found or 'none'}"
        )
    return cities[found[0]]


def _ine_code(city: City) -> str:
    codes = city.codes.get(INE_CODE_SYSTEM, [])
    if len(codes) != 1:
        raise SourceFormatError(f"city {city.city_id!r} needs exactly one '{INE_CODE_SYSTEM}' code in cities.yaml")
    return codes[0]


def _check_labels(raw: pd.DataFrame, column: str, known: dict, dimension: str) -> None:
    unknown = sorted(set(raw[column]) - set(known))
    if unknown:
        raise SourceFormatError(
            f"{SOURCE_ID}: the code list labels {dimension} code(s) {unknown} (English), unknown to "
            f"{__name__}; known labels: {sorted(known)}. Has the publisher changed the code list?"
        )


def _check_barris(raw: pd.DataFrame) -> None:
    homes = raw.groupby("Codi_Barri")["Codi_Districte"].nunique()
    if (homes > 1).any():
        barri = homes[homes > 1].index[0]
        raise SourceFormatError(
            f"{SOURCE_ID}: barri {barri} is listed in districts "
            f"{sorted(set(raw.loc[raw['Codi_Barri'] == barri, 'Codi_Districte']))}; expected one district per barri"
        )

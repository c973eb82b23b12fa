"""UNHCR refugee statistics (R package ``refugees``): building each source; population and UNRWA tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import single_file, tidy_frame
from workbench.tidy.sources.unhcr_demographics import harmonise_demographics, read_demographics
from workbench.tidy.sources.unhcr_tables import (
    COUNTRY_COLUMNS,
    RETURNED_REFUGEE_NOTE,
    load_table,
    map_codes,
    melt_values,
    network_countries,
    origin_types,
)


#: Population table: value column -> definition id.
POPULATION_MEASURES: dict[str, str] = {
    "refugees": "registered_refugee",
    "asylum_seekers": "asylum_seeker",
    "returned_refugees": "returned_refugee",
    "idps": "idp",
    "returned_idps": "returned_idp",
    "stateless": "stateless",
    "ooc": "other_of_concern",
    "oip": "other_in_need_of_protection",
    "hst": "host_community",
}


#: UNRWA table: the value column.
UNRWA_MEASURES: tuple[str, ...] = ("total",)

#: Country-of-origin code of Palestine refugees in the UNRWA table.
PALESTINE = "PSE"


#: Note on rows of a country of asylum UNHCR records as unknown.
UNKNOWN_ASYLUM_NOTE = "Country of asylum unknown (UNHCR code UKN)"


#: Notes on UNRWA rows: (field ISO3, year) -> note.
UNRWA_NOTES: dict[tuple[str, int], str] = {
    ("LBN", 2025): "2025 figure (228,274) less than half of 2024 (486,269); the same year has a field "
    "'Unknown' of 495,764, which suggests that refugees were reclassified rather than left: low reliability",
    ("SYR", 2025): "2025 figure (357,985) well below 2024 (582,745); the same year has a field 'Unknown' "
    "of 495,764, which suggests that refugees were reclassified rather than left: low reliability",
    ("UNK", 2025): "Field not stated (UNHCR code UKN); appears in 2025 only, when Lebanon and Syria drop",
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one UNHCR source.

    Parameters
    ----------
    source_id
        ``unhcr_population``, ``unhcr_demographics`` or ``unhcr_unrwa``.
    files
        The one official file of the source (``.rda``, or a ``.csv`` with the same columns).
    cities
        The cities registry: the countries of the network cities set the scope, their
        ``unhcr_location`` codes the locations kept with the full sex and age detail.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    ConfigError
        Unknown source id, or not exactly one file.
    SourceFormatError
        The file does not have the expected layout.
    """
    path = single_file(__name__, source_id, BUILDERS, files)
    return BUILDERS[source_id](path, cities)


def build_population(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``population`` for the network countries (as asylum or origin)."""
    return harmonise_population(read_population(path, network_countries(cities)), cities)


def build_demographics(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``demographics`` for the network countries of asylum."""
    return harmonise_demographics(read_demographics(path, network_countries(cities)), cities)


def build_unrwa(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``unrwa`` (every field)."""
    return harmonise_unrwa(read_unrwa(path), cities)


#: Source id -> function building it from its one file.
BUILDERS: dict[str, Callable[[Path, dict[str, City]], pd.DataFrame]] = {
    "unhcr_population": build_population,
    "unhcr_demographics": build_demographics,
    "unhcr_unrwa": build_unrwa,
}


def read_population(path: Path, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the ``population`` table (end-year stocks by origin and asylum) into a long frame.

    Parameters
    ----------
    path
        ``population.rda`` (object ``population``), or a ``.csv`` with the same columns.
    countries
        If given, keep only rows whose country of asylum or of origin (ISO3) is one of these.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the publisher's country columns, ``column`` (the value column's
        name) and ``value`` (float); one row per non-missing cell.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    wide = load_table(path, "population", COUNTRY_COLUMNS, tuple(POPULATION_MEASURES))
    if countries is not None:
        wanted = set(countries)
        wide = wide[wide["coa_iso"].isin(wanted) | wide["coo_iso"].isin(wanted)]
    return melt_values(wide, COUNTRY_COLUMNS, tuple(POPULATION_MEASURES))


def read_unrwa(path: Path) -> pd.DataFrame:
    """Read the ``unrwa`` table (Palestine refugees registered with UNRWA by field) into a long frame.

    Parameters
    ----------
    path
        ``unrwa.rda`` (object ``unrwa``), or a ``.csv`` with the same columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the country columns (``coa`` is the UNRWA field), ``column``
        (``total``) and ``value``.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    wide = load_table(path, "unrwa", COUNTRY_COLUMNS, UNRWA_MEASURES)
    return melt_values(wide, COUNTRY_COLUMNS, UNRWA_MEASURES)


def harmonise_population(
    raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_population"
) -> pd.DataFrame:
    """Turn the long population table into tidy country rows (place = country of asylum).

    Scope: rows whose country of asylum or of origin is a network country. Cells equal to 0
    give no row (the package writes 0 for every population type not reported for a pair).

    Parameters
    ----------
    raw
        Output of :func:`read_population`.
    cities
        The cities registry (for the network countries).
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        A value column the reader does not know.
    """
    countries = network_countries(cities)
    kept = raw[(raw["coa_iso"].isin(countries) | raw["coo_iso"].isin(countries)) & (raw["value"] != 0)]
    definitions = map_codes(kept["column"], POPULATION_MEASURES, "population value column")
    rows = pd.DataFrame(
        {
            "place_id": kept["coa_iso"],
            "place_name": kept["coa_name"],
            "geography_level": "country",
            "country_iso3": kept["coa_iso"],
            "indicator_id": "population",
            "definition_id": definitions,
            "origin_type": origin_types(kept["coo_iso"]),
            "origin": kept["coo_iso"],
            "period": kept["year"].astype(str),
            "ref_date": kept["year"].astype(str) + "-12-31",
            "value": kept["value"],
            "unit": "persons",
            "note": population_notes(kept),
        }
    )
    return tidy_frame(rows, source_id)


def population_notes(rows: pd.DataFrame) -> pd.Series:
    """Return the note of every population row (unknown country of asylum, returned refugees)."""
    unknown = pd.Series(UNKNOWN_ASYLUM_NOTE, index=rows.index).where(rows["coa_iso"] == "UNK", "")
    returned = pd.Series(RETURNED_REFUGEE_NOTE, index=rows.index).where(rows["column"] == "returned_refugees", "")
    return (unknown + "; " + returned).str.strip("; ")


def harmonise_unrwa(raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_unrwa") -> pd.DataFrame:
    """Turn the UNRWA table into tidy rows, one per field and year.

    Parameters
    ----------
    raw
        Output of :func:`read_unrwa`.
    cities
        The cities registry (unused: every UNRWA field is kept; accepted for a uniform signature).
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (origin ``total``: every row counts Palestine refugees).

    Raises
    ------
    SourceFormatError
        A row whose country of origin is not Palestine.
    """
    other = raw[raw["coo_iso"] != PALESTINE]
    if not other.empty:
        raise SourceFormatError(
            f"UNRWA table: expected only Palestine refugees (coo_iso {PALESTINE}); "
            f"found {sorted(other['coo_iso'].unique())}"
        )
    keys = list(zip(raw["coa_iso"], raw["year"], strict=True))
    rows = pd.DataFrame(
        {
            "place_id": raw["coa_iso"],
            "place_name": raw["coa_name"],
            "geography_level": "country",
            "country_iso3": raw["coa_iso"],
            "indicator_id": "population",
            "definition_id": "palestine_refugee_unrwa",
            "period": raw["year"].astype(str),
            "ref_date": raw["year"].astype(str) + "-12-31",
            "value": raw["value"],
            "unit": "persons",
            "note": [UNRWA_NOTES.get(key, "") for key in keys],
            # a field's figure of a year with a reclassification note is of low reliability
            "flag": ["u" if key in UNRWA_NOTES and key[0] != "UNK" else "" for key in keys],
        }
    )
    return tidy_frame(rows, source_id)

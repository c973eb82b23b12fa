"""UNHCR refugee statistics: the demographics table (sub-national locations by sex and age)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.reference.registry import City
from workbench.tidy.schemas import SUPERSEDED
from workbench.tidy.sources._common import tidy_frame
from workbench.tidy.sources.unhcr_locations import harmonise_locations, locate_cities
from workbench.tidy.sources.unhcr_tables import (
    COUNTRY_COLUMNS,
    RETURNED_REFUGEE_NOTE,
    load_table,
    map_codes,
    melt_values,
    network_countries,
    origin_types,
)


#: Demographics table: columns describing the population group and the location.
DEMOGRAPHICS_KEYS: tuple[str, ...] = ("pop_type", "location", "loc_type", "acc_type")

#: Demographics table: value column -> (sex, age band).
SEX_AGE: dict[str, tuple[str, str]] = {
    "f_0_4": ("female", "Y0-4"),
    "f_5_11": ("female", "Y5-11"),
    "f_12_17": ("female", "Y12-17"),
    "f_18_59": ("female", "Y18-59"),
    "f_60": ("female", "Y60-MAX"),
    "f_other": ("female", "UNK"),
    "f_total": ("female", "total"),
    "m_0_4": ("male", "Y0-4"),
    "m_5_11": ("male", "Y5-11"),
    "m_12_17": ("male", "Y12-17"),
    "m_18_59": ("male", "Y18-59"),
    "m_60": ("male", "Y60-MAX"),
    "m_other": ("male", "UNK"),
    "m_total": ("male", "total"),
    "total": ("total", "total"),
}

#: Demographics ``pop_type`` code -> definition id.
POP_TYPES: dict[str, str] = {
    "REF": "registered_refugee",
    "ASY": "asylum_seeker",
    "RET": "returned_refugee",
    "IDP": "idp",
    "RDP": "returned_idp",
    "STA": "stateless",
    "OOC": "other_of_concern",
    "OIP": "other_in_need_of_protection",
    "HST": "host_community",
}


@dataclass(frozen=True)
class PlaceNote:
    """A caveat attached to the rows of one place (and optionally some years or population types)."""

    text: str
    place_id: str | None = None
    country_iso3: str | None = None
    geography_level: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    label_kind: str | None = None
    pop_type: str | None = None
    origin: str | None = None
    flag: str = ""


#: Anomalies and breaks of the demographics table (see the SOURCES notes), as notes on the rows.
DEMOGRAPHICS_NOTES: tuple[PlaceNote, ...] = (
    PlaceNote(
        "Dahuk is a governorate of Iraq; listed under Jordan as published (probably a mis-coded camp)",
        place_id="JOR-dahuk",
        flag="u",
    ),
    PlaceNote(
        "2008: the Government estimate of 500,000 Iraqi refugees is recorded here (under 'Dispersed in the "
        "country / territory' in 2006-2007 and 2009-2011)",
        place_id="JOR-amman",
        first_year=2008,
        last_year=2008,
        origin="IRQ",
        flag="b",
    ),
    PlaceNote(
        "2016 figure (275,803 persons of all UNHCR categories, 274,868 of them refugees) far above adjacent years "
        "(about 14,000-32,000); anomaly as published, possibly another area reported with Beirut",
        place_id="LBN-beirut",
        first_year=2016,
        last_year=2016,
        flag="u",
    ),
    PlaceNote(
        "From 2024 refugees and asylum-seekers in Lebanon are reported by district ([Admin 2]); "
        "governorate ([Admin 1]) rows hold IDPs and returned IDPs (2024 war displacement)",
        country_iso3="LBN",
        geography_level="governorate",
        first_year=2024,
        flag="b",
    ),
    PlaceNote(
        "From 2024 refugees in Lebanon are reported by district; Beirut district has the same territory as Beirut "
        "governorate, but what UNHCR reports for it from 2024 is not comparable with the governorate series before",
        place_id="LBN-beirut-district",
        first_year=2024,
    ),
    PlaceNote(
        "Persons not attributed to a sub-national location; not the country total",
        label_kind="dispersed",
    ),
    PlaceNote(RETURNED_REFUGEE_NOTE, pop_type="RET"),
    PlaceNote(
        "UNHCR corrected the 2025 asylum-seeker figures after this release; the corrected national figure is "
        "in the national context table. Shown as published, not quoted in the synopsis or the key figures",
        first_year=2025,
        pop_type="ASY",
        flag=SUPERSEDED,
    ),
)


def read_demographics(path: Path, asylum_countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the ``demographics`` table (sub-national locations by sex and age) into a long frame.

    Parameters
    ----------
    path
        ``demographics.rda`` (object ``demographics``), or a ``.csv`` with the same columns.
    asylum_countries
        If given, keep only rows whose country of asylum (ISO3) is one of these.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the country columns, ``pop_type``, ``location``, ``loc_type``,
        ``acc_type``, ``column`` (``f_0_4`` ... ``total``) and ``value``; one row per non-missing cell.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    keys = COUNTRY_COLUMNS + DEMOGRAPHICS_KEYS
    wide = load_table(path, "demographics", keys, tuple(SEX_AGE))
    if asylum_countries is not None:
        wide = wide[wide["coa_iso"].isin(set(asylum_countries))]
    return melt_values(wide, keys, tuple(SEX_AGE))


def harmonise_demographics(
    raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_demographics"
) -> pd.DataFrame:
    """Turn the long demographics table into tidy sub-national rows.

    Locations are harmonised into one place id per (country, place) across label schemes.
    Places of the network cities keep every sex and age column; other places keep only
    ``total``. Where several raw rows share a (place, year, origin, population type) - they
    differ by accommodation or location type - each keeps its own row with category
    ``settlement:<acc_type>-<loc_type>`` (never summed). Cells equal to 0 give no row.

    Parameters
    ----------
    raw
        Output of :func:`read_demographics`.
    cities
        The cities registry: its countries set the scope, its ``unhcr_location`` codes the
        places of the network cities.
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        An unknown population type, value column or location label form.
    """
    scoped = raw[raw["coa_iso"].isin(network_countries(cities))]
    places = harmonise_locations(scoped[["coa_iso", "location", "year"]])
    merged = scoped.merge(places, on=["coa_iso", "location"], how="left", validate="many_to_one")
    place_cities = locate_cities(places, cities)
    merged["city_id"] = merged["place_id"].map(place_cities).fillna("")
    detailed = (merged["city_id"] != "") | (merged["column"] == "total")
    merged["category"] = settlement_categories(merged)
    kept = merged[detailed & (merged["value"] != 0)]
    sexes = map_codes(kept["column"], {c: sex for c, (sex, _) in SEX_AGE.items()}, "demographics value column")
    ages = kept["column"].map({c: age for c, (_, age) in SEX_AGE.items()})
    notes, flags = demographics_notes(kept)
    rows = pd.DataFrame(
        {
            "place_id": kept["place_id"],
            "place_name": kept["place_name"],
            "geography_level": kept["geography_level"],
            "country_iso3": kept["coa_iso"],
            "city_id": kept["city_id"],
            "indicator_id": "population",
            "definition_id": map_codes(kept["pop_type"], POP_TYPES, "pop_type"),
            "sex": sexes,
            "age": ages,
            "origin_type": origin_types(kept["coo_iso"]),
            "origin": kept["coo_iso"],
            "category": kept["category"],
            "period": kept["year"].astype(str),
            "ref_date": kept["year"].astype(str) + "-12-31",
            "value": kept["value"],
            "unit": "persons",
            "flag": flags,
            "note": notes,
        }
    )
    return tidy_frame(rows, source_id)


def settlement_categories(rows: pd.DataFrame) -> pd.Series:
    """Return ``total``, or ``settlement:<acc_type>-<loc_type>`` where raw rows share a tidy key.

    Decided per raw row (all its value columns alike): a row gets a settlement category when
    another raw row has the same place, year, origin and population type.

    Parameters
    ----------
    rows
        Demographics rows with ``place_id``, ``year``, ``coo_iso``, ``pop_type``, ``location``,
        ``acc_type`` and ``loc_type``.

    Returns
    -------
    pandas.Series
    """
    key = ["place_id", "year", "coo_iso", "pop_type"]
    raw_rows = rows[key + ["location", "acc_type", "loc_type"]].drop_duplicates()
    counts = raw_rows.groupby(key).size().rename("raw_rows").reset_index()
    shared = rows[key].merge(counts, on=key, how="left")["raw_rows"].to_numpy() > 1
    codes = "settlement:" + rows["acc_type"] + "-" + rows["loc_type"]
    return codes.where(shared, "total")


def demographics_notes(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return the note and flag of every demographics row: its label when it differs, and caveats.

    Parameters
    ----------
    rows
        Demographics rows with ``location``, ``place_id``, ``place_name``, ``coa_iso``,
        ``geography_level``, ``label_kind``, ``year`` and ``pop_type``.

    Returns
    -------
    tuple of pandas.Series
        Notes (parts joined by ``'; '``) and flags.
    """
    label = rows["location"].where(rows["location"] != rows["place_name"], "")
    parts = [("UNHCR location label '" + label + "'").where(label != "", "")]
    flags = pd.Series("", index=rows.index)
    for note in DEMOGRAPHICS_NOTES:
        hit = note_mask(rows, note)
        parts.append(pd.Series(note.text, index=rows.index).where(hit, ""))
        if note.flag:
            flags = flags.where(~hit | flags.str.contains(note.flag, regex=False), flags + note.flag)
    joined = pd.concat(parts, axis=1).apply(lambda cells: "; ".join(c for c in cells if c), axis=1)
    return joined.astype(str), flags


def note_mask(rows: pd.DataFrame, note: PlaceNote) -> pd.Series:
    """Return which rows a :class:`PlaceNote` applies to."""
    hit = pd.Series(True, index=rows.index)
    if note.place_id is not None:
        hit &= rows["place_id"] == note.place_id
    if note.country_iso3 is not None:
        hit &= rows["coa_iso"] == note.country_iso3
    if note.geography_level is not None:
        hit &= rows["geography_level"] == note.geography_level
    if note.label_kind is not None:
        hit &= rows["label_kind"] == note.label_kind
    if note.first_year is not None:
        hit &= rows["year"] >= note.first_year
    if note.last_year is not None:
        hit &= rows["year"] <= note.last_year
    if note.pop_type is not None:
        hit &= rows["pop_type"] == note.pop_type
    if note.origin is not None:
        hit &= rows["coo_iso"] == note.origin
    return hit

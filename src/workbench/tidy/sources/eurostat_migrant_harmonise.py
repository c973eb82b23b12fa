"""The judgement of the Eurostat migrant-integration readers: places kept, groups by birth or citizenship, indicators, dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.sources._eurostat import country_iso3, map_flag

#: Code system in ``cities.yaml`` holding the NUTS 2 region (NUTS 2021) Eurostat publishes for a city.
NUTS2_SYSTEM = "eurostat_nuts2"

#: Eurostat's labels of the NUTS 2 regions a city may declare (NUTS 2021), as the data browser names them.
NUTS2_NAMES: dict[str, str] = {
    "AT13": "Wien",
    "ES30": "Comunidad de Madrid",
    "ES51": "Cataluña",
    "FRK2": "Rhône-Alpes",
    "ITC1": "Piemonte",
    "PT17": "Área Metropolitana de Lisboa",
}

#: Eurostat aggregates kept for context: code -> (label, tidy country code of the aggregate).
AGGREGATES: dict[str, tuple[str, str]] = {"EU27_2020": ("European Union - 27 countries (from 2020)", "EUU")}


class Group(NamedTuple):
    """Who a Eurostat birth or citizenship code counts, in tidy terms."""

    definition_id: str
    origin_type: str
    origin: str


#: ``c_birth`` codes (country of birth). TOTAL is everyone, the foreign-born included: never the natives.
BIRTH_GROUPS: dict[str, Group] = {
    "TOTAL": Group("total_population", "", "total"),
    "NAT": Group("native_born", "", "total"),
    "FOR": Group("foreign_born", "", "total"),
    "EU27_2020_FOR": Group("foreign_born", "birth_group", "EU27_2020_FOR"),
    "NEU27_2020_FOR": Group("foreign_born", "birth_group", "NEU27_2020_FOR"),
}

#: ``citizen`` codes (citizenship): naturalised migrants are nationals here.
CITIZENSHIP_GROUPS: dict[str, Group] = {
    "NAT": Group("national_citizens", "", "total"),
    "EU27_2020_FOR": Group("foreign_nationality", "citizenship_group", "EU27_2020_FOR"),
    "NEU27_2020_FOR": Group("foreign_nationality", "citizenship_group", "NEU27_2020_FOR"),
}

SEXES: dict[str, str] = {"T": "total", "F": "female", "M": "male"}

#: ``isced11`` codes -> tidy education category (the levels of ISTAT's and INE's tables).
EDUCATION: dict[str, str] = {"ED0-2": "education:isced0-2", "ED3_4": "education:isced3-4", "ED5-8": "education:isced5-8"}

#: ``reason`` codes of first permits -> tidy category.
PERMIT_REASONS: dict[str, str] = {
    "TOTAL": "total",
    "EDUC": "reason:education",
    "EMP": "reason:employment",
    "FAM": "reason:family",
    "OTH": "reason:other",
}

_LFS_NOTE = "EU-LFS annual average; ref_date 1 July marks the year."
_BIRTH_NOTE = "By country of birth (not citizenship)."
_CITIZENSHIP_NOTE = "By citizenship (not country of birth): naturalised migrants are nationals."
#: Note of the rows of everyone (c_birth TOTAL): the file has no native-born rate to compare with.
TOTAL_NOTE = (
    "All persons of the age band, born in the country or abroad (the foreign-born included); "
    "not the native-born, for whom this table publishes no rate."
)
_REGION_NOTE = "The whole NUTS 2 region (NUTS 2021), not the city."
_PERMIT_NOTE = (
    "First residence permits issued to non-EU citizens during the year (a flow of permits, not people "
    "holding one); 'other' includes international protection."
)


def harmonise_lfur2gac(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Unemployment rates by country of birth of the cities' NUTS 2 regions (``lfst_r_lfur2gac``).

    Every region a city declares under ``codes: eurostat_nuts2`` must be in the file.

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.eurostat_migrant.read_sdmx_linear`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before ``tidy_frame``); region rows carry no city id.

    Raises
    ------
    SourceFormatError
        A declared region absent from the file, or a code without a mapping (naming the line).
    """
    declared = codes_of(dict(cities), NUTS2_SYSTEM)
    missing = sorted(set(declared) - set(raw["geo"]))
    if missing:
        raise SourceFormatError(
            f"{raw['file'].iloc[0]}: no rows for NUTS 2 region(s) {missing} that cities.yaml declares "
            f"(codes: {NUTS2_SYSTEM}, city {declared[missing[0]]}); is the file of another NUTS version "
            "(e.g. PT1A of NUTS 2024 for PT17)?"
        )

    def one(rec: dict) -> dict:
        _expect(rec, "unit", {"PC"})
        return {
            **_group(BIRTH_GROUPS, rec, "c_birth"),
            "indicator_id": "unemployment_rate",
            "category": "total",
            "unit": "percent",
            "note": _notes(_LFS_NOTE, _BIRTH_NOTE, TOTAL_NOTE if rec["c_birth"] == "TOTAL" else ""),
        }

    return _harmonise(raw, cities, one, "07-01")


def harmonise_edat_lfs_9912(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Educational attainment by country of birth, national (``edat_lfs_9912``): % of each group by level.

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.eurostat_migrant.read_tsv`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before ``tidy_frame``): ``group_share`` rows, category ``education:*``.

    Raises
    ------
    SourceFormatError
        A code without a mapping (naming the line).
    """

    def one(rec: dict) -> dict:
        _expect(rec, "unit", {"PC"})
        return {
            **_group(BIRTH_GROUPS, rec, "c_birth"),
            "indicator_id": "group_share",
            "category": _lookup(EDUCATION, rec, "isced11"),
            "unit": "percent",
            "note": _notes(_LFS_NOTE, _BIRTH_NOTE),
        }

    return _harmonise(raw, cities, one, "07-01")


def harmonise_lfsa_rates(raw: pd.DataFrame, cities: Mapping[str, City], indicator: str) -> pd.DataFrame:
    """Employment or unemployment rates by citizenship, national (``lfsa_ergan``, ``lfsa_urgan``).

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.eurostat_migrant.read_tsv`.
    cities
        The cities registry.
    indicator
        ``employment_rate`` or ``unemployment_rate``.

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before ``tidy_frame``).

    Raises
    ------
    SourceFormatError
        A code without a mapping (naming the line).
    """

    def one(rec: dict) -> dict:
        _expect(rec, "unit", {"PC"})
        return {
            **_group(CITIZENSHIP_GROUPS, rec, "citizen"),
            "indicator_id": indicator,
            "category": "total",
            "unit": "percent",
            "note": _notes(_LFS_NOTE, _CITIZENSHIP_NOTE),
        }

    return _harmonise(raw, cities, one, "07-01")


def harmonise_migr_resfirst(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """First residence permits by reason, all citizenships and lengths of validity (``migr_resfirst``).

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.eurostat_migrant.read_tsv`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before ``tidy_frame``): ``permits_issued`` of ``first_residence_permit``,
        category ``reason:*`` (``total`` for all reasons); ref_date 31 December (a flow of the year).

    Raises
    ------
    SourceFormatError
        A code without a mapping, or a citizenship or validity other than the total (naming the line).
    """

    def one(rec: dict) -> dict:
        _expect(rec, "unit", {"PER"})
        _expect(rec, "citizen", {"TOTAL"})
        _expect(rec, "duration", {"TOTAL"})
        return {
            "definition_id": "first_residence_permit",
            "indicator_id": "permits_issued",
            "category": _lookup(PERMIT_REASONS, rec, "reason"),
            "unit": "persons",
            "note": _PERMIT_NOTE,
        }

    return _harmonise(raw, cities, one, "12-31")


def place_of(code: str, regions: Mapping[str, str], countries: set[str]) -> dict | None:
    """The tidy place columns of a Eurostat ``geo`` code, or None when the workbench does not keep it.

    Kept: the NUTS 2 regions cities declare (no city id: a region is not the city), the countries
    of the registry's cities and the EU aggregate of :data:`AGGREGATES`.

    Raises
    ------
    SourceFormatError
        A declared region without a label in :data:`NUTS2_NAMES`.
    """
    if code in AGGREGATES:
        label, aggregate = AGGREGATES[code]
        return _place(code, label, "world_region", aggregate)
    if code in regions:
        if code not in NUTS2_NAMES:
            raise SourceFormatError(f"NUTS 2 region {code} (city {regions[code]}) has no label: add Eurostat's to NUTS2_NAMES")
        return _place(code, NUTS2_NAMES[code], "nuts2", country_iso3(code))
    if len(code) == 2 and code.isalpha():
        iso3 = country_iso3(code)
        if iso3 in countries:
            return _place(code, pycountry.countries.get(alpha_3=iso3).name, "country", iso3)
    return None


def _harmonise(raw: pd.DataFrame, cities: Mapping[str, City], one: Callable[[dict], dict], month_day: str) -> pd.DataFrame:
    # the places kept, then one tidy row per observation; the dataset's judgement is in `one`
    regions = codes_of(dict(cities), NUTS2_SYSTEM)
    countries = {city.country_iso3 for city in cities.values()}
    places = {code: place_of(code, regions, countries) for code in raw["geo"].unique()}
    rows = []
    for rec in raw[raw["geo"].map(places).notna()].to_dict("records"):
        _expect(rec, "freq", {"A"})
        try:
            flag = map_flag(rec["flag"])
        except SourceFormatError as exc:
            raise SourceFormatError(f"{rec['file']}, line {rec['line']}: {exc}") from None
        row = {**places[rec["geo"]], "sex": _lookup(SEXES, rec, "sex") if "sex" in rec else "total",
               "age": rec.get("age", "total"), "origin_type": "", "origin": "total"}
        row.update(one(rec))
        row.update({"period": rec["time_period"], "ref_date": f"{rec['time_period']}-{month_day}",
                    "value": rec["value"], "flag": flag})
        if row["geography_level"] == "nuts2":
            row["note"] = f"{row['note']} {_REGION_NOTE}"
        rows.append(row)
    return pd.DataFrame(rows)


def _place(code: str, name: str, level: str, iso3: str) -> dict:
    return {"place_id": code, "place_name": name, "geography_level": level, "country_iso3": iso3, "city_id": ""}


def _group(groups: Mapping[str, Group], rec: dict, column: str) -> dict:
    group = groups.get(rec[column])
    if group is None:
        raise SourceFormatError(
            f"{rec['file']}, line {rec['line']}, {column} {rec[column]!r}: no mapping; known: {', '.join(groups)}"
        )
    return group._asdict()


def _lookup(table: Mapping[str, str], rec: dict, column: str) -> str:
    if rec[column] not in table:
        raise SourceFormatError(
            f"{rec['file']}, line {rec['line']}, {column} {rec[column]!r}: no mapping; known: {', '.join(table)}"
        )
    return table[rec[column]]


def _expect(rec: dict, column: str, allowed: set[str]) -> None:
    if rec[column] not in allowed:
        raise SourceFormatError(
            f"{rec['file']}, line {rec['line']}, {column} {rec[column]!r}: expected {' or '.join(sorted(allowed))}. "
            "Is this the right selection of the dataset?"
        )


def _notes(*parts: str) -> str:
    return " ".join(p for p in parts if p)


#: Dataset code -> its harmonising step.
HARMONISERS: dict[str, Callable[[pd.DataFrame, Mapping[str, City]], pd.DataFrame]] = {
    "lfst_r_lfur2gac": harmonise_lfur2gac,
    "edat_lfs_9912": harmonise_edat_lfs_9912,
    "lfsa_ergan": lambda raw, cities: harmonise_lfsa_rates(raw, cities, "employment_rate"),
    "lfsa_urgan": lambda raw, cities: harmonise_lfsa_rates(raw, cities, "unemployment_rate"),
    "migr_resfirst": harmonise_migr_resfirst,
}

"""Which tidy tables are stale for a city: built before the city (its code, its country) was in the registry.

Readers keep only what the registry asks for when they run: the Eurostat and survey rows carry a
city id when the city declares their code, and the UNHCR and UN DESA tables keep every origin
only for the countries of the registry's cities (for other countries, only the flows to and from
those). For a city added since then these tables are stale: numbers computed from them would use
partial rows (a "refugees in the country" total counting only refugees from other network
countries), so the profile refuses stale tables until the sources are ingested again, and
`workbench validate` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.reference.registry import City, load_cities

#: Sources whose tables are stale for a city whose country was not in the registry at ingestion:
#: their readers keep every origin only for the registry's countries (of asylum or destination).
STALE_WITHOUT_COUNTRY: tuple[str, ...] = ("unhcr_population", "undesa_ims_2024")
#: Sources whose tables are stale for a city whose code was not declared at ingestion (their rows
#: carry the city id of a registry code): code system -> sources.
STALE_WITHOUT_CODE: dict[str, tuple[str, ...]] = {
    "eurostat_urban_audit": ("eurostat_urb_cpop1", "eurostat_urb_cpopcb", "eurostat_urb_clma"),
}


@dataclass(frozen=True)
class StaleTable:
    """One table built without this city in the registry, and what it lacks."""

    source_id: str
    problem: str


def find_stale_tables(city: City, tidy: pd.DataFrame) -> list[StaleTable]:
    """Find the tables that are stale for ``city``: to ingest again before its profile can be trusted.

    Parameters
    ----------
    city
        A city of the registry.
    tidy
        The tidy rows (:func:`workbench.tidy.catalog.load_tidy`, or some of its tables).

    Returns
    -------
    list of StaleTable
        Empty when every table that should describe the city does.
    """
    stale = []
    untagged = tidy[(tidy["city_id"].fillna("") == "") & (tidy["geography_level"] != "country")]
    for system, sources in STALE_WITHOUT_CODE.items():
        codes = set(city.codes.get(system, []))
        rows = untagged[untagged["place_id"].isin(codes) & untagged["source_id"].isin(sources)]
        for source_id, part in rows.groupby("source_id"):
            stale.append(StaleTable(source_id, f"{len(part)} rows of {', '.join(sorted(set(part['place_id'])))} carry no "
                               f"city id (built before {city.city_id} declared the code)"))
    others = {c.country_iso3 for c in load_cities().values()} - {city.country_iso3}
    national = tidy[(tidy["geography_level"] == "country") & (tidy["place_id"] == city.country_iso3)
                    & tidy["source_id"].isin(STALE_WITHOUT_COUNTRY)]
    for source_id, part in national.groupby("source_id"):
        origins = set(part["origin"]) - {"total", ""}
        if origins and origins <= others:
            stale.append(StaleTable(source_id, f"rows of {city.country_iso3} count only people from "
                               f"{', '.join(sorted(origins))} (built before {city.country_iso3} was a country of "
                               "the registry)"))
    return stale


def stale_tables_message(city: City, stale: list[StaleTable]) -> str:
    """One line saying which tables are stale for ``city`` and the command that rebuilds them."""
    sources = sorted({s.source_id for s in stale})
    return (f"{city.city_id}: tidy tables built without this city: " + "; ".join(f"{s.source_id}: {s.problem}" for s in stale)
            + f"; run `workbench ingest --raw RAW --only {','.join(sources)}` (RAW: the folder of official files)")

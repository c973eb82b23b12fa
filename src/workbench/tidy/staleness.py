"""Were the tidy tables built for this city? A city added to the registry after an ingestion lacks rows.

Readers keep only what the registry asks for when they run: the Eurostat and survey rows carry a
city id when the city declares their code, and the UNHCR and UN DESA tables keep every origin
only for the countries of the registry's cities (for other countries, only the flows to and from
those). A city added since then would get numbers computed from partial rows (a "refugees in
the country" total counting only refugees from other network countries), so the profile refuses
to run until the sources are ingested again, and `workbench validate` says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.reference.registry import City, load_cities

#: Sources whose readers keep every origin only for the registry's countries (country of asylum
#: or destination), and the origin types they publish by.
COUNTRY_SCOPED: tuple[str, ...] = ("unhcr_population", "undesa_ims_2024")
#: Sources whose rows carry the city id of a registry code: code system -> sources.
CODE_SCOPED: dict[str, tuple[str, ...]] = {
    "eurostat_urban_audit": ("eurostat_urb_cpop1", "eurostat_urb_cpopcb", "eurostat_urb_clma"),
}


@dataclass(frozen=True)
class Stale:
    """One table that was built without this city in the registry."""

    source_id: str
    problem: str


def stale_tables(city: City, tidy: pd.DataFrame) -> list[Stale]:
    """The tables to ingest again before ``city``'s profile can be trusted.

    Parameters
    ----------
    city
        A city of the registry.
    tidy
        The tidy rows (:func:`workbench.tidy.catalog.load_tidy`, or some of its tables).

    Returns
    -------
    list of Stale
        Empty when every table that should describe the city does.
    """
    found = []
    untagged = tidy[(tidy["city_id"].fillna("") == "") & (tidy["geography_level"] != "country")]
    for system, sources in CODE_SCOPED.items():
        codes = set(city.codes.get(system, []))
        rows = untagged[untagged["place_id"].isin(codes) & untagged["source_id"].isin(sources)]
        for source_id, part in rows.groupby("source_id"):
            found.append(Stale(source_id, f"{len(part)} rows of {', '.join(sorted(set(part['place_id'])))} carry no "
                               f"city id (built before {city.city_id} declared the code)"))
    others = {c.country_iso3 for c in load_cities().values()} - {city.country_iso3}
    national = tidy[(tidy["geography_level"] == "country") & (tidy["place_id"] == city.country_iso3)
                    & tidy["source_id"].isin(COUNTRY_SCOPED)]
    for source_id, part in national.groupby("source_id"):
        origins = set(part["origin"]) - {"total", ""}
        if origins and origins <= others:
            found.append(Stale(source_id, f"rows of {city.country_iso3} count only people from "
                               f"{', '.join(sorted(origins))} (built before {city.country_iso3} was a country of "
                               "the registry)"))
    return found


def stale_message(city: City, stale: list[Stale]) -> str:
    """One line saying what is stale and the command that fixes it."""
    sources = sorted({s.source_id for s in stale})
    return (f"{city.city_id}: tidy tables built without this city: " + "; ".join(f"{s.source_id}: {s.problem}" for s in stale)
            + f"; run `workbench ingest --raw RAW --only {','.join(sources)}` (RAW: the folder of official files)")

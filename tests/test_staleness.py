"""Tables built before a city was in the registry are told apart from tables that describe it."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.tidy.catalog import load_city, load_tidy
from workbench.errors import DataError
from workbench.reference.registry import City, load_cities
from workbench.tidy.staleness import find_stale_tables, stale_tables_message

MARSEILLE = City.model_validate({
    "city_id": "marseille", "names": {"en": "Marseille", "fr": "Marseille", "ar": "مرسيليا"}, "local_language": "fr",
    "country_iso3": "FRA", "country_names": {"en": "France", "fr": "France", "ar": "فرنسا"}, "shore": "north",
    "codes": {"eurostat_urban_audit": ["FR004C"]}, "city_geography": "greater_city",
})
CAIRO = City.model_validate({
    "city_id": "cairo", "names": {"en": "Cairo", "fr": "Le Caire", "ar": "القاهرة"}, "local_language": "ar",
    "country_iso3": "EGY", "country_names": {"en": "Egypt", "fr": "Égypte", "ar": "مصر"}, "shore": "south",
    "city_geography": "country",
})


def _row(**values) -> dict:
    base = {"source_id": "eurostat_urb_cpopcb", "place_id": "FR004C", "geography_level": "greater_city",
            "country_iso3": "FRA", "city_id": "", "origin": "total"}
    return {**base, **values}


def test_untagged_rows_of_a_declared_code_are_stale():
    tidy = pd.DataFrame([_row(), _row(place_id="FR001C", city_id="")])
    [stale] = find_stale_tables(MARSEILLE, tidy)
    assert stale.source_id == "eurostat_urb_cpopcb" and "1 rows of FR004C carry no city id" in stale.problem
    assert find_stale_tables(MARSEILLE, pd.DataFrame([_row(city_id="marseille")])) == []


def test_a_country_whose_rows_count_only_other_network_origins_is_stale():
    partial = pd.DataFrame([_row(source_id="unhcr_population", place_id="EGY", geography_level="country",
                                 country_iso3="EGY", origin=o) for o in ("JOR", "TUN")])
    [stale] = find_stale_tables(CAIRO, partial)
    assert stale.source_id == "unhcr_population" and "count only people from JOR, TUN" in stale.problem
    assert "--only unhcr_population" in stale_tables_message(CAIRO, [stale])
    complete = pd.concat([partial, pd.DataFrame([_row(source_id="unhcr_population", place_id="EGY",
                                                      geography_level="country", country_iso3="EGY", origin="SDN")])])
    assert find_stale_tables(CAIRO, complete) == []


@pytest.mark.parametrize("city_id", list(load_cities()))
def test_the_committed_tables_describe_every_city_of_the_registry(city_id: str):
    assert find_stale_tables(load_cities()[city_id], load_tidy()) == []


def test_a_profile_refuses_stale_tables(monkeypatch):
    monkeypatch.setattr("workbench.tidy.catalog.get_city", lambda city_id: MARSEILLE)
    with pytest.raises(DataError, match="marseille: tidy tables built without this city: eurostat_urb"):
        load_city("marseille")

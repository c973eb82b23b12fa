"""Tests of the availability matrix as the judge of the profile's "no data" sentences."""

from __future__ import annotations

import pytest

from workbench.analysis import availability
from workbench.errors import ClaimError
from workbench.reference.framework import load_framework
from workbench.tidy.sources._common import tidy_frame


def _local():
    rows = [{
        "place_id": "D1", "place_name": "D1", "geography_level": "district", "country_iso3": "AUT", "city_id": "vienna",
        "indicator_id": "population", "definition_id": "foreign_origin_wien", "period": "2022", "ref_date": "2022-01-01",
        "value": 10.0, "unit": "persons", "sex": sex,
    } for sex in ("female", "male")]
    return tidy_frame(rows, "wien_ogd_population_origin")


def test_a_planted_no_data_sentence_against_the_matrix_is_caught():
    # issue 16: Vienna 4.3 said "no breakdown of migrants by sex" where the matrix marks sex as available
    local, framework = _local(), load_framework()
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    with pytest.raises(ClaimError, match=r"no data for 'Migrants by sex \(women %\)' \(dem_migrants_by_sex\).* in 2022"):
        availability.check_no_data(matrix, framework, {"dem_migrants_by_sex": True})
    availability.check_no_data(matrix, framework, {"dem_migrants_by_sex": False, "dem_migrants_by_age": True})


def test_an_unknown_item_is_an_error():
    local, framework = _local(), load_framework()
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    with pytest.raises(ClaimError, match="'dem_nothing' is not an item"):
        availability.check_no_data(matrix, framework, {"dem_nothing": True})


def _share(flag: str = ""):
    # Beirut governorate: 30.9 % non-Lebanese (household survey), published as a share without a count
    return tidy_frame([{
        "place_id": "LBN-beirut", "place_name": "Beirut governorate", "geography_level": "governorate",
        "country_iso3": "LBN", "city_id": "beirut", "indicator_id": "population_share",
        "definition_id": "foreign_nationality", "period": "2019", "ref_date": "2019-07-01", "value": 30.9,
        "unit": "percent", "flag": flag,
    }], "expert_figures")


def test_a_share_published_without_a_count_covers_the_share_item_in_the_matrix_and_the_values():
    # issue 16: Beirut's synopsis said no foreign-national share is published above a key figure of 30.9 %
    from workbench.analysis.framework_values import latest_values

    framework = load_framework()
    local = _share()
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    row = matrix[matrix["indicator"] == "Foreign nationals, % of population"].iloc[0]
    assert row["2019"] == "C"
    values = latest_values("beirut", local, local.iloc[0:0], framework)
    found = values[values["item_id"] == "dem_foreign_nationals_share"]
    assert found["value"].tolist() == [30.9] and found["unit"].tolist() == ["percent"]


def test_a_share_the_workbench_computed_is_not_a_publication():
    framework = load_framework()
    local = _share("c")
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    row = matrix[matrix["indicator"] == "Foreign nationals, % of population"].iloc[0]
    assert row.get("2019", "") == ""


def test_an_item_only_the_workbench_computes_is_marked_where_its_figure_exists():
    # issue 16 review: the matrix left remittances (% of GDP, computed from two World Bank series)
    # empty while the national context table gave them
    framework = load_framework()
    national = tidy_frame([{
        "place_id": "JOR", "place_name": "Jordan", "geography_level": "country", "country_iso3": "JOR", "city_id": "",
        "indicator_id": "remittances_share_of_gdp", "definition_id": "whole_economy", "period": "2024",
        "ref_date": "2024-12-31", "value": 7.6, "unit": "percent", "flag": "c",
    }], "worldbank_wdi")
    matrix = availability.city_matrix(national.iloc[0:0], national, framework)
    row = matrix[matrix["indicator"] == "Remittances received, % of GDP"].iloc[0]
    assert row["2024"] == "N"


def _labour(source: str, definition: str, level: str, period: str, origin: str = "total", place: str = "ES30") -> dict:
    return {"place_id": place, "place_name": place, "geography_level": level, "country_iso3": "ESP",
            "indicator_id": "unemployment_rate", "definition_id": definition, "period": period,
            "ref_date": f"{period}-07-01", "value": 12.0, "unit": "percent", "age": "Y15-64", "origin": origin,
            "source_id": source}


def test_the_region_around_the_city_is_marked_r_never_c():
    # issue 18: the NUTS 2 rates reach the matrix through CityData.regional, with no city id
    regional = tidy_frame([_labour("eurostat_lfst_r_lfur2gac", "foreign_born", "nuts2", "2022")], "eurostat_lfst_r_lfur2gac")
    national = tidy_frame([_labour("eurostat_lfsa_urgan", "foreign_nationality", "country", "2022", "NEU27_2020_FOR", "ES")],
                          "eurostat_lfsa_urgan")
    framework = load_framework()
    matrix = availability.city_matrix(national.iloc[0:0], national, framework, regional=regional).set_index("indicator")
    assert matrix.loc["Unemployment rate of migrants vs natives (gap)", "2022"] == "RN"
    # a city item never takes the region's rows for the city's own
    assert set(matrix.loc["Foreign-born, % of population"].iloc[1:]) == {""}
    assert any("R: the region around the city only" in str(note) for note in availability.legend())
    # without the region the country's EU/non-EU citizens alone mark the item (no total origin published)
    alone = availability.city_matrix(national.iloc[0:0], national, framework).set_index("indicator")
    assert alone.loc["Unemployment rate of migrants vs natives (gap)", "2022"] == "N"


def test_first_permits_by_reason_mark_their_item_at_country_level():
    rows = [{"place_id": "ES", "place_name": "Spain", "geography_level": "country", "country_iso3": "ESP",
             "indicator_id": "permits_issued", "definition_id": "first_residence_permit", "period": "2023",
             "ref_date": "2023-12-31", "value": v, "unit": "persons", "category": c}
            for c, v in (("total", 10.0), ("reason:family", 6.0), ("reason:employment", 4.0))]
    national = tidy_frame(rows, "eurostat_migr_resfirst")
    matrix = availability.city_matrix(national.iloc[0:0], national, load_framework()).set_index("indicator")
    row = matrix.loc["First residence permits by reason (migration channels: family, education, employment, other)"]
    assert row["2023"] == "N" and row["theme"] == "Access to rights and services"

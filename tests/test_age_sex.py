"""Tests of sex and age: the sex table, the pyramids and the "no data" sentences decide the city alike."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import age_sex, availability
from workbench.reference.framework import load_framework
from workbench.tidy.sources._common import tidy_frame


def _district_rows() -> pd.DataFrame:
    # Stadt Wien: published only by district, by age band and sex (no all-ages row)
    rows = []
    for district in ("D1", "D2"):
        for age in ("Y0-14", "Y15-64", "Y65-MAX"):
            for sex, value in (("female", 10.0), ("male", 12.0)):
                rows.append({
                    "place_id": district, "place_name": district, "geography_level": "district", "country_iso3": "AUT",
                    "city_id": "vienna", "indicator_id": "population", "definition_id": "foreign_origin_wien",
                    "period": "2022", "ref_date": "2022-01-01", "value": value, "unit": "persons", "age": age, "sex": sex,
                })
    return tidy_frame(rows, "wien_ogd_population_origin")


def test_a_city_published_by_district_has_a_sex_table_as_it_has_a_pyramid():
    # issue 16: Vienna 4.3 said the sources "do not give a breakdown of migrants by sex" above a pyramid
    local = _district_rows()
    (profile,) = age_sex.age_profiles(local, local.iloc[0:0])
    assert set(profile.ages["sex"]) == {"female", "male"}
    section = age_sex.sex_age(local)
    assert not section.empty
    row = section.table.iloc[0]
    assert (row["women"], row["men"]) == (60.0, 72.0)
    assert section.table["place"].iloc[0].msgid == "sum of {areas}"


def test_the_availability_matrix_agrees_with_the_sex_table():
    local = _district_rows()
    matrix = availability.city_matrix(local, local.iloc[0:0], load_framework())
    by_sex = matrix[matrix["indicator"] == "Migrants by sex (women %)"]
    assert by_sex["2022"].iloc[0] != ""
    assert not age_sex.sex_age(local).empty


def test_the_all_ages_row_is_not_added_to_the_age_bands():
    local = _district_rows().assign(geography_level="municipality", place_id="W", place_name="Wien")
    total = local[local["age"] == "Y0-14"].assign(age="total", value=lambda f: f["value"] * 100)
    row = age_sex.sex_age(pd.concat([local, total], ignore_index=True)).table.iloc[0]
    assert (row["women"], row["men"]) == (2000.0, 2400.0)


def test_a_table_by_sex_for_one_age_band_only_is_not_mixed_with_a_table_for_one_sex():
    # issue 16 (found on Lyon 2020): men were the sum of the 15+ activity table and an all-ages table
    # published for men only, and women's share read 32.2 % instead of 51.3 %
    def row(sex, age, category, value):
        return {"place_id": "UU", "place_name": "Unité urbaine de Lyon", "geography_level": "urban_unit",
                "country_iso3": "FRA", "city_id": "lyon", "indicator_id": "population",
                "definition_id": "foreign_nationality", "period": "2020", "ref_date": "2020-01-01", "value": value,
                "unit": "persons", "sex": sex, "age": age, "category": category}
    local = tidy_frame([
        row("female", "Y15-MAX", "activity:employed", 25303.0), row("female", "Y15-MAX", "total", 70929.0),
        row("male", "Y15-MAX", "activity:employed", 33832.0), row("male", "Y15-MAX", "total", 67247.0),
        row("male", "total", "csp:employees", 5730.0), row("male", "total", "total", 81855.0),
    ], "insee_rp_lyon")
    section = age_sex.sex_age(local)
    row_ = section.table.iloc[0]
    assert (row_["women"], row_["men"]) == (70929.0, 67247.0)
    assert [n.msgid for n in section.notes] == [
        "{place}, {date}: women and men aged {age} only (the table has no all-ages figure by sex)."]

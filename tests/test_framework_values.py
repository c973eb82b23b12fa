"""Tests of framework_values: which cities the data cover for each item (coverage), and each item's latest figure (latest_values)."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis.framework_values import VALUE_COLUMNS, coverage, latest_values
from workbench.reference.framework import Item, Measure, load_framework
from workbench.reference.registry import load_cities
from workbench.tidy.catalog import load_tidy
from workbench.tidy.schemas import TIDY_COLUMNS

BASE = {
    "source_id": "src_a",
    "place_id": "P1",
    "place_name": "Place one",
    "geography_level": "city",
    "country_iso3": "AAA",
    "city_id": "testcity",
    "indicator_id": "population",
    "definition_id": "foreign_nationality",
    "sex": "total",
    "age": "total",
    "origin_type": "",
    "origin": "total",
    "category": "total",
    "period": "2020",
    "ref_date": "2020-01-01",
    "value": 1.0,
    "unit": "persons",
    "flag": "",
    "note": "",
}


def tidy(*rows: dict) -> pd.DataFrame:
    """Tidy rows: each dict overrides the defaults of BASE."""
    frame = pd.DataFrame([{**BASE, **row} for row in rows], columns=list(TIDY_COLUMNS))
    return frame.astype({"value": float})


def item(item_id="it", unit="persons", level="city", breakdown=None, indicator=("population",), definitions=("foreign_nationality",)) -> Item:
    measure = Measure(indicator=list(indicator), definitions=list(definitions), breakdown=breakdown, level=level)
    return Item(id=item_id, theme="demography", label=f"label of {item_id}", unit=unit, sources=[], frameworks={"X": "y"}, measure=measure)


NO_ROWS = tidy().iloc[0:0]


def test_latest_values_returns_the_declared_columns_and_the_latest_date_per_place():
    local = tidy(
        {"ref_date": "2019-01-01", "value": 10},
        {"ref_date": "2021-01-01", "value": 30},
        {"ref_date": "2020-01-01", "value": 20},
        {"place_id": "P2", "place_name": "Place two", "geography_level": "municipality", "ref_date": "2018-01-01", "value": 5},
    )
    out = latest_values("testcity", local, NO_ROWS, [item()])
    assert list(out.columns) == list(VALUE_COLUMNS)
    assert out[["place", "ref_date", "value"]].values.tolist() == [["Place one", "2021-01-01", 30.0], ["Place two", "2018-01-01", 5.0]]
    assert set(out["city_id"]) == {"testcity"} and set(out["definition"]) == {"Foreign nationals"}


def test_latest_values_keeps_sources_and_definitions_apart():
    local = tidy(
        {"value": 1},
        {"source_id": "src_b", "value": 2},
        {"definition_id": "foreign_born", "value": 3},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(definitions=("foreign_nationality", "foreign_born"))])
    assert sorted(out["value"]) == [1.0, 2.0, 3.0]


def test_latest_values_gives_the_share_for_a_percent_population_item():
    local = tidy(
        {"value": 200, "note": "cited report"},
        {"indicator_id": "population_share", "value": 20.0, "unit": "percent", "flag": "c", "note": "200 / 1000 (src_a)"},
        {"indicator_id": "population_share", "ref_date": "2019-01-01", "value": 99.0, "unit": "percent"},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(unit="percent")])
    row = out.iloc[0]
    assert (row["value"], row["unit"], row["flag"]) == (20.0, "percent", "c")
    # the count's note (an expert figure's citation) stays first
    assert row["note"] == "cited report | share 200 / 1000 (src_a)"


def test_latest_values_keeps_the_count_when_no_share_has_the_same_date():
    local = tidy(
        {"ref_date": "2022-01-01", "value": 200},
        {"indicator_id": "population_share", "ref_date": "2019-01-01", "value": 9.0, "unit": "percent"},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(unit="percent")])
    assert out[["ref_date", "value", "unit"]].values.tolist() == [["2022-01-01", 200.0, "persons"]]


def test_latest_values_counts_the_categories_of_a_breakdown_without_summing_them():
    local = tidy(
        {"value": 100},
        {"sex": "female", "value": 40},
        {"sex": "male", "value": 60},
        {"sex": "female", "age": "Y0-14", "value": 7},
        {"sex": "female", "ref_date": "2019-01-01", "value": 1},
        {"sex": "male", "ref_date": "2019-01-01", "value": 1},
        {"sex": "unknown", "ref_date": "2019-01-01", "value": 1},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(breakdown="sex", unit="percent")])
    assert out[["ref_date", "value", "unit"]].values.tolist() == [["2020-01-01", 2.0, "categories"]]
    assert out["note"].iloc[0] == "categories: female, male"


def test_latest_values_counts_categories_of_a_category_prefix_only():
    local = tidy(
        {"category": "activity:employed"},
        {"category": "activity:unemployed"},
        {"category": "education:isced0-2"},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(breakdown="category:activity")])
    assert out["value"].tolist() == [2.0]


def test_latest_values_gives_one_expert_input_row_for_an_item_without_measure():
    expert = Item(id="gov_x", theme="inter_institutional_coordination", label="Strategy", unit="index", sources=[], frameworks={"X": "y"}, measure=None)
    out = latest_values("testcity", tidy({}), NO_ROWS, [expert])
    assert len(out) == 1
    assert math.isnan(out["value"].iloc[0]) and out["unit"].iloc[0] == "expert input"
    assert out[["item_id", "theme", "item"]].values.tolist() == [["gov_x", "inter_institutional_coordination", "Strategy"]]


def test_latest_values_restricts_rows_to_the_item_level():
    local = tidy(
        {"value": 1},
        {"geography_level": "country", "place_id": "AAA", "value": 2},  # an expert figure about the country
        {"geography_level": "district", "place_id": "D1", "value": 3},
    )
    national = tidy({"geography_level": "country", "place_id": "AAA", "place_name": "Country", "city_id": "", "value": 9})
    city = latest_values("testcity", local, national, [item(level="city")])
    country = latest_values("testcity", local, national, [item(level="country")])
    anywhere = latest_values("testcity", local, national, [item(level="any")])
    assert city["value"].tolist() == [1.0]
    assert country["value"].tolist() == [9.0]
    assert sorted(anywhere["value"]) == [1.0, 9.0]


def test_latest_values_summarises_areas_inside_the_city_as_a_count():
    local = tidy(
        {"geography_level": "district", "place_id": "D1", "place_name": "North", "value": 3},
        {"geography_level": "district", "place_id": "D2", "place_name": "South", "value": 4},
        {"geography_level": "district", "place_id": "D2", "place_name": "South", "ref_date": "2019-01-01", "value": 4},
        {"geography_level": "neighbourhood", "place_id": "N1", "place_name": "Old town", "value": 1},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(level="district")])
    assert out[["place", "geography_level", "value", "unit"]].values.tolist() == [
        ["1 neighbourhood", "neighbourhood", 1.0, "areas"],
        ["2 districts", "district", 2.0, "areas"],
    ]
    assert out["note"].iloc[1] == "areas: North, South"


def test_latest_values_falls_back_to_districts_for_a_city_breakdown_published_by_district_only():
    local = tidy(
        {"geography_level": "district", "place_id": "D1", "sex": "female"},
        {"geography_level": "district", "place_id": "D1", "sex": "male"},
        {"geography_level": "district", "place_id": "D2", "sex": "female"},
    )
    out = latest_values("testcity", local, NO_ROWS, [item(breakdown="sex")])
    assert out[["place", "value", "unit"]].values.tolist() == [["2 districts", 2.0, "categories"]]


def test_latest_values_names_the_subgroup_of_a_table_without_total():
    local = tidy(
        {"indicator_id": "employed", "definition_id": "total_population", "age": "Y20-64", "value": 500},
        {"indicator_id": "employed", "definition_id": "total_population", "age": "Y20-64", "sex": "female", "value": 240},
        # an origin table without total: no figure is picked from it
        *({"source_id": "src_b", "origin": code, "value": 1} for code in ("AAA", "BBB", "CCC", "DDD")),
    )
    out = latest_values("testcity", local, NO_ROWS, [item(indicator=("employed",), definitions=("total_population",)), item("other")])
    assert out[["item_id", "subgroup", "value"]].values.tolist() == [["it", "age Y20-64", 500.0]]


def test_latest_values_does_not_change_its_inputs():
    local = tidy({"value": 200}, {"indicator_id": "population_share", "value": 20.0, "unit": "percent"})
    before = local.copy()
    latest_values("testcity", local, NO_ROWS, [item(unit="percent"), item("b", breakdown="sex")])
    pd.testing.assert_frame_equal(local, before)


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.integers(1990, 2030), st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=12))
def test_latest_values_picks_the_value_of_the_latest_date(series: dict[int, float]):
    local = tidy(*({"ref_date": f"{year}-01-01", "period": str(year), "value": value} for year, value in series.items()))
    out = latest_values("testcity", local, NO_ROWS, [item()])
    last = max(series)
    assert out[["ref_date", "value"]].values.tolist() == [[f"{last}-01-01", series[last]]]


def test_coverage_comes_from_the_data():
    table = coverage(load_tidy(), load_cities(), load_framework()).set_index("id")
    assert table.loc["dem_foreign_born_share", "madrid"] == "2015-2023"
    assert table.loc["dem_foreign_born_share", "tunis"] == ""
    assert table.loc["ref_refugees_local", "amman"].startswith("20")
    assert table.loc["ref_palestine_refugees", "beirut"].startswith("19")
    assert table.loc["ref_palestine_refugees", "lisbon"] == ""
    assert table.loc["gov_strategy", "vienna"] == "expert input"
    assert table.loc["dem_districts", "vienna"] == "2002-2022"


def test_coverage_counts_a_city_published_only_by_district():
    table = coverage(load_tidy(), load_cities(), load_framework()).set_index("id")
    assert table.loc["dem_national_variant_share", "vienna"] == "2002-2022 (districts)"
    assert table.loc["dem_migrants_by_age", "vienna"] == "2002-2022 (districts)"


def test_a_row_of_one_origin_is_not_the_figure_of_an_item_without_breakdown():
    # issue 16 review: Amman's 2014 count of Syrians (Ministry of Interior) marked 'Foreign nationals' as
    # available for 2014 in the matrix, and could stand as its latest figure
    from workbench.analysis.framework_values import item_mask

    rows = tidy(
        {"source_id": "expert_figures", "ref_date": "2015-11-30", "period": "2015", "value": 1_450_000},
        {"source_id": "expert_figures", "ref_date": "2014-12-29", "period": "2014", "origin_type": "citizenship",
         "origin": "SYR", "value": 791_000},
        # UNHCR publishes every origin and no total: its rows stand for the whole caseload
        {"source_id": "unhcr_demographics", "definition_id": "registered_refugee", "origin_type": "origin_country",
         "origin": "SYR", "value": 10},
    )
    assert item_mask(rows, item().measure).tolist() == [True, False, False]
    assert item_mask(rows, item(definitions=("registered_refugee",)).measure).tolist() == [False, False, True]
    out = latest_values("testcity", rows, NO_ROWS, [item()])
    assert out[["ref_date", "value"]].values.tolist() == [["2015-11-30", 1_450_000.0]]


def test_a_projection_or_a_superseded_value_is_never_the_latest_figure():
    # issue 16 review: World Bank net migration for 2024-25 (UN WPP projections) and UNHCR's 2025
    # asylum-seekers (corrected after the release held) stood as the latest figures of comparisons
    national = tidy(
        *({"source_id": "worldbank_wdi", "place_id": "ESP", "geography_level": "country", "indicator_id": "net_migration",
           "definition_id": "whole_economy", "period": str(y), "ref_date": f"{y}-12-31", "value": v}
          for y, v in ((2023, 10.0), (2024, 20.0), (2025, 30.0))),
    )
    local = tidy(
        {"source_id": "unhcr_demographics", "definition_id": "asylum_seeker", "period": "2024", "ref_date": "2024-12-31", "value": 26_111},
        {"source_id": "unhcr_demographics", "definition_id": "asylum_seeker", "period": "2025", "ref_date": "2025-12-31", "value": 5_989,
         "flag": "cx"},
    )
    items = [item("net", level="country", indicator=("net_migration",), definitions=("whole_economy",)),
             item("asy", definitions=("asylum_seeker",))]
    out = latest_values("testcity", local, national, items).set_index("item_id")
    assert out.loc["net", "ref_date"] == "2023-12-31" and out.loc["asy", "value"] == 26_111


def test_declared_origin_groups_stand_for_a_group_published_without_total():
    # Eurostat's lfsa_urgan publishes EU and non-EU citizens, never all foreign citizens
    rows = tidy(
        {"origin_type": "citizenship", "origin": "EU27_2020_FOR"},
        {"origin_type": "citizenship", "origin": "NEU27_2020_FOR"},
        {"origin_type": "citizenship", "origin": "MAR"},
    )
    measure = Measure(indicator=["population"], definitions=["foreign_nationality"], origins=["EU27_2020_FOR", "NEU27_2020_FOR"], level="any")
    plain = Measure(indicator=["population"], definitions=["foreign_nationality"], level="any")
    from workbench.analysis.framework_values import item_mask

    assert item_mask(rows, measure).tolist() == [True, True, False]
    assert item_mask(rows, plain).tolist() == [False, False, False]


def test_coverage_of_an_any_item_takes_the_city_region_and_country_never_another_city_or_region():
    cities = {c: load_cities()[c] for c in ("madrid", "barcelona")}
    assert cities["barcelona"].codes["eurostat_nuts2"] == ["ES51"]
    madrid_region = cities["madrid"].codes["eurostat_nuts2"][0]
    rows = tidy(
        {"place_id": madrid_region, "geography_level": "nuts2", "city_id": "", "country_iso3": "ESP", "period": "2019"},
        {"place_id": "ES51", "geography_level": "nuts2", "city_id": "", "country_iso3": "ESP", "period": "2018"},
        {"place_id": "P9", "city_id": "barcelona", "country_iso3": "ESP", "period": "2017"},
    )
    table = coverage(rows, cities, [item(level="any")]).set_index("id")
    # Madrid: its own region only; Barcelona: its own rows and its region (ES51), never Madrid's region
    assert table.loc["it", "madrid"] == "2019"
    assert table.loc["it", "barcelona"] == "2017-2018"


def test_latest_values_gives_the_region_only_to_items_of_any_level():
    region = tidy({"place_id": "ES30", "place_name": "Comunidad de Madrid", "geography_level": "nuts2", "city_id": "",
                   "indicator_id": "unemployment_rate", "definition_id": "foreign_born", "age": "Y15-64", "value": 15.4,
                   "unit": "percent", "period": "2022", "ref_date": "2022-07-01"})
    measure = {"indicator": ("unemployment_rate",), "definitions": ("foreign_born",), "unit": "percent"}
    out = latest_values("testcity", NO_ROWS, NO_ROWS, [item("gap", level="any", **measure), item("own", level="city", **measure)], region)
    gap = out[out["item_id"] == "gap"].iloc[0]
    assert (gap["place"], gap["geography_level"], gap["subgroup"], gap["value"]) == ("Comunidad de Madrid", "nuts2", "age Y15-64", 15.4)
    assert out[out["item_id"] == "own"].empty

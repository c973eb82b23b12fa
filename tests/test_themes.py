"""Tests of the thematic cross-city tables read from the framework values the city runs saved."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from workbench.tidy import catalog
from workbench.analysis import city_tables, profile_tables, themes
from workbench.errors import ConfigError, DataError, UnknownCityError
from workbench.analysis.framework_values import VALUE_COLUMNS, latest_values
from workbench.reference.framework import THEME_LABELS, THEMES, load_framework
from workbench.reference.i18n import Msg

ALL_CITIES = ["amman", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]

BASE = {
    "city_id": "turin",
    "item_id": "flw_inflows",
    "theme": "flows",
    "item": "Arrivals of foreigners per year",
    "place": "Torino",
    "geography_level": "metropolitan_city",
    "definition_id": "foreign_nationality",
    "definition": "Foreign nationals",
    "indicator_id": "inflows",
    "subgroup": "",
    "ref_date": "2023-12-31",
    "value": 1234.4,
    "unit": "persons",
    "source_id": "istat_popstrbil1",
    "flag": "",
    "note": "",
}


def values(*rows: dict) -> pd.DataFrame:
    """A framework-values frame: each dict overrides the defaults of BASE."""
    return pd.DataFrame([{**BASE, **row} for row in rows], columns=list(VALUE_COLUMNS)).astype({"value": float})


def expert_rows(city_id: str) -> list[dict]:
    """The expert-input rows latest_values writes for every city."""
    return [
        {"city_id": city_id, "item_id": i.id, "theme": i.theme, "item": i.label, "value": math.nan, "unit": "expert input",
         "place": "", "geography_level": "", "definition_id": "", "definition": "", "indicator_id": "", "source_id": "", "ref_date": ""}
        for i in load_framework() if i.measure is None
    ]


def write(folder: Path, frame: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / city_tables.FRAMEWORK_VALUES.filename
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def test_load_values_reads_each_city_and_lists_the_missing_ones(tmp_path):
    write(tmp_path / "turin", values({}, {"item_id": "flw_net_migration", "value": math.nan}))
    loaded, missing = themes.load_values(tmp_path, ["vienna", "turin"])
    assert missing == ["vienna"]
    assert len(loaded) == 2 and loaded["value"].dtype == float
    assert loaded["value"].isna().tolist() == [False, True]
    assert loaded["subgroup"].tolist() == ["", ""] and loaded["ref_date"].iloc[0] == "2023-12-31"


def test_load_values_names_the_file_and_the_missing_column(tmp_path):
    path = write(tmp_path / "turin", values({}).drop(columns="definition_id"))
    with pytest.raises(DataError, match=r"turin/framework_values.csv: column 'definition_id' is missing"):
        themes.load_values(tmp_path, ["turin"])
    assert path.exists()


def test_load_values_names_the_row_of_a_value_that_is_not_a_number(tmp_path):
    frame = values({}, {}).astype({"value": object})
    frame.loc[1, "value"] = "n/a"
    write(tmp_path / "turin", frame)
    with pytest.raises(DataError, match=r"row 3, column 'value': 'n/a'"):
        themes.load_values(tmp_path, ["turin"])


def test_load_values_rejects_rows_of_another_city(tmp_path):
    write(tmp_path / "turin", values({"city_id": "madrid"}))
    with pytest.raises(DataError, match="rows of 'madrid' in the folder of 'turin'"):
        themes.load_values(tmp_path, ["turin"])


def test_theme_table_gives_a_row_per_figure_and_one_row_for_the_gaps():
    # issue 16: 74 % of the rows were "no figure" / "expert input", one per city
    frame = values({}, {"city_id": "amman", "item_id": "flw_net_migration", "place": "Jordan", "geography_level": "country",
                        "definition_id": "whole_economy", "indicator_id": "net_migration", "value": -303267.0, "source_id": "worldbank_wdi"})
    section = themes.theme_table(frame, "flows", ["turin", "amman"])
    table = section.table
    assert list(table.columns) == themes.TABLE_COLUMNS
    assert table[["indicator", "city", "shore"]].values.tolist() == [
        ["Arrivals of foreigners per year", "Turin", "north"],
        ["Arrivals of foreigners per year", "Amman", "south"],
        ["Net migration of the country", "Amman", "south"],
        ["Net migration of the country", "Turin", "north"],
    ]
    assert table["value"].iloc[0] == 1234.0  # rounded as displayed
    assert table["unit"].tolist()[1] == themes.NO_FIGURE_TEXT and table["unit"].tolist()[3] == themes.NO_FIGURE_TEXT
    assert table["area"].iloc[0] == "metropolitan city: Torino"
    assert table["area"].iloc[2] == "country: Jordan (national figure)"
    assert table["area"].iloc[0].msgid == "{geography}: {place}" and table["shore"].iloc[0].msgid == "north"
    assert section.source_ids == ["istat_popstrbil1", "worldbank_wdi"]
    gaps = themes.theme_table(values({}), "flows", ["turin", "amman", "lisbon"]).table
    assert len(gaps) == 2  # Amman and Lisbon have no row at all: left out, as before


def test_theme_table_marks_national_figures_and_gap_items_holding_a_level():
    # issue 16: remittances (% of GDP, national) were "comparable: yes" under each city, and
    # Italy's employment rate of foreign nationals (62.8) stood as Turin's "gap"
    national = {"item_id": "flw_remittances", "theme": "employment_entrepreneurship", "geography_level": "country",
                "definition_id": "whole_economy", "indicator_id": "remittances_share_of_gdp", "unit": "percent", "source_id": "worldbank_wdi"}
    frame = values(
        {**national, "place": "Italy", "value": 0.5}, {**national, "city_id": "amman", "place": "Jordan", "value": 7.6},
        {"item_id": "lab_employment_gap", "theme": "employment_entrepreneurship", "place": "Italy", "geography_level": "country",
         "indicator_id": "employment_rate", "subgroup": "age Y15-64", "value": 62.816897, "unit": "percent", "source_id": "istat_lfs_employment_foreign"},
    )
    table = themes.theme_table(frame, "employment_entrepreneurship", ["turin", "amman"]).table
    remittances = table[table["indicator"] == "Remittances received, % of GDP"]
    assert set(remittances["comparable"]) == {"national figures: they compare countries, not cities"}
    assert set(remittances["area"]) == {"country: Italy (national figure)", "country: Jordan (national figure)"}
    level = table[table["value"] == 62.8].iloc[0]
    assert level["indicator"] == "Employment rate of Foreign nationals (aged 15–64): a level, not the gap"
    assert level["area"] == "country: Italy (national figure)"


def test_theme_table_shows_no_category_count_as_a_value():
    # issue 16: 13 rows showed "3 categories" as a value
    frame = values({"value": 3.0, "unit": "categories"})
    row = themes.theme_table(frame, "flows", ["turin"]).table.iloc[0]
    assert math.isnan(row["value"]) and row["unit"] == "breakdown published (3 categories), no single figure"


def test_theme_table_flags_figures_whose_dates_are_too_far_apart():
    frame = values({}, {"city_id": "madrid", "ref_date": "2015-12-31"})
    section = themes.theme_table(frame, "flows", ["turin", "madrid"])
    assert section.table["comparable"].iloc[0] == "no: dates differ"
    assert any("dates more than 3 years apart" in n and "31 December 2015 (Madrid)" in n for n in section.notes)


def test_theme_table_flags_items_whose_definitions_differ_between_cities():
    frame = values({}, {"city_id": "madrid", "definition_id": "new_residence_permit", "source_id": "x"})
    section = themes.theme_table(frame, "flows", ["turin", "madrid"])
    by_item = dict(zip(section.table["indicator"], section.table["comparable"]))
    assert by_item["Arrivals of foreigners per year"] == "no: definitions differ"
    assert by_item["Net migration of the country"] == ""  # no city has a figure
    three = values({}, {"city_id": "madrid", "definition_id": "new_residence_permit"},
                   {"city_id": "vienna", "item_id": "flw_net_migration", "place": "Austria", "geography_level": "country",
                    "definition_id": "whole_economy", "indicator_id": "net_migration", "source_id": "worldbank_wdi"})
    arrivals = themes.theme_table(three, "flows", ["turin", "madrid", "vienna"]).table.iloc[:3]
    assert arrivals["city"].tolist()[2] == "Vienna"  # the row of the cities without a figure
    assert arrivals["comparable"].tolist() == ["no: definitions differ", "no: definitions differ", ""]
    assert any(n.startswith("Arrivals of foreigners per year — definitions differ: figures compare only within each group") and "Foreign nationals (Turin)" in n for n in section.notes)
    assert any(n.startswith("Foreign nationals: ") for n in section.notes)
    assert all(isinstance(n, Msg) for n in section.notes)
    assert isinstance(by_item["Arrivals of foreigners per year"], Msg)


def test_theme_table_compares_each_figure_with_the_figures_like_it():
    both = [{"definition_id": "registered_refugee"}, {"definition_id": "asylum_seeker"}]
    frame = values(*both, *({**row, "city_id": "madrid"} for row in both))
    assert "comparable" not in themes.theme_table(frame, "flows", ["turin", "madrid"]).table.columns
    # Madrid has refugees only: Turin's refugees compare, its asylum seekers have no peer
    table = themes.theme_table(frame.iloc[:3], "flows", ["turin", "madrid"]).table
    assert table["comparable"].tolist()[:3] == ["yes", "no: definitions differ", "yes"]


def test_theme_table_never_calls_figures_of_other_ages_groups_or_areas_comparable():
    # issue 18 (officer review of Table B.14): every unemployment rate was "comparable: yes" although
    # regions (foreign-born, 15-64, 2022) sat beside countries (foreign nationals, 20-64, by origin)
    rate = {"item_id": "lab_unemployment_gap", "theme": "employment_entrepreneurship", "indicator_id": "unemployment_rate",
            "unit": "percent"}
    region = {**rate, "geography_level": "nuts2", "definition_id": "foreign_born", "subgroup": "age Y15-64",
              "ref_date": "2022-07-01", "source_id": "eurostat_lfst_r_lfur2gac"}
    country = {**rate, "geography_level": "country", "definition_id": "foreign_nationality",
               "subgroup": "age Y20-64, origin NEU27_2020_FOR", "ref_date": "2024-07-01", "source_id": "eurostat_lfsa_urgan"}
    frame = values(
        {**region, "place": "Piemonte", "value": 12.5}, {**country, "place": "Italy", "value": 10.0},
        {**region, "city_id": "madrid", "place": "Comunidad de Madrid", "value": 15.4},
        {**region, "city_id": "lyon", "place": "Rhône-Alpes", "subgroup": "age Y20-64", "value": 10.0},
    )
    section = themes.theme_table(frame, "employment_entrepreneurship", ["turin", "madrid", "lyon"])
    table = section.table[section.table["indicator"].str.startswith("Unemployment rate")]
    by_value = dict(zip(table["value"], table["comparable"]))
    assert by_value[12.5] == "yes" and by_value[15.4] == "yes"
    assert by_value[10.0] in {"no: age ranges or groups differ", "national figures: they compare countries, not cities"}
    assert table.loc[table["area"] == "country: Italy (national figure)", "comparable"].iloc[0].startswith("national")
    assert table.loc[table["city"] == "Lyon", "comparable"].iloc[0] == "no: age ranges or groups differ"
    italy = table.loc[table["area"] == "country: Italy (national figure)", "indicator"].iloc[0]
    assert italy == "Unemployment rate of Foreign nationals (aged 20–64, citizens of a non-EU country): a level, not the gap"
    assert "NEU27" not in " ".join(map(str, section.table["indicator"]))
    assert any("age ranges or groups differ" in n and "aged 15–64 (Turin, Madrid)" in n and "aged 20–64 (Lyon)" in n
               for n in section.notes)


def test_theme_table_flags_items_whose_areas_differ_and_passes_the_same_ones():
    same = values({}, {"city_id": "madrid", "place": "Madrid"})
    assert "comparable" not in themes.theme_table(same, "flows", ["turin", "madrid"]).table.columns
    other = values({}, {"city_id": "madrid", "geography_level": "municipality"})
    table = themes.theme_table(other, "flows", ["turin", "madrid"]).table
    assert table["comparable"].iloc[0] == "no: areas differ"


def test_theme_table_shows_expert_input_items():
    frame = values(*expert_rows("vienna"))
    table = themes.theme_table(frame, "inter_institutional_coordination", ["vienna"]).table
    assert len(table) == 3
    assert set(table["unit"]) == {"expert input (no public statistic)"}
    assert table["value"].isna().all()


def test_theme_table_names_the_subgroup_and_leaves_out_cities_without_values():
    frame = values({"item_id": "flw_inflows", "subgroup": "category reason:employment"})
    section = themes.theme_table(frame, "flows", ["turin", "lisbon"])
    assert section.table["indicator"].iloc[0] == "Arrivals of foreigners per year (reason: employment)"
    assert set(section.table["city"]) == {"Turin"}
    assert any("lisbon" in n for n in section.notes)


def test_theme_table_cells_made_of_text_are_messages():
    frame = values(
        {"place": "23 districts", "geography_level": "district", "unit": "areas", "value": 23.0},
        {"city_id": "vienna", "place": "Wien (sum of districts)", "geography_level": "city"},
    )
    table = themes.theme_table(frame, "flows", ["turin", "vienna"]).table
    areas = table["area"].tolist()[:2]
    assert areas == ["23 districts", "city: Wien (sum of districts)"]
    assert areas[0].msgid == "{count} districts" and areas[0].params == {"count": 23}
    assert areas[1].params["place"].msgid == "{city} (sum of districts)"
    assert isinstance(table["unit"].iloc[2], Msg)  # no figure in the public data


def test_theme_table_rejects_an_unknown_theme():
    with pytest.raises(ConfigError, match="unknown theme 'housing'"):
        themes.theme_table(values({}), "housing", ["turin"])


def test_theme_summary_counts_figures_expert_input_and_gaps():
    frame = values(
        {},
        {"item_id": "dem_population", "theme": "demography", "value": 5.0, "source_id": "expert_figures"},
        *expert_rows("turin"),
    )
    summary = themes.theme_summary(frame, ["turin", "lisbon"]).set_index("theme")
    assert list(summary.columns) == themes.SUMMARY_COLUMNS[1:]
    assert len(summary) == len(THEMES)  # lisbon has no values: left out
    flows = summary.loc[THEME_LABELS["flows"]]
    assert (flows["items"], flows["with a figure"], flows["expert input"], flows["no figure"]) == (2, 1, 0, 1)
    demography = summary.loc[THEME_LABELS["demography"]]
    assert (demography["with a figure"], demography["of which local expert figures only"]) == (1, 1)
    coordination = summary.loc[THEME_LABELS["inter_institutional_coordination"]]
    assert (coordination["expert input"], coordination["no figure"]) == (3, 0)
    counted = summary[["with a figure", "expert input", "no figure"]].sum(axis=1)
    assert (counted == summary["items"]).all()


def test_shore_groups_keeps_the_order_of_each_shore():
    assert themes.shore_groups(["vienna", "tunis", "lisbon", "amman"]) == {"north": ["vienna", "lisbon"], "south": ["tunis", "amman"]}
    with pytest.raises(UnknownCityError):
        themes.shore_groups(["atlantis"])


def test_every_real_city_round_trips_through_the_saved_values(tmp_path):
    tidy = catalog.load_tidy()
    for city_id in ALL_CITIES:
        data = catalog.load_city(city_id, tidy)
        frame = latest_values(city_id, profile_tables.prepare_local(data), profile_tables.prepare_national(data))
        write(tmp_path / city_id, frame)
    loaded, missing = themes.load_values(tmp_path, ALL_CITIES)
    assert missing == []
    assert set(loaded["city_id"]) == set(ALL_CITIES)
    for theme in THEMES:
        section = themes.theme_table(loaded, theme, ALL_CITIES)
        n_items = sum(1 for i in load_framework() if i.theme == theme)
        assert len(section.table) >= n_items, theme
        # every city is in a figure's row or named in an item's gap row
        assert all(any(name in str(cell) for cell in section.table["city"]) for name in ("Vienna", "Tunis", "Tangier"))
    # a few figures the data are known to hold
    value = loaded.set_index(["city_id", "item_id", "definition_id"])["value"]
    assert value[("madrid", "dem_foreign_nationals_share", "foreign_nationality")] == pytest.approx(16.5, abs=0.1)
    assert (loaded.query("city_id == 'vienna' and item_id == 'dem_districts'")["value"] == 23).all()
    assert loaded.query("item_id == 'ref_palestine_refugees'")["city_id"].tolist() == ["amman", "beirut"]

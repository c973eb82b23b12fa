"""Tests of the indicator framework and the coverage report computed from the data."""

from __future__ import annotations

from workbench.tidy.catalog import load_tidy
from workbench.analysis.framework_values import coverage
from workbench.reference.framework import THEMES, load_framework
from workbench.reference.registry import load_cities, load_definitions, load_indicators, load_sources


def test_framework_items_reference_registered_ids_and_cover_every_theme():
    items = load_framework()
    assert 30 <= len(items) <= 40
    assert {i.theme for i in items} == set(THEMES)
    sources, indicators, definitions = load_sources(), load_indicators(), load_definitions()
    for item in items:
        assert set(item.sources) <= set(sources), item.id
        assert item.frameworks, f"{item.id}: map it to at least one international framework"
        if item.measure:
            assert set(item.measure.indicator) <= set(indicators), item.id
            assert set(item.measure.definitions) <= set(definitions), item.id


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

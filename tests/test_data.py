"""Data guards: the committed tidy tables are valid, traceable, and hold known published figures."""

from __future__ import annotations

import pytest
import shapely
import yaml

from workbench.tidy.catalog import list_tables, load_tidy
from workbench.tidy.ingest import read_tidy
from workbench.reference.registry import check_references, load_sources
from workbench.tidy.schemas import validate_tidy

TABLES = list_tables()


@pytest.mark.parametrize("source_id", sorted(TABLES))
def test_tidy_table_is_valid_and_traceable(source_id):
    path = TABLES[source_id]
    frame = read_tidy(path)
    validate_tidy(frame, path.name)
    check_references(frame, path.name)
    assert (frame["source_id"] == source_id).all()
    meta = yaml.safe_load((path.parent / f"{source_id}.meta.yaml").read_text(encoding="utf-8"))
    assert meta["rows"] == len(frame)
    registered = {f.path: f.sha256 for f in load_sources()[source_id].files}
    assert {b["path"]: b["sha256"] for b in meta["built_from"]} == registered


# Figures published by the producers (quoted in the sources' provenance notes), looked up in the tidy data.
PUBLISHED = [
    ("undesa_ims_2024", "JOR", "population", "un_migrant_stock", {"period": "2024", "origin": "total", "sex": "total"}, 5_280_168),
    ("undesa_ims_2020", "JOR", "population", "un_migrant_stock", {"period": "2020", "sex": "total"}, 3_457_691),
    ("unhcr_population", "JOR", "population", "registered_refugee", {"period": "2024", "origin": "SYR"}, 611_473),
    ("unhcr_population", "LBN", "population", "registered_refugee", {"period": "2024", "origin": "SYR"}, 755_426),
    ("unhcr_unrwa", "JOR", "population", "palestine_refugee_unrwa", {"period": "2024"}, 2_371_387),
    ("eurostat_urb_cpop1", "IT004C", "population", "total_population", {"period": "2022"}, 848_748),
    ("eurostat_urb_cpopcb", "ES001C", "population", "foreign_born", {"period": "2019"}, 1_011_917),
    ("ine_pt_censos2021_foreign", "PT-1106", "population", "foreign_nationality", {"period": "2021", "origin": "total", "sex": "total"}, 55_324),
    ("istat_popstrcit1_citizenship", "ITC11", "population", "foreign_nationality", {"origin": "total", "sex": "total"}, 214_860),
    ("madrid_ayto_nationality_2022", None, "population", "foreign_nationality", {"geography_level": "municipality", "origin": "total", "sex": "total"}, 552_576),
    ("cm_padron_foreign_born_nationality_2021", None, "population", "foreign_born", {"city_id": "madrid", "origin": "total"}, 799_789),
    ("hcp_rgph", None, "population", "total_population", {"city_id": "tanger", "geography_level": "municipality", "period": "2024"}, 1_275_428),
    # Eurostat migrant-integration tables (SOURCES-extra.md, sections 1 and 2)
    ("eurostat_lfst_r_lfur2gac", "AT13", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 11.6),
    ("eurostat_lfst_r_lfur2gac", "AT13", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 9.4),
    ("eurostat_lfst_r_lfur2gac", "ES30", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 15.4),
    ("eurostat_lfst_r_lfur2gac", "ES30", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 11.3),
    ("eurostat_lfst_r_lfur2gac", "ES51", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 15.6),
    ("eurostat_lfst_r_lfur2gac", "ES51", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 9.8),
    ("eurostat_lfst_r_lfur2gac", "ITC1", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 12.5),
    ("eurostat_lfst_r_lfur2gac", "ITC1", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 6.6),
    ("eurostat_lfst_r_lfur2gac", "PT17", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 10.0),
    ("eurostat_lfst_r_lfur2gac", "PT17", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 7.4),
    ("eurostat_lfst_r_lfur2gac", "FRK2", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "total"}, 10.0),
    ("eurostat_lfst_r_lfur2gac", "FRK2", "unemployment_rate", "total_population", {"period": "2022", "age": "Y15-64"}, 6.6),
    ("eurostat_lfst_r_lfur2gac", "AT13", "unemployment_rate", "foreign_born", {"period": "2022", "age": "Y15-64", "origin": "NEU27_2020_FOR"}, 13.9),
    ("eurostat_edat_lfs_9912", "ES", "group_share", "native_born", {"period": "2024", "age": "Y25-64", "sex": "total", "category": "education:isced5-8"}, 46.0),
    ("eurostat_edat_lfs_9912", "ES", "group_share", "foreign_born", {"period": "2024", "age": "Y25-64", "sex": "total", "category": "education:isced5-8", "origin": "NEU27_2020_FOR"}, 28.6),
    ("eurostat_lfsa_ergan", "ES", "employment_rate", "national_citizens", {"period": "2024", "age": "Y20-64", "sex": "total"}, 72.4),
    ("eurostat_lfsa_ergan", "ES", "employment_rate", "foreign_nationality", {"period": "2024", "age": "Y20-64", "sex": "total", "origin": "NEU27_2020_FOR"}, 63.3),
    ("eurostat_migr_resfirst", "ES", "permits_issued", "first_residence_permit", {"period": "2023", "category": "total"}, 548_697),
    ("eurostat_migr_resfirst", "IT", "permits_issued", "first_residence_permit", {"period": "2023", "category": "total"}, 389_542),
    ("eurostat_migr_resfirst", "IT", "permits_issued", "first_residence_permit", {"period": "2023", "category": "reason:family"}, 135_734),
    ("eurostat_migr_resfirst", "IT", "permits_issued", "first_residence_permit", {"period": "2023", "category": "reason:other"}, 187_754),
]


@pytest.mark.parametrize("source_id, place, indicator, definition, where, expected", PUBLISHED, ids=[p[0] for p in PUBLISHED])
def test_published_figure_is_in_the_tidy_data(source_id, place, indicator, definition, where, expected):
    tidy = load_tidy()
    rows = tidy[(tidy["source_id"] == source_id) & (tidy["indicator_id"] == indicator) & (tidy["definition_id"] == definition)]
    if place:
        rows = rows[rows["place_id"] == place]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    if "age" not in where:
        rows = rows[rows["age"] == "total"]
    if "category" not in where:
        rows = rows[rows["category"] == "total"]
    assert rows["value"].tolist() == [expected]


# Flags published with those figures (Eurostat letters), looked up the same way.
PUBLISHED_FLAGS = [
    ("eurostat_lfsa_ergan", "ES", "national_citizens", {"period": "2024", "sex": "total", "origin": "total"}, "d"),
    ("eurostat_lfsa_ergan", "ES", "foreign_nationality", {"period": "2024", "sex": "total", "origin": "NEU27_2020_FOR"}, "d"),
    ("eurostat_migr_resfirst", "ES", "first_residence_permit", {"period": "2023", "category": "total"}, "b"),
    ("eurostat_migr_resfirst", "IT", "first_residence_permit", {"period": "2023", "category": "total"}, ""),
]


@pytest.mark.parametrize("source_id, place, definition, where, expected", PUBLISHED_FLAGS, ids=[f"{p[0]}-{p[1]}-{p[2]}" for p in PUBLISHED_FLAGS])
def test_published_flag_is_in_the_tidy_data(source_id, place, definition, where, expected):
    rows = read_tidy(TABLES[source_id])
    rows = rows[(rows["place_id"] == place) & (rows["definition_id"] == definition)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert rows["flag"].tolist() == [expected]


# Open Data BCN's own check values for 1 January 2025 (sums over the published barri cells; suppressed
# cells, fewer than 5 persons each, are left out as in the publisher's figures).
BCN_2025 = [
    ({}, 1_731_124),
    ({"origin": "BCN_SOUTH_AMERICA"}, 118_685),
    ({"origin": "BCN_NORTHERN_AFRICA"}, 25_969),
    ({"district": "Ciutat Vella"}, 115_280),
]


@pytest.mark.parametrize("where, expected", BCN_2025, ids=["all cells", "South America", "Northern Africa", "Ciutat Vella"])
def test_barcelona_published_check_values_are_in_the_tidy_data(where, expected):
    tidy = read_tidy(TABLES["bcn_opendata_nationality_region"])
    cells = tidy[(tidy["geography_level"] == "neighbourhood") & (tidy["definition_id"] == "total_population") & (tidy["period"] == "2025")
                 & (tidy["flag"].str.contains("c") == False)]  # noqa: E712 (the published cells, not the reader's sums)
    city = tidy[(tidy["geography_level"] == "municipality") & (tidy["definition_id"] == "total_population") & (tidy["period"] == "2025")
                & (tidy["sex"] != "total") & (tidy["origin"] != "total")]
    if not where:
        assert city["value"].sum() == expected  # the reader's municipality cells agree with the barris
    if "origin" in where:
        assert city.loc[city["origin"] == where["origin"], "value"].sum() == expected
        cells = cells[cells["origin"] == where["origin"]]
    if "district" in where:
        district = tidy[(tidy["place_name"] == where["district"]) & (tidy["geography_level"] == "district") & (tidy["period"] == "2025")
                        & (tidy["definition_id"] == "total_population") & (tidy["sex"] == "total") & (tidy["origin"] == "total")]
        assert district["value"].sum() == expected  # the computed district rows agree with their barris
        # barris 1-4: el Raval, el Barri Gòtic, la Barceloneta, Sant Pere, Santa Caterina i la Ribera
        cells = cells[cells["place_id"].isin(["ES-08019-B01", "ES-08019-B02", "ES-08019-B03", "ES-08019-B04"])]
    assert cells["value"].sum() == expected
    assert not cells["flag"].str.contains("c").any()


def test_barcelona_has_no_foreign_nationals_made_from_total_minus_spain():
    tidy = read_tidy(TABLES["bcn_opendata_nationality_region"])
    assert set(tidy["definition_id"]) == {"total_population", "non_european_nationality", "european_or_unrecorded_nationality"}
    assert tidy["value"].isna().sum() == tidy["flag"].str.contains("s").sum() >= 2_864


def test_committed_boundary_files_are_traceable_and_small():
    from workbench import paths
    from workbench.reference.boundary_sets import load_boundary_sets

    for boundary_id, entry in load_boundary_sets().items():
        path = paths.boundaries_dir() / f"{boundary_id}.geojson"
        assert path.stat().st_size < 150_000, f"{path} is {path.stat().st_size} bytes"
        meta = yaml.safe_load(path.with_suffix(".meta.yaml").read_text(encoding="utf-8"))
        assert {b["path"]: b["sha256"] for b in meta["built_from"]} == {f.path: f.sha256 for f in entry.files}
        assert meta["simplification"]["tolerance"] == entry.simplify_tolerance


@pytest.mark.parametrize("boundary_id, count", [("wien_ogd_districts", 23), ("bcn_opendata_districts", 10)])
def test_every_city_district_boundary_joins_a_value_row(boundary_id, count):
    from workbench.reference.boundary_sets import get_boundary_set
    from workbench.tidy.boundaries import load_boundaries

    entry = get_boundary_set(boundary_id)
    shapes = load_boundaries(boundary_id)
    assert len(shapes) == count
    tidy = load_tidy()
    rows = tidy[tidy["source_id"].isin(entry.join.sources) & (tidy["geography_level"] == entry.geography_level)]
    values = set(rows.loc[rows["value"].notna(), entry.join.column])
    assert set(shapes) == values, f"{boundary_id}: areas without values {sorted(set(shapes) - values)}, values without areas {sorted(values - set(shapes))}"
    assert all(s.is_valid and not s.is_empty for s in shapes.values())


def test_natural_earth_joins_the_network_countries_on_iso3():
    from workbench.reference.registry import load_cities
    from workbench.tidy.boundaries import load_boundaries

    shapes = load_boundaries("naturalearth_admin0_110m")
    countries = {c.country_iso3 for c in load_cities().values()}
    assert countries <= set(shapes), sorted(countries - set(shapes))
    assert {"FRA", "PSE", "ESH", "SSD", "XKX"} <= set(shapes)
    assert shapes["FRA"].contains(shapely.Point(2.35, 48.86))  # Paris

"""Tests of the cross-city comparison computed from saved city tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis import compare
from workbench.reference.i18n import Msg, render

COLUMNS = ["city_id", "place_id", "place_name", "geography_level", "definition_id", "ref_date", "persons", "share", "source_id", "flag", "note"]


def _save(folder: Path, city: str, rows: list[list], national: float) -> None:
    (folder / city).mkdir(parents=True)
    pd.DataFrame(rows, columns=COLUMNS).to_csv(folder / city / "series.csv", index=False)
    pd.DataFrame(
        [[city.upper()[:3], "population_share", "un_migrant_stock", "undesa_ims_2020", "2020", national, "percent"]],
        columns=["country_iso3", "indicator_id", "definition_id", "source_id", "period", "value", "unit"],
    ).to_csv(folder / city / "national.csv", index=False)


def _loaded(tmp_path: Path) -> compare.Loaded:
    _save(tmp_path, "madrid", [
        ["madrid", "ES001C", "Madrid (greater city)", "greater_city", "foreign_born", "2015-01-01", 800.0, 18.0, "eurostat_urb_cpopcb", "", ""],
        ["madrid", "ES001C", "Madrid (greater city)", "greater_city", "foreign_born", "2023-01-01", 1200.0, 23.6, "eurostat_urb_cpopcb", "", ""],
        ["madrid", "ES-28079", "Ciudad de Madrid", "municipality", "foreign_nationality", "2022-07-01", 552.0, 16.5, "madrid_ayto_nationality_2022", "p", ""],
    ], 14.6)
    _save(tmp_path, "lyon", [
        ["lyon", "FR002C", "Lyon (greater city)", "greater_city", "foreign_born", "2022-01-01", 259.0, 20.0, "eurostat_urb_cpopcb", "", ""],
    ], 13.1)
    return compare.load_city_tables(tmp_path, ["madrid", "lyon", "tunis"])


def test_load_city_tables_reports_cities_without_tables(tmp_path: Path):
    loaded = _loaded(tmp_path)
    assert loaded.missing == ["tunis"]
    text = compare.loading_text(loaded)
    assert text == "Cities compared: Madrid, Lyon. **Missing (their run failed or saved nothing): tunis.**"
    # city names travel in every language (the registry's names), not only in English
    assert text.to_json()["params"]["cities"]["join"][1]["names"]["fr"] == "Lyon"


def test_latest_shares_rank_only_same_definition_and_geography(tmp_path: Path):
    latest = compare.latest_shares(_loaded(tmp_path))
    ranks = {(r.city, r.definition): r._3 for r in latest.itertuples()}
    assert ranks[("Madrid", "Foreign-born")] == 1 and ranks[("Lyon", "Foreign-born")] == 2
    assert ranks[("Madrid", "Foreign nationals")] == 1
    assert latest["share (%)"].tolist() == [16.5, 23.6, 20.0]  # blocks by definition, largest first


def test_city_vs_national_computes_no_quotient_for_unlike_figures(tmp_path: Path):
    # issue 16: every row said "same definition: no" and still gave a quotient
    versus = compare.city_vs_national(_loaded(tmp_path))
    assert versus["location quotient"].isna().all()
    row = versus[(versus["city"] == "Madrid") & (versus["city definition"] == "Foreign-born")].iloc[0]
    assert row["comparable"] == "different definitions: Foreign-born / International migrant stock (UN DESA)"
    assert all(isinstance(v, Msg) for v in versus["national definition"])
    assert versus["national definition"].iloc[0] == "International migrant stock (UN DESA), 2020 edition"


def test_city_vs_national_computes_the_quotient_of_like_figures(tmp_path: Path):
    _save(tmp_path, "vienna", [
        ["vienna", "AT130", "Wien", "city", "un_migrant_stock", "2021-07-01", 600.0, 30.0, "undesa_ims_2020", "", ""],
        ["vienna", "AT130", "Wien (sum of districts)", "city", "foreign_origin_wien", "2022-01-01", 822.0, 42.6, "wien_ogd_population_origin", "", ""],
    ], 20.0)
    versus = compare.city_vs_national(compare.load_city_tables(tmp_path, ["vienna"])).set_index("city definition")
    assert versus.loc["International migrant stock (UN DESA)", "location quotient"] == 1.5
    assert versus.loc["International migrant stock (UN DESA)", "comparable"] == "comparable"
    assert pd.isna(versus.loc["Foreign origin (Stadt Wien 'Herkunft')", "location quotient"])


def test_overview_lists_one_figure_published_for_two_areas_once(tmp_path: Path):
    # issue 16: Lisbon's metropolitan area appeared twice (NUTS 2 = NUTS 3)
    _save(tmp_path, "lisbon", [
        ["lisbon", "PT1A", "Área Metropolitana de Lisboa (NUTS II)", "nuts2", "foreign_nationality", "2021-04-19", 254280.0, 8.86, "ine_pt_censos2021_foreign", "", ""],
        ["lisbon", "PT1A0", "Área Metropolitana de Lisboa (NUTS III)", "nuts3", "foreign_nationality", "2021-04-19", 254280.0, 8.86, "ine_pt_censos2021_foreign", "", ""],
        ["lisbon", "PT-1106", "Lisboa (município)", "municipality", "foreign_nationality", "2021-04-19", 55324.0, 10.14, "ine_pt_censos2021_foreign", "", ""],
    ], 9.8)
    latest = compare.latest_shares(compare.load_city_tables(tmp_path, ["lisbon"]))
    assert len(latest) == 2
    assert "Área Metropolitana de Lisboa (NUTS II) = Área Metropolitana de Lisboa (NUTS III)" in latest["area"].tolist()


def test_overview_gives_no_old_figure_as_latest(tmp_path: Path):
    # issue 16: Lyon's 2011 employment-zone figure was shown as "latest"
    _save(tmp_path, "lyon", [
        ["lyon", "FR-ZE2010-8214", "Zone d'emploi 2010 de Lyon (8214)", "employment_zone", "foreign_nationality", "2011-01-01", 132704.0, 7.6, "insee_rp_lyon", "", ""],
        ["lyon", "FR-UU2020-00760", "Unité urbaine 2020 de Lyon (00760)", "urban_unit", "foreign_nationality", "2020-01-01", 166985.0, 9.9, "insee_rp_lyon", "", ""],
    ], 13.1)
    loaded = compare.load_city_tables(tmp_path, ["lyon"])
    latest = compare.latest_shares(loaded)
    assert latest["reference date"].tolist() == ["2020-01-01"]
    notes = compare.latest_notes(loaded)
    assert notes[0] is compare.RULE
    assert notes[1].startswith("Not shown as latest: Lyon, Foreign nationals, Zone d'emploi 2010 de Lyon (8214) (1 January 2011)")


def test_text_cells_are_messages(tmp_path: Path):
    loaded = _loaded(tmp_path)
    latest = compare.latest_shares(loaded)
    assert all(isinstance(v, Msg) and v in ("north", "south") for v in latest["shore"])
    coverage = compare.coverage(loaded)
    madrid = coverage[(coverage["city"] == "Madrid") & (coverage["definition"] == "Foreign-born")].iloc[0]
    assert madrid["reference dates"] == "2015-01-01 to 2023-01-01" and isinstance(madrid["reference dates"], Msg)
    shores = compare.shore_summary(loaded)
    assert shores["definitions"].iloc[0] == "Foreign-born, Foreign nationals"
    assert render(shores["definitions"].iloc[0], "en") == "Foreign-born, Foreign nationals"
    notes = compare.definition_notes(latest)
    assert notes and all(isinstance(n, Msg) and n.msgid == "{definition}: {description}" for n in notes)


def test_trends_keep_series_apart(tmp_path: Path):
    trends = compare.trends(_loaded(tmp_path))
    assert len(trends) == 1 and round(trends["change (pp)"].iloc[0], 1) == 5.6
    assert trends["period (years)"].tolist() == [8]


def test_trends_compare_changes_over_the_same_period_length(tmp_path: Path):
    # issue 16: a 1-year change for Turin was set beside a 20-year change for Vienna
    _save(tmp_path, "turin", [
        ["turin", "IT001C", "Torino", "city", "foreign_born", "2023-01-01", 150.0, 17.5, "eurostat_urb_cpopcb", "", ""],
        ["turin", "IT001C", "Torino", "city", "foreign_born", "2024-01-01", 153.0, 18.0, "eurostat_urb_cpopcb", "", ""],
    ], 10.6)
    _save(tmp_path, "vienna", [
        ["vienna", "AT130", "Wien (sum of districts)", "city", "foreign_origin_wien", f"{year}-01-01", 500.0 + year, share, "wien_ogd_population_origin", "", ""]
        for year, share in ((2002, 27.2), (2021, 41.9), (2022, 42.6))
    ], 19.3)
    trends = compare.trends(compare.load_city_tables(tmp_path, ["turin", "vienna"]))
    by_period = {period: sorted(group["city"]) for period, group in trends.groupby("period (years)")}
    assert by_period == {1: ["Turin", "Vienna"], 20: ["Vienna"]}
    one_year = trends[trends["period (years)"] == 1].set_index("city")
    assert one_year.loc["Vienna", "first date"] == "2021-01-01" and round(one_year.loc["Vienna", "change (pp)"], 1) == 0.7


def _save_regional(folder: Path, city: str, place: str, name: str, rows: list[tuple]) -> None:
    """A city's saved regional_labour.csv: rows of (definition, origin, period, value, flag)."""
    (folder / city).mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        [["eurostat_lfst_r_lfur2gac", place, name, "unemployment_rate", d, "total", o, p, v, f] for d, o, p, v, f in rows],
        columns=["source_id", "place_id", "place_name", "indicator_id", "definition_id", "sex", "origin", "period", "value", "flag"],
    ).to_csv(folder / city / "regional_labour.csv", index=False)


def test_regional_labour_gaps_compare_the_regions_in_their_latest_common_year(tmp_path: Path):
    _save_regional(tmp_path, "madrid", "ES30", "Comunidad de Madrid", [
        ("total_population", "total", "2021", 12.0, ""), ("foreign_born", "total", "2021", 18.0, ""),
        ("total_population", "total", "2022", 10.9, ""), ("foreign_born", "total", "2022", 15.4, "b"),
    ])
    # Vienna's 2022 rate of the foreign-born is not published: 2021 is the latest year common to both
    _save_regional(tmp_path, "vienna", "AT13", "Wien", [
        ("total_population", "total", "2021", 11.5, ""), ("foreign_born", "total", "2021", 16.0, "u"),
        ("total_population", "total", "2022", 10.5, ""), ("foreign_born", "EU27_2020_FOR", "2022", 9.0, ""),
    ])
    section = compare.regional_labour_gaps(tmp_path, ["madrid", "vienna", "tunis"])
    table = section.table
    assert table.iloc[:, 0].tolist() == ["Madrid", "Vienna"]  # tunis saved nothing: left out
    assert set(table.iloc[:, 2]) == {"2021"}
    gaps = table.iloc[:, 5].tolist()
    assert gaps == pytest.approx([6.0, 4.5])
    assert table.iloc[:, 6].tolist() == ["", "u"]
    assert section.source_ids == ["eurostat_lfst_r_lfur2gac"]
    assert any("2021 is the latest year" in render(note, "en") for note in section.notes)


def test_regional_labour_gaps_without_any_region_is_empty(tmp_path: Path):
    _save_regional(tmp_path, "tunis", "TN", "Tunis", [])
    assert compare.regional_labour_gaps(tmp_path, ["tunis", "amman"]).table.empty

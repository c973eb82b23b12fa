"""Tests of the cross-city comparison computed from saved city tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def test_city_vs_national_flags_different_definitions(tmp_path: Path):
    versus = compare.city_vs_national(_loaded(tmp_path))
    row = versus[(versus["city"] == "Madrid") & (versus["city definition"] == "Foreign-born")].iloc[0]
    assert round(row["location quotient"], 3) == round(23.6 / 14.6, 3)
    assert set(versus["same definition"]) == {"no"}
    assert all(isinstance(v, Msg) for v in versus["national definition"])
    assert versus["national definition"].iloc[0] == "International migrant stock (UN DESA), 2020 edition"


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

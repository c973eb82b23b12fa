"""Tests of the origins overlap between cities: only like populations are compared."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.analysis import overlap
from workbench.analysis.city_tables import ORIGINS


def _save(folder: Path, city: str, place: str, level: str, definition: str, origin_type: str, date: str, shares: dict) -> None:
    (folder / city).mkdir(parents=True)
    rows = [
        [ "unhcr_demographics", f"{city}-1", place, level, definition, origin_type, date, code, code, share * 10, share, False, 1000, "published group total", ""]
        for code, share in shares.items()
    ]
    pd.DataFrame(rows, columns=list(ORIGINS.columns)).to_csv(folder / city / ORIGINS.filename, index=False)


def _rows(tmp_path: Path) -> pd.DataFrame:
    _save(tmp_path, "beirut", "Beirut [Admin 1]", "governorate", "asylum_seeker", "origin_country", "2023-12-31", {"SYR": 40.0, "SDN": 30.0, "IRQ": 20.0})
    _save(tmp_path, "tunis", "Tunis [Admin 1]", "governorate", "asylum_seeker", "origin_country", "2025-12-31", {"SDN": 50.0, "SYR": 20.0, "CIV": 10.0})
    _save(tmp_path, "madrid", "Ciudad de Madrid", "municipality", "foreign_nationality", "citizenship", "2022-07-01", {"SYR": 1.0, "MAR": 10.0, "COL": 8.0})
    _save(tmp_path, "lisbon", "Lisboa (município)", "municipality", "foreign_nationality", "citizenship", "2021-04-19", {"BRA": 30.0, "MAR": 1.0, "COL": 1.0})
    rows, missing = overlap.load_origins(tmp_path, ["beirut", "tunis", "madrid", "lisbon"])
    assert not missing
    return rows


def test_only_like_populations_are_compared_and_ranked_apart(tmp_path: Path):
    # issue 16: Beirut–Tunis (two asylum-seeker caseloads) was ranked first among pairs of
    # foreign-resident populations, and caseloads were compared with foreign residents
    table = overlap.overlap_table(_rows(tmp_path))
    compared = table[table["overlap (%)"].notna()]
    assert sorted(map(tuple, compared[["city A", "city B"]].to_numpy())) == [("Beirut", "Tunis"), ("Madrid", "Lisbon")]
    assert compared["rank (same definition)"].tolist() == [1, 1]
    assert set(compared["definition"]) == {"Asylum-seekers (UNHCR)", "Foreign nationals"}
    unlike = table[table["overlap (%)"].isna()]
    assert len(unlike) == 4 and unlike["rank (same definition)"].isna().all()
    assert all(str(r).startswith("different definitions: ") for r in unlike["comparable"])
    assert (unlike["definition"] == "not compared").all()


def test_pairs_of_other_kinds_of_area_are_not_compared(tmp_path: Path):
    rows = _rows(tmp_path)
    rows.loc[rows["city_id"] == "lisbon", "geography_level"] = "nuts2"
    table = overlap.overlap_table(rows).set_index(["city A", "city B"])
    assert pd.isna(table.loc[("Madrid", "Lisbon"), "overlap (%)"])
    assert table.loc[("Madrid", "Lisbon"), "comparable"] == "different kinds of area: municipality / NUTS 2 region"


def test_a_single_city_with_named_origins_gives_an_empty_table(tmp_path: Path):
    # `workbench run --city madrid --city vienna` failed in compare-origins (KeyError '_key'):
    # Vienna saves no origins, so no pair was made
    _save(tmp_path, "madrid", "Ciudad de Madrid", "municipality", "foreign_nationality", "citizenship", "2022-07-01", {"MAR": 10.0})
    rows, _ = overlap.load_origins(tmp_path, ["madrid", "vienna"])
    table = overlap.overlap_table(rows)
    assert table.empty and "rank (same definition)" in table.columns

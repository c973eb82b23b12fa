"""The local expert's figures in a profile: each shown once, as published, national apart from the city's."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from workbench import paths
from workbench.analysis import conflicts, expert_figures, profile_tables
from workbench.errors import ConfigError
from workbench.reference import labels
from workbench.reference.i18n import render
from workbench.reference.registry import load_indicators
from workbench.tidy import catalog
from workbench.tidy.expert import EXPERT_COLUMNS, city_figures

FIGURES = paths.local_dir() / "figures"
REAL_FILES = sorted(FIGURES.glob("*.csv"))
SOUTH = ("amman", "beirut", "tanger", "tunis")

ROW = {
    "place_id": "TUN", "place_name": "Tunisia", "geography_level": "country", "country_iso3": "TUN",
    "indicator_id": "population", "definition_id": "foreign_nationality",
    "definition_as_published": "foreign residents (census)", "ref_date": "2024-11-06", "value": "66349",
    "unit": "persons", "publisher": "Institut National de la Statistique", "source_title": "RGPH 2024",
}
FIXTURE = [
    ROW,
    {**ROW, "indicator_id": "population_share", "value": "0.55", "unit": "percent",
     "definition_as_published": "foreign residents as % of the population", "reported_via": "Business News 2025-05"},
    {**ROW, "place_id": "TUN-grand-tunis", "place_name": "Grand Tunis", "geography_level": "region",
     "indicator_id": "share_of_national_group", "value": "50.2", "unit": "percent", "ref_date": "2021",
     "definition_as_published": "share of all foreign residents in Tunisia living in the region",
     "reported_via": "PressAfrik", "note": "survey estimate"},
    {**ROW, "place_id": "TUN-tunis", "place_name": "Tunis governorate", "geography_level": "governorate",
     "definition_id": "recent_arrival_foreign", "period": "2019-2024", "value": "5434",
     "definition_as_published": "foreign residents who settled during 2019-2024"},
]


def _fixture(folder: Path, rows: list[dict] = FIXTURE) -> Path:
    path = folder / "tunis.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(EXPERT_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in EXPERT_COLUMNS} for row in rows)
    return path


def _appearances(figures: pd.DataFrame) -> tuple[list[int], list[str]]:
    """How many times each row of the file is shown in the profile's expert tables, and in which."""
    shown = {
        "national": expert_figures.national_figures(figures).table,
        "city": expert_figures.city_figures(figures).table,
    }
    counts, where = [], []
    for row in figures.to_dict("records"):
        hits = [
            name for name, table in shown.items() for cells in table.to_dict("records")
            if (cells["place"], cells["who is counted, as published"], cells["publisher and title"], cells["note"])
            == (row["place_name"], row["definition_as_published"], f"{row['publisher']} — {row['source_title']}", row["note"])
            and str(cells["reference date"]).startswith(row["ref_date"])
            and cells["value as published"].params["value"].value == float(row["value"])
        ]
        counts.append(len(hits))
        where.append(hits[0] if hits else "")
    return counts, where


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.stem)
def test_every_real_figure_appears_in_exactly_one_table_of_its_city(path: Path) -> None:
    figures = city_figures(path.stem)
    counts, where = _appearances(figures)
    assert counts == [1] * len(figures), f"{path.name}: rows shown other than once: {counts}"
    expected = ["national" if level == "country" else "city" for level in figures["geography_level"]]
    assert where == expected, f"{path.name}: a national figure shown with the city, or the reverse"


def test_every_fixture_figure_appears_once_in_the_right_table(tmp_path: Path) -> None:
    _fixture(tmp_path)
    figures = city_figures("tunis", tmp_path)
    counts, where = _appearances(figures)
    assert counts == [1, 1, 1, 1]
    assert where == ["national", "national", "city", "city"]
    assert len(expert_figures.national_figures(figures).table) + len(expert_figures.city_figures(figures).table) == 4


def test_the_southern_figures_are_entered_and_beirut_shows_its_refugees() -> None:
    assert {city: len(city_figures(city)) for city in SOUTH} == {"amman": 18, "beirut": 9, "tanger": 12, "tunis": 9}
    beirut = expert_figures.city_figures(city_figures("beirut")).table
    refugees = beirut[beirut["reference date"] == "2020-08-31"]
    assert len(refugees) == 1 and str(refugees["value as published"].iloc[0]) == "206,628"
    assert refugees["place"].iloc[0] == "Beirut and Mount Lebanon governorates"


def test_values_keep_their_published_precision(tmp_path: Path) -> None:
    _fixture(tmp_path)
    national = expert_figures.national_figures(city_figures("tunis", tmp_path)).table
    share = national["value as published"].iloc[1]
    assert (str(share), render(share, "fr"), render(share, "ar")) == ("0.55", "0,55", "0.55")
    assert str(national["value as published"].iloc[0]) == "66,349"
    city = expert_figures.city_figures(city_figures("tunis", tmp_path)).table
    assert list(city["reference date"]) == ["2024-11-06 (period 2019-2024)", "2021"]  # the date as typed


def test_reported_via_is_shown_as_a_caveat_in_every_language(tmp_path: Path) -> None:
    _fixture(tmp_path)
    section = expert_figures.national_figures(city_figures("tunis", tmp_path))
    caveats = list(section.table["reported via"])
    assert caveats[0] == ""
    assert caveats[1] == "reported by Business News 2025-05, not taken from the publisher's own table"
    assert "Business News 2025-05" in render(caveats[1], "fr") and "non tiré du tableau" in render(caveats[1], "fr")
    assert "Business News 2025-05" in render(caveats[1], "ar")
    assert expert_figures.REPORTED_NOTE in section.notes
    # the outlet is in the citation's full reference (the annex's list of sources), not its short line
    assert any("Business News 2025-05" in getattr(line, "reported_via", "") for line in section.source_ids)
    without = expert_figures.national_figures(city_figures("tunis", _fixture(tmp_path, [ROW]).parent))
    assert expert_figures.REPORTED_NOTE not in without.notes


def test_a_share_of_the_migrants_is_never_labelled_a_share_of_the_population(tmp_path: Path) -> None:
    _fixture(tmp_path)
    city = expert_figures.city_figures(city_figures("tunis", tmp_path))
    row = city.table[city.table["place"] == "Grand Tunis"].iloc[0]
    label = load_indicators()["share_of_national_group"].label
    assert row["indicator"] == label != load_indicators()["population_share"].label
    assert expert_figures.GROUP_SHARE_NOTE in city.notes
    # in the real profile: the 50.2 % of Tunisia's foreign residents in Grand Tunis is in no share-of-population cell
    data = catalog.load_city("tunis")
    local, national = profile_tables.prepare_local(data), profile_tables.prepare_national(data)
    key = profile_tables.key_figures(local, national).table
    series = profile_tables.migrant_series(local).table
    assert 50.2 not in set(key.loc[key["unit"] == "percent", "value"].round(1))
    assert 50.2 not in set(series["share of population (%)"].dropna().round(1))
    assert not local[(local["indicator_id"] == "population_share") & (local["source_id"] == "expert_figures")].size


@pytest.mark.parametrize("city_id", SOUTH)
def test_national_expert_figures_are_not_filed_as_the_citys(city_id: str) -> None:
    data = catalog.load_city(city_id)
    local, national = profile_tables.prepare_local(data), profile_tables.prepare_national(data)
    series = profile_tables.migrant_series(local).table
    assert "country" not in set(series["geography"]), "a national figure under 'Migrant population of {city}'"
    key = profile_tables.key_figures(local, national).table
    city_rows = key[key["figure"].isin(["Total population", "Migrant population", "Migrant share of population"])]
    assert data.city.country_iso3 not in set(local["place_id"])
    assert not set(city_rows["place"]) & set(national["place_name"]), "a country figure among the city's key figures"


def test_tangier_keeps_the_year_in_which_two_census_releases_disagree() -> None:
    data = catalog.load_city("tanger")
    table = conflicts.conflicting_figures(profile_tables.prepare_local(data), profile_tables.prepare_national(data)).table
    assert set(table["year"]) == {"2014"}  # not 2024, when the region and the prefecture merely differ
    assert {5299.0, 5155.0, 7453.0, 7144.0, 86206.0, 84001.0} <= set(table["value"])


def test_a_city_without_a_file_has_no_figures_and_ids_stay_slugs(tmp_path: Path) -> None:
    figures = city_figures("lyon", tmp_path)
    assert figures.empty and list(figures.columns) == ["line", *EXPERT_COLUMNS]
    assert expert_figures.city_figures(figures).empty and expert_figures.national_figures(figures).empty
    with pytest.raises(ConfigError):
        city_figures("../tunis", tmp_path)


# --- issue 19: every figure has a home, as published, cited as published ---------------------------

def test_notes_say_what_the_note_column_and_an_assumed_day_are_in_every_language(tmp_path: Path) -> None:
    _fixture(tmp_path)
    city = expert_figures.city_figures(city_figures("tunis", tmp_path))
    grand_tunis = city.table[city.table["place"] == "Grand Tunis"].iloc[0]
    assert grand_tunis["note"] == "survey estimate" and grand_tunis["reference date"] == "2021"
    assert expert_figures.EXPERT_NOTE in city.notes and expert_figures.YEAR_ONLY_NOTE in city.notes
    for lang, words in (("fr", "1er juillet"), ("ar", "تموز")):
        assert words in render(expert_figures.YEAR_ONLY_NOTE, lang)
        assert render(expert_figures.EXPERT_NOTE, lang) != str(expert_figures.EXPERT_NOTE)
    national = expert_figures.national_figures(city_figures("tunis", tmp_path))
    assert expert_figures.YEAR_ONLY_NOTE not in national.notes and expert_figures.EXPERT_NOTE not in national.notes


def test_a_figure_of_an_indicator_shown_nowhere_is_a_validate_todo(tmp_path: Path) -> None:
    from workbench.validate import validate_paths

    gdp = {**ROW, "place_id": "TUN-grand-tunis", "place_name": "Grand Tunis", "geography_level": "region",
           "indicator_id": "gdp", "definition_id": "total_population", "value": "5", "unit": "usd"}
    path = _fixture(tmp_path, [ROW, gdp])
    figures = city_figures("tunis", tmp_path)
    counts, _ = _appearances(figures)
    assert counts == [1, 0]
    checks = validate_paths([path], city="tunis")
    assert [c.ok for c in checks] == [True, True] and [c.todo for c in checks] == [False, True]
    assert checks[1].message.startswith(f"{path}, CSV line 3: indicator 'gdp' about an area of the country appears in no table")
    assert all(not c.todo for c in validate_paths([_fixture(tmp_path)], city="tunis"))  # every fixture figure is shown


def test_expert_citations_reach_the_sources_section_with_date_outlet_and_url(tmp_path: Path) -> None:
    from workbench.report.annex_sources import sources_list

    rows = [{**ROW, "reported_via": "Business News 2025-05", "source_url": "https://example.org/rgph"},
            {**ROW, "definition_id": "national_citizens", "value": "11905820", "ref_date": "2024",
             "reported_via": "Business News 2025-05", "source_url": "https://example.org/rgph"}]
    section = expert_figures.national_figures(city_figures("tunis", _fixture(tmp_path, rows).parent))
    [citation] = section.source_ids  # one publication, one entry, with the dates of both figures
    assert citation.dates == ("2024", "2024-11-06")
    for lang, date in (("en", "6 November 2024"), ("fr", "6 novembre 2024"), ("ar", "2024")):
        [entry] = sources_list(section.source_ids, {}, lang)
        assert (entry["publisher"], entry["title"], entry["url"]) == (
            "Institut National de la Statistique", "RGPH 2024", "https://example.org/rgph")
        assert date in entry["details"] and "Business News 2025-05" in entry["details"]


def test_key_figures_and_series_cite_the_publisher_and_say_an_assumed_day() -> None:
    data = catalog.load_city("beirut")
    local, national = profile_tables.prepare_local(data), profile_tables.prepare_national(data)
    key = profile_tables.key_figures(local, national)
    share = key.table[key.table["value"] == 30.9].iloc[0]  # Beirut governorate 2019: the survey gives a year only
    assert share["source"] == ("Central Administration of Statistics Lebanon and ILO, Labour Force and Household Living "
                               "Conditions Survey 2018-2019")
    assert "expert_figures" not in set(key.table["source"])
    assert labels.ASSUMED_YEAR_NOTE in key.notes

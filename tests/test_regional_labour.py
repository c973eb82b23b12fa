"""Tests of the regional unemployment rates by country of birth (EU-LFS, NUTS 2)."""

from __future__ import annotations

import math

import pandas as pd

from workbench.analysis.regional_labour import (
    GROUPS, SOURCE_ID, compare_regions, regional_rates, regional_unemployment, regional_unemployment_series,
)
from workbench.reference.columns import FLAG, GAP_TO_ALL_RESIDENTS, GROUP, UNEMPLOYMENT_RATE, YEAR
from workbench.tidy.schemas import TIDY_COLUMNS


def _row(definition: str, origin: str, year: int, value: float, place: str = "AT13", flag: str = "") -> dict:
    row = dict.fromkeys(TIDY_COLUMNS, "")
    row.update(
        source_id=SOURCE_ID, place_id=place, place_name={"AT13": "Wien", "ES51": "Cataluña"}[place], geography_level="nuts2",
        country_iso3="AUT", indicator_id="unemployment_rate", definition_id=definition, sex="total", age="Y15-64",
        origin_type="birth_group" if origin != "total" else "", origin=origin, category="total", period=str(year),
        ref_date=f"{year}-07-01", value=value, unit="percent", flag=flag,
    )
    return row


def _region(place: str = "AT13") -> pd.DataFrame:
    rows = []
    for year, total, foreign, eu, neu in ((2020, 8.0, 10.0, 7.0, 12.0), (2021, 9.0, 12.0, None, 14.0), (2022, 9.4, 11.6, 7.8, 13.9)):
        rows += [_row("total_population", "total", year, total, place), _row("foreign_born", "total", year, foreign, place, "b" if year == 2021 else "")]
        if eu is not None:
            rows.append(_row("foreign_born", "EU27_2020_FOR", year, eu, place, "u"))
        rows.append(_row("foreign_born", "NEU27_2020_FOR", year, neu, place))
    return pd.DataFrame(rows)


def test_regional_unemployment_latest_year_and_gap_to_all_residents():
    section = regional_unemployment(_region())
    table = section.table
    assert list(table[YEAR].unique()) == ["2022"]
    assert [str(g) for g in table[GROUP]] == [str(g) for g in GROUPS.values()]
    assert math.isnan(table[GAP_TO_ALL_RESIDENTS].iloc[0])
    assert table[GAP_TO_ALL_RESIDENTS].iloc[1] == 11.6 - 9.4
    assert section.source_ids == [SOURCE_ID]
    notes = " ".join(map(str, section.notes))
    assert "not the city" in notes and "Flag u" in notes and "native" in notes


def test_regional_unemployment_never_calls_the_total_natives():
    assert "native" not in str(regional_unemployment(_region()).table[GROUP].iloc[0]).lower()


def test_regional_unemployment_names_a_group_not_published_and_shows_no_zero():
    frame = _region()
    frame = frame[~((frame["period"] == "2022") & (frame["origin"] == "EU27_2020_FOR"))]
    section = regional_unemployment(frame)
    assert len(section.table) == 3 and (section.table[UNEMPLOYMENT_RATE] > 0).all()
    assert any("no rate" in str(n) for n in section.notes)


def test_regional_unemployment_uses_the_last_year_with_both_rates():
    frame = _region()
    frame = frame[~((frame["period"] == "2022") & (frame["definition_id"] == "total_population"))]
    assert list(regional_unemployment(frame).table[YEAR].unique()) == ["2021"]


def test_regional_unemployment_empty_without_rows():
    assert regional_unemployment(pd.DataFrame(columns=TIDY_COLUMNS)).empty


def test_regional_unemployment_series_one_point_per_group_and_year_with_flag_notes():
    points, notes = regional_unemployment_series(_region(), since=2021)
    assert sorted(points["year"].unique()) == [2021, 2022]
    assert not points.duplicated(["place", "year", "group"]).any()
    assert any("Flag b" in str(n) for n in notes)


def test_regional_rates_ignore_other_sources_and_sexes():
    frame = pd.concat([_region(), pd.DataFrame([_row("foreign_born", "total", 2022, 99.0) | {"sex": "female"},
                                                _row("foreign_born", "total", 2022, 98.0) | {"source_id": "other"}])])
    assert 99.0 not in regional_rates(frame)["rate"].tolist() and 98.0 not in regional_rates(frame)["rate"].tolist()


def test_compare_regions_uses_the_latest_year_common_to_all():
    spain = _region("ES51")
    spain = spain[spain["period"] != "2022"]
    rates = regional_rates(pd.concat([_region(), spain]))
    section = compare_regions(rates, {"AT13": "Vienna", "ES51": "Barcelona"})
    assert list(section.table[YEAR]) == ["2021", "2021"]
    assert section.table[FLAG].tolist() == ["b", "b"]
    assert section.table[GAP_TO_ALL_RESIDENTS].round(1).tolist() == [3.0, 3.0]
    assert str(section.notes[0]).startswith("2021 is the latest year")


def test_a_city_state_region_is_said_to_be_the_city_and_the_network_note_names_it():
    from workbench.analysis import regional_labour

    assert regional_labour.caveats(True)[0] == regional_labour.CITY_STATE_CAVEAT
    assert regional_labour.caveats(False)[0] == regional_labour.AREA_CAVEAT
    assert "the city itself" in str(regional_labour.area_label("Wien", True))
    assert "around Madrid" in str(regional_labour.area_label("Madrid", False))


def test_a_permits_table_does_not_explain_flag_b_as_the_labour_force_survey_break():
    import pandas as pd
    from workbench.analysis.regional_labour import flag_notes

    survey, other = flag_notes(pd.Series(["b"])), flag_notes(pd.Series(["b"]), survey=False)
    assert "Labour Force Survey" in str(survey[0]) and "Labour Force Survey" not in str(other[0])

"""Tests of the national tables by birth, by citizenship and of first permits by reason."""

from __future__ import annotations

import math

import pandas as pd

from workbench.analysis.national_gaps import education_by_birth, permit_channels, rates_by_citizenship
from workbench.reference.columns import EMPLOYMENT_GAP, GROUP, PERSONS, SHARE, TERTIARY_GAP, UNEMPLOYMENT_RATE, YEAR
from workbench.tidy.schemas import TIDY_COLUMNS


def _row(source: str, indicator: str, definition: str, origin: str, category: str, value: float, year: str = "2024", age: str = "Y25-64") -> dict:
    row = dict.fromkeys(TIDY_COLUMNS, "")
    row.update(source_id=source, place_id="AT", place_name="Austria", geography_level="country", country_iso3="AUT",
               indicator_id=indicator, definition_id=definition, sex="total", age=age, origin=origin, category=category,
               period=year, ref_date=f"{year}-07-01", value=value, unit="percent")
    return row


def test_education_by_birth_gap_to_native_born_latest_year():
    rows = []
    for year, shift in (("2023", 1.0), ("2024", 0.0)):
        for definition, origin, tertiary, low in (("native_born", "total", 37.8, 9.8), ("foreign_born", "NEU27_2020_FOR", 30.8, 33.0)):
            rows += [_row("eurostat_edat_lfs_9912", "group_share", definition, origin, "education:isced5-8", tertiary + shift, year),
                     _row("eurostat_edat_lfs_9912", "group_share", definition, origin, "education:isced0-2", low, year)]
    section = education_by_birth(pd.DataFrame(rows))
    table = section.table
    assert list(table[YEAR]) == ["2024", "2024"]
    assert [str(g) for g in table[GROUP]] == ["native-born", "born outside the EU"]
    assert math.isnan(table[TERTIARY_GAP].iloc[0]) and round(table[TERTIARY_GAP].iloc[1], 1) == -7.0
    assert "country of birth" in str(section.notes[0])


def test_rates_by_citizenship_says_citizenship_and_pairs_with_nationals():
    rows = [
        _row("eurostat_lfsa_ergan", "employment_rate", "national_citizens", "total", "total", 79.2, age="Y20-64"),
        _row("eurostat_lfsa_ergan", "employment_rate", "foreign_nationality", "NEU27_2020_FOR", "total", 63.0, age="Y20-64"),
        _row("eurostat_lfsa_urgan", "unemployment_rate", "national_citizens", "total", "total", 3.6, age="Y20-64"),
        _row("eurostat_lfsa_urgan", "unemployment_rate", "foreign_nationality", "NEU27_2020_FOR", "total", 12.7, age="Y20-64"),
    ]
    section = rates_by_citizenship(pd.DataFrame(rows))
    assert round(section.table[EMPLOYMENT_GAP].iloc[1], 1) == -16.2
    assert section.table[UNEMPLOYMENT_RATE].tolist() == [3.6, 12.7]
    assert "citizenship" in str(section.notes[0])


def test_permit_channels_shares_of_the_year_total():
    rows = [_row("eurostat_migr_resfirst", "permits_issued", "first_residence_permit", "total", c, v, "2023", "total")
            for c, v in (("reason:education", 10.0), ("reason:employment", 20.0), ("reason:family", 30.0), ("reason:other", 40.0), ("total", 100.0))]
    table = permit_channels(pd.DataFrame(rows)).table
    assert table[PERSONS].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert table[SHARE].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert "international protection" in str(table["reason"].iloc[3])


def test_national_tables_empty_without_rows():
    empty = pd.DataFrame(columns=TIDY_COLUMNS)
    assert education_by_birth(empty).empty and rates_by_citizenship(empty).empty and permit_channels(empty).empty


def test_an_unpublished_rate_is_named_in_a_note_not_left_as_an_unexplained_empty_cell():
    # issue 18 (officer review): Lisbon's Table A.7 had an empty unemployment rate of EU citizens
    from workbench.analysis.national_gaps import unpublished_note
    from workbench.reference.columns import EMPLOYMENT_RATE, GROUP, UNEMPLOYMENT_RATE

    table = pd.DataFrame({GROUP: ["nationals", "citizens of another EU country"], EMPLOYMENT_RATE: [78.7, 78.5],
                          UNEMPLOYMENT_RATE: [5.9, float("nan")]})
    (note,) = unpublished_note(table, [EMPLOYMENT_RATE, UNEMPLOYMENT_RATE])
    assert "citizens of another EU country: unemployment rate (%)" in str(note) and "not zero" in str(note)
    assert unpublished_note(table.dropna(), [EMPLOYMENT_RATE, UNEMPLOYMENT_RATE]) == []

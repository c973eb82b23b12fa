"""Tests of labour market rates and migrant-native gaps."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.tidy import catalog
from workbench.analysis import profile_tables
from workbench.errors import DataError
from workbench.reference.i18n import Label, Msg, from_json
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.analysis.labour import (
    RATE_DEFINITIONS,
    activity_rates,
    labour_gaps,
    published_rates,
)
from workbench.tidy.schemas import TIDY_COLUMNS


def _row(definition: str, value: float, **kw) -> dict:
    row = dict.fromkeys(TIDY_COLUMNS, "")
    row.update(
        source_id="insee_rp_lyon", place_id="UU", place_name="Urban unit", geography_level="urban_unit",
        country_iso3="FRA", city_id="lyon", indicator_id="population", definition_id=definition, sex="total",
        age="Y15-MAX", origin="total", category="total", period="2020", ref_date="2020-01-01", value=value,
        unit="persons",
    )
    row.update(kw)
    return row


def _insee(definition: str, employed: float, unemployed: float, population: float, **kw) -> list[dict]:
    return [
        _row(definition, employed, category="activity:employed", **kw),
        _row(definition, unemployed, category="activity:unemployed", **kw),
        _row(definition, population - employed - unemployed, category="activity:retired", **kw),
        _row(definition, population, **kw),
    ]


def _ine(definition: str, employed: float, unemployed: float, inactive: float, under15: float, labour_force: float | None = None) -> list[dict]:
    common = dict(source_id="ine_pt_censos2021_foreign", place_id="PRT", place_name="Portugal", geography_level="country",
                  country_iso3="PRT", city_id="", age="total", period="2021", ref_date="2021-04-19")
    rows = [
        _row(definition, employed, indicator_id="employed", **common),
        _row(definition, unemployed, indicator_id="unemployed", **common),
        _row(definition, inactive, indicator_id="inactive", **common),
        _row(definition, under15, indicator_id="inactive", category="activity:under-15", **common),
    ]
    if labour_force is not None:
        rows.append(_row(definition, labour_force, indicator_id="labour_force", **common))
    return rows


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).astype({"value": float})


def test_activity_rates_from_population_by_activity_status():
    rates = activity_rates(_frame(_insee("foreign_nationality", 50, 10, 100)))
    by_rate = rates.set_index("rate")["value"]
    assert by_rate["activity rate"] == pytest.approx(60.0)
    assert by_rate["employment rate"] == pytest.approx(50.0)
    assert by_rate["unemployment rate"] == pytest.approx(100 * 10 / 60)
    assert set(rates["age band"]) == {"15 and over"}
    assert set(rates["rate"]) == set(RATE_DEFINITIONS)


def test_activity_rates_from_census_indicators_take_out_under_15s():
    rates = activity_rates(_frame(_ine("foreign_nationality", 55, 5, 60, 20, labour_force=60)))
    by_rate = rates.set_index("rate")["value"]
    # population aged 15 and over = 55 + 5 + 60 - 20 = 100
    assert by_rate["activity rate"] == pytest.approx(60.0)
    assert by_rate["employment rate"] == pytest.approx(55.0)


def test_activity_rates_reject_inconsistent_labour_force():
    with pytest.raises(DataError, match="labour force 70"):
        activity_rates(_frame(_ine("foreign_nationality", 55, 5, 60, 20, labour_force=70)))


def test_activity_rates_empty_without_activity_counts():
    assert activity_rates(_frame([_row("foreign_nationality", 10.0)])).empty


# building frames is slow on a busy machine: no per-example deadline
@settings(deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(1, 10_000))
def test_activity_rates_stay_within_0_and_100(employed, unemployed, others):
    rates = activity_rates(_frame(_insee("foreign_nationality", employed, unemployed, employed + unemployed + others)))
    values = rates["value"].dropna()
    assert ((values >= 0) & (values <= 100)).all()


def test_labour_gaps_compare_only_within_source_place_and_date():
    rows = _insee("foreign_nationality", 40, 10, 100) + _insee("national_citizens", 55, 5, 100)
    rows += _insee("foreign_nationality", 1, 1, 10, place_id="OTHER", place_name="Other place")
    section = labour_gaps(_frame(rows), _frame([]))
    table = section.table.set_index("rate")
    assert list(section.table["place"].unique()) == ["Urban unit"]
    assert table.loc["employment rate", "gap (pp)"] == pytest.approx(40.0 - 55.0)
    assert table.loc["unemployment rate", "natives (%)"] == pytest.approx(100 * 5 / 60)
    assert table.loc["activity rate", "uncertainty"].startswith("point estimate; sample size not published")
    assert table.loc["activity rate", "native definition"] == "Nationals"
    assert any("15 and over" in note for note in section.notes)


def test_labour_gaps_use_census_uncertainty_for_ine():
    rows = _ine("foreign_nationality", 55, 5, 60, 20) + _ine("national_citizens", 45, 5, 70, 20)
    table = labour_gaps(_frame([]), _frame(rows)).table
    assert set(table["uncertainty"]) == {"census count: no sampling interval published (point estimate)"}


def test_published_rates_show_unpaired_groups_and_published_survey_rates():
    immigrants = _insee("immigre_insee", 40, 10, 100, geography_level="employment_zone", place_id="ZE")
    lfs = [
        _row("foreign_nationality", 60.5, source_id="istat_lfs_employment_foreign", indicator_id="employment_rate", unit="percent",
             age="Y15-64", period="2023", ref_date="2023-07-01", place_id="IT", place_name="Italy", geography_level="country",
             note="Labour force survey, employment rate of foreign citizens; education: total"),
        _row("foreign_nationality", 61.0, source_id="istat_lfs_employment_foreign", indicator_id="employment_rate", unit="percent",
             age="Y15-64", period="2023-Q1", ref_date="2023-02-15", place_id="IT", place_name="Italy", geography_level="country"),
    ]
    section = published_rates(_frame(immigrants), _frame(lfs))
    table = section.table
    assert set(table["how"]) == {"published rate", "computed from census counts"}
    assert "2023-Q1" not in set(table["period"])
    survey = table[table["how"] == "published rate"].iloc[0]
    assert (survey["value (%)"], survey["age band"], survey["education"]) == (60.5, "15-64", "all levels")
    assert "No native comparison group" in section.notes[0]
    assert len(published_rates(_frame(immigrants), _frame(lfs), annual_only=False).table) == 5


def test_published_rates_leave_out_groups_that_have_a_comparison():
    rows = _insee("foreign_nationality", 40, 10, 100) + _insee("national_citizens", 55, 5, 100)
    assert published_rates(_frame(rows), _frame([])).empty


def test_functions_return_empty_sections_without_data():
    empty = _frame([])
    assert labour_gaps(empty, empty).empty
    assert published_rates(empty, empty).empty


def _real(city: str, *sources: str):
    # only the tables the test needs: loading every table would make the test slow
    data = catalog.load_city(city, tidy=pd.concat([read_tidy(tidy_path(s)) for s in sources], ignore_index=True))
    return profile_tables.prepare_local(data), data.national.astype({"value": float})


def test_labour_gaps_on_real_data_for_lyon_and_portugal():
    local, national = _real("lyon", "insee_rp_lyon")
    gaps = labour_gaps(local, national).table
    total = gaps[(gaps["sex"] == "total")].set_index("rate")
    assert total.loc["unemployment rate", "migrants (%)"] == pytest.approx(100 * 18609 / (59135 + 18609))
    assert set(published_rates(local, national).table["group"]) == {"Immigrants (INSEE 'immigrés')"}
    local, national = _real("lisbon", "ine_pt_censos2021_foreign")
    gaps = labour_gaps(local, national).table.set_index("rate")
    # foreigners aged 15 and over: 542,165 residents minus 65,363 under 15
    assert gaps.loc["employment rate", "migrants (%)"] == pytest.approx(100 * 264271 / (542165 - 65363))


# translatable texts ------------------------------------------------------------------------------


def test_labour_gaps_notes_and_composed_cells_are_messages():
    rows = _insee("foreign_nationality", 40, 10, 100) + _insee("national_citizens", 55, 5, 100)
    section = labour_gaps(_frame(rows), _frame([]))
    assert all(isinstance(note, Msg) for note in section.notes)
    assert section.notes[0] == "activity rate: " + RATE_DEFINITIONS["activity rate"] + "."
    assert section.notes[0].params["rate"] == Label("activity rate")
    band = section.table["age band"].iloc[0]
    assert isinstance(band, Msg) and band == "15 and over" and band.msgid == "{age} and over"
    assert isinstance(section.table["uncertainty"].iloc[0], Msg)
    # a message survives its JSON form (kept in notebook outputs for the annex)
    assert from_json(band.to_json()) == band


def test_published_rates_leave_out_rates_whose_source_publishes_the_nationals():
    def rate(definition: str, value: float) -> dict:
        return _row(definition, value, source_id="eurostat_lfsa_ergan", place_id="AT", geography_level="country",
                    indicator_id="employment_rate", age="Y20-64", period="2024", unit="percent", city_id="")
    rows = pd.DataFrame([rate("foreign_nationality", 63.0), rate("national_citizens", 79.2)])
    assert published_rates(rows.iloc[:0], rows).empty
    assert not published_rates(rows.iloc[:0], rows.iloc[:1]).empty

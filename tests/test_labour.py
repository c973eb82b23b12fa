"""Tests of labour market rates, migrant-native gaps, education and occupations."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.tidy import catalog
from workbench.analysis import profile_tables
from workbench.errors import DataError
from workbench.reference.i18n import Joined, Label, Msg, from_json
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.analysis.labour import (
    RATE_DEFINITIONS,
    activity_rates,
    education,
    labour_gaps,
    occupations,
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


def _education_rows(definition: str, values: dict[str, float]) -> list[dict]:
    notes = {"none": "no level completed", "basic": "ensino básico, ISCED 1-2", "basic-1st-cycle": "ISCED 1",
             "basic-2nd-cycle": "ISCED 2", "higher": "ISCED 5-8"}
    rows = [_row(definition, sum(v for k, v in values.items() if k != "basic"), age="Y15-64", source_id="ine", note="Quadro 2.1")]
    for level, value in values.items():
        rows.append(_row(definition, value, age="Y15-64", source_id="ine", category=f"education:{level}", note=f"Quadro 2.1; {notes[level]}"))
    return rows


def test_education_drops_subtotals_and_computes_shares_and_gaps():
    rows = _education_rows("foreign_nationality", {"none": 10, "basic": 50, "basic-1st-cycle": 20, "basic-2nd-cycle": 30, "higher": 40})
    rows += _education_rows("national_citizens", {"none": 5, "basic": 45, "basic-1st-cycle": 15, "basic-2nd-cycle": 30, "higher": 50})
    section = education(_frame([]), _frame(rows))
    table = section.table
    assert list(table["level"]) == ["none – no level completed", "basic 1st cycle – ISCED 1", "basic 2nd cycle – ISCED 2", "higher – ISCED 5-8"]
    assert table["migrants (%)"].sum() == pytest.approx(100.0)
    assert table.iloc[0]["gap (pp)"] == pytest.approx(10.0 - 5.0)
    assert any("basic" in note for note in section.notes)


def _csp(definition: str, values: dict[str, float], origin: str = "total", **kw) -> list[dict]:
    return [_row(definition, v, age="total", category=f"csp:{k}", origin=origin, **kw) for k, v in values.items()]


def test_occupations_share_among_occupational_categories():
    rows = _csp("foreign_nationality", {"manual_workers": 30, "employees": 10, "retired": 60})
    rows += _csp("national_citizens", {"manual_workers": 10, "employees": 30, "retired": 60})
    table = occupations(_frame(rows)).table.set_index("category")
    assert set(table.index) == {"manual workers", "employees"}
    assert table.loc["manual workers", "gap (pp)"] == pytest.approx(75.0 - 25.0)
    everyone = occupations(_frame(rows), with_inactive=True).table.set_index("category")
    assert everyone.loc["retired", "migrants (%)"] == pytest.approx(60.0)


def test_occupations_sum_nationality_groups_only_when_they_rebuild_the_total():
    base = dict(period="2015", ref_date="2015-01-01")
    rows = _csp("foreign_nationality", {"employees": 10, "manual_workers": 20}, origin="DZA", origin_type="citizenship", **base)
    rows += _csp("foreign_nationality", {"employees": 5, "manual_workers": 5}, origin="OTHER", origin_type="citizenship_group", **base)
    rows += _csp("national_citizens", {"employees": 85, "manual_workers": 25}, origin="FR_BY_BIRTH", origin_type="citizenship_group", **base)
    total = _csp("total_population", {"employees": 100, "manual_workers": 50}, **base)
    table = occupations(_frame(rows + total)).table
    assert set(table["flag"]) == {"c"}
    assert table.set_index("category").loc["employees", "migrants (%)"] == pytest.approx(100 * 15 / 40)
    wrong_total = _csp("total_population", {"employees": 200, "manual_workers": 50}, **base)
    section = occupations(_frame(rows + wrong_total))
    assert section.empty and any("do not add up" in note for note in section.notes)


def test_functions_return_empty_sections_without_data():
    empty = _frame([])
    assert labour_gaps(empty, empty).empty
    assert published_rates(empty, empty).empty
    assert education(empty, empty).empty
    assert occupations(empty).empty


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
    assert education(local, national).table["migrants (%)"].sum() == pytest.approx(100.0)


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


def test_education_level_with_publisher_wording_is_a_message():
    rows = _education_rows("foreign_nationality", {"none": 10, "basic": 50, "basic-1st-cycle": 20, "basic-2nd-cycle": 30, "higher": 40})
    rows += _education_rows("national_citizens", {"none": 5, "basic": 45, "basic-1st-cycle": 15, "basic-2nd-cycle": 30, "higher": 50})
    section = education(_frame([]), _frame(rows))
    level = section.table["level"].iloc[0]
    assert level.msgid == "{level} – {detail}" and level.params == {"level": Label("none"), "detail": Label("no level completed")}
    left_out = next(note for note in section.notes if note.startswith("Left out"))
    assert isinstance(left_out.params["levels"], Joined)


def test_occupations_notes_are_messages_with_dates_in_words():
    base = dict(period="2015", ref_date="2015-01-01")
    rows = _csp("foreign_nationality", {"employees": 10}, origin="DZA", origin_type="citizenship", **base)
    rows += _csp("national_citizens", {"employees": 85}, origin="FR_BY_BIRTH", origin_type="citizenship_group", **base)
    section = occupations(_frame(rows + _csp("total_population", {"employees": 200}, **base)))
    assert all(isinstance(note, Msg) for note in section.notes)
    assert section.notes[0] == "Not shown (nationality groups do not add up to the total population): Urban unit (1 January 2015)."

"""Tests of education and occupations of migrants and natives."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import profile_tables
from workbench.analysis.attainment import education, occupations
from workbench.reference.i18n import Joined, Label, Msg
from workbench.tidy import catalog
from workbench.tidy.ingest import read_tidy, tidy_path
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


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).astype({"value": float})


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
    assert education(empty, empty).empty
    assert occupations(empty).empty


def _real(city: str, *sources: str):
    # only the tables the test needs: loading every table would make the test slow
    data = catalog.load_city(city, tidy=pd.concat([read_tidy(tidy_path(s)) for s in sources], ignore_index=True))
    return profile_tables.prepare_local(data), data.national.astype({"value": float})


def test_education_on_real_data_for_portugal():
    local, national = _real("lisbon", "ine_pt_censos2021_foreign")
    assert education(local, national).table["migrants (%)"].sum() == pytest.approx(100.0)


# translatable texts ------------------------------------------------------------------------------


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

"""Tests of residence permits and titles by type."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.tidy import catalog
from workbench.analysis import profile_tables
from workbench.reference.i18n import Msg, from_json
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.tidy.schemas import TIDY_COLUMNS
from workbench.analysis.legal_status import new_permits, permit_series, permits_by_type, residence_titles

_TYPE_NOTES = {
    "permit:long_term": "Non-EU citizens with a valid residence permit on 1 January: long-term residence permits (EU long-term residents, no expiry)",
    "permit:with_expiry": "Non-EU citizens with a valid residence permit on 1 January: permits with an expiry date (not long-term)",
    "total": "Non-EU citizens with a valid residence permit on 1 January: all valid permits",
}


def _row(definition: str, value: float, **kw) -> dict:
    row = dict.fromkeys(TIDY_COLUMNS, "")
    row.update(
        source_id="istat_permsogg1_type", place_id="ITC11", place_name="Torino", geography_level="metropolitan_city",
        country_iso3="ITA", city_id="turin", indicator_id="population", definition_id=definition, sex="total",
        age="total", origin="total", category="total", period="2024", ref_date="2024-01-01", value=value, unit="persons",
    )
    row.update(kw)
    return row


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).astype({"value": float})


def _permits(**kw) -> list[dict]:
    rows = []
    for category, total, women in (("total", 100, 50), ("permit:long_term", 40, 25), ("permit:with_expiry", 60, 25)):
        rows.append(_row("residence_permit_holder", total, category=category, note=_TYPE_NOTES[category], **kw))
        rows.append(_row("residence_permit_holder", women, category=category, sex="female", note=_TYPE_NOTES[category], **kw))
    return rows


def test_permits_by_type_labels_from_notes_and_long_term_share():
    section = permits_by_type(_frame(_permits()), _frame([]))
    table = section.table.set_index("permit type")
    assert list(table.index) == [
        "all permits",
        "long-term residence permits (EU long-term residents, no expiry)",
        "permits with an expiry date (not long-term)",
    ]
    long_term = table.loc["long-term residence permits (EU long-term residents, no expiry)"]
    assert long_term["share of all permits (%)"] == pytest.approx(40.0)
    assert long_term["women (%)"] == pytest.approx(62.5)
    assert section.source_ids == ["istat_permsogg1_type"]


def test_permits_by_type_keeps_places_apart_country_first():
    national = _permits(place_id="IT", place_name="Italia", geography_level="country", city_id="")
    table = permits_by_type(_frame(_permits()), _frame(national)).table
    assert list(table["place"].unique()) == ["Italia", "Torino"]
    assert list(table["geography"].unique()) == ["country", "metropolitan city"]


def test_permit_series_one_row_per_place_type_and_date():
    rows = _permits() + _permits(period="2023", ref_date="2023-01-01")
    series = permit_series(_frame(rows), _frame([]))
    assert len(series) == 6
    assert pd.api.types.is_datetime64_any_dtype(series["date"])
    assert not series.duplicated(["place", "permit type", "date"]).any()


def test_new_permits_reason_share_of_the_same_place_and_year():
    rows = [
        _row("new_residence_permit", 200, source_id="istat_permsogg1_age", indicator_id="inflows", period="2022", ref_date="2022-12-31",
             note="Residence permits issued during the year to non-EU citizens (ingressi)"),
        _row("new_residence_permit", 120, source_id="istat_permsogg1_age", indicator_id="inflows", period="2022", ref_date="2022-12-31", sex="female"),
        _row("new_residence_permit", 50, source_id="istat_permsogg1_flows_citizenship", indicator_id="inflows", period="2022",
             ref_date="2022-12-31", category="reason:international_protection",
             note="annual inflows of non-EU citizens; reason: international protection; citizenship: All countries of the world"),
        _row("new_residence_permit", 10, source_id="istat_permsogg1_flows_citizenship", indicator_id="inflows", period="2022",
             ref_date="2022-12-31", category="reason:international_protection", origin="UKR", origin_type="citizenship"),
    ]
    section = new_permits(_frame(rows))
    table = section.table.set_index("reason")
    assert list(table.index) == ["all reasons", "international protection"]
    assert table.loc["international protection", "share of all new permits (%)"] == pytest.approx(25.0)
    assert table.loc["all reasons", "women (%)"] == pytest.approx(60.0)
    assert any("different ISTAT tables" in note for note in section.notes)


def test_residence_titles_sum_citizenships_when_no_total_is_published():
    common = dict(source_id="aima_pt_foreign_residents", place_id="PRT", place_name="Portugal", geography_level="country",
                  country_iso3="PRT", city_id="")
    rows = [
        _row("residence_title_holder", 300, period="2005", ref_date="2005-12-31", flag="b", note="the kinds of title counted change", **common),
        _row("residence_title_holder", 200, period="2005", ref_date="2005-12-31", category="title:residence-title",
             note="títulos de residência (residence titles)", **common),
        _row("residence_title_holder", 100, period="2005", ref_date="2005-12-31", category="title:stay-permit",
             note="autorizações de permanência granted or extended (stay permits, 2001-2007)", **common),
    ]
    for origin, total, women in (("BRA", 600, 300), ("IND", 400, 100)):
        for sex, value in (("total", total), ("female", women), ("male", total - women)):
            rows.append(_row("residence_title_holder", value, period="2024", ref_date="2024-12-31", origin=origin,
                             origin_type="citizenship", sex=sex, flag="d", note="stock includes pending cases", **common))
    section = residence_titles(_frame(rows))
    table = section.table
    latest = table[table["year"] == "2024"].iloc[0]
    assert (latest["holders"], latest["women (%)"], latest["flag"]) == (1000.0, 40.0, "cd")
    kinds = table[(table["year"] == "2005")].set_index("title")
    assert kinds.loc["títulos de residência (residence titles)", "share of all titles (%)"] == pytest.approx(200 / 3)
    assert kinds.loc["Foreign residents with a residence title", "flag"] == "b"
    assert "Flag b (break in series; 2005): the kinds of title counted change." in section.notes
    assert "Flag d (definition differs; 2024): stock includes pending cases." in section.notes
    assert any(note.startswith("Flag c:") for note in section.notes)
    # notes are messages an annex can render again (the source's own explanation is a parameter)
    assert all(isinstance(note, Msg) for note in section.notes)
    flag_b = next(n for n in section.notes if n.startswith("Flag b"))
    assert flag_b.msgid == "Flag {flag} ({meaning}; {years}): {note}." and from_json(flag_b.to_json()).render("en") == flag_b


def test_functions_return_empty_sections_without_data():
    empty = _frame([])
    assert permits_by_type(empty, empty).empty
    assert permit_series(empty, empty).empty
    assert new_permits(empty).empty
    assert residence_titles(empty).empty


def test_status_on_real_data_for_turin():
    # only the tables the test needs: loading every table would make the test slow
    sources = ("istat_permsogg1_type", "istat_permsogg1_age", "istat_permsogg1_flows_citizenship")
    data = catalog.load_city("turin", tidy=pd.concat([read_tidy(tidy_path(s)) for s in sources], ignore_index=True))
    local, national = profile_tables.prepare_local(data), data.national.astype({"value": float})
    table = permits_by_type(local, national).table
    torino_2024 = table[(table["place"] == "Torino") & (table["reference date"] == "2024-01-01")].set_index("permit type")
    assert torino_2024.loc["all permits", "holders"] == 110575
    assert torino_2024.iloc[1]["share of all permits (%)"] == pytest.approx(100 * 49067 / 110575)
    new = new_permits(local).table
    assert new[(new["year"] == "2022") & (new["reason"] == "all reasons")]["new permits"].item() == 14238

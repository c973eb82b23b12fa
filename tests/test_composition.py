"""Tests of workbench.analysis.composition: the origin mix of a city's migrants."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.tidy import catalog
from workbench.analysis import composition, profile_tables
from workbench.errors import DataError
from workbench.reference.i18n import Label, Msg
from workbench.tidy.schemas import TIDY_COLUMNS


def _row(**values) -> dict:
    row = {
        "source_id": "madrid_ayto_nationality_2022", "place_id": "P1", "place_name": "Area 1",
        "geography_level": "district", "country_iso3": "ESP", "city_id": "madrid", "indicator_id": "population",
        "definition_id": "foreign_nationality", "sex": "total", "age": "total", "origin_type": "", "origin": "total",
        "category": "total", "period": "2022", "ref_date": "2022-07-01", "value": 0.0, "unit": "persons",
        "flag": "", "note": "",
    }
    row.update(values)
    return row


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).astype({"value": float})


def _areas(values: dict[str, tuple[float, float, float | None]], **common) -> pd.DataFrame:
    # place -> (foreign, nationals, published total or None)
    rows = []
    for place, (foreign, nationals, total) in values.items():
        rows.append(_row(place_id=place, place_name=place, value=foreign, **common))
        rows.append(_row(place_id=place, place_name=place, definition_id="national_citizens", value=nationals, **common))
        if total is not None:
            rows.append(_row(place_id=place, place_name=place, definition_id="total_population", value=total, **common))
    return _frame(rows)


# origin_table and diversity ------------------------------------------------------------------


def _origins(rows: dict[str, float], total: float | None, **common) -> list[dict]:
    base = {"geography_level": "municipality", "place_id": "CITY", "place_name": "City"} | common
    out = []
    for code, value in rows.items():
        kind = "citizenship_group" if "_" in code or code in ("OTHER", "EUROPE") else "citizenship"
        out.append(_row(**base, origin_type=kind, origin=code, value=value))
    if total is not None:
        out.append(_row(**base, value=total))
    return out


def test_origin_table_latest_table_with_residuals_not_aggregates():
    rows = _origins({"MAR": 50, "COL": 30, "OTHER": 20, "ES_EUROPA": 999}, 100) + _origins({"MAR": 1}, 1, ref_date="2020-01-01")
    table = composition.origin_table(_frame(rows))
    assert table["origin"].tolist() == ["MAR", "COL", "OTHER"]
    assert table["residual"].tolist() == [False, False, True]
    assert table["share"].tolist() == [50.0, 30.0, 20.0]
    assert (table["share_base"] == "published group total").all()
    assert list(table.columns) == composition.ORIGIN_COLUMNS


def test_origin_table_without_total_uses_sum_of_rows():
    table = composition.origin_table(_frame(_origins({"MAR": 30, "COL": 10}, None)))
    assert table["share"].tolist() == [75.0, 25.0]
    assert table["share_base"].iloc[0].startswith("sum of the listed rows")


def test_origin_table_rejects_rows_above_total():
    with pytest.raises(DataError, match="overlaps itself"):
        composition.origin_table(_frame(_origins({"MAR": 80, "COL": 30}, 100)))


def test_origin_table_ignores_sub_city_rows():
    rows = _origins({"MAR": 5}, 5, geography_level="district", place_id="D1")
    assert composition.origin_table(_frame(rows)).empty


def test_diversity_known_values_and_unlisted_remainder():
    equal = composition.origin_table(_frame(_origins({"MAR": 50, "COL": 50}, 100)))
    result = composition.diversity(equal)
    assert result["simpson"] == pytest.approx(0.5)
    assert result["effective_origins"] == pytest.approx(2.0)
    assert result["published_origins"] == 2 and result["residual_groups"] == 0
    partial = composition.diversity(composition.origin_table(_frame(_origins({"MAR": 50, "COL": 25}, 100))))
    assert partial["not_itemised"] == pytest.approx(25.0)
    assert partial["simpson"] == pytest.approx(1 - (0.25 + 0.0625 + 0.0625))


def test_diversity_empty_and_mixed_tables():
    empty = composition.diversity(pd.DataFrame(columns=composition.ORIGIN_COLUMNS))
    assert math.isnan(empty["simpson"]) and empty["published_origins"] == 0
    a = composition.origin_table(_frame(_origins({"MAR": 50}, 50)))
    b = composition.origin_table(_frame(_origins({"MAR": 50}, 60, ref_date="2021-01-01")))
    with pytest.raises(DataError, match="several origin tables"):
        composition.diversity(pd.concat([a, b]))


# origin_concentration and diversity_table ----------------------------------------------------


def _national_rows(source_id, definition_id, origin_type, ref_date, values, total):
    common = {"source_id": source_id, "definition_id": definition_id, "geography_level": "country", "place_id": "ESP",
              "place_name": "Spain", "city_id": "", "ref_date": ref_date}
    rows = [_row(**common, origin_type=origin_type, origin=code, value=v) for code, v in values.items()]
    return rows + [_row(**common, value=total)]


def test_origin_concentration_same_definition_preferred():
    local = _frame(_origins({"MAR": 50, "COL": 30, "OTHER": 20}, 100))
    national = _frame(
        _national_rows("madrid_ayto_nationality_2022", "foreign_nationality", "citizenship", "2022-07-01", {"MAR": 100, "COL": 300}, 1000)
        + _national_rows("undesa_ims_2024", "un_migrant_stock", "origin_country", "2024-07-01", {"MAR": 1}, 10)
    )
    section = composition.origin_concentration(local, national)
    table = section.table
    assert table["origin"].tolist() == ["Morocco", "Colombia"]
    assert table["country share (%)"].tolist() == [10.0, 30.0]
    assert table["location quotient"].tolist() == pytest.approx([5.0, 1.0])
    assert table["definitions"].iloc[0] == "Foreign nationals (city) vs Foreign nationals (country)"
    assert not any(note.startswith("Different definitions") for note in section.notes)


def test_origin_concentration_falls_back_to_undesa_and_says_so():
    local = _frame(_origins({"MAR": 50, "COL": 30, "OTHER": 20}, 100))
    national = _frame(
        _national_rows("undesa_ims_2024", "un_migrant_stock", "origin_country", "2020-07-01", {"MAR": 9}, 10)
        + _national_rows("undesa_ims_2024", "un_migrant_stock", "origin_country", "2024-07-01", {"MAR": 20}, 100)
    )
    section = composition.origin_concentration(local, national)
    table = section.table
    assert table["country share (%)"].iloc[0] == 20.0 and math.isnan(table["country share (%)"].iloc[1])
    assert table["definitions"].iloc[0] == "Foreign nationals (city) vs International migrant stock (UN DESA) (country)"
    assert any(note.startswith("Different definitions") for note in section.notes)
    assert table["location quotient"].isna().all()
    assert any("Colombia" in note for note in section.notes if note.startswith("Not listed"))
    assert section.source_ids == ["madrid_ayto_nationality_2022", "undesa_ims_2024"]
    diversity = composition.diversity_table(local, national).table
    assert diversity["scope"].tolist() == ["city", "country"]
    assert diversity["reference date"].tolist() == ["2022-07-01", "2024-07-01"]


def test_origin_sections_empty_without_origin_table():
    local = _areas({"P1": (10, 90, None)})
    national = _frame(_national_rows("undesa_ims_2024", "un_migrant_stock", "origin_country", "2024-07-01", {"MAR": 1}, 10))
    assert composition.origin_concentration(local, national).empty
    assert composition.diversity_table(local, national).empty


# real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def madrid():
    data = catalog.load_city("madrid")
    return profile_tables.prepare_local(data), profile_tables.prepare_national(data)


def test_real_madrid_origins(madrid):
    local, national = madrid
    table = composition.origin_table(local)
    assert table["base_persons"].iloc[0] == 552_576 and table["persons"].sum() == 552_576
    section = composition.origin_concentration(local, national)
    assert section.source_ids == ["madrid_ayto_nationality_2022", "undesa_ims_2024"]
    assert len(section.table) == 10
    # issue 16: foreign nationals in the city (2022) against the country's foreign-born by origin
    # (2024) gave Italy 3.08 and Morocco 0.32; unlike tables get no quotient, and the note says why
    assert section.table["location quotient"].isna().all()
    reason = next(n for n in section.notes if n.startswith("Location quotients not computed"))
    assert "different definitions: Foreign nationals / International migrant stock (UN DESA)" in reason
    assert "different breakdowns: citizenship / origin country" in reason


# translatable texts ------------------------------------------------------------------------------


def test_origin_notes_and_definitions_cell_are_messages():
    local = _frame(_origins({"MAR": 50, "COL": 30, "OTHER": 20}, 100))
    national = _frame(_national_rows("undesa_ims_2024", "un_migrant_stock", "origin_country", "2024-07-01", {"MAR": 20}, 100))
    section = composition.origin_concentration(local, national)
    cell = section.table["definitions"].iloc[0]
    assert cell.msgid == "{city} (city) vs {country} (country)" and cell.params["city"] == Label("Foreign nationals")
    assert all(isinstance(note, Msg) for note in section.notes)
    different = next(note for note in section.notes if note.startswith("Different definitions"))
    assert "on 1 July 2022" in different and "on 1 July 2024" in different
    assert all(isinstance(note, Msg) for note in composition.diversity_table(local, national).notes)
    assert composition.diversity_table(local, _frame([])).notes[-1] == "No country origin table to compare with."


def test_the_profile_and_the_network_give_an_origin_the_same_share_of_the_same_base():
    # Lyon: Algeria was 36.2 % in the city profile (share of the listed countries) and 22.6 % in the
    # network annex (share of countries plus the residual groups of the same table), both unlabelled
    rows = _frame(_origins({"DZA": 30, "PRT": 10, "OTHER": 60}, None))
    profile = profile_tables.origins(rows, 2)
    network = composition.origin_table(rows)
    assert profile.table[profile_tables.SHARE_OF_THE_GROUP].tolist() == [30.0, 10.0]
    assert network.set_index("origin").loc[["DZA", "PRT"], "share"].tolist() == [30.0, 10.0]
    assert "shares of 100 persons" in str(profile.notes[0])


def test_a_rounded_group_total_below_its_exact_rows_gives_way_to_their_sum():
    # Jordan's 2015 census: "about 2.9 million" non-Jordanians (flag e), 2,912,611 in the rows by nationality
    rows = _origins({"SYR": 1_260_000, "EGY": 636_270, "OTHER": 1_016_341}, None)
    rows.append(_row(geography_level="municipality", place_id="CITY", place_name="City", value=2_900_000, flag="e"))
    table = composition.origin_table(_frame(rows))
    assert table["base_persons"].iloc[0] == 2_912_611
    assert table["share_base"].iloc[0].startswith("sum of the listed rows (the published group total is rounded)")
    unrounded = [{**r, "flag": ""} for r in rows]
    with pytest.raises(DataError, match="overlaps itself"):
        composition.origin_table(_frame(unrounded))


# residents_by_group_and_sex ------------------------------------------------------------------


def test_residents_by_group_and_sex_names_withheld_groups_and_groups_with_nationals():
    from workbench.analysis.residents_by_origin import residents_by_group_and_sex
    from workbench.reference import columns as col
    from workbench.tidy.schemas import TIDY_COLUMNS

    def row(origin, sex, value, flag="c"):
        return {
            "source_id": "bcn_opendata_nationality_region", "place_id": "ES-08019", "place_name": "Barcelona",
            "geography_level": "municipality", "country_iso3": "ESP", "city_id": "barcelona", "indicator_id": "population",
            "definition_id": "total_population", "sex": sex, "age": "total", "origin_type": "citizenship_group", "origin": origin,
            "category": "total", "period": "2025", "ref_date": "2025-01-01", "value": value, "unit": "persons", "flag": flag, "note": "",
        }

    rows = [
        row("BCN_SOUTHERN_EUROPE_INCL_ESP", "female", 60.0, "cd"), row("BCN_SOUTHERN_EUROPE_INCL_ESP", "male", 40.0, "cd"),
        row("BCN_SOUTH_AMERICA", "female", 30.0), row("BCN_SOUTH_AMERICA", "male", 10.0),
        row("BCN_MELANESIA", "female", float("nan"), "cs"), row("BCN_MELANESIA", "male", float("nan"), "cs"),
        {**row("BCN_SOUTH_AMERICA", "female", 25.0), "ref_date": "2024-01-01", "period": "2024"},  # an older date: not shown
    ]
    section = residents_by_group_and_sex(pd.DataFrame(rows, columns=list(TIDY_COLUMNS)))
    table = section.table
    assert list(table[col.BOTH_SEXES].iloc[:2]) == [100.0, 40.0]
    # every cell withheld: no empty row (issue 18 officer review), named in a note, never a zero
    assert len(table) == 2 and not (table[col.BOTH_SEXES] == 0).any()
    assert any(str(note).startswith("Every cell withheld") and "Melanesia" in str(note) for note in section.notes)
    assert table[col.SHARE_OF_POPULATION].iloc[1] == pytest.approx(100 * 40 / 140)
    assert table[col.WOMEN_SHARE].iloc[1] == pytest.approx(75.0)
    assert any("nationals of the country of residence" in str(note) for note in section.notes)


def test_residents_by_group_and_sex_is_empty_without_such_a_table():
    from workbench.analysis.residents_by_origin import residents_by_group_and_sex
    from workbench.tidy.schemas import TIDY_COLUMNS

    assert residents_by_group_and_sex(pd.DataFrame(columns=list(TIDY_COLUMNS))).empty

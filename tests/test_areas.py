"""Tests of workbench.analysis.areas: how migrants are spread across the city's areas."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.analysis import areas, composition, profile_tables
from workbench.analysis import indicators as ind
from workbench.errors import DataError
from workbench.reference import columns
from workbench.reference.i18n import Msg
from workbench.tidy import catalog
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


# dissimilarity_index -------------------------------------------------------------------------


def test_dissimilarity_index_known_values():
    idx = ["a", "b", "c"]
    assert areas.dissimilarity_index(pd.Series([30, 10, 0], idx), pd.Series([10, 10, 20], idx)) == pytest.approx(0.5)
    assert areas.dissimilarity_index(pd.Series([10, 0], ["a", "b"]), pd.Series([0, 5], ["a", "b"])) == 1.0


def test_dissimilarity_index_aligns_by_area_id():
    group = pd.Series([30, 10, 0], ["a", "b", "c"])
    reference = pd.Series([20, 10, 10], ["c", "b", "a"])
    assert areas.dissimilarity_index(group, reference) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("group", "reference", "message"),
    [
        (pd.Series([1, 2], ["a", "b"]), pd.Series([1, 2], ["a", "c"]), "different areas"),
        (pd.Series([1, 2], ["a", "a"]), pd.Series([1, 2], ["a", "a"]), "twice"),
        (pd.Series([1, -2], ["a", "b"]), pd.Series([1, 2], ["a", "b"]), "negative"),
        (pd.Series([0, 0], ["a", "b"]), pd.Series([1, 2], ["a", "b"]), "totals 0"),
        (pd.Series([1.0, float("nan")], ["a", "b"]), pd.Series([1, 2], ["a", "b"]), "missing"),
    ],
)
def test_dissimilarity_index_rejects_bad_input(group, reference, message):
    with pytest.raises(DataError, match=message):
        areas.dissimilarity_index(group, reference)


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), min_size=2, max_size=30), k=st.integers(1, 7))
def test_dissimilarity_index_properties(pairs, k):
    group = pd.Series([p[0] for p in pairs], dtype=float)
    reference = pd.Series([p[1] for p in pairs], dtype=float)
    if group.sum() == 0 or reference.sum() == 0:
        return
    d = areas.dissimilarity_index(group, reference)
    assert 0.0 <= d <= 1.0
    assert d == pytest.approx(areas.dissimilarity_index(reference, group))
    assert areas.dissimilarity_index(group, group * k) == pytest.approx(0.0, abs=1e-12)


# district_counts -----------------------------------------------------------------------------


def test_district_counts_uses_published_headlines_and_total():
    local = _areas({"P1": (10, 90, 101), "P2": (30, 70, 100)})
    counts = areas.district_counts(local)
    assert list(counts.columns) == areas.COUNT_COLUMNS
    assert counts["migrants"].tolist() == [10.0, 30.0]
    assert counts["reference"].tolist() == [90.0, 70.0]
    assert counts["total"].tolist() == [101.0, 100.0]
    assert (counts["reference_definition_id"] == "national_citizens").all()


def test_district_counts_sums_cells_once_ignoring_computed_rows():
    wien = {"source_id": "wien_ogd_population_origin", "country_iso3": "AUT", "city_id": "vienna", "ref_date": "2022-01-01"}
    rows = []
    for place in ("D1", "D2"):
        for sex in ("female", "male"):
            for age in ("Y0-4", "Y5-9"):
                for origin in ("WIEN_EEA", "WIEN_TCN"):
                    rows.append(_row(**wien, place_id=place, definition_id="foreign_origin_wien", sex=sex, age=age,
                                     origin_type="origin_group", origin=origin, value=1.0 if place == "D1" else 2.0))
                rows.append(_row(**wien, place_id=place, definition_id="austrian_origin_wien", sex=sex, age=age, value=5.0))
        # computed headline rows as prepare_local adds them must not be counted again
        rows.append(_row(**wien, place_id=place, definition_id="foreign_origin_wien", value=99.0, flag="c"))
    counts = areas.district_counts(_frame(rows))
    assert counts["migrants"].tolist() == [8.0, 16.0]
    assert counts["reference"].tolist() == [20.0, 20.0]
    assert counts["total"].tolist() == [28.0, 36.0]
    assert counts["note"].iloc[0].startswith("migrants: sum of 8 published cells")


def test_district_counts_rejects_cells_mixing_totals():
    wien = {"source_id": "wien_ogd_population_origin", "ref_date": "2022-01-01"}
    rows = [
        _row(**wien, definition_id="foreign_origin_wien", sex="female", age="Y0-4", origin_type="origin_group", origin="WIEN_EEA", value=1),
        _row(**wien, definition_id="foreign_origin_wien", sex="total", age="Y0-4", origin_type="origin_group", origin="WIEN_EEA", value=2),
        _row(**wien, definition_id="austrian_origin_wien", value=5),
    ]
    with pytest.raises(DataError, match="mix 'total'"):
        areas.district_counts(_frame(rows))


def test_district_counts_empty_without_areas():
    local = _areas({"P1": (10, 90, None)}, geography_level="municipality")
    counts = areas.district_counts(local)
    assert counts.empty and list(counts.columns) == areas.COUNT_COLUMNS
    assert areas.segregation_table(counts).empty
    assert areas.segregation_trend(counts).empty
    assert areas.district_table(counts, "district").empty


def test_reconcile_city_totals_reports_differences():
    local = pd.concat(
        [
            _areas({"P1": (10, 90, None), "P2": (30, 70, None)}),
            _frame([_row(place_id="CITY", geography_level="municipality", value=41.0)]),
        ]
    )
    check = areas.reconcile_city_totals(areas.district_counts(local), local)
    assert check["definition_id"].tolist() == ["foreign_nationality"]
    assert check["difference"].tolist() == [-1.0]


# segregation_table, segregation_trend, district_table ----------------------------------------


def _six_areas() -> pd.DataFrame:
    return _areas({f"A{i}": (float(10 * i), 100.0, None) for i in range(1, 7)})


def test_segregation_table_values():
    counts = _six_areas()
    section = areas.segregation_table(areas.district_counts(counts))
    row = section.table.iloc[0]
    migrants = [10 * i for i in range(1, 7)]
    expected_d = 0.5 * sum(abs(m / sum(migrants) - 1 / 6) for m in migrants)
    assert row["areas"] == 6 and row["migrants"] == 210
    assert row["dissimilarity D"] == pytest.approx(expected_d)
    assert row["migrants in the 5 highest-share areas (%)"] == pytest.approx(100 * 200 / 210)
    assert row["highest area"] == "A6" and row["highest area share (%)"] == pytest.approx(100 * 60 / 160)
    assert row["lowest area"] == "A1" and row["lowest area share (%)"] == pytest.approx(100 * 10 / 110)
    assert row["group"] == "Foreign nationals" and row["reference group"] == "Nationals"
    assert section.source_ids == ["madrid_ayto_nationality_2022"]
    assert areas.DISSIMILARITY_DEFINITION in section.notes


def test_segregation_trend_one_row_per_date():
    counts = pd.concat([_six_areas(), _areas({"A1": (1, 1, None), "A2": (1, 3, None)}, ref_date="2023-07-01")])
    trend = areas.segregation_trend(areas.district_counts(counts))
    assert trend["year"].tolist() == [2022, 2023]
    assert trend["D"].iloc[1] == pytest.approx(0.25)


def test_district_table_latest_date_sorted_with_quotients():
    counts = pd.concat([_areas({"A1": (5, 5, None)}, ref_date="2021-07-01"), _six_areas()])
    section = areas.district_table(areas.district_counts(counts), "district")
    table = section.table
    assert list(table.columns) == ["area", "migrants", "total", "migrant share (%)", "location quotient"]
    assert table["area"].tolist() == ["A6", "A5", "A4", "A3", "A2", "A1"]
    city_share = 100 * 210 / 810
    assert table["location quotient"].iloc[0] == pytest.approx((100 * 60 / 160) / city_share)
    assert (100 * table["migrants"] / table["total"]).tolist() == pytest.approx(table["migrant share (%)"].tolist())
    assert areas.LOCATION_QUOTIENT_DEFINITION in section.notes


def test_district_table_rejects_unknown_level():
    with pytest.raises(DataError, match="unknown area level"):
        areas.district_table(areas.district_counts(_six_areas()), "camp")


# real data -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def madrid():
    data = catalog.load_city("madrid")
    return profile_tables.prepare_local(data), profile_tables.prepare_national(data)


def test_real_madrid_districts_and_barrios(madrid):
    local, _ = madrid
    counts = areas.district_counts(local)
    districts = counts[counts["geography_level"] == "district"]
    assert len(districts) == 21 and (counts["geography_level"] == "neighbourhood").sum() == 131
    assert districts["migrants"].sum() == 552_576 and districts["total"].sum() == 3_339_295
    check = areas.reconcile_city_totals(counts, local)
    assert (check.loc[check["geography_level"] == "district", "difference"] == 0).all()
    table = areas.segregation_table(counts).table
    assert table["area level"].tolist() == ["district", "neighbourhood"]
    assert table["dissimilarity D"].between(0.05, 0.5).all()


def test_real_vienna_district_sums_match_city_total():
    # the two steps of prepare_local that make the city row from district totals (the full
    # preparation adds total-population rows and takes several seconds more)
    data = catalog.load_city("vienna")
    local = ind.aggregate_districts(ind.compute_missing_totals(data.local), "VIENNA-CITY", "Wien (sum of districts)")
    counts = areas.district_counts(local)
    assert counts["place_id"].nunique() == 23 and counts["ref_date"].nunique() == 21
    check = areas.reconcile_city_totals(counts, local)
    assert set(check["definition_id"]) == {"foreign_origin_wien", "austrian_origin_wien"}
    assert len(check) == 2 * 21 and (check["difference"] == 0).all()
    assert check.loc[check["ref_date"] == "2022-01-01", "sum_of_areas"].tolist() == [1_109_193.0, 822_400.0]
    assert len(areas.segregation_trend(counts)) == 21
    assert composition.origin_table(local).empty


# translatable texts ------------------------------------------------------------------------------


def test_area_notes_are_messages_and_count_notes_drop_cell_counts():
    rows = []
    for place, foreign in (("A1", (3.0, 5.0)), ("A2", (7.0, 1.0))):
        for age, value in zip(("Y0-14", "Y15-MAX"), foreign):
            rows.append(_row(source_id="wien_ogd_population_origin", place_id=place, place_name=place, age=age, value=value))
        rows.append(_row(source_id="wien_ogd_population_origin", place_id=place, place_name=place,
                         definition_id="national_citizens", value=10.0))
    counts = areas.district_counts(_frame(rows))
    assert isinstance(counts["note"].iloc[0], Msg)
    assert counts["note"].iloc[0] == "migrants: sum of 2 published cells; reference: published; total: migrants + reference"
    section = areas.segregation_table(counts)
    assert all(isinstance(note, Msg) for note in section.notes)
    assert section.notes[-1] == (
        "Stadt Wien, Bevölkerung nach Herkunft, Bezirke (table vie-bez-pop-sex-age5-stk-ori-geo4-2002f): Foreign nationals against Nationals "
        "(migrants: sum of published cells; reference: published; total: migrants + reference)."
    )
    assert isinstance(section.table["area level"].iloc[0], Msg)
    notes = areas.district_table(counts, "district").notes
    assert all(isinstance(note, Msg) for note in notes)
    assert notes[0] == "Foreign nationals in 2 district areas on 1 July 2022; all areas together: 44.44 % of the population."


# rows a source's reader summed from its published cells (registry: area_sums) --------------------


def _summed_areas(source_id: str) -> pd.DataFrame:
    # two barris with the group, its complement and the total, all computed (flag c) by the reader
    common = {"source_id": source_id, "geography_level": "neighbourhood", "flag": "c", "ref_date": "2025-01-01", "period": "2025"}
    rows = []
    for place, (group, rest) in {"B01": (30.0, 70.0), "B02": (10.0, 90.0)}.items():
        rows += [
            _row(place_id=place, place_name=place, definition_id="non_european_nationality", value=group, **common),
            _row(place_id=place, place_name=place, definition_id="european_or_unrecorded_nationality", value=rest, **common),
            _row(place_id=place, place_name=place, definition_id="total_population", value=group + rest, **common),
        ]
    return _frame(rows)


def test_district_counts_read_the_sums_of_a_source_declaring_area_sums():
    counts = areas.district_counts(_summed_areas("bcn_opendata_nationality_region"))
    assert list(counts["migrants"]) == [30.0, 10.0] and list(counts["reference"]) == [70.0, 90.0]
    assert list(counts["total"]) == [100.0, 100.0]
    assert set(counts["reference_definition_id"]) == {"european_or_unrecorded_nationality"}
    assert "summed by the reader" in str(counts["note"].iloc[0])
    d = areas.segregation_table(counts).table[columns.DISSIMILARITY].iloc[0]
    assert d == pytest.approx(0.5 * (abs(30 / 40 - 70 / 160) + abs(10 / 40 - 90 / 160)))


def test_district_counts_ignore_computed_rows_of_other_sources():
    assert areas.district_counts(_summed_areas("madrid_ayto_nationality_2022")).empty

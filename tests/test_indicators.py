"""Tests of derived indicators: implied totals, complements, district sums, shares."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.tidy.sources._common import tidy_frame


def _row(place="AT-90100", definition="foreign_origin_wien", value=1.0, **kw):
    base = {
        "place_id": place, "place_name": place, "geography_level": "district", "country_iso3": "AUT",
        "city_id": "vienna", "indicator_id": "population", "definition_id": definition,
        "period": "2022", "ref_date": "2022-01-01", "value": value, "unit": "persons",
    }
    base.update(kw)
    return base


def _wien() -> pd.DataFrame:
    rows = []
    for place in ("AT-90100", "AT-90200"):
        for sex in ("female", "male"):
            rows.append(_row(place, "foreign_origin_wien", 10.0, sex=sex, age="Y0-4", origin_type="origin_group", origin="EEA"))
            rows.append(_row(place, "foreign_origin_wien", 5.0, sex=sex, age="Y0-4", origin_type="origin_group", origin="TCN"))
            rows.append(_row(place, "austrian_origin_wien", 20.0, sex=sex, age="Y0-4"))
    return tidy_frame(rows, "wien_ogd_population_origin")


def test_compute_missing_totals_sums_fully_broken_down_groups_without_mutating():
    frame = _wien()
    before = frame.copy()
    out = ind.compute_missing_totals(frame)
    pd.testing.assert_frame_equal(frame, before)
    heads = ind.headline(out)
    foreign = heads[(heads["place_id"] == "AT-90100") & (heads["definition_id"] == "foreign_origin_wien")]
    assert foreign["value"].tolist() == [30.0] and foreign["flag"].tolist() == ["c"]


def test_compute_missing_totals_leaves_published_totals_alone():
    frame = tidy_frame([_row(value=7.0), _row(value=3.0, sex="female")], "wien_ogd_population_origin")
    out = ind.compute_missing_totals(frame)
    assert len(out) == 2


def test_complement_and_district_sums_give_city_share():
    out = ind.compute_missing_totals(_wien())
    out = ind.compute_complement_totals(out)
    out = ind.aggregate_districts(out, "VIENNA-CITY", "Wien")
    shares = ind.compute_shares(out)
    city = shares[(shares["place_id"] == "VIENNA-CITY") & (shares["definition_id"] == "foreign_origin_wien")]
    assert city["value"].round(4).tolist() == [42.8571]  # 60 / 140


def test_compute_shares_uses_denominator_of_same_place_and_date_only():
    frame = tidy_frame(
        [
            _row("ES001C", "foreign_born", 200.0, geography_level="greater_city"),
            _row("ES001C", "total_population", 1000.0, geography_level="greater_city"),
            _row("ES001C", "total_population", 900.0, geography_level="greater_city", period="2021", ref_date="2021-01-01"),
        ],
        "x",
    )
    shares = ind.compute_shares(frame)
    assert shares["value"].tolist() == [20.0]


def test_sum_over_origins_sums_countries_of_origin():
    frame = tidy_frame(
        [
            _row("JOR", "registered_refugee", 5.0, origin_type="origin_country", origin="SYR", geography_level="country"),
            _row("JOR", "registered_refugee", 3.0, origin_type="origin_country", origin="IRQ", geography_level="country"),
        ],
        "unhcr_population",
    )
    out = ind.sum_over_origins(frame)
    assert out["value"].tolist() == [8.0] and out["origin"].tolist() == ["total"]


def test_compute_ratio_gives_percent():
    num = tidy_frame([_row("JOR", "whole_economy", 5.0, indicator_id="remittances_received", unit="usd")], "w")
    den = tidy_frame([_row("JOR", "whole_economy", 50.0, indicator_id="gdp", unit="usd")], "w")
    out = ind.compute_ratio(num, den, "remittances_share_of_gdp")
    assert out["value"].tolist() == [10.0] and out["unit"].tolist() == ["percent"]

"""Tests of trend statistics."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.stats import BREAK, log_linear_trend, shown, trend_table


def test_log_linear_trend_recovers_exact_growth_with_a_tight_interval():
    dates = pd.Series([f"{y}-01-01" for y in range(2015, 2021)])
    values = pd.Series([1000 * 1.05 ** i for i in range(6)])
    trend = log_linear_trend(dates, values)
    assert trend.growth == pytest.approx(5.0, abs=0.01)
    assert trend.low == pytest.approx(5.0, abs=0.05) and trend.high == pytest.approx(5.0, abs=0.05)
    assert (trend.points, trend.first, trend.last) == (6, "2015-01-01", "2020-01-01")


def test_log_linear_trend_interval_contains_estimate_for_noisy_data():
    dates = pd.Series([f"{y}-01-01" for y in range(2010, 2020)])
    values = pd.Series([100, 108, 111, 125, 121, 140, 138, 150, 162, 158])
    trend = log_linear_trend(dates, values)
    assert trend.low < trend.growth < trend.high


def test_log_linear_trend_needs_four_points():
    assert log_linear_trend(pd.Series(["2020-01-01", "2021-01-01", "2022-01-01"]), pd.Series([1, 2, 3])) is None


def test_trend_table_keeps_series_apart_and_reports_breaks():
    series = pd.DataFrame(
        {
            "place": ["A"] * 5 + ["B"] * 2,
            "definition": ["Foreign-born"] * 7,
            "reference date": [f"{y}-01-01" for y in range(2015, 2020)] + ["2015-01-01", "2016-01-01"],
            "persons": [100.0, 110, 121, 133.1, 146.41, 5, 6],
            "source": ["s"] * 7,
            "flag": ["", "", "b", "", "", "", ""],
        }
    )
    table = trend_table(series)
    assert table["place"].tolist() == ["A"]
    assert table["growth (% per year)"].round(3).tolist() == [10.0]
    assert table[BREAK].tolist() == [True]
    assert shown(table)[BREAK].tolist() == ["yes"]


def test_trend_table_carries_breaks_as_booleans_not_display_strings():
    # issue 16: the shown "no" was read back as true by the synopsis
    series = pd.DataFrame(
        {
            "place": ["A"] * 4, "definition": ["Foreign-born"] * 4,
            "reference date": [f"{y}-01-01" for y in range(2015, 2019)],
            "persons": [100.0, 110, 121, 133.1], "source": ["s"] * 4, "flag": [""] * 4,
        }
    )
    table = trend_table(series)
    assert table[BREAK].dtype == bool and table[BREAK].tolist() == [False]
    assert shown(table)[BREAK].tolist() == ["no"]
    assert trend_table(series.iloc[0:0])[BREAK].dtype == bool

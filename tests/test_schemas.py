"""Tests of the tidy schema: what valid tidy data is."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import SchemaError
from workbench.schemas import TIDY_COLUMNS, validate_tidy
from workbench.sources._common import tidy_frame


def _rows(**overrides) -> pd.DataFrame:
    row = {
        "place_id": "ES001C", "place_name": "Madrid (greater city)", "geography_level": "greater_city",
        "country_iso3": "ESP", "city_id": "madrid", "indicator_id": "population",
        "definition_id": "foreign_born", "period": "2021", "ref_date": "2021-01-01",
        "value": 1000.0, "unit": "persons",
    }
    row.update(overrides)
    return tidy_frame([row], "eurostat_urb_cpopcb")


def test_validate_tidy_accepts_good_rows():
    frame = _rows()
    assert validate_tidy(frame, "t.csv") is frame
    assert list(frame.columns) == list(TIDY_COLUMNS)


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"geography_level": "galaxy"}, "geography_level"),
        ({"ref_date": "2021-1-1"}, "ref_date"),
        ({"sex": "both"}, "sex"),
        ({"country_iso3": "es"}, "country_iso3"),
        ({"flag": "zz!"}, "flag"),
        ({"unit": "people"}, "unit"),
        ({"value": -5.0}, "negative count"),
        ({"indicator_id": "population_share", "unit": "percent", "value": 120.0}, "outside 0-100"),
    ],
)
def test_validate_tidy_names_column_of_bad_value(overrides, fragment):
    with pytest.raises(SchemaError, match=fragment):
        validate_tidy(_rows(**overrides), "t.csv")


def test_validate_tidy_rejects_missing_and_extra_columns():
    frame = _rows().drop(columns=["flag"]).assign(extra=1)
    with pytest.raises(SchemaError, match=r"missing \['flag'\].*unexpected \['extra'\]"):
        validate_tidy(frame, "t.csv")


def test_validate_tidy_rejects_duplicate_keys():
    frame = pd.concat([_rows(), _rows(value=2.0)], ignore_index=True)
    with pytest.raises(SchemaError, match="duplicate observation key"):
        validate_tidy(frame, "t.csv")


def test_tidy_frame_drops_missing_values_and_fills_defaults():
    frame = tidy_frame(
        [
            {"place_id": "X", "place_name": "X", "geography_level": "city", "country_iso3": "AUT",
             "indicator_id": "population", "definition_id": "total_population", "period": "2020",
             "ref_date": "2020-01-01", "value": None, "unit": "persons"},
        ],
        "s",
    )
    assert frame.empty
    assert _rows()["sex"].tolist() == ["total"]


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_validate_tidy_accepts_any_share_within_bounds(value):
    validate_tidy(_rows(indicator_id="population_share", unit="percent", value=value), "t.csv")


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=100.0001, max_value=1e6, allow_nan=False))
def test_validate_tidy_rejects_any_share_above_100(value):
    with pytest.raises(SchemaError):
        validate_tidy(_rows(indicator_id="population_share", unit="percent", value=value), "t.csv")

"""Tests of the tidy schema: what valid tidy data is."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import SchemaError
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources._common import tidy_frame


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


# --- properties: valid vocabularies pass, any single corruption is caught and located -----------

_PLACES = {"ES001C": "ESP", "IT001C": "ITA", "AT001C": "AUT", "MAR-01": "MAR", "JOR-amman": "JOR"}


@st.composite
def _valid_frames(draw) -> pd.DataFrame:
    """Counts by sex that add up, shares within 0-100, real dates, flags from the list."""
    from datetime import date

    from workbench.tidy.schemas import FLAGS, GEOGRAPHY_LEVELS, latest_year

    rows = []
    places = draw(st.lists(st.sampled_from(sorted(_PLACES)), min_size=1, max_size=3, unique=True))
    days = draw(st.lists(st.dates(date(1900, 1, 1), date(latest_year(), 12, 31)), min_size=1, max_size=2,
                         unique_by=lambda d: d.year))
    for place in places:
        level = draw(st.sampled_from(GEOGRAPHY_LEVELS))
        for day in days:
            common = {"place_id": place, "place_name": place, "geography_level": level, "country_iso3": _PLACES[place],
                      "indicator_id": "population", "definition_id": "foreign_born", "period": str(day.year),
                      "ref_date": day.isoformat(), "unit": "persons",
                      "flag": draw(st.text(alphabet="".join(FLAGS), max_size=2))}
            total = float(draw(st.integers(0, 10**7)))
            female = float(round(total * draw(st.floats(0, 1))))
            rows += [{**common, "value": total}, {**common, "sex": "female", "value": female},
                     {**common, "sex": "male", "value": total - female},
                     {**common, "indicator_id": "population_share", "unit": "percent",
                      "value": draw(st.floats(0, 100, allow_nan=False))}]
    return tidy_frame(rows, "eurostat_urb_cpopcb")


@settings(max_examples=40, deadline=None)
@given(_valid_frames())
def test_validate_tidy_accepts_any_frame_of_valid_vocabularies(frame):
    validate_tidy(frame, "t.csv")


_CORRUPTIONS = {
    # name: (rows it applies to, change, column the message names)
    "negative count": (lambda f: f["unit"] == "persons", lambda f, i: f.at[i, "value"] * -1 - 1, "value"),
    "share over 100": (lambda f: f["unit"] == "percent", lambda f, i: 100.5 + f.at[i, "value"], "value"),
    "part over total": (lambda f: f["sex"] == "female",
                        lambda f, i: f.at[i + 1, "value"] + f.at[i - 1, "value"] * 1.01 + 2, "value"),
    "unknown sex": (lambda f: f["sex"] != "", lambda f, i: "both", "sex"),
    "unknown unit": (lambda f: f["unit"] != "", lambda f, i: "people", "unit"),
    "unknown level": (lambda f: f["unit"] != "", lambda f, i: "galaxy", "geography_level"),
    "unknown country": (lambda f: f["unit"] != "", lambda f, i: "XYZ", "country_iso3"),
    "impossible date": (lambda f: f["unit"] != "", lambda f, i: "2021-02-30", "ref_date"),
}


@settings(max_examples=60, deadline=None)
@given(_valid_frames(), st.sampled_from(sorted(_CORRUPTIONS)), st.data())
def test_validate_tidy_names_line_and_column_of_any_single_corruption(frame, name, data):
    applies, change, column = _CORRUPTIONS[name]
    # tidy_frame orders rows total, female, male, share within a place and date
    frame = frame.sort_values(["place_id", "ref_date", "unit", "sex"], key=lambda s: s.map(
        {"total": 0, "female": 1, "male": 2}).fillna(s) if s.name == "sex" else s).reset_index(drop=True)
    i = data.draw(st.sampled_from(list(frame.index[applies(frame)])))
    target = "value" if column == "value" else column
    frame.at[i, target] = change(frame, i)
    with pytest.raises(SchemaError) as caught:
        validate_tidy(frame, "t.csv")
    assert f"t.csv, CSV line {i + 2}, column '{column}'" in str(caught.value)


@settings(max_examples=30, deadline=None)
@given(_valid_frames(), st.data())
def test_validate_tidy_finds_any_duplicated_row(frame, data):
    i = data.draw(st.integers(0, len(frame) - 1))
    doubled = pd.concat([frame, frame.iloc[[i]]], ignore_index=True)
    with pytest.raises(SchemaError, match=rf"CSV lines \[.*{len(frame) + 2}\]: duplicate observation key"):
        validate_tidy(doubled, "t.csv")


def test_validate_tidy_accepts_an_empty_value_only_on_a_suppressed_row():
    import numpy as np

    row = {"place_id": "ES-08019-B01", "place_name": "el Raval", "geography_level": "neighbourhood", "country_iso3": "ESP",
           "indicator_id": "population", "definition_id": "total_population", "sex": "female", "period": "2025",
           "ref_date": "2025-01-01", "unit": "persons", "value": np.nan, "flag": "s"}
    kept = tidy_frame([row], "eurostat_urb_cpopcb")
    assert len(kept) == 1 and kept["value"].isna().all()  # a withheld cell keeps its row: it is not a zero
    validate_tidy(kept, "t.csv")
    assert tidy_frame([{**row, "flag": ""}], "eurostat_urb_cpopcb").empty  # an ordinary gap gives no row
    unflagged = kept.assign(flag="")
    with pytest.raises(SchemaError, match=r"t\.csv, CSV line 2, column 'value': an empty cell; expected a number"):
        validate_tidy(unflagged, "t.csv")

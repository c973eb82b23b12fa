"""Tests of the disclosure-control rule: small counts and the shares computed from them are hidden."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import disclosure


def test_small_count_hides_its_row_shares_but_not_zero_or_large_counts():
    frame = pd.DataFrame({"origin": ["a", "b", "c"], "persons": [3.0, 0.0, 50.0], "share (%)": [5.6, 0.0, 94.4], "rank": [2, 3, 1]})
    marked = disclosure.suppress(frame, 5)
    assert marked.mask["persons"].tolist() == [True, False, False]
    assert marked.mask["share (%)"].tolist() == [True, False, False]
    assert not marked.mask["origin"].any() and not marked.mask["rank"].any()
    assert marked.count == 2


def test_unit_column_decides_which_rows_hold_counts():
    frame = pd.DataFrame({"indicator": ["stock", "share"], "unit": ["persons", "percent"], "2020": [2.0, 2.0], "latest": [4.0, 3.0]})
    marked = disclosure.suppress(frame, 5)
    assert marked.mask.loc[0, "2020"] and marked.mask.loc[0, "latest"]
    assert not marked.mask.loc[1].any(), "a 2 % share is not a small count"


def test_threshold_zero_disables_and_bad_thresholds_are_refused():
    frame = pd.DataFrame({"persons": [1.0]})
    assert disclosure.suppress(frame, 0).count == 0
    with pytest.raises(ValueError, match="whole number"):
        disclosure.suppress(frame, 2.5)
    with pytest.raises(ValueError, match="whole number"):
        disclosure.suppress(frame, True)
    assert "fewer than 10 persons" in disclosure.note(10)


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)), min_size=1, max_size=30),
    threshold=st.integers(min_value=0, max_value=50),
)
def test_no_small_count_survives_and_no_large_count_is_hidden(counts, threshold):
    values = pd.Series(counts, dtype="float64")
    frame = pd.DataFrame({"migrants": values, "migrant share (%)": values / 10})
    marked = disclosure.suppress(frame, threshold)
    small = values.gt(0) & values.lt(threshold) if threshold > 0 else values.lt(-1)
    assert (marked.mask["migrants"] == small).all()
    assert (marked.mask["migrant share (%)"] == small).all()

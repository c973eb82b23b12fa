"""Tests of the disclosure-control rule: small counts and the shares computed from them are hidden."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.report import disclosure


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


# --- properties of the rule on any table ------------------------------------------------------

_COUNT = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=30).map(float),
    st.floats(min_value=0, max_value=1e7, allow_nan=False),
)


#: Whole counts as pandas' nullable integers (missing cells are ``pd.NA``, not NaN).
_NULLABLE_COUNT = st.one_of(st.none(), st.integers(min_value=0, max_value=30), st.integers(min_value=0, max_value=10**7))


@st.composite
def person_tables(draw) -> pd.DataFrame:
    """A table without a unit column: labels, two count columns, derived columns and a rank.

    Counts are floats (NaN when missing) or nullable integers (``Int64``, ``pd.NA`` when missing).
    """
    n = draw(st.integers(min_value=1, max_value=15))
    nullable = draw(st.booleans())
    column = st.lists(_NULLABLE_COUNT if nullable else _COUNT, min_size=n, max_size=n)
    dtype = "Int64" if nullable else "float64"
    men, women = pd.Series(draw(column), dtype=dtype), pd.Series(draw(column), dtype=dtype)
    return pd.DataFrame(
        {
            "origin": [f"o{i}" for i in range(n)],
            "men": men,
            "women": women,
            "women share (%)": women / (men + women) * 100,
            "rate per 1000": (men + women) / 7,
            "rank": list(range(1, n + 1)),
        }
    )


@st.composite
def unit_tables(draw) -> pd.DataFrame:
    """A long table with a unit column: only the rows counting persons hold counts."""
    n = draw(st.integers(min_value=1, max_value=15))
    units = draw(st.lists(st.sampled_from(["persons", "count", "respondents", "percent", "usd", "ratio"]), min_size=n, max_size=n))
    values = st.lists(_COUNT, min_size=n, max_size=n)
    return pd.DataFrame(
        {
            "indicator": [f"i{i}" for i in range(n)],
            "unit": units,
            "2015": pd.Series(draw(values), dtype="float64"),
            "2020": pd.Series(draw(values), dtype="float64"),
            "latest": pd.Series(draw(values), dtype="float64"),
        }
    )


def _small(values: pd.Series, threshold: int) -> pd.Series:
    if threshold <= 0:
        return pd.Series(False, index=values.index)
    return (values.gt(0) & values.lt(threshold)).fillna(False).astype(bool)


THRESHOLDS = st.integers(min_value=-3, max_value=40)


@settings(max_examples=300, deadline=None)
@given(frame=person_tables(), threshold=THRESHOLDS)
def test_small_counts_and_their_rows_shares_are_suppressed_nothing_else(frame, threshold):
    marked = disclosure.suppress(frame, threshold)
    small = {c: _small(frame[c], threshold) for c in ("men", "women")}
    for column, expected in small.items():
        assert marked.mask[column].tolist() == expected.tolist(), column
    row = small["men"] | small["women"]
    assert marked.mask["women share (%)"].tolist() == row.tolist()
    assert marked.mask["rate per 1000"].tolist() == row.tolist()
    assert not marked.mask[["origin", "rank"]].to_numpy().any()
    counts = frame[["men", "women"]]
    assert not (marked.mask[["men", "women"]] & (counts.ge(threshold) | counts.eq(0))).to_numpy().any()


@settings(max_examples=300, deadline=None)
@given(frame=unit_tables(), threshold=THRESHOLDS)
def test_only_rows_counting_persons_are_suppressed(frame, threshold):
    marked = disclosure.suppress(frame, threshold)
    persons = frame["unit"].isin(disclosure.COUNT_UNITS)
    for column in ("2015", "2020", "latest"):
        assert marked.mask[column].tolist() == (persons & _small(frame[column], threshold)).tolist(), column
    assert not marked.mask[["indicator", "unit"]].to_numpy().any()


@settings(max_examples=200, deadline=None)
@given(frame=st.one_of(person_tables(), unit_tables()), threshold=THRESHOLDS)
def test_suppression_is_idempotent_and_leaves_its_input_alone(frame, threshold):
    before = frame.copy()
    first = disclosure.suppress(frame, threshold)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(disclosure.suppress(frame, threshold).mask, first.mask)
    published = frame.mask(first.mask)
    assert disclosure.suppress(published, threshold).count == 0, "the published table has nothing left to hide"


@settings(max_examples=100, deadline=None)
@given(frame=st.one_of(person_tables(), unit_tables()), threshold=st.integers(min_value=-5, max_value=0))
def test_threshold_zero_or_less_suppresses_nothing(frame, threshold):
    assert disclosure.suppress(frame, threshold).count == 0


@settings(max_examples=100, deadline=None)
@given(frame=st.one_of(person_tables(), unit_tables()), threshold=THRESHOLDS)
def test_reported_number_equals_the_cells_marked(frame, threshold):
    from workbench.report.annex_html import table_html

    marked = disclosure.suppress(frame, threshold)
    assert marked.count == int(marked.mask.to_numpy().sum())
    page, hidden = table_html(frame, threshold, "en")
    assert hidden == marked.count
    assert page.count(f'<td class="wb-suppressed">{disclosure.MARK}</td>') == marked.count

"""Tests of the declared display columns: one declaration per label, decimals from the unit."""

from __future__ import annotations

import pandas as pd

from workbench.reference import columns
from workbench.reference.formats import format_table


def test_each_label_is_declared_once_with_the_decimals_of_its_unit():
    declared = [value for value in vars(columns).values() if isinstance(value, columns.Column)]
    assert len({str(c) for c in declared}) == len(declared) == len(columns.COLUMNS)
    assert columns.SHARE_OF_POPULATION.unit == "percent" and columns.SHARE_OF_POPULATION.decimals == 1
    assert columns.DISSIMILARITY.decimals == 3 and columns.LOCATION_QUOTIENT.decimals == 2
    assert columns.PERSONS.decimals == 0


def test_a_column_is_its_label_for_pandas_and_for_text():
    frame = pd.DataFrame({columns.REFERENCE_DATE: ["2022-01-01"]})
    assert list(frame.columns) == ["reference date"] and frame["reference date"].tolist() == ["2022-01-01"]
    assert columns.declared("reference date") is columns.REFERENCE_DATE
    assert columns.declared("not a declared header") is None


def test_format_table_takes_the_decimals_from_the_declaration_not_the_header_text():
    frame = pd.DataFrame({
        "series with a share": [3.0],  # a count the tables have always shown with one decimal
        "location quotient": [1.234],
        "share of population (%)": [12.345],
        "a rate nobody declared": [0.56],
    })
    out = format_table(frame)
    assert out.iloc[0].tolist() == ["3.0", "1.23", "12.3", "1"]
    assert format_table(frame, "fr").iloc[0].tolist() == ["3,0", "1,23", "12,3", "1"]

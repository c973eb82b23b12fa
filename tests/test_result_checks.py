"""A notebook's last checks name the source, place, year and value of an impossible result, never a bare assertion."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import result_checks
from workbench.errors import DataError
from workbench.reference import columns


def test_share_outside_range_names_source_place_year_and_value():
    rows = pd.DataFrame({"source_id": ["eurostat_urb_cpopcb", "eurostat_urb_cpopcb"], "place_name": ["Madrid", "Torino"],
                         "period": ["2022", "2023"], "definition_id": ["foreign_born", "foreign_born"], "value": [24.5, 140.25]})
    with pytest.raises(DataError, match=r"^a computed share is outside 0-100 % \(expected 0-100\): source eurostat_urb_cpopcb, "
                                         r"Torino, 2023, foreign_born: value 140.25$"):
        result_checks.require_within(rows, "value", 0, 100, "a computed share is outside 0-100 %")
    result_checks.require_within(rows.iloc[:1], "value", 0, 100, "a share")


def test_two_values_for_one_key_are_both_shown():
    table = pd.DataFrame({"place": ["Madrid", "Madrid"], "definition": ["foreign_born"] * 2,
                          str(columns.REFERENCE_DATE): ["2022-01-01"] * 2, "source": ["a"] * 2, "persons": [10, 12]})
    with pytest.raises(DataError, match=r"two values: place Madrid, .*: 10 and 12"):
        result_checks.require_one_value(table, ["place", "definition", columns.REFERENCE_DATE, "source"], "two values")
    result_checks.require_one_value(table.iloc[:0], ["place"], "two values")


def test_trend_outside_its_interval_names_the_row():
    trends = pd.DataFrame({"source": ["istat_popstrbil1"], "place": ["Torino"], str(columns.YEAR): ["2015-2023"],
                           str(columns.CI_LOW): [1.0], str(columns.GROWTH): [3.0], str(columns.CI_HIGH): [2.0]})
    with pytest.raises(DataError, match=r"a trend outside its interval: source istat_popstrbil1, Torino, 2015-2023: "
                                         r"growth \(% per year\) 3 against 95% CI low 1 and 95% CI high 2"):
        result_checks.require_ordered(trends, columns.CI_LOW, columns.GROWTH, columns.CI_HIGH, "a trend outside its interval")

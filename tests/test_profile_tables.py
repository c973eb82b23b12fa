"""Tests of the city's own profile tables: one stock per date in the migrant series."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import profile_tables
from workbench.analysis.profile_tables import ONE_STOCK_NOTE, one_stock_per_date
from workbench.analysis.stats import trend_table
from workbench.tidy.sources._common import tidy_frame


def _series(dates: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"place": "Torino", "geography": "metropolitan city", "definition": "Foreign nationals",
                         "reference date": dates, "persons": values, "source": "istat_popstrbil1", "flag": ""})


def test_31_december_and_the_next_1_january_are_one_observation():
    # issue 16: Turin's "10 dates" were 6 populations, each year-end counted twice
    dates = ["2019-01-01", "2019-12-31", "2020-01-01", "2020-12-31", "2021-01-01", "2021-12-31", "2022-01-01",
             "2022-12-31", "2023-01-01", "2023-12-31"]
    values = [210554, 210973, 210973, 213042, 213042, 208871, 208871, 214860, 214860, 221170]
    table, dropped = one_stock_per_date(_series(dates, values), ["place", "definition", "source"])
    assert dropped == 4
    # the provisional 31 December 2023 has no 1 January 2024 beside it: kept
    assert table["reference date"].tolist() == ["2019-01-01", "2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2023-12-31"]
    assert trend_table(table)["dates"].tolist() == [6]


def test_a_year_end_of_another_series_is_not_merged():
    frame = pd.concat([_series(["2020-12-31"], [5.0]), _series(["2021-01-01"], [5.0]).assign(source="other")])
    table, dropped = one_stock_per_date(frame, ["place", "definition", "source"])
    assert dropped == 0 and len(table) == 2


def _row(ref_date: str, value: float):
    return tidy_frame([{
        "place_id": "ITC11", "place_name": "Torino", "geography_level": "metropolitan_city", "country_iso3": "ITA",
        "city_id": "turin", "indicator_id": "population", "definition_id": "foreign_nationality",
        "period": ref_date[:4], "ref_date": ref_date, "value": value, "unit": "persons",
    }], "istat_popstrbil1")


def test_migrant_series_counts_each_stock_once_and_says_so():
    local = pd.concat([_row("2020-01-01", 1.0), _row("2020-12-31", 2.0), _row("2021-01-01", 2.0)], ignore_index=True)
    section = profile_tables.migrant_series(local)
    assert section.table["reference date"].tolist() == ["2020-01-01", "2021-01-01"]
    assert ONE_STOCK_NOTE in section.notes
    assert ONE_STOCK_NOTE not in profile_tables.migrant_series(local.iloc[:1]).notes

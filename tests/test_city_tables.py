"""Tests of the tables a city run saves for the comparisons: declared names and columns, save and read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis import city_tables
from workbench.analysis.framework_values import VALUE_COLUMNS
from workbench.analysis.composition import ORIGIN_COLUMNS
from workbench.errors import DataError
from workbench.tidy.sources._common import tidy_frame


class _Report:
    """Stands in for workbench.report.exhibits.Report: saves nothing."""

    def save(self, folder: Path) -> list[Path]:
        return []


def _rows(definition: str, indicator: str, value: float, level: str = "municipality", source: str = "src_a") -> pd.DataFrame:
    return tidy_frame([{
        "place_id": "P1", "place_name": "Town", "geography_level": level, "country_iso3": "ESP",
        "city_id": "madrid", "indicator_id": indicator, "definition_id": definition,
        "period": "2022", "ref_date": "2022-01-01", "value": value, "unit": "percent" if indicator.endswith("share") else "persons",
    }], source)


def _save(folder: Path, **changed) -> list[Path]:
    local = pd.concat([_rows("foreign_nationality", "population", 100.0), _rows("foreign_nationality", "population_share", 10.0)], ignore_index=True)
    national = pd.concat([
        _rows("un_migrant_stock", "population_share", 12.5, "country", "undesa_ims_2020"),
        _rows("un_migrant_stock", "population", 5e6, "country", "undesa_ims_2024"),
    ], ignore_index=True)
    tables = {
        "synopsis": pd.DataFrame({"sentence": ["s"], "table": ["4.1"], "sources": ["src_a"]}),
        "origins": pd.DataFrame(columns=ORIGIN_COLUMNS),
        "framework_values": pd.DataFrame(columns=list(VALUE_COLUMNS)),
        "availability": pd.DataFrame({"theme": ["demography"], "indicator": ["x"], "before 2010": [""], "2010": ["C"]}),
        "claims": city_tables.claims_table([], {}, []),
        **changed,
    }
    (folder / "madrid").mkdir()
    return city_tables.save(folder / "madrid", _Report(), local, national, **tables)


def test_save_writes_every_declared_table_and_read_gives_it_back(tmp_path: Path):
    written = _save(tmp_path)
    assert [p.name for p in written] == [t.filename for t in city_tables.TABLES]
    series = city_tables.read(city_tables.SERIES, tmp_path, "madrid")
    assert list(series.columns) == list(city_tables.SERIES.columns)
    assert series[["persons", "share", "ref_date"]].values.tolist() == [[100.0, 10.0, "2022-01-01"]]
    national = city_tables.read(city_tables.NATIONAL, tmp_path, "madrid")
    assert national["source_id"].tolist() == ["undesa_ims_2020", "undesa_ims_2024"]
    availability = city_tables.read(city_tables.AVAILABILITY, tmp_path, "madrid")
    assert list(availability.columns) == ["theme", "indicator", "before 2010", "2010"]
    assert availability["before 2010"].tolist() == [""]
    claims = city_tables.read(city_tables.CLAIMS, tmp_path, "madrid")
    assert list(claims.columns) == list(city_tables.CLAIMS.columns) and claims.empty


def test_read_of_a_city_without_the_file_is_none(tmp_path: Path):
    assert city_tables.read(city_tables.ORIGINS, tmp_path, "vienna") is None


def test_read_names_the_file_and_the_missing_column(tmp_path: Path):
    (tmp_path / "lyon").mkdir()
    (tmp_path / "lyon" / "national.csv").write_text("country_iso3,period\nFRA,2020\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"lyon/national.csv: column 'indicator_id' is missing"):
        city_tables.read(city_tables.NATIONAL, tmp_path, "lyon")


def test_save_refuses_a_table_with_an_undeclared_column(tmp_path: Path):
    synopsis = pd.DataFrame({"sentence": ["s"], "table": ["4.1"], "sources": ["src_a"], "extra": [1]})
    with pytest.raises(DataError, match=r"synopsis.csv: column 'extra' is not declared"):
        _save(tmp_path, synopsis=synopsis)


def _regional(*rows: tuple) -> pd.DataFrame:
    """NUTS 2 rows of Eurostat lfst_r_lfur2gac: (definition, origin, sex, period, value, flag)."""
    return tidy_frame([{
        "place_id": "ES30", "place_name": "Comunidad de Madrid", "geography_level": "nuts2", "country_iso3": "ESP",
        "indicator_id": "unemployment_rate", "definition_id": definition, "origin": origin, "sex": sex, "age": "Y15-64",
        "period": period, "ref_date": f"{period}-07-01", "value": value, "unit": "percent", "flag": flag,
    } for definition, origin, sex, period, value, flag in rows], "eurostat_lfst_r_lfur2gac")


def test_regional_table_keeps_the_region_s_unemployment_rates_sorted_with_their_flags(tmp_path: Path):
    regional = pd.concat([
        _regional(("foreign_born", "total", "total", "2022", 15.4, "b"), ("total_population", "total", "total", "2022", 10.9, ""),
                  ("foreign_born", "total", "total", "2021", 17.0, "")),
        # another indicator or source of the region is not this table's
        _regional(("foreign_born", "total", "total", "2022", 60.0, "")).assign(indicator_id="employment_rate"),
        _regional(("foreign_born", "total", "total", "2022", 1.0, "")).assign(source_id="other_source"),
    ], ignore_index=True)
    table = city_tables.regional_table(regional)
    assert list(table.columns) == list(city_tables.REGIONAL_LABOUR.columns)
    assert table[["definition_id", "period", "value", "flag"]].values.tolist() == [
        ["foreign_born", "2021", 17.0, ""], ["foreign_born", "2022", 15.4, "b"], ["total_population", "2022", 10.9, ""],
    ]
    # written and read back through the one owner of the file, unchanged
    (tmp_path / "madrid").mkdir()
    table.to_csv(city_tables.REGIONAL_LABOUR.path(tmp_path, "madrid"), index=False)
    back = city_tables.read(city_tables.REGIONAL_LABOUR, tmp_path, "madrid")
    assert back["period"].tolist() == ["2021", "2022", "2022"] and back["flag"].tolist() == ["", "b", ""]
    assert back["place_id"].tolist() == ["ES30"] * 3


def test_regional_table_of_a_city_without_region_has_the_columns_and_no_row():
    for regional in (None, _regional(("foreign_born", "total", "total", "2022", 1.0, "")).iloc[0:0]):
        table = city_tables.regional_table(regional)
        assert table.empty and list(table.columns) == list(city_tables.REGIONAL_LABOUR.columns)

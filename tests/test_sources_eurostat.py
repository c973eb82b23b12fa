"""Tests of the Eurostat city-statistics reader on small page-linear SDMX-CSV exports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import TIDY_COLUMNS
from workbench.tidy.sources import eurostat

HEADER = (
    "STRUCTURE,STRUCTURE_ID,STRUCTURE_NAME,freq,Time frequency,indic_ur,Urban audit indicator,"
    "cities,Geopolitical entity (declaring),TIME_PERIOD,Time,OBS_VALUE,Observation value,OBS_FLAG,"
    "Observation status (Flag) V2 structure,CONF_STATUS,Confidentiality status (flag)"
)

DATASETS = {
    "urb_cpop1": "Population on 1 January by age groups and sex - cities and greater cities",
    "urb_cpopcb": "Population by citizenship and country of birth - cities and greater cities",
    "urb_clma": "Labour market - cities and greater cities",
}


def _line(dataset: str, indic: str, label: str, code: str, name: str, year: str, value: str, flag: str = "") -> str:
    structure = f"ESTAT:{dataset.upper()}(1.0)"
    return (
        f'dataflow,{structure},{DATASETS[dataset]},A,Annual,{indic},"{label}",{code},"{name}",'
        f"{year},,{value},,{flag},,,"
    )


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding=encoding)
    return path


def _cpop1(tmp_path: Path) -> Path:
    label = "Population on the 1st of January, total"
    return _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [
            _line("urb_cpop1", "DE1001V", label, "ES", "Spain", "2023", "48085361"),
            _line("urb_cpop1", "DE1001V", label, "ES001C", "Madrid (greater city)", "2015", "4852911", "b"),
            _line("urb_cpop1", "DE1001V", label, "ES001C", "Madrid (greater city)", "2016", "4878277"),
            _line("urb_cpop1", "DE1001V", label, "IT004C", "Torino", "2024", "851199", "b"),
            _line("urb_cpop1", "DE1001V", label, "EL", "Greece", "2021", "10482487"),
            _line("urb_cpop1", "DE1001V", label, "UK001K", "London (greater city)", "2018", "8908081", "e"),
            _line("urb_cpop1", "DE1001V", label, "ES001F", "Madrid", "2021", "6909000"),
            _line("urb_cpop1", "DE1001V", label, "FR062C", "Orléans", "2019", "", "d"),
        ],
    )


def _clma(tmp_path: Path) -> list[Path]:
    unemployed = _write(
        tmp_path / "urb_clma_page_linear_2_0.csv",
        [
            _line("urb_clma", "EC1010V", "Persons unemployed, total", "FR002C", "Lyon (greater city)", "2022", "77508.00", "d"),
            _line("urb_clma", "EC1010V", "Persons unemployed, total", "LT003C", "Klaipėda", "2016", "4100.00", "bde"),
        ],
    )
    employed = _write(
        tmp_path / "urb_clma_page_linear_2_0(1).csv",
        [
            _line("urb_clma", "EC1177V", "Persons employed, 20-64, total", "FR002C", "Lyon (greater city)", "2022", "547606.00", "d"),
        ],
    )
    return [unemployed, employed]


def test_read_page_linear_keeps_codes_labels_and_values(tmp_path: Path) -> None:
    raw = eurostat.read_page_linear(_cpop1(tmp_path))
    assert list(raw["code"][:3]) == ["ES", "ES001C", "ES001C"]
    assert set(raw["dataset"]) == {"urb_cpop1"}
    assert raw.loc[1, "label"] == "Madrid (greater city)"
    assert raw.loc[1, "value"] == 4852911.0
    assert raw.loc[1, "flag"] == "b"
    assert pd.isna(raw.loc[7, "value"])
    assert raw.loc[7, "line"] == 9


def test_build_cpop1_gives_tidy_rows(tmp_path: Path) -> None:
    tidy = eurostat.build("eurostat_urb_cpop1", [_cpop1(tmp_path)], load_cities())
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert len(tidy) == 7  # the row without a value gives no row
    madrid = tidy[(tidy["place_id"] == "ES001C") & (tidy["period"] == "2015")].iloc[0]
    assert madrid["geography_level"] == "greater_city"
    assert madrid["city_id"] == "madrid"
    assert madrid["country_iso3"] == "ESP"
    assert madrid["indicator_id"] == "population"
    assert madrid["definition_id"] == "total_population"
    assert madrid["ref_date"] == "2015-01-01"
    assert madrid["value"] == 4852911.0
    assert madrid["flag"] == "b"
    levels = dict(zip(tidy["place_id"], tidy["geography_level"]))
    assert levels == {
        "EL": "country",
        "ES": "country",
        "ES001C": "greater_city",
        "ES001F": "functional_urban_area",
        "IT004C": "city",
        "UK001K": "greater_city",
    }
    iso3 = dict(zip(tidy["place_id"], tidy["country_iso3"]))
    assert iso3["EL"] == "GRC" and iso3["UK001K"] == "GBR"
    assert tidy.loc[tidy["place_id"] == "ES", "city_id"].item() == ""
    assert tidy.loc[tidy["place_id"] == "IT004C", "city_id"].item() == "turin"


def test_build_clma_dates_ages_and_flags(tmp_path: Path) -> None:
    tidy = eurostat.build("eurostat_urb_clma", _clma(tmp_path), load_cities())
    lyon = tidy[tidy["place_id"] == "FR002C"].set_index("indicator_id")
    assert lyon.loc["unemployed", "age"] == "total"
    assert lyon.loc["employed", "age"] == "Y20-64"
    assert lyon.loc["employed", "value"] == 547606.0
    assert set(lyon["ref_date"]) == {"2022-07-01"}
    assert set(lyon["definition_id"]) == {"total_population"}
    assert "Annual average" in lyon.loc["employed", "note"]
    assert tidy.loc[tidy["place_id"] == "LT003C", "flag"].item() == "bde"


def test_build_cpopcb_is_foreign_born(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpopcb_page_linear_2_0.csv",
        [_line("urb_cpopcb", "DE2009V", "Foreign-born", "PT001C", "Lisboa (greater city)", "2021", "325001.0")],
    )
    tidy = eurostat.build("eurostat_urb_cpopcb", [path], load_cities())
    row = tidy.iloc[0]
    assert (row["indicator_id"], row["definition_id"], row["city_id"]) == ("population", "foreign_born", "lisbon")
    assert row["ref_date"] == "2021-01-01"


def test_wrong_indicator_for_source_is_loud(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpopcb_page_linear_2_0.csv",
        [_line("urb_cpopcb", "DE2008V", "Foreign nationals", "ES", "Spain", "2021", "5000")],
    )
    with pytest.raises(SourceFormatError, match=r"indic_ur \['DE2008V'\].*Wrong file"):
        eurostat.build("eurostat_urb_cpopcb", [path], load_cities())


def test_wrong_dataset_for_source_is_loud(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="urb_cpop1.*source eurostat_urb_cpopcb is urb_cpopcb"):
        eurostat.build("eurostat_urb_cpopcb", [_cpop1(tmp_path)], load_cities())


def test_clma_without_one_indicator_is_loud(tmp_path: Path) -> None:
    unemployed, _ = _clma(tmp_path)
    with pytest.raises(SourceFormatError, match=r"no file holds indic_ur \['EC1177V'\]"):
        eurostat.build("eurostat_urb_clma", [unemployed], load_cities())


def test_same_indicator_twice_is_loud(tmp_path: Path) -> None:
    unemployed, _ = _clma(tmp_path)
    with pytest.raises(SourceFormatError, match="EC1010V is already in"):
        eurostat.build("eurostat_urb_clma", [unemployed, unemployed], load_cities())


def test_unknown_flag_names_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [_line("urb_cpop1", "DE1001V", "Population", "ES001C", "Madrid (greater city)", "2020", "5098717", "bx")],
    )
    with pytest.raises(SourceFormatError, match=r"CSV line 2, place ES001C: unknown Eurostat flag letter\(s\) \['x'\]"):
        eurostat.build("eurostat_urb_cpop1", [path], load_cities())


def test_unknown_country_prefix_is_loud(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [_line("urb_cpop1", "DE1001V", "Population", "QQ001C", "Nowhere", "2020", "1")],
    )
    with pytest.raises(SourceFormatError, match="'QQ' is not a known country code"):
        eurostat.build("eurostat_urb_cpop1", [path], load_cities())


def test_missing_column_is_loud(tmp_path: Path) -> None:
    path = tmp_path / "urb_cpop1_page_linear_2_0.csv"
    path.write_text("STRUCTURE_ID,indic_ur,geo,TIME_PERIOD,OBS_VALUE\nESTAT:URB_CPOP1(1.0),DE1001V,ES,2020,1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"expected column\(s\) .*'cities'"):
        eurostat.read_page_linear(path)


def test_bad_number_is_loud(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [_line("urb_cpop1", "DE1001V", "Population", "ES", "Spain", "2020", "47 4k")],
    )
    with pytest.raises(SourceFormatError, match=r"row 2, column 'OBS_VALUE': '47 4k' is not a number"):
        eurostat.read_page_linear(path)


def test_bad_year_is_loud(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [_line("urb_cpop1", "DE1001V", "Population", "ES", "Spain", "2020-Q1", "1")],
    )
    with pytest.raises(SourceFormatError, match="line 2, column 'TIME_PERIOD': '2020-Q1' is not a year"):
        eurostat.read_page_linear(path)


def test_not_utf8_is_loud(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "urb_cpop1_page_linear_2_0.csv",
        [_line("urb_cpop1", "DE1001V", "Population", "FR062C", "Orléans", "2020", "1")],
        encoding="latin-1",
    )
    with pytest.raises(SourceFormatError, match="not utf-8 text"):
        eurostat.read_page_linear(path)


def test_empty_export_is_loud(tmp_path: Path) -> None:
    path = _write(tmp_path / "urb_cpop1_page_linear_2_0.csv", [])
    with pytest.raises(SourceFormatError, match="no data rows"):
        eurostat.read_page_linear(path)


def test_unknown_source_id_is_loud(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="not served by workbench.tidy.sources.eurostat"):
        eurostat.build("eurostat_urb_cfermor", [_cpop1(tmp_path)], load_cities())

"""Tests of the Quality of Life in European Cities 2023 reader on a small workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import TIDY_COLUMNS
from workbench.tidy.sources import eu_qol

META = [
    "Source: EC/DG REGIO, Survey on the Quality of Life  (QoL) in European Cities 2023\n\nProduced by IPSOS",
    None,
    "Note: file revised on 18 September 2024. Total averages are in this file unweighted averages "
    "across the cities. In the previous file, dated December 2023, ...",
]
CITIES = ["102 Wien", "1505 Torino", "2202 Lisboa", "2602 Madrid", "3201 Tirana"]
Q34 = "Q3_4 Is the city where you live a good place or not a good place to live for the following groups? - Immigrants from other countries."


def _sheet_rows() -> list[list[object]]:
    share, count = "Column N %", "Unweighted Count"
    return [
        [None, None, None, "total average", "BR_D3_Cityrecode"],
        [None, None, None, "1.00", *CITIES],
        [],
        ["total", "Total", count, 4320, 865, 882, 857, 861, 855],
        [],
        [Q34, "1 A good place to live", share, 0.653309649360184, 0.6610315895638333, 0.6087082720560887, 0.8432617861618826, 0.78, 0.5],
        [None, "2 Not a good place to live", share, 0.23814212453394462, 0.2747422870745268, 0.3, 0.1, 0.15, "Not available"],
        [None, "99 Don’t know/No Answer/Refuses", share, 0.1, 0.06422612336163784, 0.09, 0.05, 0.07, 0.2],
        [None, "Total", count, 4320, 865, 882, 857, 861, 855],
        ["$Q5 On a typical day, which mode(s) of transport do you use most often?", "1 Car", share, 0.47, 0.37, 0.47, 0.57, 0.5, 0.6],
        [None, "6 Urban public transport (bus, tram or metro)", share, 0.40, 0.49, 0.38, 0.39, 0.35, 0.5],
        [None, "Total", count, 4320, 865, 882, 857, 861, 855],
        ["rD7 How many years have you been living in your current city since last moving here?", "1,00 0-2 year", share, 0.07, 0.05, 0.04, 0.1, 0.1, 0.1],
        [None, "999,00 Don't know/No Answer/Refuses", share, 0.0015, 0, 0.012, 0.002, 0, 0],
        [None, "Total", count, 1800, 336, 381, 436, 368, 279],
        ["D5 In which country were you born?", "8 Austria", share, 0.02, 0.8241703133984933, 0, 0, 0, 0],
        [None, "999 Don’t know/No Answer/Refuses", share, 0.06, 0.065, 0.05, 0.04, 0.07, 0.1],
        [None, "Total", count, 4320, 865, 882, 857, 861, 855],
        [],
        [],
    ]


def _workbook(path: Path, rows: list[list[object]] | None = None, sheet: str = eu_qol.DATA_SHEET, meta: list | None = None) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Meta"
    for value in META if meta is None else meta:
        first.append([value])
    data = book.create_sheet(sheet)
    for row in _sheet_rows() if rows is None else rows:
        data.append(row)
    data.merge_cells("A6:A9")
    book.save(path)
    return path


def _cities() -> dict:
    # the registry's cities whose survey column the fixture has (a city added later has none)
    codes = {label.split()[0] for label in CITIES}
    return {k: c for k, c in load_cities().items() if set(c.codes.get("qol_city", [])) <= codes}


def _build(path: Path):
    return eu_qol.build(eu_qol.SOURCE_ID, [path], _cities())


def test_read_results_is_long_and_faithful(tmp_path: Path) -> None:
    raw = eu_qol.read_qol_results(_workbook(tmp_path / "qol.xlsx"))
    assert set(raw["column_code"]) == {"total", "102", "1505", "2202", "2602", "3201"}
    wien = raw[(raw["column_code"] == "102") & (raw["question_code"] == "Q3_4")]
    assert list(wien["answer_code"]) == ["1", "2", "99", "Total"]
    assert list(wien["statistic"]) == ["Column N %"] * 3 + ["Unweighted Count"]
    assert wien.iloc[0]["value"] == 0.6610315895638333
    assert wien.iloc[0]["question_text"].endswith("Immigrants from other countries.")
    assert wien.iloc[0]["row"] == 6 and wien.iloc[0]["column"] == "E"
    tirana = raw[(raw["column_code"] == "3201") & (raw["answer_code"] == "2") & (raw["question_code"] == "Q3_4")]
    assert tirana["value"].isna().all()  # "Not available"


def test_build_keeps_network_cities_and_total_average(tmp_path: Path) -> None:
    tidy = _build(_workbook(tmp_path / "qol.xlsx"))
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert set(tidy["place_id"]) == {"QOL-102", "QOL-1505", "QOL-2202", "QOL-2602", "QOL-ALL"}
    assert set(tidy["indicator_id"]) == {"survey_share"}
    assert set(tidy["definition_id"]) == {"survey_respondents"}
    assert set(tidy["unit"]) == {"percent"}
    assert set(tidy["ref_date"]) == {"2023-01-01"}
    assert len(tidy) == 5 * 9  # nine answer rows, counts are not emitted
    wien = tidy[(tidy["place_id"] == "QOL-102") & (tidy["category"] == "q3_4:1")].iloc[0]
    assert wien["value"] == 66.10315895638333
    assert (wien["city_id"], wien["country_iso3"], wien["place_name"]) == ("vienna", "AUT", "Wien")
    assert "Immigrants from other countries." in wien["note"]
    assert "A good place to live" in wien["note"]
    assert "unweighted base: 865 respondents" in wien["note"]


def test_categories_are_slugs(tmp_path: Path) -> None:
    tidy = _build(_workbook(tmp_path / "qol.xlsx"))
    assert {"q3_4:1", "q3_4:2", "q3_4:99", "q5:1", "q5:6", "rd7:1", "rd7:999", "d5:8", "d5:999"} == set(tidy["category"])
    q5 = tidy[tidy["category"] == "q5:1"].iloc[0]
    assert "multiple answers allowed" in q5["note"]
    rd7 = tidy[(tidy["category"] == "rd7:1") & (tidy["place_id"] == "QOL-1505")].iloc[0]
    assert "unweighted base: 381 respondents" in rd7["note"]


def test_total_average_is_a_city_group(tmp_path: Path) -> None:
    tidy = _build(_workbook(tmp_path / "qol.xlsx"))
    total = tidy[(tidy["place_id"] == "QOL-ALL") & (tidy["category"] == "q3_4:1")].iloc[0]
    assert total["geography_level"] == "city_group"
    assert total["city_id"] == ""
    assert total["place_name"] == "All 5 surveyed cities (total average)"
    assert total["value"] == 65.3309649360184
    assert "unweighted average" in total["note"]


def test_published_zero_is_kept(tmp_path: Path) -> None:
    tidy = _build(_workbook(tmp_path / "qol.xlsx"))
    torino = tidy[(tidy["place_id"] == "QOL-1505") & (tidy["category"] == "d5:8")]
    assert torino["value"].tolist() == [0.0]


def test_category_code_and_percent() -> None:
    assert eu_qol.category_code("TB_Q1a_1", "-1") == "tb_q1a_1:-1"
    assert eu_qol.category_code("D1_recode4", "4,00") == "d1_recode4:4"
    assert eu_qol.fraction_to_percent(0.0001) == 0.01
    assert eu_qol.fraction_to_percent(3.9668893790634244e-05) == 0.0039668893790634244


def test_wrong_sheet_is_loud(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "qol.xlsx", sheet="QoL in European cities 2023")
    with pytest.raises(SourceFormatError, match="no sheet 'QoL in European cities 2023_V2'"):
        _build(path)


def test_changed_header_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[0][3] = "weighted average"
    with pytest.raises(SourceFormatError, match="row 1, column 'D': expected 'total average'"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_changed_city_header_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[1][5] = "Torino"
    with pytest.raises(SourceFormatError, match="row 2, column F: expected '<city code> <city name>'"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_bad_number_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[6][5] = "27,5 %"
    with pytest.raises(SourceFormatError, match="row 7, column F: '27,5 %' is not a number"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_unknown_statistic_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[6][2] = "Row N %"
    with pytest.raises(SourceFormatError, match="row 7, column C: expected 'Column N %'"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_share_not_a_fraction_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[5][4] = 66.1
    with pytest.raises(SourceFormatError, match="row 6, column E: share 66.1 is outside 0-1"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_missing_network_city_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[1][5] = "1506 Verona"
    with pytest.raises(SourceFormatError, match=r"city code\(s\) \['1505'\]"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_value_without_labels_is_loud(tmp_path: Path) -> None:
    rows = _sheet_rows()
    rows[18] = [None, None, None, 0.5]
    with pytest.raises(SourceFormatError, match="row 19, column D: a value in a row without"):
        _build(_workbook(tmp_path / "qol.xlsx", rows))


def test_meta_without_averaging_statement_is_loud(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "qol.xlsx", meta=[META[0], None, "Note: population-weighted averages."])
    with pytest.raises(SourceFormatError, match="unweighted averages across the cities"):
        _build(path)


def test_not_a_workbook_is_loud(tmp_path: Path) -> None:
    path = tmp_path / "qol.xlsx"
    path.write_text("question;answer\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a readable workbook"):
        _build(path)


def test_wrong_source_id_is_loud(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not build source"):
        eu_qol.build("ec_qol_cities_2019", [_workbook(tmp_path / "qol.xlsx")], load_cities())

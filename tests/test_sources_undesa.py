"""Tests of the UN DESA International Migrant Stock readers on small workbooks written by the tests."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import KEY_COLUMNS, TIDY_COLUMNS
from workbench.tidy.sources import _undesa, undesa, undesa_ims2020, undesa_ims2024

#: (name, M49 code, data type, note number) of the destinations the fixtures hold.
AREAS_2020 = [
    ("WORLD", 900, "", None),
    ("   Morocco", 504, "C R", None),
    ("   Tunisia", 788, "C R", None),
    ("   Jordan", 400, "C R", None),
    ("   Lebanon", 422, "B R", None),
    ("   Germany", 276, "B R", None),
    ("   Italy", 380, "B", None),
    ("   Portugal", 620, "B", None),
    ("   Spain*", 724, "B", None),
    ("   Austria", 40, "B", None),
    ("   France*", 250, "B", 12),
]
NINE = frozenset({"JOR", "LBN", "MAR", "TUN", "PRT", "FRA", "ESP", "ITA", "AUT"})
NOTE_12 = "For statistical purposes, the foreign-born population includes persons born in Réunion."


def _value_2020(sheet: str, code: int, column: int) -> object:
    if sheet == "Table 2":
        return 10203.14 if code == 400 else 1000.5 + column
    if sheet == "Table 6" and code == 504 and column == 0:
        return "~"
    if code == 422 and column == 1:
        return ".."
    return code % 97 + column / 10 if sheet != "Table 1" else code * 10 + column


def _write_2020(path: Path, *, drop: str | None = None, edit: dict | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, (title, blocks) in undesa_ims2020.TABLES_2020.items():
        if sheet == drop:
            continue
        ws = book.create_sheet(sheet)
        ws["E2"] = "International Migrant Stock 2020: Destination"
        ws["E3"] = f"{title} and by region, country or area of destination, 1990-2020"
        periods = sheet == "Table 5"
        labels = ["2015-2020"] if periods else [2015, 2020]
        widths = [len(labels)] * len(blocks)
        if sheet == "Table 6":
            widths, labels = [2, 2, 1], [2015, 2020, 2015, 2020, "2015-2020"]
        else:
            labels = labels * len(blocks)
        start = 6
        for block, width in zip(blocks, widths):
            ws.cell(row=8, column=start, value=block)
            start += width
        fixed = ["Region, development group, country or area", "Notes", "Location code", "Type of data"]
        header = [*fixed, *labels]
        for col, text in enumerate(header, start=2):
            ws.cell(row=11, column=col, value=text)
        for i, (name, code, data_type, note) in enumerate(AREAS_2020):
            row = 12 + i
            ws.cell(row=row, column=1, value=i + 1)
            ws.cell(row=row, column=2, value=name)
            ws.cell(row=row, column=3, value=note)
            ws.cell(row=row, column=4, value=code)
            ws.cell(row=row, column=5, value=data_type)
            for k in range(len(labels)):
                ws.cell(row=row, column=6 + k, value=_value_2020(sheet, code, k))
    notes = book.create_sheet("Notes")
    notes["B22"] = "The column labelled “Type of data” indicates the type of data used."
    notes["A23"], notes["B23"] = 12, NOTE_12
    for (sheet, cell), value in (edit or {}).items():
        book[sheet][cell] = value
    book.save(path)
    return path


def _build_2020(tmp_path: Path, **kwargs) -> pd.DataFrame:
    path = _write_2020(tmp_path / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx", **kwargs)
    return undesa.build("undesa_ims_2020", [path], load_cities())


def test_read_2020_is_a_faithful_long_frame(tmp_path: Path) -> None:
    raw = undesa_ims2020.read_ims2020_destination(_write_2020(tmp_path / "w.xlsx"))
    jordan = raw[(raw["table"] == "Table 1") & (raw["location_code"] == 400)]
    assert list(jordan["column_label"]) == ["2015", "2020"] * 3
    assert jordan["value"].tolist() == [4000, 4001, 4002, 4003, 4004, 4005]
    assert set(jordan["data_type"]) == {"C R"} and set(jordan["area"]) == {"Jordan"}
    cell = raw[(raw["table"] == "Table 3") & (raw["location_code"] == 422)].iloc[1]
    assert pd.isna(cell["value"]) and cell["symbol"] == ".."
    assert set(raw.loc[raw["table"] == "Table 5", "column_label"]) == {"2015-2020"}


def test_harmonise_2020_maps_every_table(tmp_path: Path) -> None:
    tidy = _build_2020(tmp_path)
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert not tidy.duplicated(list(KEY_COLUMNS)).any()
    assert set(tidy["place_id"]) == NINE | {"WLD"}
    assert "DEU" not in set(tidy["place_id"])
    world = tidy[tidy["place_id"] == "WLD"]
    assert set(world["geography_level"]) == {"world"} and set(world["country_iso3"]) == {"WLD"}
    stock = tidy[(tidy["place_id"] == "JOR") & (tidy["definition_id"] == "un_migrant_stock")]
    female = (stock["sex"] == "female") & (stock["period"] == "2020")
    row = stock[(stock["indicator_id"] == "population") & female]
    assert row["value"].tolist() == [4005.0] and row["ref_date"].tolist() == ["2020-07-01"]
    assert row["note"].iloc[0] == "UN DESA data type: C R — foreign citizens; refugees added"
    indicators = set(zip(tidy["indicator_id"], tidy["definition_id"]))
    assert indicators == {
        ("population", "un_migrant_stock"),
        ("population", "total_population"),
        ("population_share", "un_migrant_stock"),
        ("female_share", "un_migrant_stock"),
        ("annual_growth_rate", "un_migrant_stock"),
        ("population", "un_refugees_in_stock"),
        ("share_of_migrant_stock", "un_refugees_in_stock"),
        ("annual_growth_rate", "un_refugees_in_stock"),
    }


def test_harmonise_2020_converts_thousands_exactly_and_dates_periods(tmp_path: Path) -> None:
    tidy = _build_2020(tmp_path)
    total = tidy[(tidy["place_id"] == "JOR") & (tidy["definition_id"] == "total_population")]
    assert set(total["value"]) == {10203140.0}
    assert "multiplied by 1000" in total["note"].iloc[0]
    rates = tidy[(tidy["indicator_id"] == "annual_growth_rate") & (tidy["place_id"] == "AUT")]
    assert set(rates["period"]) == {"2015-2020"} and set(rates["ref_date"]) == {"2020-07-01"}
    female = tidy[tidy["indicator_id"] == "female_share"]
    assert set(female["sex"]) == {"total"}


def test_harmonise_2020_skips_symbols_and_adds_country_notes(tmp_path: Path) -> None:
    tidy = _build_2020(tmp_path)
    refugees = tidy[(tidy["place_id"] == "MAR") & (tidy["definition_id"] == "un_refugees_in_stock")]
    assert "2015" not in set(refugees.loc[refugees["indicator_id"] == "population", "period"])
    lebanon = tidy[(tidy["place_id"] == "LBN") & (tidy["indicator_id"] == "population_share")]
    assert lebanon["period"].value_counts().to_dict() == {"2015": 3, "2020": 2}
    france = tidy[tidy["place_id"] == "FRA"]
    assert set(france["place_name"]) == {"France*"}
    assert f"UN DESA note 12: {NOTE_12}" in france["note"].iloc[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drop": "Table 4"}, "no sheet 'Table 4'"),
        ({"edit": {("Table 1", "E3"): "Table 1: Something else"}}, "row 3, column 'E'"),
        ({"edit": {("Table 3", "F8"): "Migrant stock as a share"}}, "expected block labels"),
        ({"edit": {("Table 2", "D11"): "Code"}}, "row 11, column 'D'"),
        ({"edit": {("Table 1", "G11"): "year"}}, "expected a year or a period"),
        ({"edit": {("Table 1", "F15"): "12 thousand"}}, "is not a number"),
        ({"edit": {("Table 1", "D15"): "Jordan"}}, "column 'D'"),
        ({"edit": {("Notes", "B22"): "Nothing here"}}, "Type of data"),
    ],
)
def test_read_2020_fails_loudly_on_layout_changes(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(SourceFormatError, match=message):
        _build_2020(tmp_path, **kwargs)


def test_harmonise_2020_fails_when_a_country_is_missing(tmp_path: Path) -> None:
    raw = undesa_ims2020.read_ims2020_destination(_write_2020(tmp_path / "w.xlsx"))
    with pytest.raises(SourceFormatError, match=r"\[.SWE.\]"):
        undesa_ims2020.harmonise_ims2020_destination(raw, {}, frozenset({"DEU", "SWE"}), "undesa_ims_2020")


def test_build_rejects_unknown_source_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="cannot build"):
        undesa.build("undesa_ims_2019", [], load_cities())
    with pytest.raises(SourceFormatError, match="expected a file named"):
        undesa.build("undesa_ims_2020", [tmp_path / "other.xlsx"], load_cities())


def test_describe_data_type_rejects_unknown_letters() -> None:
    assert _undesa.describe_data_type("") == ""
    assert _undesa.describe_data_type("I") == "UN DESA data type: I — imputed (no data on migrants)"
    with pytest.raises(SourceFormatError, match="Z"):
        _undesa.describe_data_type("B Z")


# ---------------------------------------------------------------- 2024 destination and origin

COUNTRIES_2024 = [("Jordan", 400), ("Lebanon", 422), ("Morocco", 504), ("Tunisia", 788), ("Portugal", 620)]
COUNTRIES_2024 += [("France*", 250), ("Spain*", 724), ("Italy", 380), ("Austria", 40)]
YEARS = [1990, 2024]


def _stock_rows() -> list[tuple]:
    rows = [("World", 900, "World", 900, 153916063.0, 304021813)]
    for name, code in COUNTRIES_2024:
        rows.append((name, code, "World", 900, 100.0 + code, 1000 + code))
    rows += [
        ("Jordan", 400, "Northern Africa and Western Asia", 1833, 1108948.0, 5027976),
        ("Jordan", 400, "State of Palestine", 275, 929992.0, 2379525),
        ("Jordan", 400, "Others", 2003, 21458.0, 203322),
        ("Germany", 276, "Jordan", 400, 5.0, 50),
        ("Western Asia", 922, "Jordan", 400, 7.0, 70),
        ("Germany", 276, "Syrian Arab Republic", 760, 9.0, 90),
        ("Channel Islands*", 830, "Portugal", 620, 1.0, 2),
    ]
    return rows


def _write_stock(path: Path, rows: list[tuple] | None = None, header: list | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    ws.append(header or [*undesa_ims2024._STOCK_2024_COLUMNS, *YEARS])
    for i, row in enumerate(rows or _stock_rows(), start=1):
        ws.append([i, *row])
    source = book.create_sheet("Source")
    source["B22"] = "The column labelled “Type of data” indicates the type of data used."
    source["A23"], source["B23"] = 16, "For statistical purposes, includes persons born in RÃ©union."
    book.save(path)
    return path


PAIR_HEADER = (
    "Index,\"Region, development group, country or area of destination\",Coverage,Data type,"
    "Location code of destination,\"Region, development group, country or area of origin\","
    "Location code of origin,1990_total,2024_total,1990_males,2024_males,1990_females,2024_females"
)


def _write_pairs(path: Path, lines: list[str] | None = None, header: str = PAIR_HEADER) -> Path:
    default = [
        "13350,Jordan,,C R,400,State of Palestine,275,929992,2379525,480000,1272782,449992,1106743",
        "9000,Germany,,B R,276,Jordan,400,5,50,3,20,2,30",
        "9001,Germany,,B R,276,Syrian Arab Republic,760,9,90,5,50,4,40",
        "9002,France*,16.0,B R,250,Jordan,400,,,,,,",
    ]
    path.write_text("\n".join([header, *(lines if lines is not None else default)]) + "\n", encoding="utf-8")
    return path


def _build_2024(
    tmp_path: Path, rows: list[tuple] | None = None, lines: list[str] | None = None
) -> pd.DataFrame:
    stock = _write_stock(tmp_path / "migrant_stock.xlsx", rows)
    pairs = _write_pairs(tmp_path / "migration_table1_countries_clean.csv", lines)
    return undesa.build("undesa_ims_2024", [stock, pairs], load_cities())


def test_read_2024_stock_is_long(tmp_path: Path) -> None:
    raw = undesa_ims2024.read_ims2024_stock(_write_stock(tmp_path / "migrant_stock.xlsx"))
    assert set(raw["year"]) == {"1990", "2024"}
    jordan = raw[(raw["destination_code"] == 400) & (raw["origin_code"] == 275)]
    assert jordan.set_index("year")["value"].to_dict() == {"1990": 929992.0, "2024": 2379525.0}
    assert jordan["row"].tolist() == [13, 13]


def test_read_2024_pairs_keeps_published_sexes(tmp_path: Path) -> None:
    raw = undesa_ims2024.read_ims2024_country_pairs(_write_pairs(tmp_path / "p.csv"))
    assert set(raw["sex"]) == {"total", "males", "females"}
    assert raw.loc[raw["destination"] == "France*", "coverage"].iloc[0] == "16.0"


def test_harmonise_2024_destinations_origins_and_sexes(tmp_path: Path) -> None:
    tidy = _build_2024(tmp_path)
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert not tidy.duplicated(list(KEY_COLUMNS)).any()
    y2024 = tidy[tidy["period"] == "2024"].set_index(["place_id", "origin", "sex"])
    assert y2024.loc[("JOR", "total", "total"), "value"] == 1400
    assert y2024.loc[("WLD", "total", "total"), "value"] == 304021813
    assert y2024.loc[("JOR", "PSE", "total"), "value"] == 2379525
    assert y2024.loc[("JOR", "PSE", "female"), "value"] == 1106743
    assert y2024.loc[("JOR", "PSE", "male"), "origin_type"] == "origin_country"
    assert y2024.loc[("JOR", "M49_1833", "total"), "origin_type"] == "origin_group"
    assert y2024.loc[("JOR", "OTHER_JOR", "total"), "origin_type"] == "origin_group"
    assert y2024.loc[("DEU", "JOR", "male"), "value"] == 20
    region = y2024.loc[("M49_922", "JOR", "total")]
    assert (region["geography_level"], region["country_iso3"], region["value"]) == ("world_region", "WLD", 70)
    assert y2024.loc[("M49_830", "PRT", "total"), "geography_level"] == "world_region"
    assert "SYR" not in set(tidy["origin"])
    assert set(tidy.loc[tidy["origin"] == "total", "origin_type"]) == {""}
    assert set(tidy["ref_date"]) == {"1990-07-01", "2024-07-01"}


def test_harmonise_2024_notes_give_data_type_and_repaired_country_note(tmp_path: Path) -> None:
    tidy = _build_2024(tmp_path)
    jordan = tidy[(tidy["place_id"] == "JOR")]["note"].unique().tolist()
    assert jordan == ["UN DESA data type: C R — foreign citizens; refugees added"]
    france = tidy.loc[tidy["place_id"] == "FRA", "note"].iloc[0]
    assert france.endswith("UN DESA note 16: For statistical purposes, includes persons born in Réunion.")
    assert set(tidy.loc[tidy["geography_level"] == "world_region", "note"]) == {""}


def test_harmonise_2024_fails_when_pair_totals_differ(tmp_path: Path) -> None:
    lines = ["13350,Jordan,,C R,400,State of Palestine,275,929992,2379526,1,1,1,1"]
    with pytest.raises(SourceFormatError, match="differs from the stock table"):
        _build_2024(tmp_path, lines=lines)


def test_harmonise_2024_fails_when_a_country_is_missing(tmp_path: Path) -> None:
    rows = [row for row in _stock_rows() if row[1] != 40]
    with pytest.raises(SourceFormatError, match="AUT"):
        _build_2024(tmp_path, rows=rows)


def test_read_2024_fails_loudly(tmp_path: Path) -> None:
    renamed = ["index", "destination", "code_destination", "origin", "location_code_origin", *YEARS]
    with pytest.raises(SourceFormatError, match="row 1, column 'C'"):
        undesa_ims2024.read_ims2024_stock(_write_stock(tmp_path / "a.xlsx", header=renamed))
    bad = [("Jordan", 400, "World", 900, 1.0, "5 280 168 persons")]
    with pytest.raises(SourceFormatError, match="row 2, column 'G'"):
        undesa_ims2024.read_ims2024_stock(_write_stock(tmp_path / "b.xlsx", rows=bad))
    renamed_csv = _write_pairs(tmp_path / "c.csv", header=PAIR_HEADER.replace("Data type", "Type"))
    with pytest.raises(SourceFormatError, match="Data type"):
        undesa_ims2024.read_ims2024_country_pairs(renamed_csv)
    odd_csv = _write_pairs(tmp_path / "d.csv", header=PAIR_HEADER.replace("1990_males", "1990_men"))
    with pytest.raises(SourceFormatError, match="unexpected value column"):
        undesa_ims2024.read_ims2024_country_pairs(odd_csv)
    latin1 = tmp_path / "e.csv"
    latin1.write_bytes((PAIR_HEADER + "\n1,Réunion,,B,638,Jordan,400,1,1,1,1,1,1\n").encode("latin-1"))
    with pytest.raises(SourceFormatError, match="not utf-8"):
        undesa_ims2024.read_ims2024_country_pairs(latin1)
    with pytest.raises(SourceFormatError, match="no sheet 'Sheet1'"):
        book = openpyxl.Workbook()
        book.active.title = "Data"
        book.save(tmp_path / "f.xlsx")
        undesa_ims2024.read_ims2024_stock(tmp_path / "f.xlsx")

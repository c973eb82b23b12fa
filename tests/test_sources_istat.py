"""Tests for the ISTAT SDMX-CSV and I.Stat CSV readers (workbench.tidy.sources.istat)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.sources import istat, istat_codes

BIL_FLOW = "IT1:29_316_DF_DCIS_POPSTRBIL1_1(1.0)"
BIL_HEADER = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,"
    "NOTE_REF_AREA,NOTE_DATA_TYPE,NOTE_SEX,BASE_PER,UNIT_MEAS,UNIT_MULT"
)
AREA_FLOW = "IT1:29_317_DF_DCIS_POPSTRCIT1_24(1.0)"
AREA_HEADER = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,CITIZENSHIP,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,"
    "NOTE_REF_AREA,NOTE_DATA_TYPE,NOTE_SEX,NOTE_CITIZENSHIP,BASE_PER,UNIT_MEAS,UNIT_MULT"
)
ACQ_FLOW = "IT1:29_849_DF_DCIS_ACQCITIZ_4(1.0)"
ACQ_HEADER = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,MOSTREL_CCITENSHIP,ACQUISITION_PROCESS,AGE,TIME_PERIOD,"
    "OBS_VALUE,OBS_STATUS,NOTE_DS,BASE_PER,UNIT_MEAS,UNIT_MULT"
)
PERM_FLOW = "IT1:29_348_DF_DCIS_PERMSOGG1_4(1.0)"
PERM_HEADER = (
    "DATAFLOW,FREQ,REF_AREA,DATA_TYPE,SEX,MOSTREL_CCITENSHIP,TYPE_RES_PERMIT_REASON,"
    "TYPE_RES_PERMIT,AGE,MARITAL_STATUS,TIME_PERIOD,OBS_VALUE,OBS_STATUS,NOTE_DS,BASE_PER,"
    "UNIT_MEAS,UNIT_MULT"
)
FLOWS_HEADER = (
    '"ITTER107","Territory","TIPO_DATO15","Data type","SEXISTAT1","Gender","ISO",'
    '"Most relevant Country of citizenship","MOTIVOPS1","Reason","TIME","Select time","Value",'
    '"Flag Codes","Flags"'
)
EMP_HEADER = (
    '"ITTER107","Territory","TIPO_DATO_FOL","Data type","SEXISTAT1","Gender","ETA1","Age class",'
    '"TITOLO_STUDIO","Highest level of education attained","CITTADINANZA","Citizenship","TIME",'
    '"Select time","Value","Flag Codes","Flags"'
)
UNEMP_HEADER = (
    '"ITTER107","Territory","TIPO_DATO_FOL","Data type","ETA1","Age class","TITOLO_STUDIO",'
    '"Highest level of education attained","CITTADINANZA","Citizenship","TIME","Select time",'
    '"Value","Flag Codes","Flags"'
)


def write(path: Path, header: str, rows: list[str], *, bom: bool = False) -> Path:
    """Write a small CSV fixture (optionally with the UTF-8 byte-order mark of I.Stat)."""
    text = "\n".join([header, *rows]) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def bil_row(area: str, code: str, sex: str, year: str, value: str, status: str = "", note: str = "") -> str:
    """One DCIS_POPSTRBIL1 SDMX-CSV row."""
    return f"{BIL_FLOW},A,{area},{code},{sex},{year},{value},{status},,,{note},,,,"


@pytest.fixture
def cities():
    return load_cities()


@pytest.fixture
def balance_csv(tmp_path: Path) -> Path:
    return write(
        tmp_path / "bil.csv",
        BIL_HEADER,
        [
            bil_row("ITC11", "FJAN", "9", "2023", "214860"),
            bil_row("ITC11", "FREGOTHC", "2", "2023", "6000", "p"),
            bil_row("ITC11", "FBLOTHR", "9", "2021", "-4876"),
            bil_row("IT", "FDEROTHR", "1", "2021", "90151", note="TIPO_DATO15__FDEROTHR_N1"),
            bil_row("ITC12", "FJAN", "9", "2023", "12000"),
            bil_row("IT", "FDEATH", "9", "2023", ""),
        ],
    )


def test_read_sdmx_csv_keeps_codes_values_and_lines(balance_csv: Path) -> None:
    raw = istat.read_sdmx_csv(balance_csv, BIL_FLOW, ("DATA_TYPE", "SEX"))
    assert list(raw["data_type"]) == ["FJAN", "FREGOTHC", "FBLOTHR", "FDEROTHR", "FJAN", "FDEATH"]
    assert raw.loc[2, "value"] == -4876.0
    assert raw.loc[3, "notes"] == "TIPO_DATO15__FDEROTHR_N1"
    assert raw.loc[1, "line"] == 3
    assert raw["value"].isna().sum() == 1


def test_harmonise_popstrbil1_maps_stocks_flows_and_scope(balance_csv: Path, cities) -> None:
    tidy = istat.build("istat_popstrbil1", [balance_csv], cities)
    assert set(tidy["place_id"]) == {"IT", "ITC11"}
    stock = tidy[(tidy["indicator_id"] == "population")].iloc[0]
    assert (stock["ref_date"], stock["value"], stock["city_id"]) == ("2023-01-01", 214860.0, "turin")
    assert stock["geography_level"] == "metropolitan_city"
    inflow = tidy[tidy["indicator_id"] == "inflows"].iloc[0]
    assert (inflow["category"], inflow["sex"], inflow["flag"]) == ("flow:from_abroad", "female", "p")
    assert inflow["ref_date"] == "2023-12-31"
    balance = tidy[tidy["indicator_id"] == "net_migration"].iloc[0]
    assert (balance["category"], balance["value"]) == ("flow:other_reasons", -4876.0)
    outflow = tidy[tidy["indicator_id"] == "outflows"].iloc[0]
    assert "TIPO_DATO15__FDEROTHR_N1" in outflow["note"]
    assert len(tidy) == 4  # ITC12 out of scope, empty FDEATH value gives no row


def test_unknown_data_type_is_a_loud_error(tmp_path: Path, cities) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [bil_row("IT", "FNEWCODE", "9", "2023", "1")])
    with pytest.raises(SourceFormatError, match=r"bil\.csv, row 2, column 'data_type'.*FNEWCODE"):
        istat.build("istat_popstrbil1", [path], cities)


def test_unknown_sex_code_is_a_loud_error(tmp_path: Path, cities) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [bil_row("IT", "FJAN", "T", "2023", "1")])
    with pytest.raises(SourceFormatError, match="column 'sex'"):
        istat.build("istat_popstrbil1", [path], cities)


def test_unknown_obs_status_is_a_loud_error(tmp_path: Path, cities) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [bil_row("IT", "FJAN", "9", "2023", "1", "x")])
    with pytest.raises(SourceFormatError, match="obs_status"):
        istat.build("istat_popstrbil1", [path], cities)


def test_missing_column_is_a_loud_error(tmp_path: Path) -> None:
    header = BIL_HEADER.replace("OBS_STATUS,", "")
    path = write(tmp_path / "bil.csv", header, [f"{BIL_FLOW},A,IT,FJAN,9,2023,1,,,,,,,"])
    with pytest.raises(SourceFormatError, match="OBS_STATUS"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_new_dimension_column_is_a_loud_error(tmp_path: Path) -> None:
    header = BIL_HEADER.replace("SEX,", "SEX,AGE,")
    path = write(tmp_path / "bil.csv", header, [f"{BIL_FLOW},A,IT,FJAN,9,TOTAL,2023,1,,,,,,,,"])
    with pytest.raises(SourceFormatError, match="added or reordered a dimension"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_wrong_dataflow_is_a_loud_error(balance_csv: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"row 2, column 'DATAFLOW'"):
        istat.read_sdmx_csv(balance_csv, AREA_FLOW, ("DATA_TYPE", "SEX"))


def test_bad_number_is_a_loud_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [bil_row("IT", "FJAN", "9", "2023", "12.5a")])
    with pytest.raises(SourceFormatError, match=r"row 2, column 'OBS_VALUE'"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_extra_field_is_a_loud_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [bil_row("IT", "FJAN", "9", "2023", "12,5")])
    with pytest.raises(SourceFormatError, match="more fields than the header"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_unit_multiplier_is_a_loud_error(tmp_path: Path) -> None:
    row = f"{BIL_FLOW},A,IT,FJAN,9,2023,5,,,,,,,,3"
    path = write(tmp_path / "bil.csv", BIL_HEADER, [row])
    with pytest.raises(SourceFormatError, match="UNIT_MULT"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_wrong_encoding_is_a_loud_error(tmp_path: Path) -> None:
    path = tmp_path / "bil.csv"
    path.write_bytes((BIL_HEADER + "\n").encode() + bil_row("IT", "FJAN", "9", "2023", "1").encode() + b",\xe9\n")
    with pytest.raises(SourceFormatError, match="not utf-8"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_header_only_file_is_a_loud_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bil.csv", BIL_HEADER, [])
    with pytest.raises(SourceFormatError, match="no data rows"):
        istat.read_sdmx_csv(path, BIL_FLOW, ("DATA_TYPE", "SEX"))


def test_area_codes_map_to_groups(tmp_path: Path, cities) -> None:
    rows = [
        f"{AREA_FLOW},A,ITC11,FJAN,9,{code},2023,{value},,,,,,,,,"
        for code, value in (("WORLD", "214860"), ("999", "34"), ("AFR_N", "31974"), ("EU28", "95698"))
    ]
    tidy = istat.build("istat_popstrcit1_area", [write(tmp_path / "a.csv", AREA_HEADER, rows)], cities)
    got = dict(zip(tidy["origin"], zip(tidy["origin_type"], tidy["value"])))
    assert got["total"] == ("", 214860.0)
    assert got["STATELESS"] == ("citizenship_group", 34.0)
    assert got["ISTAT_AFR_N"] == ("citizenship_group", 31974.0)
    assert set(tidy["ref_date"]) == {"2023-01-01"}


def test_unknown_area_code_is_a_loud_error(tmp_path: Path, cities) -> None:
    rows = [f"{AREA_FLOW},A,IT,FJAN,9,MARS,2023,1,,,,,,,,,"]
    with pytest.raises(SourceFormatError, match="column 'citizenship'.*MARS"):
        istat.build("istat_popstrcit1_area", [write(tmp_path / "a.csv", AREA_HEADER, rows)], cities)


def test_acqcitiz_keeps_totals_and_refuses_breakdowns(tmp_path: Path, cities) -> None:
    good = f"{ACQ_FLOW},A,ITC11,ACQCITIZ,9,WORLD,ALL,TOTAL,2023,6925,,,,,"
    tidy = istat.build("istat_acqcitiz", [write(tmp_path / "q.csv", ACQ_HEADER, [good])], cities)
    row = tidy.iloc[0]
    assert (row["indicator_id"], row["ref_date"], row["value"]) == ("citizenship_acquisitions", "2023-12-31", 6925.0)
    bad = good.replace("WORLD", "MA")
    with pytest.raises(SourceFormatError, match="mostrel_ccitenship"):
        istat.build("istat_acqcitiz", [write(tmp_path / "b.csv", ACQ_HEADER, [bad])], cities)


def test_permit_types_are_stocks_on_1_january(tmp_path: Path, cities) -> None:
    rows = [
        f"{PERM_FLOW},A,ITC11,RESPER,9,WORLD,ALL,{code},TOTAL,99,2024,{value},,,,,"
        for code, value in (("TOTAL", "100"), ("LONGT", "60"), ("NLONGT", "40"))
    ]
    tidy = istat.build("istat_permsogg1_type", [write(tmp_path / "p.csv", PERM_HEADER, rows)], cities)
    assert dict(zip(tidy["category"], tidy["value"])) == {
        "total": 100.0,
        "permit:long_term": 60.0,
        "permit:with_expiry": 40.0,
    }
    assert set(tidy["ref_date"]) == {"2024-01-01"}
    assert set(tidy["definition_id"]) == {"residence_permit_holder"}


def test_permit_flows_map_iso2_codes(tmp_path: Path, cities) -> None:
    rows = [
        f'"ITC11","Torino","INFLNONEU","annual inflows of non-EU citizens","9","total","{iso}","{name}",'
        f'"ALL1","international protection","2022","2022",{value},,'
        for iso, name, value in (("MA", "Morocco", "12"), ("WORLD", "All countries", "4290"), ("X777", "Other countries", "7"))
    ]
    path = write(tmp_path / "DCIS_PERMSOGG1_1.csv", FLOWS_HEADER, rows, bom=True)
    tidy = istat.build("istat_permsogg1_flows_citizenship", [path], cities)
    assert dict(zip(tidy["origin"], tidy["origin_type"])) == {"MAR": "citizenship", "total": "", "OTHER": "citizenship_group"}
    assert set(tidy["category"]) == {"reason:international_protection"}
    assert set(tidy["place_name"]) == {"Torino"}


def test_unknown_iso_or_reason_is_a_loud_error(tmp_path: Path, cities) -> None:
    row = (
        '"IT","Italy","INFLNONEU","annual inflows","9","total","ZZ","Nowhere","ALL1","international protection",'
        '"2022","2022",1,,'
    )
    path = write(tmp_path / "f.csv", FLOWS_HEADER, [row], bom=True)
    with pytest.raises(SourceFormatError, match=r"f\.csv, row 2, column 'iso'"):
        istat.build("istat_permsogg1_flows_citizenship", [path], cities)
    path = write(tmp_path / "g.csv", FLOWS_HEADER, [row.replace('"ZZ"', '"MA"').replace("ALL1", "FAM")], bom=True)
    with pytest.raises(SourceFormatError, match="column 'motivops1'"):
        istat.build("istat_permsogg1_flows_citizenship", [path], cities)


def emp_row(time: str, label: str, education: str = "11", sex: str = "2", value: str = "55.5") -> str:
    """One DCCV_TAXOCCU1 I.Stat row."""
    return (
        f'"ITC","Nord-ovest","EMP_R","employment rate","{sex}","females","Y15-64","15-64 years",'
        f'"{education}","tertiary","FRG","foreign","{time}","{label}",{value},,'
    )


def test_lfs_periods_and_reference_dates(tmp_path: Path, cities) -> None:
    path = write(tmp_path / "e.csv", EMP_HEADER, [emp_row("2021", "2021"), emp_row("2021-Q3", "Q3-2021")], bom=True)
    tidy = istat.build("istat_lfs_employment_foreign", [path], cities)
    assert dict(zip(tidy["period"], tidy["ref_date"])) == {"2021": "2021-07-01", "2021-Q3": "2021-08-15"}
    assert set(tidy["category"]) == {"education:isced5-8"}
    assert set(tidy["sex"]) == {"female"}
    assert set(tidy["unit"]) == {"percent"}
    assert set(tidy["city_id"]) == {""}


def test_lfs_without_sex_column_is_both_sexes(tmp_path: Path, cities) -> None:
    row = (
        '"IT","Italy","UNEM_R","unemployment rate","Y20-64","20-64 years","99","total","FRG","foreign",'
        '"2024-Q1","Q1-2024",13.1,,'
    )
    tidy = istat.build("istat_lfs_unemployment_foreign", [write(tmp_path / "u.csv", UNEMP_HEADER, [row], bom=True)], cities)
    row = tidy.iloc[0]
    assert (row["sex"], row["age"], row["category"], row["indicator_id"]) == ("total", "Y20-64", "total", "unemployment_rate")


def test_lfs_unknown_codes_are_loud_errors(tmp_path: Path, cities) -> None:
    path = write(tmp_path / "e.csv", EMP_HEADER, [emp_row("2021", "2021", education="5")], bom=True)
    with pytest.raises(SourceFormatError, match="column 'titolo_studio'"):
        istat.build("istat_lfs_employment_foreign", [path], cities)
    path = write(tmp_path / "f.csv", EMP_HEADER, [emp_row("2021", "2021").replace('"FRG"', '"ITL"')], bom=True)
    with pytest.raises(SourceFormatError, match="column 'cittadinanza'"):
        istat.build("istat_lfs_employment_foreign", [path], cities)
    path = write(tmp_path / "g.csv", EMP_HEADER, [emp_row("2021-M03", "Mar-2021")], bom=True)
    with pytest.raises(SourceFormatError, match="neither a year nor"):
        istat.build("istat_lfs_employment_foreign", [path], cities)


def test_istat_export_with_changed_columns_is_a_loud_error(tmp_path: Path, cities) -> None:
    header = EMP_HEADER.replace('"Gender"', '"Sex"')
    path = write(tmp_path / "e.csv", header, [emp_row("2021", "2021")], bom=True)
    with pytest.raises(SourceFormatError, match="Gender"):
        istat.build("istat_lfs_employment_foreign", [path], cities)


def test_build_refuses_unknown_source(balance_csv: Path, cities) -> None:
    with pytest.raises(ConfigError, match="does not build source"):
        istat.build("istat_unknown", [balance_csv], cities)


def test_balance_items_use_known_timings() -> None:
    assert {item.timing for item in istat_codes.BALANCE_ITEMS.values()} == {"jan", "dec", "year"}
    assert len(istat_codes.BALANCE_ITEMS) == 28

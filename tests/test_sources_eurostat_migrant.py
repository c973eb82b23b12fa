"""Tests of the Eurostat migrant-integration readers on small SDMX-CSV linear and TSV downloads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.catalog import load_city, sources_outside_profiles
from workbench.tidy.schemas import TIDY_COLUMNS, empty_tidy, validate_tidy
from workbench.tidy.sources import eurostat_migrant
from workbench.tidy.sources.eurostat_migrant_harmonise import TOTAL_NOTE

LINEAR_HEADER = "DATAFLOW,LAST UPDATE,freq,unit,c_birth,sex,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"

#: (c_birth, geo, year, OBS_VALUE, OBS_FLAG) as in the export: Wien and Madrid 2022 as published.
LINEAR_ROWS = [
    ("TOTAL", "AT13", "2022", "9.4", ""),
    ("FOR", "AT13", "2022", "11.6", ""),
    ("EU27_2020_FOR", "AT13", "2022", "7.8", ""),
    ("NEU27_2020_FOR", "AT13", "2022", "13.9", ""),
    ("TOTAL", "ES30", "2022", "11.3", "d"),
    ("FOR", "ES30", "2022", "15.4", "d"),
    ("EU27_2020_FOR", "ES51", "2021", "13.8", "bd"),
    ("EU27_2020_FOR", "PT17", "2022", "", "u"),
    ("EU27_2020_FOR", "PT17", "2014", "8.1", "u"),
    ("TOTAL", "PT17", "2022", "7.4", ""),
    ("TOTAL", "ITC1", "2022", "6.6", ""),
    ("TOTAL", "FRK2", "2022", "6.6", "d"),
    ("TOTAL", "AT11", "2022", "5.0", "e"),
]


def _linear_line(c_birth: str, geo: str, year: str, value: str, flag: str) -> str:
    return f"ESTAT:LFST_R_LFUR2GAC(1.0),27/04/23 03:08:00,A,PC,{c_birth},T,Y15-64,{geo},{year},{value},{flag}"


def _write_linear(tmp_path: Path, rows=LINEAR_ROWS, header: str = LINEAR_HEADER, line=_linear_line) -> Path:
    path = tmp_path / "lfst_r_lfur2gac__custom_6388808_linear.csv"
    # the export ends its lines with CRLF, as Eurostat's data browser writes them
    path.write_bytes("\r\n".join([header, *(line(*r) for r in rows)]).encode("utf-8") + b"\r\n")
    return path


def _write_tsv(tmp_path: Path, name: str, header: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes("\r\n".join([header, *lines]).encode("utf-8") + b"\r\n")
    return path


LFSA_HEADER = "freq,unit,sex,age,citizen,geo\\TIME_PERIOD\t2023 \t2024 "


def _ergan(tmp_path: Path, header: str = LFSA_HEADER, name: str = "estat_lfsa_ergan_filtered.tsv") -> Path:
    return _write_tsv(tmp_path, name, header, [
        "A,PC,T,Y20-64,NAT,ES\t71.9 d\t72.4 d",
        "A,PC,T,Y20-64,NEU27_2020_FOR,ES\t62.2 d\t63.3 d",
        "A,PC,T,Y20-64,EU27_2020_FOR,ES\t72.0 d\t73.6 d",
        "A,PC,F,Y20-64,NEU27_2020_FOR,AT\t: \t: u",
        "A,PC,M,Y20-64,NEU27_2020_FOR,AT\t70.1 u\t69.0 ",
        "A,PC,T,Y20-64,NAT,EU27_2020\t76.3 \t76.7 ",
        "A,PC,T,Y20-64,NAT,BA\t: \t: bu",
        "A,PC,T,Y20-64,NAT,EL\t65.0 \t66.0 ",
    ])


def _edat(tmp_path: Path) -> Path:
    return _write_tsv(tmp_path, "estat_edat_lfs_9912_filtered1.tsv",
                      "freq,unit,sex,isced11,c_birth,age,geo\\TIME_PERIOD\t2024 ", [
                          "A,PC,T,ED5-8,NAT,Y25-64,ES\t46.0 ",
                          "A,PC,T,ED5-8,NEU27_2020_FOR,Y25-64,ES\t28.6 ",
                          "A,PC,T,ED0-2,NEU27_2020_FOR,Y25-64,ES\t43.3 b",
                          "A,PC,F,ED3_4,EU27_2020_FOR,Y15-24,IT\t: u",
                      ])


def _resfirst(tmp_path: Path) -> Path:
    return _write_tsv(tmp_path, "estat_migr_resfirst_filtered.tsv",
                      "freq,reason,citizen,duration,unit,geo\\TIME_PERIOD\t2023 ", [
                          "A,FAM,TOTAL,TOTAL,PER,IT\t135734 ",
                          "A,OTH,TOTAL,TOTAL,PER,IT\t187754 ",
                          "A,TOTAL,TOTAL,TOTAL,PER,IT\t389542 ",
                          "A,TOTAL,TOTAL,TOTAL,PER,ES\t548697 b",
                          "A,TOTAL,TOTAL,TOTAL,PER,LI\t120 ",
                      ])


def _build(source_id: str, path: Path) -> pd.DataFrame:
    tidy = eurostat_migrant.build(source_id, [path], load_cities())
    validate_tidy(tidy, path.name)
    return tidy


def _one(tidy: pd.DataFrame, **where) -> pd.Series:
    rows = tidy
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, where
    return rows.iloc[0]


# --- reading: faithful reshapes ------------------------------------------------------------------


def test_read_sdmx_linear_keeps_codes_values_flags_and_lines(tmp_path: Path) -> None:
    raw = eurostat_migrant.read_sdmx_linear(_write_linear(tmp_path), "lfst_r_lfur2gac", ("freq", "unit", "c_birth", "sex", "age", "geo"))
    assert list(raw.columns) == ["file", "line", "freq", "unit", "c_birth", "sex", "age", "geo", "time_period", "value", "flag"]
    assert raw.loc[1, ["c_birth", "geo", "time_period", "value", "flag"]].tolist() == ["FOR", "AT13", "2022", 11.6, ""]
    assert raw.loc[6, "flag"] == "bd"
    suppressed = raw.loc[7]
    assert pd.isna(suppressed["value"]) and suppressed["flag"] == "u" and suppressed["line"] == 9


def test_read_tsv_splits_codes_and_reads_values_not_available_and_flags(tmp_path: Path) -> None:
    raw = eurostat_migrant.read_tsv(_ergan(tmp_path), "lfsa_ergan", ("freq", "unit", "sex", "age", "citizen", "geo"))
    assert len(raw) == 16  # 8 lines x 2 years
    nat = raw[(raw["citizen"] == "NAT") & (raw["geo"] == "ES")].set_index("time_period")
    assert nat.loc["2024", "value"] == 72.4 and nat.loc["2024", "flag"] == "d"
    women = raw[(raw["sex"] == "F") & (raw["geo"] == "AT")].set_index("time_period")
    assert women["value"].isna().all()  # ':' is not available, never zero
    assert women.loc["2023", "flag"] == "" and women.loc["2024", "flag"] == "u"
    assert set(raw.loc[raw["geo"] == "BA", "flag"]) == {"", "bu"}
    assert raw.loc[raw["geo"] == "ES", "line"].min() == 2


# --- harmonising: places, groups, flags ----------------------------------------------------------


def test_build_lfur2gac_reproduces_the_official_region_values(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfst_r_lfur2gac", _write_linear(tmp_path))
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    wien = tidy[(tidy["place_id"] == "AT13") & (tidy["period"] == "2022")]
    values = {(d, o): v for d, o, v in zip(wien["definition_id"], wien["origin"], wien["value"])}
    assert values == {
        ("total_population", "total"): 9.4,
        ("foreign_born", "total"): 11.6,
        ("foreign_born", "EU27_2020_FOR"): 7.8,
        ("foreign_born", "NEU27_2020_FOR"): 13.9,
    }
    row = _one(tidy, place_id="AT13", definition_id="foreign_born", origin="total")
    assert (row["place_name"], row["geography_level"], row["country_iso3"]) == ("Wien", "nuts2", "AUT")
    assert (row["indicator_id"], row["unit"], row["sex"], row["age"], row["ref_date"]) == (
        "unemployment_rate", "percent", "total", "Y15-64", "2022-07-01")
    assert _one(tidy, place_id="AT13", origin="NEU27_2020_FOR")["origin_type"] == "birth_group"
    assert _one(tidy, place_id="ES30", definition_id="foreign_born")["value"] == 15.4


def test_region_rows_carry_no_city_id_and_other_regions_are_left_out(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfst_r_lfur2gac", _write_linear(tmp_path))
    assert set(tidy["city_id"]) == {""}
    assert set(tidy["place_id"]) == {"AT13", "ES30", "ES51", "PT17", "ITC1", "FRK2"}  # AT11 is no city's region
    assert set(tidy["geography_level"]) == {"nuts2"}
    assert tidy["note"].str.contains("not the city").all()


def test_total_is_never_labelled_native(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfst_r_lfur2gac", _write_linear(tmp_path))
    assert "native_born" not in set(tidy["definition_id"])
    total = tidy[tidy["definition_id"] == "total_population"]
    assert len(total) == 5 and (total["origin"] == "total").all()
    assert total["note"].str.contains(TOTAL_NOTE, regex=False).all()
    assert not tidy.loc[tidy["definition_id"] != "total_population", "note"].str.contains(TOTAL_NOTE, regex=False).any()


def test_u_with_an_empty_value_gives_no_row_and_u_with_a_value_is_kept(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfst_r_lfur2gac", _write_linear(tmp_path))
    lisbon_eu = tidy[(tidy["place_id"] == "PT17") & (tidy["origin"] == "EU27_2020_FOR")]
    assert lisbon_eu["period"].tolist() == ["2014"]  # 2022 is not published: no row, never a zero
    assert lisbon_eu["flag"].tolist() == ["u"] and lisbon_eu["value"].tolist() == [8.1]


def test_flags_b_d_e_are_kept(tmp_path: Path) -> None:
    rows = [*LINEAR_ROWS, ("TOTAL", "ITC1", "2021", "7.3", "e")]
    tidy = _build("eurostat_lfst_r_lfur2gac", _write_linear(tmp_path, rows))
    assert _one(tidy, place_id="ES51", period="2021")["flag"] == "bd"
    assert _one(tidy, place_id="ES30", definition_id="total_population")["flag"] == "d"
    assert _one(tidy, place_id="ITC1", period="2021")["flag"] == "e"


def test_build_lfsa_keeps_citizenship_groups_apart_from_birth_groups(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfsa_ergan", _ergan(tmp_path))
    assert set(tidy["definition_id"]) == {"national_citizens", "foreign_nationality"}
    assert set(tidy.loc[tidy["origin"] != "total", "origin_type"]) == {"citizenship_group"}
    spain = tidy[(tidy["place_id"] == "ES") & (tidy["period"] == "2024")]
    assert _one(spain, definition_id="national_citizens")[["value", "flag", "indicator_id"]].tolist() == [72.4, "d", "employment_rate"]
    assert _one(spain, origin="NEU27_2020_FOR")[["value", "flag"]].tolist() == [63.3, "d"]
    assert _one(tidy, place_id="AT", sex="male", period="2023")["flag"] == "u"
    assert tidy[(tidy["place_id"] == "AT") & (tidy["sex"] == "female")].empty  # ':' gives no row


def test_build_lfsa_keeps_the_cities_countries_and_the_eu(tmp_path: Path) -> None:
    tidy = _build("eurostat_lfsa_urgan", _ergan(tmp_path, name="estat_lfsa_urgan_filtered.tsv"))
    assert set(tidy["indicator_id"]) == {"unemployment_rate"}
    assert set(tidy["place_id"]) == {"ES", "AT", "EU27_2020"}  # Bosnia and Greece are no network country
    eu = _one(tidy, place_id="EU27_2020", period="2024")
    assert (eu["geography_level"], eu["country_iso3"], eu["city_id"]) == ("world_region", "EUU", "")
    spain = _one(tidy, place_id="ES", definition_id="national_citizens", period="2024")
    assert (spain["place_name"], spain["geography_level"], spain["country_iso3"], spain["ref_date"]) == (
        "Spain", "country", "ESP", "2024-07-01")


def test_build_edat_gives_attainment_shares_by_country_of_birth(tmp_path: Path) -> None:
    tidy = _build("eurostat_edat_lfs_9912", _edat(tmp_path))
    assert set(tidy["indicator_id"]) == {"group_share"}
    assert set(tidy["definition_id"]) == {"native_born", "foreign_born"}
    native = _one(tidy, definition_id="native_born", category="education:isced5-8")
    assert (native["value"], native["age"], native["origin"]) == (46.0, "Y25-64", "total")
    non_eu = _one(tidy, origin="NEU27_2020_FOR", category="education:isced5-8")
    assert (non_eu["value"], non_eu["origin_type"]) == (28.6, "birth_group")
    assert _one(tidy, category="education:isced0-2")["flag"] == "b"
    assert "IT" not in set(tidy["place_id"])  # ': u' only


def test_build_resfirst_gives_permits_by_reason(tmp_path: Path) -> None:
    tidy = _build("eurostat_migr_resfirst", _resfirst(tmp_path))
    italy = tidy[tidy["place_id"] == "IT"].set_index("category")
    assert italy["value"].to_dict() == {"reason:family": 135734.0, "reason:other": 187754.0, "total": 389542.0}
    assert set(tidy["indicator_id"]) == {"permits_issued"} and set(tidy["definition_id"]) == {"first_residence_permit"}
    spain = _one(tidy, place_id="ES")
    assert (spain["value"], spain["flag"], spain["ref_date"], spain["unit"]) == (548697.0, "b", "2023-12-31", "persons")
    assert "LI" not in set(tidy["place_id"])


# --- loud failures -------------------------------------------------------------------------------


def test_renamed_column_of_the_linear_export_is_refused_naming_file_and_column(tmp_path: Path) -> None:
    path = _write_linear(tmp_path, header=LINEAR_HEADER.replace("c_birth", "citizen"))
    with pytest.raises(SourceFormatError, match=r"lfst_r_lfur2gac__custom_6388808_linear\.csv.*\['c_birth'\].*renamed 'citizen'"):
        eurostat_migrant.build("eurostat_lfst_r_lfur2gac", [path], load_cities())


def test_moved_column_of_the_linear_export_is_refused_naming_what_moved(tmp_path: Path) -> None:
    header = "DATAFLOW,LAST UPDATE,freq,unit,sex,c_birth,age,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG"

    def line(c_birth, geo, year, value, flag):
        return f"ESTAT:LFST_R_LFUR2GAC(1.0),27/04/23 03:08:00,A,PC,T,{c_birth},Y15-64,{geo},{year},{value},{flag}"

    path = _write_linear(tmp_path, header=header, line=line)
    with pytest.raises(SourceFormatError, match=r"_linear\.csv, line 1: column 'c_birth' moved: expected as column 5, found as column 6"):
        eurostat_migrant.build("eurostat_lfst_r_lfur2gac", [path], load_cities())


def test_moved_dimension_of_a_tsv_is_refused_naming_file_and_dimension(tmp_path: Path) -> None:
    path = _ergan(tmp_path, header="freq,unit,age,sex,citizen,geo\\TIME_PERIOD\t2023 \t2024 ")
    with pytest.raises(SourceFormatError, match=r"estat_lfsa_ergan_filtered\.tsv, line 1.*dimension 'sex' moved: expected as dimension 3, found as dimension 4"):
        eurostat_migrant.build("eurostat_lfsa_ergan", [path], load_cities())


def test_renamed_dimension_of_a_tsv_is_refused(tmp_path: Path) -> None:
    path = _ergan(tmp_path, header="freq,unit,sex,age,c_birth,geo\\TIME_PERIOD\t2023 \t2024 ")
    with pytest.raises(SourceFormatError, match=r"estat_lfsa_ergan_filtered\.tsv.*dimension 'citizen' expected as dimension 5, found 'c_birth' instead"):
        eurostat_migrant.build("eurostat_lfsa_ergan", [path], load_cities())


def test_tsv_year_header_that_is_not_a_year_is_refused(tmp_path: Path) -> None:
    path = _ergan(tmp_path, header=LFSA_HEADER.replace("2024 ", "2024Q1"))
    with pytest.raises(SourceFormatError, match=r"estat_lfsa_ergan_filtered\.tsv, line 1, column 'column 3': '2024Q1' is not a year"):
        eurostat_migrant.build("eurostat_lfsa_ergan", [path], load_cities())


def test_tsv_of_another_dataset_is_refused(tmp_path: Path) -> None:
    path = _ergan(tmp_path, name="estat_lfsa_urgan_filtered.tsv")
    with pytest.raises(SourceFormatError, match="does not name dataset lfsa_ergan"):
        eurostat_migrant.build("eurostat_lfsa_ergan", [path], load_cities())


def test_bad_cell_is_refused_naming_line_and_year(tmp_path: Path) -> None:
    path = _write_tsv(tmp_path, "estat_migr_resfirst_filtered.tsv", "freq,reason,citizen,duration,unit,geo\\TIME_PERIOD\t2023 ",
                      ["A,FAM,TOTAL,TOTAL,PER,IT\t135,734 "])
    with pytest.raises(SourceFormatError, match=r"estat_migr_resfirst_filtered\.tsv, row 2, column '2023': '135,734' is not a number"):
        eurostat_migrant.build("eurostat_migr_resfirst", [path], load_cities())


def test_unknown_group_code_is_refused(tmp_path: Path) -> None:
    path = _write_linear(tmp_path, [*LINEAR_ROWS, ("NAT_FOR", "AT13", "2022", "1.0", "")])
    with pytest.raises(SourceFormatError, match=r"line 15, c_birth 'NAT_FOR': no mapping"):
        eurostat_migrant.build("eurostat_lfst_r_lfur2gac", [path], load_cities())


def test_declared_region_missing_from_the_file_is_refused(tmp_path: Path) -> None:
    rows = [r for r in LINEAR_ROWS if r[1] != "PT17"]
    with pytest.raises(SourceFormatError, match=r"NUTS 2 region\(s\) \['PT17'\].*city lisbon.*PT1A"):
        eurostat_migrant.build("eurostat_lfst_r_lfur2gac", [_write_linear(tmp_path, rows)], load_cities())


# --- not in the profiles yet ---------------------------------------------------------------------


def test_load_city_leaves_out_sources_not_in_profiles(monkeypatch) -> None:
    # the new Eurostat sources are in the profiles now; a source ingested ahead of its profile
    # section (``in_profiles: false``) is left out of a city's rows
    from workbench.tidy import catalog

    assert "eurostat_lfsa_ergan" not in sources_outside_profiles()
    monkeypatch.setattr(catalog, "sources_outside_profiles", lambda: ["eurostat_lfsa_ergan"])
    base = {c: "total" for c in ("sex", "age", "origin", "category")}
    rows = [
        {**base, "source_id": "eurostat_lfsa_ergan", "place_id": "ES", "geography_level": "country", "country_iso3": "ESP",
         "city_id": "", "indicator_id": "employment_rate", "definition_id": "national_citizens", "value": 72.4},
        {**base, "source_id": "eurostat_urb_cpop1", "place_id": "ES", "geography_level": "country", "country_iso3": "ESP",
         "city_id": "", "indicator_id": "population", "definition_id": "total_population", "value": 48085361.0},
    ]
    tidy = pd.concat([empty_tidy(), pd.DataFrame(rows)], ignore_index=True).fillna("")
    data = load_city("madrid", tidy, refuse_stale=False)
    assert data.national["source_id"].tolist() == ["eurostat_urb_cpop1"]

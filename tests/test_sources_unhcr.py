"""Tests of the UNHCR refugee statistics readers on small CSV and R data files written by the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdata

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import KEY_COLUMNS, TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources import unhcr, unhcr_demographics, unhcr_locations, unhcr_tables

SYR = ("Syrian Arab Rep.", "SYR", "SYR")
IRQ = ("Iraq", "IRQ", "IRQ")
UNKNOWN = ("Unknown", "UKN", "UNK")
STATELESS = ("Stateless", "STA", "XXA")
JOR = ("Jordan", "JOR", "JOR")
LBN = ("Lebanon", "LEB", "LBN")
TUN = ("Tunisia", "TUN", "TUN")
MAR = ("Morocco", "MOR", "MAR")
DEU = ("Germany", "GFR", "DEU")
SWE = ("Sweden", "SWE", "SWE")
AGE_COLUMNS = [c for c in unhcr_demographics.SEX_AGE if c not in ("f_total", "m_total", "total")]


def _countries(year: int, origin: tuple[str, str, str], asylum: tuple[str, str, str]) -> dict:
    return {
        "year": year,
        "coo_name": origin[0],
        "coo": origin[1],
        "coo_iso": origin[2],
        "coa_name": asylum[0],
        "coa": asylum[1],
        "coa_iso": asylum[2],
    }


def _population_frame() -> pd.DataFrame:
    rows = [
        (2024, SYR, JOR, {"refugees": 611473, "returned_refugees": 65268}),
        (2024, SYR, LBN, {"refugees": 755426, "returned_refugees": 254651, "ooc": 3209}),
        (2024, UNKNOWN, MAR, {"refugees": 12, "asylum_seekers": 3}),
        (2023, STATELESS, JOR, {"stateless": 50}),
        (2024, MAR, DEU, {"refugees": 1500, "asylum_seekers": 2200}),
        (2024, IRQ, SWE, {"refugees": 9000}),
        (2024, LBN, UNKNOWN, {"returned_refugees": 5}),
    ]
    records = []
    for year, origin, asylum, values in rows:
        record = _countries(year, origin, asylum)
        for column in unhcr.POPULATION_MEASURES:
            record[column] = np.nan if column == "oip" else float(values.get(column, 0))
        records.append(record)
    return pd.DataFrame(records)


def _demographics_row(year, asylum, origin, pop_type, location, total, *, loc="U", acc="I", detail=True):
    record = {**_countries(year, origin, asylum), "pop_type": pop_type, "location": location}
    record.update({"loc_type": loc, "acc_type": acc})
    if detail:
        female = [total // 10, total // 10, total // 10, total // 5, 0, 0]
        male = [total // 20, total // 20, total // 20, total // 20, total // 20, 0]
        female_total, male_total = sum(female), total - sum(female)
        male[-1] = male_total - sum(male)
    else:
        female, male, female_total, male_total = [0] * 6, [0] * 6, 0, 0
    values = female + [female_total] + male + [male_total] + [total]
    columns = [c for c in unhcr_demographics.SEX_AGE if c.startswith("f_")] + [c for c in unhcr_demographics.SEX_AGE if c.startswith("m_")]
    record.update(dict(zip(columns + ["total"], (float(v) for v in values), strict=True)))
    return record


def _demographics_frame() -> pd.DataFrame:
    rows = [
        _demographics_row(2023, JOR, SYR, "REF", "Amman : Governorate", 191838),
        _demographics_row(2023, JOR, IRQ, "ASY", "Amman : Governorate", 5000),
        _demographics_row(2024, JOR, SYR, "REF", "Amman [Admin 1]", 180000),
        _demographics_row(2010, JOR, IRQ, "REF", "Amman", 30000, detail=False),
        _demographics_row(2023, JOR, SYR, "REF", "Irbid : Governorate", 120000),
        _demographics_row(2024, JOR, SYR, "REF", "Irbid [Admin 1]", 110000),
        _demographics_row(2023, JOR, SYR, "REF", "Dahuk", 45258, acc="P"),
        _demographics_row(2023, JOR, SYR, "REF", "Mafraq : Zataari Camp", 80000, acc="P"),
        _demographics_row(2024, JOR, SYR, "REF", "Za'atari Camp [Admin 3: POC]", 75000, acc="P"),
        _demographics_row(2016, LBN, SYR, "REF", "Beirut : Mohafazah - Governorate", 275803),
        _demographics_row(2024, LBN, LBN, "IDP", "Beirut [Admin 1]", 16269, detail=False),
        _demographics_row(2024, LBN, SYR, "REF", "Beirut [Admin 2]", 7766, loc="R", acc="I"),
        _demographics_row(2024, LBN, SYR, "REF", "Beirut [Admin 2]", 1210, loc="U", acc="I"),
        _demographics_row(2024, LBN, SYR, "REF", "Beirut [Admin 2]", 2504, loc="V", acc="U"),
        _demographics_row(2012, LBN, IRQ, "REF", "Beyrouth : Qadaa - District", 700),
        _demographics_row(2024, LBN, SYR, "REF", "Baabda [Admin 2]", 9000, loc="R"),
        _demographics_row(2024, LBN, SYR, "REF", "Baabda [Admin 2]", 1000, loc="U"),
        _demographics_row(2024, LBN, SYR, "REF", "Dispersed in the country / territory", 400),
        _demographics_row(2012, TUN, SYR, "REF", "Tunis : Wilayat - Governorate", 60),
        _demographics_row(2020, TUN, SYR, "REF", "Tunis", 65),
        _demographics_row(2011, TUN, IRQ, "ASY", "Tunis : Point", 25),
        _demographics_row(2025, TUN, SYR, "ASY", "Tunis [Admin 1]", 113),
        _demographics_row(2020, TUN, SYR, "REF", "Sidi Bou Zid", 6),
        _demographics_row(2009, MAR, SYR, "REF", "Rabat", 30),
        _demographics_row(2011, MAR, SYR, "REF", "Rabat : Point", 40),
        _demographics_row(2025, TUN, SYR, "REF", "Sidi Bouz [Admin 1]", 3, detail=False),
        _demographics_row(2024, DEU, SYR, "REF", "Dispersed in the country / territory", 700000),
    ]
    return pd.DataFrame(rows)


def _unrwa_frame() -> pd.DataFrame:
    palestine = ("Palestinian", "GAZ", "PSE")
    rows = [
        (2024, JOR, 2371387),
        (2024, LBN, 486269),
        (2025, LBN, 228274),
        (2025, UNKNOWN, 495764),
    ]
    return pd.DataFrame([{**_countries(y, palestine, field), "total": float(v)} for y, field, v in rows])


def _write_csv(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    frame.to_csv(path, index=False, **kwargs)
    return path


def _write_rda(frame: pd.DataFrame, path: Path, name: str) -> Path:
    rdata.write_rda(path, {name: frame.astype({"year": float})})
    return path


@pytest.fixture()
def cities():
    return load_cities()


@pytest.fixture()
def population_csv(tmp_path):
    return _write_csv(_population_frame(), tmp_path / "population.csv")


@pytest.fixture()
def demographics_csv(tmp_path):
    return _write_csv(_demographics_frame(), tmp_path / "demographics.csv")


@pytest.fixture()
def unrwa_csv(tmp_path):
    return _write_csv(_unrwa_frame(), tmp_path / "unrwa.csv")


# --- read ------------------------------------------------------------------------------------


def test_read_population_is_long_without_missing_cells(population_csv):
    raw = unhcr.read_population(population_csv)
    assert list(raw.columns) == [*unhcr_tables.COUNTRY_COLUMNS, "column", "value"]
    assert len(raw) == 7 * 8  # oip is NA everywhere
    assert raw["year"].dtype.kind == "i"
    jordan = raw[(raw["coa_iso"] == "JOR") & (raw["coo_iso"] == "SYR") & (raw["column"] == "refugees")]
    assert jordan["value"].tolist() == [611473.0]


def test_read_population_keeps_rows_with_asylum_or_origin_in_scope(population_csv):
    raw = unhcr.read_population(population_csv, {"JOR", "LBN", "MAR"})
    pairs = set(zip(raw["coo_iso"], raw["coa_iso"], strict=True))
    assert ("MAR", "DEU") in pairs and ("LBN", "UNK") in pairs
    assert ("IRQ", "SWE") not in pairs


def test_read_rda_equals_read_csv(tmp_path, population_csv):
    rda = _write_rda(_population_frame(), tmp_path / "population.rda", "population")
    from_rda = unhcr.read_population(rda)
    from_csv = unhcr.read_population(population_csv)
    pd.testing.assert_frame_equal(from_rda, from_csv)


def test_read_demographics_rda(tmp_path):
    rda = _write_rda(_demographics_frame(), tmp_path / "demographics.rda", "demographics")
    raw = unhcr_demographics.read_demographics(rda, {"JOR"})
    assert set(raw["coa_iso"]) == {"JOR"}
    assert set(raw["column"]) == set(unhcr_demographics.SEX_AGE)


def test_read_unrwa(unrwa_csv):
    raw = unhcr.read_unrwa(unrwa_csv)
    assert raw["value"].tolist() == [2371387.0, 486269.0, 228274.0, 495764.0]


# --- loud failures ------------------------------------------------------------------------------


def test_missing_column_is_an_error(tmp_path):
    path = _write_csv(_population_frame().drop(columns="asylum_seekers"), tmp_path / "p.csv")
    with pytest.raises(SourceFormatError, match="asylum_seekers"):
        unhcr.read_population(path)


def test_renamed_column_is_an_error(tmp_path):
    path = _write_csv(_demographics_frame().rename(columns={"f_60": "f_60_plus"}), tmp_path / "d.csv")
    with pytest.raises(SourceFormatError, match="f_60"):
        unhcr_demographics.read_demographics(path)


def test_non_numeric_value_names_row_and_column(tmp_path):
    frame = _population_frame().astype({"refugees": object})
    frame.loc[2, "refugees"] = "12a"
    path = _write_csv(frame, tmp_path / "p.csv")
    with pytest.raises(SourceFormatError, match=r"row 4, column 'refugees'.*'12a'"):
        unhcr.read_population(path)


def test_fractional_year_is_an_error(tmp_path):
    frame = _unrwa_frame().astype({"year": float})
    frame.loc[1, "year"] = 2024.5
    path = _write_csv(frame, tmp_path / "u.csv")
    with pytest.raises(SourceFormatError, match=r"row 3, column 'year'"):
        unhcr.read_unrwa(path)


def test_missing_code_is_an_error(tmp_path):
    frame = _population_frame()
    frame.loc[0, "coa_iso"] = np.nan
    path = _write_csv(frame, tmp_path / "p.csv")
    with pytest.raises(SourceFormatError, match=r"row 2, column 'coa_iso'"):
        unhcr.read_population(path)


def test_wrong_object_in_rda_is_an_error(tmp_path):
    rda = _write_rda(_unrwa_frame(), tmp_path / "unrwa.rda", "unrwa_old")
    with pytest.raises(SourceFormatError, match="no object 'unrwa'.*unrwa_old"):
        unhcr.read_unrwa(rda)


def test_file_that_is_not_r_data_is_an_error(tmp_path):
    path = tmp_path / "population.rda"
    path.write_bytes(b"this is not R data")
    with pytest.raises(SourceFormatError, match="not a readable R data file"):
        unhcr.read_population(path)


def test_other_suffix_is_an_error(tmp_path):
    path = tmp_path / "population.xlsx"
    path.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="expected an .rda file or a .csv"):
        unhcr.read_population(path)


def test_empty_and_missing_files_are_errors(tmp_path):
    empty = tmp_path / "unrwa.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="empty"):
        unhcr.read_unrwa(empty)
    with pytest.raises(SourceFormatError, match="not found"):
        unhcr.read_unrwa(tmp_path / "absent.rda")


def test_wrong_encoding_is_an_error(tmp_path):
    frame = _demographics_frame()
    frame.loc[0, "location"] = "Zarqa : Mukhayyam al-Ḥuṣn"
    path = _write_csv(frame, tmp_path / "d.csv", encoding="utf-16")
    with pytest.raises(SourceFormatError, match="not utf-8"):
        unhcr_demographics.read_demographics(path)


def test_unknown_pop_type_is_an_error(demographics_csv, cities):
    raw = unhcr_demographics.read_demographics(demographics_csv)
    raw.loc[0, "pop_type"] = "XYZ"
    with pytest.raises(SourceFormatError, match="XYZ"):
        unhcr_demographics.harmonise_demographics(raw, cities)


def test_unknown_location_form_is_an_error():
    with pytest.raises(SourceFormatError, match="Amman : Sub-district"):
        unhcr_locations.parse_location("JOR", "Amman : Sub-district")


def test_unrwa_with_another_origin_is_an_error(unrwa_csv, cities):
    raw = unhcr.read_unrwa(unrwa_csv)
    raw.loc[0, "coo_iso"] = "SYR"
    with pytest.raises(SourceFormatError, match="Palestine"):
        unhcr.harmonise_unrwa(raw, cities)


def test_build_rejects_unknown_source_and_several_files(population_csv, cities):
    with pytest.raises(ConfigError, match="unhcr_flows"):
        unhcr.build("unhcr_flows", [population_csv], cities)
    with pytest.raises(ConfigError, match="exactly one file"):
        unhcr.build("unhcr_population", [population_csv, population_csv], cities)


# --- harmonise: population ----------------------------------------------------------------------


def test_population_tidy_rows(population_csv, cities):
    tidy = unhcr.build("unhcr_population", [population_csv], cities)
    validate_tidy(tidy, "unhcr_population")
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    refugees = tidy[(tidy["definition_id"] == "registered_refugee") & (tidy["origin"] == "SYR")]
    assert dict(zip(refugees["place_id"], refugees["value"], strict=True)) == {"JOR": 611473.0, "LBN": 755426.0}
    row = refugees.iloc[0]
    assert (row["geography_level"], row["ref_date"], row["origin_type"], row["unit"]) == (
        "country",
        "2024-12-31",
        "origin_country",
        "persons",
    )


def test_population_drops_zeros_and_keeps_scope(population_csv, cities):
    tidy = unhcr.build("unhcr_population", [population_csv], cities)
    assert (tidy["value"] > 0).all()
    assert "SWE" not in set(tidy["place_id"])
    diaspora = tidy[tidy["place_id"] == "DEU"]
    assert set(diaspora["definition_id"]) == {"registered_refugee", "asylum_seeker"}
    assert set(tidy["definition_id"]) <= set(unhcr.POPULATION_MEASURES.values())


def test_population_group_origins_and_notes(population_csv, cities):
    tidy = unhcr.build("unhcr_population", [population_csv], cities)
    groups = tidy[tidy["origin_type"] == "origin_group"]
    assert set(groups["origin"]) == {"UNK", "XXA"}
    returned = tidy[tidy["definition_id"] == "returned_refugee"]
    assert returned["note"].str.contains("returned to their country of origin").all()
    unknown = tidy[tidy["place_id"] == "UNK"]
    assert unknown["note"].str.startswith("Country of asylum unknown").all()
    assert unknown["note"].str.contains("returned").all()


# --- harmonise: demographics --------------------------------------------------------------------


@pytest.fixture()
def demographics(demographics_csv, cities):
    tidy = unhcr.build("unhcr_demographics", [demographics_csv], cities)
    validate_tidy(tidy, "unhcr_demographics")
    return tidy


def test_demographics_merges_label_variants_into_city_place(demographics):
    amman = demographics[demographics["place_id"] == "JOR-amman"]
    assert set(amman["city_id"]) == {"amman"}
    assert set(amman["geography_level"]) == {"governorate"}
    assert set(amman["place_name"]) == {"Amman [Admin 1]"}
    assert set(amman["period"]) == {"2010", "2023", "2024"}
    old = amman[amman["period"] == "2023"]
    assert old["note"].str.contains("UNHCR location label 'Amman : Governorate'").all()
    syrians = old[(old["origin"] == "SYR") & (old["sex"] == "total") & (old["definition_id"] == "registered_refugee")]
    assert syrians["value"].tolist() == [191838.0]


def test_demographics_city_places_keep_sex_and_age_detail(demographics):
    amman = demographics[(demographics["place_id"] == "JOR-amman") & (demographics["period"] == "2023")]
    assert {"female", "male", "total"} == set(amman["sex"])
    assert {"Y0-4", "Y5-11", "Y12-17", "Y18-59", "Y60-MAX", "UNK", "total"} >= set(amman["age"])
    assert "Y60-MAX" in set(amman.loc[amman["sex"] == "male", "age"])
    irbid = demographics[demographics["place_id"] == "JOR-irbid"]
    assert set(zip(irbid["sex"], irbid["age"], strict=True)) == {("total", "total")}
    assert set(irbid["city_id"]) == {""}


def test_demographics_zero_cells_and_missing_breakdowns_give_no_rows(demographics):
    assert (demographics["value"] > 0).all()
    old = demographics[(demographics["place_id"] == "JOR-amman") & (demographics["period"] == "2010")]
    assert set(old["sex"]) == {"total"}


def test_demographics_place_kinds(demographics):
    levels = dict(zip(demographics["place_id"], demographics["geography_level"], strict=False))
    assert levels["JOR-zaatari-camp"] == "camp"
    assert levels["LBN-beirut-district"] == "district"
    assert levels["LBN-beirut"] == "governorate"
    assert levels["LBN-dispersed"] == "location"
    assert levels["JOR-dahuk"] == "location"
    assert levels["MAR-rabat-point"] == "location"
    assert "TUN-tunis-point" not in levels
    rabat = demographics[demographics["place_id"] == "MAR-rabat-point"]
    assert set(rabat["period"]) == {"2009", "2011"}
    assert levels["TUN-sidi-bouzid"] == "governorate"
    assert "DEU-dispersed" not in levels


def test_demographics_beirut_district_variants_belong_to_beirut(demographics):
    district = demographics[demographics["place_id"] == "LBN-beirut-district"]
    assert set(district["city_id"]) == {"beirut"}
    assert set(district["period"]) == {"2012", "2024"}
    tunis = demographics[demographics["place_id"] == "TUN-tunis"]
    assert set(tunis["period"]) == {"2011", "2012", "2020", "2025"}
    assert set(tunis["city_id"]) == {"tunis"}
    assert tunis.loc[tunis["period"] == "2011", "note"].str.contains("'Tunis : Point'").all()


def test_demographics_shared_keys_keep_settlement_categories(demographics):
    beirut = demographics[
        (demographics["place_id"] == "LBN-beirut-district") & (demographics["period"] == "2024")
    ]
    totals = beirut[(beirut["sex"] == "total") & (beirut["age"] == "total")]
    assert dict(zip(totals["category"], totals["value"], strict=True)) == {
        "settlement:I-R": 7766.0,
        "settlement:I-U": 1210.0,
        "settlement:U-V": 2504.0,
    }
    assert not beirut["category"].eq("total").any()
    assert not demographics.duplicated(list(KEY_COLUMNS)).any()


def test_demographics_notes_and_flags(demographics):
    def first(place, period):
        rows = demographics[(demographics["place_id"] == place) & (demographics["period"] == period)]
        return rows.iloc[0]

    assert "Iraq" in first("JOR-dahuk", "2023")["note"] and first("JOR-dahuk", "2023")["flag"] == "u"
    assert first("LBN-beirut", "2016")["flag"] == "u"
    assert first("LBN-beirut", "2024")["flag"] == "b"
    assert "not the country total" in first("LBN-dispersed", "2024")["note"]
    assert "corrected the 2025 asylum-seeker figures" in first("TUN-tunis", "2025")["note"]
    assert first("TUN-tunis", "2025")["flag"] == "x"  # superseded: never a headline


def test_parse_location_forms():
    assert unhcr_locations.parse_location("JOR", "Amman : Governorate") == ("governorate", "Amman", "amman")
    assert unhcr_locations.parse_location("JOR", "Al Aqaba [Admin 1]") == ("governorate", "Al Aqaba", "aqaba")
    assert unhcr_locations.parse_location("LBN", "Mont Liban : Mohafazat - Governorates")[2] == "mount-lebanon"
    assert unhcr_locations.parse_location("TUN", "Kebili Governorate")[0] == "governorate"
    assert unhcr_locations.parse_location("TUN", "Zarzis : Mutamadiyah - Delegation")[0] == "district"
    assert unhcr_locations.parse_location("JOR", "Zarqa: Azraq Camp") == ("camp", "Azraq Camp", "azraq-camp")
    assert unhcr_locations.parse_location("JOR", "Zarqa : Emirates Jordanian Camp (EJC)")[2] == "emirati-jordanian-camp"
    assert unhcr_locations.parse_location("MAR", "Rabat : Point") == ("point", "Rabat", "rabat")
    assert unhcr_locations.parse_location("LBN", "Beyrouth : Qadaa - District") == ("district", "Beyrouth", "beirut")
    assert unhcr_locations.parse_location("MAR", "Casablanca") == ("plain", "Casablanca", "casablanca")
    assert unhcr_locations.parse_location("ITA", unhcr_locations.DISPERSED_LABEL)[0] == "dispersed"


# --- harmonise: UNRWA ----------------------------------------------------------------------------


def test_unrwa_tidy_rows(unrwa_csv, cities):
    tidy = unhcr.build("unhcr_unrwa", [unrwa_csv], cities)
    validate_tidy(tidy, "unhcr_unrwa")
    assert set(tidy["definition_id"]) == {"palestine_refugee_unrwa"}
    assert set(tidy["origin"]) == {"total"}
    lebanon = tidy[tidy["place_id"] == "LBN"].set_index("period")
    assert lebanon.loc["2024", "value"] == 486269.0
    assert lebanon.loc["2024", "note"] == ""
    assert "reclassified" in lebanon.loc["2025", "note"]
    # issue 16 review: Beirut's key figures gave 228,274 with no flag while its note said to check it
    assert lebanon.loc["2025", "flag"] == "u" and lebanon.loc["2024", "flag"] == ""
    assert tidy.loc[tidy["place_id"] == "UNK", "geography_level"].tolist() == ["country"]
    assert set(tidy["ref_date"]) == {"2024-12-31", "2025-12-31"}


def test_build_reads_rda_like_csv(tmp_path, unrwa_csv, cities):
    rda = _write_rda(_unrwa_frame(), tmp_path / "unrwa.rda", "unrwa")
    pd.testing.assert_frame_equal(
        unhcr.build("unhcr_unrwa", [rda], cities), unhcr.build("unhcr_unrwa", [unrwa_csv], cities)
    )

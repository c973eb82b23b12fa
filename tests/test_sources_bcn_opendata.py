"""Tests for the Open Data BCN reader (Padró by world region of nationality and sex, by barri)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.ingest import read_tidy, write_tidy
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources import bcn_opendata

HEADER = "Data_Referencia,Codi_Districte,Nom_Districte,Codi_Barri,Nom_Barri,Valor,NACIONALITAT_REGIO,SEXE"
# Two barris of district 1 and one of district 2; year blocks out of order as in the mirror.
ROWS = [
    "2025-01-01,1,Ciutat Vella,1,el Raval,100,8,1",
    "2025-01-01,1,Ciutat Vella,1,el Raval,90,8,2",
    "2025-01-01,1,Ciutat Vella,1,el Raval,..,3,1",
    "2025-01-01,1,Ciutat Vella,1,el Raval,40,3,2",
    "2025-01-01,1,Ciutat Vella,1,el Raval,500,17,1",
    "2025-01-01,1,Ciutat Vella,2,el Barri Gòtic,7,8,1",
    "2025-01-01,1,Ciutat Vella,2,el Barri Gòtic,..,16,2",
    "2025-01-01,2,Eixample,7,la Dreta de l'Eixample,..,16,2",
    "2024-01-01,1,Ciutat Vella,1,el Raval,95,8,1",
]

CODE_LIST = [
    "Codi_Dimensio,Desc_Dimensio,Codi_Valor,Desc_Valor_CA,Desc_Valor_ES,Desc_Valor_EN",
    "1,SEXE,1,Dona,Mujer,Female",
    "1,SEXE,2,Home,Hombre,Male",
    "8,NACIONALITAT_REGIO,3,Àfrica septentrional,África septentrional,Northern Africa",
    "8,NACIONALITAT_REGIO,8,Amèrica del sud,América del sur,South America",
    "8,NACIONALITAT_REGIO,16,Europa septentrional,Europa septentrional,Northern Europe",
    "8,NACIONALITAT_REGIO,17,Europa meridional,Europa meridional,Southern Europe",
    "13,NACIONALITAT_PAIS,108,Espanya,España,Spain",
]


def _cities() -> dict[str, City]:
    return {
        "barcelona": City.model_validate(
            {
                "city_id": "barcelona",
                "names": {"en": "Barcelona", "fr": "Barcelone", "ar": "برشلونة"},
                "local_language": "ca",
                "country_iso3": "ESP",
                "country_names": {"en": "Spain", "fr": "Espagne", "ar": "إسبانيا"},
                "shore": "north",
                "codes": {"opendata_bcn": ["Barcelona"], "ine_municipality": ["08019"]},
                "city_geography": "municipality",
            }
        )
    }


def _write(tmp_path: Path, lines: list[str], name: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _files(tmp_path: Path, rows: list[str] = ROWS, codes: list[str] = CODE_LIST) -> list[Path]:
    return [_write(tmp_path, [HEADER, *rows], "padro.csv"), _write(tmp_path, codes, "codes.csv")]


def _build(tmp_path: Path, **kwargs) -> pd.DataFrame:
    return bcn_opendata.build(bcn_opendata.SOURCE_ID, _files(tmp_path, **kwargs), _cities())


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    rows = frame
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_build_is_valid_tidy_data(tmp_path):
    frame = _build(tmp_path)
    validate_tidy(frame, "fixture")
    assert list(frame.columns) == list(TIDY_COLUMNS)
    assert set(frame["city_id"]) == {"barcelona"}
    assert set(frame["geography_level"]) == {"neighbourhood", "district", "municipality"}


def test_read_keeps_suppressed_cells_apart_from_values(tmp_path):
    padro, codes = _files(tmp_path)
    raw = bcn_opendata.read_nationality_region(padro, bcn_opendata.read_code_list(codes))
    assert len(raw) == len(ROWS)
    assert raw["suppressed"].sum() == 3
    assert raw.loc[raw["suppressed"], "value"].isna().all()
    assert raw.loc[~raw["suppressed"], "value"].notna().all()


def test_suppressed_cell_is_missing_with_flag_s_not_zero(tmp_path):
    frame = _build(tmp_path)
    cell = _one(frame, place_id="ES-08019-B01", origin="BCN_NORTHERN_AFRICA", sex="female", period="2025")
    assert pd.isna(cell["value"])
    assert cell["flag"] == "s"
    assert not ((frame["value"] == 0) & (frame["geography_level"] == "neighbourhood")).any()


def test_suppressed_cell_survives_writing_and_reading(tmp_path):
    frame = _build(tmp_path)
    table = read_tidy(write_tidy(frame, tmp_path, bcn_opendata.SOURCE_ID))
    validate_tidy(table, "written")
    assert table["value"].isna().sum() == frame["value"].isna().sum() > 0
    assert table.loc[table["value"].isna(), "flag"].str.contains("s").all()


def test_district_sums_leave_suppressed_cells_out_and_say_so(tmp_path):
    frame = _build(tmp_path)
    south_america = _one(frame, place_id="ES-08019-D01", origin="BCN_SOUTH_AMERICA", sex="female", period="2025")
    assert south_america["value"] == 107 and south_america["flag"] == "c"
    northern_europe = _one(frame, place_id="ES-08019-D01", origin="BCN_NORTHERN_EUROPE", sex="male", period="2025")
    assert pd.isna(northern_europe["value"]) and northern_europe["flag"] == "cs"
    north_africa = _one(frame, place_id="ES-08019-D01", origin="BCN_NORTHERN_AFRICA", sex="female", period="2025")
    assert pd.isna(north_africa["value"]) and north_africa["flag"] == "cs"  # its only cell is withheld: not 0
    assert "1 suppressed" in north_africa["note"]


def test_sex_comes_from_the_code_list_one_is_female(tmp_path):
    frame = _build(tmp_path)
    assert _one(frame, place_id="ES-08019-B01", origin="BCN_SOUTH_AMERICA", sex="female", period="2025")["value"] == 100
    assert _one(frame, place_id="ES-08019-B01", origin="BCN_SOUTH_AMERICA", sex="male", period="2025")["value"] == 90


def test_sex_follows_a_changed_code_list(tmp_path):
    swapped = [CODE_LIST[0], "1,SEXE,1,Home,Hombre,Male", "1,SEXE,2,Dona,Mujer,Female", *CODE_LIST[3:]]
    frame = _build(tmp_path, codes=swapped)
    assert _one(frame, place_id="ES-08019-B01", origin="BCN_SOUTH_AMERICA", sex="male", period="2025")["value"] == 100


def test_no_foreign_nationals_are_made_from_total_minus_spain(tmp_path):
    frame = _build(tmp_path)
    assert not frame["definition_id"].isin(["foreign_nationality", "national_citizens"]).any()
    assert set(frame["definition_id"]) == {"total_population", "non_european_nationality", "european_or_unrecorded_nationality"}
    spain = frame[frame["origin"] == bcn_opendata.SPAIN_REGION]
    assert (spain["flag"].str.contains("d")).all() and spain["note"].str.contains("Spanish nationals").all()


def test_non_european_nationality_sums_regions_outside_europe_only(tmp_path):
    frame = _build(tmp_path)
    raval = _one(frame, place_id="ES-08019-B01", definition_id="non_european_nationality", sex="male", period="2025")
    assert raval["value"] == 90 + 40  # South America + Northern Africa; Southern Europe (Spain) left out
    female = _one(frame, place_id="ES-08019-B01", definition_id="non_european_nationality", sex="female", period="2025")
    assert female["value"] == 100 and "1 suppressed" in female["note"]
    assert (frame.loc[frame["definition_id"] == "non_european_nationality", "origin"] == "total").all()


def test_sex_totals_sum_the_published_cells_of_both_sexes(tmp_path):
    frame = _build(tmp_path)
    raval = _one(frame, place_id="ES-08019-B01", definition_id="total_population", origin="total", sex="total", period="2025")
    assert raval["value"] == 100 + 90 + 40 + 500 and raval["flag"] == "c" and "1 suppressed" in raval["note"]
    non_european = _one(frame, place_id="ES-08019-B01", definition_id="non_european_nationality", sex="total", period="2025")
    assert non_european["value"] == 100 + 90 + 40
    rest = _one(frame, place_id="ES-08019-B01", definition_id="european_or_unrecorded_nationality", sex="total", period="2025")
    assert rest["value"] == 500  # Southern Europe (Spanish nationals included)
    assert non_european["value"] + rest["value"] == raval["value"]


def test_a_sum_whose_cells_are_all_suppressed_is_empty_not_zero(tmp_path):
    frame = _build(tmp_path)
    dreta = _one(frame, place_id="ES-08019-B07", definition_id="total_population", origin="total", sex="total", period="2025")
    assert pd.isna(dreta["value"]) and dreta["flag"] == "cs"
    assert not (frame["flag"].str.contains("s") & frame["value"].notna()).any()


def test_municipality_rows_are_the_sums_of_the_barris(tmp_path):
    frame = _build(tmp_path)
    city = _one(frame, place_id="ES-08019", definition_id="total_population", origin="total", sex="total", period="2025")
    assert city["geography_level"] == "municipality" and city["place_name"] == "Barcelona"
    assert city["value"] == 100 + 90 + 40 + 500 + 7
    south_america = _one(frame, place_id="ES-08019", origin="BCN_SOUTH_AMERICA", sex="female", period="2025")
    assert south_america["value"] == 107


def test_place_ids_pad_codes_and_name_places(tmp_path):
    frame = _build(tmp_path)
    assert _one(frame, place_id="ES-08019-B07", origin="BCN_NORTHERN_EUROPE", sex="male", period="2025")["place_name"] == "la Dreta de l'Eixample"
    assert "ES-08019-D02" in set(frame["place_id"])


def test_changed_layout_is_refused_naming_file_and_column(tmp_path):
    renamed = HEADER.replace("NACIONALITAT_REGIO", "NACIONALITAT_REGIO_2")
    padro = _write(tmp_path, [renamed, *ROWS], "padro.csv")
    codes = _write(tmp_path, CODE_LIST, "codes.csv")
    with pytest.raises(SourceFormatError, match=r"padro\.csv.*'NACIONALITAT_REGIO'"):
        bcn_opendata.build(bcn_opendata.SOURCE_ID, [padro, codes], _cities())


def test_changed_code_list_layout_is_refused_naming_file_and_column(tmp_path):
    codes = [CODE_LIST[0].replace("Desc_Valor_EN", "Desc_Valor_EN_GB"), *CODE_LIST[1:]]
    with pytest.raises(SourceFormatError, match=r"codes\.csv.*'Desc_Valor_EN'"):
        _build(tmp_path, codes=codes)


def test_a_value_that_is_not_a_count_names_line_and_column(tmp_path):
    rows = [*ROWS[:2], "2025-01-01,1,Ciutat Vella,1,el Raval,n/a,3,1"]
    with pytest.raises(SourceFormatError, match=r"padro\.csv, line 4, column 'Valor'"):
        _build(tmp_path, rows=rows)


def test_a_region_missing_from_the_code_list_is_an_error(tmp_path):
    rows = [*ROWS, "2025-01-01,1,Ciutat Vella,1,el Raval,12,12,1"]
    with pytest.raises(SourceFormatError, match=r"column 'NACIONALITAT_REGIO': code '12'"):
        _build(tmp_path, rows=rows)


def test_a_cell_given_twice_is_an_error(tmp_path):
    with pytest.raises(SourceFormatError, match="appears twice"):
        _build(tmp_path, rows=[*ROWS, ROWS[0]])


def test_a_date_other_than_1_january_is_an_error(tmp_path):
    with pytest.raises(SourceFormatError, match="Data_Referencia"):
        _build(tmp_path, rows=[ROWS[0].replace("2025-01-01", "2025-07-01")])


def test_build_needs_both_files_and_its_source_id(tmp_path):
    padro, codes = _files(tmp_path)
    with pytest.raises(ConfigError, match="two files"):
        bcn_opendata.build(bcn_opendata.SOURCE_ID, [padro], _cities())
    with pytest.raises(ConfigError, match="does not build"):
        bcn_opendata.build("other", [padro, codes], _cities())


def test_a_city_without_opendata_bcn_code_is_an_error(tmp_path):
    city = _cities()["barcelona"]
    other = {"barcelona": city.model_copy(update={"codes": {"ine_municipality": ["08019"]}})}
    with pytest.raises(SourceFormatError, match="opendata_bcn"):
        bcn_opendata.build(bcn_opendata.SOURCE_ID, _files(tmp_path), other)


def test_build_is_deterministic(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_tidy(_build(tmp_path), tmp_path / "a", bcn_opendata.SOURCE_ID)
    second = write_tidy(_build(tmp_path), tmp_path / "b", bcn_opendata.SOURCE_ID)
    assert first.read_bytes() == second.read_bytes()

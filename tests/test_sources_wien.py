"""Tests for the Stadt Wien OGD reader (district population by sex, age and origin)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources import wien

TITLE = (
    "Bevölkerung nach Geschlecht, 5 jährigen Altersgruppen und Herkunft seit 2002 - Bezirke Wien | "
    "Population by sex, 5-year age groups and origin since 2002 - districts of Vienna;;;;;;;;;;"
)
HEADER = "NUTS;DISTRICT_CODE;SUB_DISTRICT_CODE;REF_YEAR;REF_DATE;SEX;AGE5;AUT;EEA;REU;TCN"
ROWS = [
    "AT13;90100;90100;2002;20020101;1;1;250;35;19;16",
    "AT13;90100;90100;2002;20020101;2;17;900;40;;12",
    "AT13;92300;92300;2022;20220101;1;2;1200;150;80;60",
]


def _city() -> dict[str, City]:
    return {
        "vienna": City.model_validate(
            {
                "city_id": "vienna",
                "names": {"en": "Vienna", "fr": "Vienne", "ar": "فيينا"},
                "local_language": "de",
                "country_iso3": "AUT",
                "country_names": {"en": "Austria", "fr": "Autriche", "ar": "النمسا"},
                "shore": "north",
                "codes": {"wien_nuts": ["AT13"]},
                "city_geography": "city",
            }
        )
    }


def _write(tmp_path: Path, lines: list[str], name: str = "wien.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _assert_tidy(frame: pd.DataFrame) -> None:
    validate_tidy(frame, "fixture")
    assert list(frame.columns) == list(TIDY_COLUMNS)


def test_read_is_long_by_origin_and_skips_empty_cells(tmp_path):
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *ROWS]))
    assert len(raw) == 3 * 4 - 1
    assert set(raw["ORIGIN"]) == {"AUT", "EEA", "REU", "TCN"}
    row = raw[(raw["DISTRICT_CODE"] == "90100") & (raw["SEX"] == "1") & (raw["ORIGIN"] == "EEA")]
    assert row["VALUE"].tolist() == [35.0]
    assert raw.loc[raw["AGE5"] == "17", "ORIGIN"].tolist() == ["AUT", "EEA", "TCN"]


def test_harmonise_maps_places_groups_sex_and_age(tmp_path):
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *ROWS]))
    tidy = wien.harmonise_population_origin(raw, _city())
    _assert_tidy(tidy)
    first = tidy[(tidy["place_id"] == "AT-90100") & (tidy["age"] == "Y0-4")]
    assert set(first["sex"]) == {"male"}
    assert set(first["ref_date"]) == {"2002-01-01"}
    aut = first[first["definition_id"] == "austrian_origin_wien"]
    assert aut[["origin", "origin_type", "value"]].values.tolist() == [["total", "", 250.0]]
    foreign = first[first["definition_id"] == "foreign_origin_wien"].set_index("origin")["value"]
    assert foreign.to_dict() == {"WIEN_EEA": 35.0, "WIEN_REU": 19.0, "WIEN_TCN": 16.0}
    assert set(tidy.loc[tidy["origin"] != "total", "origin_type"]) == {"origin_group"}
    old = tidy[tidy["age"] == "Y80-MAX"]
    assert set(old["sex"]) == {"female"}
    liesing = tidy[tidy["place_id"] == "AT-92300"]
    assert set(liesing["place_name"]) == {"Liesing"}
    assert set(liesing["age"]) == {"Y5-9"}
    assert set(tidy["city_id"]) == {"vienna"}
    assert set(tidy["geography_level"]) == {"district"}
    assert tidy["value"].sum() == pytest.approx(250 + 35 + 19 + 16 + 900 + 40 + 12 + 1200 + 150 + 80 + 60)


def test_build_rejects_other_source(tmp_path):
    with pytest.raises(ConfigError, match="does not build source"):
        wien.build("other", [_write(tmp_path, [TITLE, HEADER, *ROWS])], _city())


def test_missing_title_line_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="row 1"):
        wien.read_population_origin(_write(tmp_path, [HEADER, *ROWS]))


def test_renamed_column_is_loud(tmp_path):
    header = HEADER.replace("TCN", "NONEU")
    with pytest.raises(SourceFormatError, match="TCN"):
        wien.read_population_origin(_write(tmp_path, [TITLE, header, *ROWS]))


def test_bad_number_names_line_and_column(tmp_path):
    rows = [*ROWS[:2], ROWS[2].replace(";80;", ";8o;")]
    with pytest.raises(SourceFormatError, match=r"line 5, column 'REU'"):
        wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *rows]))


def test_unknown_district_is_loud(tmp_path):
    rows = [ROWS[0].replace("90100;90100", "92400;92400")]
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *rows]))
    with pytest.raises(SourceFormatError, match="92400"):
        wien.harmonise_population_origin(raw, _city())


def test_nuts_code_not_in_registry_is_loud(tmp_path):
    rows = [ROWS[0].replace("AT13", "AT12")]
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *rows]))
    with pytest.raises(SourceFormatError, match="AT12"):
        wien.harmonise_population_origin(raw, _city())


def test_unknown_sex_code_is_loud(tmp_path):
    rows = [ROWS[0].replace(";20020101;1;1;", ";20020101;3;1;")]
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *rows]))
    with pytest.raises(SourceFormatError, match="SEX"):
        wien.harmonise_population_origin(raw, _city())


def test_date_not_of_the_year_is_loud(tmp_path):
    rows = [ROWS[0].replace("20020101", "20030101")]
    raw = wien.read_population_origin(_write(tmp_path, [TITLE, HEADER, *rows]))
    with pytest.raises(SourceFormatError, match="REF_DATE"):
        wien.harmonise_population_origin(raw, _city())


def test_header_only_file_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="no data rows"):
        wien.read_population_origin(_write(tmp_path, [TITLE, HEADER]))


def test_age_bands_cover_seventeen_groups():
    assert wien.AGE_BANDS["1"] == "Y0-4"
    assert wien.AGE_BANDS["16"] == "Y75-79"
    assert wien.AGE_BANDS["17"] == "Y80-MAX"
    assert len(wien.AGE_BANDS) == 17
    assert len(wien.DISTRICT_NAMES) == 23

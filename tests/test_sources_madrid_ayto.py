"""Tests for the Ayuntamiento de Madrid reader on a small workbook that mimics table C4210722."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City, Names
from workbench.tidy.schemas import validate_tidy
from workbench.tidy.sources import madrid_ayto

TITLE = (
    "DEMOGRAFÍA Y POBLACIÓN. POBLACIÓN EXTRANJERA. POBLACIÓN SEGÚN NACIONALIDAD A 1 DE JULIO DE 2022 "
    "(DATOS PROVISIONALES)"
)
SOURCE_ID = "madrid_ayto_nationality_2022"


def write_table(path: Path, rows: list[list[object]], sheet: str = "C4210722") -> Path:
    """Write rows (None = empty cell) to a one-sheet workbook."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def table_rows(
    codes: list[object] | None = None, body: list[list[object]] | None = None, title: str = TITLE
) -> list[list[object]]:
    """Heading, district codes, area names (city, district 01 with two barrios, district 02 with one)."""
    codes = codes if codes is not None else [None, "País de nacionalidad", None, "01. ", None, None, "02.", None]
    names = [None, None, "Ciudad de Madrid", "Centro", "\nPalacio", "Casa de \nCampo", "Fuencarral-\nEl Pardo", "Fuentela-\nrreina"]
    body = body if body is not None else [
        [None, "Total ", 1000, 600, 250, 350, 400, 400],
        [None, "España", 800, 450, 200, 250, 350, 350],
        [None, "Otro país", 195, 150, 50, 100, 50, 50],
        [None, "% de extranjeros", 19.5, 25.0, 20.0, 28.571428571428573, 12.5, 12.5],
        [None],
        [None, "Venezuela", 100, 80, 30, 50, 20, 20],
        [None, "Estados Unidos de América", 60, 50, 20, 30, 10, 10],
        [None],
        [None, "Resto de países (1)", 35, 20, None, 20, 20, 20],
    ]
    return [
        [None],
        ["Acceso a \nBanco Datos", title],
        ["Índice"],
        ["Datos", "7. Población por País de nacionalidad según Distrito y Barrio de residencia"],
        codes,
        names,
        [None],
        *body,
        [None],
        [None, "NOTAS: El 'Total' de la población de la Ciudad de Madrid incluye 'Apátridas'"],
        [None, "               (1) Países con menos de 1.500 residentes en la Ciudad de Madrid"],
        [None, "FUENTE: Elaboración propia a partir del Padrón Municipal de Habitantes (datos provisionales)."],
    ]


@pytest.fixture
def cities() -> dict[str, City]:
    madrid = City(
        city_id="madrid",
        names=Names(en="Madrid", fr="Madrid", ar="مدريد"),
        local_language="es",
        country_iso3="ESP",
        country_names=Names(en="Spain", fr="Espagne", ar="إسبانيا"),
        shore="north",
        codes={"ine_municipality": ["28079"], "madrid_ayto_city_label": ["Ciudad de Madrid"]},
        city_geography="municipality",
    )
    return {"madrid": madrid}


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    return write_table(tmp_path / "C4210722.xlsx", table_rows())


def test_read_is_a_faithful_long_table(table_file: Path) -> None:
    raw = madrid_ayto.read_nationality_by_barrio(table_file)
    assert list(raw.columns) == ["title", "area_level", "district_code", "barrio_number", "area", "nationality", "value"]
    areas = raw.drop_duplicates("area")[["area_level", "district_code", "barrio_number", "area"]].values.tolist()
    assert areas == [
        ["ciudad", "", 0, "Ciudad de Madrid"],
        ["distrito", "01", 0, "Centro"],
        ["barrio", "01", 1, "\nPalacio"],
        ["barrio", "01", 2, "Casa de \nCampo"],
        ["distrito", "02", 0, "Fuencarral-\nEl Pardo"],
        ["barrio", "02", 1, "Fuentela-\nrreina"],
    ]
    assert "Resto de países (1)" in set(raw["nationality"])
    assert not raw["nationality"].str.startswith(("NOTAS", "FUENTE")).any()
    palacio_rest = raw[(raw["area"] == "\nPalacio") & (raw["nationality"] == "Resto de países (1)")]
    assert palacio_rest.empty


def test_build_places_definitions_and_flags(table_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_ayto.build(SOURCE_ID, [table_file], cities)
    validate_tidy(tidy, "test")
    places = tidy.drop_duplicates("place_id").set_index("place_id")
    assert places["geography_level"].to_dict() == {
        "ES-28079": "municipality",
        "ES-28079-B011": "neighbourhood",
        "ES-28079-B012": "neighbourhood",
        "ES-28079-B021": "neighbourhood",
        "ES-28079-D01": "district",
        "ES-28079-D02": "district",
    }
    assert places.loc["ES-28079-B011", "place_name"] == "Palacio"
    assert places.loc["ES-28079-B012", "place_name"] == "Casa de Campo"
    assert places.loc["ES-28079-D02", "place_name"] == "Fuencarral-El Pardo"
    assert places.loc["ES-28079-B021", "place_name"] == "Fuentelarreina"
    assert set(tidy["city_id"]) == {"madrid"}
    assert set(tidy["flag"]) == {"p"}
    assert set(tidy["ref_date"]) == {"2022-07-01"} and set(tidy["period"]) == {"2022"}
    city = tidy[tidy["place_id"] == "ES-28079"]
    by_key = {(r.indicator_id, r.definition_id, r.origin): r.value for r in city.itertuples()}
    assert by_key[("population", "total_population", "total")] == 1000
    assert by_key[("population", "national_citizens", "total")] == 800
    assert by_key[("population", "foreign_nationality", "total")] == 195
    assert by_key[("population_share", "foreign_nationality", "total")] == 19.5
    assert by_key[("population", "foreign_nationality", "VEN")] == 100
    assert by_key[("population", "foreign_nationality", "USA")] == 60
    assert by_key[("population", "foreign_nationality", "ES_RESTO_PAISES_LT1500")] == 35
    share = city[city["indicator_id"] == "population_share"].iloc[0]
    assert share["unit"] == "percent"
    rest = city[city["origin"] == "ES_RESTO_PAISES_LT1500"].iloc[0]
    assert rest["origin_type"] == "citizenship_group"
    total = city[city["definition_id"] == "total_population"].iloc[0]
    assert "stateless" in total["note"]


def test_heading_without_provisional_gives_no_flag(tmp_path: Path, cities: dict[str, City]) -> None:
    title = "DEMOGRAFÍA Y POBLACIÓN. POBLACIÓN SEGÚN NACIONALIDAD A 1 DE ENERO DE 2023"
    path = write_table(tmp_path / "x.xlsx", table_rows(title=title))
    tidy = madrid_ayto.build(SOURCE_ID, [path], cities)
    assert set(tidy["flag"]) == {""} and set(tidy["ref_date"]) == {"2023-01-01"}


def test_heading_without_date_is_an_error(tmp_path: Path, cities: dict[str, City]) -> None:
    path = write_table(tmp_path / "x.xlsx", table_rows(title="POBLACIÓN SEGÚN NACIONALIDAD (DATOS PROVISIONALES)"))
    with pytest.raises(SourceFormatError, match="no reference date"):
        madrid_ayto.build(SOURCE_ID, [path], cities)


def test_unknown_country_is_an_error_naming_it(tmp_path: Path, cities: dict[str, City]) -> None:
    body = [[None, "Total ", 1, 1, 1, None, 1, 1], [None, "Freedonia", 1, 1, 1, None, 1, 1]]
    path = write_table(tmp_path / "x.xlsx", table_rows(body=body))
    with pytest.raises(SourceFormatError, match="Freedonia"):
        madrid_ayto.build(SOURCE_ID, [path], cities)


def test_city_label_not_in_registry_is_an_error(table_file: Path, cities: dict[str, City]) -> None:
    other = {"madrid": cities["madrid"].model_copy(update={"codes": {"ine_municipality": ["28079"]}})}
    with pytest.raises(SourceFormatError, match="madrid_ayto_city_label"):
        madrid_ayto.build(SOURCE_ID, [table_file], other)


def test_bad_district_code_is_an_error(tmp_path: Path) -> None:
    codes = [None, "País de nacionalidad", None, "Distrito 1", None, None, "02.", None]
    path = write_table(tmp_path / "x.xlsx", table_rows(codes=codes))
    with pytest.raises(SourceFormatError, match=r"row 5, column 'D'.*district code"):
        madrid_ayto.read_nationality_by_barrio(path)


def test_missing_header_is_an_error(tmp_path: Path) -> None:
    codes = [None, "Nacionalidad", None, "01.", None, None, "02.", None]
    path = write_table(tmp_path / "x.xlsx", table_rows(codes=codes))
    with pytest.raises(SourceFormatError, match="País de nacionalidad"):
        madrid_ayto.read_nationality_by_barrio(path)


def test_bad_number_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    body = [[None, "Total ", 1000, 600, "n.d.", 350, 400, 400]]
    path = write_table(tmp_path / "x.xlsx", table_rows(body=body))
    with pytest.raises(SourceFormatError, match=r"row 8, column 'E'.*n\.d\."):
        madrid_ayto.read_nationality_by_barrio(path)


def test_wrong_sheet_is_an_error(tmp_path: Path) -> None:
    path = write_table(tmp_path / "x.xlsx", table_rows(), sheet="Hoja1")
    with pytest.raises(SourceFormatError, match="C4210722"):
        madrid_ayto.read_nationality_by_barrio(path)


def test_build_rejects_other_sources(table_file: Path, cities: dict[str, City]) -> None:
    with pytest.raises(ConfigError, match="does not build source"):
        madrid_ayto.build("madrid_ayto_other", [table_file], cities)

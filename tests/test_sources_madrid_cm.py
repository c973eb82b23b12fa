"""Tests for the Comunidad de Madrid readers on small workbooks that mimic the published layouts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import xlwt
import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City, Names
from workbench.tidy.schemas import validate_tidy
from workbench.tidy.sources import madrid_cm, madrid_cm_flows, madrid_cm_padron, madrid_cm_series

NATIONALITY_TITLE = "Nacidos en el extranjero  por Municipio de residencia según País de nacionalidad"
AGE_TITLE = (
    "Nacidos en el extranjero  por Municipio de residencia y Grupos quinquenales de edad "
    "según Subcontinente de nacimiento"
)
REGION_TITLE = "Población total  por Municipio de residencia según Subcontinente de nacimiento"


def write_sheet(path: Path, rows: list[list[object]], sheet: str = "Sheet 1") -> Path:
    """Write rows (None = empty cell) to a one-sheet workbook: legacy ``.xls`` (as the data bank
    publishes) when the name ends in .xls, else ``.xlsx``."""
    if path.suffix == ".xls":
        book = xlwt.Workbook()
        ws = book.add_sheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
        book.save(str(path))
        return path
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def padron_head(title: str, header: list[object]) -> list[list[object]]:
    """Title block of the data-bank exports: four blank rows, edition, title, 'Personas', header."""
    return [[None], [None], [None], [None], ["Padrón Continuo. 2021"], [title], [None], [None], ["Personas"], header]


@pytest.fixture
def cities() -> dict[str, City]:
    madrid = City(
        city_id="madrid",
        names=Names(en="Madrid", fr="Madrid", ar="مدريد"),
        local_language="es",
        country_iso3="ESP",
        country_names=Names(en="Spain", fr="Espagne", ar="إسبانيا"),
        shore="north",
        codes={
            "madrid_iecm_municipality": ["0796"],
            "madrid_iecm_municipality_name": ["Madrid"],
            "ine_municipality": ["28079"],
        },
        city_geography="municipality",
    )
    return {"madrid": madrid}


@pytest.fixture
def nationality_file(tmp_path: Path) -> Path:
    header = [None, None, "Total País de nacionalidad", "España", "Marruecos", "Belgica", "Otros países de Europa", "Apátridas"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 1000, 400, 300, 200, 60, 40],
        ["0014", "Acebeda (La)", 2, None, 2, None, None, None],
        ["0796", "Madrid", 500, 200, 150, 100, 30, 20],
        [None],
        [None],
    ]
    return write_sheet(tmp_path / "nacionalidad.xls", rows)


@pytest.fixture
def age_file(tmp_path: Path) -> Path:
    header = [None, None, None, "Total Subcontinente de nacimiento", "Unión Europea ", "África", "Apátridas"]
    rows = padron_head(AGE_TITLE, header) + [
        [None, "Total Municipio de residencia", "Total Grupos quinquenales de edad", 100, 60, 39, 1],
        [None, None, "De 0 a 4 años", 30, 20, 10, None],
        [None, None, "De 100 y más años", 70, 40, 29, 1],
        ["0796", "Madrid", "Total Grupos quinquenales de edad", 50, 30, 20, None],
        ["0796", None, "De 0 a 4 años", 10, 5, 5, None],
        ["0796", None, "De 100 y más años", 40, 25, 15, None],
        ["0014", "Acebeda (La)", "Total Grupos quinquenales de edad", 1, 1, None, None],
        ["0014", None, "De 0 a 4 años", None, None, None, None],
    ]
    return write_sheet(tmp_path / "edad.xls", rows)


@pytest.fixture
def region_file(tmp_path: Path) -> Path:
    header = [None, None, "Total Subcontinente de nacimiento", "Unión Europea ", "Resto de Europa", "América del Sur"]
    rows = padron_head(REGION_TITLE, header) + [
        [None, "Total Municipio de residencia", 6000, 5000, 600, 400],
        ["0796", "Madrid", 3000, 2500, 300, 200],
    ]
    return write_sheet(tmp_path / "region.xls", rows)


@pytest.fixture
def series_file(tmp_path: Path) -> Path:
    rows = [
        [None],
        [None],
        [None],
        ["Población empadronada por zonas estadísticas y por municipios (1)"],
        [None],
        [None, 1985, 1986, 1991, 1996, 1998, 2022],
        [None],
        ["Comunidad de Madrid", 4916426, 4780572, 4947555, 5022289, 5091336, 6750336],
        [None],
        ["Municipio de Madrid", 3208843, 3058182, 3010492, 2866850, 2881506, 3280782],
        ["Norte Metropolitano", 149689, 160498, 186415, 215718, 225711, 353626],
        [None],
        ["Acebeda (La)", 64, 63, 57, 53, 47, 62],
        ["Madrid", 3208843, 3058182, 3010492, 2866850, 2881506, 3280782],
        ["Tres Cantos (2)", None, None, 20000, 30000, 32000, 48000],
        [None],
        [None],
        ["(1) Año 1985 Rectificación del Padrón Municipal de Habitantes. Fecha de referencia a 31 de diciembre."],
        ["    Año 1986 Padrón Municipal de Habitantes. Fecha de referencia 1 de abril."],
        ["    Año 1991 Censo de Población. Fecha de referencia 1 de marzo."],
        ["    Año 1996 Padrón Municipal de Habitantes. Fecha de referencia 1 de marzo."],
        ["    A partir de 1998 la fecha de referencia es siempre 1 de enero de cada año."],
        ["(2) Se desgrega de Colmenar Viejo en 1991."],
        [None],
        ["Fuente: Dirección General de Economía. Comunidad de Madrid."],
    ]
    return write_sheet(tmp_path / "serie.xls", rows, sheet="Hoja1")


@pytest.fixture
def flows_file(tmp_path: Path) -> Path:
    rows = [
        [None],
        [None],
        [None],
        ["Inmigrantes extranjeros por continente y país de procedencia"],
        [None],
        [None, 2020, 2021],
        [None],
        ["Total", 100, 120],
        [None],
        ["Europa", 60, 70],
        ["    Francia", 25, 30],
        ["    Otros países", 35, 40],
        [None],
        [" Asia", 10, 12],
        [None],
        ["África", 30, 38],
        ["    Marruecos", 20, None],
        ["    Otros países", 10, 13],
        [None],
        [None],
        ["Fuente: Estadística del Movimiento Migratorio de la Comunidad de Madrid."],
    ]
    return write_sheet(tmp_path / "anu2-3-5.xls", rows, sheet="Hoja1")


def value(frame, **where) -> float:
    """The one value of the tidy rows matching ``where``."""
    mask = True
    for column, wanted in where.items():
        mask = mask & (frame[column] == wanted)
    rows = frame[mask]
    assert len(rows) == 1, rows
    return rows["value"].iloc[0]


# --- foreign-born by nationality ----------------------------------------------------------------


def test_read_foreign_born_nationality_is_a_faithful_long_table(nationality_file: Path) -> None:
    raw = madrid_cm_padron.read_foreign_born_nationality(nationality_file)
    assert list(raw.columns) == ["edition", "municipality_code", "municipality", "nationality", "value"]
    assert set(raw["edition"]) == {"Padrón Continuo. 2021"}
    acebeda = raw[raw["municipality_code"] == "0014"]
    assert dict(zip(acebeda["nationality"], acebeda["value"])) == {"Total País de nacionalidad": 2, "Marruecos": 2}
    total = raw[raw["municipality"] == "Total Municipio de residencia"]
    assert set(total["municipality_code"]) == {""}


def test_build_foreign_born_nationality(nationality_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_cm.build("cm_padron_foreign_born_nationality_2021", [nationality_file], cities)
    validate_tidy(tidy, "test")
    assert set(tidy["place_id"]) == {"ES-28079", "ES30"}
    assert value(tidy, place_id="ES-28079", origin="total") == 500
    assert value(tidy, place_id="ES30", origin="total") == 1000
    spain = tidy[(tidy["place_id"] == "ES-28079") & (tidy["origin"] == "ESP")].iloc[0]
    assert (spain["value"], spain["origin_type"], spain["note"]) == (200, "citizenship", "Spanish nationals born abroad")
    assert value(tidy, place_id="ES-28079", origin="BEL") == 100
    groups = tidy[tidy["origin_type"] == "citizenship_group"]
    assert set(groups["origin"]) == {"ES_OTROS_EUROPA", "ES_APATRIDAS"}
    madrid = tidy[tidy["place_id"] == "ES-28079"].iloc[0]
    assert (madrid["city_id"], madrid["geography_level"], madrid["ref_date"]) == ("madrid", "municipality", "2021-01-01")
    region = tidy[tidy["place_id"] == "ES30"].iloc[0]
    assert (region["city_id"], region["geography_level"]) == ("", "nuts2")
    assert set(tidy["definition_id"]) == {"foreign_born"}


def test_unknown_country_name_is_an_error_naming_it(tmp_path: Path, cities: dict[str, City]) -> None:
    header = [None, None, "Total País de nacionalidad", "Ruritania"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 10, 10],
        ["0796", "Madrid", 5, 5],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="Ruritania"):
        madrid_cm.build("cm_padron_foreign_born_nationality_2021", [path], cities)


def test_missing_network_municipality_is_an_error(tmp_path: Path, cities: dict[str, City]) -> None:
    header = [None, None, "Total País de nacionalidad", "España"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 10, 10],
        ["0014", "Acebeda (La)", 5, 5],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="0796"):
        madrid_cm.build("cm_padron_foreign_born_nationality_2021", [path], cities)


def test_changed_header_is_an_error(tmp_path: Path) -> None:
    header = [None, None, "Total País de nacimiento", "España"]
    rows = padron_head(NATIONALITY_TITLE, header) + [[None, "Total Municipio de residencia", 10, 10]]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="Total País de nacionalidad"):
        madrid_cm_padron.read_foreign_born_nationality(path)


def test_wrong_title_is_an_error(nationality_file: Path) -> None:
    with pytest.raises(SourceFormatError, match="title"):
        madrid_cm_padron.read_population_birth_region(nationality_file)


def test_wrong_sheet_is_an_error(tmp_path: Path) -> None:
    path = write_sheet(tmp_path / "x.xlsx", [["a"]], sheet="Datos")
    with pytest.raises(SourceFormatError, match="Sheet 1"):
        madrid_cm_padron.read_foreign_born_nationality(path)


def test_bad_number_is_an_error_naming_row_and_column(tmp_path: Path) -> None:
    header = [None, None, "Total País de nacionalidad", "España"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 10, 10],
        ["0796", "Madrid", 5, "cinco"],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match=r"row 12, column 'D'.*cinco"):
        madrid_cm_padron.read_foreign_born_nationality(path)


def test_municipality_without_code_is_an_error(tmp_path: Path) -> None:
    header = [None, None, "Total País de nacionalidad", "España"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 10, 10],
        [None, "Madrid", 5, 5],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="has no code"):
        madrid_cm_padron.read_foreign_born_nationality(path)


def test_numeric_municipality_codes_keep_their_zeros(tmp_path: Path, cities: dict[str, City]) -> None:
    header = [None, None, "Total País de nacionalidad", "España"]
    rows = padron_head(NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 10, 10],
        [796, "Madrid", 5, 5],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    assert "0796" in set(madrid_cm_padron.read_foreign_born_nationality(path)["municipality_code"])


# --- foreign-born by age and region of birth ----------------------------------------------------


def test_read_age_region_repeats_the_block_name(age_file: Path) -> None:
    raw = madrid_cm_padron.read_foreign_born_age_region(age_file)
    assert list(raw.columns) == ["edition", "municipality_code", "municipality", "age_group", "birth_region", "value"]
    madrid = raw[raw["municipality_code"] == "0796"]
    assert set(madrid["municipality"]) == {"Madrid"}
    assert len(raw[raw["municipality_code"] == "0014"]) == 2


def test_build_age_region(age_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_cm.build("cm_padron_foreign_born_age_region_2021", [age_file], cities)
    validate_tidy(tidy, "test")
    assert set(tidy["age"]) == {"total", "Y0-4", "Y100-MAX"}
    assert value(tidy, place_id="ES-28079", age="Y100-MAX", origin="ES_AFRICA") == 15
    assert value(tidy, place_id="ES30", age="total", origin="ES_APATRIDAS") == 1
    assert value(tidy, place_id="ES-28079", age="Y0-4", origin="ES_UE") == 5
    assert set(tidy.loc[tidy["origin"] != "total", "origin_type"]) == {"birth_group"}


def test_age_row_under_another_code_is_an_error(tmp_path: Path) -> None:
    header = [None, None, None, "Total Subcontinente de nacimiento", "África"]
    rows = padron_head(AGE_TITLE, header) + [
        [None, "Total Municipio de residencia", "Total Grupos quinquenales de edad", 1, 1],
        ["0796", "Madrid", "Total Grupos quinquenales de edad", 1, 1],
        ["0800", None, "De 0 a 4 años", 1, 1],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="row 13, column 'A'"):
        madrid_cm_padron.read_foreign_born_age_region(path)


def test_unknown_age_group_is_an_error(tmp_path: Path, cities: dict[str, City]) -> None:
    header = [None, None, None, "Total Subcontinente de nacimiento", "África"]
    rows = padron_head(AGE_TITLE, header) + [
        [None, "Total Municipio de residencia", "Total Grupos quinquenales de edad", 1, 1],
        [None, None, "Menores de edad", 1, 1],
        ["0796", "Madrid", "Total Grupos quinquenales de edad", 1, 1],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="Menores de edad"):
        madrid_cm.build("cm_padron_foreign_born_age_region_2021", [path], cities)


def test_unknown_region_is_an_error(tmp_path: Path, cities: dict[str, City]) -> None:
    header = [None, None, None, "Total Subcontinente de nacimiento", "Antártida"]
    rows = padron_head(AGE_TITLE, header) + [
        [None, "Total Municipio de residencia", "Total Grupos quinquenales de edad", 1, 1],
        ["0796", "Madrid", "Total Grupos quinquenales de edad", 1, 1],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows)
    with pytest.raises(SourceFormatError, match="Antártida"):
        madrid_cm.build("cm_padron_foreign_born_age_region_2021", [path], cities)


# --- total population by region of birth --------------------------------------------------------


def test_build_population_birth_region_keeps_eu_with_spain_apart(region_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_cm.build("cm_padron_population_birth_region_2021", [region_file], cities)
    validate_tidy(tidy, "test")
    assert set(tidy["definition_id"]) == {"total_population"}
    assert value(tidy, place_id="ES-28079", origin="total") == 3000
    eu = tidy[(tidy["place_id"] == "ES-28079") & (tidy["origin"] == "ES_UE_INCL_ESP")].iloc[0]
    assert (eu["value"], eu["flag"], eu["origin_type"]) == (2500, "d", "birth_group")
    assert "born in Spain" in eu["note"]
    assert "ES_UE" not in set(tidy["origin"])
    assert value(tidy, place_id="ES30", origin="ES_AMERICA_SUR") == 400


# --- population series --------------------------------------------------------------------------


def test_read_population_series_dates_each_year_from_the_footnote(series_file: Path) -> None:
    raw = madrid_cm_series.read_population_series(series_file)
    assert list(raw.columns) == ["block", "place", "year", "reference_note", "value"]
    assert set(raw["block"]) == set(madrid_cm_series.SERIES_BLOCKS)
    notes = dict(zip(raw["year"], raw["reference_note"]))
    assert notes[1985].startswith("Año 1985 Rectificación")
    assert notes[2022].startswith("A partir de 1998")
    tres_cantos = raw[raw["place"] == "Tres Cantos (2)"]
    assert sorted(tres_cantos["year"]) == [1991, 1996, 1998, 2022]


def test_build_population_series(series_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_cm.build("cm_padron_population_series", [series_file], cities)
    validate_tidy(tidy, "test")
    assert set(tidy["place_id"]) == {"ES-28079", "ES30"}
    madrid = tidy[tidy["place_id"] == "ES-28079"].set_index("period")
    assert madrid.loc["1985", "ref_date"] == "1985-12-31"
    assert madrid.loc["1986", "ref_date"] == "1986-04-01"
    assert madrid.loc["1991", "ref_date"] == "1991-03-01"
    assert madrid.loc["2022", "ref_date"] == "2022-01-01"
    assert madrid.loc["1991", "flag"] == "d" and "Censo de Población" in madrid.loc["1991", "note"]
    assert madrid.loc["1998", "flag"] == "" and madrid.loc["1998", "note"] == ""
    assert madrid.loc["2022", "value"] == 3280782
    assert madrid.loc["2022", "place_name"] == "Madrid"
    assert value(tidy, place_id="ES30", period="1985") == 4916426


def test_year_without_reference_date_is_an_error(tmp_path: Path) -> None:
    rows = [
        ["Población empadronada por zonas estadísticas y por municipios (1)"],
        [None, 1985, 1998],
        ["Comunidad de Madrid", 1, 2],
        [None],
        ["Municipio de Madrid", 1, 2],
        [None],
        ["Madrid", 1, 2],
        [None],
        ["(1) A partir de 1998 la fecha de referencia es siempre 1 de enero de cada año."],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows, sheet="Hoja1")
    with pytest.raises(SourceFormatError, match=r"no reference date for year\(s\) \[1985\]"):
        madrid_cm_series.read_population_series(path)


def test_series_header_must_be_years(tmp_path: Path) -> None:
    rows = [
        ["Población empadronada por zonas estadísticas y por municipios (1)"],
        [None, 1998, "Total"],
        ["Comunidad de Madrid", 1, 2],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows, sheet="Hoja1")
    with pytest.raises(SourceFormatError, match="'Total' is not a year"):
        madrid_cm_series.read_population_series(path)


def test_series_without_municipality_block_is_an_error(tmp_path: Path) -> None:
    rows = [
        ["Población empadronada por zonas estadísticas y por municipios (1)"],
        [None, 1998],
        ["Comunidad de Madrid", 1],
        [None],
        ["Madrid", 1],
        [None],
        ["(1) A partir de 1998 la fecha de referencia es siempre 1 de enero de cada año."],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows, sheet="Hoja1")
    with pytest.raises(SourceFormatError, match="expected 3 blocks"):
        madrid_cm_series.read_population_series(path)


# --- immigration flows --------------------------------------------------------------------------


def test_read_immigration_flows_levels(flows_file: Path) -> None:
    raw = madrid_cm_flows.read_immigration_flows(flows_file)
    assert list(raw.columns) == ["level", "continent", "label", "year", "value"]
    levels = raw.drop_duplicates("label", keep="first").set_index("label")["level"].to_dict()
    assert levels == {"Total": "total", "Europa": "continent", "Francia": "country", "Otros países": "country",
                      "Asia": "continent", "África": "continent", "Marruecos": "country"}
    others = raw[(raw["label"] == "Otros países") & (raw["year"] == 2021)]
    assert dict(zip(others["continent"], others["value"])) == {"Europa": 40, "África": 13}


def test_build_immigration_flows(flows_file: Path, cities: dict[str, City]) -> None:
    tidy = madrid_cm.build("cm_immigration_flows_foreigners", [flows_file], cities)
    validate_tidy(tidy, "test")
    assert set(tidy["place_id"]) == {"ES30"}
    assert set(tidy["indicator_id"]) == {"inflows"} and set(tidy["definition_id"]) == {"foreign_nationality"}
    assert value(tidy, origin="total", period="2021") == 120
    assert value(tidy, origin="FRA", period="2021") == 30
    assert value(tidy, origin="ES_OTROS_AFRICA", period="2021") == 13
    assert value(tidy, origin="ES_ASIA", period="2020") == 10
    assert len(tidy[(tidy["origin"] == "MAR")]) == 1
    assert set(tidy.loc[tidy["origin"] == "FRA", "origin_type"]) == {"origin_country"}
    assert set(tidy.loc[tidy["origin"] == "ES_EUROPA", "origin_type"]) == {"origin_group"}
    assert set(tidy.loc[tidy["period"] == "2021", "ref_date"]) == {"2021-12-31"}


def test_flows_without_total_first_is_an_error(tmp_path: Path) -> None:
    rows = [
        ["Inmigrantes extranjeros por continente y país de procedencia"],
        [None, 2021],
        ["Europa", 1],
    ]
    path = write_sheet(tmp_path / "x.xlsx", rows, sheet="Hoja1")
    with pytest.raises(SourceFormatError, match="'Total' row"):
        madrid_cm_flows.read_immigration_flows(path)


def test_build_rejects_unknown_source_and_file_count(flows_file: Path, cities: dict[str, City]) -> None:
    with pytest.raises(ConfigError, match="does not build source"):
        madrid_cm.build("cm_unknown", [flows_file], cities)
    with pytest.raises(ConfigError, match="exactly one file"):
        madrid_cm.build("cm_immigration_flows_foreigners", [flows_file, flows_file], cities)


def test_not_a_workbook_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xls"
    path.write_text("not a spreadsheet", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="broken.xls"):
        madrid_cm_flows.read_immigration_flows(path)


def test_code_system_missing_from_registry_is_an_error(series_file: Path, cities: dict[str, City]) -> None:
    codes = {k: v for k, v in cities["madrid"].codes.items() if k != "madrid_iecm_municipality_name"}
    other = {"madrid": cities["madrid"].model_copy(update={"codes": codes})}
    with pytest.raises(SourceFormatError, match="madrid_iecm_municipality_name"):
        madrid_cm.build("cm_padron_population_series", [series_file], other)

"""Tests for the INE Portugal Censos 2021 annex reader (foreign-nationality tables)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources import ine_pt, ine_pt_harmonise, ine_pt_layouts

FONTE = '"Fonte: INE, Recenseamentos da População e da Habitação, 2021"'
NATIONS = list(ine_pt_layouts.NATIONALITY_ISO3)
TOP15 = ",".join(NATIONS)


def _numbers(n: int, first: int) -> str:
    """n cells of numbers printed INE-style (space thousands separator, leading space)."""
    return ",".join(f" {first + k:,}".replace(",", " ") for k in range(n))


def _q1_2() -> list[str]:
    return [
        '"Quadro 1.2 - População residente por nacionalidade, por local de residência (NUTS I/II/III/Município), Portugal, 2021",'
        + "," * 18,
        "," * 19,
        '"NUTS I, II, III\nMunicípio",População residente ,,,,15 Principais nacionalidades estrangeiras '
        + "," * 14,
        f",Total ,Nacionalidade portuguesa ,Nacionalidade estrangeira,Apátrida ,{TOP15}",
        f"Portugal,10 343 066,9 800 752, 542 165,  149, 199 810, 31 556,{_numbers(13, 1000)}",
        f"Continente,9 855 909,9 323 976, 531 790,  143,{_numbers(15, 900)}",
        f"Área Metropolitana de Lisboa,2 870 208,2 615 869, 254 280,  59,{_numbers(15, 500)}",
        f"Área Metropolitana de Lisboa,2 870 208,2 615 869, 254 280,  59,{_numbers(15, 500)}",
        f"Lisboa, 545 796, 490 463, 55 324,  9,{_numbers(14, 100)},  ",
        f"Porto, 231 800, 217 299, 14 497,  4,{_numbers(15, 50)}",
        FONTE + "," * 19,
    ]


def _q1_1() -> list[str]:
    return [
        '"Quadro 1.1 - População residente, por nacionalidade e sexo, Portugal, 2011-2021",,,,,,,,,',
        ",,,,,,,,,",
        ",2021,,,2011,,,Variação 2011-2021,,",
        ",HM,H,M,HM,H,M,HM,H,M",
        ",N.º,,,N.º,,,%,,",
        "População residente,10 343 066,4 920 220,5 422 846,10 562 178,5 046 600,5 515 578,-2.1,-2.5,-1.7",
        "Nacionalidade estrangeira, 542 165, 265 572, 276 593, 394 496, 188 086, 206 410,37.4,41.2,34.0",
        "Principais nacionalidades,,,,,,,,,",
        "Angola, 31 556, 13 707, 17 849, 26 954, 12 749, 14 205,17.1,7.5,25.7",
        "Apátridas,  149,  80,  69,  553,  284,  269,-73.1,-71.8,-74.3",
        FONTE + ",,,,,,,,,",
    ]


def _q1_3() -> list[str]:
    return [
        '"Quadro 1.3 - População residente, por nacionalidade, grupo etário e idade média, Portugal, 2021"'
        + "," * 19,
        "," * 19,
        ",Total ,Grupo etário,,,,Grupo etário (%),,,,Idade média,,,,,,,,,",
        ",,0 - 14,15 - 24,25 - 64,65 ou mais,0 - 14,15 - 24,25 - 64,65 ou mais,HM,H,M,,,,,,,",
        "Nacionalidade estrangeira, 542 165, 65 363, 70 668, 360 061, 46 073,12.1,13.0,66.4,8.5,37.3,36.7,37.8,,,,,,,",
        "Principais nacionalidades,  ,,,,,,,,,,,,,,,,,,",
        "Angola, 31 553, 5 416, 6 005, 18 130, 2 002,17.2,19.0,57.5,6.3,34.4,32.5,35.8,,,,,,,",
        FONTE + ",  " + "," * 18,
    ]


def _q2_1() -> list[str]:
    return [
        '"Quadro 2.1 - População residente entre os 15 e os 64 anos, por nacionalidade e nível de ensino completo, Portugal, 2021",,,,,,,,',
        ",,,,,,,,",
        ",Total,Nível de ensino completo,,,,,,",
        ",,Nenhum,Ensino básico,,,,Ensino secundário e pós-secundário,Superior",
        ",,,Total,1º ciclo,2º ciclo,3º ciclo,,",
        "Angola, 24 135, 1 451, 8 121, 1 131, 1 905, 5 085, 9 503, 5 060",
        FONTE + ",,,,,,,,",
    ]


def _q3_1() -> list[str]:
    return [
        '"Quadro 3.1 - População residente, por nacionalidade e condição perante a atividade económica, Portugal, 2021",,,,,,,,,,,,,',
        ",,,,,,,,,,,,,",
        ",Total,Ativa ,,,Inativa ,,,,,,,,",
        ",,Total ,Empregada ,Desempregada ,Total,População com menos de 15 anos ,Estudantes,Domésticos,"
        "Reformados,Incapacitados para o trabalho,Outra situação,,",
        "Angola, 31 556, 14 542, 11 746, 2 796, 17 014, 5 416, 4 310, 1 041, 1 692,  522, 4 033,,",
        FONTE + ",,,,,,,,,,,,,",
    ]


FIXTURES = {"Q1.1": _q1_1, "Q1.2": _q1_2, "Q1.3": _q1_3, "Q2.1": _q2_1, "Q3.1": _q3_1}


def _write(tmp_path: Path, quadro: str, lines: list[str] | None = None, encoding: str = "latin-1") -> Path:
    path = tmp_path / f"{quadro}.csv"
    text = "\r\n".join(lines if lines is not None else FIXTURES[quadro]()) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def _cities() -> dict[str, City]:
    return {
        "lisbon": City.model_validate(
            {
                "city_id": "lisbon",
                "names": {"en": "Lisbon", "fr": "Lisbonne", "ar": "لشبونة"},
                "local_language": "pt",
                "country_iso3": "PRT",
                "country_names": {"en": "Portugal", "fr": "Portugal", "ar": "البرتغال"},
                "shore": "north",
                "codes": {"ine_pt_place": ["Lisboa", "Área Metropolitana de Lisboa"]},
                "city_geography": "municipality",
            }
        )
    }


def _assert_tidy(frame: pd.DataFrame) -> None:
    validate_tidy(frame, "fixture")
    assert list(frame.columns) == list(TIDY_COLUMNS)


def _one(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


def test_read_q1_2_labels_occurrences_and_numbers(tmp_path):
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q1.2"), "Q1.2")
    assert list(raw.columns) == ["row", "label", "occurrence", "column", "value"]
    assert set(raw["column"]) == set(ine_pt_layouts.LAYOUTS["Q1.2"].columns)
    aml = raw[raw["label"] == "Área Metropolitana de Lisboa"]
    assert sorted(aml["occurrence"].unique()) == [1, 2]
    total = raw[(raw["label"] == "Portugal") & (raw["column"] == "População residente | Total")]
    assert total["value"].tolist() == [10343066.0]
    lisboa = raw[raw["label"] == "Lisboa"]
    assert len(lisboa) == 4 + 14


def test_read_q1_1_fills_spanned_headings_and_units(tmp_path):
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q1.1"), "Q1.1")
    assert "2021 | H | N.º" in set(raw["column"])
    assert "Variação 2011-2021 | M | %" in set(raw["column"])
    assert "Principais nacionalidades" not in set(raw["label"])


def test_read_q2_1_keeps_last_header_row_unfilled(tmp_path):
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q2.1"), "Q2.1")
    assert set(raw["column"]) == set(ine_pt_layouts.LAYOUTS["Q2.1"].columns)
    assert "Nível de ensino completo | Superior" in set(raw["column"])


def test_harmonise_q1_2_places_and_definitions(tmp_path):
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q1.2"), "Q1.2")
    rows = ine_pt_harmonise.harmonise_q1_2(raw, _cities())
    places = rows.drop_duplicates("place_id").set_index("place_id")
    assert places["geography_level"].to_dict() == {
        "PRT": "country",
        "PT17": "nuts2",
        "PT170": "nuts3",
        "PT-1106": "municipality",
    }
    assert places["city_id"].to_dict() == {"PRT": "", "PT17": "lisbon", "PT170": "lisbon", "PT-1106": "lisbon"}
    lisboa = rows[rows["place_id"] == "PT-1106"]
    assert _one(lisboa, definition_id="total_population")["value"] == 545796
    assert _one(lisboa, definition_id="foreign_nationality", origin="total")["value"] == 55324
    assert _one(lisboa, definition_id="stateless_census")["value"] == 9
    assert _one(lisboa, origin="BRA")["origin_type"] == "citizenship"
    assert "STP" not in set(lisboa["origin"])


def test_build_all_quadros_keeps_each_observation_once(tmp_path):
    files = [_write(tmp_path, q) for q in FIXTURES]
    tidy = ine_pt.build(ine_pt_layouts.SOURCE_ID, files, _cities())
    _assert_tidy(tidy)
    prt = tidy[tidy["place_id"] == "PRT"]
    angola = _one(prt, indicator_id="population", origin="AGO", sex="total", age="total", category="total", period="2021")
    assert angola["value"] == 31556
    assert "Quadro 1.2" in angola["note"]
    assert "Quadro 1.3 prints 31553" in angola["note"]
    assert _one(prt, indicator_id="population", origin="AGO", sex="male", period="2021")["note"] == "Quadro 1.1"
    assert _one(prt, indicator_id="employed", origin="AGO")["note"].startswith("Quadro 3.1; census definition")
    assert _one(prt, origin="AGO", sex="female", period="2011")["ref_date"] == "2011-03-21"
    change = _one(prt, indicator_id="percent_change", origin="AGO", sex="male")
    assert (change["value"], change["period"], change["unit"]) == (7.5, "2011-2021", "percent")
    assert _one(prt, indicator_id="mean_age", origin="AGO", sex="female")["value"] == 35.8
    assert _one(prt, indicator_id="group_share", origin="AGO", age="Y65-MAX")["value"] == 6.3
    assert _one(prt, indicator_id="population", origin="AGO", age="Y15-64", category="education:higher")["value"] == 5060
    assert _one(prt, indicator_id="unemployed", origin="AGO")["value"] == 2796
    assert _one(prt, indicator_id="inactive", origin="AGO", category="activity:under-15")["value"] == 5416
    stateless = _one(prt, definition_id="stateless_census", period="2011", sex="total")
    assert stateless["value"] == 553
    assert set(tidy["ref_date"]) == {"2021-04-19", "2011-03-21"}


def test_utf8_file_is_reported_as_wrong_encoding(tmp_path):
    path = _write(tmp_path, "Q1.1", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="latin-1"):
        ine_pt.read_annex_table(path, "Q1.1")


def test_wrong_table_in_file_is_loud(tmp_path):
    path = _write(tmp_path, "Q1.3", _q1_1())
    with pytest.raises(SourceFormatError, match="row 1"):
        ine_pt.read_annex_table(path, "Q1.3")


def test_renamed_column_is_loud(tmp_path):
    lines = _q1_2()
    lines[3] = lines[3].replace("Apátrida ", "Sem nacionalidade")
    with pytest.raises(SourceFormatError, match="Sem nacionalidade"):
        ine_pt.read_annex_table(_write(tmp_path, "Q1.2", lines), "Q1.2")


def test_bad_number_is_loud(tmp_path):
    lines = _q1_1()
    lines[8] = lines[8].replace("13 707", "13 7O7")
    with pytest.raises(SourceFormatError, match="not a number"):
        ine_pt.read_annex_table(_write(tmp_path, "Q1.1", lines), "Q1.1")


def test_missing_fonte_row_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="Fonte"):
        ine_pt.read_annex_table(_write(tmp_path, "Q2.1", _q2_1()[:-1]), "Q2.1")


def test_unmapped_nationality_is_loud(tmp_path):
    lines = _q2_1()
    lines[5] = lines[5].replace("Angola", "Atlântida")
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q2.1", lines), "Q2.1")
    with pytest.raises(SourceFormatError, match="Atlântida"):
        ine_pt_harmonise.harmonise_q2_1(raw)


def test_missing_place_in_q1_2_is_loud(tmp_path):
    lines = [line for line in _q1_2() if not line.startswith("Lisboa")]
    raw = ine_pt.read_annex_table(_write(tmp_path, "Q1.2", lines), "Q1.2")
    with pytest.raises(SourceFormatError, match="Lisboa"):
        ine_pt_harmonise.harmonise_q1_2(raw, _cities())


def test_missing_file_is_loud(tmp_path):
    files = [_write(tmp_path, q) for q in ("Q1.1", "Q1.2")]
    with pytest.raises(SourceFormatError, match="missing"):
        ine_pt.build(ine_pt_layouts.SOURCE_ID, files, _cities())


def test_nationality_codes_are_iso3():
    import pycountry

    assert all(pycountry.countries.get(alpha_3=code) for code in ine_pt_layouts.NATIONALITY_ISO3.values())

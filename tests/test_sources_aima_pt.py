"""Tests for the SEF/AIMA Portugal foreign-resident reader."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pycountry
import pytest

from workbench.errors import SourceFormatError
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy
from workbench.tidy.sources import aima_pt

RIFA_HEADER = (
    'ANO,"Títulos de\nResidência","Concessão e\nProrrogação de AP\u2019s","Prorrogação de\nVLD\u2019s",'
    'TOTAL,"VARIAÇÃO\n%"'
)
RIFA_ROWS = [
    "1980,50750,,,50750,",
    '2000,207587,,,207587,"8,60%"',
    '2001,223997,126901,,350898,"69,04%"',
    '2002,238929,174558,,413487,"17,84%"',
    '2017,416 682,,5029,421711,"-6,03%"',
]
RMA_ROWS = [
    "NACIONALIDADES,TOTAL,Masculino ,Feminino",
    "Brasil,484596,237583,247013",
    "Anguilla,1,-,1",
    "Apátrida,12,7,5",
    "Grã-Bretanha (British Subject),80,39,41",
    "Urss,5,1,3",
]


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _rifa(tmp_path: Path, rows: list[str] | None = None, header: str = RIFA_HEADER) -> Path:
    return _write(tmp_path, "RIFA2020 - populacao-estrangeira-residente_evolucao.csv", [header, *(rows or RIFA_ROWS)])


def _rma(tmp_path: Path, lines: list[str] | None = None) -> Path:
    return _write(tmp_path, "RMA2024 - populacao-estrangeira-residente.csv", lines or RMA_ROWS)


def _one(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


def test_read_evolution_cleans_labels_and_numbers(tmp_path):
    raw = aima_pt.read_evolution(_rifa(tmp_path))
    assert set(raw["column"]) == set(aima_pt.EVOLUTION_COLUMNS)
    assert _one(raw, year="2017", column="Títulos de Residência")["value"] == 416682
    assert _one(raw, year="2001", column="VARIAÇÃO %")["value"] == pytest.approx(69.04)
    assert raw[raw["year"] == "1980"]["column"].tolist() == ["Títulos de Residência", "TOTAL"]


def test_harmonise_evolution_categories_flags_and_change(tmp_path):
    rows = aima_pt.harmonise_evolution(aima_pt.read_evolution(_rifa(tmp_path)))
    assert _one(rows, period="2001", category="title:stay-permit")["value"] == 126901
    total_2001 = _one(rows, period="2001", category="total", indicator_id="population")
    assert total_2001["flag"] == "b"
    assert _one(rows, period="2002", category="total", indicator_id="population")["flag"] == ""
    change = _one(rows, period="2017", indicator_id="percent_change")
    assert (change["value"], change["unit"]) == (-6.03, "percent")
    assert set(rows["ref_date"].str[4:]) == {"-12-31"}
    assert set(rows["definition_id"]) == {"residence_title_holder"}


def test_total_not_matching_components_gets_a_note(tmp_path):
    rows = [*RIFA_ROWS[:-1], '2017,416 682,,5029,421700,"6,03%"']
    tidy = aima_pt.harmonise_evolution(aima_pt.read_evolution(_rifa(tmp_path, rows)))
    assert "add up to 421711" in _one(tidy, period="2017", category="total", indicator_id="population")["note"]


def test_read_and_harmonise_by_nationality(tmp_path):
    raw = aima_pt.read_by_nationality(_rma(tmp_path))
    assert len(raw) == 5 * 3 - 1
    rows = aima_pt.harmonise_by_nationality(raw)
    assert _one(rows, origin="BRA", sex="female")["value"] == 247013
    assert _one(rows, origin="STATELESS", sex="total")["value"] == 12
    assert _one(rows, origin="GBR_SUBJECT", sex="male")["value"] == 39
    assert "add up to 4" in _one(rows, origin="SUN", sex="total")["note"]
    assert "add up" not in _one(rows, origin="BRA", sex="total")["note"]
    assert set(rows["flag"]) == {"d"}
    assert set(rows["origin_type"]) == {"citizenship"}


def test_build_combines_both_tables(tmp_path):
    tidy = aima_pt.build(aima_pt.SOURCE_ID, [_rifa(tmp_path), _rma(tmp_path)], {})
    validate_tidy(tidy, "fixture")
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert set(tidy["period"]) == {"1980", "2000", "2001", "2002", "2017", "2024"}
    assert set(tidy["place_id"]) == {"PRT"}


def test_build_needs_both_files(tmp_path):
    with pytest.raises(SourceFormatError, match="RMA2024"):
        aima_pt.build(aima_pt.SOURCE_ID, [_rifa(tmp_path)], {})


def test_renamed_column_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="TOTAL"):
        aima_pt.read_evolution(_rifa(tmp_path, header=RIFA_HEADER.replace("TOTAL", "SOMA")))


def test_bad_year_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="not a year"):
        aima_pt.read_evolution(_rifa(tmp_path, ["198O,50750,,,50750,"]))


def test_bad_number_is_loud(tmp_path):
    lines = [*RMA_ROWS[:2], "Anguilla,1,x1,1"]
    with pytest.raises(SourceFormatError, match=r"row 3, column 'Masculino'"):
        aima_pt.read_by_nationality(_rma(tmp_path, lines))


def test_repeated_nationality_is_loud(tmp_path):
    with pytest.raises(SourceFormatError, match="appears twice"):
        aima_pt.read_by_nationality(_rma(tmp_path, [*RMA_ROWS, RMA_ROWS[1]]))


def test_unmapped_nationality_is_loud(tmp_path):
    raw = aima_pt.read_by_nationality(_rma(tmp_path, [*RMA_ROWS, "Atlântida,3,2,1"]))
    with pytest.raises(SourceFormatError, match="Atlântida"):
        aima_pt.harmonise_by_nationality(raw)


def test_every_code_is_iso3_or_a_declared_group():
    from workbench.reference.origins import load_origin_groups

    declared = load_origin_groups()
    for name, code in aima_pt.NATIONALITY_CODES.items():
        assert pycountry.countries.get(alpha_3=code) is not None or code in declared, name
    assert len(set(aima_pt.NATIONALITY_CODES.values())) == len(aima_pt.NATIONALITY_CODES)

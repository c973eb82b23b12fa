"""Tests of the World Bank WDI reader on small datahub-style indicator folders."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import KEY_COLUMNS, TIDY_COLUMNS
from workbench.tidy.sources import worldbank

NINE = ["JOR", "LBN", "MAR", "TUN", "PRT", "FRA", "ESP", "ITA", "AUT"]


def _package(code: str, title: str = "An indicator") -> dict:
    return {
        "title": title,
        "name": code,
        "worldbank": {"indicator": code},
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [{"name": "data", "path": "data.csv", "format": "csv"}],
    }


def _folder(
    root: Path, code: str, lines: list[str], package: dict | None = None, header: str | None = None
) -> list[Path]:
    folder = root / code
    folder.mkdir(parents=True)
    data = folder / "data.csv"
    text = "\n".join([header or ",".join(worldbank.DATA_COLUMNS), *lines]) + "\n"
    data.write_text(text, encoding="utf-8")
    meta = folder / "datapackage.json"
    meta.write_text(json.dumps(package or _package(code)), encoding="utf-8")
    return [data, meta]


def _lines(year: str, value: str) -> list[str]:
    rows = [f"Country {code},{code},{year},{value}" for code in NINE]
    others = [f"World,WLD,{year},{value}", f"Germany,DEU,{year},{value}", f'"Korea, Rep.",KOR,{year},{value}']
    return [*rows, *others]


def _files(root: Path) -> list[Path]:
    return [
        *_folder(root, "sp.pop.totl", _lines("2024", "11552876")),
        *_folder(root, "sm.pop.netm", [*_lines("2023", "-156369"), "Country JOR,JOR,2024,"]),
        *_folder(root, "bx.trf.pwkr.cd.dt", _lines("2023", "4431127253.7421")),
    ]


def test_read_wdi_indicator_is_faithful(tmp_path: Path) -> None:
    data, meta = _folder(tmp_path, "sm.pop.totl", _lines("2024", "5280168"), _package("sm.pop.totl", "Stock"))
    raw = worldbank.read_wdi_indicator(data, meta)
    assert set(raw["indicator_code"]) == {"SM.POP.TOTL"} and set(raw["indicator_title"]) == {"Stock"}
    assert len(raw) == 12 and raw.loc[raw["country_code"] == "KOR", "country_name"].item() == "Korea, Rep."
    assert raw["row"].tolist()[0] == 2 and set(raw["value"]) == {5280168.0}


def test_build_maps_indicators_and_keeps_scope(tmp_path: Path) -> None:
    tidy = worldbank.build("worldbank_wdi", _files(tmp_path), load_cities())
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert not tidy.duplicated(list(KEY_COLUMNS)).any()
    assert set(tidy["place_id"]) == {*NINE, "WLD"}
    assert set(tidy.loc[tidy["place_id"] == "WLD", "geography_level"]) == {"world"}
    pop = tidy[tidy["indicator_id"] == "population"]
    assert set(pop["definition_id"]) == {"total_population"} and set(pop["ref_date"]) == {"2024-07-01"}
    net = tidy[tidy["indicator_id"] == "net_migration"]
    assert set(net["value"]) == {-156369.0} and set(net["ref_date"]) == {"2023-12-31"}
    assert set(net["definition_id"]) == {"whole_economy"} and set(net["unit"]) == {"persons"}
    remittances = tidy[tidy["indicator_id"] == "remittances_received"]
    assert set(remittances["value"]) == {4431127253.7421} and set(remittances["unit"]) == {"usd"}
    assert remittances["note"].iloc[0].startswith("WDI BX.TRF.PWKR.CD.DT")


def test_migrant_stock_note_names_un_desa(tmp_path: Path) -> None:
    files = _folder(tmp_path, "sm.pop.totl", _lines("2024", "5280168"))
    tidy = worldbank.build("worldbank_wdi", files, load_cities())
    assert set(tidy["definition_id"]) == {"un_migrant_stock"}
    assert "UN DESA IMS 2024 via World Bank" in tidy["note"].iloc[0]


def test_package_code_must_match_folder(tmp_path: Path) -> None:
    files = _folder(tmp_path, "sp.pop.totl", _lines("2024", "1"), _package("sp.pop.grow"))
    with pytest.raises(SourceFormatError, match="does not match its folder"):
        worldbank.build("worldbank_wdi", files, load_cities())


def test_unknown_indicator_is_refused(tmp_path: Path) -> None:
    files = _folder(tmp_path, "sp.pop.grow", _lines("2024", "1"))
    with pytest.raises(SourceFormatError, match="not one the reader maps"):
        worldbank.build("worldbank_wdi", files, load_cities())


@pytest.mark.parametrize(
    ("lines", "header", "message"),
    [
        (_lines("2024", "1"), "Country,Country Code,Year,Value", "expected column"),
        (["Jordan,JOR,2024,1 234 thousand"], None, "row 2, column 'Value'"),
        (["Jordan,JOR,FY24,1"], None, "row 2, column 'Year'"),
    ],
)
def test_read_fails_loudly_on_bad_data(
    tmp_path: Path, lines: list[str], header: str | None, message: str
) -> None:
    data, meta = _folder(tmp_path, "sp.pop.totl", lines, header=header)
    with pytest.raises(SourceFormatError, match=message):
        worldbank.read_wdi_indicator(data, meta)


def test_folder_needs_both_files_and_json(tmp_path: Path) -> None:
    data, meta = _folder(tmp_path, "sp.pop.totl", _lines("2024", "1"))
    with pytest.raises(SourceFormatError, match="needs both"):
        worldbank.pair_files([data])
    meta.write_text("{not json", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a readable UTF-8 JSON"):
        worldbank.read_wdi_package(meta)
    meta.write_text(json.dumps({"title": "x"}), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="worldbank.indicator"):
        worldbank.read_wdi_package(meta)


def test_missing_country_and_wrong_source_fail(tmp_path: Path) -> None:
    files = _folder(tmp_path, "sp.pop.totl", ["Jordan,JOR,2024,1"])
    with pytest.raises(SourceFormatError, match="no rows for"):
        worldbank.build("worldbank_wdi", files, load_cities())
    with pytest.raises(SourceFormatError, match="cannot build"):
        worldbank.build("worldbank_other", files, load_cities())


def test_harmonise_does_not_mutate_input(tmp_path: Path) -> None:
    data, meta = _folder(tmp_path, "ny.gdp.mktp.cd", _lines("2024", "5.8e10"))
    raw = worldbank.read_wdi_indicator(data, meta)
    copy = raw.copy()
    worldbank.harmonise_wdi(raw, frozenset(NINE), "worldbank_wdi")
    pd.testing.assert_frame_equal(raw, copy)

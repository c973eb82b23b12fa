"""Tests of the HCP (Morocco census) reader on small fixtures shaped like the upstream tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources import hcp

REGIONS = """code,code_digits,name_fr,name_ar,population_2024,households_2024,provinces,communes
01,01,Tanger-Tétouan-Al Hoceima,طنجة-تطوان-الحسيمة,4030222,1048860,8,146
06,06,Casablanca-Settat,الدار البيضاء-سطات,7688967,2021032,9,153
"""

PROVINCES = """code,code_digits,name_fr,name_ar,type,region_code,population_2024,households_2024,cercles,communes
01.511,01511,Tanger-Assilah,طنجة-أصيلة,prefecture,01,1494413,418844,2,12
01.571,01571,Tétouan,تطوان,province,01,611928,157384,,
06.141.01.00,061410100,Casablanca-Anfa,الدار البيضاء-أنفا,prefecture_of_arrondissements,06,344165,120499,,
"""

COMMUNES = """code,code_digits,slug,name_fr,name_ar,type,region_code,province_code,cercle_code,population_2024,households_2024,population_2014,change_pct,area_km2,density_2024
01.511.01.0,001511010,tanger,Tanger,طنجة,urban,01,01.511,,1275428,362062,947952,34.55,149.41,8536.51
01.511.05.01,015110501,al-manzla,Al Manzla,المنزلة,rural,01,01.511,01.511.05,2680,629,,1.13,90.31,29.68
01.571.01.01,015710101,tetouan,Tétouan,تطوان,urban,01,01.571,,400000,100000,380000,5.26,10,40000
"""


def _cities() -> dict[str, City]:
    tanger = City.model_validate(
        {
            "city_id": "tanger",
            "names": {"en": "Tangier", "fr": "Tanger", "ar": "طنجة"},
            "local_language": "ar",
            "country_iso3": "MAR",
            "country_names": {"en": "Morocco", "fr": "Maroc", "ar": "المغرب"},
            "shore": "south",
            "codes": {"hcp_region": ["01"], "hcp_province": ["01.511"], "hcp_commune": ["01.511.01.0"]},
            "city_geography": "prefecture",
        }
    )
    return {"tanger": tanger}


def _write(folder: Path, regions: str = REGIONS, provinces: str = PROVINCES, communes: str = COMMUNES) -> list[Path]:
    paths = []
    for name, text, encoding in (
        ("regions.csv", regions, "utf-8-sig"),  # upstream files carry a byte-order mark
        ("provinces.csv", provinces, "utf-8"),
        ("communes_tanger-assilah.csv", communes, "utf-8"),
    ):
        path = folder / name
        path.write_text(text, encoding=encoding)
        paths.append(path)
    return paths


def test_read_communes_keeps_census_figures_only(tmp_path: Path) -> None:
    raw = hcp.read_communes(_write(tmp_path)[2])
    assert set(raw["measure"]) == {"population", "households"}
    assert set(raw["year"]) == {"2014", "2024"}
    assert len(raw) == 8  # 3 communes x 3 figures, less one empty 2014 cell
    tanger = raw[(raw["code"] == "01.511.01.0") & (raw["year"] == "2014")]
    assert tanger["value"].tolist() == [947952.0]


def test_read_regions_accepts_byte_order_mark(tmp_path: Path) -> None:
    raw = hcp.read_regions(_write(tmp_path)[0])
    assert raw["code"].tolist()[:2] == ["01", "01"]


def test_build_places_levels_and_cities(tmp_path: Path) -> None:
    tidy = hcp.build("hcp_rgph", _write(tmp_path), _cities())
    places = tidy.drop_duplicates("place_id").set_index("place_id")
    assert places.loc["MAR-01", "geography_level"] == "region"
    assert places.loc["MAR-01", "city_id"] == "tanger"
    assert places.loc["MAR-06", "city_id"] == ""
    assert places.loc["MAR-01.511", "geography_level"] == "prefecture"
    assert places.loc["MAR-01.571", "geography_level"] == "province"
    assert places.loc["MAR-06.141.01.00", "geography_level"] == "prefecture"
    assert "included in its total" in places.loc["MAR-06.141.01.00", "note"]
    assert places.loc["MAR-01.511.01.0", "geography_level"] == "municipality"
    assert places.loc["MAR-01.511.01.0", "city_id"] == "tanger"
    assert "MAR-01.571.01.01" not in places.index  # communes outside the network préfecture are out of scope


def test_build_figures_dates_and_units(tmp_path: Path) -> None:
    tidy = hcp.build("hcp_rgph", _write(tmp_path), _cities())
    tanger = tidy[tidy["place_id"] == "MAR-01.511.01.0"].set_index(["indicator_id", "period"])
    assert tanger.loc[("population", "2024"), "value"] == 1275428.0
    assert tanger.loc[("population", "2014"), "value"] == 947952.0
    assert tanger.loc[("population", "2014"), "ref_date"] == "2014-09-01"
    assert "2024 commune boundaries" in tanger.loc[("population", "2014"), "note"]
    assert tanger.loc[("households", "2024"), "unit"] == "count"
    assert set(tidy["definition_id"]) == {"total_population"}
    assert set(tidy["indicator_id"]) == {"population", "households"}
    assert 8536.51 not in tidy["value"].tolist()  # no OpenStreetMap density


def test_renamed_column_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path, regions=REGIONS.replace("population_2024", "pop_2024"))
    with pytest.raises(SourceFormatError, match="population_2024"):
        hcp.build("hcp_rgph", files, _cities())


def test_bad_number_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path, provinces=PROVINCES.replace("611928", "611 928 hab."))
    with pytest.raises(SourceFormatError, match=r"row 3, column 'population_2024'"):
        hcp.build("hcp_rgph", files, _cities())


def test_repeated_code_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path, provinces=PROVINCES.replace("01.571,", "01.511,"))
    with pytest.raises(SourceFormatError, match="appears twice"):
        hcp.build("hcp_rgph", files, _cities())


def test_unknown_province_type_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path, provinces=PROVINCES.replace(",province,", ",cercle,"))
    with pytest.raises(SourceFormatError, match="unknown type 'cercle'"):
        hcp.build("hcp_rgph", files, _cities())


def test_missing_file_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path)
    with pytest.raises(SourceFormatError, match="missing file"):
        hcp.build("hcp_rgph", files[:2], _cities())


def test_unexpected_file_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path)
    other = tmp_path / "douars.csv"
    other.write_text("code\n1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="unexpected or repeated file"):
        hcp.build("hcp_rgph", [*files, other], _cities())


def test_empty_file_is_loud(tmp_path: Path) -> None:
    files = _write(tmp_path, communes="")
    with pytest.raises(SourceFormatError, match="empty"):
        hcp.build("hcp_rgph", files, _cities())

"""Tests of the INSEE census-table reader on small long-format fixtures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from workbench.errors import ConfigError, SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources import insee

HEADER = list(insee.RP_COLUMNS)
COMMUNE = "Commune de Lyon (69123)"
UU = "Unité urbaine 2020 de Lyon (00760)"
UU2010 = "Unité urbaine 2010 de Lyon (00758)"
ZE = "Zone d'emploi 2010 de Lyon (8214)"
DEP = "Département du Rhône (69)"
IMG1B = "IMG1B - Population immigrée par sexe, âge et pays de naissance"
NAT2 = "NAT2 - Population de 15 ans ou plus par sexe, type d'activité et nationalité (nationalité simplifiée)"
NAT3B = "NAT3B - Population par catégorie socioprofessionnelle et nationalité"
NAT1 = "NAT1 - Population par sexe, âge et nationalité (nationalité simplifiée)"
URL = "https://www.insee.fr/fr/statistiques/2044111?geo=COM-69123"


def _row(geo, year, table, sex, row, column, value, note=None):
    return [geo, year, table, sex, row, column, value, URL, note or f"Insee, RP{year} exploitation principale"]


ROWS = [
    _row(COMMUNE, "2009", IMG1B, "Ensemble", "Maroc", "Moins de 15 ans", "140"),
    _row(COMMUNE, "2009", IMG1B, "Hommes", "Autres pays de l'Union Européenne à 27", "55 ans ou plus", "1 260"),
    _row(COMMUNE, "2009", IMG1B, "Ensemble", "Ensemble", "Ensemble", "56970"),
    _row(UU, "2020", NAT2, "Femmes", "Étrangers", "Chômeurs", "9000"),
    _row(UU, "2020", NAT2, "Ensemble", "Ensemble", "Ensemble", "1378554"),
    _row(UU2010, "2015", NAT3B, "Ensemble", "Français par acquisition", "Ouvriers", "12000",
         "Insee, RP2015 exploitation complémentaire, géographie au 01/01/2017"),
    _row(ZE, "2011", NAT1, "Ensemble", "Français", "25 à 54 ans", "700000"),
    _row(DEP, "2017", NAT1, "Hommes", "Étrangers", "Ensemble", "80000"),
    _row(DEP, "2017", NAT1, "Hommes", "Français", "Ensemble", ""),
]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _cities(labels: list[str]) -> dict[str, City]:
    names = {"en": "Lyon", "fr": "Lyon", "ar": "ليون"}
    lyon = City.model_validate(
        {
            "city_id": "lyon",
            "names": names,
            "local_language": "fr",
            "country_iso3": "FRA",
            "country_names": {"en": "France", "fr": "France", "ar": "فرنسا"},
            "shore": "north",
            "codes": {"insee_geography": labels},
            "city_geography": "greater_city",
        }
    )
    return {"lyon": lyon}


CITIES = _cities([COMMUNE, "Unité urbaine 2020 de Lyon", UU2010, ZE, "Département du Rhône"])


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return _write(tmp_path / "insee.csv", ROWS)


def test_read_keeps_labels_and_parses_numbers(table: Path) -> None:
    raw = insee.read_rp_tables(table)
    assert len(raw) == len(ROWS)
    assert raw.loc[1, "value"] == 1260.0
    assert raw.loc[1, "row_label"] == "Autres pays de l'Union Européenne à 27"
    assert raw["value"].isna().sum() == 1
    assert raw.loc[0, "line"] == 2


def test_harmonise_maps_places_and_groups(table: Path) -> None:
    tidy = insee.harmonise_rp_tables(insee.read_rp_tables(table), CITIES)
    assert len(tidy) == len(ROWS) - 1  # the empty cell gives no row
    assert set(tidy["city_id"]) == {"lyon"}
    levels = dict(zip(tidy["place_id"], tidy["geography_level"]))
    assert levels == {
        "FR-69123": "municipality",
        "FR-UU2020-00760": "urban_unit",
        "FR-UU2010-00758": "urban_unit",
        "FR-ZE2010-8214": "employment_zone",
        "FR-D69": "departement",
    }
    maroc = tidy[(tidy["origin"] == "MAR")].iloc[0]
    assert (maroc["definition_id"], maroc["origin_type"], maroc["age"]) == ("immigre_insee", "birth_country", "Y_LT15")
    assert (maroc["ref_date"], maroc["period"]) == ("2009-01-01", "2009")
    assert URL in maroc["note"] and "RP 2009 (5 annual surveys)" in maroc["note"]
    group = tidy[tidy["origin"] == "INSEE_EU27_OTHER"].iloc[0]
    assert (group["origin_type"], group["sex"], group["age"], group["value"]) == ("birth_group", "male", "Y55-MAX", 1260.0)


def test_harmonise_activity_and_csp_are_categories(table: Path) -> None:
    tidy = insee.harmonise_rp_tables(insee.read_rp_tables(table), CITIES)
    unemployed = tidy[tidy["category"] == "activity:unemployed"].iloc[0]
    assert (unemployed["indicator_id"], unemployed["definition_id"]) == ("population", "foreign_nationality")
    assert (unemployed["age"], unemployed["sex"]) == ("Y15-MAX", "female")
    total_15 = tidy[(tidy["place_id"] == "FR-UU2020-00760") & (tidy["category"] == "total")].iloc[0]
    assert (total_15["definition_id"], total_15["age"], total_15["value"]) == ("total_population", "Y15-MAX", 1378554.0)
    workers = tidy[tidy["category"] == "csp:manual_workers"].iloc[0]
    assert (workers["definition_id"], workers["origin_type"], workers["origin"]) == (
        "national_citizens", "citizenship_group", "FR_BY_ACQUISITION")
    assert workers["age"] == "total"


def test_build_checks_source_id(table: Path) -> None:
    with pytest.raises(ConfigError, match="does not build source"):
        insee.build("eurostat_urb_cpop1", [table], CITIES)


def test_missing_column_is_loud(tmp_path: Path) -> None:
    header = [c if c != "column_label" else "col_label" for c in HEADER]
    path = _write(tmp_path / "insee.csv", ROWS, header)
    with pytest.raises(SourceFormatError, match="column_label"):
        insee.read_rp_tables(path)


def test_bad_number_is_loud(tmp_path: Path) -> None:
    rows = [*ROWS[:2], _row(COMMUNE, "2009", IMG1B, "Ensemble", "Maroc", "15 à 24 ans", "12O")]
    path = _write(tmp_path / "insee.csv", rows)
    with pytest.raises(SourceFormatError, match=r"row 4, column 'value'"):
        insee.read_rp_tables(path)


def test_wrong_encoding_is_loud(tmp_path: Path) -> None:
    path = _write(tmp_path / "insee.csv", ROWS, encoding="latin-1")
    with pytest.raises(SourceFormatError, match="not utf-8"):
        insee.read_rp_tables(path)


def test_empty_table_is_loud(tmp_path: Path) -> None:
    path = _write(tmp_path / "insee.csv", [])
    with pytest.raises(SourceFormatError, match="no data rows"):
        insee.read_rp_tables(path)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(COMMUNE, "2009", "IMG9Z - Nouvelle table", "Ensemble", "Maroc", "Ensemble", "1"), "unknown table"),
        (_row(COMMUNE, "2009", IMG1B, "Ensemble", "Mars", "Ensemble", "1"), "label 'Mars'"),
        (_row(COMMUNE, "2009", IMG1B, "Tous", "Maroc", "Ensemble", "1"), "column 'sex'"),
        (_row("Commune de Lille (59350)", "2009", IMG1B, "Ensemble", "Maroc", "Ensemble", "1"), "insee_geography"),
        (_row("Métropole de Lyon", "2009", IMG1B, "Ensemble", "Maroc", "Ensemble", "1"), "is not of the form"),
        (_row(COMMUNE, "2010", IMG1B, "Ensemble", "Maroc", "Ensemble", "1", "Insee, RP2009 exploitation principale"),
         "does not name RP2010"),
    ],
)
def test_unexpected_labels_are_loud(tmp_path: Path, row: list[str], message: str) -> None:
    path = _write(tmp_path / "insee.csv", [row])
    with pytest.raises(SourceFormatError, match=message):
        insee.harmonise_rp_tables(insee.read_rp_tables(path), CITIES)


def test_registry_labels_with_their_code_also_match(table: Path) -> None:
    cities = _cities([COMMUNE, UU, UU2010, ZE, DEP])
    tidy = insee.build("insee_rp_lyon", [table], cities)
    assert set(tidy["city_id"]) == {"lyon"}

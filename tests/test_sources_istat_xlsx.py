"""Tests for the ISTAT one-table-per-sheet workbook readers (workbench.tidy.sources.istat_xlsx)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pycountry
import pytest

from workbench.errors import SourceFormatError
from workbench.reference.registry import load_cities
from workbench.tidy.sources import istat_xlsx

CITIZENSHIP = istat_xlsx.WORKBOOKS["istat_popstrcit1_citizenship"]
AGES = istat_xlsx.WORKBOOKS["istat_permsogg1_age"]


def sheet_rows(territory: str, indicator: str, year: str, dimension: str, data: list[tuple]) -> list[tuple]:
    """Rows of one IstatData sheet, with the padded labels of the real export."""
    return [
        ("Italia, regioni, province - Paese di cittadinanza  ", None, None, None),
        ("Frequenza: Annuale  ", None, None, None),
        (f"Territorio: {territory}  ", None, None, None),
        (f"Indicatore: {indicator}  ", None, None, None),
        (f"Tempo: {year}  ", None, None, None),
        (None, None, None, None),
        ("Sesso  ", "Maschi  ", "Femmine  ", "Totale  "),
        (f"{dimension}  ", "  ", None, None),
        *[(f"{label}  ", *values) for label, *values in data],
    ]


def write_workbook(path: Path, sheets: dict[str, list[tuple]]) -> Path:
    """Write a workbook with one table per sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def citizenship_sheet(territory: str, data: list[tuple], year: str = "2023") -> list[tuple]:
    return sheet_rows(territory, CITIZENSHIP.indicator_label, year, "Cittadinanza", data)


@pytest.fixture
def cities():
    return load_cities()


@pytest.fixture
def citizenship_book(tmp_path: Path) -> Path:
    torino = [
        ("Mondo", 103657, 111203, 214860),
        ("Marocco", 11579, 10754, 22333),
        ("Kosovo", 41, 38, 79),
        ("Unione europea (28 paesi)", 41656, 54042, 95698),
        ("Apolide", 18, 16, 34),
        ("Gibuti", 0, 1, 1),
    ]
    return write_workbook(
        tmp_path / "cit.xlsx",
        {
            "A IT FJAN 2023": citizenship_sheet("Italia", [("Mondo", 2517539, 2623802, 5141341)]),
            "A ITC11 FJAN 2023": citizenship_sheet("Torino", torino),
            "A ITC12 FJAN 2023": citizenship_sheet("Vercelli", [("Pianeta X", 1, 1, 2)]),
        },
    )


def test_read_sheet_tables_is_a_faithful_long_frame(citizenship_book: Path) -> None:
    raw = istat_xlsx.read_sheet_tables(citizenship_book, CITIZENSHIP)
    assert list(raw.columns) == istat_xlsx.RAW_COLUMNS
    first = raw.iloc[0]
    assert (first["sheet"], first["row"], first["territory"], first["territory_label"]) == (
        "A IT FJAN 2023",
        9,
        "IT",
        "Italia",
    )
    assert (first["item"], first["sex_label"], first["value"]) == ("Mondo", "Maschi", 2517539.0)
    assert len(raw) == 3 * (1 + 6 + 1)


def test_harmonise_citizenship_maps_names_groups_and_scope(citizenship_book: Path, cities) -> None:
    tidy = istat_xlsx.build("istat_popstrcit1_citizenship", [citizenship_book], cities)
    assert set(tidy["place_id"]) == {"IT", "ITC11"}  # Vercelli (ITC12) is out of scope
    torino = tidy[(tidy["place_id"] == "ITC11") & (tidy["sex"] == "total")]
    got = dict(zip(torino["origin"], zip(torino["origin_type"], torino["value"])))
    assert got["total"] == ("", 214860.0)
    assert got["MAR"] == ("citizenship", 22333.0)
    assert got["XKX"] == ("citizenship", 79.0)
    assert got["EU28"] == ("citizenship_group", 95698.0)
    assert got["STATELESS"] == ("citizenship_group", 34.0)
    assert set(torino["city_id"]) == {"turin"}
    assert set(torino["geography_level"]) == {"metropolitan_city"}
    assert set(tidy["ref_date"]) == {"2023-01-01"}
    zero = tidy[(tidy["origin"] == "DJI") & (tidy["sex"] == "male")]
    assert zero["value"].tolist() == [0.0]  # published zeros are observations


def test_unknown_country_name_is_a_loud_error(tmp_path: Path, cities) -> None:
    path = write_workbook(
        tmp_path / "cit.xlsx",
        {"A ITC11 FJAN 2023": citizenship_sheet("Torino", [("Mondo", 1, 1, 2), ("Atlantide", 1, 0, 1)])},
    )
    with pytest.raises(SourceFormatError, match=r"sheet 'A ITC11 FJAN 2023', row 10, column 'A'.*Atlantide"):
        istat_xlsx.build("istat_popstrcit1_citizenship", [path], cities)


def test_wrong_sheet_name_is_a_loud_error(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "cit.xlsx", {"Foglio1": citizenship_sheet("Torino", [("Mondo", 1, 1, 2)])})
    with pytest.raises(SourceFormatError, match="sheet 'Foglio1': sheet name is not"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def test_workbook_of_another_data_type_is_a_loud_error(citizenship_book: Path) -> None:
    with pytest.raises(SourceFormatError, match="INFLNONEU"):
        istat_xlsx.read_sheet_tables(citizenship_book, AGES)


def test_changed_sex_header_is_a_loud_error(tmp_path: Path) -> None:
    rows = citizenship_sheet("Torino", [("Mondo", 1, 1, 2)])
    rows[6] = ("Sesso  ", "Femmine  ", "Maschi  ", "Totale  ")
    path = write_workbook(tmp_path / "cit.xlsx", {"A ITC11 FJAN 2023": rows})
    with pytest.raises(SourceFormatError, match=r"row 7, column 'B': expected 'Maschi'"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def test_year_title_differs_from_sheet_name_is_a_loud_error(tmp_path: Path) -> None:
    rows = citizenship_sheet("Torino", [("Mondo", 1, 1, 2)], year="2022")
    path = write_workbook(tmp_path / "cit.xlsx", {"A ITC11 FJAN 2023": rows})
    with pytest.raises(SourceFormatError, match="row 5.*Tempo: 2023"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def test_other_indicator_title_is_a_loud_error(tmp_path: Path) -> None:
    rows = sheet_rows("Torino", "Popolazione residente al 1° gennaio", "2023", "Cittadinanza", [("Mondo", 1, 1, 2)])
    path = write_workbook(tmp_path / "cit.xlsx", {"A ITC11 FJAN 2023": rows})
    with pytest.raises(SourceFormatError, match="row 4"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def test_non_numeric_cell_is_a_loud_error(tmp_path: Path) -> None:
    rows = citizenship_sheet("Torino", [("Mondo", 1, "n.d.", 2)])
    path = write_workbook(tmp_path / "cit.xlsx", {"A ITC11 FJAN 2023": rows})
    with pytest.raises(SourceFormatError, match=r"row 9, column 'C'"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def test_not_a_workbook_is_a_loud_error(tmp_path: Path) -> None:
    path = tmp_path / "cit.xlsx"
    path.write_text("DATAFLOW,FREQ\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a readable workbook"):
        istat_xlsx.read_sheet_tables(path, CITIZENSHIP)


def age_sheet(year: str, data: list[tuple]) -> list[tuple]:
    return sheet_rows("Torino", AGES.indicator_label, year, "Età", data)


def test_permit_ages_become_bands(tmp_path: Path, cities) -> None:
    data = [("Fino a 17 anni", 10, 8, 18), ("60 anni e più", 1, 2, 3), ("Totale", 11, 10, 21)]
    path = write_workbook(tmp_path / "age.xlsx", {"A ITC11 INFLNONEU 2023": age_sheet("2023", data)})
    tidy = istat_xlsx.build("istat_permsogg1_age", [path], cities)
    total = tidy[tidy["sex"] == "total"]
    assert dict(zip(total["age"], total["value"])) == {"Y_LT18": 18.0, "Y60-MAX": 3.0, "total": 21.0}
    assert set(tidy["ref_date"]) == {"2023-12-31"}
    assert set(tidy["indicator_id"]) == {"inflows"}
    assert set(tidy["definition_id"]) == {"new_residence_permit"}


def test_unknown_age_label_is_a_loud_error(tmp_path: Path, cities) -> None:
    path = write_workbook(tmp_path / "age.xlsx", {"A ITC11 INFLNONEU 2023": age_sheet("2023", [("0-14 anni", 1, 1, 2)])})
    with pytest.raises(SourceFormatError, match="unknown label '0-14 anni'"):
        istat_xlsx.build("istat_permsogg1_age", [path], cities)


def test_country_table_holds_iso3_codes() -> None:
    codes = set(istat_xlsx.COUNTRY_NAMES.values()) - {"XKX"}
    assert all(pycountry.countries.get(alpha_3=code) is not None for code in codes)
    assert len(codes) == len(istat_xlsx.COUNTRY_NAMES) - 1  # no two names share a code

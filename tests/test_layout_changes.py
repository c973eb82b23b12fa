"""Every official-format reader fails loudly when a publisher changes the layout of its file.

For each reader a small valid file is written (with the fixture builders of the reader's own
tests where they are plain functions), then one change a publisher might make is applied:
a required column dropped or renamed, the header row deleted or pushed down by a note row, a
value cell turned into text, the sheet renamed, the file emptied. The reader must raise a
SourceFormatError naming the file, the sheet, the row and the column and saying what it
expected; it must never return other numbers. The last tests check that ``workbench ingest``
is all or nothing: a missing, truncated or foreign file leaves every tidy table as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

import test_sources_aima_pt as aima_t
import test_sources_bcn_opendata as bcn_t
import test_sources_eu_qol as qol_t
import test_sources_eurostat as eurostat_t
import test_sources_hcp as hcp_t
import test_sources_ine_pt as ine_t
import test_sources_insee as insee_t
import test_sources_istat as istat_t
import test_sources_istat_xlsx as istat_xlsx_t
import test_sources_madrid_ayto as ayto_t
import test_sources_madrid_cm as cm_t
import test_sources_undesa as undesa_t
import test_sources_unhcr as unhcr_t
import test_sources_wien as wien_t
import test_sources_worldbank as wb_t
from conftest import run_cli
from workbench.errors import DataError, SourceFormatError
from workbench.tidy.ingest import ingest
from workbench.reference.registry import City, Names, load_cities, load_sources
from workbench.tidy.sources import (
    aima_pt,
    bcn_opendata,
    eu_qol,
    eurostat,
    hcp,
    ine_pt,
    ine_pt_layouts,
    insee,
    istat,
    istat_xlsx,
    madrid_ayto,
    madrid_cm,
    undesa,
    unhcr,
    wien,
    worldbank,
)

#: What a value cell becomes in the "value column became text" change.
TEXT_VALUE = "see note 3"
#: What a note row pushed above the header says.
NOTE = "Note: figures revised on 1 March"


@dataclass(frozen=True)
class Layout:
    """One official layout: how to write a valid copy and read it, and where its parts are.

    ``header_row`` and ``value_row`` are 1-based rows as a spreadsheet or an editor shows them;
    ``column`` (dropped), ``renamed_column`` (renamed; default ``column``) and ``value_column``
    are header texts found in ``header_row`` (or 0-based indexes). ``sheet`` is ``None`` for a
    CSV file. ``expect`` overrides, per change, the row and columns the message must name where
    the reader meets the change elsewhere first (a dropped column that also held the title).
    """

    name: str
    make: Callable[[Path], list[Path]]
    read: Callable[[list[Path]], pd.DataFrame]
    header_row: int
    column: str | int
    value_row: int
    value_column: str | int
    target: int = 0
    sheet: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    renamed: str = "Renamed"
    renamed_column: str | int | None = None
    expect: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name


# --- fixtures the reader tests build inside pytest fixtures, rebuilt here -------------------------


def _madrid() -> dict[str, City]:
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
            "madrid_ayto_city_label": ["Ciudad de Madrid"],
        },
        city_geography="municipality",
    )
    return {"madrid": madrid}


def _cm_nationality(folder: Path) -> list[Path]:
    header = [None, None, "Total País de nacionalidad", "España", "Marruecos", "Belgica", "Otros países de Europa", "Apátridas"]
    rows = cm_t.padron_head(cm_t.NATIONALITY_TITLE, header) + [
        [None, "Total Municipio de residencia", 1000, 400, 300, 200, 60, 40],
        ["0014", "Acebeda (La)", 2, None, 2, None, None, None],
        ["0796", "Madrid", 500, 200, 150, 100, 30, 20],
    ]
    return [cm_t.write_sheet(folder / "nacionalidad.xlsx", rows)]


def _cm_age(folder: Path) -> list[Path]:
    header = [None, None, None, "Total Subcontinente de nacimiento", "Unión Europea ", "África", "Apátridas"]
    rows = cm_t.padron_head(cm_t.AGE_TITLE, header) + [
        [None, "Total Municipio de residencia", "Total Grupos quinquenales de edad", 100, 60, 39, 1],
        [None, None, "De 0 a 4 años", 30, 20, 10, None],
        ["0796", "Madrid", "Total Grupos quinquenales de edad", 50, 30, 20, None],
        ["0796", None, "De 0 a 4 años", 10, 5, 5, None],
    ]
    return [cm_t.write_sheet(folder / "edad.xlsx", rows)]


def _cm_region(folder: Path) -> list[Path]:
    header = [None, None, "Total Subcontinente de nacimiento", "Unión Europea ", "Resto de Europa", "América del Sur"]
    rows = cm_t.padron_head(cm_t.REGION_TITLE, header) + [
        [None, "Total Municipio de residencia", 6000, 5000, 600, 400],
        ["0796", "Madrid", 3000, 2500, 300, 200],
    ]
    return [cm_t.write_sheet(folder / "region.xlsx", rows)]


def _cm_series(folder: Path) -> list[Path]:
    rows = [
        [None], [None], [None],
        ["Población empadronada por zonas estadísticas y por municipios (1)"],
        [None],
        [None, 1996, 1998, 2022],
        [None],
        ["Comunidad de Madrid", 5022289, 5091336, 6750336],
        [None],
        ["Municipio de Madrid", 2866850, 2881506, 3280782],
        [None],
        ["Madrid", 2866850, 2881506, 3280782],
        [None],
        ["(1) Año 1996 Padrón Municipal de Habitantes. Fecha de referencia 1 de marzo."],
        ["    A partir de 1998 la fecha de referencia es siempre 1 de enero de cada año."],
        [None],
        ["Fuente: Dirección General de Economía. Comunidad de Madrid."],
    ]
    return [cm_t.write_sheet(folder / "serie.xlsx", rows, sheet="Hoja1")]


def _cm_flows(folder: Path) -> list[Path]:
    rows = [
        [None], [None], [None],
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
        ["África", 40, 50],
        ["    Marruecos", 40, 50],
        [None],
        ["Fuente: Estadística del Movimiento Migratorio de la Comunidad de Madrid."],
    ]
    return [cm_t.write_sheet(folder / "anu2-3-5.xlsx", rows, sheet="Hoja1")]


def _istat_balance(folder: Path) -> list[Path]:
    rows = [istat_t.bil_row("ITC11", "FJAN", "9", "2023", "214860"), istat_t.bil_row("IT", "FJAN", "9", "2023", "5141341")]
    return [istat_t.write(folder / "bil.csv", istat_t.BIL_HEADER, rows)]


def _istat_flows(folder: Path) -> list[Path]:
    row = (
        '"ITC11","Torino","INFLNONEU","annual inflows of non-EU citizens","9","total","MA","Morocco",'
        '"ALL1","international protection","2022","2022",12,,'
    )
    return [istat_t.write(folder / "DCIS_PERMSOGG1_1.csv", istat_t.FLOWS_HEADER, [row], bom=True)]


def _istat_citizenship(folder: Path) -> list[Path]:
    torino = [("Mondo", 103657, 111203, 214860), ("Marocco", 11579, 10754, 22333)]
    sheets = {
        "A IT FJAN 2023": istat_xlsx_t.citizenship_sheet("Italia", [("Mondo", 2517539, 2623802, 5141341)]),
        "A ITC11 FJAN 2023": istat_xlsx_t.citizenship_sheet("Torino", torino),
    }
    return [istat_xlsx_t.write_workbook(folder / "cit.xlsx", sheets)]


def _unhcr(frame: Callable[[], pd.DataFrame], name: str) -> Callable[[Path], list[Path]]:
    return lambda folder: [unhcr_t._write_csv(frame(), folder / name)]


def _ine_files(folder: Path) -> list[Path]:
    return [ine_t._write(folder, quadro) for quadro in ine_t.FIXTURES]


def _ine(quadro: str, header_row: int, column: str | int, value_row: int, value_column: str | int) -> Layout:
    index = list(ine_t.FIXTURES).index(quadro)
    return Layout(
        f"ine_pt {quadro}", _ine_files, lambda files: ine_pt.build(ine_pt_layouts.SOURCE_ID, files, ine_t._cities()),
        header_row, column, value_row, value_column, target=index, encoding=ine_pt_layouts.ENCODING,
    )


LAYOUTS: list[Layout] = [
    Layout(
        "aima_pt evolution", lambda d: [aima_t._rifa(d), aima_t._rma(d)],
        lambda files: aima_pt.build(aima_pt.SOURCE_ID, files, {}), 1, "TOTAL", 7, "TOTAL",
    ),
    Layout(
        "aima_pt nationality", lambda d: [aima_t._rifa(d), aima_t._rma(d)],
        lambda files: aima_pt.build(aima_pt.SOURCE_ID, files, {}), 1, "Masculino", 2, "Masculino", target=1,
    ),
    Layout(
        "bcn_opendata padro", bcn_t._files,
        lambda files: bcn_opendata.build(bcn_opendata.SOURCE_ID, files, bcn_t._cities()), 1, "NACIONALITAT_REGIO", 2, "Valor",
    ),
    Layout(
        "eu_qol", lambda d: [qol_t._workbook(d / "qol.xlsx")], lambda files: qol_t._build(files[0]),
        2, "1505 Torino", 6, "1505 Torino", sheet=eu_qol.DATA_SHEET, renamed="1506 Verona",
        expect={"missing": {"row": 2, "columns": {"1505"}}, "renamed": {"row": 2, "columns": {"1505"}}},
    ),
    Layout(
        "eurostat page linear", lambda d: [eurostat_t._cpop1(d)],
        lambda files: eurostat.build("eurostat_urb_cpop1", files, load_cities()), 1, "OBS_VALUE", 3, "OBS_VALUE",
    ),
    Layout(
        "hcp regions", hcp_t._write, lambda files: hcp.build("hcp_rgph", files, hcp_t._cities()),
        1, "population_2024", 2, "population_2024", encoding="utf-8-sig",
    ),
    Layout(
        "hcp provinces", hcp_t._write, lambda files: hcp.build("hcp_rgph", files, hcp_t._cities()),
        1, "region_code", 3, "population_2024", target=1,
    ),
    Layout(
        "hcp communes", hcp_t._write, lambda files: hcp.build("hcp_rgph", files, hcp_t._cities()),
        1, "population_2014", 2, "population_2024", target=2,
    ),
    _ine("Q1.1", 3, "2011", 9, 2),
    _ine("Q1.2", 5, "Apátrida", 11, "Nacionalidade estrangeira"),
    _ine("Q1.3", 3, "Idade média", 7, 4),
    _ine("Q2.1", 4, "Nenhum", 6, "Nenhum"),
    _ine("Q3.1", 4, "Desempregada", 5, "Desempregada"),
    Layout(
        "insee", lambda d: [insee_t._write(d / "insee.csv", insee_t.ROWS)],
        lambda files: insee.build("insee_rp_lyon", files, insee_t.CITIES), 1, "column_label", 3, "value",
    ),
    Layout(
        "istat SDMX-CSV", _istat_balance, lambda files: istat.build("istat_popstrbil1", files, load_cities()),
        1, "OBS_VALUE", 2, "OBS_VALUE",
    ),
    Layout(
        "istat I.Stat export", _istat_flows,
        lambda files: istat.build("istat_permsogg1_flows_citizenship", files, load_cities()),
        1, "Reason", 2, "Value", encoding="utf-8-sig",
    ),
    Layout(
        "istat_xlsx", _istat_citizenship,
        lambda files: istat_xlsx.build("istat_popstrcit1_citizenship", files, load_cities()),
        7, "Maschi", 9, "Femmine", sheet="A ITC11 FJAN 2023",
    ),
    Layout(
        "madrid_ayto", lambda d: [ayto_t.write_table(d / "C4210722.xlsx", ayto_t.table_rows())],
        lambda files: madrid_ayto.build(ayto_t.SOURCE_ID, files, _madrid()),
        5, "País de nacionalidad", 8, 2, sheet="C4210722",
    ),
    Layout(
        "madrid_cm nationality", _cm_nationality,
        lambda files: madrid_cm.build("cm_padron_foreign_born_nationality_2021", files, _madrid()),
        10, "Total País de nacionalidad", 13, "Marruecos", sheet="Sheet 1",
    ),
    Layout(
        "madrid_cm age and region", _cm_age,
        lambda files: madrid_cm.build("cm_padron_foreign_born_age_region_2021", files, _madrid()),
        10, "Total Subcontinente de nacimiento", 13, "África", sheet="Sheet 1",
    ),
    Layout(
        "madrid_cm birth region", _cm_region,
        lambda files: madrid_cm.build("cm_padron_population_birth_region_2021", files, _madrid()),
        10, "Total Subcontinente de nacimiento", 12, "Resto de Europa", sheet="Sheet 1",
    ),
    Layout(
        "madrid_cm series", _cm_series,
        lambda files: madrid_cm.build("cm_padron_population_series", files, _madrid()),
        6, 0, 12, 2, sheet="Hoja1", renamed="Año", renamed_column=1,
    ),
    Layout(
        "madrid_cm flows", _cm_flows,
        lambda files: madrid_cm.build("cm_immigration_flows_foreigners", files, _madrid()),
        6, 0, 11, 2, sheet="Hoja1", renamed="Año", renamed_column=1,
    ),
    Layout(
        "undesa 2020", lambda d: [undesa_t._write_2020(d / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")],
        lambda files: undesa.build("undesa_ims_2020", files, load_cities()),
        11, "Location code", 15, 5, sheet="Table 1",
        # the title above the table moves with the dropped column, and is checked first
        expect={"missing": {"row": 3, "columns": {"E"}}},
    ),
    Layout(
        "undesa 2024 stock",
        lambda d: [undesa_t._write_stock(d / "migrant_stock.xlsx"), undesa_t._write_pairs(d / "migration_table1_countries_clean.csv")],
        lambda files: undesa.build("undesa_ims_2024", files, load_cities()),
        1, "location_code_origin", 3, "2024", sheet="Sheet1",
    ),
    Layout(
        "undesa 2024 country pairs",
        lambda d: [undesa_t._write_stock(d / "migrant_stock.xlsx"), undesa_t._write_pairs(d / "migration_table1_countries_clean.csv")],
        lambda files: undesa.build("undesa_ims_2024", files, load_cities()),
        1, "Data type", 2, "2024_total", target=1,
    ),
    Layout(
        "unhcr population", _unhcr(unhcr_t._population_frame, "population.csv"),
        lambda files: unhcr.build("unhcr_population", files, load_cities()), 1, "asylum_seekers", 2, "refugees",
    ),
    Layout(
        "unhcr demographics", _unhcr(unhcr_t._demographics_frame, "demographics.csv"),
        lambda files: unhcr.build("unhcr_demographics", files, load_cities()), 1, "f_60", 2, "f_total",
    ),
    Layout(
        "unhcr unrwa", _unhcr(unhcr_t._unrwa_frame, "unrwa.csv"),
        lambda files: unhcr.build("unhcr_unrwa", files, load_cities()), 1, "coa_iso", 2, "total",
    ),
    Layout(
        "wien", lambda d: [wien_t._write(d, [wien_t.TITLE, wien_t.HEADER, *wien_t.ROWS])],
        lambda files: wien.build(wien.SOURCE_ID, files, wien_t._city()), 2, "TCN", 4, "EEA", delimiter=";",
    ),
    Layout(
        "worldbank", wb_t._files, lambda files: worldbank.build("worldbank_wdi", files, load_cities()),
        1, "Value", 3, "Value",
    ),
]

SHEETS = [layout for layout in LAYOUTS if layout.sheet]


# --- editing a written file as a publisher would ------------------------------------------------


def _read_grid(path: Path, layout: Layout) -> list[list[str]]:
    text = path.read_bytes().decode(layout.encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter))


def _write_grid(path: Path, layout: Layout, grid: list[list[str]]) -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\n").writerows(grid)
    path.write_bytes(buffer.getvalue().encode(layout.encoding))


def _csv_record(grid: list[list[str]], line: int) -> int:
    """Index of the record starting on 1-based editor ``line`` (quoted cells may hold line breaks)."""
    current = 1
    for index, record in enumerate(grid):
        if current == line:
            return index
        current += 1 + sum(cell.count("\n") for cell in record)
    raise AssertionError(f"no record starts on line {line}")


def _index(cells: list[object], column: str | int) -> int:
    if isinstance(column, int):
        return column
    texts = ["" if c is None else str(c).strip() for c in cells]
    assert texts.count(column) == 1, f"header {column!r} not found once in {texts}"
    return texts.index(column)


def _label(cells: list[object], column: str | int) -> str:
    """The column as a message may name it: its header text or its spreadsheet letter."""
    index = _index(cells, column)
    text = "" if index >= len(cells) or cells[index] is None else str(cells[index]).strip()
    return text or get_column_letter(index + 1)


def _edit(layout: Layout, folder: Path, change: Callable, name: str) -> tuple[list[Path], dict]:
    """Write the valid files, apply change ``name`` to the target file, return the files and what to expect."""
    files = layout.make(folder)
    path = files[layout.target]
    if layout.sheet is None:
        grid = _read_grid(path, layout)
        header = _csv_record(grid, layout.header_row)
        expect = change(grid, header, _csv_record(grid, layout.value_row))
        _write_grid(path, layout, grid)
    else:
        book = openpyxl.load_workbook(path)
        sheet = book[layout.sheet]
        expect = change(sheet, layout.header_row, layout.value_row)
        book.save(path)
    return files, {"file": path.name, **expect, **layout.expect.get(name, {})}


def _drop_column(layout: Layout) -> Callable:
    def change(table, header: int, _value: int) -> dict:
        if layout.sheet is None:
            j = _index(table[header], layout.column)
            name = table[header][j].strip()
            for record in table[header:]:
                del record[j : j + 1]
            return {"row": layout.header_row, "columns": {name, get_column_letter(j + 1)}}
        cells = [c.value for c in table[header]]
        j = _index(cells, layout.column)
        name = str(cells[j]).strip()
        table.delete_cols(j + 1)
        return {"row": header, "columns": {name, get_column_letter(j + 1)}}

    return change


def _rename_column(layout: Layout) -> Callable:
    column = layout.column if layout.renamed_column is None else layout.renamed_column

    def change(table, header: int, _value: int) -> dict:
        if layout.sheet is None:
            j = _index(table[header], column)
            name = table[header][j].strip()
            table[header][j] = layout.renamed
            return {"row": layout.header_row, "columns": {name, get_column_letter(j + 1)}}
        cells = [c.value for c in table[header]]
        j = _index(cells, column)
        name = str(cells[j]).strip()
        table.cell(row=header, column=j + 1, value=layout.renamed)
        return {"row": header, "columns": {name, get_column_letter(j + 1)}}

    return change


def _shift_header(layout: Layout) -> Callable:
    def change(table, header: int, _value: int) -> dict:
        if layout.sheet is None:
            table.insert(header, [NOTE] + [""] * (len(table[header]) - 1))
            return {"row": layout.header_row}
        table.insert_rows(header)
        table.cell(row=header, column=1, value=NOTE)
        return {"row": header}

    return change


def _drop_header(layout: Layout) -> Callable:
    def change(table, header: int, _value: int) -> dict:
        if layout.sheet is None:
            del table[header]
            return {"row": layout.header_row}
        table.delete_rows(header)
        return {"row": header}

    return change


def _text_value(layout: Layout) -> Callable:
    def change(table, header: int, value: int) -> dict:
        if layout.sheet is None:
            j = _index(table[header], layout.value_column)
            label = _label(table[header], layout.value_column)
            table[value][j] = TEXT_VALUE
            return {"row": layout.value_row, "columns": {label, get_column_letter(j + 1)}}
        cells = [c.value for c in table[header]]
        j = _index(cells, layout.value_column)
        label = _label(cells, layout.value_column)
        table.cell(row=value, column=j + 1, value=TEXT_VALUE)
        return {"row": value, "columns": {label, get_column_letter(j + 1)}}

    return change


def _names_row(message: str, row: int) -> bool:
    """Whether the message names ``row``, alone ("row 5", "line 5") or in a range ("rows 3-5")."""
    for match in re.finditer(r"\b(?:rows?|lines?) (\d+)(?:\s*[-–]\s*(\d+))?", message):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first <= row <= last:
            return True
    return False


def _assert_names(message: str, expect: dict, layout: Layout) -> None:
    assert expect["file"] in message, message
    if layout.sheet is not None:
        assert layout.sheet in message, message
    if "row" in expect:
        assert _names_row(message, expect["row"]), f"row {expect['row']} not named: {message}"
    if "columns" in expect:
        named = [c for c in expect["columns"] if c and re.search(rf"(?:column |'){re.escape(c)}\b", message)]
        assert named, f"none of {expect['columns']} named: {message}"

    assert "expected" in message.lower(), message


# --- the valid fixtures build -----------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_valid_fixture_builds_rows(layout: Layout, tmp_path: Path) -> None:
    frame = layout.read(layout.make(tmp_path))
    assert len(frame) > 0


# --- each change is loud ----------------------------------------------------------------------


def _loud(layout: Layout, tmp_path: Path, change: Callable, name: str) -> str:
    files, expect = _edit(layout, tmp_path, change(layout), name)
    with pytest.raises(SourceFormatError) as info:
        layout.read(files)
    message = str(info.value)
    _assert_names(message, expect, layout)
    return message


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_missing_column_is_loud(layout: Layout, tmp_path: Path) -> None:
    _loud(layout, tmp_path, _drop_column, "missing")


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_missing_header_row_is_loud(layout: Layout, tmp_path: Path) -> None:
    _loud(layout, tmp_path, _drop_header, "no header")


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_renamed_column_is_loud(layout: Layout, tmp_path: Path) -> None:
    message = _loud(layout, tmp_path, _rename_column, "renamed")
    assert layout.renamed in message, "the message shows what was found"


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_value_become_text_is_loud(layout: Layout, tmp_path: Path) -> None:
    message = _loud(layout, tmp_path, _text_value, "text")
    assert repr(TEXT_VALUE) in message, "the message shows the text found"


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_shifted_header_row_is_loud_or_found(layout: Layout, tmp_path: Path) -> None:
    """A note row above the header: loud, unless the reader finds its header by content.

    Readers of the Madrid data banks look for their title and header rows by text (the
    exports vary in blank rows); for them the shifted table must give exactly the same tidy
    rows as the original, never other numbers.
    """
    (tmp_path / "valid").mkdir()
    (tmp_path / "shifted").mkdir()
    expected = layout.read(layout.make(tmp_path / "valid"))
    files, expect = _edit(layout, tmp_path / "shifted", _shift_header(layout), "shifted")
    try:
        got = layout.read(files)
    except SourceFormatError as exc:
        _assert_names(str(exc), expect, layout)
        return
    assert layout.name.startswith("madrid"), f"{layout.name}: a shifted header was read without error"
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_empty_file_is_loud(layout: Layout, tmp_path: Path) -> None:
    files = layout.make(tmp_path)
    files[layout.target].write_bytes(b"")
    with pytest.raises(SourceFormatError) as info:
        layout.read(files)
    message = str(info.value)
    assert files[layout.target].name in message and "expected" in message, message


@pytest.mark.parametrize("layout", SHEETS, ids=str)
def test_missing_sheet_is_loud(layout: Layout, tmp_path: Path) -> None:
    files = layout.make(tmp_path)
    path = files[layout.target]
    book = openpyxl.load_workbook(path)
    book[layout.sheet].title = "Feuil1"
    book.save(path)
    with pytest.raises(SourceFormatError) as info:
        layout.read(files)
    message = str(info.value)
    assert path.name in message and "Feuil1" in message and "expected" in message, message
    if not layout.name.startswith("istat_xlsx"):
        # the ISTAT export names its sheets after their territory: any 'A <code> <type> <year>' is fine
        assert layout.sheet in message, message


# --- ingestion is all or nothing ----------------------------------------------------------------

WIEN, AYTO = "wien_ogd_population_origin", "madrid_ayto_nationality_2022"


def _raw_folder(root: Path) -> dict[str, Path]:
    """A raw-data folder holding valid small copies of two official files, at their registry paths."""
    sources = load_sources()
    files = {WIEN: root / sources[WIEN].files[0].path, AYTO: root / sources[AYTO].files[0].path}
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    wien_t._write(files[WIEN].parent, [wien_t.TITLE, wien_t.HEADER, *wien_t.ROWS], name=files[WIEN].name)
    ayto_t.write_table(files[AYTO], ayto_t.table_rows())
    return files


def _break(files: dict[str, Path], how: str) -> str:
    """Damage one raw file as a download might; return a text the error must show."""
    if how == "missing":
        files[AYTO].unlink()
        return files[AYTO].name
    if how == "truncated csv":
        data = files[WIEN].read_bytes()
        files[WIEN].write_bytes(data[: data.rindex(b";", 0, len(data) - 5)])
        return files[WIEN].name
    if how == "truncated workbook":
        data = files[AYTO].read_bytes()
        files[AYTO].write_bytes(data[: len(data) // 2])
        return files[AYTO].name
    # another format: a workbook saved under the name of the CSV
    files[WIEN].write_bytes(files[AYTO].read_bytes())
    return files[WIEN].name


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BREAKAGES = ["missing", "truncated csv", "truncated workbook", "another format"]


def test_ingest_publishes_every_table_of_a_good_folder(tmp_path: Path) -> None:
    files = _raw_folder(tmp_path / "raw")
    results = ingest(tmp_path / "raw", tmp_path / "tidy", [WIEN, AYTO])
    assert [r.table for r in results] == [tmp_path / "tidy" / f"{WIEN}.csv", tmp_path / "tidy" / f"{AYTO}.csv"]
    assert sorted(_snapshot(tmp_path / "tidy")) == sorted(
        [f"{WIEN}.csv", f"{WIEN}.meta.yaml", f"{AYTO}.csv", f"{AYTO}.meta.yaml"]
    ), "no staging folder or temporary file is left behind"
    assert files[WIEN].is_file()


@pytest.mark.parametrize("how", BREAKAGES)
def test_ingest_with_a_bad_file_changes_no_table(how: str, tmp_path: Path) -> None:
    tidy = tmp_path / "tidy"
    tidy.mkdir()
    for source_id in (WIEN, AYTO):
        (tidy / f"{source_id}.csv").write_text("the committed table\n", encoding="utf-8")
        (tidy / f"{source_id}.meta.yaml").write_text("source_id: committed\n", encoding="utf-8")
    before = _snapshot(tidy)
    shown = _break(_raw_folder(tmp_path / "raw"), how)
    with pytest.raises(DataError) as info:
        ingest(tmp_path / "raw", tidy, [WIEN, AYTO])
    assert shown in str(info.value)
    assert _snapshot(tidy) == before, "a failing source left the other tables untouched too"


@pytest.mark.parametrize("how", BREAKAGES)
def test_cli_ingest_with_a_bad_file_is_one_clear_line(how: str, tmp_path: Path, project_copy: Path) -> None:
    tidy = project_copy / "data" / "tidy"
    before = _snapshot(tidy)
    shown = _break(_raw_folder(tmp_path / "raw"), how)
    done = run_cli("ingest", "--raw", str(tmp_path / "raw"), "--only", WIEN, "--only", AYTO, root=project_copy)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and shown in last, done.stderr
    assert _snapshot(tidy) == before

"""ISTAT IstatData workbooks with one table per sheet (territory x year), ITC11 and above."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import (
    column_letter,
    expect_cell,
    parse_number,
    read_excel_checked,
    single_file,
    tidy_frame,
)
from workbench.tidy.sources.istat_codes import TERRITORIES, territory_place

#: Sheet names of the export: frequency, territory code, data-type code, year.
SHEET_NAME = re.compile(r"^A (?P<territory>[A-Z0-9]+) (?P<data_type>[A-Z_]+) (?P<year>\d{4})$")

#: Sex columns of every sheet (row 7), labels as published without the padding.
SEX_COLUMNS: dict[str, str] = {"Maschi": "male", "Femmine": "female", "Totale": "total"}

#: Columns of the faithful long frame returned by :func:`read_sheet_tables`.
RAW_COLUMNS = ["file", "sheet", "row", "territory", "territory_label", "year", "item", "sex_label", "value"]

FIRST_DATA_ROW = 9  # 1-based: rows 1-5 titles, 6 blank, 7 sex header, 8 dimension header


class Workbook(NamedTuple):
    """What a workbook must hold."""

    data_type: str
    indicator_label: str
    dimension_label: str


WORKBOOKS: dict[str, Workbook] = {
    "istat_popstrcit1_citizenship": Workbook(
        "FJAN", "Popolazione censita straniera al 1° gennaio", "Cittadinanza"
    ),
    "istat_permsogg1_age": Workbook(
        "INFLNONEU", "Ingressi nell'anno di cittadini non comunitari", "Età"
    ),
}

#: Age rows of DCIS_PERMSOGG1_11 -> tidy age bands.
AGE_LABELS: dict[str, str] = {
    "Fino a 17 anni": "Y_LT18",
    "18-24 anni": "Y18-24",
    "25-29 anni": "Y25-29",
    "30-34 anni": "Y30-34",
    "35-39 anni": "Y35-39",
    "40-44 anni": "Y40-44",
    "45-49 anni": "Y45-49",
    "50-54 anni": "Y50-54",
    "55-59 anni": "Y55-59",
    "60 anni e più": "Y60-MAX",
    "Totale": "total",
}

#: Aggregate rows of the citizenship sheets -> (origin_type, origin).
CITIZENSHIP_GROUPS: dict[str, tuple[str, str]] = {
    "Mondo": ("", "total"),
    "Unione europea (28 paesi)": ("citizenship_group", "EU28"),
    "Altri paesi europei non Ue 28 (aggregato che cambia in base al contesto)": (
        "citizenship_group",
        "ISTAT_EUR_OTH",
    ),
    "Africa settentrionale": ("citizenship_group", "ISTAT_AFR_N"),
    "Africa occidentale": ("citizenship_group", "ISTAT_AFR_W"),
    "Africa orientale": ("citizenship_group", "ISTAT_AFR_E"),
    "Africa centro-meridionale": ("citizenship_group", "ISTAT_AFR_C_S"),
    "Asia occidentale": ("citizenship_group", "ISTAT_ASI_W"),
    "Asia orientale": ("citizenship_group", "ISTAT_ASI_E"),
    "Asia centro-meridionale": ("citizenship_group", "ISTAT_ASI_C_S"),
    "America settentrionale": ("citizenship_group", "ISTAT_AME_N"),
    "America centro-meridionale": ("citizenship_group", "ISTAT_AME_C_S"),
    "Oceania": ("citizenship_group", "ISTAT_OCE"),
    "Apolide": ("citizenship_group", "STATELESS"),
}

#: ISTAT Italian country names (as labelled in IstatData) -> ISO 3166-1 alpha-3.
#: XKX (Kosovo) is the user-assigned code used by the EU and the World Bank.
COUNTRY_NAMES: dict[str, str] = {
    "Albania": "ALB", "Andorra": "AND", "Austria": "AUT", "Belgio": "BEL",
    "Bielorussia": "BLR", "Bosnia-Erzegovina": "BIH", "Bulgaria": "BGR",
    "Ceca, Repubblica": "CZE", "Cipro": "CYP", "Croazia": "HRV", "Danimarca": "DNK",
    "Estonia": "EST", "Finlandia": "FIN", "Francia": "FRA", "Germania": "DEU",
    "Grecia": "GRC", "Irlanda": "IRL", "Islanda": "ISL", "Kosovo": "XKX",
    "Lettonia": "LVA", "Liechtenstein": "LIE", "Lituania": "LTU", "Lussemburgo": "LUX",
    "Macedonia, Ex Repubblica Jugoslava di": "MKD", "Malta": "MLT", "Moldova": "MDA",
    "Monaco": "MCO", "Montenegro": "MNE", "Norvegia": "NOR", "Paesi Bassi": "NLD",
    "Polonia": "POL", "Portogallo": "PRT", "Regno unito": "GBR", "Romania": "ROU",
    "Russia": "RUS", "San Marino": "SMR",
    "Santa Sede (Stato della Città del Vaticano)": "VAT", "Serbia, Repubblica di": "SRB",
    "Slovacchia": "SVK", "Slovenia": "SVN", "Spagna": "ESP", "Svezia": "SWE",
    "Svizzera": "CHE", "Turchia": "TUR", "Ucraina": "UKR", "Ungheria": "HUN",
    "Algeria": "DZA", "Angola": "AGO", "Benin (ex Dahomey)": "BEN", "Botswana": "BWA",
    "Burkina Faso (ex Alto Volta)": "BFA", "Burundi": "BDI", "Camerun": "CMR",
    "Capo Verde": "CPV", "Centrafricana, Repubblica": "CAF", "Ciad": "TCD", "Comore": "COM",
    "Congo (Repubblica del)": "COG", "Congo, Repubblica democratica del (ex Zaire)": "COD",
    "Costa d'Avorio": "CIV", "Egitto": "EGY", "Eritrea": "ERI", "Etiopia": "ETH",
    "Gabon": "GAB", "Gambia": "GMB", "Ghana": "GHA", "Gibuti": "DJI", "Guinea": "GIN",
    "Guinea equatoriale": "GNQ", "Guinea-Bissau": "GNB", "Kenya": "KEN", "Lesotho": "LSO",
    "Liberia": "LBR", "Libia": "LBY", "Madagascar": "MDG", "Malawi": "MWI", "Mali": "MLI",
    "Marocco": "MAR", "Mauritania": "MRT", "Mauritius": "MUS", "Mozambico": "MOZ",
    "Namibia": "NAM", "Niger": "NER", "Nigeria": "NGA", "Ruanda": "RWA",
    "São Tomé e Principe": "STP", "Senegal": "SEN", "Seychelles": "SYC",
    "Sierra Leone": "SLE", "Somalia": "SOM", "Sud Africa": "ZAF", "Sudan": "SDN",
    "Sud Sudan, Repubblica del": "SSD", "Swaziland": "SWZ", "Tanzania": "TZA", "Togo": "TGO",
    "Tunisia": "TUN", "Uganda": "UGA", "Zambia": "ZMB", "Zimbabwe (ex Rhodesia)": "ZWE",
    "Afghanistan": "AFG", "Arabia Saudita": "SAU", "Armenia": "ARM", "Azerbaigian": "AZE",
    "Bahrain": "BHR", "Bangladesh": "BGD", "Bhutan": "BTN", "Brunei Darussalam": "BRN",
    "Cambogia": "KHM", "Cina": "CHN", "Corea del sud": "KOR",
    "Corea, Repubblica Popolare Democratica (Corea del Nord)": "PRK",
    "Emirati Arabi Uniti": "ARE", "Filippine": "PHL", "Georgia": "GEO", "Giappone": "JPN",
    "Giordania": "JOR", "India": "IND", "Indonesia": "IDN",
    "Iran, Repubblica islamica dell'": "IRN", "Iraq": "IRQ", "Israele": "ISR",
    "Kazakhstan": "KAZ", "Kirghizistan": "KGZ", "Kuwait": "KWT", "Laos": "LAO",
    "Libano": "LBN", "Malaysia": "MYS", "Maldive": "MDV", "Mongolia": "MNG",
    "Myanmar (Ex Birmania)": "MMR", "Nepal": "NPL", "Oman": "OMN", "Pakistan": "PAK",
    "Qatar": "QAT", "Singapore": "SGP", "Siria": "SYR", "Sri Lanka (ex Ceylon)": "LKA",
    "Tagikistan": "TJK", "Taiwan (ex Formosa)": "TWN",
    "Territori dell'Autonomia Palestinese": "PSE", "Thailandia": "THA",
    "Timor-Leste": "TLS", "Turkmenistan": "TKM", "Uzbekistan": "UZB", "Vietnam": "VNM",
    "Yemen": "YEM", "Antigua e Barbuda": "ATG", "Argentina": "ARG", "Bahamas": "BHS",
    "Barbados": "BRB", "Belize": "BLZ", "Bolivia": "BOL", "Brasile": "BRA", "Canada": "CAN",
    "Cile": "CHL", "Colombia": "COL", "Costa Rica": "CRI", "Cuba": "CUB", "Dominica": "DMA",
    "Dominicana, Repubblica": "DOM", "Ecuador": "ECU", "El Salvador": "SLV",
    "Giamaica": "JAM", "Grenada": "GRD", "Guatemala": "GTM", "Guyana": "GUY", "Haiti": "HTI",
    "Honduras": "HND", "Messico": "MEX", "Nicaragua": "NIC", "Panama": "PAN",
    "Paraguay": "PRY", "Perù": "PER", "Saint Kitts e Nevis": "KNA", "Santa Lucia": "LCA",
    "Saint Vincent e Grenadine": "VCT", "Stati Uniti": "USA", "Suriname": "SUR",
    "Trinidad e Tobago": "TTO", "Uruguay": "URY", "Venezuela": "VEN", "Australia": "AUS",
    "Figi": "FJI", "Kiribati": "KIR", "Marshall, Isole": "MHL", "Nuova Zelanda": "NZL",
    "Palau": "PLW", "Papua Nuova Guinea": "PNG", "Salomone, Isole": "SLB", "Samoa": "WSM",
    "Tonga": "TON", "Vanuatu": "VUT",
}  # fmt: skip


def build(source_id: str, files: list[Path], cities: Mapping[str, City]) -> pd.DataFrame:
    """Return tidy rows for one ISTAT one-table-per-sheet workbook.

    Parameters
    ----------
    source_id
        ``istat_popstrcit1_citizenship`` or ``istat_permsogg1_age``.
    files
        The one workbook of the source.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy rows for Italia, Nord-ovest, Piemonte and Torino (ITC11).

    Raises
    ------
    SourceFormatError
        If a sheet does not have the expected layout or holds an unknown label.
    ConfigError
        If ``source_id`` is not served by this module or not exactly one file is given.
    """
    path = single_file(__name__, source_id, WORKBOOKS, files)
    raw = read_sheet_tables(path, WORKBOOKS[source_id])
    if source_id == "istat_popstrcit1_citizenship":
        return tidy_frame(harmonise_citizenship_sheets(raw, cities), source_id)
    return tidy_frame(harmonise_permit_age_sheets(raw, cities), source_id)


def read_sheet_tables(path: Path, workbook: Workbook) -> pd.DataFrame:
    """Read every sheet (one territory-year table each) into one long frame, unchanged.

    Each sheet holds five title rows (title, ``Frequenza``, ``Territorio: <name>``,
    ``Indicatore: <label>``, ``Tempo: <year>``), a blank row, the sex header
    (``Sesso | Maschi | Femmine | Totale``), the dimension header and the data rows.
    Labels are published with trailing spaces, which are stripped.

    Parameters
    ----------
    path
        The ``.xlsx`` exported from esploradati.istat.it.
    workbook
        The expected data-type code, indicator label and dimension label.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``sheet``, ``row`` (1-based), ``territory`` (code from the sheet
        name), ``territory_label``, ``year``, ``item`` (row label), ``sex_label``, ``value``.

    Raises
    ------
    SourceFormatError
        Unreadable workbook, unexpected sheet name, title, header, or non-numeric cell.
    """
    sheets = read_excel_checked(path, sheet=None)
    if not sheets:
        raise SourceFormatError(f"{path}: the workbook has no sheets")
    frames = [_read_one_sheet(path, name, table, workbook) for name, table in sheets.items()]
    return pd.concat(frames, ignore_index=True)


def harmonise_citizenship_sheets(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Census-based foreign population on 1 January by country of citizenship and sex.

    Country names go to ISO3 through :data:`COUNTRY_NAMES`, the aggregate rows the sheets
    publish (world, EU28, continents, stateless) to :data:`CITIZENSHIP_GROUPS`.

    Parameters
    ----------
    raw
        Output of :func:`read_sheet_tables` for DCIS_POPSTRCIT1_1.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Rows before :func:`workbench.tidy.sources._common.tidy_frame`.

    Raises
    ------
    SourceFormatError
        A citizenship label in neither table (naming file, sheet and row).
    """
    rows = []
    for rec in raw[raw["territory"].isin(TERRITORIES)].to_dict("records"):
        origin_type, origin = _citizenship(rec)
        rows.append(
            {
                **territory_place(rec["territory"], cities, rec["territory_label"]),
                "indicator_id": "population",
                "definition_id": "foreign_nationality",
                "sex": SEX_COLUMNS[rec["sex_label"]],
                "origin_type": origin_type,
                "origin": origin,
                "period": rec["year"],
                "ref_date": f"{rec['year']}-01-01",
                "value": rec["value"],
                "unit": "persons",
                "note": (
                    "Census-based foreign population (popolazione censita) on 1 January; "
                    f"citizenship: {rec['item']}"
                ),
            }
        )
    return pd.DataFrame(rows)


def harmonise_permit_age_sheets(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """New residence permits (inflows) of non-EU citizens during the year by age and sex.

    Parameters
    ----------
    raw
        Output of :func:`read_sheet_tables` for DCIS_PERMSOGG1_11.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SourceFormatError
        An age label not in :data:`AGE_LABELS` (naming file, sheet and row).
    """
    rows = []
    for rec in raw[raw["territory"].isin(TERRITORIES)].to_dict("records"):
        if rec["item"] not in AGE_LABELS:
            raise _unknown_label(rec, AGE_LABELS)
        rows.append(
            {
                **territory_place(rec["territory"], cities, rec["territory_label"]),
                "indicator_id": "inflows",
                "definition_id": "new_residence_permit",
                "sex": SEX_COLUMNS[rec["sex_label"]],
                "age": AGE_LABELS[rec["item"]],
                "period": rec["year"],
                "ref_date": f"{rec['year']}-12-31",
                "value": rec["value"],
                "unit": "persons",
                "note": "Residence permits issued during the year to non-EU citizens (ingressi)",
            }
        )
    return pd.DataFrame(rows)


def _read_one_sheet(path: Path, name: str, table: pd.DataFrame, workbook: Workbook) -> pd.DataFrame:
    where = f"{path}, sheet {name!r}"
    match = SHEET_NAME.match(name)
    if match is None or match["data_type"] != workbook.data_type:
        raise SourceFormatError(
            f"{where}: sheet name is not 'A <territory> {workbook.data_type} <year>' as expected "
            f"(e.g. 'A ITC11 {workbook.data_type} 2023'). Is this the right workbook?"
        )
    if table.shape[0] < FIRST_DATA_ROW:
        raise SourceFormatError(
            f"{where}: {table.shape[0]} rows; expected at least {FIRST_DATA_ROW} (titles on rows 1-5, "
            f"headers on rows 7-8, data from row {FIRST_DATA_ROW})"
        )
    cells = table.map(_clean)
    territory_label = _after_prefix(cells.iat[2, 0], "Territorio:", where, 3)
    expect_cell(cells.iat[3, 0], f"Indicatore: {workbook.indicator_label}", where, 4, "A")
    expect_cell(cells.iat[4, 0], f"Tempo: {match['year']}", where, 5, "A")
    expect_cell(cells.iat[6, 0], "Sesso", where, 7, "A")
    _check_sex_header(list(cells.iloc[6, 1:]), where)
    expect_cell(cells.iat[7, 0], workbook.dimension_label, where, 8, "A")
    records = []
    for i in range(FIRST_DATA_ROW - 1, table.shape[0]):
        item = cells.iat[i, 0]
        if not item:
            raise SourceFormatError(f"{where}, row {i + 1}, column 'A': empty row label")
        for j, sex in enumerate(SEX_COLUMNS, start=1):
            value = parse_number(table.iat[i, j], where, i + 1, column_letter(j))
            if value is not None:
                records.append(
                    {
                        "file": path.name,
                        "sheet": name,
                        "row": i + 1,
                        "territory": match["territory"],
                        "territory_label": territory_label,
                        "year": match["year"],
                        "item": item,
                        "sex_label": sex,
                        "value": value,
                    }
                )
    return pd.DataFrame.from_records(records, columns=RAW_COLUMNS)


def _check_sex_header(found: list[str], where: str) -> None:
    """Row 7 must read Maschi, Femmine, Totale from column B, and nothing after."""
    expected = list(SEX_COLUMNS)
    for j in range(max(len(found), len(expected))):
        want = expected[j] if j < len(expected) else ""
        got = found[j] if j < len(found) else ""
        if got != want:
            raise SourceFormatError(
                f"{where}, row 7, column {column_letter(j + 1)!r}: expected {want or 'an empty cell'!r}, "
                f"found {got!r} (the sex header reads {expected} from column B). "
                "Has the publisher changed the layout?"
            )


def _after_prefix(cell: str, prefix: str, where: str, row: int) -> str:
    if not cell.startswith(prefix):
        raise SourceFormatError(
            f"{where}, row {row}, column 'A': expected {prefix!r}, found {cell!r}. "
            "Has the publisher changed the layout?"
        )
    return cell[len(prefix) :].strip()


def _citizenship(rec: Mapping[str, object]) -> tuple[str, str]:
    label = str(rec["item"])
    if label in CITIZENSHIP_GROUPS:
        return CITIZENSHIP_GROUPS[label]
    if label in COUNTRY_NAMES:
        return "citizenship", COUNTRY_NAMES[label]
    raise _unknown_label(rec, [*CITIZENSHIP_GROUPS, "ISTAT country names in COUNTRY_NAMES"])


def _unknown_label(rec: Mapping[str, object], known: object) -> SourceFormatError:
    return SourceFormatError(
        f"{rec['file']}, sheet {rec['sheet']!r}, row {rec['row']}, column 'A': unknown label "
        f"{rec['item']!r}; known: {list(known)}. Map it explicitly in workbench.tidy.sources.istat_xlsx"
    )


def _clean(cell: object) -> str:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ""
    return str(cell).strip()

"""SEF/AIMA Portugal: foreign residents holding residence titles (tables extracted from PDF reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, tidy_frame

SOURCE_ID = "aima_pt_foreign_residents"

#: RIFA 2020 evolution table: column label (whitespace collapsed, curly quotes straightened)
#: -> tidy category; ``None`` marks the published year-on-year change.
EVOLUTION_COLUMNS: dict[str, str | None] = {
    "Títulos de Residência": "title:residence-title",
    "Concessão e Prorrogação de AP's": "title:stay-permit",
    "Prorrogação de VLD's": "title:long-stay-visa-extension",
    "TOTAL": "total",
    "VARIAÇÃO %": None,
}
EVOLUTION_NOTES: dict[str, str] = {
    "title:residence-title": "títulos de residência (residence titles)",
    "title:stay-permit": "autorizações de permanência granted or extended (stay permits, 2001-2007)",
    "title:long-stay-visa-extension": "prorrogações de vistos de longa duração (extended long-stay visas)",
}

#: RMA 2024 sex columns (stripped) -> tidy sex.
SEX_COLUMNS: dict[str, str] = {"TOTAL": "total", "Masculino": "male", "Feminino": "female"}

RMA_NOTE = (
    "AIMA stock on 31 December 2024: valid residence titles plus pending regularisations already "
    "attended, temporary protection and titles awaiting renewal (total 1 543 697)"
)

#: Nationality names of the SEF/AIMA reports -> ISO 3166-1 alpha-3, or a group code declared in
#: data/registry/origins/pt.yaml (stateless, British subjects, former states, Kosovo).
NATIONALITY_CODES: dict[str, str] = {
    "Afeganistão": "AFG",
    "África do Sul": "ZAF",
    "Albânia": "ALB",
    "Alemanha": "DEU",
    "Andorra": "AND",
    "Angola": "AGO",
    "Anguilla": "AIA",
    "Antígua e Barbuda": "ATG",
    "Apátrida": "STATELESS",
    "Arábia Saudita": "SAU",
    "Argélia": "DZA",
    "Argentina": "ARG",
    "Arménia": "ARM",
    "Austrália": "AUS",
    "Áustria": "AUT",
    "Azerbaijão": "AZE",
    "Bahamas": "BHS",
    "Bangladesh": "BGD",
    "Barbados": "BRB",
    "Barém": "BHR",
    "Bélgica": "BEL",
    "Belize": "BLZ",
    "Benim": "BEN",
    "Bermudas": "BMU",
    "Bielorrússia": "BLR",
    "Bolívia": "BOL",
    "Bósnia Herzegovina": "BIH",
    "Botswana": "BWA",
    "Brasil": "BRA",
    "Brunei": "BRN",
    "Bulgária": "BGR",
    "Burkina Faso": "BFA",
    "Burundi": "BDI",
    "Butão": "BTN",
    "Cabo Verde": "CPV",
    "Camarões": "CMR",
    "Camboja": "KHM",
    "Canadá": "CAN",
    "Cazaquistão": "KAZ",
    "Chade": "TCD",
    "Checoslováquia": "CSK",
    "Chile": "CHL",
    "China": "CHN",
    "Chipre": "CYP",
    "Colômbia": "COL",
    "Costa do Marfim": "CIV",
    "Costa Rica": "CRI",
    "Croácia": "HRV",
    "Cuba": "CUB",
    "Dinamarca": "DNK",
    "Dominica": "DMA",
    "Egipto": "EGY",
    "El Salvador": "SLV",
    "Emiratos Árabes Unidos": "ARE",
    "Equador": "ECU",
    "Eritreia": "ERI",
    "Eslovénia": "SVN",
    "Espanha": "ESP",
    "Estados Unidos da América": "USA",
    "Estónia": "EST",
    "Etiópia": "ETH",
    "Filipinas": "PHL",
    "Finlândia": "FIN",
    "França": "FRA",
    "Gabão": "GAB",
    "Gâmbia": "GMB",
    "Gana": "GHA",
    "Geórgia": "GEO",
    "Grã-Bretanha (British Subject)": "GBR_SUBJECT",
    "Granada": "GRD",
    "Grécia": "GRC",
    "Guatemala": "GTM",
    "Guiana": "GUY",
    "Guiné Bissau": "GNB",
    "Guiné Conacri": "GIN",
    "Guiné Equatorial": "GNQ",
    "Haiti": "HTI",
    "Honduras": "HND",
    "Hong-Kong": "HKG",
    "Hungria": "HUN",
    "Iémen": "YEM",
    "Ilhas Fiji": "FJI",
    "Ilhas Marshall": "MHL",
    "Ilhas Maurícias": "MUS",
    "Ilhas Salomão": "SLB",
    "Índia": "IND",
    "Indonésia": "IDN",
    "Irão": "IRN",
    "Iraque": "IRQ",
    "Irlanda": "IRL",
    "Islândia": "ISL",
    "Israel": "ISR",
    "Itália": "ITA",
    "Jamaica": "JAM",
    "Japão": "JPN",
    "Jibuti": "DJI",
    "Jordânia": "JOR",
    "Jugoslávia": "YUG",
    "Kosovo": "XKX",
    "Kuwait": "KWT",
    "Laos": "LAO",
    "Lesoto": "LSO",
    "Letónia": "LVA",
    "Líbano": "LBN",
    "Libéria": "LBR",
    "Líbia": "LBY",
    "Liechtenstein": "LIE",
    "Lituânia": "LTU",
    "Luxemburgo": "LUX",
    "Macau": "MAC",
    "Macedónia": "MKD",
    "Madagáscar": "MDG",
    "Malásia": "MYS",
    "Malawi": "MWI",
    "Maldivas": "MDV",
    "Mali": "MLI",
    "Malta": "MLT",
    "Marrocos": "MAR",
    "Mauritânia": "MRT",
    "México": "MEX",
    "Moçambique": "MOZ",
    "Moldávia": "MDA",
    "Mongólia": "MNG",
    "Montenegro": "MNE",
    "Myanmar": "MMR",
    "Namíbia": "NAM",
    "Nauru": "NRU",
    "Nepal": "NPL",
    "Nicarágua": "NIC",
    "Níger": "NER",
    "Nigéria": "NGA",
    "Noruega": "NOR",
    "Nova Zelândia": "NZL",
    "Oman": "OMN",
    "Países Baixos": "NLD",
    "Palau": "PLW",
    "Palestina": "PSE",
    "Panamá": "PAN",
    "Papuásia Nova Guiné": "PNG",
    "Paquistão": "PAK",
    "Paraguai": "PRY",
    "Peru": "PER",
    "Polónia": "POL",
    "Quatar": "QAT",
    "Quénia": "KEN",
    "Quirguistão": "KGZ",
    "Reino Unido": "GBR",
    "Rep. Dem. Congo": "COD",
    "República Centro Africana": "CAF",
    "República Checa": "CZE",
    "República da Coreia": "KOR",
    "República do Congo": "COG",
    "República do Sudão": "SDN",
    "República Dominicana": "DOM",
    "República Eslovaca": "SVK",
    "Roménia": "ROU",
    "Ruanda": "RWA",
    "Rússia": "RUS",
    "Samoa": "WSM",
    "Santa Lúcia": "LCA",
    "São Cristóvão e Nevis": "KNA",
    "São Tomé Príncipe": "STP",
    "São Vicente e Grenadinas": "VCT",
    "Senegal": "SEN",
    "Serra Leoa": "SLE",
    "Sérvia": "SRB",
    "Seychelles": "SYC",
    "Singapura": "SGP",
    "Síria": "SYR",
    "Somália": "SOM",
    "Sri Lanka": "LKA",
    "Suazilândia": "SWZ",
    "Sudão do Sul": "SSD",
    "Suécia": "SWE",
    "Suíça": "CHE",
    "Suriname": "SUR",
    "Tailândia": "THA",
    "Taiwan": "TWN",
    "Tajiquistão": "TJK",
    "Tanzânia": "TZA",
    "Timor-Leste": "TLS",
    "Togo": "TGO",
    "Trindade e Tobago": "TTO",
    "Tunísia": "TUN",
    "Turquemenistão": "TKM",
    "Turquia": "TUR",
    "Ucrânia": "UKR",
    "Uganda": "UGA",
    "União das Comores": "COM",
    "Urss": "SUN",
    "Uruguai": "URY",
    "Usbequistão": "UZB",
    "Vanuatu": "VUT",
    "Venezuela": "VEN",
    "Vietname": "VNM",
    "Zâmbia": "ZMB",
    "Zimbabwe": "ZWE",
}

_PORTUGAL = {"place_id": "PRT", "place_name": "Portugal", "geography_level": "country", "country_iso3": "PRT"}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for the SEF/AIMA foreign-resident tables.

    Parameters
    ----------
    source_id
        Must be ``aima_pt_foreign_residents``.
    files
        ``RIFA2020 - populacao-estrangeira-residente_evolucao.csv`` and
        ``RMA2024 - populacao-estrangeira-residente.csv``.
    cities
        The cities registry (unused: both tables are national).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown source id, a missing or unexpected file, or a file not in its layout.
    """
    if source_id != SOURCE_ID:
        raise SourceFormatError(f"workbench.tidy.sources.aima_pt does not serve source '{source_id}'")
    by_report = {Path(f).name.split(" ")[0]: Path(f) for f in files}
    if sorted(by_report) != ["RIFA2020", "RMA2024"] or len(files) != 2:
        raise SourceFormatError(
            f"{source_id}: expected one RIFA2020 and one RMA2024 file, got {[Path(f).name for f in files]}"
        )
    evolution = harmonise_evolution(read_evolution(by_report["RIFA2020"]))
    nationality = harmonise_by_nationality(read_by_nationality(by_report["RMA2024"]))
    return tidy_frame(pd.concat([evolution, nationality], ignore_index=True), SOURCE_ID)


def read_evolution(path: Path) -> pd.DataFrame:
    """Read the RIFA 2020 evolution table into one row per year and column.

    Parameters
    ----------
    path
        CSV with columns ANO, Títulos de Residência, Concessão e Prorrogação de AP's,
        Prorrogação de VLD's, TOTAL, VARIAÇÃO % (labels may hold line breaks); counts may
        carry spaces as thousands separators; the change is written ``7,22%``.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (text), ``column`` (label with whitespace collapsed) and ``value``
        (float); empty cells give no row.

    Raises
    ------
    SourceFormatError
        Renamed or missing column, a year that is not four digits, or a cell that is not a
        number.
    """
    table = _read_table(path, ["ANO", *EVOLUTION_COLUMNS])
    records = []
    for line, (_, row) in zip(data_lines(table), table.iterrows()):
        year = str(row["ANO"]).strip()
        if not re.fullmatch(r"\d{4}", year):
            raise SourceFormatError(
                f"{path}, row {line}, column 'ANO': {row['ANO']!r} is not a year; expected four digits"
            )
        for column in EVOLUTION_COLUMNS:
            value = _parse_cell(row[column], path, line, column)
            if value is not None:
                records.append((year, column, value))
    return pd.DataFrame(records, columns=["year", "column", "value"])


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """The table with whitespace-collapsed headers, checked for its columns and row lengths."""
    table = read_csv_checked(path)
    table.columns = [_clean_label(c) for c in table.columns]
    require_columns(table, columns, path)
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: no data rows after the header; expected one row per year or nationality")
    return table


def _clean_label(label: str) -> str:
    return re.sub(r"\s+", " ", str(label).replace("\u2019", "'")).strip()


def _parse_cell(text: object, path: Path, row: int, column: str) -> float | None:
    if isinstance(text, str) and text.strip().endswith("%"):
        number = text.strip()[:-1].replace(",", ".")
        return parse_number(number, path, row, column)
    return parse_number(text, path, row, column)


def harmonise_evolution(raw: pd.DataFrame) -> pd.DataFrame:
    """Map the RIFA 2020 evolution rows to tidy rows (national stock, 31 December).

    The totals are kept as published; a total whose components do not add up gets a note,
    and a total whose set of components changes from the year before gets flag ``b``.

    Parameters
    ----------
    raw
        Output of :func:`read_evolution`.

    Returns
    -------
    pandas.DataFrame
        Rows with tidy columns (before ``tidy_frame``).
    """
    category = raw["column"].map(EVOLUTION_COLUMNS)
    change = category.isna()
    notes = category.map(EVOLUTION_NOTES).fillna("")
    rows = raw.assign(
        **_PORTUGAL,
        indicator_id=change.map({True: "percent_change", False: "population"}),
        definition_id="residence_title_holder",
        category=category.fillna("total"),
        period=raw["year"],
        ref_date=raw["year"] + "-12-31",
        unit=change.map({True: "percent", False: "persons"}),
        flag="",
        note=notes.where(~change, "change of the total from the previous year, as published"),
    )
    return _mark_totals(rows)


def _mark_totals(rows: pd.DataFrame) -> pd.DataFrame:
    parts = rows[rows["category"].str.startswith("title:")]
    sums = parts.groupby("year")["value"].sum()
    components = parts.groupby("year")["category"].agg(lambda c: tuple(sorted(c)))
    changed = components.ne(components.shift()) & components.shift().notna()
    is_total = (rows["category"] == "total") & (rows["indicator_id"] == "population")
    out = rows.copy()
    for i in out.index[is_total]:
        year = out.at[i, "year"]
        notes = []
        if year in sums.index and sums[year] != out.at[i, "value"]:
            notes.append(f"components printed in the table add up to {sums[year]:g}")
        if changed.get(year, False):
            out.at[i, "flag"] = "b"
            notes.append("the kinds of title counted in the total change this year")
        out.at[i, "note"] = "; ".join(notes)
    return out.drop(columns=["year", "column"])


def read_by_nationality(path: Path) -> pd.DataFrame:
    """Read the RMA 2024 table of foreign residents by nationality and sex.

    Parameters
    ----------
    path
        CSV with columns NACIONALIDADES, TOTAL, Masculino, Feminino (``-`` for none).

    Returns
    -------
    pandas.DataFrame
        Columns ``nationality``, ``column`` (TOTAL/Masculino/Feminino) and ``value``
        (float); empty and ``-`` cells give no row.

    Raises
    ------
    SourceFormatError
        Renamed or missing column, a repeated nationality, or a cell that is not a number.
    """
    table = _read_table(path, ["NACIONALIDADES", *SEX_COLUMNS])
    lines = data_lines(table)
    names = table["NACIONALIDADES"].str.strip()
    repeated = names.duplicated().to_numpy()
    if repeated.any():
        i = int(repeated.argmax())
        raise SourceFormatError(
            f"{path}, row {lines[i]}, column 'NACIONALIDADES': {names.iloc[i]!r} appears twice; "
            "expected each nationality once"
        )
    records = []
    for line, (i, row) in zip(lines, table.iterrows()):
        for column in SEX_COLUMNS:
            value = parse_number(row[column], path, line, column)
            if value is not None:
                records.append((names[i], column, value))
    return pd.DataFrame(records, columns=["nationality", "column", "value"])


def harmonise_by_nationality(raw: pd.DataFrame) -> pd.DataFrame:
    """Map the RMA 2024 rows to tidy rows (national stock on 31 December 2024).

    Every row gets flag ``d``: AIMA's 2024 stock also counts people awaiting a title.

    Parameters
    ----------
    raw
        Output of :func:`read_by_nationality`.

    Returns
    -------
    pandas.DataFrame
        Rows with tidy columns (before ``tidy_frame``).

    Raises
    ------
    SourceFormatError
        A nationality name without a code in :data:`NATIONALITY_CODES`.
    """
    unknown = sorted(set(raw["nationality"]) - set(NATIONALITY_CODES))
    if unknown:
        raise SourceFormatError(
            f"{SOURCE_ID}: nationality name(s) {unknown} have no code in aima_pt.NATIONALITY_CODES"
        )
    return raw.assign(
        **_PORTUGAL,
        indicator_id="population",
        definition_id="residence_title_holder",
        sex=raw["column"].map(SEX_COLUMNS),
        origin_type="citizenship",
        origin=raw["nationality"].map(NATIONALITY_CODES),
        period="2024",
        ref_date="2024-12-31",
        unit="persons",
        flag="d",
        note=_sex_notes(raw),
    ).drop(columns=["nationality", "column"])


def _sex_notes(raw: pd.DataFrame) -> pd.Series:
    """The RMA note, plus a warning where men and women do not add up to the published total."""
    wide = raw.pivot(index="nationality", columns="column", values="value").reindex(columns=list(SEX_COLUMNS))
    parts = wide[["Masculino", "Feminino"]].sum(axis=1, min_count=1)
    off = wide["TOTAL"].notna() & parts.notna() & (parts != wide["TOTAL"])
    warning = ("; men and women add up to " + parts.map("{:g}".format)).where(off, "")
    total_row = raw["column"] == "TOTAL"
    return RMA_NOTE + raw["nationality"].map(warning).where(total_row, "")

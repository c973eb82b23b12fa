"""ISTAT SDMX-CSV and I.Stat CSV exports for Italy, Nord-ovest, Piemonte and Torino (ITC11)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._common import (
    check_row_lengths,
    parse_number,
    read_csv_checked,
    require_columns,
    single_file,
    tidy_frame,
)

T = TypeVar("T")

#: ISTAT / NUTS territory codes kept: code -> (ISTAT Italian label, geography level).
TERRITORIES: dict[str, tuple[str, str]] = {
    "IT": ("Italia", "country"),
    "ITC": ("Nord-ovest", "nuts1"),
    "ITC1": ("Piemonte", "nuts2"),
    "ITC11": ("Torino", "metropolitan_city"),
}

#: ISTAT sex codes (SEX, SEXISTAT1).
SEX_CODES: dict[str, str] = {"1": "male", "2": "female", "9": "total"}

#: SDMX OBS_STATUS / I.Stat flag codes -> tidy flags.
STATUS_FLAGS: dict[str, str] = {"": "", "p": "p"}

#: Code system of ISTAT territories in data/registry/cities.yaml.
CODE_SYSTEM = "istat_territory"

SDMX_LEAD = ("DATAFLOW", "FREQ", "REF_AREA")
SDMX_TAIL = ("TIME_PERIOD", "OBS_VALUE", "OBS_STATUS")
ISTAT_TAIL = ("TIME", "Select time", "Value", "Flag Codes", "Flags")


class Item(NamedTuple):
    """How one ISTAT data-type code becomes tidy columns."""

    indicator_id: str
    category: str
    timing: str  # 'jan' stock at 1 January, 'dec' stock at 31 December, 'year' flow in the year
    label: str


#: DCIS_POPSTRBIL1 DATA_TYPE codes. The SDMX-CSV carries codes only: the labels below were
#: checked against ISTAT's demographic-balance items and the file's own arithmetic
#: (e.g. TFREG_TOT = FREGM + FREGOTHC + FREGOTHR; at Italy level FREGM = FDEREGM).
BALANCE_ITEMS: dict[str, Item] = {
    "FJAN": Item("population", "total", "jan", "Foreign population on 1 January"),
    "FDEC_CP": Item(
        "population",
        "total",
        "dec",
        "Foreign population on 31 December (census-based)",
    ),
    "FDEC_CP_P": Item(
        "population",
        "total",
        "dec",
        "Foreign population on 31 December, provisional: 1 January stock + natural change + net "
        "migration (abroad and internal) - acquisitions of citizenship, without the "
        "registrations/cancellations for other reasons (checked on the file's figures)",
    ),
    "FHOUSMEMB_CP": Item(
        "population",
        "residence:household",
        "dec",
        "Foreign population in households on 31 December (census)",
    ),
    "FPOPCOM_CP": Item(
        "population",
        "residence:institution",
        "dec",
        "Foreign population in institutional households (convivenze) on 31 December",
    ),
    "FLBIRTH": Item("births", "total", "year", "Live births of foreign citizens"),
    "FDEATH": Item("deaths", "total", "year", "Deaths of foreign citizens"),
    "FREGOTHC": Item(
        "inflows",
        "flow:from_abroad",
        "year",
        "Registrations from abroad (iscritti dall'estero)",
    ),
    "FREGM": Item(
        "inflows",
        "flow:internal",
        "year",
        "Registrations from other comuni (iscritti da altri comuni)",
    ),
    "FREGOTHR": Item(
        "inflows",
        "flow:other_reasons",
        "year",
        "Registrations for other reasons (iscritti per altri motivi)",
    ),
    "TFREG_TOT": Item(
        "inflows",
        "total",
        "year",
        "Total registrations (from other comuni, from abroad, other reasons)",
    ),
    "FDERGOTHC": Item(
        "outflows",
        "flow:to_abroad",
        "year",
        "Cancellations to abroad (cancellati per l'estero)",
    ),
    "FDEREGM": Item(
        "outflows",
        "flow:internal",
        "year",
        "Cancellations to other comuni (cancellati per altri comuni)",
    ),
    "FDEROTHR": Item(
        "outflows",
        "flow:other_reasons",
        "year",
        "Cancellations for other reasons (cancellati per altri motivi)",
    ),
    "TFDEREG_TOT": Item(
        "outflows",
        "total",
        "year",
        "Total cancellations (to other comuni, to abroad, other reasons; acquisitions of "
        "citizenship excluded)",
    ),
    "ACQCITIZ": Item(
        "citizenship_acquisitions",
        "total",
        "year",
        "Acquisitions of Italian citizenship",
    ),
    "FINTNMIG": Item(
        "net_migration",
        "flow:abroad",
        "year",
        "Net migration with abroad (registrations from minus cancellations to abroad)",
    ),
    "FINTRNMIGR": Item(
        "net_migration",
        "flow:internal",
        "year",
        "Net internal migration (with other comuni)",
    ),
    "FBLOTHR": Item(
        "net_migration",
        "flow:other_reasons",
        "year",
        "Balance of registrations and cancellations for other reasons",
    ),
    "FNETMIG": Item(
        "net_migration",
        "flow:internal_and_abroad",
        "year",
        "Net migration, internal and with abroad",
    ),
    "FNMIGRAT": Item(
        "net_migration",
        "total",
        "year",
        "Net migration and other reasons (internal + abroad + other reasons)",
    ),
    "FNATGR": Item(
        "population_change",
        "component:natural_change",
        "year",
        "Natural change (live births minus deaths)",
    ),
    "FTOTBAL_CP": Item(
        "population_change",
        "component:registry_balance",
        "year",
        "Total registry balance: natural change + net migration and other reasons - "
        "acquisitions of citizenship, before the census adjustment",
    ),
    "FTOCESTAD_CP": Item(
        "population_change",
        "component:census_adjustment",
        "year",
        "Census statistical adjustment (aggiustamento statistico censuario)",
    ),
    "FSTAT_ADJUST": Item(
        "population_change",
        "component:statistical_adjustment",
        "year",
        "Statistical adjustment (includes the registrations/cancellations for other "
        "reasons, not published separately that year)",
    ),
    "FREGSTAD_CP": Item(
        "population_change",
        "component:statistical_adjustment_registrations",
        "year",
        "Registrations from the statistical adjustment (label inferred from the code; all "
        "values zero)",
    ),
    "FIDECTR": Item(
        "population_change",
        "component:territorial_changes",
        "year",
        "Units more/less due to territorial changes (label inferred from the code; all "
        "values zero)",
    ),
    "FTOTAL_BAL": Item(
        "population_change",
        "total",
        "year",
        "Total change of the foreign population over the year (31 December minus 1 "
        "January)",
    ),
}

#: DCIS_POPSTRCIT1 CITIZENSHIP codes (geopolitical areas) -> (origin_type, origin, label).
AREA_CODES: dict[str, tuple[str, str, str]] = {
    "WORLD": ("", "total", "Mondo"),
    "EU28": ("citizenship_group", "EU28", "Unione europea (28 paesi)"),
    "XEUR_NEU28_OTH": ("citizenship_group", "ISTAT_EUR_OTH", "Altri paesi europei non Ue 28"),
    "AFR_N": ("citizenship_group", "ISTAT_AFR_N", "Africa settentrionale"),
    "AFR_W": ("citizenship_group", "ISTAT_AFR_W", "Africa occidentale"),
    "AFR_E": ("citizenship_group", "ISTAT_AFR_E", "Africa orientale"),
    "AFR_C_S": ("citizenship_group", "ISTAT_AFR_C_S", "Africa centro-meridionale"),
    "ASI_W": ("citizenship_group", "ISTAT_ASI_W", "Asia occidentale"),
    "XASI_C_S": ("citizenship_group", "ISTAT_ASI_C_S", "Asia centro-meridionale"),
    "ASI_E": ("citizenship_group", "ISTAT_ASI_E", "Asia orientale"),
    "AME_N": ("citizenship_group", "ISTAT_AME_N", "America settentrionale"),
    "AME_C_S": ("citizenship_group", "ISTAT_AME_C_S", "America centro-meridionale"),
    "OCE": ("citizenship_group", "ISTAT_OCE", "Oceania"),
    "999": ("citizenship_group", "STATELESS", "Apolide"),
}

#: DCIS_PERMSOGG1 TYPE_RES_PERMIT codes -> tidy category.
PERMIT_TYPES: dict[str, tuple[str, str]] = {
    "TOTAL": ("total", "all valid permits"),
    "LONGT": ("permit:long_term", "long-term residence permits (EU long-term residents, no expiry)"),
    "NLONGT": ("permit:with_expiry", "permits with an expiry date (not long-term)"),
}

#: I.Stat MOTIVOPS1 codes (reason of the permit) -> category slug.
PERMIT_REASONS: dict[str, str] = {"ALL1": "reason:international_protection"}

#: I.Stat ISO codes that are not ISO 3166-1 alpha-2 countries -> (origin_type, origin).
PERMIT_ORIGIN_SPECIAL: dict[str, tuple[str, str]] = {
    "WORLD": ("", "total"),
    "X777": ("citizenship_group", "OTHER"),
    "XK": ("citizenship", "XKX"),
}

#: LFS TITOLO_STUDIO codes -> category.
EDUCATION_CODES: dict[str, str] = {
    "99": "total",
    "13": "education:isced0-2",
    "7": "education:isced3-4",
    "11": "education:isced5-8",
}

#: LFS ETA1 codes kept as tidy age bands.
LFS_AGES: dict[str, str] = {"Y15-64": "Y15-64", "Y15-74": "Y15-74", "Y20-64": "Y20-64"}

#: LFS TIPO_DATO_FOL codes -> indicator.
LFS_DATA_TYPES: dict[str, str] = {"EMP_R": "employment_rate", "UNEM_R": "unemployment_rate"}

#: Reference date of a quarter (mid-quarter).
QUARTER_DATES: dict[str, str] = {"Q1": "02-15", "Q2": "05-15", "Q3": "08-15", "Q4": "11-15"}


class Layout(NamedTuple):
    """What a source file must hold: its dataflow and the dimension columns in order."""

    dataflow: str
    dimensions: tuple[str, ...]


SDMX_LAYOUTS: dict[str, Layout] = {
    "istat_popstrcit1_area": Layout(
        "IT1:29_317_DF_DCIS_POPSTRCIT1_24(1.0)", ("DATA_TYPE", "SEX", "CITIZENSHIP")
    ),
    "istat_popstrbil1": Layout("IT1:29_316_DF_DCIS_POPSTRBIL1_1(1.0)", ("DATA_TYPE", "SEX")),
    "istat_acqcitiz": Layout(
        "IT1:29_849_DF_DCIS_ACQCITIZ_4(1.0)",
        ("DATA_TYPE", "SEX", "MOSTREL_CCITENSHIP", "ACQUISITION_PROCESS", "AGE"),
    ),
    "istat_permsogg1_type": Layout(
        "IT1:29_348_DF_DCIS_PERMSOGG1_4(1.0)",
        (
            "DATA_TYPE",
            "SEX",
            "MOSTREL_CCITENSHIP",
            "TYPE_RES_PERMIT_REASON",
            "TYPE_RES_PERMIT",
            "AGE",
            "MARITAL_STATUS",
        ),
    ),
}

ISTAT_LAYOUTS: dict[str, tuple[tuple[str, str], ...]] = {
    "istat_permsogg1_flows_citizenship": (
        ("ITTER107", "Territory"),
        ("TIPO_DATO15", "Data type"),
        ("SEXISTAT1", "Gender"),
        ("ISO", "Most relevant Country of citizenship"),
        ("MOTIVOPS1", "Reason"),
    ),
    "istat_lfs_employment_foreign": (
        ("ITTER107", "Territory"),
        ("TIPO_DATO_FOL", "Data type"),
        ("SEXISTAT1", "Gender"),
        ("ETA1", "Age class"),
        ("TITOLO_STUDIO", "Highest level of education attained"),
        ("CITTADINANZA", "Citizenship"),
    ),
    "istat_lfs_unemployment_foreign": (
        ("ITTER107", "Territory"),
        ("TIPO_DATO_FOL", "Data type"),
        ("ETA1", "Age class"),
        ("TITOLO_STUDIO", "Highest level of education attained"),
        ("CITTADINANZA", "Citizenship"),
    ),
}


def build(source_id: str, files: list[Path], cities: Mapping[str, City]) -> pd.DataFrame:
    """Return tidy rows for one ISTAT CSV source.

    Parameters
    ----------
    source_id
        One of the ids in :data:`SDMX_LAYOUTS` or :data:`ISTAT_LAYOUTS`.
    files
        The one official file of the source.
    cities
        The cities registry (city ids come from its ``istat_territory`` codes).

    Returns
    -------
    pandas.DataFrame
        Tidy rows (see :mod:`workbench.tidy.schemas`).

    Raises
    ------
    SourceFormatError
        If the file does not have the expected layout or holds an unknown code.
    ConfigError
        If ``source_id`` is not served by this module or not exactly one file is given.
    """
    path = single_file(__name__, source_id, [*SDMX_LAYOUTS, *ISTAT_LAYOUTS], files)
    if source_id in SDMX_LAYOUTS:
        layout = SDMX_LAYOUTS[source_id]
        raw = read_sdmx_csv(path, layout.dataflow, layout.dimensions)
        harmonisers = {
            "istat_popstrcit1_area": harmonise_popstrcit1_area,
            "istat_popstrbil1": harmonise_popstrbil1,
            "istat_acqcitiz": harmonise_acqcitiz,
            "istat_permsogg1_type": harmonise_permsogg1_type,
        }
        return tidy_frame(harmonisers[source_id](raw, cities), source_id)
    raw = read_istat_export(path, ISTAT_LAYOUTS[source_id])
    if source_id == "istat_permsogg1_flows_citizenship":
        return tidy_frame(harmonise_permit_flows_citizenship(raw, cities), source_id)
    return tidy_frame(harmonise_lfs_rates(raw, cities), source_id)


def read_sdmx_csv(path: Path, dataflow: str, dimensions: Sequence[str]) -> pd.DataFrame:
    """Read an ISTAT SDMX-CSV export (codes only) into a long frame, unchanged.

    Parameters
    ----------
    path
        The ``.csv`` exported from esploradati.istat.it ("SDMX-CSV, codes").
    dataflow
        The DATAFLOW value every row must carry, e.g. ``IT1:29_316_DF_DCIS_POPSTRBIL1_1(1.0)``.
    dimensions
        The dimension columns between REF_AREA and TIME_PERIOD, in order.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``line`` (1-based line of the CSV), ``ref_area``, one lower-case
        column per dimension, ``time_period``, ``value`` (float, NaN when empty),
        ``obs_status`` and ``notes`` (the NOTE_* codes of the row joined by ``; ``).

    Raises
    ------
    SourceFormatError
        Unreadable file, different columns, another dataflow, a scaled unit (UNIT_MULT),
        or a value that is not a number.
    """
    frame = _read_rows(path, "utf-8")
    expected = [*SDMX_LEAD, *dimensions, *SDMX_TAIL]
    require_columns(frame, expected, path)
    found = list(frame.columns[: len(expected)])
    if found != expected:
        raise SourceFormatError(
            f"{path}, row 1: columns {found} differ from the expected SDMX-CSV layout {expected}. "
            "Has the publisher added or reordered a dimension?"
        )
    _require_rows(frame, path)
    _check_constant(frame, "DATAFLOW", dataflow, path)
    _check_constant(frame, "FREQ", "A", path)
    if "UNIT_MULT" in frame.columns:
        _check_constant(frame, "UNIT_MULT", "", path)
    note_columns = [c for c in frame.columns if c.startswith("NOTE_")]
    out = pd.DataFrame(
        {
            "file": path.name,
            "line": frame.index + 2,
            "ref_area": frame["REF_AREA"].fillna(""),
            **{d.lower(): frame[d].fillna("") for d in dimensions},
            "time_period": frame["TIME_PERIOD"].fillna(""),
            "value": [
                _number(v, path, i + 2, "OBS_VALUE") for i, v in enumerate(frame["OBS_VALUE"])
            ],
            "obs_status": frame["OBS_STATUS"].fillna(""),
            "notes": frame[note_columns].fillna("").apply(_join_notes, axis=1)
            if note_columns
            else "",
        }
    )
    return out.reset_index(drop=True)


def read_istat_export(path: Path, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Read an I.Stat (dati.istat.it) CSV export with code and label columns, unchanged.

    Parameters
    ----------
    path
        The ``.csv`` (UTF-8 with a byte-order mark) exported from I.Stat.
    pairs
        (code column, label column) pairs of the dimensions, in file order.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``line``, per pair ``<code column lower-case>`` and
        ``<code column lower-case>_label``, ``time``, ``time_label``, ``value`` (float),
        ``flag_codes`` and ``flags``.

    Raises
    ------
    SourceFormatError
        Unreadable file, different columns, or a value that is not a number.
    """
    frame = _read_rows(path, "utf-8-sig")
    expected = [name for pair in pairs for name in pair] + list(ISTAT_TAIL)
    require_columns(frame, expected, path)
    if list(frame.columns) != expected:
        raise SourceFormatError(
            f"{path}, row 1: columns {list(frame.columns)} differ from the expected I.Stat layout "
            f"{expected}. Has the publisher added or reordered a dimension?"
        )
    _require_rows(frame, path)
    columns: dict[str, object] = {"file": path.name, "line": frame.index + 2}
    for code, label in pairs:
        columns[code.lower()] = frame[code].fillna("")
        columns[f"{code.lower()}_label"] = frame[label].fillna("")
    columns["time"] = frame["TIME"].fillna("")
    columns["time_label"] = frame["Select time"].fillna("")
    columns["value"] = [_number(v, path, i + 2, "Value") for i, v in enumerate(frame["Value"])]
    columns["flag_codes"] = frame["Flag Codes"].fillna("")
    columns["flags"] = frame["Flags"].fillna("")
    return pd.DataFrame(columns).reset_index(drop=True)


def harmonise_popstrcit1_area(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Census-based foreign population on 1 January by geopolitical area of citizenship and sex.

    Parameters
    ----------
    raw
        Output of :func:`read_sdmx_csv` for DCIS_POPSTRCIT1_24.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Rows before :func:`workbench.tidy.sources._common.tidy_frame`.
    """
    rows = []
    for rec in _in_scope(raw, "ref_area").to_dict("records"):
        _expect_code(rec, "data_type", {"FJAN"})
        origin_type, origin, label = _lookup(AREA_CODES, rec, "citizenship")
        year = _year(rec, "time_period")
        rows.append(
            {
                **territory_place(rec["ref_area"], cities),
                "indicator_id": "population",
                "definition_id": "foreign_nationality",
                "sex": _lookup(SEX_CODES, rec, "sex"),
                "origin_type": origin_type,
                "origin": origin,
                "period": year,
                "ref_date": f"{year}-01-01",
                "value": rec["value"],
                "unit": "persons",
                "flag": _lookup(STATUS_FLAGS, rec, "obs_status"),
                "note": _note(
                    rec,
                    f"Census-based foreign population (popolazione censita) on 1 January; "
                    f"citizenship area: {label}",
                ),
            }
        )
    return pd.DataFrame(rows)


def harmonise_popstrbil1(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Demographic balance of the foreign population by sex: stocks, flows and balances.

    Stocks on 1 January get ``ref_date`` YYYY-01-01; stocks on 31 December and the flows and
    balances of the year get YYYY-12-31. Every DATA_TYPE code is mapped in
    :data:`BALANCE_ITEMS`.

    Parameters
    ----------
    raw
        Output of :func:`read_sdmx_csv` for DCIS_POPSTRBIL1_1.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for rec in _in_scope(raw, "ref_area").to_dict("records"):
        item = _lookup(BALANCE_ITEMS, rec, "data_type")
        year = _year(rec, "time_period")
        rows.append(
            {
                **territory_place(rec["ref_area"], cities),
                "indicator_id": item.indicator_id,
                "definition_id": "foreign_nationality",
                "sex": _lookup(SEX_CODES, rec, "sex"),
                "category": item.category,
                "period": year,
                "ref_date": f"{year}-01-01" if item.timing == "jan" else f"{year}-12-31",
                "value": rec["value"],
                "unit": "persons",
                "flag": _lookup(STATUS_FLAGS, rec, "obs_status"),
                "note": _note(rec, f"ISTAT {rec['data_type']}: {item.label}"),
            }
        )
    return pd.DataFrame(rows)


def harmonise_acqcitiz(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Acquisitions of Italian citizenship by sex (all citizenships, processes and ages).

    Parameters
    ----------
    raw
        Output of :func:`read_sdmx_csv` for DCIS_ACQCITIZ_4.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for rec in _in_scope(raw, "ref_area").to_dict("records"):
        _expect_code(rec, "data_type", {"ACQCITIZ"})
        _expect_code(rec, "mostrel_ccitenship", {"WORLD"})
        _expect_code(rec, "acquisition_process", {"ALL"})
        _expect_code(rec, "age", {"TOTAL"})
        year = _year(rec, "time_period")
        rows.append(
            {
                **territory_place(rec["ref_area"], cities),
                "indicator_id": "citizenship_acquisitions",
                "definition_id": "foreign_nationality",
                "sex": _lookup(SEX_CODES, rec, "sex"),
                "period": year,
                "ref_date": f"{year}-12-31",
                "value": rec["value"],
                "unit": "persons",
                "flag": _lookup(STATUS_FLAGS, rec, "obs_status"),
                "note": _note(rec, "Foreign residents who acquired Italian citizenship during the year"),
            }
        )
    return pd.DataFrame(rows)


def harmonise_permsogg1_type(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Valid residence permits of non-EU citizens on 1 January by type of permit and sex.

    Parameters
    ----------
    raw
        Output of :func:`read_sdmx_csv` for DCIS_PERMSOGG1_4.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for rec in _in_scope(raw, "ref_area").to_dict("records"):
        _expect_code(rec, "data_type", {"RESPER"})
        _expect_code(rec, "mostrel_ccitenship", {"WORLD"})
        _expect_code(rec, "type_res_permit_reason", {"ALL"})
        _expect_code(rec, "age", {"TOTAL"})
        _expect_code(rec, "marital_status", {"99"})
        category, label = _lookup(PERMIT_TYPES, rec, "type_res_permit")
        year = _year(rec, "time_period")
        rows.append(
            {
                **territory_place(rec["ref_area"], cities),
                "indicator_id": "population",
                "definition_id": "residence_permit_holder",
                "sex": _lookup(SEX_CODES, rec, "sex"),
                "category": category,
                "period": year,
                "ref_date": f"{year}-01-01",
                "value": rec["value"],
                "unit": "persons",
                "flag": _lookup(STATUS_FLAGS, rec, "obs_status"),
                "note": _note(rec, f"Non-EU citizens with a valid residence permit on 1 January: {label}"),
            }
        )
    return pd.DataFrame(rows)


def harmonise_permit_flows_citizenship(
    raw: pd.DataFrame, cities: Mapping[str, City]
) -> pd.DataFrame:
    """New residence permits (inflows) of non-EU citizens by citizenship, reason and sex.

    Parameters
    ----------
    raw
        Output of :func:`read_istat_export` for the I.Stat DCIS_PERMSOGG1 export.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for rec in _in_scope(raw, "itter107").to_dict("records"):
        _expect_code(rec, "tipo_dato15", {"INFLNONEU"})
        origin_type, origin = _permit_origin(rec)
        year = _year(rec, "time")
        rows.append(
            {
                **territory_place(rec["itter107"], cities, rec["itter107_label"]),
                "indicator_id": "inflows",
                "definition_id": "new_residence_permit",
                "sex": _lookup(SEX_CODES, rec, "sexistat1"),
                "origin_type": origin_type,
                "origin": origin,
                "category": _lookup(PERMIT_REASONS, rec, "motivops1"),
                "period": year,
                "ref_date": f"{year}-12-31",
                "value": rec["value"],
                "unit": "persons",
                "flag": _lookup(STATUS_FLAGS, rec, "flag_codes"),
                "note": (
                    f"{rec['tipo_dato15_label']}; reason: {rec['motivops1_label']}; "
                    f"citizenship: {rec['iso_label']}"
                ),
            }
        )
    return pd.DataFrame(rows)


def harmonise_lfs_rates(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """LFS employment or unemployment rates of foreign citizens by sex, age and education.

    Annual periods get ``ref_date`` 1 July, quarters the middle of the quarter (15 Feb,
    15 May, 15 Aug, 15 Nov). Files without a sex column are totals for both sexes.

    Parameters
    ----------
    raw
        Output of :func:`read_istat_export` for DCCV_TAXOCCU1 or DCCV_TAXDISOCCU1.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for rec in _in_scope(raw, "itter107").to_dict("records"):
        _expect_code(rec, "cittadinanza", {"FRG"})
        period, ref_date = _lfs_period(rec)
        sex = _lookup(SEX_CODES, rec, "sexistat1") if "sexistat1" in rec else "total"
        rows.append(
            {
                **territory_place(rec["itter107"], cities, rec["itter107_label"]),
                "indicator_id": _lookup(LFS_DATA_TYPES, rec, "tipo_dato_fol"),
                "definition_id": "foreign_nationality",
                "sex": sex,
                "age": _lookup(LFS_AGES, rec, "eta1"),
                "category": _lookup(EDUCATION_CODES, rec, "titolo_studio"),
                "period": period,
                "ref_date": ref_date,
                "value": rec["value"],
                "unit": "percent",
                "flag": _lookup(STATUS_FLAGS, rec, "flag_codes"),
                "note": (
                    f"Labour force survey, {rec['tipo_dato_fol_label']} of foreign citizens; "
                    f"education: {rec['titolo_studio_label']}"
                ),
            }
        )
    return pd.DataFrame(rows)


def territory_place(code: str, cities: Mapping[str, City], label: str | None = None) -> dict[str, str]:
    """Return the place columns of a kept ISTAT territory.

    Parameters
    ----------
    code
        An ISTAT / NUTS code in :data:`TERRITORIES`.
    cities
        The cities registry (city ids come from its ``istat_territory`` codes).
    label
        The file's own label of the territory, if it has one.

    Returns
    -------
    dict
        place_id, place_name, geography_level, country_iso3 and city_id.
    """
    name, level = TERRITORIES[code]
    return {
        "place_id": code,
        "place_name": label or name,
        "geography_level": level,
        "country_iso3": "ITA",
        "city_id": _city_ids(cities).get(code, ""),
    }


def _unknown_code(rec: Mapping[str, object], column: str, known: object) -> SourceFormatError:
    """Build the error for a code a mapping does not know.

    Parameters
    ----------
    rec
        The raw record (with ``file`` and ``line``).
    column
        The raw column holding the code.
    known
        The codes that are known (listed in the message).

    Returns
    -------
    SourceFormatError
    """
    return SourceFormatError(
        f"{rec['file']}, row {rec['line']}, column {column!r}: unknown code {rec[column]!r}; "
        f"known codes: {sorted(known)}. Map the new code explicitly in workbench.tidy.sources.istat"
    )


def _city_ids(cities: Mapping[str, City]) -> dict[str, str]:
    return {
        code: city.city_id
        for city in cities.values()
        for code in city.codes.get(CODE_SYSTEM, [])
    }


def _in_scope(raw: pd.DataFrame, column: str) -> pd.DataFrame:
    return raw[raw[column].isin(TERRITORIES)]


def _lookup(mapping: Mapping[str, T], rec: Mapping[str, object], column: str) -> T:
    code = rec[column]
    if code not in mapping:
        raise _unknown_code(rec, column, mapping)
    return mapping[code]


def _expect_code(rec: Mapping[str, object], column: str, allowed: set[str]) -> None:
    if rec[column] not in allowed:
        raise _unknown_code(rec, column, allowed)


def _year(rec: Mapping[str, object], column: str) -> str:
    text = str(rec[column])
    if len(text) != 4 or not text.isdigit():
        raise SourceFormatError(
            f"{rec['file']}, row {rec['line']}, column {column!r}: {text!r} is not a year"
        )
    return text


def _lfs_period(rec: Mapping[str, object]) -> tuple[str, str]:
    text = str(rec["time"])
    if len(text) == 4 and text.isdigit():
        return text, f"{text}-07-01"
    year, _, quarter = text.partition("-")
    if len(year) == 4 and year.isdigit() and quarter in QUARTER_DATES:
        return text, f"{year}-{QUARTER_DATES[quarter]}"
    raise SourceFormatError(
        f"{rec['file']}, row {rec['line']}, column 'TIME': {text!r} is neither a year nor YYYY-Qn"
    )


def _permit_origin(rec: Mapping[str, object]) -> tuple[str, str]:
    code = str(rec["iso"])
    if code in PERMIT_ORIGIN_SPECIAL:
        return PERMIT_ORIGIN_SPECIAL[code]
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if country is None:
        raise _unknown_code(rec, "iso", [*PERMIT_ORIGIN_SPECIAL, "ISO 3166-1 alpha-2 codes"])
    return "citizenship", country.alpha_3


def _note(rec: Mapping[str, object], text: str) -> str:
    notes = rec.get("notes", "")
    return f"{text}; ISTAT footnote code(s): {notes}" if notes else text


def _join_notes(row: pd.Series) -> str:
    return "; ".join(str(v) for v in row if str(v))


def _read_rows(path: Path, encoding: str) -> pd.DataFrame:
    frame = read_csv_checked(path, encoding=encoding)
    if not isinstance(frame.index, pd.RangeIndex):
        raise SourceFormatError(
            f"{path}: some rows have more fields than the header (unquoted comma in a value?)"
        )
    return frame


def _require_rows(frame: pd.DataFrame, path: Path) -> None:
    """After the header checks: a file with a header and nothing under it is an error."""
    check_row_lengths(frame)
    if frame.empty:
        raise SourceFormatError(f"{path}: no data rows under the header; expected one row per observation")


def _number(text: object, path: Path, line: int, column: str) -> float:
    value = parse_number(text, path, line, column)
    return float("nan") if value is None else value


def _check_constant(frame: pd.DataFrame, column: str, expected: str, path: Path) -> None:
    values = frame[column].fillna("")
    bad = values != expected
    if bad.any():
        i = int(frame.index[bad][0])
        raise SourceFormatError(
            f"{path}, row {i + 2}, column {column!r}: expected {expected!r}, found "
            f"{values.iloc[i]!r}. Is this the right file?"
        )

"""ISTAT rows as read turned into tidy rows: population, balance, citizenship, permits, labour force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources.istat_codes import (
    AREA_CODES,
    BALANCE_ITEMS,
    EDUCATION_CODES,
    LFS_AGES,
    LFS_DATA_TYPES,
    PERMIT_ORIGIN_SPECIAL,
    PERMIT_REASONS,
    PERMIT_TYPES,
    QUARTER_DATES,
    SEX_CODES,
    STATUS_FLAGS,
    TERRITORIES,
    territory_place,
)


T = TypeVar("T")


def harmonise_popstrcit1_area(raw: pd.DataFrame, cities: Mapping[str, City]) -> pd.DataFrame:
    """Census-based foreign population on 1 January by geopolitical area of citizenship and sex.

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.istat.read_sdmx_csv` for DCIS_POPSTRCIT1_24.
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
    :data:`workbench.tidy.sources.istat_codes.BALANCE_ITEMS`.

    Parameters
    ----------
    raw
        Output of :func:`workbench.tidy.sources.istat.read_sdmx_csv` for DCIS_POPSTRBIL1_1.
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
        Output of :func:`workbench.tidy.sources.istat.read_sdmx_csv` for DCIS_ACQCITIZ_4.
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
        Output of :func:`workbench.tidy.sources.istat.read_sdmx_csv` for DCIS_PERMSOGG1_4.
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
        Output of :func:`workbench.tidy.sources.istat.read_istat_export` for the I.Stat DCIS_PERMSOGG1 export.
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
        Output of :func:`workbench.tidy.sources.istat.read_istat_export` for DCCV_TAXOCCU1 or DCCV_TAXDISOCCU1.
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
        f"known codes: {sorted(known)}. Map the new code explicitly in workbench.tidy.sources.istat_codes"
    )


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

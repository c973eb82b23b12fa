"""ISTAT SDMX-CSV and I.Stat CSV exports (Italy, Nord-ovest, Piemonte, Torino): layouts, reading, building."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, single_file, tidy_frame
from workbench.tidy.sources.istat_harmonise import (
    harmonise_acqcitiz,
    harmonise_lfs_rates,
    harmonise_permit_flows_citizenship,
    harmonise_permsogg1_type,
    harmonise_popstrbil1,
    harmonise_popstrcit1_area,
)


SDMX_LEAD = ("DATAFLOW", "FREQ", "REF_AREA")
SDMX_TAIL = ("TIME_PERIOD", "OBS_VALUE", "OBS_STATUS")
ISTAT_TAIL = ("TIME", "Select time", "Value", "Flag Codes", "Flags")


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

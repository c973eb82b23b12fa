"""Eurostat migrant-integration tables (LFS rates and attainment by birth or citizenship, first permits): layouts, reading, building."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, single_file, tidy_frame
from workbench.tidy.sources._eurostat import dataset_code, year_cell
from workbench.tidy.sources.eurostat_migrant_harmonise import HARMONISERS


class Layout(NamedTuple):
    """What a source file must be: its dataset, its download format and its dimensions in file order."""

    dataset: str  #: Eurostat dataset code, e.g. ``lfsa_ergan``
    form: str  #: ``sdmx_linear`` (data-browser SDMX-CSV 1.0 "linear") or ``tsv`` (data-browser TSV)
    dimensions: tuple[str, ...]  #: dimension codes as in the file's header, ``geo`` last


LAYOUTS: dict[str, Layout] = {
    "eurostat_lfst_r_lfur2gac": Layout("lfst_r_lfur2gac", "sdmx_linear", ("freq", "unit", "c_birth", "sex", "age", "geo")),
    "eurostat_edat_lfs_9912": Layout("edat_lfs_9912", "tsv", ("freq", "unit", "sex", "isced11", "c_birth", "age", "geo")),
    "eurostat_lfsa_ergan": Layout("lfsa_ergan", "tsv", ("freq", "unit", "sex", "age", "citizen", "geo")),
    "eurostat_lfsa_urgan": Layout("lfsa_urgan", "tsv", ("freq", "unit", "sex", "age", "citizen", "geo")),
    "eurostat_migr_resfirst": Layout("migr_resfirst", "tsv", ("freq", "reason", "citizen", "duration", "unit", "geo")),
}

#: Columns of an SDMX-CSV 1.0 "linear" export around its dimension columns.
LINEAR_LEAD: tuple[str, ...] = ("DATAFLOW", "LAST UPDATE")
LINEAR_TAIL: tuple[str, ...] = ("TIME_PERIOD", "OBS_VALUE", "OBS_FLAG")

#: The time dimension the first header cell of a TSV download ends with (``freq,unit,...,geo\TIME_PERIOD``).
TSV_TIME = "TIME_PERIOD"

#: A TSV cell: a number or ':' (not available), a space, then flag letters (``43.3 b``, ``: u``, ``12 ``).
_TSV_CELL = re.compile(r"^\s*(?P<number>[^\s]*)\s*(?P<flag>[a-z]*)\s*$")


def build(source_id: str, files: list[Path], cities: Mapping[str, City]) -> pd.DataFrame:
    """Return tidy rows for one Eurostat migrant-integration source.

    Parameters
    ----------
    source_id
        One of :data:`LAYOUTS`.
    files
        The one official file of the source.
    cities
        The cities registry (NUTS 2 codes from ``codes: eurostat_nuts2``; countries kept are the
        cities' countries).

    Returns
    -------
    pandas.DataFrame
        Tidy rows (see :mod:`workbench.tidy.schemas`).

    Raises
    ------
    SourceFormatError
        A file of another dataset, a changed layout (naming the column or dimension that moved),
        or a cell that is not a number.
    ConfigError
        If ``source_id`` is not served by this module or not exactly one file is given.
    """
    path = single_file(__name__, source_id, LAYOUTS, files)
    layout = LAYOUTS[source_id]
    if layout.form == "sdmx_linear":
        raw = read_sdmx_linear(path, layout.dataset, layout.dimensions)
    else:
        raw = read_tsv(path, layout.dataset, layout.dimensions)
    return tidy_frame(HARMONISERS[layout.dataset](raw, cities), source_id)


def read_sdmx_linear(path: Path, dataset: str, dimensions: Sequence[str]) -> pd.DataFrame:
    """Reshape a data-browser SDMX-CSV 1.0 "linear" export (codes only) into a long frame, unchanged.

    Parameters
    ----------
    path
        The CSV (``DATAFLOW, LAST UPDATE, <dimensions>, TIME_PERIOD, OBS_VALUE, OBS_FLAG``).
    dataset
        The dataset every row's DATAFLOW must name, e.g. ``lfst_r_lfur2gac``.
    dimensions
        The dimension columns between LAST UPDATE and TIME_PERIOD, in order.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``line`` (of the CSV), one column per dimension (codes as published),
        ``time_period``, ``value`` (float, NaN when the cell is empty), ``flag`` (Eurostat
        letters, ``''`` when none).

    Raises
    ------
    SourceFormatError
        Empty or unreadable file, a renamed, missing or moved column, another dataset, a year
        or number that does not parse.
    """
    table = read_csv_checked(path)
    expected = [*LINEAR_LEAD, *dimensions, *LINEAR_TAIL]
    require_columns(table, expected, path)
    check_order([str(c) for c in table.columns], expected, path, "column")
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: no data rows under the header; expected one row per observation")
    lines = data_lines(table)
    found = {dataset_code(v, path, n, "DATAFLOW") for v, n in zip(table["DATAFLOW"], lines)}
    if found != {dataset}:
        raise SourceFormatError(f"{path}, column 'DATAFLOW': holds dataset(s) {sorted(found)}, expected {dataset}. Wrong file?")
    out = pd.DataFrame({"file": str(path), "line": lines})
    for dimension in dimensions:
        out[dimension] = _codes(table[dimension], path, lines, dimension)
    out["time_period"] = [year_cell(v, path, n) for v, n in zip(table["TIME_PERIOD"], lines)]
    values = [parse_number(v, path, n, "OBS_VALUE") for v, n in zip(table["OBS_VALUE"], lines)]
    out["value"] = pd.Series(values, dtype=float)
    out["flag"] = table["OBS_FLAG"].fillna("").str.strip().to_numpy()
    return out


def read_tsv(path: Path, dataset: str, dimensions: Sequence[str]) -> pd.DataFrame:
    """Reshape a data-browser TSV download (one column per year) into a long frame, unchanged.

    The first column holds the comma-joined dimension codes (header ``freq,unit,...,geo\\TIME_PERIOD``),
    then one column per year; a cell is a number or ``:`` (not available), a space and optional
    flag letters (``43.3 b``, ``: u``).

    Parameters
    ----------
    path
        The ``.tsv`` file. Its name must name ``dataset`` (``estat_<dataset>...``): a TSV download
        says which dataset it is nowhere else.
    dataset
        The Eurostat dataset code, e.g. ``lfsa_ergan``.
    dimensions
        The dimension codes of the first column, in order.

    Returns
    -------
    pandas.DataFrame
        Columns ``file``, ``line`` (of the TSV), one column per dimension, ``time_period``,
        ``value`` (float, NaN for ``:``), ``flag`` (Eurostat letters, ``''`` when none); one row
        per line and year.

    Raises
    ------
    SourceFormatError
        A file named for another dataset, a renamed, missing or moved dimension, a header cell
        that is not a year, a row with another number of codes, a cell that is not a number.
    """
    if dataset not in path.name.lower():
        raise SourceFormatError(
            f"{path}: the file name does not name dataset {dataset}; a Eurostat TSV download is named "
            f"estat_{dataset}... and says its dataset nowhere else. Wrong file?"
        )
    table = read_csv_checked(path, sep="\t")
    first = str(table.columns[0])
    codes, _, time = first.partition("\\")
    check_order(codes.split(","), list(dimensions), path, "dimension", cell=first)
    if time != TSV_TIME:
        raise SourceFormatError(f"{path}, line 1, column 1: {first!r} should end with '\\{TSV_TIME}'. Has the layout changed?")
    years = [year_cell(c, path, 1, f"column {j + 2}") for j, c in enumerate(table.columns[1:])]
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: no data rows under the header; expected one row per series")
    lines = data_lines(table)
    keys = [_split_key(v, path, n, first, len(dimensions)) for v, n in zip(table[first], lines)]
    parts = []
    for column, year in zip(table.columns[1:], years):
        cells = [_tsv_cell(v, path, n, year) for v, n in zip(table[column], lines)]
        part = pd.DataFrame(keys, columns=list(dimensions))
        part.insert(0, "line", lines)
        part.insert(0, "file", str(path))
        part["time_period"] = year
        part["value"] = pd.Series([c[0] for c in cells], dtype=float)
        part["flag"] = [c[1] for c in cells]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def check_order(found: Sequence[str], expected: Sequence[str], path: Path, what: str, cell: str | None = None) -> None:
    """Fail naming the first column (or dimension) that moved, was renamed or is missing.

    Parameters
    ----------
    found, expected
        Names as read and as the layout wants them, in order.
    what
        ``column`` or ``dimension``, for the message.
    cell
        The header cell that holds the names (a TSV's first cell), for the message.

    Raises
    ------
    SourceFormatError
    """
    found, expected = list(found), list(expected)
    if found[: len(expected)] == expected and (what == "column" or len(found) == len(expected)):
        return
    where = f"{path}, line 1" + (f", column 1 {cell!r}" if cell else "")
    for i, name in enumerate(expected):
        here = found[i] if i < len(found) else None
        if here == name:
            continue
        if name in found:
            problem = f"{what} {name!r} moved: expected as {what} {i + 1}, found as {what} {found.index(name) + 1}"
        elif here is not None and here not in expected:
            problem = f"{what} {name!r} expected as {what} {i + 1}, found {here!r} instead (renamed?)"
        else:
            problem = f"{what} {name!r} missing"
        raise SourceFormatError(
            f"{where}: {problem}; expected {what}s {expected}, found {found}. Has the publisher changed the layout?"
        )
    raise SourceFormatError(f"{where}: unexpected {what}(s) {found[len(expected):]} after {expected}. Has the layout changed?")


def _codes(column: pd.Series, path: Path, lines: list[int], name: str) -> pd.Series:
    empty = column.isna().to_numpy().nonzero()[0]
    if len(empty):
        raise SourceFormatError(f"{path}, line {lines[int(empty[0])]}, column {name!r}: empty cell; expected a code")
    return column.str.strip().to_numpy()


def _split_key(text: object, path: Path, line: int, header: str, size: int) -> list[str]:
    codes = [c.strip() for c in str(text).split(",")]
    if len(codes) != size or not all(codes):
        raise SourceFormatError(
            f"{path}, line {line}, column 1: {text!r} does not hold {size} codes as the header {header!r} says"
        )
    return codes


def _tsv_cell(text: object, path: Path, line: int, year: str) -> tuple[float, str]:
    cell = "" if pd.isna(text) else str(text)
    match = _TSV_CELL.match(cell)
    if not match:
        raise SourceFormatError(
            f"{path}, line {line}, column {year!r}: {cell!r} is not a number with optional flag letters "
            "(e.g. '43.3 b', ': u')"
        )
    number = parse_number(match.group("number"), path, line, year)
    return (float("nan") if number is None else number), match.group("flag")

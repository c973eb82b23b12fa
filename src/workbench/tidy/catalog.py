"""Which tidy tables exist and how to load them (official sources, expert figures), reading CSV text strictly."""

from __future__ import annotations

import csv
import gzip
import io
import logging
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import DataError, SchemaError
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.reference.registry import City, get_city, load_sources
from workbench.tidy.schemas import TIDY_COLUMNS, check_tidy_columns
from workbench.tidy.staleness import stale_message, stale_tables

log = logging.getLogger(__name__)


def list_tables(folder: Path | None = None) -> dict[str, Path]:
    """Return source id → tidy file for every registered source built by ingestion.

    Sources without a reader (expert figures) are not tables and are left out.

    Raises
    ------
    DataError
        If a registered source has no tidy table.
    """
    return {
        source_id: tidy_path(source_id, folder)
        for source_id, source in load_sources().items()
        if source.reader is not None
    }


#: Tidy data loaded in this process, by folders, with the size and modification time of every file
#: it was read from: a file changed since is read again (see :func:`load_tidy`).
_LOADED: dict[tuple[Path, Path], tuple[tuple, pd.DataFrame]] = {}


def _stamp(tidy_folder: Path, local_folder: Path) -> tuple:
    files = [*list_tables(tidy_folder).values(), *sorted((local_folder / "figures").glob("*.csv"))]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def _load_all(tidy_folder: Path, local_folder: Path) -> pd.DataFrame:
    frames = [read_tidy(path) for path in list_tables(tidy_folder).values()]
    from workbench.tidy.expert import load_expert_figures  # expert figures are project data, read live

    frames.append(load_expert_figures(local_folder / "figures"))
    frames = [f for f in frames if len(f)]
    if not frames:
        raise DataError(f"no tidy data found in {tidy_folder}")
    return pd.concat(frames, ignore_index=True)[list(TIDY_COLUMNS)]


def load_tidy(tidy_folder: Path | None = None, local_folder: Path | None = None) -> pd.DataFrame:
    """Load every tidy table and the expert figures as one long frame.

    Parameters
    ----------
    tidy_folder
        Defaults to ``data/tidy``.
    local_folder
        Defaults to ``data/local`` (expert figures are read from its ``figures/`` folder).

    Returns
    -------
    pandas.DataFrame
        A copy: callers may modify it freely.

    Notes
    -----
    The frame is kept for the life of the process and read again when any of its files changed
    size or modification time. ``workbench run`` loads it once in the process its kernels are
    forked from (:mod:`workbench.batch.preload`), so each kernel starts with it in memory and checks it
    against the files before use.
    """
    tidy_folder = (tidy_folder or paths.tidy_dir()).resolve()
    local_folder = (local_folder or paths.local_dir()).resolve()
    key, stamp = (tidy_folder, local_folder), _stamp(tidy_folder, local_folder)
    if key not in _LOADED or _LOADED[key][0] != stamp:
        _LOADED[key] = (stamp, _load_all(tidy_folder, local_folder))
    return _LOADED[key][1].copy()


@dataclass(frozen=True)
class CityData:
    """The tidy rows a city profile needs."""

    city: City
    local: pd.DataFrame  #: rows about the city's own places (city_id matches)
    national: pd.DataFrame  #: rows about the city's country as a whole


def load_city(city_id: str, tidy: pd.DataFrame | None = None, check_scope: bool = True) -> CityData:
    """Select the rows of one city and of its country.

    Parameters
    ----------
    city_id
        An id from the cities registry.
    tidy
        Tidy data to select from; :func:`load_tidy` when ``None``.
    check_scope
        Refuse tables built before the city was in the registry (see Raises); off only to
        count what there is (``workbench validate`` reports staleness on its own).

    Returns
    -------
    CityData

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    DataError
        If the tidy tables were built before the city was in the registry
        (:func:`workbench.tidy.staleness.stale_tables`): ingest the sources it names again.
    """
    city = get_city(city_id)
    tidy = load_tidy() if tidy is None else tidy
    stale = stale_tables(city, tidy) if check_scope else []
    if stale:  # numbers from rows a reader left out would be wrong, not just missing
        raise DataError(stale_message(city, stale))
    local = tidy[tidy["city_id"] == city_id].reset_index(drop=True)
    # the country under every source's own code (ISO3 first, then e.g. 'ES' in Eurostat files)
    national = tidy[(tidy["geography_level"] == "country") & (tidy["country_iso3"] == city.country_iso3)]
    national = national.sort_values("place_id", key=lambda p: p != city.country_iso3, kind="stable")
    national = national.reset_index(drop=True)
    return CityData(city=city, local=local, national=national)


#: File names that are spreadsheets, not CSV text.
SPREADSHEET_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_GZIP_MAGIC = b"\x1f\x8b"
_SAVE_AS = "save it as 'CSV UTF-8 (comma delimited)'"


def read_csv_text(path: Path, what: str = "row", columns: Sequence[str] = (), header_only: bool = False) -> pd.DataFrame:
    """Read a comma-separated UTF-8 file (or ``.csv.gz``) as text, with an error for every way it can be wrong.

    Parameters
    ----------
    path
        The file.
    what
        What one row holds, for messages (e.g. "figure", "observation").
    columns
        The header expected, for messages (and to tell which sheet of a spreadsheet to export).
    header_only
        Accept a header without records (an empty frame with its columns); refused by default.

    Returns
    -------
    pandas.DataFrame
        A first column ``line`` (the CSV line where each record starts, 1 being the header),
        then one text column per header name, cells exactly as written; blank lines skipped.

    Raises
    ------
    SchemaError
        Naming the file and, where it applies, the CSV line: file missing or a folder; a
        spreadsheet (naming its sheets and the one to export); a broken gzip file; empty
        (0 bytes or blank lines only); UTF-16 or not UTF-8 (line and column of the first bad
        byte); separated by ';', tabs or '|' instead of commas; a header with an empty or a
        repeated column name; a record with more or fewer fields than the header; a header
        without any record below it.
    """
    path = Path(path)
    data = paths.read_bytes(path, SchemaError)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES or data[:4] in (_ZIP_MAGIC, _OLE_MAGIC):
        raise SchemaError(_spreadsheet_message(path, data, columns))
    if data[:2] == _GZIP_MAGIC:
        data = _gunzip(path, data)
    text = _decode(path, data, what, columns)
    header, records = _parse(path, text)
    if not records and not header_only:
        raise SchemaError(
            f"{path}: only a header line; expected one {what} per line below it"
        )
    frame = pd.DataFrame([r for _, r in records], columns=header, dtype=str)
    frame.insert(0, "line", [line for line, _ in records])
    return frame


def read_tidy_checked(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """Read a tidy table for checking: every problem of reading named by CSV line and column.

    Parameters
    ----------
    path
        A ``.csv`` or ``.csv.gz`` tidy table, anywhere on disk.

    Returns
    -------
    (pandas.DataFrame, list of int)
        The table (text columns, ``value`` as float) and the CSV line of each row, ready for
        :func:`workbench.tidy.schemas.validate_tidy`.

    Raises
    ------
    SchemaError
        Any failure of :func:`read_csv_text`, columns other than the tidy columns in their
        order, or a value that is not a number.
    """
    frame = read_csv_text(path, "observation", TIDY_COLUMNS)
    lines = frame.pop("line").tolist()
    check_tidy_columns(frame.columns, str(path))
    values = pd.to_numeric(frame["value"].str.strip(), errors="coerce")
    bad = values.isna() | values.abs().eq(float("inf"))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        more = f" ({int(bad.sum())} rows in all)" if bad.sum() > 1 else ""
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'value': found {frame['value'].iloc[i]!r}; expected a number "
            f"written with digits and '.' for decimals, e.g. 1234 or 12.5{more}"
        )
    frame["value"] = values.astype(float)
    return frame, lines


def _spreadsheet_message(path: Path, data: bytes, columns: Sequence[str]) -> str:
    sheets = _sheet_headers(data)
    found = ", ".join(repr(s) for s in sheets) if sheets else "not readable"
    # the sheet to export is the one whose first row holds the expected column names
    matching = [name for name, header in sheets.items() if columns and len(set(header) & set(columns)) >= min(3, len(columns))]
    if matching:
        which = f"sheet {matching[0]!r}"
    else:
        which = "the sheet holding the rows" + (f" (its first row: {', '.join(columns)})" if columns else "")
    return (
        f"{path}: this is a spreadsheet (sheets found: {found}), not CSV text; "
        f"export {which} as 'CSV UTF-8 (comma delimited)' and give that file instead"
    )


def _sheet_headers(data: bytes) -> dict[str, list[str]]:
    """Sheet name → first-row cells of an .xlsx workbook (empty when it cannot be read)."""
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any unreadable workbook: the message just says so
        return {}
    headers = {}
    for sheet in book.worksheets:
        first = next(sheet.iter_rows(max_row=1, values_only=True), ())
        headers[sheet.title] = [str(c).strip() for c in first if c is not None]
    book.close()
    return headers


def _gunzip(path: Path, data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise SchemaError(f"{path}: not a readable gzip file ({exc}); rebuild it with `workbench ingest`") from None


def _decode(path: Path, data: bytes, what: str, columns: Sequence[str]) -> str:
    expected = f"a header line ({', '.join(columns)})" if columns else "a header line"
    if not data:
        raise SchemaError(f"{path}: file is empty (0 bytes); expected {expected} and one {what} per line")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SchemaError(f"{path}: UTF-16 text; {_SAVE_AS}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SchemaError(
            f"{path}, CSV line {line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at character {column}); "
            f"{_SAVE_AS}"
        ) from None
    if not text.strip():
        raise SchemaError(f"{path}: file holds only blank lines; expected {expected} and one {what} per line")
    return text


def _parse(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    first = text.lstrip("\r\n").split("\n", 1)[0]
    for name, sep in (("semicolons", ";"), ("tabs", "\t"), ("'|'", "|")):
        if first.count(sep) > first.count(","):
            raise SchemaError(
                f"{path}, CSV line 1: columns are separated by {name}; expected commas ({_SAVE_AS})"
            )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not record:
                continue
            if header is None:
                header = _header(path, start, record)
            elif len(record) != len(header):
                raise SchemaError(
                    f"{path}, CSV line {start}: {len(record)} fields, expected {len(header)} as in the header "
                    "(a value holding a comma must be in double quotes)"
                )
            else:
                records.append((start, record))
    except csv.Error as exc:
        raise SchemaError(f"{path}, CSV line {reader.line_num}: not readable as CSV ({exc})") from None
    return header or [], records


def _header(path: Path, line: int, record: list[str]) -> list[str]:
    names = [name.strip() for name in record]
    for position, name in enumerate(names, start=1):
        if not name:
            raise SchemaError(
                f"{path}, CSV line {line}: column {position} has no name; expected a name for every column "
                "(a trailing comma?)"
            )
        if names.index(name) != position - 1:
            raise SchemaError(f"{path}, CSV line {line}: column {name!r} appears twice; expected each once")
    return names

"""The strict CSV reader: official files and project tables split into records once, each fault named by file and line."""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import SchemaError, SourceFormatError, where

#: File names that are spreadsheets, not CSV text.
SPREADSHEET_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm", ".xls", ".ods")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_GZIP_MAGIC = b"\x1f\x8b"
_SAVE_AS = "save it as 'CSV UTF-8 (comma delimited)'"


def read_csv_checked(path: Path, *, encoding: str = "utf-8", **kwargs) -> pd.DataFrame:
    """Read an official CSV file as text columns, turning every parsing problem into a SourceFormatError.

    A row longer than the header is an error naming its line; a row of another length than
    the others (a truncated file, a note line added above the header, an unquoted separator in
    a value) is noted for :func:`check_row_lengths`, which a reader calls once it has checked
    the header (so a changed header is reported as such). The 1-based editor line of each data
    row is kept in ``frame.attrs["lines"]`` and that of the header in
    ``frame.attrs["header_line"]`` (see :func:`data_lines`); they differ from the record
    number when a quoted cell holds a line break.

    Parameters
    ----------
    path
        The file.
    encoding
        Expected encoding; a file that does not decode is an error naming the byte offset.
    **kwargs
        Passed to :func:`pandas.read_csv` (``sep``, ``skiprows`` (an int), ``header`` ...).

    Returns
    -------
    pandas.DataFrame
        All cells as strings (``dtype=str``), empty cells as NaN.

    Raises
    ------
    SourceFormatError
        File missing, empty, not in ``encoding``, with rows of different lengths, or not
        parseable as CSV.
    """
    kwargs.setdefault("dtype", str)
    kwargs.setdefault("keep_default_na", False)
    kwargs.setdefault("na_values", [""])
    sep = kwargs.get("sep", ",")
    records = [(line, len(fields)) for line, fields in _source_records(path, encoding, sep)]
    skip = kwargs.get("skiprows") or 0
    if not isinstance(skip, int):
        raise TypeError("read_csv_checked takes skiprows as a number of lines only")
    has_header = kwargs.get("header", "infer") is not None
    odd = _odd_row(records[skip:], path, sep, has_header)
    try:
        frame = pd.read_csv(path, encoding=encoding, **kwargs)
    except pd.errors.EmptyDataError:
        raise SourceFormatError(f"{path}: file is empty; expected a CSV table") from None
    except pd.errors.ParserError as exc:
        raise SourceFormatError(odd or f"{path}: not a readable CSV: {exc}") from None
    frame.attrs["odd_row"] = odd
    lines = [line for line, _ in records[skip:]]
    if has_header and lines:
        frame.attrs["header_line"], lines = lines[0], lines[1:]
    if len(lines) >= len(frame):
        frame.attrs["lines"] = lines[: len(frame)]
    return frame


def data_lines(frame: pd.DataFrame, first: int = 2) -> list[int]:
    """The 1-based editor line of each row of a frame read by :func:`read_csv_checked`.

    Parameters
    ----------
    frame
        As read (the lines are lost once rows are filtered or reordered: look them up first).
    first
        Line of the first row when the frame carries no lines (2 below a one-line header).

    Returns
    -------
    list of int
    """
    lines = frame.attrs.get("lines")
    if lines is not None and len(lines) == len(frame):
        return list(lines)
    return list(range(first, first + len(frame)))


def check_row_lengths(frame: pd.DataFrame) -> None:
    """Fail on the row :func:`read_csv_checked` found shorter or longer than the others.

    Call it after checking the header, so a renamed or added column is reported as such.

    Raises
    ------
    SourceFormatError
        Naming the file and the row, its number of fields and the usual one.
    """
    if frame.attrs.get("odd_row"):
        raise SourceFormatError(frame.attrs["odd_row"])


def read_csv_text(path: Path, what: str = "row", columns: Sequence[str] = (), header_only: bool = False) -> pd.DataFrame:
    """Read a project table: comma-separated UTF-8 (or ``.csv.gz``) text, with an error for every way it can be wrong.

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
    text = _decode_utf8(path, data, what, columns)
    header, records = _table_records(path, text)
    if not records and not header_only:
        raise SchemaError(
            f"{path}: only a header line; expected one {what} per line below it"
        )
    frame = pd.DataFrame([r for _, r in records], columns=header, dtype=str)
    frame.insert(0, "line", [line for line, _ in records])
    return frame


def _scan(text: str, sep: str) -> tuple[list[tuple[int, list[str]]], tuple[int, int, str] | None]:
    """Split CSV text into (first editor line, fields) of every non-blank record.

    The one place text becomes records: quoted line breaks are followed, so each record keeps
    the line it starts on. Returns the records read and, when the text stops being CSV, (line
    where the broken record starts, line the parser reached, the parser's message); each
    reader turns that into its own error.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            if fields:
                records.append((start, fields))
            start = reader.line_num + 1
    except csv.Error as exc:
        return records, (start, reader.line_num, str(exc))
    return records, None


def _source_records(path: Path, encoding: str, sep: str) -> list[tuple[int, list[str]]]:
    """The records of an official file, which may be in any ``encoding``."""
    data = paths.read_bytes(path, SourceFormatError, "a CSV file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            f"{path}: not {encoding} text (undecodable byte at offset {exc.start}); "
            f"expected a CSV file saved as {encoding}"
        ) from None
    if not text.strip():
        raise SourceFormatError(f"{path}: file is empty; expected a CSV table")
    records, broken = _scan(text.removeprefix("\ufeff"), sep)
    if broken:
        start, _, problem = broken
        raise SourceFormatError(f"{path}, row {start}: not a readable CSV ({problem}); is the file truncated?")
    return records


def _odd_row(records: list[tuple[int, int]], path: Path, sep: str, has_header: bool) -> str:
    """The message for the first row whose length differs from most rows ('' when none does)."""
    if not records:
        return ""
    usual = Counter(n for _, n in records).most_common(1)[0][0]
    odd = next(((line, n) for line, n in records if n != usual), None)
    if odd is None:
        return ""
    line, n = odd
    header_line, header_n = records[0]
    if has_header and header_n == usual and line != header_line:
        than = f"{'more' if n > usual else 'fewer'} fields than the header (row {header_line}, {usual} fields)"
    else:
        than = f"{'more' if n > usual else 'fewer'} fields than the other rows ({usual})"
    return (
        f"{where(path, line)}: {n} field(s), {than}; expected {usual} on every row. "
        f"Is the file truncated, has a line been added above the header, or does a value hold "
        f"an unquoted {sep!r}?"
    )


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


def _decode_utf8(path: Path, data: bytes, what: str, columns: Sequence[str]) -> str:
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


def _table_records(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the records of a project table, every record as long as the header."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    for name, sep in (("semicolons", ";"), ("tabs", "\t"), ("'|'", "|")):
        if first.count(sep) > first.count(","):
            raise SchemaError(
                f"{path}, CSV line 1: columns are separated by {name}; expected commas ({_SAVE_AS})"
            )
    records, broken = _scan(text, ",")
    header = _header(path, *records[0]) if records else []
    for start, record in records[1:]:
        if len(record) != len(header):
            raise SchemaError(
                f"{path}, CSV line {start}: {len(record)} fields, expected {len(header)} as in the header "
                "(a value holding a comma must be in double quotes)"
            )
    if broken:
        _, reached, problem = broken
        raise SchemaError(f"{path}, CSV line {reached}: not readable as CSV ({problem})")
    return header, records[1:]


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

"""The strict CSV reader: official files and project tables, each fault named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import SchemaError, SourceFormatError
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked, read_csv_text


def _write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_read_csv_checked_keeps_the_editor_line_of_rows_after_a_quoted_line_break(tmp_path: Path):
    frame = read_csv_checked(_write(tmp_path, 'a,b\n1,"two\nlines"\n\n3,4\n'))
    assert frame["b"].tolist() == ["two\nlines", "4"]
    assert frame.attrs["header_line"] == 1 and data_lines(frame) == [2, 5]


def test_read_csv_checked_reports_a_short_row_once_the_header_is_checked(tmp_path: Path):
    frame = read_csv_checked(_write(tmp_path, "a,b\n1,2\n3\n4,5\n"))
    with pytest.raises(SourceFormatError, match=r"t\.csv, row 3: 1 field\(s\), fewer fields than the header"):
        check_row_lengths(frame)


def test_read_csv_checked_names_the_encoding_and_a_broken_record(tmp_path: Path):
    with pytest.raises(SourceFormatError, match="not utf-8 text"):
        read_csv_checked(_write(tmp_path, "a,b\né,1\n", encoding="latin-1"))
    with pytest.raises(SourceFormatError, match=r"row 2: not a readable CSV"):
        read_csv_checked(_write(tmp_path, 'a,b\n1,"x"y\n'))


def test_read_csv_text_gives_each_record_its_csv_line(tmp_path: Path):
    frame = read_csv_text(_write(tmp_path, 'a,b\n\n1,"x\ny"\n2,z\n'))
    assert frame.columns.tolist() == ["line", "a", "b"]
    assert frame["line"].tolist() == [3, 5] and frame["b"].tolist() == ["x\ny", "z"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2,3\n", r"CSV line 2: 3 fields, expected 2 as in the header"),
        ("a;b\n1;2\n", "separated by semicolons"),
        ("a,a\n1,2\n", "column 'a' appears twice"),
        ("a,b\n", "only a header line"),
        ('a,b\n1,"x"y\n', r"CSV line 2: not readable as CSV"),
    ],
)
def test_read_csv_text_refuses_a_table_that_is_not_plain_csv(tmp_path: Path, text: str, message: str):
    with pytest.raises(SchemaError, match=message):
        read_csv_text(_write(tmp_path, text))

"""INE Portugal, Censos 2021 annex tables on the population of foreign nationality: read, then harmonise."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, data_lines, read_csv_checked
from workbench.tidy.sources._common import column_letter, expect_cell, parse_number
from workbench.tidy.sources.ine_pt_harmonise import harmonise_censos2021
from workbench.tidy.sources.ine_pt_layouts import ENCODING, LAYOUTS, SOURCE_ID


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for the Censos 2021 foreign-nationality annex tables.

    Parameters
    ----------
    source_id
        Must be ``ine_pt_censos2021_foreign``.
    files
        The annex CSV files, named ``Q1.1.csv`` ... ``Q3.1.csv`` (one per quadro of
        :data:`workbench.tidy.sources.ine_pt_harmonise.QUADRO_ORDER`).
    cities
        The cities registry (``ine_pt_place`` codes).

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
        raise SourceFormatError(f"workbench.tidy.sources.ine_pt does not serve source '{source_id}'")
    by_quadro = {Path(f).stem: Path(f) for f in files}
    unexpected = sorted(set(by_quadro) - set(LAYOUTS))
    missing = sorted(set(LAYOUTS) - set(by_quadro))
    if unexpected or missing:
        raise SourceFormatError(
            f"{source_id}: expected files {[q + '.csv' for q in LAYOUTS]}; "
            f"missing {missing}, unexpected {unexpected}"
        )
    raw = {quadro: read_annex_table(path, quadro) for quadro, path in by_quadro.items()}
    return harmonise_censos2021(raw, cities)


def read_annex_table(path: Path, quadro: str) -> pd.DataFrame:
    """Read one annex table into one row per (table row, column) cell holding a number.

    Parameters
    ----------
    path
        The CSV (Latin-1, comma-separated, title row, blank row, header rows, data rows, a
        closing "Fonte: ..." row; numbers with spaces as thousands separators).
    quadro
        Key of :data:`workbench.tidy.sources.ine_pt_layouts.LAYOUTS` (``"Q1.1"`` ...).

    Returns
    -------
    pandas.DataFrame
        Columns ``row`` (1-based line of the file, as an editor shows it), ``label`` (first cell, stripped),
        ``occurrence`` (1 for the first row with that label, 2 for the second ...),
        ``column`` (the header labels joined by `` | ``) and ``value`` (float). Empty cells
        give no row.

    Raises
    ------
    SourceFormatError
        Wrong encoding, wrong title, changed header, missing "Fonte" row or a cell that is not
        a number.
    """
    layout = LAYOUTS[quadro]
    grid = _read_grid(path)
    lines = data_lines(grid, first=1)
    _check_title(grid.iat[0, 0], layout.title, path)
    header = grid.iloc[2 : 2 + layout.header_rows, 1:]
    labels = _column_labels(header, layout.fill_last)
    letters = [column_letter(j) for j in header.columns]
    _check_labels(labels, layout.columns, letters, path, (lines[2], lines[1 + layout.header_rows]))
    check_row_lengths(grid)
    body = grid.iloc[2 + layout.header_rows :]
    return _melt_body(body, labels, letters, path, lines)


def _read_grid(path: Path) -> pd.DataFrame:
    grid = read_csv_checked(path, encoding=ENCODING, header=None)
    if len(grid) < 3:
        raise SourceFormatError(f"{path}: {len(grid)} row(s); expected a title, a blank row, header rows and data")
    cleaned = grid.apply(lambda col: col.str.strip().replace("", pd.NA))
    keep = [c for c in cleaned.columns if c == 0 or cleaned[c].notna().any()]
    # the editor lines and row lengths noted when reading stay with the grid
    cleaned.attrs = grid.attrs
    return cleaned[keep]


def _check_title(title: object, expected: str, path: Path) -> None:
    if isinstance(title, str) and "Ã" in title:
        raise SourceFormatError(
            f"{path}, row 1, column 'A': the title {title!r} looks UTF-8 encoded; "
            f"the reader expects the publisher's {ENCODING} file"
        )
    expect_cell(title, expected, path, 1, "A")


def _column_labels(header: pd.DataFrame, fill_last: bool) -> list[str]:
    """Join the header rows of each column, repeating spanned headings to the right."""
    filled = header.copy()
    last = len(filled) - 1
    for r in range(len(filled)):
        if r == last and not fill_last:
            continue
        for j in range(1, filled.shape[1]):
            same_group = r == 0 or filled.iat[0, j] == filled.iat[0, j - 1]
            if pd.isna(filled.iat[r, j]) and same_group:
                filled.iat[r, j] = filled.iat[r, j - 1]
    return [" | ".join(str(v) for v in filled.iloc[:, j] if pd.notna(v)) for j in range(filled.shape[1])]


def _check_labels(
    found: list[str], expected: tuple[str, ...], letters: list[str], path: Path, rows: tuple[int, int]
) -> None:
    if tuple(found) == expected:
        return
    place = f"{path}, rows {rows[0]}-{rows[1]} (header)"
    for f, e, letter in zip(found, expected, letters):
        if f != e:
            raise SourceFormatError(
                f"{place}, column {letter!r}: expected {e!r}, found {f!r}. "
                "Has the publisher changed the layout?"
            )
    raise SourceFormatError(
        f"{place}: expected {len(expected)} value columns from column B, found {len(found)} ({found}). "
        "Has the publisher changed the layout?"
    )


def _melt_body(body: pd.DataFrame, labels: list[str], letters: list[str], path: Path, lines: list[int]) -> pd.DataFrame:
    first = body.iloc[:, 0].fillna("")
    ends = first.index[first.str.startswith("Fonte")]
    if len(ends) == 0:
        raise SourceFormatError(
            f"{path}: no closing 'Fonte: ...' row; expected one in column A below the data. "
            "Is the table truncated?"
        )
    data = body.loc[: ends[0] - 1]
    data = data[data.notna().any(axis=1)]
    unlabelled = data.index[data.iloc[:, 0].isna()]
    if len(unlabelled):
        raise SourceFormatError(
            f"{path}, row {lines[unlabelled[0]]}, column 'A': data row without a label; expected a "
            "place or nationality"
        )
    records = []
    seen: dict[str, int] = {}
    for i, row in data.iterrows():
        label = row.iloc[0]
        seen[label] = seen.get(label, 0) + 1
        for j, (column, letter) in enumerate(zip(labels, letters), start=1):
            value = parse_number(row.iloc[j], path, lines[i], f"{letter} ({column})")
            if value is not None:
                records.append((lines[i], label, seen[label], column, value))
    return pd.DataFrame(records, columns=["row", "label", "occurrence", "column", "value"])

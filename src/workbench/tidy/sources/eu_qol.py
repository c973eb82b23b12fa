"""Reader of the aggregated results of the EU survey on the Quality of Life in European Cities 2023."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.sources._common import column_letter, expect_cell, read_excel_checked, single_file, tidy_frame

SOURCE_ID = "ec_qol_cities_2023"
DATA_SHEET = "QoL in European cities 2023_V2"
META_SHEET = "Meta"

#: Statistic labels of column C: the weighted column share and the unweighted base.
SHARE = "Column N %"
COUNT = "Unweighted Count"

#: Cell texts that mean "no figure" in the city columns.
NOT_AVAILABLE = frozenset({"Not available"})

#: Place id and name given to the publisher's "total average" column.
AGGREGATE_ID = "QOL-ALL"
#: User-assigned ISO 3166-1 alpha-3 code for a place spanning several countries.
AGGREGATE_ISO3 = "XQL"
AGGREGATE_LEVEL = "city_group"

PERIOD = "2023"
#: No fieldwork date in the file (its Meta sheet gives only the revision date): start of 2023.
REF_DATE = "2023-01-01"

_FIRST_CITY_COLUMN = 4  # 0-based: column E
_AGGREGATE_COLUMN = 3  # column D
_HEADER_ROWS = 3
_CITY_HEADER = re.compile(r"^(\d+)\s+(.+)$")
_DECIMAL_CODE = re.compile(r"^(-?\d+)[,.]0+$")


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for the Quality of Life in European Cities 2023 survey.

    Parameters
    ----------
    source_id
        ``ec_qol_cities_2023``.
    files
        The one aggregated-data workbook.
    cities
        The cities registry (codes under ``qol_city``).

    Returns
    -------
    pandas.DataFrame
        Tidy rows, see :mod:`workbench.tidy.schemas`.

    Raises
    ------
    SourceFormatError
        Another source id, not exactly one file, or a workbook whose layout is not the expected one.
    """
    path = single_file(__name__, source_id, [SOURCE_ID], files)
    read_qol_meta(path)
    raw = read_qol_results(path)
    return tidy_frame(harmonise_qol_results(raw, cities, path), source_id)


def read_qol_meta(path: Path) -> list[str]:
    """Read the ``Meta`` sheet and check that it describes the expected file.

    The reader relies on two statements of this sheet: the survey name, and that the
    "total average" column is an unweighted average across the cities (file of September 2024).

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    list of str
        The non-empty cells of column A, top to bottom.

    Raises
    ------
    SourceFormatError
        No ``Meta`` sheet, or a sheet without those statements.
    """
    meta = read_excel_checked(path, META_SHEET)
    cells = [str(v) for v in meta.iloc[:, 0] if not pd.isna(v)]
    text = " ".join(cells)
    expect_cell(text, "Quality of Life", path, 1, "A", sheet=META_SHEET)
    expect_cell(text, "unweighted averages across the cities", path, 3, "A", sheet=META_SHEET)
    return cells


def read_qol_results(path: Path) -> pd.DataFrame:
    """Reshape the results sheet into one row per question x answer x statistic x column.

    The sheet has two header rows (row 1: ``total average`` over column D and the banner
    variable ``BR_D3_Cityrecode`` over column E; row 2: ``<city code> <city name>`` from
    column E), then one block per question: the question in column A (merged down the
    block), answers in column B (``<code> <label>``), the statistic in column C and one
    value per column; each block ends with a ``Total`` / ``Unweighted Count`` row.

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    pandas.DataFrame
        Columns ``question_code``, ``question_text``, ``answer_code``, ``answer_label``,
        ``statistic``, ``column_code`` (``total`` for column D, else the city code),
        ``column_label``, ``value`` (float as stored, NaN when empty or "Not available"),
        ``row`` (1-based sheet row) and ``column`` (sheet column letter).

    Raises
    ------
    SourceFormatError
        Wrong sheet, changed headers, an answer outside a question block, an unknown
        statistic or a cell that is not a number.
    """
    sheet = read_excel_checked(path, DATA_SHEET)
    columns = _read_columns(sheet, path)
    records: list[dict] = []
    question: tuple[str, str] | None = None
    for i in range(_HEADER_ROWS, len(sheet)):
        row = sheet.iloc[i]
        if not _is_text(row.iloc[0]) and not _is_text(row.iloc[1]):
            _check_blank(row, columns, path, i + 1)
            continue
        if _is_text(row.iloc[0]):
            question = _split_code(str(row.iloc[0]))
        if question is None or not _is_text(row.iloc[1]):
            raise SourceFormatError(
                f"{path}, sheet {DATA_SHEET!r}, row {i + 1}: expected a question in column A "
                f"and an answer in column B, found {row.iloc[0]!r} / {row.iloc[1]!r}"
            )
        records.extend(_read_answer_row(row, question, columns, path, i + 1))
    if not records:
        raise SourceFormatError(f"{path}, sheet {DATA_SHEET!r}: no question blocks found")
    return pd.DataFrame(records).astype({"value": float})


def harmonise_qol_results(raw: pd.DataFrame, cities: dict[str, City], path: Path | str = "") -> pd.DataFrame:
    """Keep the answer shares of the network cities and the all-cities average, as tidy rows.

    Shares stored as fractions (0.66) become percentages (66.0) by a decimal shift of the
    stored digits; each row's note gives the question, the answer and the unweighted base.

    Parameters
    ----------
    raw
        Output of :func:`read_qol_results`.
    cities
        The cities registry (country of each city); the cities kept are those with a
        ``qol_city`` code.
    path
        The workbook, named in error messages.

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before :func:`workbench.tidy.sources._common.tidy_frame`).

    Raises
    ------
    SourceFormatError
        A network city missing from the file, or a share outside 0-1.
    """
    network = codes_of(cities, "qol_city")
    present = dict(zip(raw["column_code"], raw["column_label"]))
    missing = sorted(code for code in network if code not in present)
    if missing:
        found = [f"{code} {label}" for code, label in present.items() if code != "total"]
        raise SourceFormatError(
            f"{path}, sheet {DATA_SHEET!r}, row 2, columns from E: expected a column for every city "
            f"of the registry with a qol_city code; city code(s) {missing} are not among the columns, "
            f"found {found}"
        )
    bases = _bases(raw)
    n_cities = raw.loc[raw["column_code"] != "total", "column_code"].nunique()
    kept = raw[(raw["statistic"] == SHARE) & raw["column_code"].isin([*network, "total"])]
    rows = [
        _tidy_row(record, network, cities, bases, n_cities) for record in kept.to_dict("records")
    ]
    return pd.DataFrame(rows)


def category_code(question_code: str, answer_code: str) -> str:
    """Return the tidy category ``<question>:<answer>`` in lower case.

    ``$`` (multiple-response set) is dropped from the question code and a decimal answer
    code such as ``1,00`` becomes ``1``.

    Examples
    --------
    >>> category_code("Q3_4", "1")
    'q3_4:1'
    >>> category_code("$Q5", "98")
    'q5:98'
    >>> category_code("D1_recode4", "2,00")
    'd1_recode4:2'
    """
    question = re.sub(r"[^a-z0-9_]+", "_", question_code.lower().lstrip("$")).strip("_")
    decimal = _DECIMAL_CODE.match(answer_code)
    answer = decimal.group(1) if decimal else answer_code.lower()
    return f"{question}:{answer}"


def fraction_to_percent(value: float) -> float:
    """Return a stored fraction as a percentage by shifting its decimal digits (no rounding).

    Examples
    --------
    >>> fraction_to_percent(0.07190698732906513)
    7.190698732906513
    """
    return float(Decimal(repr(value)).scaleb(2))


def _read_columns(sheet: pd.DataFrame, path: Path) -> dict[int, tuple[str, str]]:
    if sheet.shape[0] <= _HEADER_ROWS or sheet.shape[1] <= _FIRST_CITY_COLUMN:
        raise SourceFormatError(f"{path}, sheet {DATA_SHEET!r}: too small to hold the results table")
    expect_cell(sheet.iat[0, _AGGREGATE_COLUMN], "total average", path, 1, "D", sheet=DATA_SHEET)
    expect_cell(sheet.iat[0, _FIRST_CITY_COLUMN], "BR_D3_Cityrecode", path, 1, "E", sheet=DATA_SHEET)
    columns = {_AGGREGATE_COLUMN: ("total", "total average")}
    for j in range(_FIRST_CITY_COLUMN, sheet.shape[1]):
        header = sheet.iat[1, j]
        if not _is_text(header):
            break
        match = _CITY_HEADER.match(str(header).strip())
        if not match:
            raise SourceFormatError(
                f"{path}, sheet {DATA_SHEET!r}, row 2, column {column_letter(j)}: expected "
                f"'<city code> <city name>', found {header!r}"
            )
        columns[j] = (match.group(1), match.group(2))
    if len(columns) == 1:
        raise SourceFormatError(
            f"{path}, sheet {DATA_SHEET!r}, row 2, column E: expected '<city code> <city name>' headers "
            f"from column E, found {sheet.iat[1, _FIRST_CITY_COLUMN]!r}. Has the publisher changed the layout?"
        )
    return columns


def _read_answer_row(
    row: pd.Series, question: tuple[str, str], columns: dict[int, tuple[str, str]], path: Path, number: int
) -> list[dict]:
    statistic = "" if pd.isna(row.iloc[2]) else str(row.iloc[2]).strip()
    if statistic not in (SHARE, COUNT):
        raise SourceFormatError(
            f"{path}, sheet {DATA_SHEET!r}, row {number}, column C: expected {SHARE!r} or "
            f"{COUNT!r}, found {row.iloc[2]!r}"
        )
    answer_code, answer_label = _split_code(str(row.iloc[1]))
    return [
        {
            "question_code": question[0],
            "question_text": question[1],
            "answer_code": answer_code,
            "answer_label": answer_label,
            "statistic": statistic,
            "column_code": code,
            "column_label": label,
            "value": _cell_number(row.iloc[j], path, number, j),
            "row": number,
            "column": column_letter(j),
        }
        for j, (code, label) in columns.items()
    ]


def _cell_number(cell: object, path: Path, row: int, j: int) -> float | None:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return None
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return float(cell)
    if str(cell).strip() in NOT_AVAILABLE:
        return None
    raise SourceFormatError(
        f"{path}, sheet {DATA_SHEET!r}, row {row}, column {column_letter(j)}: {cell!r} is not a number; "
        "expected a share stored as a fraction, a count, an empty cell or 'Not available'"
    )


def _check_blank(row: pd.Series, columns: dict[int, tuple[str, str]], path: Path, number: int) -> None:
    filled = [j for j in columns if not pd.isna(row.iloc[j])]
    if filled:
        raise SourceFormatError(
            f"{path}, sheet {DATA_SHEET!r}, row {number}, column {column_letter(filled[0])}: a value "
            "in a row without question or answer label; expected an empty row between question blocks"
        )


def _bases(raw: pd.DataFrame) -> dict[tuple[str, str], float]:
    counts = raw[raw["statistic"] == COUNT].dropna(subset=["value"])
    return {
        (q, c): v for q, c, v in zip(counts["question_code"], counts["column_code"], counts["value"])
    }


def _tidy_row(
    record: dict,
    network: dict[str, str],
    cities: dict[str, City],
    bases: dict[tuple[str, str], float],
    n_cities: int,
) -> dict:
    value = record["value"]
    if not pd.isna(value) and not 0 <= value <= 1:
        raise SourceFormatError(
            f"sheet {DATA_SHEET!r}, row {record['row']}, column {record['column']}: share {value} "
            "is outside 0-1; are the shares no longer stored as fractions?"
        )
    code = record["column_code"]
    place = _aggregate_place(n_cities) if code == "total" else _city_place(code, record, network, cities)
    return {
        **place,
        "indicator_id": "survey_share",
        "definition_id": "survey_respondents",
        "category": category_code(record["question_code"], record["answer_code"]),
        "period": PERIOD,
        "ref_date": REF_DATE,
        "value": None if pd.isna(value) else fraction_to_percent(value),
        "unit": "percent",
        "note": _note(record, bases.get((record["question_code"], code)), code == "total"),
    }


def _city_place(code: str, record: dict, network: dict[str, str], cities: dict[str, City]) -> dict:
    city = cities[network[code]]
    return {
        "place_id": f"QOL-{code}",
        "place_name": record["column_label"],
        "geography_level": "city",
        "country_iso3": city.country_iso3,
        "city_id": city.city_id,
    }


def _aggregate_place(n_cities: int) -> dict:
    return {
        "place_id": AGGREGATE_ID,
        "place_name": f"All {n_cities} surveyed cities (total average)",
        "geography_level": AGGREGATE_LEVEL,
        "country_iso3": AGGREGATE_ISO3,
        "city_id": "",
    }


def _note(record: dict, base: float | None, aggregate: bool) -> str:
    question = " ".join(p for p in (record["question_code"], record["question_text"]) if p)
    parts = [f"{question} | Answer {record['answer_code']}: {record['answer_label']}"]
    if record["question_code"].startswith("$"):
        parts.append("multiple answers allowed: shares of one question may add up to more than 100")
    if base is not None:
        what = "all cities" if aggregate else "this city"
        parts.append(f"unweighted base: {base:.0f} respondents in {what}")
    if aggregate:
        parts.append("unweighted average of the city percentages (file revised 18 September 2024)")
    return " | ".join(parts)


def _split_code(text: str) -> tuple[str, str]:
    parts = text.strip().split(None, 1)
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def _is_text(cell: object) -> bool:
    return isinstance(cell, str) and cell.strip() != ""

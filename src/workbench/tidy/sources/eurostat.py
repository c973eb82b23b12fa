"""Reader of Eurostat city statistics (Urban Audit) exported as data-browser SDMX-CSV 2.0."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, city_codes
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, tidy_frame
from workbench.tidy.sources._eurostat import country_iso3, dataset_code, map_flag, year_cell

#: Columns of a "page linear" SDMX-CSV 2.0 export that the reader relies on.
PAGE_LINEAR_COLUMNS: tuple[str, ...] = (
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "indic_ur",
    "Urban audit indicator",
    "cities",
    "Geopolitical entity (declaring)",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_FLAG",
)

#: Dataset and indicator codes each registered source must hold, all files together.
EXPECTED_CONTENT: dict[str, tuple[str, frozenset[str]]] = {
    "eurostat_urb_cpop1": ("urb_cpop1", frozenset({"DE1001V"})),
    "eurostat_urb_cpopcb": ("urb_cpopcb", frozenset({"DE2009V"})),
    "eurostat_urb_clma": ("urb_clma", frozenset({"EC1010V", "EC1177V"})),
}

#: Eurostat indicator code -> (indicator_id, definition_id, age, month-day of the reference date).
INDICATORS: dict[str, tuple[str, str, str, str]] = {
    "DE1001V": ("population", "total_population", "total", "01-01"),
    "DE2009V": ("population", "foreign_born", "total", "01-01"),
    "EC1010V": ("unemployed", "total_population", "total", "07-01"),
    "EC1177V": ("employed", "total_population", "Y20-64", "07-01"),
}

_LABOUR_NOTE = (
    "Annual average (Eurostat: labour force survey concepts, residents); "
    "ref_date 1 July marks the year."
)

#: Notes attached to every row of an indicator.
INDICATOR_NOTES: dict[str, str] = {
    "DE1001V": "Usual residents on 1 January.",
    "DE2009V": "Residents born outside the reporting country, on 1 January.",
    "EC1010V": _LABOUR_NOTE,
    "EC1177V": _LABOUR_NOTE,
}

_CITY_CODE = re.compile(r"^[A-Z]{2}\d{3}[A-Z]$")


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one Eurostat city-statistics source.

    Parameters
    ----------
    source_id
        One of :data:`EXPECTED_CONTENT`.
    files
        The page-linear CSV exports registered for the source.
    cities
        The cities registry (part of the reader contract; Urban Audit codes come from
        ``workbench.reference.registry.city_codes``).

    Returns
    -------
    pandas.DataFrame
        Tidy rows, see :mod:`workbench.tidy.schemas`.

    Raises
    ------
    SourceFormatError
        Unknown source id, or a file that is not the expected dataset and indicator(s).
    """
    if source_id not in EXPECTED_CONTENT:
        raise SourceFormatError(
            f"{source_id}: not served by workbench.tidy.sources.eurostat; known: {', '.join(EXPECTED_CONTENT)}"
        )
    raws = [read_page_linear(path) for path in files]
    check_content(source_id, files, raws)
    frame = pd.concat([harmonise_page_linear(raw, cities) for raw in raws], ignore_index=True)
    return tidy_frame(frame, source_id)


def read_page_linear(path: Path) -> pd.DataFrame:
    """Reshape a data-browser "page linear" SDMX-CSV 2.0 export into a long frame.

    Parameters
    ----------
    path
        The CSV file (UTF-8, comma-separated, one row per indicator x city x year).

    Returns
    -------
    pandas.DataFrame
        Columns ``dataset`` (e.g. ``urb_cpop1``), ``dataset_name``, ``indic_ur``,
        ``indicator_label``, ``code``, ``label``, ``time_period``, ``value`` (float, NaN when
        the cell is empty), ``flag`` (Eurostat letters, ``''`` when none), ``line`` (CSV line)
        and ``file``.

    Raises
    ------
    SourceFormatError
        Empty or non-UTF-8 file, missing column, unknown structure id, bad year or number.
    """
    table = read_csv_checked(path)
    require_columns(table, PAGE_LINEAR_COLUMNS, path)
    check_row_lengths(table)
    if table.empty:
        raise SourceFormatError(f"{path}: the export holds no data rows")
    lines = pd.Series(range(2, len(table) + 2), index=table.index)
    return pd.DataFrame(
        {
            "dataset": [dataset_code(v, path, n) for v, n in zip(table["STRUCTURE_ID"], lines)],
            "dataset_name": table["STRUCTURE_NAME"].fillna(""),
            "indic_ur": _required_text(table, "indic_ur", path),
            "indicator_label": table["Urban audit indicator"].fillna(""),
            "code": _required_text(table, "cities", path),
            "label": table["Geopolitical entity (declaring)"].fillna(""),
            "time_period": [year_cell(v, path, n) for v, n in zip(table["TIME_PERIOD"], lines)],
            "value": [
                parse_number(v, path, n, "OBS_VALUE") for v, n in zip(table["OBS_VALUE"], lines)
            ],
            "flag": table["OBS_FLAG"].fillna("").str.strip(),
            "line": lines,
            "file": str(path),
        }
    ).astype({"value": float})


def check_content(source_id: str, files: list[Path], raws: list[pd.DataFrame]) -> None:
    """Fail loudly unless the files hold exactly the dataset and indicators of ``source_id``.

    Each file must come from the source's dataset and hold only indicators of the source;
    all files together must hold every expected indicator, each in one file only.

    Raises
    ------
    SourceFormatError
        Naming the file and what it holds instead.
    """
    dataset, expected = EXPECTED_CONTENT[source_id]
    seen: dict[str, Path] = {}
    for path, raw in zip(files, raws):
        datasets = sorted(set(raw["dataset"]))
        if datasets != [dataset]:
            raise SourceFormatError(
                f"{path}: holds dataset(s) {datasets}, but source {source_id} is {dataset}"
            )
        codes = set(raw["indic_ur"])
        unexpected = sorted(codes - expected)
        if unexpected:
            raise SourceFormatError(
                f"{path}: holds indic_ur {unexpected}, not expected for {source_id} "
                f"(expected {sorted(expected)}). Wrong file?"
            )
        for code in sorted(codes):
            if code in seen:
                raise SourceFormatError(f"{path}: indic_ur {code} is already in {seen[code]}")
            seen[code] = path
    missing = sorted(expected - set(seen))
    if missing:
        raise SourceFormatError(
            f"{source_id}: no file holds indic_ur {missing}; files: {[str(p) for p in files]}"
        )


def harmonise_page_linear(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Map a read export to tidy columns: places, indicators, dates and flags.

    Parameters
    ----------
    raw
        Output of :func:`read_page_linear`.
    cities
        The cities registry (unused here: ``city_id`` comes from
        ``workbench.reference.registry.city_codes("eurostat_urban_audit")``).

    Returns
    -------
    pandas.DataFrame
        Tidy columns (before :func:`workbench.tidy.sources._common.tidy_frame`); rows without a
        value are kept here and dropped by ``tidy_frame``.

    Raises
    ------
    SourceFormatError
        Unknown indicator code, place code or flag letter (naming the CSV line).
    """
    network = city_codes("eurostat_urban_audit")
    rows = [_tidy_row(record, network) for record in raw.to_dict("records")]
    return pd.DataFrame(rows)


def geography_level(code: str, label: str) -> str:
    """Return the geography level of an Urban Audit code.

    Two letters are a country; a label ending "(greater city)" or a ``K`` code a greater city;
    an ``F`` code a functional urban area; any other ``C`` code a city.

    Raises
    ------
    SourceFormatError
        A code that is neither a country nor an Urban Audit place code.
    """
    if len(code) == 2 and code.isalpha():
        return "country"
    if not _CITY_CODE.match(code):
        raise SourceFormatError(f"{code!r} is not a Eurostat country or Urban Audit code")
    if code.endswith("F"):
        return "functional_urban_area"
    if "(greater city)" in label or code.endswith("K"):
        return "greater_city"
    if code.endswith("C"):
        return "city"
    raise SourceFormatError(f"Urban Audit code {code!r} ({label!r}) has an unknown suffix")


def _tidy_row(record: dict, network: dict[str, str]) -> dict:
    where = f"{record['file']}, CSV line {record['line']}"
    code, label = record["code"], record["label"]
    if record["indic_ur"] not in INDICATORS:
        raise SourceFormatError(f"{where}: indic_ur {record['indic_ur']!r} has no mapping")
    indicator, definition, age, month_day = INDICATORS[record["indic_ur"]]
    try:
        level = geography_level(code, label)
        iso3 = country_iso3(code)
        flag = map_flag(record["flag"])
    except SourceFormatError as exc:
        raise SourceFormatError(f"{where}, place {code}: {exc}") from None
    return {
        "place_id": code,
        "place_name": label,
        "geography_level": level,
        "country_iso3": iso3,
        "city_id": "" if level == "country" else network.get(code, ""),
        "indicator_id": indicator,
        "definition_id": definition,
        "age": age,
        "period": record["time_period"],
        "ref_date": f"{record['time_period']}-{month_day}",
        "value": record["value"],
        "unit": "persons",
        "flag": flag,
        "note": INDICATOR_NOTES[record["indic_ur"]],
    }


def _required_text(table: pd.DataFrame, column: str, path: Path) -> pd.Series:
    empty = table.index[table[column].isna()]
    if len(empty):
        raise SourceFormatError(f"{path}, line {int(empty[0]) + 2}, column {column!r}: empty cell")
    return table[column].str.strip()

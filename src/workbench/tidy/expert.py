"""Figures typed in by local experts, with their citations: read, check and turn into tidy rows."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pandas as pd
import pycountry

from workbench import paths
from workbench.errors import SchemaError
from workbench.reference.citations import citation_text
from workbench.reference.labels import MONTH_ONLY_REMARK, YEAR_ONLY_REMARK
from workbench.reference.registry import load_cities, load_definitions, load_indicators, read_yaml
from workbench.tidy.csvfile import read_csv_text
from workbench.tidy.expert_place import check_denominator
from workbench.tidy.schemas import (
    EARLIEST_YEAR,
    FLAGS,
    GEOGRAPHY_LEVELS,
    KEY_COLUMNS,
    PART_TOLERANCE,
    SEXES,
    UNITS,
    empty_tidy,
    latest_year,
    parts_over_totals,
    validate_tidy,
)
from workbench.tidy.sources._common import tidy_frame

SOURCE_ID = "expert_figures"

#: Every column of an expert figures file, in the documented order.
EXPERT_COLUMNS: tuple[str, ...] = (
    "place_id",
    "place_name",
    "geography_level",
    "country_iso3",
    "indicator_id",
    "definition_id",
    "definition_as_published",
    "sex",
    "age",
    "origin_type",
    "origin",
    "category",
    "period",
    "ref_date",
    "value",
    "unit",
    "flag",
    "publisher",
    "source_title",
    "source_url",
    "reported_via",
    "note",
)

#: Columns a file must have; every one of them needs a value in every row.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "place_id",
    "place_name",
    "geography_level",
    "country_iso3",
    "indicator_id",
    "definition_id",
    "definition_as_published",
    "ref_date",
    "value",
    "unit",
    "publisher",
    "source_title",
)

#: Optional columns and the value an empty cell (or an absent column) stands for.
OPTIONAL_DEFAULTS: dict[str, str] = {
    "sex": "total",
    "age": "total",
    "origin_type": "",
    "origin": "total",
    "category": "total",
    "period": "",
    "flag": "",
    "source_url": "",
    "reported_via": "",
    "note": "",
}

ORIGIN_TYPES: tuple[str, ...] = (
    "citizenship",
    "birth_country",
    "origin_country",
    "citizenship_group",
    "birth_group",
    "origin_group",
)
_COUNTRY_ORIGIN_TYPES = ("citizenship", "birth_country", "origin_country")
_COUNT_UNITS = ("persons", "respondents", "count")

_DATE_FORMS = {
    re.compile(r"^\d{4}$"): ("%Y", "-07-01", YEAR_ONLY_REMARK),
    re.compile(r"^\d{4}-\d{2}$"): ("%Y-%m", "-15", MONTH_ONLY_REMARK),
    re.compile(r"^\d{4}-\d{2}-\d{2}$"): ("%Y-%m-%d", "", ""),
}
_PERIOD = re.compile(r"^\d{4}(-Q[1-4]|-\d{4})?$")
_AGE = re.compile(r"^(total|Y\d+-\d+|Y\d+-MAX|Y_LT\d+|Y_GE\d+)$")
_CATEGORY = re.compile(r"^(total|[a-z][a-z0-9_]*:[A-Za-z0-9_.\-]+)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FLAG = re.compile(f"^[{''.join(FLAGS)}]*$")


def read_expert_figures(path: Path, city_id: str | None = None) -> pd.DataFrame:
    """Read and check one expert figures file, ``data/local/figures/<city_id>.csv``.

    Parameters
    ----------
    path
        The file (comma-separated UTF-8 text).
    city_id
        The city the figures belong to; by default the file name without ``.csv``, which must
        then be a city id of the registry.

    Returns
    -------
    pandas.DataFrame
        All :data:`EXPERT_COLUMNS` as text (cells stripped, empty optional cells filled with
        their defaults, ``period`` filled from ``ref_date`` when empty), plus ``line``, the
        CSV line where each row starts.

    Raises
    ------
    SchemaError
        Naming the file, CSV line and column of the first problem: a spreadsheet, not UTF-8,
        empty (a header alone is accepted: no figures yet), not comma-separated, missing or unknown columns, unknown city,
        ids unknown to the registries, a place outside the city's country, a bad or impossible
        date, a bad number, share, flag or origin, a percentage whose words name another denominator
        than its indicator's (:func:`workbench.tidy.expert_place.check_denominator`), a repeated figure, a part (women, an age
        band, an origin, a category) larger than its total, or an empty publisher or title.
    """
    path = Path(path)
    city_id = city_id or path.stem
    cities = load_cities()
    if city_id not in cities:
        raise SchemaError(
            f"{path}: the file name must be a city id followed by .csv (or name the city with --city); "
            f"'{city_id}' is not one of {', '.join(cities)}"
        )
    frame = _read_text_table(path)
    _check_columns(frame, path)
    frame = _fill_defaults(frame)
    origins = _declared_origins()
    country = cities[city_id].country_iso3
    for record in frame.to_dict("records"):
        _check_row(record, path, origins)
        _check_place(record, path, city_id, country)
        check_denominator(record, path)
    frame["period"] = [
        record["period"] or record["ref_date"][:4] for record in frame.to_dict("records")
    ]
    _check_duplicates(frame, path)
    _check_parts(frame, path)
    return frame


def expert_to_tidy(frame: pd.DataFrame, city_id: str) -> pd.DataFrame:
    """Turn checked expert figures into tidy rows of source ``expert_figures``.

    Parameters
    ----------
    frame
        Output of :func:`read_expert_figures`.
    city_id
        The city the file belongs to: set on every row, whatever its geography.

    Returns
    -------
    pandas.DataFrame
        Tidy rows; the note starts with the citation ("publisher — source title; reported via
        ...; URL"), then the definition as published, then the expert's note.
    """
    rows = [_tidy_row(record, city_id) for record in frame.to_dict("records")]
    if not rows:
        return empty_tidy()
    return tidy_frame(rows, SOURCE_ID)


def load_expert_figures(folder: Path | None = None) -> pd.DataFrame:
    """Read every ``<city_id>.csv`` of a folder into one checked tidy table.

    Parameters
    ----------
    folder
        Defaults to ``data/local/figures``; an absent folder gives an empty table.

    Returns
    -------
    pandas.DataFrame
        Tidy rows of all cities, checked with :func:`workbench.tidy.schemas.validate_tidy`.

    Raises
    ------
    SchemaError
        A file fails its checks, or the same figure appears in two files.
    ConfigError
        A file is a symbolic link leading out of ``folder``.
    """
    folder = Path(folder) if folder is not None else paths.local_dir() / "figures"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return empty_tidy()
    for path in files:
        paths.inside(path, folder)  # a link may not bring a file from elsewhere into the profiles
    tables = [expert_to_tidy(read_expert_figures(path), path.stem) for path in files]
    combined = pd.concat(tables, ignore_index=True)
    _check_across_files(combined, folder)
    return validate_tidy(combined, str(folder))


def city_figures(city_id: str, folder: Path | None = None) -> pd.DataFrame:
    """The figures a city's expert entered, as typed: the rows of ``data/local/figures/<city_id>.csv``.

    What a profile shows as published (the value with its precision, the date as given, the
    citation and note); :func:`load_expert_figures` makes the tidy rows of the same files.

    Parameters
    ----------
    city_id
        An id of the cities registry.
    folder
        Defaults to ``data/local/figures``.

    Returns
    -------
    pandas.DataFrame
        Output of :func:`read_expert_figures` (``line`` and every :data:`EXPERT_COLUMNS`, as
        text); no rows when the city has no file or only its header line.

    Raises
    ------
    SchemaError
        The file fails its checks.
    ConfigError
        The city id is not a plain slug, or the file is a link leading out of ``folder``.
    """
    folder = Path(folder) if folder is not None else paths.local_dir() / "figures"
    path = paths.named_file(folder, city_id, ".csv", "city id")
    frame = read_expert_figures(path, city_id) if path.is_file() else pd.DataFrame()
    return frame if len(frame) else pd.DataFrame(columns=["line", *EXPERT_COLUMNS])


def _read_text_table(path: Path) -> pd.DataFrame:
    # a header alone is a file no figure was entered in yet (what `workbench new-city` writes)
    frame = read_csv_text(path, "figure", EXPERT_COLUMNS, header_only=True)
    if frame.empty:
        return frame
    frame = frame.apply(lambda column: column.str.strip() if column.name != "line" else column)
    frame = frame[(frame.drop(columns="line") != "").any(axis=1)].reset_index(drop=True)
    if frame.empty:
        raise SchemaError(f"{path}: no figures below the header line, only empty rows; expected one figure per line")
    return frame


def _check_columns(frame: pd.DataFrame, path: Path) -> None:
    columns = [c for c in frame.columns if c != "line"]
    unknown = [c for c in columns if c not in EXPERT_COLUMNS]
    if unknown:
        raise SchemaError(
            f"{path}, CSV line 1: unknown column(s) {unknown}; allowed columns are {', '.join(EXPERT_COLUMNS)}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SchemaError(
            f"{path}, CSV line 1: required column(s) {missing} missing; required: {', '.join(REQUIRED_COLUMNS)}"
        )


def _fill_defaults(frame: pd.DataFrame) -> pd.DataFrame:
    filled = frame.copy()
    for column, default in OPTIONAL_DEFAULTS.items():
        if column not in filled.columns:
            filled[column] = default
        filled[column] = filled[column].replace("", default)
    return filled[["line", *EXPERT_COLUMNS]]


def _fail(path: Path, line: int, column: str, problem: str) -> SchemaError:
    return SchemaError(f"{path}, CSV line {line}, column '{column}': {problem}")


def _check_row(record: dict, path: Path, origins: set[str]) -> None:
    line = record["line"]
    for column in REQUIRED_COLUMNS:
        if not record[column]:
            raise _fail(path, line, column, "empty; every row needs a value here")
    _check_vocabulary(record, path, line)
    _check_origin(record, path, line, origins)
    _check_dates(record, path, line)
    _check_value(record, path, line)


def _check_vocabulary(record: dict, path: Path, line: int) -> None:
    indicators = load_indicators()
    checks = (
        ("indicator_id", record["indicator_id"] in indicators, f"one of {', '.join(indicators)}"),
        ("definition_id", record["definition_id"] in load_definitions(), "an id of data/registry/definitions.yaml"),
        ("geography_level", record["geography_level"] in GEOGRAPHY_LEVELS, f"one of {', '.join(GEOGRAPHY_LEVELS)}"),
        ("country_iso3", _is_country(record["country_iso3"]), "an ISO 3166-1 alpha-3 code such as JOR, MAR, ITA"),
        ("sex", record["sex"] in SEXES, f"one of {', '.join(SEXES)} (empty means total)"),
        ("age", bool(_AGE.match(record["age"])), "total or a band such as Y15-64, Y65-MAX, Y_LT15"),
        ("category", bool(_CATEGORY.match(record["category"])), "total or <dimension>:<code>, e.g. release:detailed_results"),
        ("unit", record["unit"] in UNITS, f"one of {', '.join(UNITS)}"),
        ("flag", bool(_FLAG.match(record["flag"])), f"letters among {' '.join(FLAGS)}, or empty"),
    )
    for column, ok, expected in checks:
        if not ok:
            raise _fail(path, line, column, f"{record[column]!r} is not valid; expected {expected}")
    expected_unit = indicators[record["indicator_id"]].unit
    if record["unit"] != expected_unit:
        raise _fail(
            path, line, "unit",
            f"{record['unit']!r} does not fit indicator {record['indicator_id']!r}; expected {expected_unit!r}",
        )


def _is_country(code: str) -> bool:
    return len(code) == 3 and code.isupper() and pycountry.countries.get(alpha_3=code) is not None


def _declared_origins() -> set[str]:
    """Group codes declared in ``data/registry/origins/*.yaml``."""
    return _origins_in(paths.registry_dir() / "origins")


@functools.cache
def _origins_in(folder: Path) -> set[str]:
    codes: set[str] = set()
    for file in sorted(folder.glob("*.yaml")):
        content = read_yaml(file) or {}
        codes.update((content.get("origins") or {}).keys())
    return codes


def _check_origin(record: dict, path: Path, line: int, origins: set[str]) -> None:
    origin, origin_type = record["origin"], record["origin_type"]
    if origin == "total":
        if origin_type:
            raise _fail(path, line, "origin_type", f"{origin_type!r} given but origin is total; leave it empty")
        return
    if origin_type not in ORIGIN_TYPES:
        raise _fail(
            path, line, "origin_type",
            f"{origin_type!r} is not valid for origin {origin!r}; expected one of {', '.join(ORIGIN_TYPES)}",
        )
    if origin_type in _COUNTRY_ORIGIN_TYPES and not _is_country(origin):
        raise _fail(path, line, "origin", f"{origin!r} is not an ISO 3166-1 alpha-3 country code (e.g. SYR)")
    if origin_type not in _COUNTRY_ORIGIN_TYPES and origin not in origins:
        raise _fail(
            path, line, "origin",
            f"group code {origin!r} is not declared in data/registry/origins/*.yaml; declare it or use a country code",
        )


def _parse_date(text: str) -> tuple[str, str] | None:
    """Return (ISO date, remark) for YYYY, YYYY-MM or YYYY-MM-DD, or None if not a date."""
    for pattern, (fmt, suffix, remark) in _DATE_FORMS.items():
        if pattern.match(text):
            try:
                pd.to_datetime(text, format=fmt)
            except ValueError:
                return None
            return text + suffix, remark
    return None


def _check_dates(record: dict, path: Path, line: int) -> None:
    if _parse_date(record["ref_date"]) is None:
        raise _fail(
            path, line, "ref_date",
            f"{record['ref_date']!r} is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2015-11-30)",
        )
    last = latest_year()
    if not EARLIEST_YEAR <= int(record["ref_date"][:4]) <= last:
        raise _fail(
            path, line, "ref_date",
            f"{record['ref_date']!r} is out of range; expected a date from {EARLIEST_YEAR} to the end of {last}",
        )
    period = record["period"]
    if period and not _PERIOD.match(period):
        raise _fail(path, line, "period", f"{period!r} is not valid; expected YYYY, YYYY-Q1..Q4 or YYYY-YYYY, or empty")
    years = [int(y) for y in re.findall(r"\d{4}", period)]
    if years and (min(years) < EARLIEST_YEAR or max(years) > last or years != sorted(years)):
        raise _fail(
            path, line, "period",
            f"{period!r} is out of range; expected years from {EARLIEST_YEAR} to {last}, the first not after the second",
        )


def _check_place(record: dict, path: Path, city_id: str, country: str) -> None:
    line = record["line"]
    if record["country_iso3"] != country:
        raise _fail(
            path, line, "country_iso3",
            f"{record['country_iso3']!r} is not the country of {city_id}; expected {country!r}: a city's file holds "
            "figures about the city, its region or its country",
        )
    if record["geography_level"] == "country" and record["place_id"] != country:
        raise _fail(
            path, line, "place_id",
            f"{record['place_id']!r} is not the code of the country; expected {country!r} on a country row",
        )


def _check_value(record: dict, path: Path, line: int) -> None:
    text = record["value"]
    if not _NUMBER.match(text):
        raise _fail(
            path, line, "value",
            f"{text!r} is not a plain number; write digits only, no thousands separators, '.' for decimals (e.g. 2900000)",
        )
    value = float(text)
    if record["unit"] in _COUNT_UNITS and value < 0:
        raise _fail(path, line, "value", f"{text} is negative; a count must be 0 or more")
    if record["unit"] == "percent" and record["indicator_id"].endswith("_share") and not 0 <= value <= 100:
        raise _fail(path, line, "value", f"{text} is outside 0-100 for a share in percent")


def _check_duplicates(frame: pd.DataFrame, path: Path) -> None:
    keys = [c for c in KEY_COLUMNS if c != "source_id"]
    repeated = frame.duplicated(keys, keep=False)
    if repeated.any():
        lines = frame.loc[repeated, "line"].tolist()
        raise SchemaError(
            f"{path}, CSV lines {lines}: the same figure (place, indicator, definition, sex, age, origin, "
            "category, period, ref_date) is entered more than once; keep one, or tell them apart in "
            "'category' (e.g. release:detailed_results)"
        )


def _check_parts(frame: pd.DataFrame, path: Path) -> None:
    numbers = frame.assign(value=frame["value"].astype(float))
    over = parts_over_totals(numbers)
    if over:
        part, total, column = over[0]
        rows = frame.iloc[[part, total]]
        raise _fail(
            path, int(rows["line"].iloc[0]), "value",
            f"{rows['value'].iloc[0]} for {column} {rows[column].iloc[0]!r} is larger than the total "
            f"{rows['value'].iloc[1]} on CSV line {rows['line'].iloc[1]} (same place, indicator, definition and date); "
            f"expected a part no larger than its total (rounding tolerance {PART_TOLERANCE:.1%} or 1)",
        )


def _check_across_files(frame: pd.DataFrame, folder: Path) -> None:
    repeated = frame.duplicated(list(KEY_COLUMNS), keep=False)
    if repeated.any():
        dup = frame[repeated]
        raise SchemaError(
            f"{folder}: the same figure is entered in the files of several cities "
            f"({sorted(dup['city_id'].unique())}), e.g. place {dup.iloc[0]['place_id']!r}, "
            f"indicator {dup.iloc[0]['indicator_id']!r}, ref_date {dup.iloc[0]['ref_date']!r}; enter it once"
        )


def citation(record: dict) -> str:
    """A figure's citation as typed: "publisher — source title; reported via OUTLET; URL" (parts present only).

    The form is :func:`workbench.reference.citations.citation_text`'s, which source lines read back.
    """
    return citation_text(record["publisher"], record["source_title"], record["reported_via"], record["source_url"])


def _tidy_row(record: dict, city_id: str) -> dict:
    ref_date, date_remark = _parse_date(record["ref_date"])
    parts = [citation(record), f"as published: {record['definition_as_published']}"]
    if date_remark:
        parts.append(f"ref_date published as {record['ref_date']} ({date_remark})")
    if record["note"]:
        parts.append(record["note"])
    note = " | ".join(parts)
    return {
        **{c: record[c] for c in ("place_id", "place_name", "geography_level", "country_iso3")},
        "city_id": city_id,
        **{c: record[c] for c in ("indicator_id", "definition_id", "sex", "age", "origin_type", "origin", "category", "period")},
        "ref_date": ref_date,
        "value": float(record["value"]),
        "unit": record["unit"],
        "flag": record["flag"],
        "note": note,
    }

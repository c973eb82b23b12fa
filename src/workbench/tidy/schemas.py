"""What valid tidy data is: the long indicator table every source is harmonised into."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pycountry

from workbench.errors import SchemaError

#: Columns of every tidy table, in this order.
TIDY_COLUMNS: tuple[str, ...] = (
    "source_id",  # registry id of the source (data/registry/sources/<source_id>.yaml)
    "place_id",  # code of the place in its own system, prefixed by country when ambiguous
    "place_name",  # name of the place as the source labels it
    "geography_level",  # one of GEOGRAPHY_LEVELS
    "country_iso3",  # ISO 3166-1 alpha-3 of the country the place lies in (or AGGREGATE_ISO3)
    "city_id",  # network city the place describes or lies in; '' for country/region rows
    "indicator_id",  # data/registry/indicators.yaml
    "definition_id",  # data/registry/definitions.yaml: who is counted
    "sex",  # total / female / male
    "age",  # 'total' or a band such as 'Y15-19', 'Y80-MAX', 'Y_LT15'
    "origin_type",  # '' or citizenship / birth_country / citizenship_group / birth_group / origin_group
    "origin",  # 'total' or an ISO3 code / a group code (see data/registry/origins.yaml)
    "category",  # 'total' or '<dimension>:<code>' for any other breakdown (permit, activity, ...)
    "period",  # calendar period the value refers to: '2021', '2021-Q3', '2021-06', '2015-2020'
    "ref_date",  # ISO date of the reference point: '2021-01-01', '2021-04-19', '2024-07-01'
    "value",  # the number as published (or derived: then flag 'c' and a note)
    "unit",  # one of UNITS
    "flag",  # '' or letters from FLAGS
    "note",  # free text: what a reader must know about this value
)

GEOGRAPHY_LEVELS: tuple[str, ...] = (
    "world",
    "world_region",
    "country",
    "nuts1",
    "nuts2",
    "nuts3",
    "region",
    "governorate",
    "province",
    "prefecture",
    "departement",
    "metropolitan_city",
    "greater_city",
    "functional_urban_area",
    "urban_unit",
    "employment_zone",
    "city",
    "city_group",
    "municipality",
    "district",
    "neighbourhood",
    "camp",
    "location",
)

SEXES: tuple[str, ...] = ("total", "female", "male")

UNITS: tuple[str, ...] = (
    "persons",
    "percent",
    "per_thousand",
    "years",
    "usd",
    "index",
    "respondents",
    "count",
)

#: Units whose values count people or things: never negative, and a part never exceeds its total.
COUNT_UNITS: tuple[str, ...] = ("persons", "respondents", "count")

#: Observation flags (Eurostat letters where they exist).
FLAGS: dict[str, str] = {
    "b": "break in series",
    "c": "computed by the workbench from published figures",
    "d": "definition differs",
    "e": "estimated",
    "p": "provisional",
    "r": "revised",
    "u": "low reliability",
    "x": "superseded: the publisher corrected this figure after the release used",
    "z": "not applicable",
    "s": "suppressed (small count)",
}

#: The flag of a value its publisher corrected after the release the workbench holds: it is shown as
#: published, with its note, and never used as a headline (key figure, synopsis) or summed unmarked.
SUPERSEDED = "x"

#: The flag of a cell its publisher withheld as a small count: the only row whose value may be empty
#: (NaN), so that a withheld cell is kept and never read as a zero. Sums leave it out.
SUPPRESSED = "s"

#: Indicators whose values are balances and may be negative.
BALANCE_INDICATORS: tuple[str, ...] = ("net_migration", "population_change")

#: Codes allowed in ``country_iso3`` besides ISO 3166-1 alpha-3 countries.
AGGREGATE_ISO3: dict[str, str] = {
    "WLD": "the world or a group of countries (UN DESA)",
    "XQL": "all cities of the EU Quality of Life survey",
    "UNK": "country unknown (as published by UNHCR)",
    "EUU": "the European Union as a whole (Eurostat aggregates such as EU27_2020; the World Bank's code)",
}

#: Reference dates and periods before this year are taken for typing errors.
EARLIEST_YEAR = 1900

#: Columns that together identify one observation.
KEY_COLUMNS: tuple[str, ...] = (
    "source_id",
    "place_id",
    "indicator_id",
    "definition_id",
    "sex",
    "age",
    "origin_type",
    "origin",
    "category",
    "period",
    "ref_date",
)

#: Breakdown columns: a row whose breakdown is not 'total' is a part of the row that says 'total'
#: and is otherwise identical (origin_type goes with origin: it is '' on the total row).
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "sex": ("sex",),
    "age": ("age",),
    "origin": ("origin", "origin_type"),
    "category": ("category",),
}

#: Category dimensions that tell alternative figures apart (another release), not parts.
ALTERNATIVE_CATEGORIES: tuple[str, ...] = ("release",)

#: A part may exceed its total by rounding only: by at most this share of the total, or 1.
PART_TOLERANCE = 0.001

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD = re.compile(r"^(\d{4})(?:-Q[1-4]|-(?:0[1-9]|1[0-2])|-(\d{4}))?$")
_FLAG = re.compile(f"^[{''.join(FLAGS)}]*$")
_ID = r"^[a-z0-9_]+$"

#: What each column must hold, as said in error messages.
EXPECTED: dict[str, str] = {
    "source_id": "an id of lowercase letters, digits and '_' (data/registry/sources/<id>.yaml)",
    "place_id": "a non-empty place code",
    "place_name": "text",
    "geography_level": f"one of {', '.join(GEOGRAPHY_LEVELS)}",
    "country_iso3": f"an ISO 3166-1 alpha-3 code such as ESP, or one of {', '.join(AGGREGATE_ISO3)}",
    "city_id": "a city id of data/registry/cities.yaml, or empty",
    "indicator_id": "an id of lowercase letters, digits and '_' (data/registry/indicators.yaml)",
    "definition_id": "an id of lowercase letters, digits and '_' (data/registry/definitions.yaml)",
    "sex": f"one of {', '.join(SEXES)}",
    "age": "'total' or an age band such as Y15-64",
    "origin_type": "empty or an origin type such as citizenship",
    "origin": "'total' or an origin code",
    "category": "'total' or <dimension>:<code>",
    "period": "YYYY, YYYY-MM, YYYY-Q1..Q4 or YYYY-YYYY",
    "ref_date": "a date YYYY-MM-DD",
    "value": "a number (empty only on a row flagged s, a cell the publisher withheld)",
    "unit": f"one of {', '.join(UNITS)}",
    "flag": f"empty or letters among {' '.join(FLAGS)}",
    "note": "text",
}

_TEXT = {c: pa.Column(str, nullable=False) for c in TIDY_COLUMNS if c != "value"}
_COLUMNS = {
    **_TEXT,
    "source_id": pa.Column(str, pa.Check.str_matches(_ID)),
    "place_id": pa.Column(str, pa.Check.str_length(min_value=1)),
    "geography_level": pa.Column(str, pa.Check.isin(GEOGRAPHY_LEVELS)),
    "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
    "indicator_id": pa.Column(str, pa.Check.str_matches(_ID)),
    "definition_id": pa.Column(str, pa.Check.str_matches(_ID)),
    "sex": pa.Column(str, pa.Check.isin(SEXES)),
    "age": pa.Column(str, pa.Check.str_length(min_value=1)),
    "origin": pa.Column(str, pa.Check.str_length(min_value=1)),
    "category": pa.Column(str, pa.Check.str_length(min_value=1)),
    "period": pa.Column(str, pa.Check.str_matches(_PERIOD.pattern)),
    "ref_date": pa.Column(str, pa.Check.str_matches(_DATE.pattern)),
    "value": pa.Column(float, nullable=True),  # NaN only where flagged SUPPRESSED: _check_suppressed
    "unit": pa.Column(str, pa.Check.isin(UNITS)),
    "flag": pa.Column(str, pa.Check.str_matches(_FLAG.pattern)),
}
_TIDY_SCHEMA = pa.DataFrameSchema({c: _COLUMNS[c] for c in TIDY_COLUMNS}, strict=True, coerce=False)


def empty_tidy() -> pd.DataFrame:
    """Return an empty frame with the tidy columns and dtypes.

    Returns
    -------
    pandas.DataFrame
    """
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TIDY_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    return frame


def latest_year() -> int:
    """The last year a reference date or period may fall in: the current calendar year.

    Returns
    -------
    int
    """
    return datetime.date.today().year


def check_tidy_columns(columns: Sequence[str], name: str) -> None:
    """Check that a header holds exactly the tidy columns, in order.

    Parameters
    ----------
    columns
        The header as read.
    name
        What to call the table in messages.

    Raises
    ------
    SchemaError
        Naming the missing and unexpected columns, or the first column out of place.
    """
    columns = list(columns)
    missing = [c for c in TIDY_COLUMNS if c not in columns]
    extra = [c for c in columns if c not in TIDY_COLUMNS]
    if missing or extra:
        raise SchemaError(
            f"{name}, CSV line 1: columns differ from the tidy schema"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else "")
            + f". Expected exactly: {', '.join(TIDY_COLUMNS)}"
        )
    for position, (found, expected) in enumerate(zip(columns, TIDY_COLUMNS), start=1):
        if found != expected:
            raise SchemaError(
                f"{name}, CSV line 1: column {position} is {found!r}, expected {expected!r}; "
                f"columns must come in this order: {', '.join(TIDY_COLUMNS)}"
            )


def validate_tidy(frame: pd.DataFrame, name: str, lines: Sequence[int] | None = None) -> pd.DataFrame:
    """Check a tidy table and return it unchanged, or raise one error naming line and column.

    Checks: exact columns in order; types; controlled vocabularies; real ISO 3166 country
    codes; dates that exist and periods that parse, from :data:`EARLIEST_YEAR` to the current
    year; no missing values (but the value of a cell its publisher withheld, flagged ``s``);
    no negative counts; shares within 0-100; no duplicate observation
    keys; no part (a sex, age band, origin or category) larger than the total of the same
    observation (see :func:`parts_over_totals`).

    Parameters
    ----------
    frame
        The table to check.
    name
        What to call the table in messages (usually its file name).
    lines
        The CSV line of each row, in row order; by default row ``i`` (0-based position) is
        CSV line ``i + 2`` (line 1 is the header).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Raises
    ------
    SchemaError
        On the first kind of failure found: "name, CSV line N, column 'c': found 'v';
        expected ...".
    """
    check_tidy_columns(frame.columns, name)
    where = _Locator(name, lines)
    try:
        _TIDY_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise SchemaError(_describe_pandera(exc, frame, where)) from None
    _check_dates(frame, where)
    _check_countries(frame, where)
    _check_suppressed(frame, where)
    _check_values(frame, where)
    _check_keys(frame, where)
    _check_parts(frame, where)
    return frame


def parts_over_totals(frame: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Find parts larger than their total: e.g. women more than all persons of the same key.

    For every breakdown column of :data:`BREAKDOWNS`, rows that differ from a 'total' row only
    in that column are its parts. Only counts (:data:`COUNT_UNITS`) that are not balances are
    compared, rows with a category of :data:`ALTERNATIVE_CATEGORIES` are not parts, and a part
    may exceed its total by rounding: by at most :data:`PART_TOLERANCE` of the total, or 1.

    Parameters
    ----------
    frame
        Rows with the :data:`KEY_COLUMNS` present in it (``source_id`` may be absent), ``unit``,
        ``indicator_id`` and a float ``value``.

    Returns
    -------
    list of (int, int, str)
        (position of the part, position of its total, breakdown column), sorted by the part's
        position; empty when every part fits.
    """
    counts = (frame["unit"].isin(COUNT_UNITS) & ~frame["indicator_id"].isin(BALANCE_INDICATORS)).to_numpy()
    rows = frame.loc[counts]
    positions = np.flatnonzero(counts)
    values = rows["value"].to_numpy(dtype=float)
    keys = [c for c in KEY_COLUMNS if c in frame.columns] + ["unit"]
    found: list[tuple[int, int, str]] = []
    for column, dims in BREAKDOWNS.items():
        is_total = (rows[column] == "total").to_numpy()
        is_part = ~is_total
        if column == "category":
            is_part &= ~rows["category"].str.startswith(tuple(f"{c}:" for c in ALTERNATIVE_CATEGORIES)).to_numpy()
        if not is_part.any() or not is_total.any():
            continue
        # rows sharing every key column but the breakdown get the same 64-bit hash
        hashes = pd.util.hash_pandas_object(rows[[c for c in keys if c not in dims]], index=False).to_numpy()
        totals = pd.Series(np.flatnonzero(is_total), index=hashes[is_total])
        totals = totals[~totals.index.duplicated()]
        parts = np.flatnonzero(is_part)
        matched = totals.reindex(hashes[parts]).to_numpy()
        has_total = ~np.isnan(matched)
        parts, matched = parts[has_total], matched[has_total].astype(int)
        total_values = values[matched]
        over = values[parts] > total_values + np.maximum(1.0, PART_TOLERANCE * np.abs(total_values))
        found += [(int(positions[p]), int(positions[t]), column) for p, t in zip(parts[over], matched[over])]
    return sorted(found)


class _Locator:
    """Turns a row position into 'name, CSV line N' for messages."""

    def __init__(self, name: str, lines: Sequence[int] | None):
        self.name = name
        self.lines = None if lines is None else list(lines)

    def line(self, position: int) -> int:
        return self.lines[position] if self.lines is not None else position + 2

    def cell(self, position: int, column: str) -> str:
        return f"{self.name}, CSV line {self.line(position)}, column {column!r}"

    def fail(self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, column: str, found: str, expected: str) -> None:
        bad = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(bad):
            position = int(bad[0])
            value = frame[column].iloc[position]
            more = f" ({len(bad)} row(s) in all)" if len(bad) > 1 else ""
            raise SchemaError(f"{self.cell(position, column)}: {found.format(value=value)}; expected {expected}{more}")


def _describe_pandera(exc: pa.errors.SchemaErrors, frame: pd.DataFrame, where: _Locator) -> str:
    cases = exc.failure_cases
    first = cases.iloc[0]
    column = first.get("column")
    index = first.get("index")
    value = first.get("failure_case")
    expected = EXPECTED.get(column, "a valid value")
    if index is None or pd.isna(index):
        # a whole-column failure (wrong dtype): name the column and what it holds
        return f"{where.name}, column {column!r}: found values of type {value}; expected {expected}"
    position = int(np.flatnonzero(frame.index == index)[0])
    found = "an empty cell" if value is None or (isinstance(value, float) and np.isnan(value)) else repr(value)
    more = f" ({len(cases)} failing cell(s) in all)" if len(cases) > 1 else ""
    return f"{where.cell(position, column)}: found {found}; expected {expected}{more}"


def _check_dates(frame: pd.DataFrame, where: _Locator) -> None:
    last = latest_year()
    # parsed once per distinct text: tables repeat few dates many times
    dates = pd.Series(frame["ref_date"].unique())
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    impossible = set(dates[parsed.isna()])
    where.fail(frame, frame["ref_date"].isin(impossible), "ref_date", "{value!r} is not a date of the calendar",
               "a real date YYYY-MM-DD")
    out = set(dates[(parsed.dt.year < EARLIEST_YEAR) | (parsed.dt.year > last)])
    where.fail(frame, frame["ref_date"].isin(out), "ref_date", "{value!r} is out of range",
               f"a date from {EARLIEST_YEAR} to the end of {last}")
    periods = pd.Series(frame["period"].unique())
    years = periods.str.extract(_PERIOD.pattern).astype(float)
    start, end = years[0], years[1].fillna(years[0])
    wrong = set(periods[(start < EARLIEST_YEAR) | (end > last) | (end < start)])
    where.fail(
        frame, frame["period"].isin(wrong), "period", "{value!r} is out of range",
        f"years from {EARLIEST_YEAR} to {last}, the first year of YYYY-YYYY not after the second",
    )


def _check_countries(frame: pd.DataFrame, where: _Locator) -> None:
    codes = frame["country_iso3"].unique()
    unknown = {c for c in codes if c not in AGGREGATE_ISO3 and pycountry.countries.get(alpha_3=c) is None}
    if unknown:
        where.fail(frame, frame["country_iso3"].isin(unknown), "country_iso3", "{value!r} is not a country code",
                   EXPECTED["country_iso3"])


def _check_suppressed(frame: pd.DataFrame, where: _Locator) -> None:
    flagged = frame["flag"].str.contains(SUPPRESSED, regex=False)
    empty = frame["value"].isna()
    where.fail(frame, empty & ~flagged, "value", "an empty cell",
               f"a number; a value may be empty only on a row flagged {SUPPRESSED!r} (withheld by the publisher)")


def _check_values(frame: pd.DataFrame, where: _Locator) -> None:
    counts = frame["unit"].isin(COUNT_UNITS) & ~frame["indicator_id"].isin(BALANCE_INDICATORS)
    where.fail(frame, counts & (frame["value"] < 0), "value", "negative count {value:g}", "a count >= 0")
    share = (frame["unit"] == "percent") & frame["indicator_id"].str.endswith("_share")
    where.fail(
        frame, share & ((frame["value"] < 0) | (frame["value"] > 100)), "value",
        "share {value:g} is outside 0-100 %", "a percentage from 0 to 100",
    )


def _check_keys(frame: pd.DataFrame, where: _Locator) -> None:
    dup = frame.duplicated(list(KEY_COLUMNS), keep=False).to_numpy()
    if dup.any():
        positions = np.flatnonzero(dup)
        first = int(positions[0])
        key = {c: frame[c].iloc[first] for c in KEY_COLUMNS}
        same = [where.line(int(p)) for p in positions if all(frame[c].iloc[int(p)] == v for c, v in key.items())]
        raise SchemaError(
            f"{where.name}, CSV lines {same}: duplicate observation key ({int(dup.sum())} rows share a key); "
            f"expected one row per {', '.join(KEY_COLUMNS)}; first: {key}"
        )


def _check_parts(frame: pd.DataFrame, where: _Locator) -> None:
    over = parts_over_totals(frame)
    if over:
        part, total, column = over[0]
        raise SchemaError(
            f"{where.cell(part, 'value')}: {frame['value'].iloc[part]:g} for {column} "
            f"{frame[column].iloc[part]!r} is larger than the total {frame['value'].iloc[total]:g} on CSV line "
            f"{where.line(total)} (same place, indicator, definition, other breakdowns and date); expected a "
            f"part no larger than its total ({len(over)} such row(s) in all)"
        )

"""What valid tidy data is: the long indicator table every source is harmonised into."""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from workbench.errors import SchemaError

#: Columns of every tidy table, in this order.
TIDY_COLUMNS: tuple[str, ...] = (
    "source_id",  # registry id of the source (data/registry/sources/<source_id>.yaml)
    "place_id",  # code of the place in its own system, prefixed by country when ambiguous
    "place_name",  # name of the place as the source labels it
    "geography_level",  # one of GEOGRAPHY_LEVELS
    "country_iso3",  # ISO 3166-1 alpha-3 of the country the place lies in (or 'WLD' etc.)
    "city_id",  # network city the place describes or lies in; '' for country/region rows
    "indicator_id",  # data/registry/indicators.yaml
    "definition_id",  # data/registry/definitions.yaml: who is counted
    "sex",  # total / female / male
    "age",  # 'total' or a band such as 'Y15-19', 'Y80-MAX', 'Y_LT15'
    "origin_type",  # '' or citizenship / birth_country / citizenship_group / birth_group / origin_group
    "origin",  # 'total' or an ISO3 code / a group code (see data/registry/origins.yaml)
    "category",  # 'total' or '<dimension>:<code>' for any other breakdown (permit, activity, ...)
    "period",  # calendar period the value refers to: '2021', '2021-Q3', '2015-2020'
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

#: Observation flags (Eurostat letters where they exist).
FLAGS: dict[str, str] = {
    "b": "break in series",
    "c": "computed by the workbench from published figures",
    "d": "definition differs",
    "e": "estimated",
    "p": "provisional",
    "r": "revised",
    "u": "low reliability",
    "z": "not applicable",
    "s": "suppressed (small count)",
}

#: Indicators whose values are balances and may be negative.
BALANCE_INDICATORS: tuple[str, ...] = ("net_migration", "population_change")

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

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FLAG = re.compile(f"^[{''.join(FLAGS)}]*$")

_TEXT = {c: pa.Column(str, nullable=False) for c in TIDY_COLUMNS if c != "value"}
_COLUMNS = {
        **_TEXT,
        "source_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "place_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "geography_level": pa.Column(str, pa.Check.isin(GEOGRAPHY_LEVELS)),
        "country_iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
        "indicator_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "definition_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "sex": pa.Column(str, pa.Check.isin(SEXES)),
        "age": pa.Column(str, pa.Check.str_length(min_value=1)),
        "origin": pa.Column(str, pa.Check.str_length(min_value=1)),
        "category": pa.Column(str, pa.Check.str_length(min_value=1)),
        "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}")),
        "ref_date": pa.Column(str, pa.Check.str_matches(_DATE.pattern)),
        "value": pa.Column(float, nullable=False),
        "unit": pa.Column(str, pa.Check.isin(UNITS)),
        "flag": pa.Column(str, pa.Check.str_matches(_FLAG.pattern)),
}
_TIDY_SCHEMA = pa.DataFrameSchema(
    {c: _COLUMNS[c] for c in TIDY_COLUMNS},
    strict=True,
    ordered=True,
    coerce=False,
)


def empty_tidy() -> pd.DataFrame:
    """Return an empty frame with the tidy columns and dtypes.

    Returns
    -------
    pandas.DataFrame
    """
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TIDY_COLUMNS})
    frame["value"] = frame["value"].astype(float)
    return frame


def validate_tidy(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Check a tidy table and return it unchanged, or raise one error naming row and column.

    Checks: exact columns in order, types, controlled vocabularies, ISO dates, no missing
    values, no negative counts, percentages within 0-100, no duplicate observation keys.

    Parameters
    ----------
    frame
        The table to check.
    name
        What to call the table in messages (usually its file name).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself.

    Raises
    ------
    SchemaError
        On the first kind of failure found, naming the table, the row (0-based index of the
        frame, +2 for the CSV line) and the column.
    """
    missing = [c for c in TIDY_COLUMNS if c not in frame.columns]
    extra = [c for c in frame.columns if c not in TIDY_COLUMNS]
    if missing or extra:
        raise SchemaError(
            f"{name}: columns differ from the tidy schema"
            + (f"; missing {missing}" if missing else "")
            + (f"; unexpected {extra}" if extra else "")
            + f". Expected exactly: {', '.join(TIDY_COLUMNS)}"
        )
    try:
        _TIDY_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise SchemaError(_describe_pandera(exc, name)) from None
    _check_values(frame, name)
    _check_keys(frame, name)
    return frame


def _describe_pandera(exc: "pa.errors.SchemaErrors", name: str) -> str:
    cases = exc.failure_cases
    first = cases.iloc[0]
    column = first.get("column")
    index = first.get("index")
    check = first.get("check")
    value = first.get("failure_case")
    row = "" if index is None or pd.isna(index) else f", CSV line {int(index) + 2}"
    return (
        f"{name}{row}, column {column!r}: value {value!r} fails check {check} "
        f"({len(cases)} failing cell(s) in all)"
    )


def _check_values(frame: pd.DataFrame, name: str) -> None:
    counts = frame["unit"].isin(["persons", "respondents", "count"]) & ~frame["indicator_id"].isin(BALANCE_INDICATORS)
    negative = frame.index[counts & (frame["value"] < 0)]
    if len(negative):
        i = negative[0]
        raise SchemaError(
            f"{name}, CSV line {int(i) + 2}, column 'value': negative count {frame.at[i, 'value']} "
            f"for {frame.at[i, 'indicator_id']}; counts must be >= 0"
        )
    pct = frame["unit"] == "percent"
    share = pct & frame["indicator_id"].str.endswith("_share")
    bad = frame.index[share & ((frame["value"] < 0) | (frame["value"] > 100))]
    if len(bad):
        i = bad[0]
        raise SchemaError(
            f"{name}, CSV line {int(i) + 2}, column 'value': share {frame.at[i, 'value']} "
            f"for {frame.at[i, 'indicator_id']} is outside 0-100 %"
        )


def _check_keys(frame: pd.DataFrame, name: str) -> None:
    dup = frame.duplicated(list(KEY_COLUMNS), keep=False)
    if dup.any():
        i = frame.index[dup][0]
        key = {c: frame.at[i, c] for c in KEY_COLUMNS}
        raise SchemaError(
            f"{name}, CSV line {int(i) + 2}: duplicate observation key "
            f"({int(dup.sum())} rows share a key), first: {key}"
        )

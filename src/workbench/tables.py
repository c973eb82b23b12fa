"""One place for number formats in tables: what readers see, and what nbval compares."""

from __future__ import annotations

import pandas as pd


def format_number(value: float, unit: str = "persons") -> str:
    """Format one number for display: counts with thousands separators, rates with one decimal.

    Parameters
    ----------
    value
        The number (NaN gives an empty string).
    unit
        A tidy unit: counts (persons, count, respondents, usd) are rounded to whole numbers;
        ``ratio`` (an index between 0 and 1) gets three decimals, ``quotient`` two, rates and shares one.

    Returns
    -------
    str
    """
    if value is None or pd.isna(value):
        return ""
    if unit == "ratio":
        return f"{value:,.3f}"
    if unit == "quotient":
        return f"{value:,.2f}"
    if unit in {"percent", "per_thousand", "years", "index"}:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def format_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with numbers rounded to display text.

    Every numeric column is formatted: when a ``unit`` column is present it picks the format of
    each row; otherwise indices between 0 and 1 (dissimilarity, Simpson diversity) get three
    decimals, location quotients two, columns named like a rate, share or effective number one decimal, others none.

    Returns
    -------
    pandas.DataFrame
        All cells as strings.
    """
    out = frame.copy()
    units = out["unit"] if "unit" in out.columns else None
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].fillna("").astype(str)
            continue
        if units is not None:
            out[column] = [format_number(v, u) for v, u in zip(out[column], units)]
        elif _is_ratio(column):
            out[column] = [format_number(v, "ratio") for v in out[column]]
        elif "quotient" in str(column).lower():
            out[column] = [format_number(v, "quotient") for v in out[column]]
        elif _is_rate(column):
            out[column] = [format_number(v, "percent") for v in out[column]]
        else:
            out[column] = [format_number(v, "persons") for v in out[column]]
    return out


def _is_rate(column: str) -> bool:
    name = str(column).lower()
    return any(key in name for key in ("%", "share", "rate", "pp", "age (mean)", "per 1000", "effective number"))


def _is_ratio(column: str) -> bool:
    """Indices between 0 and 1 (dissimilarity, Simpson diversity): three decimals."""
    name = str(column).lower()
    return any(key in name for key in ("dissimilarity", "simpson"))

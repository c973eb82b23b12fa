"""One place for number and date formats, in every language: what readers see, and what nbval compares."""

from __future__ import annotations

import pandas as pd


#: Babel locale per language (Arabic with Western digits, as the Maghreb and most statistical
#: offices of the region print them).
LOCALES = {"en": "en_GB", "fr": "fr_FR", "ar": "ar"}

#: Decimals shown per unit; any other unit (persons, count, respondents, usd …) is a whole number.
DECIMALS: dict[str, int] = {"percent": 1, "per_thousand": 1, "years": 1, "index": 1, "ratio": 3, "quotient": 2}


def format_number(value: float, unit: str = "persons", lang: str = "en") -> str:
    """Format one number for display: counts with thousands separators, rates with one decimal.

    Parameters
    ----------
    value
        The number (NaN gives an empty string).
    unit
        A tidy unit: counts (persons, count, respondents, usd) are rounded to whole numbers;
        ``ratio`` (an index between 0 and 1) gets three decimals, ``quotient`` two, rates and shares one.
    lang
        Language of the format: English writes ``1,234.5``; French ``1 234,5`` (narrow no-break
        space), Arabic ``1,234.5`` in Western digits.

    Returns
    -------
    str
    """
    if value is None or pd.isna(value):
        return ""
    decimals = DECIMALS.get(unit, 0)
    if lang == "en":
        return f"{value:,.{decimals}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang], numbering_system="latn")


def format_date(iso: str, lang: str) -> str:
    """A reference date in running text: ``1 July 2022``, ``1 juillet 2022``, ``1 يوليو 2022``.

    Parameters
    ----------
    iso
        An ISO date ``YYYY-MM-DD``; anything else is returned as given.
    lang
        Language of the format (a key of :data:`LOCALES`).

    Returns
    -------
    str
    """
    from datetime import date

    from babel.dates import format_date as babel_date

    try:
        day = date.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    return babel_date(day, format="long", locale=LOCALES[lang])


def format_table(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return a copy with numbers rounded to display text.

    Every numeric column is formatted: when a ``unit`` column is present it picks the format of
    each row; otherwise :func:`column_unit` picks one per column.

    Parameters
    ----------
    frame
        The table.
    lang
        Language of the number format (see :func:`format_number`).

    Returns
    -------
    pandas.DataFrame
        All cells as strings.
    """
    def fmt(value, unit):
        return format_number(value, unit, lang)

    out = frame.copy()
    units = out["unit"] if "unit" in out.columns else None
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].fillna("").astype(str)
        elif units is not None:
            out[column] = [fmt(v, u) for v, u in zip(out[column], units)]
        else:
            unit = column_unit(column)
            out[column] = [fmt(v, unit) for v in out[column]]
    return out


def column_unit(column: str) -> str:
    """The display unit of a numeric column named ``column`` (in a table without a ``unit`` column).

    Indices between 0 and 1 (dissimilarity, Simpson diversity) are ``ratio`` (three decimals),
    location quotients ``quotient`` (two), columns named like a rate, share or effective number
    ``percent`` (one), others ``persons`` (none).
    """
    if _is_ratio(column):
        return "ratio"
    if "quotient" in str(column).lower():
        return "quotient"
    if _is_rate(column):
        return "percent"
    return "persons"


def _is_rate(column: str) -> bool:
    name = str(column).lower()
    return any(key in name for key in ("%", "share", "rate", "pp", "age (mean)", "per 1000", "effective number"))


def _is_ratio(column: str) -> bool:
    """Indices between 0 and 1 (dissimilarity, Simpson diversity): three decimals."""
    name = str(column).lower()
    return any(key in name for key in ("dissimilarity", "simpson"))

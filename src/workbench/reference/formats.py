"""One place for number and date formats, in every language: what readers see, and what nbval compares."""

from __future__ import annotations

import pandas as pd

from workbench.reference.columns import DECIMALS, declared


#: Babel locale per language (Arabic with Western digits, as the Maghreb and most statistical
#: offices of the region print them).
LOCALES = {"en": "en_GB", "fr": "fr_FR", "ar": "ar"}

def format_number(value: float, unit: str = "persons", lang: str = "en", decimals: int | None = None) -> str:
    """Format one number for display: counts with thousands separators, rates with one decimal.

    Parameters
    ----------
    value
        The number (NaN gives an empty string).
    unit
        A tidy unit: counts (persons, count, respondents, usd) are rounded to whole numbers;
        ``ratio`` (an index between 0 and 1) gets three decimals, ``quotient`` two, rates and
        shares one (:data:`workbench.reference.columns.DECIMALS`).
    lang
        Language of the format: English writes ``1,234.5``; French ``1 234,5`` (narrow no-break
        space), Arabic ``1,234.5`` in Western digits.
    decimals
        Decimals to show instead of the unit's (a figure keeps the precision it was published with).

    Returns
    -------
    str
    """
    return _formatted(value, DECIMALS.get(unit, 0) if decimals is None else decimals, lang)


def _formatted(value: float, decimals: int, lang: str) -> str:
    if value is None or pd.isna(value):
        return ""
    if lang == "en":
        return f"{value:,.{decimals}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang], numbering_system="latn")


def format_date(iso: str, lang: str) -> str:
    """A reference date in running text: ``1 July 2022``, ``1er juillet 2022``, ``1 يوليو 2022``.

    French writes the first day of a month as an ordinal (``1er``), as its typographic rules ask.

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
    text = babel_date(day, format="long", locale=LOCALES[lang])
    if lang == "fr" and day.day == 1 and text.startswith("1 "):
        text = "1er" + text[1:]
    return text


def format_table(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return a copy with numbers rounded to display text.

    Every numeric column is formatted: when a ``unit`` column is present it picks the format of
    each row; otherwise the column's declaration (:mod:`workbench.reference.columns`) gives its
    decimals, and a column not declared there is a count (whole numbers).

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
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].fillna("").astype(str)
        else:
            out[column] = [_formatted(v, d, lang) for v, d in zip(out[column], column_decimals(frame, column))]
    return out


def column_decimals(frame: pd.DataFrame, column) -> list[int]:
    """The decimals :func:`format_table` shows for each value of one numeric column.

    With a ``unit`` column each row's unit picks them (:data:`workbench.reference.columns.DECIMALS`);
    otherwise the column's declaration (:mod:`workbench.reference.columns`) does, and a column not
    declared there is a count (no decimals).

    Parameters
    ----------
    frame
        The table.
    column
        One of its columns.

    Returns
    -------
    list of int
        One per row.
    """
    if "unit" in frame.columns:
        return [DECIMALS.get(u, 0) if isinstance(u, str) else 0 for u in frame["unit"]]
    found = declared(column)
    return [found.decimals if found is not None else 0] * len(frame)

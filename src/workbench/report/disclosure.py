"""Statistical disclosure control for annex tables: which cells are too small to publish.

A count of fewer than ``threshold`` persons (but more than zero) is suppressed, and so is every
share, rate or quotient in the same row, since it would give the count back. The rule is
applied to the numbers before they are formatted, so the HTML, Word and PDF annexes (all made
from one HTML document) suppress the same cells.

This is primary suppression only: where a table also publishes a total, a single suppressed
cell of a column can be worked out by difference. The annexes say so in their note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from workbench.reference.i18n import Msg, T

#: Default threshold: counts from 1 to 4 persons are suppressed.
DEFAULT_THRESHOLD = 5

#: Shown in place of a suppressed cell, in every format.
MARK = "[s]"

#: Column headers that hold counts of persons (tables without a ``unit`` column).
COUNT_COLUMNS = frozenset(
    {
        "persons", "migrants", "total", "men", "women", "refugees", "asylum-seekers", "holders",
        "new permits", "city persons", "country persons", "respondents (n)",
    }
)

#: Units of a ``unit`` column whose values are counts of persons.
COUNT_UNITS = frozenset({"persons", "count", "respondents"})

_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Suppressed:
    """A table with its suppressed cells marked."""

    table: pd.DataFrame  #: the input table, unchanged
    mask: pd.DataFrame  #: True where a cell must not be shown

    @property
    def count(self) -> int:
        """How many cells are suppressed."""
        return int(self.mask.to_numpy().sum())


def count_columns(frame: pd.DataFrame) -> list[str]:
    """The numeric columns of ``frame`` that hold counts of persons.

    Without a ``unit`` column: the headers in :data:`COUNT_COLUMNS`. With one, also ``value``,
    ``latest`` and year columns (``1990``, ``2020`` …), which hold counts in the rows whose unit
    is in :data:`COUNT_UNITS` (see :func:`suppress`).
    """
    names = [c for c in frame.columns if str(c) in COUNT_COLUMNS]
    if "unit" in frame.columns:
        names += [c for c in frame.columns if str(c) in {"value", "latest"} or _YEAR.match(str(c))]
    return [c for c in dict.fromkeys(names) if pd.api.types.is_numeric_dtype(frame[c])]


def derived_columns(frame: pd.DataFrame) -> list[str]:
    """Numeric columns computed from counts (shares, rates, quotients, intervals)."""
    keys = ("%", "share", "rate", "quotient", "ci low", "ci high", "pp")
    return [
        c for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        and any(k in str(c).lower() for k in keys)
    ]


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> Suppressed:
    """Mark the cells of ``frame`` that an annex must not show.

    Parameters
    ----------
    frame
        A table as an exhibit holds it (numbers not yet formatted).
    threshold
        Counts ``0 < n < threshold`` are suppressed; 0 or less disables suppression.

    Returns
    -------
    Suppressed
        ``mask`` is True for each suppressed count and for the shares, rates and quotients of
        the same row.

    Raises
    ------
    ValueError
        If ``threshold`` is not an integer.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError(f"suppression threshold must be a whole number, got {threshold!r}")
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    if threshold <= 0 or frame.empty:
        return Suppressed(frame, mask)
    counts = count_columns(frame)
    eligible = frame["unit"].isin(COUNT_UNITS) if "unit" in frame.columns else pd.Series(True, index=frame.index)
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce")
        per_row = eligible if column not in COUNT_COLUMNS else pd.Series(True, index=frame.index)
        # a missing count (NaN, or pd.NA in a nullable integer column) is not a small count
        small = (values.gt(0) & values.lt(threshold)).fillna(False).astype(bool)
        mask[column] = per_row & small
    small_rows = mask.any(axis=1)
    for column in derived_columns(frame):
        mask[column] = mask[column] | small_rows
    return Suppressed(frame, mask)


def note(threshold: int) -> Msg:
    """The footnote explaining the mark (a message: annexes render it in their language)."""
    return T(
        "{mark}: suppressed for statistical disclosure control (fewer than {threshold} persons, "
        "and the shares computed from them).",
        mark=MARK, threshold=threshold,
    )

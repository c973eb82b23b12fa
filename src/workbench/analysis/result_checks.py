"""Whether a notebook's computed tables are possible; a failure names the source, place, year and value.

The last cell of each notebook calls these instead of bare assertions, so that a run that stops on
an impossible result says which row of which source made it (``workbench run`` shows the line).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.errors import DataError
from workbench.reference.columns import AREA, CITY, DEFINITION, PLACE, REFERENCE_DATE, SOURCE, YEAR

#: Columns naming a row's source, place and year, in the order they are looked for (tidy rows, then exhibits).
_SOURCE = ("source_id", str(SOURCE))
_PLACE = ("place_name", str(PLACE), str(AREA), str(CITY), "place_id")
_YEAR = ("period", str(YEAR), str(REFERENCE_DATE), "ref_date")
_WHO = ("definition_id", str(DEFINITION))


def describe_row(row: pd.Series) -> str:
    """'source eurostat_urb_cpopcb, Madrid (greater city), 2022, foreign_born': what names a row, as far as it has it."""
    parts = []
    for label, names in (("source", _SOURCE), ("", _PLACE), ("", _YEAR), ("", _WHO)):
        name = next((n for n in names if n in row.index and str(row[n]) not in ("", "nan")), None)
        if name is not None:
            parts.append(f"{label} {row[name]}".strip())
    return ", ".join(parts) or f"row {row.name}"


def require_within(frame: pd.DataFrame, column: str, low: float, high: float, what: str) -> None:
    """Raise unless every non-empty value of ``column`` lies within ``low``-``high``.

    Raises
    ------
    DataError
        "a computed share is outside 0-100 %: source ..., Madrid, 2022, foreign_born: 140.2 (3 row(s) in all)".
    """
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame[values.notna() & ((values < low) | (values > high))]
    if len(bad):
        row = bad.iloc[0]
        more = f" ({len(bad)} row(s) in all)" if len(bad) > 1 else ""
        raise DataError(f"{what} (expected {low:g}-{high:g}): {describe_row(row)}: {column} {row[column]:g}{more}")


def require_one_value(frame: pd.DataFrame, keys: Sequence[str], what: str) -> None:
    """Raise if two rows share every column of ``keys``, naming them and both values.

    Raises
    ------
    DataError
        "two values for one place, definition, date and source: Madrid, 2022, ...: 3,1 and 3,2".
    """
    if frame.empty:
        return
    twice = frame[frame.duplicated(list(keys), keep=False)]
    if len(twice):
        first = twice.iloc[0]
        same = twice[(twice[list(keys)] == first[list(keys)]).all(axis=1)]
        values = [c for c in frame.columns if c not in keys and pd.api.types.is_numeric_dtype(frame[c])]
        shown = " and ".join(str(v) for v in same[values[0]].tolist()) if values else f"{len(same)} rows"
        raise DataError(f"{what}: {', '.join(f'{k} {first[k]}' for k in keys)}: {shown}")


def require_ordered(frame: pd.DataFrame, low: str, value: str, high: str, what: str) -> None:
    """Raise unless ``low`` <= ``value`` <= ``high`` on every row (e.g. a trend within its interval).

    Raises
    ------
    DataError
        Naming the first row's source, place and year and the three values.
    """
    bad = frame[~((frame[low] <= frame[value]) & (frame[value] <= frame[high]))]
    if len(bad):
        row = bad.iloc[0]
        raise DataError(f"{what}: {describe_row(row)}: {value} {row[value]:g} against {low} {row[low]:g} and "
                        f"{high} {row[high]:g}" + (f" ({len(bad)} row(s) in all)" if len(bad) > 1 else ""))

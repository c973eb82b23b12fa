"""Whether a run's saved sentences and exhibits agree: each claimed number with its cell, each exhibit with the others."""

from __future__ import annotations

import json
import math

from dataclasses import dataclass

import pandas as pd

from workbench.errors import ClaimError
from workbench.reference.columns import AREA, DEFINITION, FLAG, GEOGRAPHY, PERSONS, PLACE, REFERENCE_DATE, SOURCE, VALUE, declared

#: Columns that name the population's area: ``place`` in a city's tables, ``area`` in the network's.
AREA_COLUMNS: tuple[str, ...] = (str(PLACE), str(AREA))
#: Columns that must be in a row, besides its area, for it to name a population, definition and date.
KEY_COLUMNS: tuple[str, ...] = (str(DEFINITION), str(REFERENCE_DATE))
#: Columns that, where both rows carry them, must be equal too (two sources may count differently).
STRICT_COLUMNS: tuple[str, ...] = (str(GEOGRAPHY), str(SOURCE))
#: Columns that label a row without splitting its population (the city of a network row, a figure's name).
LABELS: frozenset[str] = frozenset({"figure", "unit", "city", "shore"})
#: Columns that annotate a value without changing what it counts.
ANNOTATIONS: frozenset[str] = frozenset({str(FLAG), "note", "notes"})


@dataclass(frozen=True)
class Disagreement:
    """One disagreement found in a run: where, what, which cell, and the two values."""

    subject: str  #: the city or comparison ("madrid", "compare/overview"), or both sides of a cross-exhibit one
    what: str  #: the sentence (number and text) or the two exhibits
    cell: str  #: the cell: exhibit, row and column, or the key the two exhibits share
    stated: object  #: the value the sentence states, or the first exhibit's value
    found: object  #: the cited cell's value, or the second exhibit's value

    def line(self) -> str:
        """The disagreement as one line of `workbench check`."""
        return f"{self.subject}: {self.what}: {self.cell}: {_show(self.stated)} against {_show(self.found)}"

    def as_dict(self) -> dict:
        """The disagreement for ``--json`` (values as numbers or text)."""
        return {"subject": self.subject, "what": self.what, "cell": self.cell,
                "stated": _plain(self.stated), "found": _plain(self.found)}


@dataclass
class ClaimsResult:
    """What checking one city's saved claims found."""

    checked: int = 0  #: claims compared with a saved cell
    unverifiable: int = 0  #: claims citing a table the run did not save as shown (no exhibit cell to compare)
    disagreements: list[Disagreement] | None = None


def check_claims(subject: str, claims: pd.DataFrame, exhibits: dict[str, pd.DataFrame]) -> ClaimsResult:
    """Compare every saved claim of a city's synopsis with the exhibit cell it cites.

    Parameters
    ----------
    subject
        The city id, named in each disagreement.
    claims
        The city's saved claims (:data:`workbench.analysis.city_tables.CLAIMS`).
    exhibits
        The city's saved table exhibits by slug, as the run saved them.

    Returns
    -------
    ClaimsResult
        How many claims were checked, how many cite no saved exhibit, and each disagreement: a
        claimed number that is not its cell, or a cell the run did not save.
    """
    result = ClaimsResult(disagreements=[])
    for claim in claims.itertuples(index=False):
        if claim.how == "label":
            continue  # a label cell states no number of the sentence's own
        said = f"synopsis sentence {claim.sentence} ({claim.text!r})"
        if not claim.exhibit:
            result.unverifiable += 1
            continue
        cell = f"exhibit {claim.exhibit!r}, row {_row(claim.row)}, column {claim.column!r}"
        table = exhibits.get(claim.exhibit)
        if table is None or pd.isna(claim.row) or claim.column not in table.columns or int(claim.row) >= len(table):
            result.disagreements.append(Disagreement(subject, said, cell, claim.value, "a cell the run did not save"))
            continue
        result.checked += 1
        found = _cited(table, claim)
        if claim.how in ("difference", "base"):
            cell += f" with row {_row(claim.other_row)}, column {claim.other_column!r} ({claim.how})"
        if not _same(claim.value, found):
            result.disagreements.append(Disagreement(subject, said, cell, claim.value, found))
    return result


def _cited(table: pd.DataFrame, claim) -> float:
    # the number the claim says it took from the table, computed as the sentence computed it
    if claim.how == "header":
        named = [float(part) for part in str(claim.column).replace("(", " ").replace(")", " ").split() if part.replace(".", "", 1).isdigit()]
        return claim.value if claim.value in named else math.nan
    if claim.how == "distinct":
        return float(table[claim.column].astype(str).nunique())
    value = _number(table.iloc[int(claim.row)][claim.column])
    if claim.how in ("difference", "base"):
        if pd.isna(claim.other_row) or claim.other_column not in table.columns or int(claim.other_row) >= len(table):
            return math.nan
        other = _number(table.iloc[int(claim.other_row)][claim.other_column])
        return value - other if claim.how == "difference" else value * 100 / other
    return value


def check_exhibits(exhibits: dict[str, dict[str, pd.DataFrame]]) -> list[Disagreement]:
    """Find two exhibits of a run that give different values for one population, area, definition and date.

    Conservative by design. A table takes part only when it has an area column (:data:`AREA_COLUMNS`),
    a definition and a reference date, and no column that could split a population (sex, age,
    origin …): every other column is a declared value column, a count, a label (:data:`LABELS`), an
    annotation (:data:`ANNOTATIONS`) or one of :data:`STRICT_COLUMNS`. Two rows are compared when
    area, definition, reference date and the strict columns are explicit and identical (a row
    without a source meets only rows without one); then each value column they share by name
    (a generic ``value`` of unit ``persons`` counts as ``persons``), at the decimals it is shown with.

    Parameters
    ----------
    exhibits
        Every table exhibit of the run, by subject ("madrid", "compare/overview") then slug.

    Returns
    -------
    list of Disagreement
        One per pair of exhibits, shared key and column whose values differ, naming both exhibits.
    """
    seen: dict[tuple, tuple[str, str, float]] = {}
    found: list[Disagreement] = []
    reported: set[tuple] = set()
    for subject, tables in exhibits.items():
        for slug, table in tables.items():
            for key, measure, value in _facts(table):
                if (key, measure) not in seen:
                    seen[(key, measure)] = (subject, slug, value)
                    continue
                first_subject, first_slug, first = seen[(key, measure)]
                pair = (key, measure, first_subject, first_slug, subject, slug)
                if (first_subject, first_slug) == (subject, slug) or _rounded_same(first, value, measure) or pair in reported:
                    continue
                reported.add(pair)
                sides = first_subject if first_subject == subject else f"{first_subject} / {subject}"
                described = ", ".join(f"{k}={v}" for k, v in key)
                found.append(Disagreement(sides, f"exhibits {first_slug!r} and {slug!r}",
                                          f"column {measure!r} where {described}", first, value))
    return found


def require_agreement(subject: str, own: dict[str, pd.DataFrame], cities: dict[str, dict[str, pd.DataFrame]]) -> int:
    """Fail a comparison whose exhibits give another value than a city's own exhibit for the same population.

    The check of :func:`check_exhibits`, run at the end of a comparison notebook on its tables and
    the exhibits its cities saved; disagreements between two cities are left to ``workbench check``.

    Parameters
    ----------
    subject
        The comparison ("compare/cities").
    own
        The comparison's table exhibits, by slug.
    cities
        Each city's saved table exhibits, by city id then slug.

    Returns
    -------
    int
        How many of the comparison's tables name their population explicitly (those checked).

    Raises
    ------
    ClaimError
        Naming each disagreement: the two exhibits, the shared area, definition and date, both values.
    """
    found = [d for d in check_exhibits({subject: own, **cities}) if d.subject == subject or d.subject.startswith(f"{subject} / ")]
    if found:
        lines = "\n".join(f"- {d.line()}" for d in found)
        raise ClaimError(f"{subject}: {len(found)} value(s) differ from the city exhibits they come from:\n{lines}")
    return sum(1 for table in own.values() if next(_facts(table), None) is not None)


def _facts(table: pd.DataFrame):
    # (key, measure, value) of every row of a table that names its population explicitly
    names = [str(c) for c in table.columns]
    area = next((c for c in AREA_COLUMNS if c in names), None)
    if area is None or not all(c in names for c in KEY_COLUMNS):
        return
    values = [c for c in names if _is_value(c)]
    known = {area, *KEY_COLUMNS, *STRICT_COLUMNS, *LABELS, *ANNOTATIONS, *values}
    if any(c not in known and not _is_count(c) for c in names):
        return  # a column that may split the population (sex, age, origin, a second area …)
    strict = [c for c in STRICT_COLUMNS if c in names]
    for row in table.itertuples(index=False):
        cells = dict(zip(names, row))
        if any(_text(cells[c]) == "" for c in (area, *KEY_COLUMNS)):
            continue
        key = (("area", _text(cells[area])), *((c, _text(cells[c])) for c in (*KEY_COLUMNS, *strict)))
        for column in values:
            measure = column
            if column == str(VALUE) and "unit" in names:
                if cells["unit"] != "persons":
                    continue  # a generic value of another unit: what it is a share or rate of is not explicit
                measure = str(PERSONS)
            if _is_number(cells[column]):
                yield key, measure, float(cells[column])


def _is_value(column) -> bool:
    # a value-like column: declared in reference/columns.py with a unit that counts or measures
    spec = declared(str(column))
    return spec is not None and spec.unit not in ("text", "count")


def _is_count(column) -> bool:
    # a count of things other than people (ranks, observations, origins listed): neither key nor value
    spec = declared(column)
    return spec is not None and spec.unit == "count"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value)


def _rounded_same(a: float, b: float, column) -> bool:
    # exhibits show a column at its declared decimals: a difference below that is not one a reader sees
    decimals = declared(str(column)).decimals
    return round(float(a), decimals) == round(float(b), decimals) or _same(float(a), float(b))


def _same(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return False
    # a claim holds the cell's own float; only the arithmetic of a computed claim and the CSV's
    # decimal text of a float differ in the last bits
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _text(value) -> str:
    # a cell as comparable text: a message travels as its JSON (the same message is the same text)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _row(value) -> str:
    # rows as a reader counts them in the exhibit (1-based)
    return "?" if pd.isna(value) else str(int(value) + 1)


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else f"{_plain(value)}"


def _plain(value):
    if isinstance(value, str) or value is None:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() else number

"""Whether two figures may be joined in one ratio, rank, difference or overlap: the one rule, with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workbench.errors import DataError
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.labels import geography_label
from workbench.reference.registry import load_definitions

#: Two reference dates (or two period ends) at most this many years apart compare. Three years
#: lets a census year meet a register year around it; a figure older than that is another moment.
DATE_TOLERANCE_YEARS = 3
#: Two periods whose lengths differ by at most this many days have the same length (a stock
#: counted on 31 December and one counted on 1 January are one day apart).
PERIOD_TOLERANCE_DAYS = 45

#: The rule as one sentence, for notes beside tables that apply it.
RULE = T(
    "Two figures are compared (ratio, rank, difference or overlap) only if they count the same "
    "population (same definition and breakdown), for the same kind of area, over periods of the same "
    "length, with reference dates at most {years} years apart; otherwise the table gives the reason "
    "and no result.",
    years=Num(DATE_TOLERANCE_YEARS, "count"),
)


@dataclass(frozen=True)
class Figure:
    """What a comparison needs to know about one figure.

    Attributes
    ----------
    definition_id
        Who is counted (a key of ``data/registry/definitions.yaml``).
    geography_level
        The kind of area; ``None`` when the comparison sets an area against another kind on
        purpose (a location quotient sets a city against its country).
    start, end
        ISO dates of the period the figure covers; equal for a stock on one date. A change
        between two dates has the first date as ``start``.
    breakdown
        For a distribution, what it is broken down by (e.g. ``citizenship``, ``origin_country``);
        ``None`` for a single figure.
    """

    definition_id: str
    geography_level: str | None
    start: str
    end: str
    breakdown: str | None = None

    @classmethod
    def on(cls, definition_id: str, geography_level: str | None, ref_date: str, breakdown: str | None = None) -> Figure:
        """A figure of one reference date (a stock)."""
        return cls(definition_id, geography_level, ref_date, ref_date, breakdown)


@dataclass(frozen=True)
class Decision:
    """Whether two figures compare, and why not when they do not.

    Attributes
    ----------
    comparable
        True when every condition of :func:`comparable` holds.
    reasons
        One text per condition that fails (empty when comparable).
    """

    comparable: bool
    reasons: tuple[Msg, ...] = ()

    def __bool__(self) -> bool:
        return self.comparable

    @property
    def reason(self) -> Msg:
        """'comparable', or the failed conditions joined by '; ' (a table cell)."""
        return T("comparable") if self.comparable else join(list(self.reasons), "; ")


def comparable(a: Figure, b: Figure, *, tolerance_years: int = DATE_TOLERANCE_YEARS) -> Decision:
    """Decide whether ``a`` and ``b`` may be joined in one ratio, rank, difference or overlap.

    They compare when they have the same definition, the same breakdown, the same kind of area
    (unless one of them leaves the area out: ``geography_level`` ``None``), periods of the same
    length (within :data:`PERIOD_TOLERANCE_DAYS`) and period ends at most ``tolerance_years`` apart.

    Parameters
    ----------
    a, b
        The two figures.
    tolerance_years
        How many years apart the two reference dates (period ends) may be.

    Returns
    -------
    Decision
        Truthy when comparable; its ``reason`` names every condition that fails.

    Raises
    ------
    DataError
        If a date is not an ISO date or a definition is not in the registry (naming both).
    """
    defs = load_definitions()
    reasons: list[Msg] = []
    for figure in (a, b):
        if figure.definition_id not in defs:
            raise DataError(f"comparable: definition {figure.definition_id!r} is not in data/registry/definitions.yaml")
    if a.definition_id != b.definition_id:
        reasons.append(T("different definitions: {first} / {second}",
                         first=Label(defs[a.definition_id].label), second=Label(defs[b.definition_id].label)))
    if a.breakdown != b.breakdown:
        reasons.append(T("different breakdowns: {first} / {second}",
                         first=Label(_breakdown_label(a.breakdown)), second=Label(_breakdown_label(b.breakdown))))
    if a.geography_level is not None and b.geography_level is not None and a.geography_level != b.geography_level:
        reasons.append(T("different kinds of area: {first} / {second}",
                         first=Label(geography_label(a.geography_level)), second=Label(geography_label(b.geography_level))))
    a_start, a_end, b_start, b_end = (_day(d) for d in (a.start, a.end, b.start, b.end))
    a_days, b_days = (a_end - a_start).days, (b_end - b_start).days
    if abs(a_days - b_days) > PERIOD_TOLERANCE_DAYS:
        reasons.append(T("different period lengths: {first} / {second} years",
                         first=Num(a_days / 365.25, "years"), second=Num(b_days / 365.25, "years")))
    if not _within_years(a_end, b_end, tolerance_years):
        reasons.append(T("reference dates more than {years} years apart: {first} / {second}",
                         years=Num(tolerance_years, "count"), first=Date(a.end), second=Date(b.end)))
    return Decision(not reasons, tuple(reasons))


def _breakdown_label(breakdown: str | None) -> str:
    return "total" if breakdown is None else breakdown.replace("_", " ")


def _day(iso: str) -> date:
    try:
        return date.fromisoformat(str(iso)[:10])
    except ValueError:
        raise DataError(f"comparable: {iso!r} is not an ISO date (YYYY-MM-DD)") from None


def _within_years(first: date, second: date, years: int) -> bool:
    early, late = sorted((first, second))
    # calendar years, so 31 Dec 2023 and 31 Dec 2026 are exactly 3 years apart (29 Feb counts as 28 Feb)
    day = 28 if (early.month, early.day) == (2, 29) else early.day
    return late <= date(early.year + years, early.month, day)

"""The figures a city's local expert entered, each as published: national ones apart from the city's own.

Every row of ``data/local/figures/<city>.csv`` is shown once, in one of two tables: figures about
the country (``geography_level`` ``country``) with the national context, all others (city,
governorate, region, prefecture ...) with the city, where its indicator's ``shown_in``
(``data/registry/indicators.yaml``) lists that place; a figure it does not list is shown nowhere,
which `workbench validate` reports (:func:`workbench.tidy.expert_place.unshown`). A row keeps
what the expert typed: the value with the precision it was published with, the reference date as
given, who is counted in the publication's own words, the publisher and title, the outlet it was
read in and the expert's note (the notes under the table say what the note column is, and when a
day was assumed).
Pure functions on the frame :func:`workbench.tidy.expert.city_figures` reads.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.sections import Section
from workbench.reference.citations import Citation, merge_citations
from workbench.reference.columns import DEFINITION, FLAG, GEOGRAPHY, PLACE, REFERENCE_DATE
from workbench.reference.i18n import Num, T
from workbench.reference.labels import definition_note, geography_label
from workbench.reference.registry import load_definitions, load_indicators
from workbench.tidy.expert_place import NATIONAL_LEVEL, shown

INDICATOR = T("indicator")
AS_PUBLISHED = T("who is counted, as published")
VALUE = T("value as published")
UNIT = T("unit")
PUBLISHED_BY = T("publisher and title")
REPORTED_VIA = T("reported via")
NOTE = T("note")

#: The columns of both tables, in order.
COLUMNS: tuple[str, ...] = (
    PLACE, GEOGRAPHY, INDICATOR, DEFINITION, AS_PUBLISHED, REFERENCE_DATE, VALUE, UNIT, FLAG, PUBLISHED_BY,
    REPORTED_VIA, NOTE,
)

#: What every such table says about its rows.
AS_PUBLISHED_NOTE = T(
    "Each figure as the local expert entered it from its publication: the value with the precision it was "
    "published with, the reference date as given, and who is counted in the publication's own words."
)
#: Said when a row was read in a secondary outlet.
REPORTED_NOTE = T(
    "'Reported by': the expert read the figure in that outlet (a newspaper, an agency, an aggregator site), not in "
    "the publisher's own table; it is shown as that outlet gave it, and should be checked against the original "
    "where possible."
)
#: Said when a reference date was typed as a year or a month only.
YEAR_ONLY_NOTE = T(
    "A reference date given as a year only (e.g. 2021) is the year the publication gives; the workbench places it on "
    "1 July (mid-year) of that year to order and compare it with other figures."
)
MONTH_ONLY_NOTE = T(
    "A reference date given as a month only (e.g. 2020-08) is the month the publication gives; the workbench places it "
    "on the 15th of that month to order and compare it with other figures."
)
#: Said when a row has the expert's note.
EXPERT_NOTE = T("Column 'note': the local expert's own remark on the figure (rounding, what it excludes, figures given "
                "alongside).")
#: Said when a row is a share of a group (not of the population).
GROUP_SHARE_NOTE = T(
    "'Share of the country's group living in the area': the share of all people of that definition in the "
    "country who live in the place. It says where the group lives, not which share of the place's population "
    "it makes up."
)

# the order in which areas are listed, smallest first
_LEVEL_ORDER = ("municipality", "city", "district", "urban_unit", "metropolitan_city", "greater_city", "prefecture",
                "province", "governorate", "departement", "region", "nuts3", "nuts2", "nuts1")


def is_national(figures: pd.DataFrame) -> pd.Series:
    """Which rows are about the whole country (shown with the national context, never as the city's)."""
    return figures["geography_level"] == NATIONAL_LEVEL


def national_figures(figures: pd.DataFrame) -> Section:
    """The expert's figures about the country, as published.

    Parameters
    ----------
    figures
        The city's figures as :func:`workbench.tidy.expert.city_figures` reads them.

    Returns
    -------
    Section
        Columns :data:`COLUMNS`; source lines are the rows' citations.
    """
    return _section(figures[shown(figures, "national")])


def city_figures(figures: pd.DataFrame) -> Section:
    """The expert's figures about the city and the areas around it (governorate, region ...), as published.

    Parameters
    ----------
    figures
        The city's figures as :func:`workbench.tidy.expert.city_figures` reads them.

    Returns
    -------
    Section
        Columns :data:`COLUMNS`, smallest area first; source lines are the rows' citations.
    """
    return _section(figures[shown(figures, "city")])


def published_value(text: str, unit: str) -> Num:
    """A value typed as published (``'50.2'``, ``'1450000'``) with as many decimals as it was typed with."""
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return Num(float(text), unit, decimals)


def reported_caveat(outlet: str) -> str:
    """The cell saying that a figure was read in ``outlet``, not in the publisher's table ('' when none)."""
    if not outlet:
        return ""
    return T("reported by {outlet}, not taken from the publisher's own table", outlet=outlet)


def citation(row: dict) -> Citation:
    """The short citation of one figure's publication (the full one goes to an annex's list of sources)."""
    return Citation(row["publisher"], row["source_title"], row["reported_via"], row["source_url"], (row["ref_date"],))


def _section(rows: pd.DataFrame) -> Section:
    if rows.empty:
        return Section(pd.DataFrame(columns=list(COLUMNS)))
    rank = rows["geography_level"].map(lambda level: _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER))
    rows = rows.assign(_rank=rank).sort_values(["_rank", "place_name", "ref_date", "line"], kind="stable")
    indicators, definitions = load_indicators(), load_definitions()
    records = rows.to_dict("records")
    table = pd.DataFrame(
        [
            {
                PLACE: row["place_name"],
                GEOGRAPHY: geography_label(row["geography_level"]),
                INDICATOR: indicators[row["indicator_id"]].label,
                DEFINITION: definitions[row["definition_id"]].label,
                AS_PUBLISHED: row["definition_as_published"],
                REFERENCE_DATE: _date(row),
                VALUE: T("{value}", value=published_value(row["value"], row["unit"])),
                UNIT: row["unit"],
                FLAG: row["flag"],
                PUBLISHED_BY: f"{row['publisher']} — {row['source_title']}",
                REPORTED_VIA: reported_caveat(row["reported_via"]),
                NOTE: row["note"],
            }
            for row in records
        ],
        columns=list(COLUMNS),
    )
    notes = [AS_PUBLISHED_NOTE]
    if rows["reported_via"].ne("").any():
        notes.append(REPORTED_NOTE)
    if rows["note"].ne("").any():
        notes.append(EXPERT_NOTE)
    if rows["ref_date"].str.fullmatch(r"\d{4}").any():
        notes.append(YEAR_ONLY_NOTE)
    if rows["ref_date"].str.fullmatch(r"\d{4}-\d{2}").any():
        notes.append(MONTH_ONLY_NOTE)
    if rows["indicator_id"].eq("share_of_national_group").any():
        notes.append(GROUP_SHARE_NOTE)
    notes += [definition_note(d) for d in dict.fromkeys(rows["definition_id"])]
    # one per publication (a citation equals another of the same short text: keyed by all its fields)
    sources = merge_citations(citation(row) for row in records)
    return Section(table, sources, notes)


def _date(row: dict) -> str:
    # the reference date as typed, with the period when it is not simply the year of that date
    date, period = row["ref_date"], row["period"]
    if period and period != date[:4]:
        return T("{date} (period {period})", date=date, period=period)
    return date

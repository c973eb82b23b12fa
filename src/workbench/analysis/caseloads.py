"""Protection caseloads named for what they are: the persons UNHCR registered in the city, by origin.

A caseload (definition family ``protection`` in ``data/registry/definitions.yaml``: refugees,
asylum-seekers ...) counts only the persons an agency registered; it is never the city's migrant
population, and never its "countries of origin" (see
:func:`workbench.analysis.indicators.population_definitions`). Where a city's only origin table is
a caseload, it is shown in the refugees section under its own name, with a note saying which large
origins of the country's migrant stock it leaves out. Pure functions, no IO.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.analysis.country import national_origins
from workbench.analysis.profile_tables import origins
from workbench.analysis.sections import Section
from workbench.reference.i18n import Label, Msg, T, join
from workbench.reference.registry import load_definitions
from workbench.reference.columns import SHARE_OF_THE_GROUP, SHARE_OF_THE_STOCK


@dataclass(frozen=True)
class Caseload:
    """A caseload's origin table and what it counts, for its caption."""

    section: Section  #: columns as :func:`workbench.analysis.profile_tables.origins`
    definition: Label | None = None  #: e.g. "Refugees under UNHCR's mandate"
    place: str = ""  #: the place as the publisher names it, e.g. "Amman [Admin 1]"

    @property
    def empty(self) -> bool:
        """True when the city has no caseload by origin."""
        return self.section.empty

    def caption(self) -> Msg:
        """The caption of its table: what is counted, by country of origin, where."""
        return T("{definition} by country of origin, {place}", definition=self.definition, place=self.place)


def caseload_origins(local: pd.DataFrame, national: pd.DataFrame, top_n: int = 10) -> Caseload:
    """The city's latest protection caseload by country of origin, named as a caseload.

    The table is chosen as in :func:`workbench.analysis.profile_tables.origins`, among the
    definitions of :func:`workbench.analysis.indicators.caseload_definitions` only: of the latest
    date, the caseload counting most persons. Its notes add
    that a caseload is not the migrant population and which of the largest origins of the country's
    international migrant stock (UN DESA, 2024 edition, as shown in the national context) it does
    not list at all.

    Parameters
    ----------
    local, national
        The city's and the country's prepared rows.
    top_n
        How many origins the table shows.

    Returns
    -------
    Caseload
        Its section has the columns of :func:`~workbench.analysis.profile_tables.origins` (rank,
        origin, persons, share of the group); empty when the city has no caseload by origin.
    """
    every = origins(local, 100_000, ind.caseload_definitions(), largest=True)
    if every.empty:
        return Caseload(every)
    note = every.notes[0]
    definition, place = note.params["definition"], str(note.params["place"])
    table = every.table.head(top_n)
    notes = [note, T(
        "A caseload is not the city's migrant population: it counts only the persons registered with UNHCR in "
        "this category ({definition}); migrants who are not (workers, students, family members, refugees under "
        "another mandate) are not in it.", definition=definition,
    )]
    stock = national_origins(national, top_n)
    named = stock.table[stock.table["persons"] > 0] if len(stock.table) else stock.table
    left_out = _left_out(named, every.table)
    if left_out:
        notes.append(T(
            "Of the {count} largest origins of the international migrant stock of {country} (UN DESA, 2024 edition, "
            "section 3), these are absent from this caseload or make up less than a tenth of their share of the "
            "stock in it: {origins}.",
            count=len(named), country=stock.notes[0].params["place"], origins=join(left_out, ", "),
        ))
    return Caseload(Section(table, every.source_ids, notes), definition, place)


def _left_out(stock: pd.DataFrame, caseload: pd.DataFrame) -> list[str]:
    # origins of the country's stock that the caseload lacks or holds at under a tenth of their stock share
    share = dict(zip(caseload["origin"], caseload[SHARE_OF_THE_GROUP]))
    return [str(o) for o, s in zip(stock["origin"], stock[SHARE_OF_THE_STOCK]) if share.get(o, 0.0) < s / 10]


def is_caseload(definition_id: str) -> bool:
    """Whether a definition counts a protection caseload (its family in ``definitions.yaml``)."""
    return load_definitions()[definition_id].family == ind.CASELOAD_FAMILY


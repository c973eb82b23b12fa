"""What a synopsis says first: what is known at city level, what is not published, then the country.

A city whose migrant population is counted by an official table of the workbench's sources keeps
the synopsis order of :mod:`workbench.analysis.synopsis`. A city without one (where only figures
entered by a local expert, or a UNHCR caseload, describe it) starts from those, named for what they
are, then says in one sentence what the sources do not publish for the city (read from the
availability matrix), and only then gives the national context. Every sentence is a
:class:`~workbench.analysis.synopsis.Sentence` whose numbers are claims on the cells it cites.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis import expert_figures as ef
from workbench.analysis import indicators as ind
from workbench.analysis.caseloads import Caseload
from workbench.analysis.country import REFUGEES_IN_STOCK, country_notes
from workbench.analysis import synopsis
from workbench.analysis.sections import Section
from workbench.analysis.claims import Claim, Sentence
from workbench.reference.citations import parse_citation
from workbench.reference.framework import Item
from workbench.reference.i18n import Country, Label, Msg, Num, T, join
from workbench.reference.labels import SUB_CITY
from workbench.reference.registry import City, load_definitions, load_indicators
from workbench.reference.columns import PLACE as PLACE_COLUMN, REFERENCE_DATE as REFERENCE_COLUMN, SHARE_OF_THE_GROUP

#: Framework items that describe the migrant population of the city itself; the "not published"
#: sentence names those the availability matrix marks for neither the city nor its districts.
CITY_POPULATION_ITEMS: tuple[str, ...] = (
    "dem_foreign_nationals_share", "dem_foreign_born_share", "ori_origins", "dem_migrants_by_sex",
    "dem_migrants_by_age", "dem_districts",
)
#: The source id of figures entered by local experts (not an official table the workbench reads).
EXPERT_SOURCE = "expert_figures"

#: The parts of a synopsis in the order of a city with an official city-level count.
ORDER = ("share", "definitions", "expert", "growth", "origins", "diversity", "residential", "refugees", "caseload",
         "labour", "national", "stock", "disagreements")
#: The order of a city without one: what is known for the city, what is not published, the country.
ORDER_WITHOUT_CITY_COUNT = ("share", "definitions", "expert", "growth", "origins", "diversity", "residential", "labour",
                            "refugees", "caseload", "missing", "national", "stock", "disagreements")


def has_official_city_count(local: pd.DataFrame) -> bool:
    """Whether an official table of the workbench's sources counts the city's migrant population.

    True when a headline count of a migrant population (not a protection caseload, not a UN
    estimate) exists for the city's own area (not a district, not the country; a sum of a source's
    districts counts) from a source other than the figures entered by local experts.
    """
    rows = ind.headline_of(local, "population")
    population = [d for d in ind.population_definitions() if d != "un_migrant_stock"]
    return bool((
        rows["definition_id"].isin(population) & ~rows["geography_level"].isin((*SUB_CITY, "country"))
        & (rows["source_id"] != EXPERT_SOURCE)
    ).any())


def arrange(parts: dict[str, list[Sentence]], official_city_count: bool) -> list[Sentence]:
    """The synopsis: the parts' sentences in :data:`ORDER`, or :data:`ORDER_WITHOUT_CITY_COUNT`.

    The "missing" part is kept only for a city without an official city-level count.

    Raises
    ------
    KeyError
        If a part is not one of the known parts (a sentence would be lost).
    """
    order = ORDER if official_city_count else ORDER_WITHOUT_CITY_COUNT
    unknown = set(parts) - set(ORDER_WITHOUT_CITY_COUNT)
    if unknown:
        raise KeyError(f"synopsis parts not in any order: {sorted(unknown)}")
    return [sentence for part in order for sentence in parts.get(part, [])]


#: Indicators of the expert's figures that the synopsis states from the series and key figures already.
STATED_ELSEWHERE: tuple[str, ...] = ("population", "population_share")


def expert_city(section: Section, where: Msg, most: int = 3) -> list[Sentence]:
    """What the local expert's published figures say about the city's areas beyond counts and shares of the population.

    One sentence per figure of :func:`workbench.analysis.expert_figures.city_figures` (table key
    "expert_city") whose indicator is not in :data:`STATED_ELSEWHERE` (e.g. Grand Tunis holds 50.2 %
    of the foreign residents of Tunisia), at most ``most``, smallest area first: place, date, value,
    who is counted in the publication's words, publisher and, where the expert read it in another
    outlet, that caveat. Each cell shown is a label claim on the table.
    """
    if section.empty:
        return []
    indicators = load_indicators()
    stated = {indicators[i].label for i in STATED_ELSEWHERE}
    table = section.table
    out = []
    for index, row in table[~table[ef.INDICATOR].isin(stated)].head(most).iterrows():
        shown = [ef.VALUE, ef.AS_PUBLISHED, PLACE_COLUMN, REFERENCE_COLUMN, ef.PUBLISHED_BY]
        cells = {column: row[column] for column in shown}
        unit = Label("%") if row[ef.UNIT] == "percent" else T("persons")
        reported = row[ef.REPORTED_VIA]
        values = dict(place=cells[PLACE_COLUMN], date=cells[REFERENCE_COLUMN], value=cells[ef.VALUE], unit=unit,
                      who=cells[ef.AS_PUBLISHED], publisher=cells[ef.PUBLISHED_BY])
        if reported:
            text = T("{place}, {date}: {value} {unit}, {who} ({publisher}; {reported}).", **values, reported=reported)
        else:
            text = T("{place}, {date}: {value} {unit}, {who} ({publisher}).", **values)
        claims = [Claim(float("nan"), "expert_city", index, column, how="label", text=cell) for column, cell in cells.items()]
        citation = parse_citation(str(row[ef.PUBLISHED_BY]))  # "publisher — title": cite the publisher, not the file
        out.append(Sentence(text, where, [str(citation) if citation is not None else EXPERT_SOURCE], claims))
    return out


def unpublished(matrix: pd.DataFrame, items: list[Item]) -> list[str]:
    """The :data:`CITY_POPULATION_ITEMS` the availability matrix marks for neither the city nor its districts."""
    labels = {item.id: item.label for item in items}
    out = []
    for item_id in CITY_POPULATION_ITEMS:
        rows = matrix[matrix["indicator"] == labels.get(item_id)]
        if len(rows) and not any(mark in str(cell) for cell in rows.iloc[0, 2:] for mark in ("C", "D")):
            out.append(item_id)
    return out


def not_published(item_ids: list[str], matrix: pd.DataFrame, items: list[Item], city: City, where: Msg) -> list[Sentence]:
    """One sentence naming what the sources do not publish for the city (:func:`unpublished`).

    Each name is a label claim on its row of the availability matrix (table key "availability");
    the notebook checks with :func:`workbench.analysis.availability.check_no_data` that the matrix
    marks none of them for the city.
    """
    if not item_ids:
        return []
    labels = {item.id: item.label for item in items}
    rows = {labels[i]: index for index, label in matrix["indicator"].items() for i in item_ids if label == labels[i]}
    names = [labels[i] for i in item_ids]
    text = T("The public sources held by the workbench publish none of these for {city} or its districts: {items}.",
             city=city.names, items=join([Label(n) for n in names], "; "))
    claims = [Claim(float("nan"), "availability", rows[n], "indicator", how="label", text=n) for n in names]
    return [Sentence(text, where, [], claims)]


def caseload_origins(caseload: Caseload, where: Msg) -> list[Sentence]:
    """The three largest origins of the city's UNHCR caseload, named as a caseload (table key "caseload")."""
    if caseload.empty:
        return []
    top = caseload.section.table.head(3)
    note = caseload.section.notes[0]
    parts = [T("{origin} ({share} %)", origin=Country.named(row["origin"]), share=Num(float(row[SHARE_OF_THE_GROUP]), "percent"))
             for _, row in top.iterrows()]
    total = note.params["total"]
    text = T("{definition} in {place} on {date} — a caseload registered with UNHCR, not the city's migrant population — "
             "came mainly from {origins} (shares of {total} persons).",
             definition=caseload.definition, place=caseload.place, date=note.params["date"],
             origins=join(parts, ", "), total=total)
    first = top.iloc[0]
    claims = [Claim(float(row[SHARE_OF_THE_GROUP]), "caseload", index, SHARE_OF_THE_GROUP) for index, row in top.iterrows()]
    claims.append(Claim(float(total.value), "caseload", first.name, "persons", (first.name, SHARE_OF_THE_GROUP), "base"))
    return [Sentence(text, where, list(caseload.section.source_ids), claims)]


def stock_note(context: pd.DataFrame, national: pd.DataFrame, city: City, where: Msg) -> list[Sentence]:
    """The refugees' share of UN DESA's stock, where the stock counts Palestine refugees (``country_notes``).

    Drafted only for a country whose ``un_migrant_stock`` has a note in definitions.yaml (Jordan,
    Lebanon); the share is the 2020 edition's latest :data:`~workbench.analysis.country.REFUGEES_IN_STOCK`
    row of the national context (table key "context").
    """
    rows = context[context["indicator"] == REFUGEES_IN_STOCK]
    if not country_notes(national, ["un_migrant_stock"]) or rows.empty:
        return []
    last = rows.sort_values("year").iloc[-1]
    text = T("In UN DESA's 2020 edition, refugees and asylum-seekers (Palestine refugees registered with UNRWA included) "
             "were {share} % of the international migrant stock of {country} in {year}.",
             share=Num(float(last["value"]), "percent"), country=city.country_names, year=int(last["year"]))
    claims = [Claim(float(last["value"]), "context", last.name, "value"), Claim(float(last["year"]), "context", last.name, "year")]
    return [Sentence(text, where, [str(last["source"])], claims)]


def disagreements(conflicts: Section, national: pd.DataFrame, where: Msg) -> list[Sentence]:
    """:func:`workbench.analysis.synopsis.disagreements`, followed by what the conflicting definitions
    count in this country (``country_notes`` of definitions.yaml, e.g. Palestine refugees in Jordan's stock)."""
    if conflicts.empty:
        return []
    shown = set(conflicts.table["population"].astype(str))
    definitions = [d for d, definition in load_definitions().items() if definition.label in shown]
    return synopsis.disagreements(conflicts, where, country_notes(national, definitions))

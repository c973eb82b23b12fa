"""How a profile names geography levels, areas, places, dates, definitions and sources to readers."""

from __future__ import annotations

import pandas as pd

from workbench.reference.citations import COMPUTED_FROM_EXPERT, EXPERT_SOURCE, parse_citation, registry_citation
from workbench.reference.i18n import Label, Msg, T
from workbench.reference.places import display_place, names_level, split_qualifier
from workbench.reference.registry import load_definitions, load_sources

GEOGRAPHY_LABELS = {
    "greater_city": "greater city",
    "metropolitan_city": "metropolitan city",
    "functional_urban_area": "functional urban area",
    "urban_unit": "urban unit",
    "employment_zone": "employment zone",
    "nuts1": "NUTS 1 region",
    "nuts2": "NUTS 2 region",
    "nuts3": "NUTS 3 region",
}


#: Areas inside a city (shown in district tables, not in the city's headline series).
SUB_CITY = ("district", "neighbourhood", "camp", "location")


def geography_label(level: str) -> str:
    """How a geography level is named to readers (e.g. 'nuts2' → 'NUTS 2 region')."""
    return GEOGRAPHY_LABELS.get(level, level)


def place_label(name: str, level: str) -> str | Msg:
    """A place with its geography level, ``'Ciudad de Madrid (municipality)'``, for captions and cells.

    The publisher's marks are dropped (``'Amman [Admin 1]'`` → ``'Amman (governorate)'``) and a
    name that already says its level (Eurostat's ``'Madrid (greater city)'``, an expert's ``'Amman
    Governorate'``, both declared in ``data/registry/place_names.yaml``) does not get it twice.
    """
    if names_level(name, level):
        return display_place(name)  # 'Amman Governorate' says its level already
    return T("{place} ({geography})", place=bare_place(name, level), geography=Label(geography_label(level)))


def bare_place(name: str, level: str) -> str:
    """A published place name for a text that names its geography level beside it: publishers' marks
    dropped, and a declared qualifier equal to the level too (``'Madrid (greater city)'`` → ``'Madrid'``)."""
    if not isinstance(name, str) or isinstance(name, Msg):
        return name
    base, qualifier = split_qualifier(display_place(name))
    return base if qualifier and qualifier == geography_label(level) else display_place(name)


def source_name(source_id: str) -> str | Msg:
    """How a table cell or a sentence names a source: its short citation from the registry
    (``'Eurostat (table urb_cpop1)'`` for ``eurostat_urb_cpop1``, as under an exhibit).

    Local expert figures read as a translated message; a text that is no registry id (a ready-made
    citation, an empty cell) is returned as given.
    """
    if source_id == "expert_figures":
        return T("Local expert figures")
    if not isinstance(source_id, str) or isinstance(source_id, Msg):
        return source_id
    source = load_sources().get(source_id)
    return registry_citation(source) if source is not None else source_id


def definition_note(definition_id: str) -> Msg:
    """'Label: description' of a registry definition, as a note a reader can have translated."""
    definition = load_definitions()[definition_id]
    return T("{definition}: {description}", definition=Label(definition.label), description=Label(definition.description))


def areas_text(count: int, level: str) -> Msg:
    """How many areas of a level a figure covers: '23 districts', '1 camp' ('4 areas (zone)' otherwise)."""
    one = count == 1
    if level == "district":
        return T("{count} district", count=count) if one else T("{count} districts", count=count)
    if level == "neighbourhood":
        return T("{count} neighbourhood", count=count) if one else T("{count} neighbourhoods", count=count)
    if level == "camp":
        return T("{count} camp", count=count) if one else T("{count} camps", count=count)
    if level == "location":
        return T("{count} location", count=count) if one else T("{count} locations", count=count)
    return T("{count} areas ({level})", count=count, level=Label(level))


def place_text(name: str) -> str | Msg:
    """A place name read back from a saved table, with the workbench's 'X (sum of districts)' made a message again."""
    suffix = " (sum of districts)"
    if isinstance(name, str) and not isinstance(name, Msg) and name.endswith(suffix) and len(name) > len(suffix):
        return T("{city} (sum of districts)", city=name[: -len(suffix)])
    return name


def date_range(first: str, last: str) -> str | Msg:
    """A table cell for a span of ISO dates: the date itself, or 'first to last'."""
    return first if first == last else T("{first} to {last}", first=first, last=last)


def source_refs(rows: pd.DataFrame) -> list[str]:
    """Source ids of the rows, in first-seen order, with expert figures replaced by their citation.

    Expert figures have no registry entry of their own: each row's note starts with the
    publisher, title, outlet and URL, which become a :class:`workbench.reference.citations.Citation`;
    a value the workbench derived from them (a share, whose note is its computation) is cited in
    words (:data:`workbench.reference.citations.COMPUTED_FROM_EXPERT`).
    """
    refs = []
    for source_id, note in zip(rows["source_id"], rows["note"]):
        if source_id == EXPERT_SOURCE:
            refs.append(expert_citation(note) or COMPUTED_FROM_EXPERT)
        else:
            refs.append(source_id)
    return list(dict.fromkeys(refs))


#: What follows the citation in the note of an expert figure's tidy row (:func:`workbench.tidy.expert.expert_to_tidy`).
_AFTER_CITATION = " | as published: "


def expert_citation(note: str):
    """The :class:`~workbench.reference.citations.Citation` an expert figure's tidy note starts with (``None`` if none).

    The citation ends where the definition as published begins, so an outlet or title holding
    ``' | '`` stays whole.
    """
    note = str(note)
    head = note.split(_AFTER_CITATION, 1)[0] if _AFTER_CITATION in note else note.split(" | ", 1)[0]
    return parse_citation(head)


def cited_source(source_id: str, note: str) -> str:
    """A table's source cell: the source id, or for an expert figure its publication's short citation
    ("Institut National de la Statistique, RGPH 2024"), so a sentence drafted from the row cites the publisher."""
    if source_id != EXPERT_SOURCE:
        return source_id
    citation = expert_citation(note)
    return str(citation) if citation is not None else source_id


#: How an expert figure's tidy note says its day was assumed (:mod:`workbench.tidy.expert` writes it).
YEAR_ONLY_REMARK = "year only; 1 July (mid-year) used"
MONTH_ONLY_REMARK = "month only; the 15th used"
#: Said under a table holding an expert figure whose publication gives only a year (or a month).
ASSUMED_YEAR_NOTE = T("A figure a local expert entered with a year only (the publication gives no day) is dated 1 July "
                      "(mid-year) of that year here: the day is assumed, not published.")
ASSUMED_MONTH_NOTE = T("A figure a local expert entered with a month only is dated the 15th of that month here: the day "
                       "is assumed, not published.")


def assumed_date_notes(notes: pd.Series) -> list:
    """The notes of a table whose rows (their tidy ``note``) include expert figures dated by a year or month only."""
    text = notes.fillna("").astype(str)
    out = []
    if text.str.contains(f"({YEAR_ONLY_REMARK})", regex=False).any():
        out.append(ASSUMED_YEAR_NOTE)
    if text.str.contains(f"({MONTH_ONLY_REMARK})", regex=False).any():
        out.append(ASSUMED_MONTH_NOTE)
    return out


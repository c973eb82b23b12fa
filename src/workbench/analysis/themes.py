"""Thematic cross-city tables, read from the framework values each city run saved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.analysis import city_tables
from workbench.analysis.comparability import DATE_TOLERANCE_YEARS, Figure, comparable
from workbench.analysis.compare import shore_text
from workbench.analysis.framework_values import VALUE_COLUMNS
from workbench.analysis.sections import Section
from workbench.analysis.subgroups import subgroup_text
from workbench.errors import ConfigError, DataError
from workbench.reference.formats import format_number
from workbench.reference.framework import THEME_LABELS, THEMES, Item, load_framework
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.labels import SUB_CITY, areas_text, bare_place, definition_note, geography_label, place_text, source_refs
from workbench.reference.registry import get_city, load_definitions, load_indicators
from workbench.reference.columns import REFERENCE_DATE

#: What the table shows for an item no public statistic covers, and for a gap in the data.
EXPERT_TEXT = T("expert input (no public statistic)")
NO_FIGURE_TEXT = T("no figure in the public data")

#: Whether one item's figures compare across cities (column ``comparable``), by verdict.
VERDICTS = {
    "yes": T("yes"),
    "no: definitions differ": T("no: definitions differ"),
    "no: areas differ": T("no: areas differ"),
    "no: units differ": T("no: units differ"),
    "no: dates differ": T("no: dates differ"),
    "no: age ranges or groups differ": T("no: age ranges or groups differ"),
    "no: no other city": T("no: no other city has a figure like it"),
    "national": T("national figures: they compare countries, not cities"),
}

SUMMARY_COLUMNS = [
    "theme", "city", "shore", "items", "with a figure", "of which local expert figures only", "expert input", "no figure",
]

TABLE_COLUMNS = ["indicator", "city", "shore", "value", "unit", "definition", "area", REFERENCE_DATE, "source"]


def load_values(cities_dir: str | Path, city_ids: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Read the :data:`~workbench.analysis.city_tables.FRAMEWORK_VALUES` table each city run saved.

    Parameters
    ----------
    cities_dir
        The run folder holding one folder per city.
    city_ids
        Cities to read, in the order wanted.

    Returns
    -------
    values : pandas.DataFrame
        The rows of every city found (columns ``framework_values.VALUE_COLUMNS``; ``value`` float,
        other columns text).
    missing : list of str
        Cities whose file does not exist (their run failed or saved nothing).

    Raises
    ------
    DataError
        If a file cannot be parsed, lacks a column, has a non-numeric value or holds rows of
        another city (the message names the file and the column or row).
    """
    frames, missing = [], []
    for city_id in city_ids:
        frame = city_tables.read(city_tables.FRAMEWORK_VALUES, cities_dir, city_id)
        if frame is None:
            missing.append(city_id)
            continue
        frames.append(_checked_values(frame, city_tables.FRAMEWORK_VALUES.path(cities_dir, city_id), city_id))
    if not frames:
        return pd.DataFrame(columns=list(VALUE_COLUMNS)).astype({"value": float}), missing
    return pd.concat(frames, ignore_index=True), missing


def _checked_values(frame: pd.DataFrame, path: Path, city_id: str) -> pd.DataFrame:
    # the file as text: every value a number (or empty), every row of the folder's city
    values = pd.to_numeric(frame["value"].replace("", None), errors="coerce")
    bad = values.isna() & (frame["value"] != "")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
        raise DataError(f"{path}, row {row}, column 'value': {frame['value'][bad].iloc[0]!r} is not a number")
    others = frame.loc[frame["city_id"] != city_id, "city_id"]
    if len(others):
        raise DataError(f"{path}, column 'city_id': rows of {others.iloc[0]!r} in the folder of {city_id!r}")
    return frame[list(VALUE_COLUMNS)].assign(value=values.astype(float))


def theme_table(values: pd.DataFrame, theme: str, cities: Sequence[str]) -> Section:
    """One theme of the framework across cities: each item's latest figure(s) per city.

    Every item of the theme gets a row per figure of each city (one per source, area and
    definition the city run kept) and one row naming the cities without a figure (the item needs
    expert input, or the public data hold none): a stated gap, not a row per city. Figures of a
    country are marked national; a count of published categories is not shown as a value; under
    an item asking for a gap between two groups, a level of one group is named a level.

    Parameters
    ----------
    values
        Framework values of the cities (see :func:`load_values`).
    theme
        One of ``framework.THEMES``.
    cities
        City ids in the order to show them; cities without any row in ``values`` are left out
        and named in a note.

    Returns
    -------
    Section
        Columns: indicator, city, shore, value (rounded as displayed), unit, definition, area,
        reference date, source; plus ``comparable`` ('yes', 'no: definitions differ', 'no: areas
        differ', 'no: units differ', 'no: dates differ' (the dates rule of
        :func:`~workbench.analysis.comparability.comparable`), 'national figures: ...'; empty when
        fewer than two cities have a figure) when some item's figures are not comparable. Notes
        describe each definition used and, for each item that is not comparable, who uses what.

    Raises
    ------
    ConfigError
        If ``theme`` is not a framework theme.
    """
    if theme not in THEMES:
        raise ConfigError(f"unknown theme {theme!r}; themes: {', '.join(THEMES)}")
    items = [item for item in load_framework() if item.theme == theme]
    present = [c for c in cities if (values["city_id"] == c).any()]
    names = {c: get_city(c).names.en for c in present}
    defs = load_definitions()
    rows, used, notes, verdicts = [], [], [], []
    for item in items:
        figures = values[(values["item_id"] == item.id) & values["city_id"].isin(present) & values["value"].notna()]
        judged = _verdicts(figures)
        gaps = []
        for city_id in present:
            own = figures[figures["city_id"] == city_id]
            used.append(own)
            if own.empty:
                gaps.append(city_id)
            for index, row in own.iterrows():
                rows.append(_table_row(item, row, names[city_id], defs))
                verdicts.append(judged.get(index, ""))
        if gaps:
            # the cities without a figure share one row: a stated gap, not a row per city
            rows.append(_placeholder(item, gaps))
            verdicts.append("")
        for verdict in dict.fromkeys(v for v in judged.values() if v in _DIFFERENCES):
            notes.append(_difference_note(item, figures, verdict, names, defs))
    table = pd.DataFrame(rows, columns=["item_id", *TABLE_COLUMNS])
    if any(v and v != "yes" for v in verdicts):
        table["comparable"] = [VERDICTS.get(v, "") for v in verdicts]
    shown = pd.concat(used) if used else values.iloc[0:0]
    definition_notes = [definition_note(d) for d in dict.fromkeys(shown["definition_id"]) if d in defs]
    left_out = [c for c in cities if c not in present]
    if left_out:
        notes.append(T("No framework values for {cities} (their run failed or saved nothing).", cities=", ".join(left_out)))
    refs = source_refs(shown) if len(shown) else []
    return Section(table.drop(columns="item_id").reset_index(drop=True), refs, definition_notes + notes)


def _verdicts(figures: pd.DataFrame) -> dict:
    # each figure is judged against the other cities' figures of the same item, like with like: the
    # same indicator, definition, kind of area, unit and subgroup (age range, origin group), with
    # dates the one rule accepts; judged only where at least two cities have a figure. A figure of a
    # country compares countries, not the cities listed beside it. The reason given is the first
    # of these that no other city shares.
    if figures["city_id"].nunique() < 2:
        return {}
    defs = load_definitions()
    out = {}
    for index, row in figures.iterrows():
        if row["geography_level"] == "country":
            out[index] = "national"
            continue
        peers = figures[(figures["city_id"] != row["city_id"]) & (figures["geography_level"] != "country")]
        verdict = "no: no other city"
        for column, reason in _LIKE:
            same = peers[peers[column] == row[column]]
            if same.empty:
                verdict = "no: no other city" if column == "indicator_id" else f"no: {reason} differ"
                break
            peers = same
        else:
            latest = peers.sort_values("ref_date").groupby("city_id").tail(1)
            rule = row["definition_id"] if row["definition_id"] in defs else None
            near = [rule is None or comparable(Figure.on(rule, None, row["ref_date"]), Figure.on(rule, None, d))
                    for d in latest["ref_date"]]
            verdict = "yes" if any(near) else "no: dates differ"
        out[index] = verdict
    return out


#: What two figures must share to compare, in the order a difference is reported.
_LIKE = (("indicator_id", ""), ("definition_id", "definitions"), ("geography_level", "areas"),
         ("unit", "units"), ("subgroup", "age ranges or groups"))

#: Verdicts whose groups a note spells out.
_DIFFERENCES = ("no: definitions differ", "no: areas differ", "no: units differ", "no: age ranges or groups differ",
                "no: dates differ")


def _is_gap(item: Item) -> bool:
    # an item that asks for a difference between two groups (migrants vs natives)
    return item.id.endswith("_gap") or "(gap)" in item.label


def _placeholder(item: Item, city_ids: list[str]) -> dict:
    return {
        "item_id": item.id,
        "indicator": item.label,
        "city": join([get_city(c).names for c in city_ids], ", "),
        "shore": join([shore_text(s) for s in dict.fromkeys(get_city(c).shore for c in city_ids)], ", "),
        "value": float("nan"),
        "unit": EXPERT_TEXT if item.measure is None else NO_FIGURE_TEXT,
        "definition": "",
        "area": "",
        REFERENCE_DATE: "",
        "source": "",
    }


def _table_row(item: Item, row: pd.Series, name: str, defs: dict) -> dict:
    level = geography_label(row["geography_level"])
    # areas inside the city are summarised ('23 districts'): the place already says the level
    if row["unit"] == "areas" or row["place"][:1].isdigit():
        area = _areas_cell(row["place"], row["geography_level"])
    elif row["geography_level"] == "country":
        area = T("{geography}: {place} (national figure)", geography=Label(level), place=place_text(bare_place(row["place"], level)))
    else:
        area = T("{geography}: {place}", geography=Label(level), place=place_text(bare_place(row["place"], level)))
    value, unit = float(format_number(row["value"], row["unit"]).replace(",", "")), row["unit"]
    if unit == "categories":
        # a count of the categories a breakdown publishes is not a figure of the indicator
        value, unit = float("nan"), T("breakdown published ({count} categories), no single figure", count=Num(row["value"], "count"))
    return {
        "item_id": item.id,
        "indicator": _indicator_cell(item, row, defs),
        "city": name,
        "shore": shore_text(get_city(row["city_id"]).shore),
        "value": value,
        "unit": unit,
        "definition": defs[row["definition_id"]].label if row["definition_id"] in defs else row["definition_id"],
        "area": area,
        REFERENCE_DATE: row["ref_date"],
        "source": row["source_id"],
    }


def _indicator_cell(item: Item, row: pd.Series, defs: dict) -> str | Msg:
    # the item's label, with the indicator when the item has several and the subgroup of the figure;
    # a level of one group under an item asking for a gap is named for what it is
    subgroup = subgroup_text(row["subgroup"], row["definition_id"])
    if _is_gap(item) and row["unit"] != "percentage_points" and row["indicator_id"] in load_indicators():
        indicator = Label(load_indicators()[row["indicator_id"]].label)
        group = Label(defs[row["definition_id"]].label) if row["definition_id"] in defs else row["definition_id"]
        if row["subgroup"]:
            return T("{indicator} of {group} ({subgroup}): a level, not the gap", indicator=indicator, group=group, subgroup=subgroup)
        return T("{indicator} of {group}: a level, not the gap", indicator=indicator, group=group)
    several = item.measure is not None and len(item.measure.indicator) > 1
    if not several and not row["subgroup"]:
        return item.label
    if not several:
        return T("{item} ({subgroup})", item=Label(item.label), subgroup=subgroup)
    indicator = Label(load_indicators()[row["indicator_id"]].label)
    if not row["subgroup"]:
        return T("{item} — {indicator}", item=Label(item.label), indicator=indicator)
    return T("{item} — {indicator} ({subgroup})", item=Label(item.label), indicator=indicator, subgroup=subgroup)


def _areas_cell(place: str, level: str) -> str | Msg:
    # the saved summary '23 districts' (framework values) made a message again; other text as saved
    match = re.fullmatch(r"(\d+) .+", place)
    if match and level in SUB_CITY:
        count = int(match.group(1))
        if place == f"{count} {level}" + ("" if count == 1 else "s"):
            return areas_text(count, level)
    return place


def _difference_note(item: Item, figures: pd.DataFrame, verdict: str, names: dict, defs: dict) -> Msg:
    # who uses what, along the one column that differs (figures of countries aside: they are national);
    # the figures of one group may compare with each other ('yes'), never across groups
    column, reason = {
        "no: definitions differ": ("definition_id", T("definitions differ")),
        "no: areas differ": ("geography_level", T("areas differ")),
        "no: dates differ": ("ref_date", T("dates more than {years} years apart", years=Num(DATE_TOLERANCE_YEARS, "count"))),
        "no: age ranges or groups differ": ("subgroup", T("age ranges or groups differ")),
    }.get(verdict, ("unit", T("units differ")))
    parts = []
    for key, group in figures[figures["geography_level"] != "country"].groupby(column, sort=False):
        cities = join([get_city(c).names for c in dict.fromkeys(group["city_id"])], ", ")
        parts.append(T("{label} ({cities})", label=_group_label(column, key, group, defs), cities=cities))
    return T("{item} — {reason}: figures compare only within each group: {groups}.", item=Label(item.label), reason=reason,
             groups=join(parts, "; "))


def _group_label(column: str, key: str, group: pd.DataFrame, defs: dict):
    if column == "ref_date":
        return Date(key)
    if column == "definition_id":
        return Label(defs[key].label) if key in defs else key
    if column == "subgroup":
        return subgroup_text(key, group["definition_id"].iloc[0]) if key else T("no age range or group stated")
    if column == "geography_level":
        return Label(geography_label(key))
    return key


def theme_summary(values: pd.DataFrame, cities: Sequence[str]) -> pd.DataFrame:
    """What the data allow: per theme and city, how many items have a figure, need experts, or have nothing.

    Parameters
    ----------
    values
        Framework values of the cities (see :func:`load_values`).
    cities
        City ids in the order to show them; cities without any row in ``values`` are left out.

    Returns
    -------
    pandas.DataFrame
        Columns: theme, city, shore, items, with a figure, of which local expert figures only,
        expert input, no figure. "Local expert figures only" counts items whose every figure
        comes from ``expert_figures`` (cited by local experts, not an official table).
    """
    items = load_framework()
    rows = []
    for theme in THEMES:
        theme_items = [item for item in items if item.theme == theme]
        for city_id in cities:
            own = values[values["city_id"] == city_id]
            if own.empty:
                continue
            figures = own[own["value"].notna()]
            with_figure = [i for i in theme_items if (figures["item_id"] == i.id).any()]
            by_experts = figures["source_id"] == "expert_figures"
            expert_only = [i for i in with_figure if by_experts[figures["item_id"] == i.id].all()]
            expert = [i for i in theme_items if i.measure is None]
            rows.append(
                {
                    "theme": THEME_LABELS[theme],
                    "city": get_city(city_id).names.en,
                    "shore": shore_text(get_city(city_id).shore),
                    "items": len(theme_items),
                    "with a figure": len(with_figure),
                    "of which local expert figures only": len(expert_only),
                    "expert input": len(expert),
                    "no figure": len(theme_items) - len(with_figure) - len(expert),
                }
            )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def shore_groups(cities: Sequence[str]) -> dict[str, list[str]]:
    """Split city ids into the network's north and south shores, keeping their order.

    Raises
    ------
    UnknownCityError
        If a city id is not in the registry.
    """
    groups: dict[str, list[str]] = {"north": [], "south": []}
    for city_id in cities:
        groups[get_city(city_id).shore].append(city_id)
    return groups

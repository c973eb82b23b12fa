"""How concentrated are migrants across the city's areas: counts by district, dissimilarity, location quotients.

Pure functions on prepared tidy rows (see :func:`workbench.analysis.profile_tables.prepare_local`): no IO,
inputs never modified. Each measure has a one-line definition (a module constant) for the notebook to
print beside its table. A city without district data gets empty Sections, not errors.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.analysis.indicators import published
from workbench.analysis.sections import Section
from workbench.errors import DataError
from workbench.reference.columns import (
    DISSIMILARITY, HIGHEST_AREA_SHARE, LOCATION_QUOTIENT, LOWEST_AREA_SHARE, MIGRANT_SHARE, REFERENCE_DATE, TOP_AREAS, TOP_AREAS_CHANGE, TOP_AREAS_RESIDENTS, TOP_AREAS_SHARE,
)
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.labels import SUB_CITY, source_name
from workbench.reference.registry import load_definitions, load_sources


#: Sub-city levels whose areas partition the city, with the label shown in tables.
AREA_LEVELS: dict[str, Msg] = {"district": T("district"), "neighbourhood": T("neighbourhood")}  # barrio, barri, quartiere ...


DISSIMILARITY_DEFINITION = T(
    "Dissimilarity index D = ½ Σ |mᵢ/M − nᵢ/N| over areas (m migrants, n reference group): the share "
    "of migrants (or of the reference group) who would have to move for both to be spread alike; "
    "0 = even, 1 = fully separated."
)


TOP_AREAS_DEFINITION = T(
    "Share of migrants in the {top} areas with the highest migrant share: the part of the group "
    "living in the areas where it forms the largest share of the population; read it against the "
    "share of all residents living in the same areas.",
    top=TOP_AREAS,
)


TOP_AREAS_CHANGE_NOTE = T(
    "Where the column '{column}' names areas, the {top} highest-share areas are not the same as at the previous "
    "date (+ entered, − left): the change in their share compares different areas and is not, by itself, a change "
    "in concentration.",
    column=Label(str(TOP_AREAS_CHANGE)), top=TOP_AREAS,  # the header as the annex shows it
)


AREA_SHARE_DEFINITION = T("Migrant share of an area = migrants ÷ total population of the area, in %.")


LOCATION_QUOTIENT_DEFINITION = T(
    "Location quotient LQ = the area's migrant share ÷ the migrant share of all areas together "
    "(Σ migrants ÷ Σ population): 1 = as in the city as a whole, 2 = twice as high, 0.5 = half."
)


COUNT_COLUMNS = [
    "source_id", "geography_level", "place_id", "place_name", "ref_date", "definition_id",
    "reference_definition_id", "migrants", "reference", "total", "note",
]


def dissimilarity_index(group: pd.Series, reference: pd.Series) -> float:
    """Duncan & Duncan's dissimilarity index between a group and a reference group over areas.

    Parameters
    ----------
    group, reference
        Persons per area, indexed by area id (the same ids in both, each once).

    Returns
    -------
    float
        D in [0, 1] (see :data:`DISSIMILARITY_DEFINITION`).

    Raises
    ------
    DataError
        If the indexes differ or repeat an id, a value is missing or negative, or a total is 0.
    """
    if group.index.has_duplicates or reference.index.has_duplicates:
        raise DataError("dissimilarity_index: an area id appears twice; pass one value per area")
    if set(group.index) != set(reference.index):
        only = sorted(map(str, set(group.index) ^ set(reference.index)))[:5]
        raise DataError(f"dissimilarity_index: group and reference cover different areas (e.g. {', '.join(only)})")
    m = group.astype(float)
    n = reference.astype(float).reindex(m.index)
    for name, values in (("group", m), ("reference", n)):
        if values.isna().any():
            raise DataError(f"dissimilarity_index: the {name} has missing values")
        if (values < 0).any():
            raise DataError(f"dissimilarity_index: the {name} has negative counts")
        if values.sum() <= 0:
            raise DataError(f"dissimilarity_index: the {name} totals 0 persons over the areas")
    d = 0.5 * float((m / m.sum() - n / n.sum()).abs().sum())
    return min(max(d, 0.0), 1.0)


def district_counts(local: pd.DataFrame) -> pd.DataFrame:
    """Migrants and their complementary reference group per sub-city area and date.

    For every source with district or neighbourhood rows of both groups of a complementary pair
    (:data:`workbench.analysis.indicators.COMPLEMENTS`, e.g. foreign and Austrian origin in Vienna, foreign
    nationals and nationals in Madrid), each area's count is its published headline row; where a
    source publishes only cells (Stadt Wien: sex × age × origin group), the cells are summed. Rows
    computed by the workbench (flag ``c``) are never used, so nothing is counted twice, except the
    headline rows of a source whose registry entry declares ``area_sums`` (its reader summed the
    published cells of each area, suppressed cells left out: the cells are summed nowhere else).

    Parameters
    ----------
    local
        The city's tidy rows (prepared or not).

    Returns
    -------
    pandas.DataFrame
        Columns: source_id, geography_level, place_id, place_name, ref_date, definition_id (the
        group), reference_definition_id, migrants, reference, total (the published total
        population where there is one, else migrants + reference), note (how each was obtained,
        a :class:`~workbench.reference.i18n.Msg`).
        Empty (same columns) when the city has no such areas.

    Raises
    ------
    DataError
        If a source's cells mix totals and breakdowns (they could not be summed safely).
    """
    rows = _area_rows(local)
    rows = rows[rows["geography_level"].isin(AREA_LEVELS) & (rows["indicator_id"] == "population") & (rows["unit"] == "persons")]
    parts = []
    for source_id, src in rows.groupby("source_id", sort=True):
        for group_id, reference_id in ind.COMPLEMENTS:
            if group_id not in ind.MIGRANT_DEFINITIONS or not {group_id, reference_id} <= set(src["definition_id"]):
                continue
            group = _area_values(src[src["definition_id"] == group_id])
            reference = _area_values(src[src["definition_id"] == reference_id])
            total = _area_values(src[src["definition_id"] == "total_population"])
            keys = ["geography_level", "place_id", "ref_date"]
            merged = group.merge(reference.drop(columns="place_name"), on=keys, suffixes=("", "_ref"))
            merged = merged.merge(total.drop(columns="place_name"), on=keys, how="left", suffixes=("", "_tot"))
            has_total = merged["value_tot"].notna()
            parts.append(
                pd.DataFrame(
                    {
                        "source_id": source_id,
                        "geography_level": merged["geography_level"],
                        "place_id": merged["place_id"],
                        "place_name": merged["place_name"],
                        "ref_date": merged["ref_date"],
                        "definition_id": group_id,
                        "reference_definition_id": reference_id,
                        "migrants": merged["value"],
                        "reference": merged["value_ref"],
                        "total": merged["value_tot"].where(has_total, merged["value"] + merged["value_ref"]),
                        "note": [
                            _how_note(_how(cells, c), _how(cells_ref, c_ref), _how(0, c_tot) if tot else T("migrants + reference"))
                            for cells, cells_ref, tot, c, c_ref, c_tot in zip(
                                merged["cells"], merged["cells_ref"], has_total,
                                merged["computed"], merged["computed_ref"], merged["computed_tot"].fillna(False),
                            )
                        ],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = out["geography_level"].map(list(AREA_LEVELS).index)
    return out.assign(_o=order).sort_values(["source_id", "_o", "ref_date", "place_id"]).drop(columns="_o").reset_index(drop=True)


def _area_rows(local: pd.DataFrame) -> pd.DataFrame:
    # the published rows, and the headline rows that a source's reader summed from its published
    # cells (sources declaring area_sums in the registry)
    sources = load_sources()
    summed = [s for s in dict.fromkeys(local["source_id"]) if s in sources and sources[s].area_sums]
    computed = ind.headline(local[local["source_id"].isin(summed) & local["flag"].fillna("").str.contains("c")])
    return pd.concat([published(local), computed])


def _how(cells: int, computed: bool = False) -> Msg:
    # how one area's count was obtained: its published row (0 cells summed), a sum of cells, or a
    # row the source's reader summed from the published cells
    if computed:
        return T("summed by the reader from the published cells, suppressed cells left out")
    return T("published") if cells == 0 else T("sum of {count} published cells", count=int(cells))


def _how_note(migrants: Msg, reference: Msg, total: Msg) -> Msg:
    return T("migrants: {migrants}; reference: {reference}; total: {total}", migrants=migrants, reference=reference, total=total)


def _area_values(rows: pd.DataFrame) -> pd.DataFrame:
    # one value per area and date: the published headline row (cells = 0), else the sum of the
    # finest cells of a source whose breakdowns are exhaustive (cells = how many)
    keys = ["geography_level", "place_id", "ref_date"]
    columns = keys + ["place_name", "value", "cells", "computed"]
    heads = ind.headline(rows)
    if heads.duplicated(keys).any():
        dup = heads[heads.duplicated(keys, keep=False)].iloc[0]
        raise DataError(
            f"{dup['source_id']}: two headline rows for {dup['definition_id']} in {dup['place_id']} on {dup['ref_date']}"
        )
    found = heads.assign(cells=0, computed=heads["flag"].fillna("").str.contains("c"))[columns]
    rest = rows[rows["source_id"].isin(ind.EXHAUSTIVE_SOURCES)]
    rest = rest.merge(found[keys], on=keys, how="left", indicator=True)
    rest = rest[(rest["_merge"] == "left_only")]
    if rest.empty:
        return found.reset_index(drop=True)
    is_total = rest[list(ind.BREAKDOWNS)].eq("total").groupby([rest[k] for k in keys], sort=False)
    mixed = is_total.min() != is_total.max()
    if mixed.any().any():
        key = mixed[mixed.any(axis=1)].index[0]
        column = mixed.columns[mixed.loc[[key]].to_numpy()[0]][0]
        raise DataError(
            f"{rest['source_id'].iloc[0]}: cells of {rest['definition_id'].iloc[0]} in {key[1]} on {key[2]} mix "
            f"'total' and breakdown values in column {column!r}; cannot sum them without double counting"
        )
    grouped = rest.groupby(keys, sort=False)
    summed = grouped.agg(place_name=("place_name", "first"), value=("value", "sum"), cells=("value", "size")).reset_index()
    summed["computed"] = False
    return pd.concat([found, summed[columns]], ignore_index=True)


def reconcile_city_totals(counts: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    """Compare the sums over areas with the city's own headline rows of the same source and date.

    Parameters
    ----------
    counts
        Output of :func:`district_counts`.
    local
        The city's prepared rows (city rows computed from districts, flag ``c``, are compared too).

    Returns
    -------
    pandas.DataFrame
        Columns: source_id, geography_level, ref_date, definition_id, sum_of_areas, city_place_id,
        city_value, city_flag, difference (sum of areas − city value). Empty when there is no
        city row to compare with.
    """
    columns = ["source_id", "geography_level", "ref_date", "definition_id", "sum_of_areas",
               "city_place_id", "city_value", "city_flag", "difference"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    long = pd.concat(
        [
            counts.assign(def_=counts["definition_id"], v=counts["migrants"]),
            counts.assign(def_=counts["reference_definition_id"], v=counts["reference"]),
            counts.assign(def_="total_population", v=counts["total"]),
        ]
    )
    sums = long.groupby(["source_id", "geography_level", "ref_date", "def_"], as_index=False)["v"].sum()
    city = ind.headline(local[(local["indicator_id"] == "population") & ~local["geography_level"].isin(SUB_CITY + ("country",))])
    city = city[["source_id", "ref_date", "definition_id", "place_id", "value", "flag"]].rename(
        columns={"definition_id": "def_", "place_id": "city_place_id", "value": "city_value", "flag": "city_flag"}
    )
    merged = sums.merge(city, on=["source_id", "ref_date", "def_"])
    merged = merged.rename(columns={"def_": "definition_id", "v": "sum_of_areas"})
    merged["difference"] = merged["sum_of_areas"] - merged["city_value"]
    return merged[columns].sort_values(["source_id", "geography_level", "ref_date", "definition_id"]).reset_index(drop=True)


def segregation_table(counts: pd.DataFrame) -> Section:
    """Concentration of migrants over the city's areas: one row per source, area level and date.

    Parameters
    ----------
    counts
        Output of :func:`district_counts`.

    Returns
    -------
    Section
        Columns: source, area level, reference date, areas, group, reference group, migrants,
        dissimilarity D, migrants in the 5 highest-share areas (%), all residents in the same areas (%)
        (what the share of migrants is read against), change in the 5 highest-share
        areas (those that entered "+" and left "−" since the previous date of the same source, level
        and definitions; empty when the same), highest area share (%), highest area, lowest area
        share (%), lowest area. Notes give the definitions.
    """
    columns = [
        "source", "area level", REFERENCE_DATE, "areas", "group", "reference group", "migrants",
        DISSIMILARITY, TOP_AREAS_SHARE, TOP_AREAS_RESIDENTS, TOP_AREAS_CHANGE, HIGHEST_AREA_SHARE,
        "highest area", LOWEST_AREA_SHARE, "lowest area",
    ]
    if counts.empty:
        return Section(pd.DataFrame(columns=columns))
    defs = load_definitions()
    rows = []
    previous: dict[tuple, list[str]] = {}  # the top areas at the previous date of each series
    for (source_id, level, ref_date, group_id, reference_id), areas in _by_map(counts):
        ranked = _ranked(areas)
        top = ranked.head(TOP_AREAS)
        names = list(top["place_name"])
        before = previous.get((source_id, level, group_id, reference_id))
        previous[(source_id, level, group_id, reference_id)] = names
        rows.append(
            {
                "source": source_id,
                "area level": AREA_LEVELS[level],
                REFERENCE_DATE: ref_date,
                "areas": len(areas),
                "group": defs[group_id].label,
                "reference group": defs[reference_id].label,
                "migrants": float(areas["migrants"].sum()),
                DISSIMILARITY: _d_of(areas),
                TOP_AREAS_SHARE: 100 * float(top["migrants"].sum() / areas["migrants"].sum()),
                TOP_AREAS_RESIDENTS: 100 * float(top["total"].sum() / areas["total"].sum()),
                TOP_AREAS_CHANGE: _top_change(before, names),
                HIGHEST_AREA_SHARE: float(ranked["share"].iloc[0]),
                "highest area": ranked["place_name"].iloc[0],
                LOWEST_AREA_SHARE: float(ranked["share"].iloc[-1]),
                "lowest area": ranked["place_name"].iloc[-1],
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    changed = [TOP_AREAS_CHANGE_NOTE] if (table[TOP_AREAS_CHANGE] != "").any() else []
    notes = [DISSIMILARITY_DEFINITION, TOP_AREAS_DEFINITION, *changed, AREA_SHARE_DEFINITION, *_count_notes(counts)]
    return Section(table, list(dict.fromkeys(counts["source_id"])), notes)


def _top_change(before: list[str] | None, after: list[str]) -> str:
    # "+ entered, − left" between two dates' top areas (names as published); '' when the same or first
    if before is None or set(before) == set(after):
        return ""
    entered = [f"+ {name}" for name in after if name not in before]
    left = [f"− {name}" for name in before if name not in after]
    return ", ".join(entered + left)


def segregation_trend(counts: pd.DataFrame) -> pd.DataFrame:
    """The dissimilarity index per year, for a chart of D over time.

    Parameters
    ----------
    counts
        Output of :func:`district_counts`.

    Returns
    -------
    pandas.DataFrame
        Columns: year (int, of the reference date), D, ref_date, source_id, geography_level,
        definition_id, reference_definition_id; one row per source, level and date.
    """
    columns = ["year", "D", "ref_date", "source_id", "geography_level", "definition_id", "reference_definition_id"]
    rows = [
        {
            "year": int(ref_date[:4]), "D": _d_of(areas), "ref_date": ref_date, "source_id": source_id,
            "geography_level": level, "definition_id": group_id, "reference_definition_id": reference_id,
        }
        for (source_id, level, ref_date, group_id, reference_id), areas in _by_map(counts)
    ]
    return pd.DataFrame(rows, columns=columns)


def district_table(
    counts: pd.DataFrame, level: str, ref_date: str | None = None, source_id: str | None = None
) -> Section:
    """The areas of one level on one date, by migrant share, with location quotients.

    Parameters
    ----------
    counts
        Output of :func:`district_counts`.
    level
        ``district`` or ``neighbourhood``.
    ref_date
        Reference date; the latest one of the level when ``None``.
    source_id
        Needed only when several sources give areas of this level on that date.

    Returns
    -------
    Section
        Columns: area, migrants, total, migrant share (%), location quotient; sorted by share,
        highest first. Empty when the city has no areas of this level.

    Raises
    ------
    DataError
        If ``level`` is unknown, or several sources or definitions remain and ``source_id`` is not given.
    """
    columns = ["area", "migrants", "total", MIGRANT_SHARE, LOCATION_QUOTIENT]
    if level not in AREA_LEVELS:
        raise DataError(f"district_table: unknown area level {level!r}; use one of {', '.join(AREA_LEVELS)}")
    rows = counts[counts["geography_level"] == level]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    date = ref_date if ref_date is not None else rows["ref_date"].max()
    rows = rows[rows["ref_date"] == date]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    if rows[["source_id", "definition_id"]].drop_duplicates().shape[0] > 1:
        raise DataError(
            f"district_table: several sources or definitions give {level} areas on {date} "
            f"({', '.join(sorted(set(rows['source_id'])))}); pass source_id"
        )
    ranked = _ranked(rows)
    city_share = 100 * ranked["migrants"].sum() / ranked["total"].sum()
    table = pd.DataFrame(
        {
            "area": ranked["place_name"].to_numpy(),
            "migrants": ranked["migrants"].to_numpy(),
            "total": ranked["total"].to_numpy(),
            MIGRANT_SHARE: ranked["share"].to_numpy(),
            LOCATION_QUOTIENT: (ranked["share"] / city_share).to_numpy(),
        }
    )
    defs = load_definitions()
    first = rows.iloc[0]
    notes = [
        T(
            "{definition} in {count} {level} areas on {date}; all areas together: {share} % of the population.",
            definition=Label(defs[first["definition_id"]].label), count=len(rows), level=AREA_LEVELS[level], date=Date(date),
            # a share shown with two decimals here: the unit "quotient" has that format
            share=Num(float(city_share), "quotient"),
        ),
        AREA_SHARE_DEFINITION,
        LOCATION_QUOTIENT_DEFINITION,
        *_count_notes(rows),
    ]
    return Section(table, [first["source_id"]], notes)


def _by_map(counts: pd.DataFrame):
    # one map = the areas of one source, level, date and pair of definitions
    keys = ["source_id", "geography_level", "ref_date", "definition_id", "reference_definition_id"]
    return counts.groupby(keys, sort=True)


def _ranked(areas: pd.DataFrame) -> pd.DataFrame:
    # areas by migrant share, highest first; ties by area id so the order is stable
    if (areas["total"] <= 0).any():
        bad = areas[areas["total"] <= 0].iloc[0]
        raise DataError(f"{bad['source_id']}: area {bad['place_id']} has no population on {bad['ref_date']}")
    ranked = areas.assign(share=100 * areas["migrants"] / areas["total"])
    return ranked.sort_values(["share", "place_id"], ascending=[False, True]).reset_index(drop=True)


def _d_of(areas: pd.DataFrame) -> float:
    return dissimilarity_index(areas.set_index("place_id")["migrants"], areas.set_index("place_id")["reference"])


def _count_notes(counts: pd.DataFrame) -> list[Msg]:
    defs = load_definitions()
    notes = []
    for (source_id, group_id, reference_id), rows in counts.groupby(
        ["source_id", "definition_id", "reference_definition_id"], sort=True
    ):
        hows = {str(h): h for h in map(_without_cell_counts, rows["note"])}
        notes.append(
            T(
                "{source}: {group} against {reference} ({how}).", source=source_name(source_id), group=Label(defs[group_id].label),
                reference=Label(defs[reference_id].label), how=join([hows[k] for k in sorted(hows)], "; "),
            )
        )
    return notes


def _without_cell_counts(note: Msg) -> Msg:
    # the note of district_counts() with 'sum of N published cells' as 'sum of published cells'
    # (the numbers differ between areas; a note on the whole map states only how counts were made)
    parts = {
        key: T("sum of published cells") if getattr(part, "msgid", "") == "sum of {count} published cells" else part
        for key, part in note.params.items()
    }
    return _how_note(**parts)

"""How concentrated are migrants across the city's areas, and how diverse and city-specific is their origin mix?

Pure functions on prepared tidy rows (see :func:`workbench.analysis.profile_tables.prepare_local`): no IO, inputs
never modified. Each measure has a one-line definition (a module constant) for the notebook to
print beside its table. A city without district or origin data gets empty Sections, not errors.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from workbench.analysis import indicators as ind
from workbench.errors import DataError
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.analysis.indicators import published
from workbench.analysis.sections import Section
from workbench.reference.labels import SUB_CITY, geography_label
from workbench.reference.registry import load_definitions
from workbench.reference.columns import CITY_SHARE, COUNTRY_SHARE, DISSIMILARITY, EFFECTIVE_ORIGINS, HIGHEST_AREA_SHARE, LOCATION_QUOTIENT, LOWEST_AREA_SHARE, MIGRANT_SHARE, NOT_ITEMISED, REFERENCE_DATE, SIMPSON, TOP_AREAS, TOP_AREAS_SHARE

#: Sub-city levels whose areas partition the city, with the label shown in tables.
AREA_LEVELS: dict[str, Msg] = {"district": T("district"), "neighbourhood": T("barrio (neighbourhood)")}

DISSIMILARITY_DEFINITION = T(
    "Dissimilarity index D = ½ Σ |mᵢ/M − nᵢ/N| over areas (m migrants, n reference group): the share "
    "of migrants (or of the reference group) who would have to move for both to be spread alike; "
    "0 = even, 1 = fully separated."
)
TOP_AREAS_DEFINITION = T(
    "Share of migrants in the {top} areas with the highest migrant share: the part of the group "
    "living in the areas where it forms the largest share of the population.",
    top=TOP_AREAS,
)
AREA_SHARE_DEFINITION = T("Migrant share of an area = migrants ÷ total population of the area, in %.")
LOCATION_QUOTIENT_DEFINITION = T(
    "Location quotient LQ = the area's migrant share ÷ the migrant share of all areas together "
    "(Σ migrants ÷ Σ population): 1 = as in the city as a whole, 2 = twice as high, 0.5 = half."
)
SIMPSON_DEFINITION = T(
    "Simpson diversity = 1 − Σ pᵢ² over origins (pᵢ = an origin's share of the group): the chance that "
    "two persons of the group drawn at random have different origins. Residual groups ('other "
    "countries') and any part of the group the table does not itemise count as one origin each, "
    "which understates diversity; tables listing different numbers of origins are not comparable."
)
EFFECTIVE_ORIGINS_DEFINITION = T(
    "Effective number of origins = 1 / Σ pᵢ²: how many equally large origins would give the same "
    "diversity; understated, like Simpson's index, because residual groups count as one origin each."
)
ORIGIN_QUOTIENT_DEFINITION = T(
    "Origin location quotient = the origin's share among the city's group ÷ its share among the "
    "country's group: above 1 = more frequent in the city than in the country, below 1 = less."
)

#: Kinds of origin that name single countries (as in :func:`workbench.analysis.profile_tables.origins`).
ORIGIN_TYPES: tuple[str, ...] = ("citizenship", "birth_country", "origin_country")
_GROUP_TYPE = {"citizenship": "citizenship_group", "birth_country": "birth_group", "origin_country": "origin_group"}

#: Group codes that never overlap the countries listed beside them in the same table: "other
#: countries" rows (OTHER, OTHER_<ISO3> of UN DESA, INSEE *_OTHER, Madrid "otros"/"resto de
#: países") and stateless persons. Aggregates such as continents or M49 regions are left out,
#: because they repeat persons already counted under their countries.
_REST_GROUP = re.compile(r"^(OTHER(_[A-Z]{3})?|STATELESS|ES_APATRIDAS|[A-Z0-9_]+_OTHER|ES_OTROS_[A-Z]+|ES_RESTO_PAISES_[A-Z0-9]+)$")
#: Country-like codes that are not one country (unknown origin, stateless).
_NOT_A_COUNTRY = ("UNK", "XXA", "STATELESS")

COUNT_COLUMNS = [
    "source_id", "geography_level", "place_id", "place_name", "ref_date", "definition_id",
    "reference_definition_id", "migrants", "reference", "total", "note",
]
ORIGIN_COLUMNS = [
    "source_id", "place_id", "place_name", "geography_level", "definition_id", "origin_type", "ref_date",
    "origin", "origin_name", "persons", "share", "residual", "base_persons", "share_base", "flag",
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
    computed by the workbench (flag ``c``) are never used, so nothing is counted twice.

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
    rows = published(local)
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
                            _how_note(_how(cells), _how(cells_ref), T("published") if tot else T("migrants + reference"))
                            for cells, cells_ref, tot in zip(merged["cells"], merged["cells_ref"], has_total)
                        ],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = out["geography_level"].map(list(AREA_LEVELS).index)
    return out.assign(_o=order).sort_values(["source_id", "_o", "ref_date", "place_id"]).drop(columns="_o").reset_index(drop=True)


def _how(cells: int) -> Msg:
    # how one area's count was obtained: its published row (0 cells summed) or a sum of cells
    return T("published") if cells == 0 else T("sum of {count} published cells", count=int(cells))


def _how_note(migrants: Msg, reference: Msg, total: Msg) -> Msg:
    return T("migrants: {migrants}; reference: {reference}; total: {total}", migrants=migrants, reference=reference, total=total)


def _area_values(rows: pd.DataFrame) -> pd.DataFrame:
    # one value per area and date: the published headline row (cells = 0), else the sum of the
    # finest cells of a source whose breakdowns are exhaustive (cells = how many)
    keys = ["geography_level", "place_id", "ref_date"]
    columns = keys + ["place_name", "value", "cells"]
    heads = ind.headline(rows)
    if heads.duplicated(keys).any():
        dup = heads[heads.duplicated(keys, keep=False)].iloc[0]
        raise DataError(
            f"{dup['source_id']}: two headline rows for {dup['definition_id']} in {dup['place_id']} on {dup['ref_date']}"
        )
    found = heads.assign(cells=0)[columns]
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
        dissimilarity D, migrants in the 5 highest-share areas (%), highest area share (%),
        highest area, lowest area share (%), lowest area. Notes give the definitions.
    """
    columns = [
        "source", "area level", REFERENCE_DATE, "areas", "group", "reference group", "migrants",
        DISSIMILARITY, TOP_AREAS_SHARE, HIGHEST_AREA_SHARE,
        "highest area", LOWEST_AREA_SHARE, "lowest area",
    ]
    if counts.empty:
        return Section(pd.DataFrame(columns=columns))
    defs = load_definitions()
    rows = []
    for (source_id, level, ref_date, group_id, reference_id), areas in _by_map(counts):
        ranked = _ranked(areas)
        top = ranked.head(TOP_AREAS)
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
                columns[8]: 100 * float(top["migrants"].sum() / areas["migrants"].sum()),
                HIGHEST_AREA_SHARE: float(ranked["share"].iloc[0]),
                "highest area": ranked["place_name"].iloc[0],
                LOWEST_AREA_SHARE: float(ranked["share"].iloc[-1]),
                "lowest area": ranked["place_name"].iloc[-1],
            }
        )
    notes = [DISSIMILARITY_DEFINITION, TOP_AREAS_DEFINITION, AREA_SHARE_DEFINITION, *_count_notes(counts)]
    return Section(pd.DataFrame(rows, columns=columns), list(dict.fromkeys(counts["source_id"])), notes)


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
                "{source}: {group} against {reference} ({how}).", source=source_id, group=Label(defs[group_id].label),
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


def origin_table(local: pd.DataFrame, definitions: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """The city's latest origin breakdown at country level, every published row of it.

    The table is chosen as in :func:`workbench.analysis.profile_tables.origins`: among the city's (not sub-city)
    rows by citizenship, country of birth or country of origin (sex, age and category totals),
    the latest source × place × definition × origin type × date, the one with most rows on ties.
    Residual groups of the same table that never overlap its countries ('other countries',
    stateless) are added; aggregates such as continents are not.

    Parameters
    ----------
    local
        The city's prepared rows.
    definitions
        Definitions to consider; every migrant definition when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns: source_id, place_id, place_name, geography_level, definition_id, origin_type,
        ref_date, origin, origin_name, persons, share (% of base_persons), residual (not one
        country), base_persons, share_base (what the base is), flag; largest first. Empty (same
        columns) when the city has no such table.

    Raises
    ------
    DataError
        If the rows add up to more than the group's total (the table would overlap itself).
    """
    wanted = ind.MIGRANT_DEFINITIONS if definitions is None else tuple(definitions)
    rows = _origin_rows(local)
    rows = rows[
        rows["origin_type"].isin(ORIGIN_TYPES) & ~rows["geography_level"].isin(SUB_CITY)
        & rows["definition_id"].isin(wanted)
    ]
    if rows.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = rows.groupby(keys).size().reset_index(name="n").sort_values(["ref_date", "n"], ascending=[False, False])
    return _table_of(local, dict(sizes.iloc[0][keys]))


def _origin_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[
        (frame["indicator_id"] == "population") & (frame["sex"] == "total") & (frame["age"] == "total")
        & (frame["category"] == "total") & (frame["unit"] == "persons")
    ]


def _table_of(frame: pd.DataFrame, key: dict) -> pd.DataFrame:
    # all origin rows of one table (countries + non-overlapping residual groups) with their shares
    rows = _origin_rows(frame)
    same = (
        (rows["source_id"] == key["source_id"]) & (rows["place_id"] == key["place_id"])
        & (rows["definition_id"] == key["definition_id"]) & (rows["ref_date"] == key["ref_date"])
    )
    countries = rows[same & (rows["origin_type"] == key["origin_type"]) & (rows["origin"] != "total")]
    groups = rows[same & (rows["origin_type"] == _GROUP_TYPE[key["origin_type"]])]
    groups = groups[groups["origin"].str.fullmatch(_REST_GROUP)]
    table = pd.concat([countries, groups])
    totals = rows[same & (rows["origin"] == "total")]
    listed = float(table["value"].sum())
    if len(totals):
        total_row = totals.sort_values("flag").iloc[0]
        base = float(total_row["value"])
        computed = "c" in str(total_row["flag"])
        share_base = (
            T("group total computed by the workbench from this table (flag c)") if computed
            else T("published group total")
        )
        if listed > base * (1 + 1e-9) + 0.5:
            raise DataError(
                f"{key['source_id']}: origin rows of {key['definition_id']} in {key['place_id']} on {key['ref_date']} "
                f"add up to {listed:,.0f}, more than the group total {base:,.0f}; the table overlaps itself"
            )
    else:
        base = listed
        share_base = T("sum of the listed rows (no group total published)")
    if base <= 0:
        raise DataError(f"{key['source_id']}: the origin table of {key['place_id']} on {key['ref_date']} has 0 persons")
    from workbench.reference.origins import origin_name

    table = table.sort_values(["value", "origin"], ascending=[False, True])
    return pd.DataFrame(
        {
            "source_id": table["source_id"].to_numpy(),
            "place_id": table["place_id"].to_numpy(),
            "place_name": table["place_name"].to_numpy(),
            "geography_level": table["geography_level"].to_numpy(),
            "definition_id": table["definition_id"].to_numpy(),
            "origin_type": key["origin_type"],
            "ref_date": table["ref_date"].to_numpy(),
            "origin": table["origin"].to_numpy(),
            "origin_name": [origin_name(code) for code in table["origin"]],
            "persons": table["value"].to_numpy(dtype=float),
            "share": (100 * table["value"] / base).to_numpy(dtype=float),
            "residual": [_is_residual(code) for code in table["origin"]],
            "base_persons": base,
            "share_base": share_base,
            "flag": table["flag"].to_numpy(),
        },
        columns=ORIGIN_COLUMNS,
    )


def _is_residual(code: str) -> bool:
    return "_" in code or "OTHER" in code or code in _NOT_A_COUNTRY


def diversity(origins: pd.DataFrame) -> dict:
    """Simpson diversity and effective number of origins of one origin table.

    Parameters
    ----------
    origins
        Output of :func:`origin_table` (one table).

    Returns
    -------
    dict
        simpson (1 − Σ pᵢ²), effective_origins (1 / Σ pᵢ²), published_origins (rows of the
        table), countries (rows naming one country), residual_groups (other rows),
        not_itemised (% of the group the rows do not cover, counted as one more origin). NaN
        measures and zero counts for an empty table. See :data:`SIMPSON_DEFINITION`.

    Raises
    ------
    DataError
        If the rows come from several tables or exceed the group total.
    """
    if origins.empty:
        return {"simpson": math.nan, "effective_origins": math.nan, "published_origins": 0, "countries": 0,
                "residual_groups": 0, "not_itemised": math.nan}
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date", "base_persons"]
    if len(origins[keys].drop_duplicates()) > 1:
        raise DataError("diversity: the rows come from several origin tables; pass one table of origin_table()")
    base = float(origins["base_persons"].iloc[0])
    persons = origins["persons"].to_numpy(dtype=float)
    # persons not itemised (below half a person is rounding, not a group)
    unlisted = base - float(persons.sum())
    if unlisted < -0.5:
        raise DataError(f"diversity: the origins add up to {persons.sum():,.0f} persons, more than the group total {base:,.0f}")
    unlisted = unlisted if unlisted >= 0.5 else 0.0
    p = np.append(persons, unlisted) / base if unlisted else persons / base
    concentration = float((p**2).sum())
    residual = origins["residual"].astype(bool)
    return {
        "simpson": 1.0 - concentration,
        "effective_origins": 1.0 / concentration,
        "published_origins": int(len(origins)),
        "countries": int((~residual).sum()),
        "residual_groups": int(residual.sum()),
        "not_itemised": 100.0 * unlisted / base,
    }


def national_origin_table(national: pd.DataFrame, city: pd.DataFrame) -> pd.DataFrame:
    """The country's origin table to compare with the city's: same definition and date if possible.

    The country rows (geography level ``country``) of the city table's definition, origin type and
    date are preferred (the city table's source first); otherwise the latest UN DESA 2024 origin
    table (international migrant stock, by country of origin).

    Parameters
    ----------
    national
        The country's prepared rows.
    city
        Output of :func:`origin_table`.

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`origin_table`; empty when there is no usable national table.
    """
    if city.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    first = city.iloc[0]
    rows = _origin_rows(national)
    rows = rows[(rows["geography_level"] == "country") & (rows["origin"] != "total")]
    same = rows[
        (rows["definition_id"] == first["definition_id"]) & (rows["origin_type"] == first["origin_type"])
        & (rows["ref_date"] == first["ref_date"])
    ]
    if same.empty:
        same = rows[
            (rows["source_id"] == "undesa_ims_2024") & (rows["definition_id"] == "un_migrant_stock")
            & (rows["origin_type"] == "origin_country")
        ]
        same = same[same["ref_date"] == same["ref_date"].max()] if len(same) else same
    if same.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = same.groupby(keys).size().reset_index(name="n")
    sizes["own"] = sizes["source_id"] == first["source_id"]
    best = sizes.sort_values(["own", "n", "source_id"], ascending=[False, False, True]).iloc[0]
    return _table_of(national, dict(best[keys]))


def origin_concentration(local: pd.DataFrame, national: pd.DataFrame, top_n: int = 10) -> Section:
    """The city's largest origins: their share in the city against their share in the country.

    Parameters
    ----------
    local, national
        The city's and the country's prepared rows.
    top_n
        How many origins (countries only, largest first).

    Returns
    -------
    Section
        Columns: rank, origin, city persons, city share (%), country persons, country share (%),
        location quotient, definitions (city vs country). Empty when the city has no origin table.
    """
    columns = ["rank", "origin", "city persons", CITY_SHARE, "country persons", COUNTRY_SHARE,
               LOCATION_QUOTIENT, "definitions"]
    city = origin_table(local)
    if city.empty:
        return Section(pd.DataFrame(columns=columns))
    country = national_origin_table(national, city)
    top = city[~city["residual"]].head(top_n)
    by_code = country[~country["residual"]].set_index("origin") if len(country) else pd.DataFrame(columns=["persons", "share"])
    country_persons = top["origin"].map(by_code["persons"]) if len(by_code) else pd.Series(np.nan, index=top.index)
    country_share = top["origin"].map(by_code["share"]) if len(by_code) else pd.Series(np.nan, index=top.index)
    definitions = _definitions_label(city, country)
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": top["origin_name"].to_numpy(),
            "city persons": top["persons"].to_numpy(),
            CITY_SHARE: top["share"].to_numpy(),
            "country persons": country_persons.to_numpy(dtype=float),
            COUNTRY_SHARE: country_share.to_numpy(dtype=float),
            LOCATION_QUOTIENT: (top["share"] / country_share).to_numpy(dtype=float),
            "definitions": definitions,
        },
        columns=columns,
    )
    notes = [ORIGIN_QUOTIENT_DEFINITION, _table_note(city, "city"), *_country_notes(city, country, national)]
    missing = top.loc[country_share.isna(), "origin_name"].tolist()
    if len(country) and missing:
        notes.append(T("Not listed separately in the country's table (no share or quotient): {origins}.", origins=join(missing, ", ")))
    refs = list(dict.fromkeys(list(city["source_id"].unique()) + list(country["source_id"].unique())))
    return Section(table, refs, notes)


def diversity_table(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Diversity of origins in the city and in the country, side by side.

    Parameters
    ----------
    local, national
        The city's and the country's prepared rows.

    Returns
    -------
    Section
        Columns: scope, area, geography, definition, origin type, reference date, source, origins
        published, of which residual groups, not itemised (%), Simpson diversity, effective number
        of origins. Empty when the city has no origin table.
    """
    columns = ["scope", "area", "geography", "definition", "origin type", REFERENCE_DATE, "source",
               "origins published", "of which residual groups", NOT_ITEMISED, SIMPSON,
               EFFECTIVE_ORIGINS]
    city = origin_table(local)
    if city.empty:
        return Section(pd.DataFrame(columns=columns))
    country = national_origin_table(national, city)
    defs = load_definitions()
    rows = []
    for scope, table in (("city", city), ("country", country)):
        if table.empty:
            continue
        first = table.iloc[0]
        measures = diversity(table)
        rows.append(
            {
                "scope": scope,
                "area": first["place_name"],
                "geography": geography_label(first["geography_level"]),
                "definition": defs[first["definition_id"]].label,
                "origin type": first["origin_type"].replace("_", " "),
                REFERENCE_DATE: first["ref_date"],
                "source": first["source_id"],
                "origins published": measures["published_origins"],
                "of which residual groups": measures["residual_groups"],
                NOT_ITEMISED: measures["not_itemised"],
                SIMPSON: measures["simpson"],
                EFFECTIVE_ORIGINS: measures["effective_origins"],
            }
        )
    notes = [SIMPSON_DEFINITION, EFFECTIVE_ORIGINS_DEFINITION, *_country_notes(city, country, national)]
    refs = list(dict.fromkeys(list(city["source_id"].unique()) + list(country["source_id"].unique())))
    return Section(pd.DataFrame(rows, columns=columns), refs, notes)


def _definitions_label(city: pd.DataFrame, country: pd.DataFrame) -> Msg:
    defs = load_definitions()
    city_label = Label(defs[city["definition_id"].iloc[0]].label)
    if country.empty:
        return T("{city} (city); no country table", city=city_label)
    return T("{city} (city) vs {country} (country)", city=city_label, country=Label(defs[country["definition_id"].iloc[0]].label))


def _table_note(table: pd.DataFrame, scope: str) -> Msg:
    # scope: 'city' or 'country' (one complete sentence each, for translators)
    defs = load_definitions()
    first = table.iloc[0]
    share_base = first["share_base"]
    values = {
        "definition": Label(defs[first["definition_id"]].label),
        "place": first["place_name"],
        "geography": Label(geography_label(first["geography_level"])),
        "date": Date(first["ref_date"]),
        "origin_type": Label(first["origin_type"].replace("_", " ")),
        "source": first["source_id"],
        "total": Num(float(first["base_persons"])),
        "base": share_base if isinstance(share_base, Msg) else Label(str(share_base)),
    }
    if scope == "city":
        return T(
            "City: {definition} in {place} ({geography}) on {date}, by {origin_type}, {source}; "
            "shares of {total} persons ({base}).",
            **values,
        )
    return T(
        "Country: {definition} in {place} ({geography}) on {date}, by {origin_type}, {source}; "
        "shares of {total} persons ({base}).",
        **values,
    )


def _country_notes(city: pd.DataFrame, country: pd.DataFrame, national: pd.DataFrame) -> list[Msg]:
    if country.empty:
        return [T("No country origin table to compare with.")]
    notes = [_table_note(country, "country")]
    c, n = city.iloc[0], country.iloc[0]
    if (c["definition_id"], c["origin_type"], c["ref_date"]) != (n["definition_id"], n["origin_type"], n["ref_date"]):
        defs = load_definitions()
        total = ind.headline(national[
            (national["source_id"] == n["source_id"]) & (national["place_id"] == n["place_id"])
            & (national["definition_id"] == n["definition_id"]) & (national["ref_date"] == n["ref_date"])
            & (national["indicator_id"] == "population")
        ])
        values = {
            "city_definition": Label(defs[c["definition_id"]].label), "city_date": Date(c["ref_date"]),
            "country_definition": Label(defs[n["definition_id"]].label), "country_date": Date(n["ref_date"]),
        }
        if len(total) and str(total["note"].iloc[0]):
            # the source's own note on its total, shown as published
            notes.append(T(
                "Different definitions: the city counts {city_definition} on {city_date}, the country {country_definition} "
                "({how}) on {country_date}; the comparison of shares is indicative only.",
                **values, how=str(total["note"].iloc[0]),
            ))
        else:
            notes.append(T(
                "Different definitions: the city counts {city_definition} on {city_date}, the country {country_definition} "
                "on {country_date}; the comparison of shares is indicative only.",
                **values,
            ))
    return notes


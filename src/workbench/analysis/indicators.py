"""Derived indicators computed from tidy rows: totals the sources imply, shares, sums over origins.

Pure functions: no IO, inputs never modified. Every derived row carries flag ``c`` and a note
saying how it was computed.
"""

from __future__ import annotations

import pandas as pd

from workbench.reference.registry import load_definitions
from workbench.tidy.schemas import SUPERSEDED, TIDY_COLUMNS

BREAKDOWNS = ("sex", "age", "origin", "category")
_GROUP = ["source_id", "place_id", "indicator_id", "definition_id", "period", "ref_date"]

#: Pairs of definitions that together make up the whole population.
COMPLEMENTS: tuple[tuple[str, str], ...] = (
    ("foreign_origin_wien", "austrian_origin_wien"),
    ("foreign_nationality", "national_citizens"),
    ("foreign_born", "native_born"),
    ("immigre_insee", "non_immigre_insee"),
    ("non_european_nationality", "european_or_unrecorded_nationality"),
)

#: Definitions that count migrants (in one sense or another), in display order.
MIGRANT_DEFINITIONS: tuple[str, ...] = (
    "foreign_nationality",
    "foreign_born",
    "immigre_insee",
    "foreign_origin_wien",
    "non_european_nationality",
    "residence_permit_holder",
    "residence_title_holder",
    "registered_refugee",
    "asylum_seeker",
    "palestine_refugee_unrwa",
    "un_migrant_stock",
)

#: The family of definitions (``data/registry/definitions.yaml``) that count a protection caseload:
#: persons registered with UNHCR or UNRWA, not a city's migrant population.
CASELOAD_FAMILY = "protection"


def population_definitions() -> tuple[str, ...]:
    """The :data:`MIGRANT_DEFINITIONS` that count a migrant population (foreign nationals, foreign-born,
    national variants, UN stocks), in display order: those of the family :data:`CASELOAD_FAMILY` left out."""
    defs = load_definitions()
    return tuple(d for d in MIGRANT_DEFINITIONS if defs[d].family != CASELOAD_FAMILY)


def caseload_definitions() -> tuple[str, ...]:
    """The :data:`MIGRANT_DEFINITIONS` that count a protection caseload (refugees, asylum-seekers ...).

    A caseload counts only the persons registered with an agency: it is never a city's migrant
    population, nor its "countries of origin".
    """
    defs = load_definitions()
    return tuple(d for d in MIGRANT_DEFINITIONS if defs[d].family == CASELOAD_FAMILY)


def headline(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without any breakdown (sex, age, origin and category all 'total')."""
    mask = pd.Series(True, index=frame.index)
    for column in BREAKDOWNS:
        mask &= frame[column] == "total"
    return frame[mask]


def headline_of(frame: pd.DataFrame, indicator_id: str, definition_id: str | None = None) -> pd.DataFrame:
    """Headline rows of one indicator (and definition)."""
    rows = headline(frame[frame["indicator_id"] == indicator_id])
    if definition_id is not None:
        rows = rows[rows["definition_id"] == definition_id]
    return rows


def superseded(frame: pd.DataFrame) -> pd.Series:
    """Whether each row's value was corrected by its publisher after the release held (flag ``x``)."""
    return frame["flag"].fillna("").astype(str).str.contains(SUPERSEDED, regex=False)


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as the sources published them: those the workbench computed (flag 'c') left out."""
    return frame[~frame["flag"].fillna("").str.contains("c")]


#: Sources that publish an exhaustive cross-classification without totals: only their cells may
#: be summed into totals (elsewhere a breakdown may list only some origins or ages).
EXHAUSTIVE_SOURCES: tuple[str, ...] = ("wien_ogd_population_origin",)


def compute_missing_totals(frame: pd.DataFrame, sources: tuple[str, ...] = EXHAUSTIVE_SOURCES) -> pd.DataFrame:
    """Add headline rows that the source implies but does not publish.

    A group (source, place, indicator, definition, period) of count rows with no headline row,
    whose rows all sit at the finest level of every breakdown (e.g. sex x age x origin group for
    Stadt Wien), is summed into one headline row.

    Parameters
    ----------
    frame
        Tidy rows.
    sources
        Sources whose breakdowns are known to be exhaustive; rows of other sources are never summed.

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus the computed rows (flag ``c``).
    """
    counts = frame[(frame["unit"] == "persons") & frame["source_id"].isin(sources)]
    if counts.empty:
        return frame
    has_total = set(map(tuple, headline(counts)[_GROUP].itertuples(index=False)))
    groups = counts.groupby(_GROUP, sort=False)
    # a group qualifies when every breakdown is 'total' on all its rows or on none
    is_total = counts[list(BREAKDOWNS)].eq("total")
    by_group = is_total.groupby([counts[c] for c in _GROUP], sort=False)
    uniform = (by_group.all() | ~by_group.any()).all(axis=1)
    first = groups.head(1).set_index(_GROUP)
    summary = pd.DataFrame({"value": groups["value"].sum(), "cells": groups.size(), "uniform": uniform})
    summary = summary.loc[first.index]  # the groups in order of first appearance
    keep = summary["uniform"].to_numpy() & [key not in has_total for key in summary.index]
    if not keep.any():
        return frame
    added = first[keep].reset_index()
    for column in BREAKDOWNS:
        added[column] = "total"
    added["origin_type"] = ""
    added["value"] = summary["value"].to_numpy()[keep].astype(float)
    added["flag"] = "c"
    added["note"] = [f"sum of {n} published cells (all breakdowns)" for n in summary["cells"].to_numpy()[keep]]
    return _append_frame(frame, added)


def compute_complement_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add total-population headline rows as the sum of two complementary groups.

    Only where the source publishes both groups (e.g. Wien foreign and Austrian origin) for a
    place and date and publishes no total of its own.

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus computed ``total_population`` rows (flag ``c``).
    """
    heads = headline(frame[(frame["indicator_id"] == "population")])
    keys = ["source_id", "place_id", "period", "ref_date"]
    published = set(map(tuple, heads[heads["definition_id"] == "total_population"][keys].itertuples(index=False)))
    added = []
    for part, rest in COMPLEMENTS:
        a = heads[heads["definition_id"] == part].drop_duplicates(keys)
        b = heads[heads["definition_id"] == rest].drop_duplicates(keys)
        pairs = a.merge(b[keys + ["value"]], on=keys, how="inner", suffixes=("", "_rest"))  # a's order
        pairs = pairs[[key not in published for key in pairs[keys].itertuples(index=False, name=None)]]
        if pairs.empty:
            continue
        rows = pairs.drop(columns="value_rest").copy()
        rows["definition_id"] = "total_population"
        rows["value"] = (pairs["value"] + pairs["value_rest"]).astype(float)
        rows["flag"] = "c"
        rows["note"] = f"{part} + {rest}"
        added.append(rows)
        published.update(pairs[keys].itertuples(index=False, name=None))
    return _append_frame(frame, pd.concat(added, ignore_index=True) if added else None)


def aggregate_districts(frame: pd.DataFrame, city_place_id: str, city_place_name: str) -> pd.DataFrame:
    """Add city headline rows summed over district rows where the city total is not published.

    Parameters
    ----------
    frame
        Tidy rows of one city (its districts among them).
    city_place_id, city_place_name
        Id and name to give the summed rows (geography level ``city``).

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus computed city rows (flag ``c``).
    """
    districts = headline(frame[(frame["geography_level"] == "district") & (frame["unit"] == "persons")])
    if districts.empty:
        return frame
    keys = ["source_id", "indicator_id", "definition_id", "period", "ref_date"]
    city_rows = headline(frame[~frame["geography_level"].isin(["district", "neighbourhood"])])
    existing = set(map(tuple, city_rows[keys].itertuples(index=False)))
    added = []
    for key, group in districts.groupby(keys, sort=False):
        if key in existing:
            continue
        row = group.iloc[0].copy()
        row["place_id"] = city_place_id
        row["place_name"] = city_place_name
        row["geography_level"] = "city"
        row["value"] = float(group["value"].sum())
        row["flag"] = "c"
        row["note"] = f"sum of {group['place_id'].nunique()} districts"
        added.append(row)
    return _append(frame, added)


def compute_shares(frame: pd.DataFrame, definitions: tuple[str, ...] = MIGRANT_DEFINITIONS) -> pd.DataFrame:
    """Compute each group's share of the total population of the same place and date.

    The denominator is the ``total_population`` headline row of the same place and reference
    date, from the same source when it has one, otherwise from any source (noted). Shares that
    the source publishes itself are not recomputed.

    Returns
    -------
    pandas.DataFrame
        New ``population_share`` rows only (flag ``c``), tidy columns.
    """
    heads = headline(frame[frame["indicator_id"] == "population"])
    totals = heads[heads["definition_id"] == "total_population"]
    published = headline(frame[frame["indicator_id"] == "population_share"])
    done = set(map(tuple, published[["place_id", "definition_id", "ref_date"]].itertuples(index=False)))
    # denominators by place and date, in table order: the same source's first, else the first of any
    first_any: dict[tuple, tuple[str, float]] = {}
    first_same: dict[tuple, float] = {}
    for place, date, source, value in totals[["place_id", "ref_date", "source_id", "value"]].itertuples(index=False, name=None):
        first_any.setdefault((place, date), (source, value))
        first_same.setdefault((place, date, source), value)
    rows = []
    for row in heads[heads["definition_id"].isin(definitions)].to_dict("records"):
        place, date = row["place_id"], row["ref_date"]
        if (place, row["definition_id"], date) in done or (place, date) not in first_any:
            continue
        if (place, date, row["source_id"]) in first_same:
            source, value = row["source_id"], first_same[(place, date, row["source_id"])]
        else:
            source, value = first_any[(place, date)]
        rows.append({
            **row, "indicator_id": "population_share", "unit": "percent", "value": 100.0 * row["value"] / value,
            "flag": "c", "note": f"{row['value']:.0f} / {value:.0f} ({source})",
        })
    return _typed(pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).reset_index(drop=True))


#: Sources that publish one row per country of origin and no total, every origin listed: their rows
#: are summed into totals (:func:`sum_over_origins`, by the profile's preparation).
SUMMED_OVER_ORIGINS: tuple[str, ...] = ("unhcr_demographics", "unhcr_population")


def sum_over_origins(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum country-of-origin rows into one headline row per place, definition and period.

    Used for UNHCR tables, which publish one row per country of origin and no total. A sum that
    includes a superseded value (flag ``x``) carries that flag too.

    Returns
    -------
    pandas.DataFrame
        Computed headline rows (flag ``c``, ``cx`` when superseded), tidy columns.
    """
    part = frame[
        (frame["origin"] != "total") & (frame["sex"] == "total") & (frame["age"] == "total")
        & (frame["unit"] == "persons")
    ]
    keys = ["source_id", "place_id", "place_name", "geography_level", "country_iso3", "city_id",
            "indicator_id", "definition_id", "category", "period", "ref_date", "unit"]
    if part.empty:
        return _typed(pd.DataFrame(columns=list(TIDY_COLUMNS)))
    part = part.assign(superseded=superseded(part))
    summed = part.groupby(keys, as_index=False, sort=True).agg(
        value=("value", "sum"), n=("origin", "nunique"), superseded=("superseded", "any"))
    summed["sex"] = "total"
    summed["age"] = "total"
    summed["origin_type"] = ""
    summed["origin"] = "total"
    # a sum of superseded values is superseded too (schemas.SUPERSEDED)
    summed["flag"] = summed["superseded"].map({True: "c" + SUPERSEDED, False: "c"})
    summed["note"] = "sum over " + summed["n"].astype(str) + " countries of origin"
    return summed[list(TIDY_COLUMNS)].reset_index(drop=True)


def compute_ratio(
    numerator: pd.DataFrame, denominator: pd.DataFrame, indicator_id: str, scale: float = 100.0
) -> pd.DataFrame:
    """Divide headline values of two indicators for the same place and period.

    Parameters
    ----------
    numerator, denominator
        Tidy rows (one per place and period each).
    indicator_id
        Id of the result (e.g. ``remittances_share_of_gdp``).
    scale
        100 for a percentage.

    Returns
    -------
    pandas.DataFrame
        Tidy rows, unit percent, flag ``c``.
    """
    keys = ["place_id", "period"]
    merged = numerator.merge(denominator[keys + ["value", "source_id"]], on=keys, suffixes=("", "_den"))
    merged = merged[merged["value_den"] > 0]
    merged["value"] = scale * merged["value"] / merged["value_den"]
    merged["indicator_id"] = indicator_id
    merged["unit"] = "percent"
    merged["flag"] = "c"
    merged["note"] = "computed: ratio of two published series"
    return merged[list(TIDY_COLUMNS)].reset_index(drop=True)


def _append(frame: pd.DataFrame, rows: list[pd.Series]) -> pd.DataFrame:
    if not rows:
        return frame
    return pd.concat([frame, _typed(pd.DataFrame(rows)[list(TIDY_COLUMNS)])], ignore_index=True)


def _append_frame(frame: pd.DataFrame, added: pd.DataFrame | None) -> pd.DataFrame:
    if added is None or added.empty:
        return frame
    return pd.concat([frame, _typed(added[list(TIDY_COLUMNS)])], ignore_index=True)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    # rows built from Series come back as objects; keep the tidy dtypes (text, float value)
    frame = frame.copy()
    for column in TIDY_COLUMNS:
        frame[column] = frame[column].astype(float) if column == "value" else frame[column].astype(str)
    return frame

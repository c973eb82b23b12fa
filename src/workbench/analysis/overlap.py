"""How alike are the origins of the migrant populations of the network's cities?

Reads the origin tables the city runs saved (:data:`~workbench.analysis.city_tables.ORIGINS`: one
city's latest breakdown by country of citizenship or birth, with its definition, area and date). Overlap is measured on
shares of each city's own total, so cities of different size compare; pairs counted by different
definitions, kinds of area or dates (e.g. foreign nationals and refugees) are listed with the reason and
not compared (:func:`~workbench.analysis.comparability.comparable`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.analysis import city_tables
from workbench.analysis.caseloads import is_caseload
from workbench.analysis.comparability import Figure, comparable
from workbench.analysis.compare import shore_text
from workbench.errors import DataError
from workbench.reference.i18n import T
from workbench.reference.origins import origin_name
from workbench.reference.labels import place_label, place_text
from workbench.reference.registry import get_city, load_definitions
from workbench.reference.columns import OVERLAP, RANK_SAME_DEFINITION_ONLY, REFERENCE_DATE, SHARE

#: One-line definition shown beside the overlap table.
OVERLAP_DEFINITION = T(
    "Overlap = Σ min(pᵢ, qᵢ) over countries of origin, where pᵢ and qᵢ are the shares (%) of country i in "
    "each city's migrant population: 100 = identical mixes, 0 = no country in common. Residual groups "
    "('other countries') are left out, so the overlap is a lower bound."
)


def load_origins(cities_dir: str | Path, city_ids: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Read the :data:`~workbench.analysis.city_tables.ORIGINS` table each city run saved.

    Returns
    -------
    (pandas.DataFrame, list of str)
        All rows with a ``city_id`` column, and the cities without an origin table (their run
        failed, or the public sources have no breakdown by origin for them).

    Raises
    ------
    DataError
        If a file lacks a column (named with the file).
    """
    frames, missing = [], []
    for city_id in city_ids:
        frame = city_tables.read(city_tables.ORIGINS, cities_dir, city_id)
        if frame is None or frame.empty:
            missing.append(city_id)
            continue
        frames.append(frame.assign(city_id=city_id))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*city_tables.ORIGINS.columns, "city_id"])
    rows["residual"] = rows["residual"].astype(str).str.lower().isin(["true", "1"])
    return rows, missing


def composition(rows: pd.DataFrame, top_n: int = 5) -> pd.DataFrame:
    """The largest countries of origin of each city, with the definition, area and date of its table.

    Returns
    -------
    pandas.DataFrame
        Columns: city, shore, definition, area, reference date, rank, origin, share (%), source.
    """
    columns = ["city", "shore", "definition", "area", REFERENCE_DATE, "rank", "origin", SHARE, "source"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    defs = load_definitions()
    out = []
    for city_id, group in rows.groupby("city_id", sort=False):
        city = get_city(city_id)
        top = group[~group["residual"]].sort_values("persons", ascending=False).head(top_n)
        for rank, (_, row) in enumerate(top.iterrows(), start=1):
            out.append(
                {
                    "city": city.names.en,
                    "shore": shore_text(city.shore),
                    "definition": defs[row["definition_id"]].label,
                    "area": place_label(place_text(row["place_name"]), row["geography_level"]),
                    REFERENCE_DATE: row["ref_date"],
                    "rank": rank,
                    "origin": origin_name(row["origin"]),
                    SHARE: row["share"],
                    "source": row["source_id"],
                }
            )
    return pd.DataFrame(out, columns=columns)


def overlap_index(p: pd.Series, q: pd.Series) -> float:
    """Σ min(pᵢ, qᵢ) of two share vectors indexed by origin (missing origins count as 0).

    Raises
    ------
    DataError
        If a share is negative or a vector sums to more than 100 (+ rounding).
    """
    for shares in (p, q):
        if (shares < 0).any() or shares.sum() > 100.5:
            raise DataError("origin shares must be between 0 and 100 and sum to at most 100")
    joined = pd.concat([p.rename("p"), q.rename("q")], axis=1).fillna(0.0)
    return float(joined.min(axis=1).sum())


def overlap_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Overlap of origin mixes for every pair of cities whose tables count like populations.

    A pair is compared only when :func:`~workbench.analysis.comparability.comparable` holds for
    its two tables (same definition and breakdown, same kind of area, dates within the tolerance);
    ranks are given within each definition, never across (a refugee caseload is not ranked beside
    foreign residents). Pairs that are not comparable are listed last, with the reason and no overlap.

    Returns
    -------
    pandas.DataFrame
        Columns: definition, rank (same definition), city A, city B, overlap (%), countries in
        common, comparable; one row per pair.
    """
    columns = ["definition", RANK_SAME_DEFINITION_ONLY, "city A", "city B", OVERLAP, "countries in common", "comparable"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    defs = load_definitions()
    named = rows[~rows["residual"]]
    shares = {c: g.groupby("origin")["share"].sum() for c, g in named.groupby("city_id", sort=False)}
    figure = {
        c: Figure.on(g["definition_id"].iloc[0], g["geography_level"].iloc[0], str(g["ref_date"].iloc[0]), g["origin_type"].iloc[0])
        for c, g in named.groupby("city_id", sort=False)
    }
    cities = list(shares)
    out = []
    for i, a in enumerate(cities):
        for b in cities[i + 1:]:
            decision = comparable(figure[a], figure[b])
            out.append(
                {
                    "definition": defs[figure[a].definition_id].label if decision else T("not compared"),
                    "city A": get_city(a).names.en,
                    "city B": get_city(b).names.en,
                    OVERLAP: overlap_index(shares[a], shares[b]) if decision else None,
                    "countries in common": len(set(shares[a].index) & set(shares[b].index)),
                    "comparable": decision.reason,
                    "_compared": bool(decision),
                }
            )
    if not out:
        # one city with named origins makes no pair (an empty flag column would not select rows)
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(out, columns=[*columns, "_compared"])
    table["_key"] = table["definition"].astype(str)
    table = table.sort_values(["_compared", "_key", OVERLAP], ascending=[False, True, False], kind="stable")
    ranks = table[table["_compared"]].groupby("_key").cumcount() + 1
    table[RANK_SAME_DEFINITION_ONLY] = pd.array([ranks.get(i) for i in table.index], dtype="Int64")
    return table[columns].reset_index(drop=True)


def shared_origins(rows: pd.DataFrame, top_n: int = 10) -> pd.DataFrame:
    """Countries that are among the top origins of several cities: origin × city share matrix.

    Only migrant populations are set side by side: a city whose saved table is a protection caseload
    (refugees or asylum-seekers registered with UNHCR, :func:`workbench.analysis.caseloads.is_caseload`)
    has no column, since its shares are not those of the city's migrants.

    Returns
    -------
    pandas.DataFrame
        Columns: origin, cities (count), then one column per city with the share (%) where the
        country is among that city's ``top_n`` origins.
    """
    if rows.empty:
        return pd.DataFrame(columns=["origin", "cities"])
    named = rows[~rows["residual"] & ~rows["definition_id"].map(is_caseload).astype(bool)]
    if named.empty:
        return pd.DataFrame(columns=["origin", "cities"])
    tops = {}
    for city_id, group in named.groupby("city_id", sort=False):
        top = group.sort_values("persons", ascending=False).head(top_n)
        tops[get_city(city_id).names.en] = top.set_index("origin")["share"]
    matrix = pd.DataFrame(tops)
    matrix.insert(0, "cities", matrix.notna().sum(axis=1))
    matrix = matrix[matrix["cities"] > 1].sort_values("cities", ascending=False, kind="stable")
    matrix.index = [origin_name(c) for c in matrix.index]
    return matrix.rename_axis("origin").reset_index()

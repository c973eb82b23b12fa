"""Where do two official sources give different figures for the same population and year?

A City Migration Profile must show such figures side by side with both sources rather than pick
one silently (e.g. the Comunidad de Madrid's padrón series against the Ayuntamiento's own
extraction; ISTAT's census-based count against the municipal register for Turin; Morocco's two
counts from the 2014 census). Figures are matched on indicator, definition and calendar year; a
pair that covers different areas is still shown, marked, because readers meet both numbers.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.reference.i18n import Msg, T, join
from workbench.analysis.indicators import headline_of, published
from workbench.analysis.country import country_notes
from workbench.analysis.sections import Section
from workbench.reference.citations import COMPUTED_FROM_EXPERT, parse_citation
from workbench.reference.labels import SUB_CITY, place_label, source_name
from workbench.reference.registry import load_definitions
from workbench.reference.columns import DIFFERENCE_FROM_FIRST, REFERENCE_DATE

COLUMNS = ["population", "year", "source", "area", REFERENCE_DATE, "value", DIFFERENCE_FROM_FIRST, "comparable"]

#: One line saying what the table is, shown beside it.
DEFINITION = T(
    "Published figures for the same population (same indicator and definition) and year from different "
    "sources or releases; the difference is relative to the first figure for the same kind of area."
)

#: Whether a row is one of several figures for its area, or the one figure of another area.
SAME_AREA = T("same area")
DIFFERENT_AREA = T("different area")

# joins the source keys of one merged figure inside the computation (never shown)
_SEP = "\x1f"


def _source_key(rows: pd.DataFrame) -> pd.Series:
    # expert figures are one source id for many publications: their citation (and release, kept in
    # the category column) tells them apart
    citation = _citation(rows)
    expert = rows["source_id"] == "expert_figures"
    return rows["source_id"].where(~expert, "expert figure: " + citation)


def _citation(rows: pd.DataFrame) -> pd.Series:
    # an expert figure's citation (first part of its note) with its release, e.g. 'HCP report [release:x]'
    citation = rows["note"].fillna("").str.split(" | ", regex=False).str[0].str.split("; reported via").str[0]
    release = rows["category"].where(rows["category"] != "total", "")
    return citation + release.map(lambda r: f" [{r}]" if r else "")


def _stock_year(ref_date: pd.Series) -> pd.Series:
    # a stock on 31 December is the stock of 1 January of the next year
    year = ref_date.str[:4].astype(int)
    return (year + ref_date.str.endswith("-12-31").astype(int)).astype(str)


def _candidates(local: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    city = headline_of(published(local), "population")
    city = city[
        (city["definition_id"].isin(ind.MIGRANT_DEFINITIONS) | (city["definition_id"] == "total_population"))
        & ~city["geography_level"].isin(SUB_CITY + ("country",))
    ]
    country = headline_of(published(national), "population")
    country = country[country["definition_id"].isin(ind.MIGRANT_DEFINITIONS)]
    # expert figures may carry a release in `category` (not a breakdown): the country's, and the city's areas'
    expert = pd.concat([published(national), published(local[~local["geography_level"].isin(SUB_CITY + ("country",))])])
    expert = expert[
        (expert["source_id"] == "expert_figures") & (expert["indicator_id"] == "population")
        & (expert["sex"] == "total") & (expert["age"] == "total") & (expert["origin"] == "total")
        & expert["category"].str.startswith("release:")
        & expert["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
    ]
    rows = pd.concat([city, country, expert], ignore_index=True).drop_duplicates()
    return rows.assign(year=_stock_year(rows["ref_date"]), source_key=_source_key(rows), citation=_citation(rows))


def _area_rows(area: pd.DataFrame) -> pd.DataFrame:
    # one row per distinct figure of an area: sources (and dates: 31 Dec = 1 Jan) giving the same value are merged
    return (
        area.sort_values("ref_date")
        .groupby("value", sort=False)
        .agg(
            source=("source_key", lambda s: _SEP.join(dict.fromkeys(s))),
            ref_date=("ref_date", lambda s: " = ".join(dict.fromkeys(s))),
            place_name=("place_name", "first"),
            level=("geography_level", "first"),
        )
        .reset_index()
    )


def conflicting_figures(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Figures for one population and year that differ between sources, side by side.

    Figures are matched on indicator, definition and year (a stock on 31 December counts for the
    next year). A block is shown when two sources give different values for the same kind of
    area, or, for migrant definitions, when sources count the population of different areas
    that stand for the city (e.g. the comune and the metropolitan city); country rows appear only
    when they themselves conflict. Sources giving the same value are merged into one row. The
    latest such year is kept per definition so overlapping series do not flood the table: the
    latest year in which sources disagree, or, when none does, the latest year with several areas.

    Returns
    -------
    Section
        Columns: population, year, source, area, reference date, value, difference from first (%)
        (within the same kind of area), comparable ('same area' for the figures of the first area and
        of any area that several sources give, 'different area' for the one figure of another area).
    """
    rows = _candidates(local, national)
    empty = Section(pd.DataFrame(columns=COLUMNS))
    if rows.empty:
        return empty
    defs = load_definitions()
    latest: dict[str, tuple[str, list[pd.DataFrame], bool]] = {}
    for (definition_id, year), block in rows.groupby(["definition_id", "year"], sort=True):
        areas = []
        for _, area in block.groupby("geography_level", sort=False):
            merged = _area_rows(area)
            areas.append((merged, len(merged) > 1))
        conflicting = any(c for _, c in areas)
        local_areas = [m for m, _ in areas if m["level"].iloc[0] != "country"]
        local_sources = {k for m in local_areas for k in m["source"]}
        several_areas = definition_id in ind.MIGRANT_DEFINITIONS and len(local_areas) > 1 and len(local_sources) > 1
        if not (conflicting or several_areas):
            continue
        shown = [m for m, c in areas if c or m["level"].iloc[0] != "country"]
        if definition_id in latest and latest[definition_id][2] and not conflicting:
            continue  # a later year whose areas merely differ does not hide a year whose sources disagree
        latest[definition_id] = (year, sorted(shown, key=lambda m: _order(m["level"].iloc[0])), conflicting)
    if not latest:
        return empty
    citations = dict(zip(rows["source_key"], rows["citation"]))
    # the publication an expert figure was read from, cited in full in an annex's list of sources
    publications = dict(zip(rows["source_key"], rows["note"].fillna("").str.split(" | ", regex=False).str[0]))
    out, used_keys = [], []
    for definition_id, (year, areas, _) in sorted(latest.items()):
        for i, merged in enumerate(areas):
            # the figures of one area are compared with each other; another area with one figure is
            # there because it also stands for the city (another territory, not another estimate)
            comparable = SAME_AREA if i == 0 or len(merged) > 1 else DIFFERENT_AREA
            base = float(merged["value"].iloc[0])
            for _, row in merged.iterrows():
                keys = row["source"].split(_SEP)
                used_keys.extend(keys)
                out.append(
                    {
                        "population": defs[definition_id].label,
                        "year": year,
                        "source": _source_cell(keys, citations),
                        "area": place_label(row["place_name"], row["level"]),
                        REFERENCE_DATE: row["ref_date"],
                        "value": row["value"],
                        DIFFERENCE_FROM_FIRST: 100 * (row["value"] - base) / base if base else float("nan"),
                        "comparable": comparable,
                    }
                )
    table = pd.DataFrame(out, columns=COLUMNS)
    refs = [
        (parse_citation(publications[k]) or COMPUTED_FROM_EXPERT) if k.startswith("expert figure: ") else k
        for k in dict.fromkeys(used_keys)
    ]
    notes = [
        DEFINITION,
        T(
            "Differences between sources for the same area come from the registers, revisions and reference "
            "dates behind each figure; neither figure is corrected here. Rows marked 'different area' count "
            "another territory: they are not estimates of the same population."
        ),
        *country_notes(national, sorted(latest)),
    ]
    return Section(table, refs, notes)


def _source_cell(keys: list[str], citations: dict[str, str]) -> str | Msg:
    # sources by name (publisher and table); an expert figure as its citation; several sources giving the same value joined
    parts = [T("expert figure: {citation}", citation=citations[k]) if k.startswith("expert figure: ") else source_name(k) for k in keys]
    if len(parts) == 1:
        return parts[0]
    return join(parts, "; ")


_LEVEL_ORDER = ["municipality", "city", "urban_unit", "metropolitan_city", "greater_city", "prefecture", "governorate", "region", "nuts2", "country"]


def _order(level: str) -> int:
    return _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER)

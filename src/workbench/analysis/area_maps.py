"""The values a map shows: one share per area of a city, and per city and country of the network.

The tables here are what :mod:`workbench.report.maps` draws (the notebook keeps them with the
exhibit, so an annex draws the map again in its language); their columns are declared here once.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.compare import Loaded, latest_shares
from workbench.analysis.indicators import MIGRANT_DEFINITIONS
from workbench.analysis.sections import Section
from workbench.errors import DataError
from workbench.reference.columns import REFERENCE_DATE, SHARE as COMPARE_SHARE
from workbench.reference.labels import geography_label
from workbench.reference.registry import get_city, load_definitions

#: Columns of a district map's table: the join code, the area's published name, its share, definition, date.
PLACE_ID, AREA, SHARE, DEFINITION, DATE = "place_id", "area", "share (%)", "definition", "reference date"
DISTRICT_COLUMNS = [PLACE_ID, AREA, SHARE, DEFINITION, DATE]
#: Columns of the network map's table: 'country' rows (place = ISO3) and 'city' rows (place = name, lon, lat).
NETWORK_COLUMNS = ["kind", "place", "lon", "lat", SHARE, DEFINITION, DATE]


def district_shares(counts: pd.DataFrame, level: str, ref_date: str | None = None, source_id: str | None = None) -> Section:
    """The migrant share of each area of one level on one date: what a district map shows.

    Parameters
    ----------
    counts
        Output of :func:`workbench.analysis.areas.district_counts` (one row per area and date).
    level
        An area level (``district``, ``neighbourhood``).
    ref_date
        The date; the latest of the level when None.
    source_id
        Needed only when several sources give areas of this level on that date.

    Returns
    -------
    Section
        Columns :data:`DISTRICT_COLUMNS` in ``place_id`` order (share = migrants ÷ total × 100;
        empty when the total is not positive), the source id; empty when the level has no areas.

    Raises
    ------
    DataError
        If several sources or definitions remain and ``source_id`` is not given.
    """
    rows = counts[counts["geography_level"] == level]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        return Section(pd.DataFrame(columns=DISTRICT_COLUMNS))
    date = ref_date if ref_date is not None else rows["ref_date"].max()
    rows = rows[rows["ref_date"] == date].sort_values("place_id")
    if rows[["source_id", "definition_id"]].drop_duplicates().shape[0] > 1:
        raise DataError(f"district_shares: several sources or definitions give {level} areas on {date} "
                        f"({', '.join(sorted(set(rows['source_id'])))}); pass source_id")
    total = rows["total"].astype(float)
    definition = load_definitions()[rows["definition_id"].iloc[0]].label
    table = pd.DataFrame({
        PLACE_ID: rows["place_id"].astype(str).to_numpy(),
        AREA: rows["place_name"].to_numpy(),
        SHARE: (100 * rows["migrants"].astype(float) / total.where(total > 0)).to_numpy(),
        DEFINITION: definition,  # the registry label: a chart translates it
        DATE: date,
    })
    return Section(table, [rows["source_id"].iloc[0]])


#: The areas a city's point stands for, most like the city first (geography labels as the comparison shows them).
_AREA_ORDER = {geography_label(level): k for k, level in enumerate(["municipality", "city", "greater_city"])}


def city_figure(latest: pd.DataFrame, order: dict[str, int]):
    """The one figure of a city's latest shares (:func:`~workbench.analysis.compare.latest_shares` rows)
    its point on the network map shows, or None: the newest, then the area most like the city
    (:data:`_AREA_ORDER`), then the definition first in ``order`` (definition label → rank)."""
    if latest.empty:
        return None
    ranked = latest.assign(_o=latest["definition"].map(lambda d: order.get(d, len(order))),
                           _a=latest["geography"].map(lambda g: _AREA_ORDER.get(str(g), len(_AREA_ORDER))))
    return ranked.sort_values([REFERENCE_DATE, "_a", "_o"], ascending=[False, True, True], kind="stable").iloc[0]


def network_shares(loaded: Loaded) -> pd.DataFrame:
    """Each city's one latest migrant share and its country's UN DESA share: what the network map shows.

    A city with several latest figures is marked with one: the newest, then the one about the city
    itself (municipality or city before the greater city, before a governorate or region: a region's
    figure is never put on the city's point when the city has its own), then the first definition
    in :data:`workbench.analysis.indicators.MIGRANT_DEFINITIONS` order, then the first area. A city
    without a figure (or whose run saved none) has a row with an empty share. Countries have the
    latest international migrant stock as % of population (UN DESA 2020 edition: the 2024 edition
    publishes no share).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NETWORK_COLUMNS`: 'country' rows (place = ISO 3166 alpha-3), then 'city' rows
        in the order of ``loaded.city_ids``.
    """
    defs = load_definitions()
    order = {defs[d].label: k for k, d in enumerate(MIGRANT_DEFINITIONS) if d in defs}
    latest = latest_shares(loaded)
    rows = []
    if not loaded.national.empty:
        nat = loaded.national[(loaded.national["source_id"] == "undesa_ims_2020")
                              & (loaded.national["indicator_id"] == "population_share")]
        nat = nat.assign(iso3=nat["city_id"].map(lambda c: get_city(c).country_iso3)).sort_values("period")
        for iso3, row in nat.groupby("iso3").tail(1).set_index("iso3").sort_index().iterrows():
            rows.append({"kind": "country", "place": iso3, SHARE: float(row["value"]),
                         DEFINITION: defs["un_migrant_stock"].label, DATE: f"{str(row['period'])[:4]}-07-01"})
    for city_id in loaded.city_ids:
        city = get_city(city_id)
        first = city_figure(latest[latest["city"] == city.names.en], order)
        rows.append({"kind": "city", "place": city.names.en, "lon": city.lon, "lat": city.lat,
                     SHARE: float(first[COMPARE_SHARE]) if first is not None else None,
                     DEFINITION: first["definition"] if first is not None else None,
                     DATE: first[REFERENCE_DATE] if first is not None else None})
    return pd.DataFrame(rows, columns=NETWORK_COLUMNS)

"""Which cities the tidy data cover for each framework item, and each item's latest figure for one city."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import series_flags
from workbench.analysis.indicators import BREAKDOWNS, EXHAUSTIVE_SOURCES, SUMMED_OVER_ORIGINS, headline, superseded
from workbench.reference.framework import Item, Measure, load_framework
from workbench.reference.labels import SUB_CITY

#: The geography level of the region around a city (EU-LFS NUTS 2 regions, see
#: :attr:`workbench.tidy.catalog.CityData.regional`): neither the city nor its country.
REGION = "nuts2"
from workbench.reference.registry import City, load_definitions

def coverage(tidy: pd.DataFrame, cities: dict[str, City], items: list[Item]) -> pd.DataFrame:
    """Which framework items the tidy data cover for each city, and for which years.

    Parameters
    ----------
    tidy
        All tidy rows (official sources and expert figures).
    cities
        The cities registry.
    items
        The framework.

    Returns
    -------
    pandas.DataFrame
        One row per item (id, theme, label) and one column per city holding the first and last
        year with data (e.g. ``2015-2023``), ``expert input`` for items no public statistic
        covers, or an empty string when the city has no data for the item.
    """
    years = tidy["period"].str[:4]
    sub_city = tidy["geography_level"].isin(SUB_CITY)
    is_country = tidy["geography_level"] == "country"
    is_region = tidy["geography_level"] == REGION
    places = {
        c.city_id: (
            ((tidy["city_id"] == c.city_id) & ~is_country).to_numpy(),
            (tidy["country_iso3"] == c.country_iso3).to_numpy(),
            # regions carry no city id: the registry's NUTS 2 codes tie them to the city
            (is_region & tidy["place_id"].isin(c.codes.get("eurostat_nuts2", []))).to_numpy(),
        )
        for c in cities.values()
    }
    rows = []
    for item in items:
        row = {"id": item.id, "theme": item.theme, "indicator": item.label}
        base = item_rows(tidy, item) if item.measure else None
        for city_id, (local, national, region) in places.items():
            row[city_id] = "expert input" if base is None else _cell(
                years, base, item.measure.level, local, national & is_country.to_numpy(), sub_city.to_numpy(), region
            )
        rows.append(row)
    return pd.DataFrame(rows)


def item_mask(tidy: pd.DataFrame, m: Measure):
    """Boolean mask (numpy) of the rows matching an item's measure: indicator, definition and breakdown."""
    mask = tidy["indicator_id"].isin(m.indicator) & tidy["definition_id"].isin(m.definitions) & _breakdown(tidy, m)
    return mask.to_numpy()


def item_rows(tidy: pd.DataFrame, item: Item):
    """Boolean mask (numpy) of the rows that give an item's figures.

    The rows of its measure (:func:`item_mask`) and, for a percentage of the population measured by
    counts (:func:`share_of_counts`), the shares published as such where the same source publishes
    no count of that place and definition (a survey share entered by a local expert: Beirut
    governorate, 30.9 % non-Lebanese); shares the workbench computed (flag ``c``) are not publications.
    """
    mask = item_mask(tidy, item.measure)
    if not share_of_counts(item):
        return mask
    m = item.measure
    shares = (
        (tidy["indicator_id"] == "population_share") & tidy["definition_id"].isin(m.definitions) & _breakdown(tidy, m)
        & ~tidy["flag"].fillna("").str.contains("c")
    ).to_numpy()
    if not shares.any():
        return mask
    key = tidy["source_id"].astype(str) + "|" + tidy["place_id"].astype(str) + "|" + tidy["definition_id"].astype(str)
    counted = set(key[mask])
    return mask | (shares & ~key.isin(counted).to_numpy())


def share_of_counts(item: Item) -> bool:
    """Whether an item is a percentage of the population measured by counts (its share is computed from them)."""
    return item.unit == "percent" and list(item.measure.indicator) == ["population"]


def _cell(years: pd.Series, base, level: str, local, country, sub_city, region) -> str:
    if level == "city":
        in_city = base & local & ~sub_city
        if not in_city.any():
            # a city published only by district (Stadt Wien) is covered through the sum of its districts
            by_district = _span(years[base & local & sub_city])
            return f"{by_district} (districts)" if by_district else ""
        return _span(years[in_city])
    if level == "district":
        return _span(years[base & local & sub_city])
    if level == "country":
        return _span(years[base & country])
    # 'any': the city's places, the region around it or the country (never another city's rows)
    return _span(years[base & (local | country | region)])


def _breakdown(tidy: pd.DataFrame, m: Measure) -> pd.Series:
    if m.breakdown in ("sex", "age", "origin"):
        return tidy[m.breakdown] != "total"
    if m.breakdown:
        return tidy["category"].str.startswith(m.breakdown.split(":", 1)[1] + ":")
    # an item without breakdown is a figure of the whole group: a row of one origin (e.g. the
    # Syrians of Amman in 2014) is not that item's figure for its year, unless the source's origins
    # are all there and add up to the group (UNHCR, Stadt Wien: summed by the profile), or it is a
    # group the item declares to stand for the whole (Eurostat's EU and non-EU citizens, no total)
    whole = tidy["source_id"].isin(SUMMED_OVER_ORIGINS + EXHAUSTIVE_SOURCES) | tidy["origin"].isin(m.origins)
    return (tidy["origin"] == "total") | whole


def _span(found: pd.Series) -> str:
    if found.empty:
        return ""
    first, last = found.min(), found.max()
    return first if first == last else f"{first}-{last}"


#: Columns of :func:`latest_values` (and of the ``framework_values.csv`` a city run saves).
VALUE_COLUMNS: tuple[str, ...] = (
    "city_id",
    "item_id",
    "theme",
    "item",
    "place",
    "geography_level",
    "definition_id",
    "definition",
    "indicator_id",
    "subgroup",
    "ref_date",
    "value",
    "unit",
    "source_id",
    "flag",
    "note",
)

#: Unit of the one row an expert-input item (no public statistic) gets.
EXPERT_INPUT = "expert input"

_KEY = ["source_id", "place_id", "definition_id", "indicator_id"]

#: Columns each item's figures are built with (the item and city columns are added after).
_FIGURE_COLUMNS = (
    "place", "geography_level", "definition_id", "indicator_id", "subgroup", "ref_date", "value", "unit", "source_id", "flag", "note",
)

_ORDER = ["place", "definition_id", "indicator_id", "subgroup", "source_id", "ref_date"]

#: Most figures one table without total row may give (each named by its subgroup).
_MAX_SUBGROUPS = 3


def latest_values(
    city_id: str,
    local: pd.DataFrame,
    national: pd.DataFrame,
    items: list[Item] | None = None,
    regional: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The latest headline figure of every framework item for one city, as a comparison can show it.

    Rows are matched as :func:`coverage` matches them, restricted to the item's level: the city's
    own places (not its districts) for 'city', its districts and neighbourhoods for 'district',
    the country for 'country', city places, the region around the city and the country for 'any'.
    Then, per source, place,
    definition and indicator:

    * an item without breakdown gives its latest headline row; a population item whose unit is
      percent gives instead the ``population_share`` row of the same source, place, definition
      and date (the count is kept, in persons, when no share exists for that date). A table
      without total row gives its least broken-down rows when there are at most three of them
      (Eurostat's employed persons aged 20-64, ISTAT's unemployment rates for three age
      ranges), each with its subgroup named in ``subgroup``; otherwise nothing is picked;
    * an item with a breakdown gives one row for its latest date: the number of categories
      published (unit 'categories'), never an aggregate of them.

    Areas inside the city (a 'district' item, or a 'city'/'any' item published only by district)
    are summarised as one row per source, definition and kind of area: the number of areas with a
    figure (unit 'areas'), or the number of categories for an item with a breakdown.
    An item with no measure (expert input) gets one row with value NaN and unit 'expert input'.
    A value its publisher corrected after the release held (flag ``x``) or projects (the sources
    registry's ``projected_from``) is never picked.

    Parameters
    ----------
    city_id
        The city the rows describe (copied to the ``city_id`` column).
    local, national
        The city's and the country's rows, from :func:`workbench.analysis.profile_tables.prepare_local` and
        :func:`workbench.analysis.profile_tables.prepare_national`.
    items
        The framework items; :func:`load_framework` when ``None``.
    regional
        The rows of the region around the city (:attr:`workbench.tidy.catalog.CityData.regional`),
        figures of 'any' items only; none when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VALUE_COLUMNS`, items in framework order. ``subgroup`` is '' or the one
        breakdown a figure is restricted to (e.g. ``age Y20-64``); ``note`` carries the tidy
        note (an expert figure's citation, a computed share's numerator and denominator) or the
        categories counted.
    """
    items = load_framework() if items is None else items
    labels = {d: defn.label for d, defn in load_definitions().items()}
    # only the rows some item can match (and the shares), so each item scans a small frame
    wanted = {i for item in items if item.measure for i in item.measure.indicator} | {"population_share"}
    region = local.iloc[0:0] if regional is None else _current(regional, wanted)
    areas, sub_city, pool = _level_frames(_current(local, wanted), _current(national, wanted), region)
    parts = []
    for item in items:
        if item.measure is None:
            parts.append(pd.DataFrame([_expert_row()]))
        else:
            figures = _item_figures(item, areas[item.measure.level], sub_city[item.measure.level], pool)
            parts.append(figures.sort_values(_ORDER, kind="stable") if len(figures) else figures)
        parts[-1] = parts[-1].assign(item_id=item.id, theme=item.theme, item=item.label)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(VALUE_COLUMNS))
    out["city_id"] = city_id
    out["definition"] = out["definition_id"].map(lambda d: labels.get(d, d))
    return out[list(VALUE_COLUMNS)].astype({"value": float}).reset_index(drop=True)


def _current(frame: pd.DataFrame, indicators: set[str]) -> pd.DataFrame:
    # the rows of these indicators, less the values their publisher corrected later (flag 'x') and
    # those it projects (World Bank net migration from 2024): a comparison's latest figure is data
    frame = frame[frame["indicator_id"].isin(indicators)]
    projected = pd.Series(series_flags.projection_status(frame), index=frame.index) == series_flags.PROJECTION
    return frame[~superseded(frame) & ~projected]


def _expert_row() -> dict:
    row = dict.fromkeys(_FIGURE_COLUMNS, "")
    return {**row, "value": float("nan"), "unit": EXPERT_INPUT}


def _level_frames(local: pd.DataFrame, national: pd.DataFrame, region: pd.DataFrame):
    # per level: the rows of whole areas, the rows of areas inside the city, and where shares are looked up
    in_city = local["geography_level"].isin(SUB_CITY)
    own = local[~in_city & (local["geography_level"] != "country")]
    country = national[national["geography_level"] == "country"]
    districts = local[in_city]
    none = local.iloc[0:0]
    areas = {"city": own, "district": none, "country": country, "any": pd.concat([own, region, country])}
    sub_city = {"city": districts, "district": districts, "country": none, "any": districts}
    pool = pd.concat([own, country])
    return areas, sub_city, pool[pool["indicator_id"] == "population_share"]


def _item_figures(item: Item, areas: pd.DataFrame, sub_city: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    m = item.measure
    found = areas[item_rows(areas, item)]
    if not found.empty:
        if m.breakdown:
            return _category_counts(found, m.breakdown, _KEY, found["place_name"])
        return _headline_rows(found, item, shares)
    found = sub_city[item_mask(sub_city, m)]
    if found.empty:
        return pd.DataFrame()
    return _area_counts(found, m.breakdown)


def _headline_rows(found: pd.DataFrame, item: Item, shares: pd.DataFrame) -> pd.DataFrame:
    found = found.sort_values(["ref_date", "period"], kind="stable")
    heads = headline(found)
    latest = heads.groupby(_KEY, sort=False).tail(1).assign(subgroup="")
    # a table without total row still has a figure when its least broken-down rows are few
    # (alternative scopes such as the age range of a rate); more would be a breakdown to pick from
    rest = found[~found.set_index(_KEY).index.isin(heads.set_index(_KEY).index)]
    rest = rest[rest["ref_date"] == rest.groupby(_KEY)["ref_date"].transform("max")]
    depth = sum((rest[c] != "total").astype(int) for c in BREAKDOWNS)
    rest = rest[depth == depth.groupby([rest[k] for k in _KEY]).transform("min")]
    single = rest[rest.groupby(_KEY)["value"].transform("size") <= _MAX_SUBGROUPS]
    single = single.assign(subgroup=[
        ", ".join(f"{c} {row[c]}" for c in BREAKDOWNS if row[c] != "total") for _, row in single.iterrows()
    ])
    latest = pd.concat([latest, single]) if len(single) else latest
    if share_of_counts(item):
        # the same source, place, definition and date as a share of the population (a share published
        # without a count, see item_rows, is its own row)
        on = ["source_id", "place_id", "definition_id", "ref_date"]
        share = headline(shares).drop_duplicates(on, keep="last")[on + ["value", "unit", "flag", "note"]]
        merged = latest.merge(share, on=on, how="left", suffixes=("", "_share"))
        has = merged["value_share"].notna() & (merged["subgroup"] == "") & (merged["indicator_id"] == "population")
        for column in ("value", "unit", "flag"):
            merged[column] = merged[column].where(~has, merged[f"{column}_share"])
        # the count's note comes first: for an expert figure it is the citation
        merged["note"] = merged["note"].where(~has, _joined(merged["note"], "share " + merged["note_share"].fillna("")))
        latest = merged
    latest = latest.rename(columns={"place_name": "place"})
    return latest[list(_FIGURE_COLUMNS)]


def _category_counts(found: pd.DataFrame, breakdown: str, key: list[str], place: pd.Series) -> pd.DataFrame:
    # the latest date of each key, then the number of distinct categories published on it
    column = breakdown if breakdown in ("sex", "age", "origin") else "category"
    found = found.assign(place=place)
    last = found.groupby(key)["ref_date"].transform("max")
    found = found[found["ref_date"] == last]
    rows = []
    for _, group in found.groupby(key, sort=False):
        categories = sorted(group[column].unique())
        first = group.iloc[0]
        rows.append(
            {
                "place": first["place"],
                "geography_level": first["geography_level"],
                "definition_id": first["definition_id"],
                "indicator_id": first["indicator_id"],
                "subgroup": "",
                "ref_date": first["ref_date"],
                "value": float(len(categories)),
                "unit": "categories",
                "source_id": first["source_id"],
                "flag": "".join(sorted(set("".join(group["flag"].fillna(""))))),
                "note": _joined(group["note"].iloc[:1], "categories: " + _listing(categories)).iloc[0],
            }
        )
    return pd.DataFrame(rows)


def _area_counts(found: pd.DataFrame, breakdown: str | None) -> pd.DataFrame:
    # areas inside the city: how many areas (or categories) the latest date covers, per kind of area
    key = ["source_id", "definition_id", "indicator_id", "geography_level"]
    if breakdown:
        last = found.groupby(key)["ref_date"].transform("max")
        latest = found[found["ref_date"] == last]
        areas = latest.groupby(key)["place_id"].transform("nunique")
        labels = [_areas_label(n, level) for n, level in zip(areas, latest["geography_level"])]
        return _category_counts(latest, breakdown, key, pd.Series(labels, index=latest.index))
    heads = headline(found)
    last = heads.groupby(key)["ref_date"].transform("max")
    heads = heads[heads["ref_date"] == last]
    rows = []
    for _, group in heads.groupby(key, sort=False):
        first = group.iloc[0]
        names = sorted(group["place_name"].unique())
        count = group["place_id"].nunique()
        rows.append(
            {
                "place": _areas_label(count, first["geography_level"]),
                "geography_level": first["geography_level"],
                "definition_id": first["definition_id"],
                "indicator_id": first["indicator_id"],
                "subgroup": "",
                "ref_date": first["ref_date"],
                "value": float(count),
                "unit": "areas",
                "source_id": first["source_id"],
                "flag": "".join(sorted(set("".join(group["flag"].fillna(""))))),
                "note": _joined(group["note"].iloc[:1], "areas: " + _listing(names)).iloc[0],
            }
        )
    return pd.DataFrame(rows)


def _areas_label(count: int, level: str) -> str:
    return f"{count} {level}" + ("" if count == 1 else "s")


def _joined(first: pd.Series, then: pd.Series | str) -> pd.Series:
    first = first.fillna("").astype(str)
    return first.where(first == "", first + " | ") + then


def _listing(names: list[str], shown: int = 8) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(map(str, names[:shown])) + more

"""Are the foreign-born of the region around a city more often unemployed than all its residents (EU-LFS, NUTS 2)?

Pure functions on the rows of :attr:`workbench.tidy.catalog.CityData.regional` (Eurostat
``lfst_r_lfur2gac``): the rate of the foreign-born, of those born in another EU country and of those
born outside the EU, set against the rate of *all* residents of the region (the foreign-born
included: the table publishes no native-born rate, so the gap is never called a migrant-native gap).
"""

from __future__ import annotations

import pandas as pd

from workbench.reference.columns import (
    ALL_RESIDENTS_RATE, CITY, FLAG, FOREIGN_BORN_RATE, GAP_TO_ALL_RESIDENTS, GROUP, PLACE, UNEMPLOYMENT_RATE, YEAR,
)
from workbench.reference.i18n import Label, Msg, T, join
from workbench.analysis.sections import Section
from workbench.tidy.schemas import FLAGS

#: The regional table of unemployment rates by country of birth.
SOURCE_ID = "eurostat_lfst_r_lfur2gac"

#: (definition, origin) → the group as readers see it, in display order; the first is the reference.
GROUPS: dict[tuple[str, str], Msg] = {
    ("total_population", "total"): T("all residents (incl. foreign-born)"),
    ("foreign_born", "total"): T("foreign-born"),
    ("foreign_born", "EU27_2020_FOR"): T("born in another EU country"),
    ("foreign_born", "NEU27_2020_FOR"): T("born outside the EU"),
}
_REFERENCE = ("total_population", "total")
_FOREIGN_BORN = ("foreign_born", "total")


#: What an exhibit of this table says of its area: a region around the city, or the city itself
#: (a city-state; ``region_is_city`` in the cities registry).
AREA_CAVEAT = T("NUTS 2 region, not the city: the rates describe the whole region around the city (EU Labour Force Survey, a sample survey).")
CITY_STATE_CAVEAT = T("NUTS 2 region that is the city itself (a city-state): the rates describe the city (EU Labour Force Survey, a sample survey).")

#: What every exhibit of this table must say about its area and its method.
CAVEATS: list[Msg] = [
    AREA_CAVEAT,
    T("Unemployed persons aged 15-64 as % of the labour force aged 15-64, by country of birth (not citizenship); annual averages."),
    T("All residents includes the foreign-born: Eurostat publishes no rate of the native-born in this table, so the gap understates the gap between migrants and natives, and the more so where the foreign-born are a larger part of the labour force; gaps of regions with different shares of foreign-born do not compare exactly."),
]

#: What each Eurostat flag of this table means here.
FLAG_NOTES: dict[str, Msg] = {
    "u": T("Flag u: low reliability (few sample observations); where reliability is too low Eurostat publishes no rate, and none is shown."),
    "b": T("Flag b: break in series (from 2021 the EU Labour Force Survey follows a new regulation); read changes across the break with care."),
}
#: The same letters in a table that is not from the Labour Force Survey (e.g. residence permits).
OTHER_FLAG_NOTES: dict[str, Msg] = {
    **{k: v for k, v in FLAG_NOTES.items() if k != "b"},
    "b": T("Flag b: break in series (a change of method or coverage by the publisher); read changes across the break with care."),
    "d": T("Flag d: definition differs from the EU standard (see Eurostat's metadata for the country)."),
    "e": T("Flag e: estimated by the publisher."),
}


def caveats(region_is_city: bool = False) -> list[Msg]:
    """:data:`CAVEATS`, their first one saying the region is the city itself when it is."""
    return [CITY_STATE_CAVEAT, *CAVEATS[1:]] if region_is_city else list(CAVEATS)


def area_label(city, region_is_city: bool = False) -> Msg:
    """How a caption names the area of the rates: the region around ``city`` (a name or names), or the city itself."""
    return T("NUTS 2 region, the city itself") if region_is_city else T("NUTS 2 region around {city}", city=city)


def regional_rates(regional: pd.DataFrame) -> pd.DataFrame:
    """The unemployment rates of the region's groups by country of birth, one row per region, year and group.

    Parameters
    ----------
    regional
        Tidy rows of the city's region (other sources and indicators are ignored).

    Returns
    -------
    pandas.DataFrame
        Columns place_id, place_name, year (int), group_key (definition, origin), group (message),
        order, rate (%), flag. Groups Eurostat did not publish for a year have no row.
    """
    if regional.empty:
        return pd.DataFrame(columns=["place_id", "place_name", "year", "group_key", "group", "order", "rate", "flag"])
    rows = regional[
        (regional["source_id"] == SOURCE_ID) & (regional["indicator_id"] == "unemployment_rate")
        & (regional["sex"] == "total") & regional["value"].notna()
    ]
    keys = list(zip(rows["definition_id"], rows["origin"]))
    kept = [k in GROUPS for k in keys]
    rows = rows[kept]
    keys = [k for k, keep in zip(keys, kept) if keep]
    order = {k: i for i, k in enumerate(GROUPS)}
    out = pd.DataFrame(
        {
            "place_id": rows["place_id"].to_numpy(),
            "place_name": rows["place_name"].to_numpy(),
            "year": rows["period"].astype(int).to_numpy(),
            "group_key": keys,
            "group": [GROUPS[k] for k in keys],
            "order": [order[k] for k in keys],
            "rate": rows["value"].astype(float).to_numpy(),
            "flag": rows["flag"].fillna("").to_numpy(),
        }
    )
    return out.sort_values(["place_id", "year", "order"], kind="stable").reset_index(drop=True)


def regional_unemployment(regional: pd.DataFrame, region_is_city: bool = False) -> Section:
    """The latest year's unemployment rates of the region's groups by birth, with the gap to all residents.

    The latest year is the last one with a rate for all residents and for the foreign-born; a group
    not published that year is named in a note, never shown as zero.

    Parameters
    ----------
    regional
        Tidy rows of the city's region.
    region_is_city
        The region is the city itself (the cities registry's ``region_is_city``): the notes say so.

    Returns
    -------
    Section
        Columns place, year, group, unemployment rate (%), gap with all residents (pp), flag. The gap
        is group − all residents in percentage points (empty for all residents). Empty when the
        region has no such rates.
    """
    columns = [PLACE, YEAR, GROUP, UNEMPLOYMENT_RATE, GAP_TO_ALL_RESIDENTS, FLAG]
    rates = regional_rates(regional)
    parts, missing = [], []
    for _place, rows in rates.groupby("place_id", sort=True):
        year = _latest_paired_year(rows)
        if year is None:
            continue
        part = rows[rows["year"] == year]
        reference = part.loc[part["group_key"] == _REFERENCE, "rate"].iloc[0]
        part = part.assign(gap=[float("nan") if k == _REFERENCE else r - reference for k, r in zip(part["group_key"], part["rate"])])
        parts.append(part)
        absent = [GROUPS[k] for k in GROUPS if k not in set(part["group_key"])]
        if absent:
            missing.append(T("{region}, {year}: Eurostat publishes no rate for {groups} (not shown, not zero).",
                             region=str(part["place_name"].iloc[0]), year=str(year), groups=join(absent, ", ")))
    if not parts:
        return Section(pd.DataFrame(columns=columns))
    latest = pd.concat(parts, ignore_index=True)
    table = pd.DataFrame(
        {
            PLACE: latest["place_name"],
            YEAR: latest["year"].astype(str),
            GROUP: latest["group"],
            UNEMPLOYMENT_RATE: latest["rate"],
            GAP_TO_ALL_RESIDENTS: latest["gap"],
            FLAG: latest["flag"],
        }
    )
    notes = [*caveats(region_is_city), T("Gap = rate of the group − rate of all residents of the same region and year, in percentage points.")]
    notes += missing + flag_notes(latest["flag"])
    return Section(table[columns], [SOURCE_ID], notes)


def regional_unemployment_series(regional: pd.DataFrame, since: int | None = None) -> tuple[pd.DataFrame, list[Msg]]:
    """The points of the chart of the region's rates over time, and the notes of its flags.

    Parameters
    ----------
    regional
        Tidy rows of the city's region.
    since
        First year drawn (all years when ``None``).

    Returns
    -------
    (pandas.DataFrame, list)
        Columns place, year (int), group, rate; one line per group and region (a chart never joins
        two regions: draw with ``segment='place'``); and the notes of the flags drawn.
    """
    rates = regional_rates(regional)
    if since is not None:
        rates = rates[rates["year"] >= since]
    points = pd.DataFrame({"place": rates["place_name"], "year": rates["year"], "group": rates["group"], "rate": rates["rate"]})
    return points.reset_index(drop=True), flag_notes(rates["flag"])


def flag_notes(flags: pd.Series, survey: bool = True) -> list[Msg]:
    """The notes of the Eurostat flags among ``flags`` (each letter once, in the order of :data:`FLAG_NOTES`);
    ``survey``: the table is from the Labour Force Survey (its break of 2021), else :data:`OTHER_FLAG_NOTES`."""
    letters = set("".join(flags.fillna("").astype(str)))
    notes = FLAG_NOTES if survey else OTHER_FLAG_NOTES
    return [notes.get(letter, T("Flag {flag}: {meaning}.", flag=letter, meaning=Label(FLAGS.get(letter, letter))))
            for letter in [*FLAG_NOTES, *sorted(letters - set(FLAG_NOTES))] if letter in letters]


def _latest_paired_year(rates: pd.DataFrame) -> int | None:
    # the last year with both the reference and the foreign-born rate: a gap needs both
    reference = set(rates.loc[rates["group_key"] == _REFERENCE, "year"])
    foreign = set(rates.loc[rates["group_key"] == _FOREIGN_BORN, "year"])
    both = reference & foreign
    return max(both) if both else None


def compare_regions(rates: pd.DataFrame, cities: dict[str, str], city_states: tuple[str, ...] = ()) -> Section:
    """The gap between the foreign-born and all residents of several regions, in the latest year common to all.

    Parameters
    ----------
    rates
        :func:`regional_rates` of several regions, concatenated.
    cities
        Region code (``place_id``) → the city it stands for, in display order.
    city_states
        Region codes that are the city itself (a city-state): a note names them.

    Returns
    -------
    Section
        Columns city, place, year, foreign-born (%), all residents (%), gap with all residents (pp),
        flag; one row per region, all of one year (same definition, same year). Empty when the
        regions have no year in common.
    """
    columns = [CITY, PLACE, YEAR, FOREIGN_BORN_RATE, ALL_RESIDENTS_RATE, GAP_TO_ALL_RESIDENTS, FLAG]
    years = None
    for place in cities:
        rows = rates[rates["place_id"] == place]
        paired = set(rows.loc[rows["group_key"] == _REFERENCE, "year"]) & set(rows.loc[rows["group_key"] == _FOREIGN_BORN, "year"])
        years = paired if years is None else years & paired
    if not years:
        return Section(pd.DataFrame(columns=columns))
    year = max(years)
    out = []
    for place, city in cities.items():
        rows = rates[(rates["place_id"] == place) & (rates["year"] == year)]
        foreign = rows[rows["group_key"] == _FOREIGN_BORN].iloc[0]
        reference = rows[rows["group_key"] == _REFERENCE].iloc[0]
        flag = "".join(sorted(set(foreign["flag"] + reference["flag"])))
        out.append({CITY: city, PLACE: foreign["place_name"], YEAR: str(year), FOREIGN_BORN_RATE: foreign["rate"],
                    ALL_RESIDENTS_RATE: reference["rate"], GAP_TO_ALL_RESIDENTS: foreign["rate"] - reference["rate"], FLAG: flag})
    table = pd.DataFrame(out, columns=columns)
    states = [cities[p] for p in cities if p in city_states]
    where = [T("NUTS 2 regions: each describes the whole region around its city (EU Labour Force Survey, a sample survey).")]
    if states:
        where.append(T("The region of {cities} is the city itself (a city-state).", cities=join(states, ", ")))
    notes = [T("{year} is the latest year with both rates published for every region compared.", year=str(year)), *where, *CAVEATS[1:],
             T("Gap = rate of the foreign-born − rate of all residents of the same region and year, in percentage points."),
             *flag_notes(table[FLAG])]
    return Section(table, [SOURCE_ID], notes)

"""Cross-city comparisons, computed from the tables that the city runs saved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.analysis import city_tables, regional_labour
from workbench.analysis.sections import Section
from workbench.analysis.comparability import DATE_TOLERANCE_YEARS, RULE, Figure, comparable
from workbench.errors import DataError
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.labels import date_range, definition_note, geography_label, place_text, source_refs
from workbench.reference.registry import get_city, load_definitions
from workbench.reference.columns import CHANGE, CITY_SHARE, FIRST_SHARE, LAST_SHARE, LOCATION_QUOTIENT, NATIONAL_SHARE, PERIOD_YEARS, RANK_SAME_DEFINITION, REFERENCE_DATE, REFERENCE_DATES, SERIES_WITH_A_SHARE, SHARE


@dataclass(frozen=True)
class Loaded:
    """The saved tables of the cities that could be read, and the cities that could not."""

    series: pd.DataFrame
    national: pd.DataFrame
    missing: list[str]
    city_ids: list[str]


def load_city_tables(cities_dir: str | Path, city_ids: list[str]) -> Loaded:
    """Read the :data:`~workbench.analysis.city_tables.SERIES` and
    :data:`~workbench.analysis.city_tables.NATIONAL` tables each city run saved.

    A city whose files are missing (its run failed) is listed in ``missing``; the others are used.

    Returns
    -------
    Loaded
    """
    series, national, missing = [], [], []
    for city_id in city_ids:
        s = city_tables.read(city_tables.SERIES, cities_dir, city_id)
        n = city_tables.read(city_tables.NATIONAL, cities_dir, city_id)
        if s is None or n is None:
            missing.append(city_id)
            continue
        s["city_id"] = city_id
        n["city_id"] = city_id
        s = s.astype({"persons": float, "share": float})
        n = n.astype({"value": float})
        series.append(s)
        national.append(n)
    return Loaded(
        series=pd.concat(series, ignore_index=True) if series else pd.DataFrame(),
        national=pd.concat(national, ignore_index=True) if national else pd.DataFrame(),
        missing=missing,
        city_ids=list(city_ids),
    )


def loading_text(loaded: Loaded) -> Msg:
    """One Markdown line saying which cities are compared and which are missing."""
    found = join([get_city(c).names for c in loaded.city_ids if c not in loaded.missing], ", ")
    if loaded.missing:
        return T("Cities compared: {cities}. **Missing (their run failed or saved nothing): {missing}.**",
                 cities=found, missing=", ".join(loaded.missing))
    return T("Cities compared: {cities}.", cities=found)


def shore_text(shore: str) -> Msg:
    """A city's shore of the Mediterranean ('north' or 'south') as a table cell an annex translates.

    Raises
    ------
    DataError
        If ``shore`` is neither 'north' nor 'south'.
    """
    if shore == "north":
        return T("north")
    if shore == "south":
        return T("south")
    raise DataError(f"shore {shore!r} is neither 'north' nor 'south' (data/registry/cities.yaml)")


def _latest_rows(loaded: Loaded) -> tuple[pd.DataFrame, pd.DataFrame]:
    # the latest row of each city series, split into figures shown as latest and figures older than
    # the city's newest figure of the same definition by more than the rule's tolerance
    s = loaded.series.dropna(subset=["share"])
    latest = s.sort_values("ref_date").groupby(["city_id", "definition_id", "place_id"]).tail(1)
    newest = latest.groupby(["city_id", "definition_id"])["ref_date"].transform("max")
    recent = [
        bool(comparable(Figure.on(d, None, date), Figure.on(d, None, top)))
        for d, date, top in zip(latest["definition_id"], latest["ref_date"], newest)
    ]
    kept = latest[recent]
    # one figure published for two areas (Lisbon: NUTS 2 = NUTS 3) is one figure: its first area kept
    kept = kept.sort_values(["city_id", "definition_id", "ref_date", "geography_level"])
    same = kept.duplicated(["city_id", "definition_id", "ref_date", "persons", "share"], keep="first")
    also: dict = {}
    for _, group in kept.groupby(["city_id", "definition_id", "ref_date", "persons", "share"], sort=False):
        also[group.index[0]] = [place_text(name) for name in group["place_name"].iloc[1:]]
    kept = kept.assign(also=[also.get(i, []) for i in kept.index])
    return kept[~same], latest[[not r for r in recent]]


def latest_shares(loaded: Loaded) -> pd.DataFrame:
    """Latest share per city, definition and area, ranked only among comparable figures.

    A figure older than the city's newest figure of the same definition by more than the tolerance
    of :func:`~workbench.analysis.comparability.comparable` is not a latest figure and is left out
    (:func:`latest_notes` names it); one figure published for two areas (the same persons and share
    on the same date) is one row naming both areas. Ranks are given among figures of the same
    definition and kind of area whose dates are within that tolerance of the group's newest.

    Returns
    -------
    pandas.DataFrame
        Columns: definition, geography, rank (same definition and geography), city, shore
        (north or south of the Mediterranean), area, reference date, persons, share (%), source.
    """
    columns = ["definition", "geography", RANK_SAME_DEFINITION, "city", "shore", "area", REFERENCE_DATE, "persons", SHARE, "source"]
    if loaded.series.empty:
        return pd.DataFrame(columns=columns)
    latest, _ = _latest_rows(loaded)
    defs = load_definitions()
    table = pd.DataFrame(
        {
            "definition": latest["definition_id"].map(lambda d: defs[d].label),
            "city": latest["city_id"].map(lambda c: get_city(c).names.en),
            "shore": latest["city_id"].map(lambda c: shore_text(get_city(c).shore)),
            "area": [join([place_text(name), *also], " = ") if also else place_text(name)
                     for name, also in zip(latest["place_name"], latest["also"])],
            "geography": latest["geography_level"].map(geography_label),
            REFERENCE_DATE: latest["ref_date"],
            "persons": latest["persons"],
            SHARE: latest["share"],
            "source": latest["source_id"],
            "_definition_id": latest["definition_id"],
        }
    )
    table = table.sort_values(["definition", "geography", SHARE], ascending=[True, True, False])
    ranks = []
    for (_, _), group in table.groupby(["definition", "geography"], sort=False):
        newest = group[REFERENCE_DATE].max()
        rank = 0
        for definition_id, date in zip(group["_definition_id"], group[REFERENCE_DATE]):
            if comparable(Figure.on(definition_id, None, date), Figure.on(definition_id, None, newest)):
                rank += 1
                ranks.append(rank)
            else:
                ranks.append(None)
    table = table.sort_values(["definition", "geography"], kind="stable")
    table[RANK_SAME_DEFINITION] = pd.array(ranks, dtype="Int64")
    return table[columns].reset_index(drop=True)


def latest_notes(loaded: Loaded) -> list[Msg]:
    """Notes on :func:`latest_shares`: the rule, and the figures left out as too old to be 'latest'."""
    notes = [RULE]
    if loaded.series.empty:
        return notes
    _, older = _latest_rows(loaded)
    defs = load_definitions()
    for _, row in older.iterrows():
        notes.append(T(
            "Not shown as latest: {city}, {definition}, {area} ({date}), more than {years} years older than "
            "the city's newest figure of the same definition.",
            city=get_city(row["city_id"]).names, definition=Label(defs[row["definition_id"]].label),
            area=place_text(row["place_name"]), date=Date(row["ref_date"]), years=Num(DATE_TOLERANCE_YEARS, "count"),
        ))
    return notes


def definition_notes(table: pd.DataFrame) -> list[Msg]:
    """One note per definition present in a comparison table."""
    ids = {d.label: definition_id for definition_id, d in load_definitions().items()}
    return [definition_note(ids[label]) for label in dict.fromkeys(table.get("definition", [])) if label in ids]


def city_vs_national(loaded: Loaded) -> pd.DataFrame:
    """Each city's latest share by definition beside the country's UN DESA 2020 migrant share.

    The location quotient (city share ÷ national share) is computed only where the two figures
    are comparable (:func:`~workbench.analysis.comparability.comparable`, the kind of area left
    out since a quotient sets a city against its country); otherwise the row gives the reason.

    Returns
    -------
    pandas.DataFrame
        Columns: city, city definition, area, reference date, city share (%), national
        definition, national share (%) mid-2020, location quotient, comparable.
    """
    latest = latest_shares(loaded)
    columns = ["city", "city definition", "area", REFERENCE_DATE, CITY_SHARE, "national definition",
               NATIONAL_SHARE, LOCATION_QUOTIENT, "comparable"]
    if latest.empty or loaded.national.empty:
        return pd.DataFrame(columns=columns)
    nat = loaded.national[
        (loaded.national["source_id"] == "undesa_ims_2020") & (loaded.national["indicator_id"] == "population_share")
    ]
    nat = nat.sort_values("period").groupby("city_id").tail(1)
    # UN DESA estimates refer to mid-year (1 July)
    by_city = {get_city(c).names.en: (v, f"{str(p)[:4]}-07-01") for c, v, p in zip(nat["city_id"], nat["value"], nat["period"])}
    ids = {d.label: definition_id for definition_id, d in load_definitions().items()}
    national_definition = T("{definition}, 2020 edition", definition=Label(load_definitions()["un_migrant_stock"].label))
    rows = []
    for _, row in latest.iterrows():
        national_share, national_date = by_city.get(row["city"], (None, None))
        decision = None
        if national_share:
            decision = comparable(Figure.on(ids[row["definition"]], None, row[REFERENCE_DATE]),
                                  Figure.on("un_migrant_stock", None, national_date))
        rows.append(
            {
                "city": row["city"],
                "city definition": row["definition"],
                "area": row["area"],
                REFERENCE_DATE: row[REFERENCE_DATE],
                CITY_SHARE: row[SHARE],
                "national definition": national_definition,
                NATIONAL_SHARE: national_share,
                LOCATION_QUOTIENT: row[SHARE] / national_share if decision else None,
                "comparable": decision.reason if decision is not None else T("no national figure"),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def trends(loaded: Loaded) -> pd.DataFrame:
    """Change of each city series over periods of the same length, one block per length.

    The lengths are the full spans of the series; each series appears in every block whose
    length it covers (a value that many years before its last date, within the rule's period
    tolerance), so a change over one year is set beside changes over one year only.

    Returns
    -------
    pandas.DataFrame
        Columns: period (years), city, definition, area, first date, first share (%), last date,
        last share (%), change (pp); sorted by period, definition and city.
    """
    columns = [PERIOD_YEARS, "city", "definition", "area", "first date", FIRST_SHARE, "last date", LAST_SHARE, CHANGE]
    if loaded.series.empty:
        return pd.DataFrame(columns=columns)
    s = loaded.series.dropna(subset=["share"])
    defs = load_definitions()
    series = []
    for (city_id, definition_id, place_id, source_id), group in s.groupby(["city_id", "definition_id", "place_id", "source_id"], sort=True):
        group = group.sort_values("ref_date").drop_duplicates("ref_date", keep="last")
        if len(group) >= 2:
            series.append((city_id, definition_id, group))
    spans = sorted({_years(g["ref_date"].iloc[0], g["ref_date"].iloc[-1]) for _, _, g in series})
    rows = []
    for span in spans:
        for city_id, definition_id, group in series:
            last = group.iloc[-1]
            first = _value_before(group, last["ref_date"], span)
            if first is None:
                continue
            rows.append(
                {
                    PERIOD_YEARS: span,
                    "city": get_city(city_id).names.en,
                    "definition": defs[definition_id].label,
                    "area": place_text(first["place_name"]),
                    "first date": first["ref_date"],
                    FIRST_SHARE: first["share"],
                    "last date": last["ref_date"],
                    LAST_SHARE: last["share"],
                    CHANGE: last["share"] - first["share"],
                }
            )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values([PERIOD_YEARS, "definition", "city"], kind="stable").reset_index(drop=True)


def _years(first: str, last: str) -> int:
    # whole years between two dates (a period of 364 to 366 days is one year)
    days = (pd.Timestamp(last) - pd.Timestamp(first)).days
    return round(days / 365.25)


def _value_before(group: pd.DataFrame, last: str, years: int) -> pd.Series | None:
    # the observation ``years`` before ``last`` whose period has the same length as ``years``
    # within the rule's tolerance (None when the series has no such date)
    target = Figure(group["definition_id"].iloc[0], None, (pd.Timestamp(last) - pd.DateOffset(years=years)).date().isoformat(), last)
    for _, row in group.iloc[:-1].iterrows():
        if comparable(Figure(row["definition_id"], None, row["ref_date"], last), target):
            return row
    return None


def coverage(loaded: Loaded) -> pd.DataFrame:
    """Which definitions each city has a series for, with its areas and dates.

    Returns
    -------
    pandas.DataFrame
        Columns: city, definition, areas, reference dates, observations.
    """
    columns = ["city", "definition", "areas", REFERENCE_DATES, "observations"]
    if loaded.series.empty:
        return pd.DataFrame(columns=columns)
    defs = load_definitions()
    rows = []
    for (city_id, definition_id), group in loaded.series.groupby(["city_id", "definition_id"], sort=True):
        dates = sorted(group["ref_date"])
        rows.append(
            {
                "city": get_city(city_id).names.en,
                "definition": defs[definition_id].label,
                "areas": join([place_text(name) for name in sorted(group["place_name"].unique())], ", "),
                REFERENCE_DATES: date_range(dates[0], dates[-1]),
                "observations": len(group),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def availability(cities_dir: str | Path, city_ids: list[str]) -> pd.DataFrame:
    """The network's data-availability matrix, from the per-city matrices the city runs saved.

    Each city run saves :data:`~workbench.analysis.city_tables.AVAILABILITY` (indicator × year, see
    :func:`workbench.analysis.availability.city_matrix`); here each city becomes one column holding the
    first and last year covered and the levels found (C city, D districts, R region, N country), or
    'expert input'. A city without the file is left out and reported by :func:`loading_text`.

    Returns
    -------
    pandas.DataFrame
        Columns: theme, indicator, then one column per city (display name).
    """
    from workbench.analysis.availability import EXPERT

    merged = None
    for city_id in city_ids:
        matrix = city_tables.read(city_tables.AVAILABILITY, cities_dir, city_id)
        if matrix is None:
            continue
        year_columns = [c for c in matrix.columns if c not in city_tables.AVAILABILITY.columns]
        cells = []
        for _, row in matrix.iterrows():
            if row[year_columns[0]] == EXPERT:
                cells.append(EXPERT)
                continue
            covered = [c for c in year_columns if row[c]]
            if not covered:
                cells.append("")
                continue
            marks = "".join(dict.fromkeys("".join(row[c] for c in covered)))
            first, last = covered[0], covered[-1]
            span = first if first == last else f"{first}-{last}"
            cells.append(f"{span.replace('before ', '<')} ({marks})")
        column = pd.DataFrame({"theme": matrix["theme"], "indicator": matrix["indicator"], get_city(city_id).names.en: cells})
        merged = column if merged is None else merged.merge(column, on=["theme", "indicator"], how="outer", sort=False)
    return merged if merged is not None else pd.DataFrame(columns=["theme", "indicator"])


def source_ids(loaded: Loaded) -> list[str]:
    """Source ids behind the compared series, in first-seen order."""
    if loaded.series.empty:
        return []
    return source_refs(loaded.series.fillna({"note": ""}))


def shore_summary(loaded: Loaded) -> pd.DataFrame:
    """What migrant figures each city has, grouped by shore of the Mediterranean.

    Returns
    -------
    pandas.DataFrame
        Columns: shore, city, definitions, areas, series with a share, latest reference date.
    """
    columns = ["shore", "city", "definitions", "areas", SERIES_WITH_A_SHARE, "latest reference date"]
    if loaded.series.empty:
        return pd.DataFrame(columns=columns)
    defs = load_definitions()
    rows = []
    for city_id in loaded.city_ids:
        s = loaded.series[loaded.series["city_id"] == city_id]
        if s.empty:
            continue
        city = get_city(city_id)
        with_share = s.dropna(subset=["share"])
        rows.append(
            {
                "shore": shore_text(city.shore),
                "city": city.names.en,
                "definitions": join([Label(defs[d].label) for d in dict.fromkeys(s["definition_id"])], ", "),
                "areas": join([Label(geography_label(g)) for g in dict.fromkeys(s["geography_level"])], ", "),
                SERIES_WITH_A_SHARE: with_share.groupby(["definition_id", "place_id", "source_id"]).ngroups,
                "latest reference date": s["ref_date"].max(),
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("shore", kind="stable").reset_index(drop=True)


def availability_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per city, how many framework indicators are covered at city, district or country level.

    Parameters
    ----------
    matrix
        :func:`availability`.

    Returns
    -------
    pandas.DataFrame
        Columns: city, city level, districts only, country only, expert input, nothing.
    """
    from workbench.analysis.availability import EXPERT

    rows = []
    for city in [c for c in matrix.columns if c not in ("theme", "indicator")]:
        cells = matrix[city].fillna("")
        marks = cells.str.extract(r"\(([CDN]+)\)$")[0].fillna("")
        rows.append(
            {
                "city": city,
                "city level": int(marks.str.contains("C").sum()),
                "districts only": int((marks.str.contains("D") & ~marks.str.contains("C")).sum()),
                "country only": int((marks == "N").sum()),
                "expert input": int((cells == EXPERT).sum()),
                "nothing": int((cells == "").sum()),
            }
        )
    return pd.DataFrame(rows, columns=["city", "city level", "districts only", "country only", "expert input", "nothing"])


def regional_labour_gaps(cities_dir: str | Path, city_ids: list[str]) -> Section:
    """The foreign-born's unemployment gap with all residents in each city's NUTS 2 region, one common year.

    Reads the :data:`~workbench.analysis.city_tables.REGIONAL_LABOUR` table of each city run
    (a city without one, or with no region, is left out) and compares the regions in the latest
    year all of them publish (:func:`workbench.analysis.regional_labour.compare_regions`).

    Returns
    -------
    Section
        Empty when no city has a region with such rates.
    """
    frames, cities, city_states = [], {}, []
    for city_id in city_ids:
        saved = city_tables.read(city_tables.REGIONAL_LABOUR, cities_dir, city_id)
        if saved is None or saved.empty:
            continue
        frames.append(saved)
        for place in dict.fromkeys(saved["place_id"]):
            cities[place] = get_city(city_id).names.en
            if get_city(city_id).region_is_city:
                city_states.append(place)
    if not frames:
        return Section(pd.DataFrame())
    return regional_labour.compare_regions(regional_labour.regional_rates(pd.concat(frames, ignore_index=True)), cities,
                                           tuple(city_states))

"""The city's own tables of a profile: its rows prepared, key figures, migrant series, origins, refugees, data note.

Every function is pure (no IO); the tables are returned as a :class:`~workbench.analysis.sections.Section`.
Sex and age are in :mod:`~workbench.analysis.age_sex`, the country in :mod:`~workbench.analysis.country`,
the tables a run saves in :mod:`~workbench.analysis.city_tables`.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.analysis import series_flags
from workbench.analysis.composition import table_of
from workbench.analysis.sections import Section
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.labels import SUB_CITY, assumed_date_notes, cited_source, date_range, definition_note, geography_label, source_refs
from workbench.reference.registry import load_definitions
from workbench.tidy.catalog import CityData
from workbench.tidy.schemas import SUPERSEDED
from workbench.reference.columns import FLAG, GEOGRAPHY, REFERENCE_DATE, REFERENCE_DATES, SHARE_OF_POPULATION, SHARE_OF_THE_GROUP


def prepare_local(data: CityData) -> pd.DataFrame:
    """Return the city's rows with the totals and shares the sources imply added (flag 'c').

    Rows about the whole country (an expert's national figures carry the city's id) are left
    out: they are the country's, in :func:`prepare_national`, never the city's.

    Steps: headline totals of fully broken-down tables; totals of complementary groups; city
    sums of district rows; shares of total population.
    """
    city = data.city
    local = ind.compute_missing_totals(data.local[data.local["geography_level"] != "country"])
    local = ind.compute_complement_totals(local)
    local = ind.aggregate_districts(local, f"{city.city_id.upper()}-CITY", T("{city} (sum of districts)", city=city.names.local or city.names.en))
    local = pd.concat([local, ind.compute_shares(local)], ignore_index=True)
    unhcr = ind.sum_over_origins(local[local["source_id"].isin(ind.SUMMED_OVER_ORIGINS)])
    return pd.concat([local, unhcr], ignore_index=True).astype({"value": float})


def prepare_national(data: CityData) -> pd.DataFrame:
    """Return the country's rows plus UNHCR totals over origins and remittances as % of GDP."""
    national = data.national
    unhcr = ind.sum_over_origins(national[national["source_id"].isin(ind.SUMMED_OVER_ORIGINS)])
    wb = national[national["source_id"] == "worldbank_wdi"]
    remit = ind.compute_ratio(
        ind.headline_of(wb, "remittances_received"), ind.headline_of(wb, "gdp"), "remittances_share_of_gdp"
    )
    return pd.concat([national, unhcr, remit], ignore_index=True).astype({"value": float})


def migrant_series(local: pd.DataFrame) -> Section:
    """Migrant population of the city's places over time, one row per place, definition and date.

    Returns
    -------
    Section
        Columns: place, geography, definition, reference date, persons, share of population (%),
        source, flag, notes (footnote markers of :mod:`~workbench.analysis.series_flags`: outliers,
        the publisher's breaks in series, notes particular to one point).
    """
    defs = load_definitions()
    merged = counts_with_shares(local, SUB_CITY)
    merged = merged.sort_values(["definition_id", "geography_level", "place_id", "ref_date"])
    table = pd.DataFrame(
        {
            "place": merged["place_name"],
            "geography": merged["geography_level"].map(geography_label),
            "definition": merged["definition_id"].map(lambda d: defs[d].label),
            REFERENCE_DATE: merged["ref_date"],
            "persons": merged["value"],
            SHARE_OF_POPULATION: merged["value_share"],
            "source": [cited_source(s, n) for s, n in zip(merged["source_id"], merged["note"])],
            "flag": (merged["flag"].fillna("") + merged["flag_share"].fillna("")).map(lambda f: "".join(sorted(set(f)))),
            "_note": merged["note"].fillna("").astype(str),
            "_published_flag": merged["flag"].fillna("").astype(str),
        }
    ).reset_index(drop=True)
    keys = ["place", "geography", "definition", "source"]
    table, merged_stocks = one_stock_per_date(table, keys)
    table, footnotes = series_flags.mark_series(
        table, keys, REFERENCE_DATE, ["persons"], [], publisher_notes=table["_note"],
        breaks=table["_published_flag"].str.contains("b"),
    )
    table = table.drop(columns=["_note", "_published_flag"])
    notes = [definition_note(d) for d in dict.fromkeys(merged["definition_id"])] + assumed_date_notes(merged["note"])
    return Section(table, source_refs(merged), notes + ([ONE_STOCK_NOTE] if merged_stocks else []) + footnotes)


#: The note of a series in which :func:`one_stock_per_date` counted a stock once.
ONE_STOCK_NOTE = T(
    "A stock on 31 December and the same source's stock on the next 1 January count the same population at the same "
    "moment: it is counted once, on 1 January, in this table, its trends and its charts."
)


def one_stock_per_date(table: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, int]:
    """Drop each 31 December stock whose series also has the next 1 January: one population, counted once.

    A register's stock at the end of a year and at the start of the next are the same persons
    (ISTAT publishes both); counting both doubles the dates a trend is fitted on and narrows its
    interval. The 1 January row is kept, whatever its value; a 31 December with no next 1 January
    (e.g. a provisional end-of-year stock) is kept.

    Parameters
    ----------
    table
        Rows with a :data:`~workbench.reference.columns.REFERENCE_DATE` column (ISO dates).
    keys
        Columns that name one series (place, definition, source …).

    Returns
    -------
    tuple of pandas.DataFrame and int
        The table without those rows (index reset), and how many rows were dropped.
    """
    dates = pd.to_datetime(table[REFERENCE_DATE], format="%Y-%m-%d", errors="coerce")
    year_end = (dates.dt.month == 12) & (dates.dt.day == 31)
    following = (dates + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    series = [tuple(row) for row in table[keys].astype(str).to_numpy()]
    present = {(*key, str(date)) for key, date in zip(series, table[REFERENCE_DATE])}
    twice = year_end & pd.Series([(*key, date) in present for key, date in zip(series, following)], index=table.index)
    return table[~twice].reset_index(drop=True), int(twice.sum())


def counts_with_shares(local: pd.DataFrame, excluded_levels: tuple[str, ...]) -> pd.DataFrame:
    """Migrant headline counts with the share of the same source, place, definition and date.

    UNHCR locations are left out (they have their own section), and so are rows of
    ``excluded_levels``. The share and its flag are in columns ``value_share`` and ``flag_share``.
    """
    counts = ind.headline_of(local, "population")
    counts = counts[
        counts["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
        & (counts["source_id"] != "unhcr_demographics")
        & ~counts["geography_level"].isin(excluded_levels)
    ]
    shares = ind.headline_of(local, "population_share")
    return counts.merge(
        shares[["source_id", "place_id", "definition_id", "ref_date", "value", "flag"]],
        on=["source_id", "place_id", "definition_id", "ref_date"],
        how="left",
        suffixes=("", "_share"),
    )


#: The key figure of a migrant population's share of the city's population (column ``figure``).
MIGRANT_SHARE_FIGURE = "Migrant share of population"


def key_figures(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Latest headline figures: population, migrants by each definition, caseloads, national context.

    A protection caseload (refugees, asylum-seekers registered with UNHCR) is a figure of its own,
    never a "migrant population". A series whose latest value is superseded (flag ``x``: its
    publisher corrected it after the release held) has no key figure.

    Returns
    -------
    Section
        Columns: figure, place, definition, reference date, value, unit, source.
    """
    defs = load_definitions()
    rows, used = [], []

    def add(frame: pd.DataFrame, figure: str) -> None:
        for _, group in frame.groupby(["place_id", "definition_id", "source_id"], sort=False):
            last = group.sort_values("ref_date").iloc[-1]
            if SUPERSEDED in str(last["flag"]):
                # corrected by its publisher after the release held: no key figure (an earlier
                # value would pass for the latest)
                continue
            used.append(last)
            rows.append(
                {
                    "figure": figure,
                    "place": last["place_name"],
                    "definition": defs[last["definition_id"]].label,
                    REFERENCE_DATE: last["ref_date"],
                    "value": last["value"],
                    "unit": last["unit"],
                    "source": cited_source(last["source_id"], last["note"]),
                    "flag": last["flag"],
                }
            )

    city_level = local[~local["geography_level"].isin(SUB_CITY)]
    add(ind.headline_of(city_level, "population", "total_population"), "Total population")
    migrants = ind.headline_of(city_level, "population")
    add(migrants[migrants["definition_id"].isin(ind.population_definitions())], "Migrant population")
    add(migrants[migrants["definition_id"].isin(ind.caseload_definitions())], "Caseload registered with UNHCR or UNRWA")
    shares = ind.headline_of(city_level, "population_share")
    add(shares[shares["definition_id"].isin(ind.population_definitions())], MIGRANT_SHARE_FIGURE)
    add(ind.headline_of(national, "population", "un_migrant_stock").query("source_id == 'undesa_ims_2024'"), "National migrant stock")
    add(ind.headline_of(national, "population_share", "un_migrant_stock"), "National migrant share")
    add(ind.headline_of(national, "population", "registered_refugee").query("source_id == 'unhcr_population'"), "Refugees in the country (UNHCR)")
    add(ind.headline_of(national, "population", "palestine_refugee_unrwa"), "Palestine refugees (UNRWA)")
    table = pd.DataFrame(rows, columns=["figure", "place", "definition", REFERENCE_DATE, "value", "unit", "source", "flag"])
    refs = source_refs(pd.DataFrame(used)) if used else []
    return Section(table, refs, assumed_date_notes(pd.DataFrame(used)["note"]) if used else [])


def origins(local: pd.DataFrame, top_n: int = 10, definitions: tuple[str, ...] | None = None, largest: bool = False) -> Section:
    """Largest countries of origin in the city's most recent origin table of its migrant population.

    The table chosen is the latest one at country-of-origin level for the city's own places (not
    its districts, not the country: one source, place, definition and date; figures from different
    tables are never mixed), never one its publisher corrected later (flag ``x``). A
    protection caseload (refugees, asylum-seekers registered with UNHCR) is not the migrant
    population: its tables are left out unless ``definitions`` asks for them (see
    :func:`workbench.analysis.caseloads.caseload_origins`). Among the tables of the latest date,
    the one naming most origins, or with ``largest`` the one counting most persons (of two
    caseloads, the larger: Beirut's 12,724 refugees rather than its 946 asylum-seekers).

    Parameters
    ----------
    local
        The city's prepared rows.
    top_n
        How many origins.
    definitions
        The definitions whose tables may be chosen; :func:`~workbench.analysis.indicators.population_definitions`
        when ``None``.

    Returns
    -------
    Section
        Columns: rank, origin (ISO3), persons, share of the group (%).
    """
    from workbench.reference.origins import origin_name

    wanted = ind.population_definitions() if definitions is None else tuple(definitions)
    rows = local[
        (local["indicator_id"] == "population")
        & local["origin_type"].isin(["citizenship", "birth_country", "origin_country"])
        & (local["sex"] == "total") & (local["age"] == "total") & (local["category"] == "total")
        & ~local["geography_level"].isin((*SUB_CITY, "country"))
        & local["definition_id"].isin(wanted)
        & ~ind.superseded(local)
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=["rank", "origin", "persons", SHARE_OF_THE_GROUP]))
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = rows.groupby(keys).agg(n=("value", "size"), persons=("value", "sum")).reset_index()
    sizes = sizes.sort_values(["ref_date", "persons" if largest else "n"], ascending=[False, False])
    best = sizes.iloc[0]
    table_rows = rows[(rows[keys] == best[keys]).all(axis=1)]
    countries = table_rows[~table_rows["origin"].str.contains("_|OTHER", regex=True)]
    total_row = ind.headline_of(local, "population", best["definition_id"])
    total_row = total_row[(total_row["place_id"] == best["place_id"]) & (total_row["ref_date"] == best["ref_date"])]
    if len(total_row):
        total = float(total_row["value"].iloc[0])
    else:  # the base of every origin share of the run (the network's too): the table's countries and residual groups
        shares = table_of(local, dict(best[keys]))
        total = float(shares["base_persons"].iloc[0]) if len(shares) else float(table_rows["value"].sum())
    top = countries.sort_values("value", ascending=False).head(top_n)
    defs = load_definitions()
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": [origin_name(code) for code in top["origin"]],
            "persons": top["value"].to_numpy(),
            SHARE_OF_THE_GROUP: (100 * top["value"] / total).to_numpy(),
        }
    )
    values = {
        "definition": Label(defs[best["definition_id"]].label),
        "place": table_rows["place_name"].iloc[0],
        "date": Date(best["ref_date"]),
        "origin_type": _origin_type_text(best["origin_type"]),
        "total": Num(total),
    }
    if len(total_row):
        note = T("{definition} in {place} on {date}, by {origin_type}; shares of {total} persons", **values)
    else:
        note = T("{definition} in {place} on {date}, by {origin_type}; shares of {total} persons (sum of the published origins)", **values)
    return Section(table, source_refs(table_rows), [note])


def _origin_type_text(origin_type: str) -> Msg | Label:
    # the kind of origin a table is broken down by, as running text
    if origin_type == "citizenship":
        return T("citizenship")
    if origin_type == "birth_country":
        return T("birth country")
    if origin_type == "origin_country":
        return T("origin country")
    return Label(origin_type.replace("_", " "))


def refugees_local(local: pd.DataFrame) -> Section:
    """Refugees and asylum-seekers registered with UNHCR in the city's locations, by year.

    Rows of one place id are one series even when UNHCR renamed the location; the name shown is
    the latest one, earlier labels are listed in a note. When the city's places never share a
    year (UNHCR reported the city's area at one level in some years and another in others, as in
    Beirut), they form one series in year order, and :mod:`~workbench.analysis.series_flags`
    marks each change of place or geography level, each change of UNHCR's location label and
    each outlier; the notes of the published rows (e.g. Amman 2008, Beirut 2016) travel with
    their point as footnotes.

    Returns
    -------
    Section
        Columns: place, geography, year, refugees, asylum-seekers, flag, notes (footnote markers).
    """
    columns = ["place", GEOGRAPHY, "year", "refugees", "asylum-seekers", FLAG, series_flags.NOTES]
    rows = ind.headline_of(local[local["source_id"] == "unhcr_demographics"], "population")
    rows = rows[rows["definition_id"].isin(["registered_refugee", "asylum_seeker"]) & (rows["category"] == "total")]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    latest_name = rows.sort_values("period").groupby("place_id")["place_name"].last()
    pivot = rows.pivot_table(index=["place_id", "period"], columns="definition_id", values="value", aggfunc="sum").reset_index()
    published = _published_unhcr_rows(local, rows)
    keys = list(zip(pivot["place_id"], pivot["period"]))
    table = pd.DataFrame(
        {
            "place": pivot["place_id"].map(latest_name),
            GEOGRAPHY: pivot["place_id"].map(rows.groupby("place_id")["geography_level"].first()).map(geography_label),
            "year": pivot["period"],
            "refugees": pivot.get("registered_refugee"),
            "asylum-seekers": pivot.get("asylum_seeker"),
            FLAG: ["".join(sorted(set("c" + published["flags"].get(k, "")))) for k in keys],
        }
    )
    superseded = {
        (k, column)
        for definition, column in (("registered_refugee", "refugees"), ("asylum_seeker", "asylum-seekers"))
        for k in published["superseded"].get(definition, set())
    }
    table["_superseded"] = [tuple(c for k2, c in superseded if k2 == k) for k in keys]
    labels = pd.Series([published["labels"].get(k, "") for k in keys], index=table.index)
    notes_of = pd.Series([published["notes"].get(k, []) for k in keys], index=table.index, dtype=object)
    one_area = not table.duplicated("year").any()
    table = table.sort_values(["year", "place"] if one_area else ["place", "year"], kind="stable")
    table, footnotes = series_flags.mark_series(
        table, [] if one_area else ["place"], "year", ["refugees", "asylum-seekers"], ["place", GEOGRAPHY],
        labels=labels, publisher_notes=notes_of,
    )
    table = table.reset_index(drop=True)
    cells = frozenset((i, c) for i, cs in table.pop("_superseded").items() for c in cs)
    table = table[columns]
    renamed = rows.groupby("place_id")["place_name"].unique()
    notes = [
        T("UNHCR registered persons at end of year, summed over countries of origin (flag c)."),
        *[T("{place}: published as {names}", place=latest_name[p], names=", ".join(sorted(v))) for p, v in renamed.items() if len(v) > 1],
        *series_flags.gap_note(table["year"]),
        *footnotes,
    ]
    return Section(table, ["unhcr_demographics"], notes, superseded=cells)


#: The note of the refugees chart: lines break at gaps and at changes of place or level.
REFUGEES_CHART_NOTE = series_flags.BROKEN_LINES_NOTE

#: What the refugees chart leaves out (:func:`refugees_chart`).
SUPERSEDED_CHART_NOTE = T("Figures UNHCR corrected after this release (flag x) are in the table, not drawn.")


def refugees_chart(section: Section) -> tuple[pd.DataFrame, list]:
    """The points of the refugees chart (place, year, group, persons) and its notes.

    A superseded cell (:attr:`Section.superseded`) is left out: drawn, UNHCR's corrected 2025
    asylum-seeker figures would show a fall the corrected figures may not (Amman 26,111 -> 5,989).
    """
    table = section.table.copy()
    for row, column in section.superseded:
        table.loc[row, column] = float("nan")
    points = table.melt(["place", "year"], ["refugees", "asylum-seekers"], var_name="group", value_name="persons").dropna()
    notes = [REFUGEES_CHART_NOTE, *([SUPERSEDED_CHART_NOTE] if section.superseded else [])]
    return points, notes

#: How the UNHCR reader records a location's own label in a row's note (tidy.sources.unhcr_demographics).
_LOCATION_LABEL = re.compile(r"UNHCR location label '([^']*)'")


def _published_unhcr_rows(local: pd.DataFrame, summed: pd.DataFrame) -> dict[str, dict]:
    # the published (per-origin) rows behind each summed place and year: their location label,
    # their flags and their notes other than the label, joined; the (place, year) keys of each
    # definition with a superseded row
    part = local[
        (local["source_id"] == "unhcr_demographics") & (local["indicator_id"] == "population")
        & (local["flag"].fillna("").str.contains("c") == False)  # noqa: E712
        & local["definition_id"].isin(summed["definition_id"].unique()) & local["place_id"].isin(summed["place_id"].unique())
        & (local["sex"] == "total") & (local["age"] == "total") & (local["category"] == "total")
    ]
    out: dict[str, dict] = {"labels": {}, "flags": {}, "notes": {}, "superseded": {}}
    for key, group in part.groupby(["place_id", "period"], sort=True):
        for definition in group.loc[ind.superseded(group), "definition_id"]:
            out["superseded"].setdefault(definition, set()).add(key)
        labels, texts = [], []
        for note, name in zip(group["note"].fillna(""), group["place_name"]):
            found = _LOCATION_LABEL.findall(note)
            labels.append(found[0] if found else name)
            texts += [t for t in series_flags.split_note(note) if not _LOCATION_LABEL.fullmatch(t)]
        out["labels"][key] = " / ".join(dict.fromkeys(labels))
        out["flags"][key] = "".join(sorted(set("".join(group["flag"].fillna("")))))
        out["notes"][key] = list(dict.fromkeys(texts))
    return out


def data_note(local: pd.DataFrame, national: pd.DataFrame, expected: dict[str, bool]) -> Section:
    """Every definition, geography and reference period the profile uses, and what is missing.

    Parameters
    ----------
    local, national
        Prepared city and country rows.
    expected
        Profile part → whether data were found for it.

    Returns
    -------
    Section
        Columns: source, definition, place, geography, reference dates, observations.
    """
    defs = load_definitions()
    frame = pd.concat([local, national], ignore_index=True)
    frame = frame[frame["flag"].str.contains("c") == False]  # noqa: E712 (published rows only)
    frame = frame.copy()
    small = frame["geography_level"].isin(SUB_CITY)
    counts = frame[small].groupby("geography_level")["place_id"].nunique()
    frame["place_name"] = frame["place_name"].astype(object)
    frame.loc[small, "place_name"] = frame.loc[small, "geography_level"].map(lambda g: T("{count} areas ({level})", count=int(counts[g]), level=Label(g)))
    grouped = (
        frame.groupby(["source_id", "definition_id", "place_name", "geography_level"])
        .agg(first=("ref_date", "min"), last=("ref_date", "max"), n=("value", "size"))
        .reset_index()
    )
    table = pd.DataFrame(
        {
            "source": grouped["source_id"],
            "definition": grouped["definition_id"].map(lambda d: defs[d].label),
            "place": grouped["place_name"],
            "geography": grouped["geography_level"].map(geography_label),
            REFERENCE_DATES: [date_range(a, b) for a, b in zip(grouped["first"], grouped["last"])],
            "observations": grouped["n"],
        }
    )
    missing = [part for part, found in expected.items() if not found]
    parts = [part if isinstance(part, Msg) else Label(str(part)) for part in missing]
    notes = [T("Not available in the public sources for this city: {parts}.", parts=join(parts, ", "))] if missing else []
    return Section(table, source_refs(frame), notes + assumed_date_notes(frame["note"]))


def origin_groups(local: pd.DataFrame) -> Section:
    """Migrants by world region or group of origin, from the city's latest table that has them.

    Returns
    -------
    Section
        Columns: group of origin, persons, share of the group (%); the table's definition, place
        and date in a note (groups are the publisher's own, not harmonised between cities).
    """
    from workbench.reference.origins import origin_name

    columns = ["group of origin", "persons", SHARE_OF_THE_GROUP]
    rows = local[
        (local["indicator_id"] == "population") & local["origin_type"].fillna("").str.endswith("_group")
        & (local["sex"] == "total") & (local["age"] == "total") & (local["category"] == "total")
        & ~local["geography_level"].isin(SUB_CITY) & local["definition_id"].isin(ind.population_definitions())
        & (local["source_id"] != "unhcr_demographics")
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = rows.groupby(keys).size().reset_index(name="n")
    best = sizes[sizes["n"] > 1].sort_values(["ref_date", "n"], ascending=[False, False])
    if best.empty:
        return Section(pd.DataFrame(columns=columns))
    best = best.iloc[0]
    chosen = rows[(rows[keys] == best[keys]).all(axis=1)].sort_values("value", ascending=False)
    total = float(chosen["value"].sum())
    published = ind.headline_of(local, "population", best["definition_id"])
    published = published[(published["place_id"] == best["place_id"]) & (published["ref_date"] == best["ref_date"])]
    # groups are shown only when they cover the whole population (residual groups next to named
    # countries would give misleading shares)
    if len(chosen) < 2 or published.empty or abs(total - float(published["value"].iloc[0])) > 0.01 * total:
        return Section(pd.DataFrame(columns=columns))
    defs = load_definitions()
    table = pd.DataFrame(
        {
            "group of origin": [origin_name(c) for c in chosen["origin"]],
            "persons": chosen["value"].to_numpy(),
            SHARE_OF_THE_GROUP: (100 * chosen["value"] / total).to_numpy(),
        }
    )
    notes = [
        T(
            "{definition} in {place} on {date}; shares of the sum of the published groups ({total} persons). Groups are "
            "the publisher's own.",
            definition=Label(defs[best["definition_id"]].label), place=chosen["place_name"].iloc[0],
            date=Date(best["ref_date"]), total=Num(total),
        )
    ]
    return Section(table, source_refs(chosen), notes)

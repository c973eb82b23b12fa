"""The tables of a City Migration Profile, computed from one city's tidy rows.

Every function is pure (no IO) and returns a :class:`Section`: the table to show plus the source
ids and notes its exhibit needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.tidy.catalog import CityData
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.reference.registry import load_definitions

GEOGRAPHY_LABELS = {
    "greater_city": "greater city",
    "metropolitan_city": "metropolitan city",
    "functional_urban_area": "functional urban area",
    "urban_unit": "urban unit",
    "employment_zone": "employment zone",
    "nuts1": "NUTS 1 region",
    "nuts2": "NUTS 2 region",
    "nuts3": "NUTS 3 region",
}


#: Areas inside a city (shown in district tables, not in the city's headline series).
SUB_CITY = ("district", "neighbourhood", "camp", "location")


def geography_label(level: str) -> str:
    """How a geography level is named to readers (e.g. 'nuts2' → 'NUTS 2 region')."""
    return GEOGRAPHY_LABELS.get(level, level)


def definition_note(definition_id: str) -> Msg:
    """'Label: description' of a registry definition, as a note a reader can have translated."""
    definition = load_definitions()[definition_id]
    return T("{definition}: {description}", definition=Label(definition.label), description=Label(definition.description))


def areas_text(count: int, level: str) -> Msg:
    """How many areas of a level a figure covers: '23 districts', '1 camp' ('4 areas (zone)' otherwise)."""
    one = count == 1
    if level == "district":
        return T("{count} district", count=count) if one else T("{count} districts", count=count)
    if level == "neighbourhood":
        return T("{count} neighbourhood", count=count) if one else T("{count} neighbourhoods", count=count)
    if level == "camp":
        return T("{count} camp", count=count) if one else T("{count} camps", count=count)
    if level == "location":
        return T("{count} location", count=count) if one else T("{count} locations", count=count)
    return T("{count} areas ({level})", count=count, level=Label(level))


def place_text(name: str) -> str | Msg:
    """A place name read back from a saved table, with the workbench's 'X (sum of districts)' made a message again."""
    suffix = " (sum of districts)"
    if isinstance(name, str) and not isinstance(name, Msg) and name.endswith(suffix) and len(name) > len(suffix):
        return T("{city} (sum of districts)", city=name[: -len(suffix)])
    return name


def date_range(first: str, last: str) -> str | Msg:
    """A table cell for a span of ISO dates: the date itself, or 'first to last'."""
    return first if first == last else T("{first} to {last}", first=first, last=last)


def published(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as the sources published them: those the workbench computed (flag 'c') left out."""
    return frame[~frame["flag"].fillna("").str.contains("c")]


@dataclass(frozen=True)
class Section:
    """A table for one part of the profile with what its caption and source line need."""

    table: pd.DataFrame
    source_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show."""
        return self.table.empty


def source_refs(rows: pd.DataFrame) -> list[str]:
    """Source ids of the rows, in first-seen order, with expert figures replaced by their citation.

    Expert figures have no registry entry of their own: each row's note starts with the
    publisher, title, outlet and URL, which become the source line.
    """
    refs = []
    for source_id, note in zip(rows["source_id"], rows["note"]):
        if source_id == "expert_figures":
            refs.append(T("Local expert figure: {citation}", citation=str(note).split(" | ")[0]))
        else:
            refs.append(source_id)
    return list(dict.fromkeys(refs))


def prepare_local(data: CityData) -> pd.DataFrame:
    """Return the city's rows with the totals and shares the sources imply added (flag 'c').

    Steps: headline totals of fully broken-down tables; totals of complementary groups; city
    sums of district rows; shares of total population.
    """
    city = data.city
    local = ind.compute_missing_totals(data.local)
    local = ind.compute_complement_totals(local)
    local = ind.aggregate_districts(local, f"{city.city_id.upper()}-CITY", T("{city} (sum of districts)", city=city.names.local or city.names.en))
    local = pd.concat([local, ind.compute_shares(local)], ignore_index=True)
    unhcr = ind.sum_over_origins(local[local["source_id"] == "unhcr_demographics"])
    return pd.concat([local, unhcr], ignore_index=True).astype({"value": float})


def prepare_national(data: CityData) -> pd.DataFrame:
    """Return the country's rows plus UNHCR totals over origins and remittances as % of GDP."""
    national = data.national
    unhcr = ind.sum_over_origins(national[national["source_id"] == "unhcr_population"])
    wb = national[national["source_id"] == "worldbank_wdi"]
    remit = ind.compute_ratio(
        headline_of(wb, "remittances_received"), headline_of(wb, "gdp"), "remittances_share_of_gdp"
    )
    return pd.concat([national, unhcr, remit], ignore_index=True).astype({"value": float})


def headline_of(frame: pd.DataFrame, indicator_id: str, definition_id: str | None = None) -> pd.DataFrame:
    """Headline rows of one indicator (and definition)."""
    rows = ind.headline(frame[frame["indicator_id"] == indicator_id])
    if definition_id is not None:
        rows = rows[rows["definition_id"] == definition_id]
    return rows


def migrant_series(local: pd.DataFrame) -> Section:
    """Migrant population of the city's places over time, one row per place, definition and date.

    Returns
    -------
    Section
        Columns: place, geography, definition, reference date, persons, share of population (%),
        source, flag.
    """
    defs = load_definitions()
    merged = _counts_with_shares(local, SUB_CITY)
    merged = merged.sort_values(["definition_id", "geography_level", "place_id", "ref_date"])
    table = pd.DataFrame(
        {
            "place": merged["place_name"],
            "geography": merged["geography_level"].map(geography_label),
            "definition": merged["definition_id"].map(lambda d: defs[d].label),
            "reference date": merged["ref_date"],
            "persons": merged["value"],
            "share of population (%)": merged["value_share"],
            "source": merged["source_id"],
            "flag": (merged["flag"].fillna("") + merged["flag_share"].fillna("")).map(lambda f: "".join(sorted(set(f)))),
        }
    ).reset_index(drop=True)
    notes = [definition_note(d) for d in dict.fromkeys(merged["definition_id"])]
    return Section(table, source_refs(merged), notes)


def _counts_with_shares(local: pd.DataFrame, excluded_levels: tuple[str, ...]) -> pd.DataFrame:
    # migrant headline counts (UNHCR locations have their own section) with the share of the same
    # source, place, definition and date in columns value_share / flag_share
    counts = headline_of(local, "population")
    counts = counts[
        counts["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
        & (counts["source_id"] != "unhcr_demographics")
        & ~counts["geography_level"].isin(excluded_levels)
    ]
    shares = headline_of(local, "population_share")
    return counts.merge(
        shares[["source_id", "place_id", "definition_id", "ref_date", "value", "flag"]],
        on=["source_id", "place_id", "definition_id", "ref_date"],
        how="left",
        suffixes=("", "_share"),
    )


def key_figures(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Latest headline figures: population, migrants by each definition, national context.

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
            used.append(last)
            rows.append(
                {
                    "figure": figure,
                    "place": last["place_name"],
                    "definition": defs[last["definition_id"]].label,
                    "reference date": last["ref_date"],
                    "value": last["value"],
                    "unit": last["unit"],
                    "source": last["source_id"],
                    "flag": last["flag"],
                }
            )

    city_level = local[~local["geography_level"].isin(SUB_CITY)]
    add(headline_of(city_level, "population", "total_population"), "Total population")
    migrants = headline_of(city_level, "population")
    migrants = migrants[migrants["definition_id"].isin(ind.MIGRANT_DEFINITIONS)]
    add(migrants, "Migrant population")
    shares = headline_of(city_level, "population_share")
    add(shares[shares["definition_id"].isin(ind.MIGRANT_DEFINITIONS)], "Migrant share of population")
    add(headline_of(national, "population", "un_migrant_stock").query("source_id == 'undesa_ims_2024'"), "National migrant stock")
    add(headline_of(national, "population_share", "un_migrant_stock"), "National migrant share")
    add(headline_of(national, "population", "registered_refugee").query("source_id == 'unhcr_population'"), "Refugees in the country (UNHCR)")
    add(headline_of(national, "population", "palestine_refugee_unrwa"), "Palestine refugees (UNRWA)")
    table = pd.DataFrame(rows, columns=["figure", "place", "definition", "reference date", "value", "unit", "source", "flag"])
    refs = source_refs(pd.DataFrame(used)) if used else []
    return Section(table, refs)


def origins(local: pd.DataFrame, top_n: int = 10) -> Section:
    """Largest countries of origin in the city's most recent origin table.

    The table chosen is the latest one at country-of-origin level for the city's places (one
    source, place, definition and date: figures from different tables are never mixed).

    Returns
    -------
    Section
        Columns: rank, origin (ISO3), persons, share of the group (%).
    """
    from workbench.reference.origins import origin_name

    rows = local[
        (local["indicator_id"] == "population")
        & local["origin_type"].isin(["citizenship", "birth_country", "origin_country"])
        & (local["sex"] == "total") & (local["age"] == "total") & (local["category"] == "total")
        & ~local["geography_level"].isin(SUB_CITY)
        & local["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=["rank", "origin", "persons", "share of the group (%)"]))
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = rows.groupby(keys).size().reset_index(name="n").sort_values(["ref_date", "n"], ascending=[False, False])
    best = sizes.iloc[0]
    table_rows = rows[(rows[keys] == best[keys]).all(axis=1)]
    countries = table_rows[~table_rows["origin"].str.contains("_|OTHER", regex=True)]
    total_row = headline_of(local, "population", best["definition_id"])
    total_row = total_row[(total_row["place_id"] == best["place_id"]) & (total_row["ref_date"] == best["ref_date"])]
    total = float(total_row["value"].iloc[0]) if len(total_row) else float(table_rows["value"].sum())
    top = countries.sort_values("value", ascending=False).head(top_n)
    defs = load_definitions()
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": [origin_name(code) for code in top["origin"]],
            "persons": top["value"].to_numpy(),
            "share of the group (%)": (100 * top["value"] / total).to_numpy(),
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


def sex_age(local: pd.DataFrame) -> Section:
    """Women's share of each migrant group, from the latest sex breakdown per place and definition.

    Returns
    -------
    Section
        Columns: place, definition, reference date, women, men, women (%).
    """
    defs = load_definitions()
    base = local[
        (local["indicator_id"] == "population") & local["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
        & (local["sex"] != "total")
        & ~local["geography_level"].isin(SUB_CITY)
    ]
    base = base[base["source_id"] != "unhcr_demographics"]
    if base.empty:
        return Section(pd.DataFrame(columns=["place", "definition", "reference date", "women", "men", "women (%)"]))
    pivot = base.groupby(["place_name", "definition_id", "ref_date", "source_id", "sex"])["value"].sum().unstack("sex").reset_index()
    pivot = pivot.dropna(subset=[c for c in ("female", "male") if c in pivot.columns])
    latest = pivot.sort_values("ref_date").groupby(["place_name", "definition_id"]).tail(1)
    table = pd.DataFrame(
        {
            "place": latest["place_name"],
            "definition": latest["definition_id"].map(lambda d: defs[d].label),
            "reference date": latest["ref_date"],
            "women": latest["female"],
            "men": latest["male"],
            "women (%)": 100 * latest["female"] / (latest["female"] + latest["male"]),
        }
    ).reset_index(drop=True)
    return Section(table, list(dict.fromkeys(latest["source_id"])))


def age_structure(local: pd.DataFrame, definition_id: str, reference_id: str | None) -> pd.DataFrame:
    """Persons by age band and sex for a group (and a reference group), latest date, all places summed.

    Returns
    -------
    pandas.DataFrame
        Columns: group, age, sex, persons (for a population pyramid); empty if no age data.
    """
    rows = local[
        (local["indicator_id"] == "population") & (local["age"] != "total") & (local["sex"] != "total")
        & (local["category"] == "total") & (local["flag"] != "c")
    ]
    wanted = [d for d in (definition_id, reference_id) if d]
    rows = rows[rows["definition_id"].isin(wanted)]
    if rows.empty:
        return pd.DataFrame(columns=["group", "age", "sex", "persons"])
    latest = rows["ref_date"].max()
    rows = rows[rows["ref_date"] == latest]
    defs = load_definitions()
    out = rows.groupby(["definition_id", "age", "sex"], as_index=False)["value"].sum()
    out["group"] = out["definition_id"].map(lambda d: defs[d].label)
    out = out.rename(columns={"value": "persons"})
    out["ref_date"] = latest
    return out[["group", "age", "sex", "persons", "ref_date"]]


def refugees_local(local: pd.DataFrame) -> Section:
    """Refugees and asylum-seekers registered with UNHCR in the city's locations, by year.

    Rows of one place id are one series even when UNHCR renamed the location; the name shown is
    the latest one, earlier labels are listed in a note.

    Returns
    -------
    Section
        Columns: place, year, refugees, asylum-seekers.
    """
    rows = headline_of(local[local["source_id"] == "unhcr_demographics"], "population")
    rows = rows[rows["definition_id"].isin(["registered_refugee", "asylum_seeker"]) & (rows["category"] == "total")]
    if rows.empty:
        return Section(pd.DataFrame(columns=["place", "year", "refugees", "asylum-seekers"]))
    latest_name = rows.sort_values("period").groupby("place_id")["place_name"].last()
    pivot = rows.pivot_table(index=["place_id", "period"], columns="definition_id", values="value", aggfunc="sum").reset_index()
    table = pd.DataFrame(
        {
            "place": pivot["place_id"].map(latest_name),
            "year": pivot["period"],
            "refugees": pivot.get("registered_refugee"),
            "asylum-seekers": pivot.get("asylum_seeker"),
        }
    ).sort_values(["place", "year"]).reset_index(drop=True)
    labels = rows.groupby("place_id")["place_name"].unique()
    notes = [
        T("UNHCR registered persons at end of year, summed over countries of origin (flag c)."),
        *[T("{place}: published as {names}", place=latest_name[p], names=", ".join(sorted(v))) for p, v in labels.items() if len(v) > 1],
    ]
    return Section(table, ["unhcr_demographics"], notes)


def refugee_age_sex(local: pd.DataFrame) -> Section:
    """Refugees registered with UNHCR in the city's main location by age band and sex, latest year.

    Returns
    -------
    Section
        Columns: age, women, men, women (%); empty when UNHCR gives no breakdown.
    """
    columns = ["age", "women", "men", "women (%)"]
    rows = local[
        (local["source_id"] == "unhcr_demographics") & (local["definition_id"] == "registered_refugee")
        & (local["age"] != "total") & (local["sex"] != "total") & (local["flag"] != "c")
        & ~local["geography_level"].isin(SUB_CITY)
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    latest = rows["period"].max()
    rows = rows[rows["period"] == latest]
    place = rows["place_id"].value_counts().index[0]
    rows = rows[rows["place_id"] == place]
    by = rows.pivot_table(index="age", columns="sex", values="value", aggfunc="sum").reindex(columns=["female", "male"]).fillna(0)
    order = sorted(by.index, key=lambda a: (a == "UNK", float(a[1:].split("-")[0]) if a[1:2].isdigit() else 999.0))
    by = by.reindex(order)
    table = pd.DataFrame(
        {
            "age": [T("unknown") if a == "UNK" else a.replace("Y", "").replace("-MAX", "+") for a in by.index],
            "women": by["female"].to_numpy(),
            "men": by["male"].to_numpy(),
            "women (%)": (100 * by["female"] / (by["female"] + by["male"])).to_numpy(),
        }
    )
    name = rows["place_name"].iloc[0]
    notes = [T("{place}, end of {year}; summed over countries of origin and settlement types (flag c).", place=name, year=latest)]
    return Section(table, ["unhcr_demographics"], notes)


def national_context(national: pd.DataFrame) -> Section:
    """The country's migrant stock, share, refugees, Palestine refugees, net migration and remittances.

    One row per indicator and year; UN DESA editions are kept apart (each series names its edition).

    Returns
    -------
    Section
        Columns: indicator, definition, source, year, value, unit.
    """
    defs = load_definitions()
    series = [
        ("International migrant stock", headline_of(national, "population", "un_migrant_stock"), ["undesa_ims_2024", "undesa_ims_2020"]),
        ("Migrants as % of population", headline_of(national, "population_share", "un_migrant_stock"), ["undesa_ims_2020"]),
        ("Refugees (UNHCR)", headline_of(national, "population", "registered_refugee"), ["unhcr_population"]),
        ("Asylum-seekers (UNHCR)", headline_of(national, "population", "asylum_seeker"), ["unhcr_population"]),
        ("Palestine refugees (UNRWA)", headline_of(national, "population", "palestine_refugee_unrwa"), ["unhcr_unrwa"]),
        ("Net migration", headline_of(national, "net_migration"), ["worldbank_wdi"]),
        ("Remittances received, % of GDP", headline_of(national, "remittances_share_of_gdp"), ["worldbank_wdi"]),
    ]
    parts = []
    for label, rows, sources in series:
        rows = rows[rows["source_id"].isin(sources)]
        for source_id in sources:
            chosen = rows[rows["source_id"] == source_id]
            if chosen.empty:
                continue
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": label,
                        "definition": chosen["definition_id"].map(lambda d: defs[d].label),
                        "source": source_id,
                        "year": chosen["period"],
                        "value": chosen["value"],
                        "unit": chosen["unit"],
                    }
                )
            )
    if not parts:
        return Section(pd.DataFrame(columns=["indicator", "definition", "source", "year", "value", "unit"]))
    table = pd.concat(parts, ignore_index=True)
    return Section(table, list(dict.fromkeys(table["source"])))


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
            "reference dates": [date_range(a, b) for a, b in zip(grouped["first"], grouped["last"])],
            "observations": grouped["n"],
        }
    )
    missing = [part for part, found in expected.items() if not found]
    parts = [part if isinstance(part, Msg) else Label(str(part)) for part in missing]
    notes = [T("Not available in the public sources for this city: {parts}.", parts=join(parts, ", "))] if missing else []
    return Section(table, source_refs(frame), notes)


def national_summary(section: Section, years: tuple[str, ...] = ("1990", "2000", "2010", "2015", "2020", "2024")) -> pd.DataFrame:
    """Reshape :func:`national_context` to one row per series and one column per selected year.

    A year a series lacks stays empty; the latest year of each series is added as a column
    'latest (year)' so recent figures are never hidden by the choice of columns.

    Returns
    -------
    pandas.DataFrame
    """
    table = section.table
    if table.empty:
        return pd.DataFrame(columns=["indicator", "source", *years])
    rows = []
    for (indicator, source), group in table.groupby(["indicator", "source"], sort=False):
        by_year = dict(zip(group["year"], group["value"]))
        last = group.sort_values("year").iloc[-1]
        row = {"indicator": indicator, "source": source, "unit": last["unit"]}
        row.update({y: by_year.get(y) for y in years})
        row["latest"] = last["value"]
        row["latest year"] = last["year"]
        rows.append(row)
    out = pd.DataFrame(rows)
    return out


def comparison_series(local: pd.DataFrame) -> pd.DataFrame:
    """The city's migrant headline series with ids, saved by each city run for the comparisons.

    Returns
    -------
    pandas.DataFrame
        Columns: city_id, place_id, place_name, geography_level, definition_id, ref_date,
        persons, share, source_id, flag.
    """
    merged = _counts_with_shares(local, ("country",) + SUB_CITY)
    merged = merged.rename(columns={"value": "persons", "value_share": "share"})
    cols = ["city_id", "place_id", "place_name", "geography_level", "definition_id", "ref_date", "persons", "share", "source_id", "flag", "note"]
    return merged[cols].sort_values(["definition_id", "place_id", "ref_date"]).reset_index(drop=True)


def comparison_national(national: pd.DataFrame) -> pd.DataFrame:
    """The country's UN DESA migrant share (2020 edition) and stock (2024 edition) for the comparisons.

    Returns
    -------
    pandas.DataFrame
        Columns: country_iso3, indicator_id, definition_id, source_id, period, value, unit.
    """
    share = headline_of(national, "population_share", "un_migrant_stock")
    stock = headline_of(national, "population", "un_migrant_stock")
    rows = pd.concat([share[share["source_id"] == "undesa_ims_2020"], stock[stock["source_id"] == "undesa_ims_2024"]])
    cols = ["country_iso3", "indicator_id", "definition_id", "source_id", "period", "value", "unit"]
    return rows[cols].sort_values(["source_id", "period"]).reset_index(drop=True)


def save_city_tables(folder: str, report, local: pd.DataFrame, national: pd.DataFrame, extra: dict[str, pd.DataFrame] | None = None) -> list:
    """Write a city run's exhibits plus the tables the comparison notebooks read.

    Parameters
    ----------
    folder
        The run's folder for this city.
    report : workbench.report.exhibits.Report
        The notebook's exhibits.
    local, national
        Prepared rows (see :func:`prepare_local`, :func:`prepare_national`).
    extra
        More tables for the comparisons, by file stem (e.g. ``origins``, ``framework_values``).

    Returns
    -------
    list of Path
    """
    from pathlib import Path

    out = Path(folder)
    written = report.save(out / "exhibits")
    tables = {"series": comparison_series(local), "national": comparison_national(national), **(extra or {})}
    for stem, table in tables.items():
        path = out / f"{stem}.csv"
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def national_origins(national: pd.DataFrame, top_n: int = 10) -> Section:
    """Largest countries of origin of the country's international migrant stock (UN DESA 2024 edition).

    Returns
    -------
    Section
        Columns: rank, origin, persons, share of the stock (%); the reference year in a note.
    """
    from workbench.reference.origins import origin_name

    columns = ["rank", "origin", "persons", "share of the stock (%)"]
    rows = national[
        (national["source_id"] == "undesa_ims_2024") & (national["indicator_id"] == "population")
        & (national["origin_type"] == "origin_country") & (national["sex"] == "total")
        & (national["age"] == "total") & (national["category"] == "total")
    ]
    total = headline_of(national[national["source_id"] == "undesa_ims_2024"], "population", "un_migrant_stock")
    if rows.empty or total.empty:
        return Section(pd.DataFrame(columns=columns))
    latest = rows["ref_date"].max()
    rows = rows[rows["ref_date"] == latest]
    total = total[total["ref_date"] == latest]
    stock = float(total["value"].iloc[0])
    top = rows.sort_values("value", ascending=False).head(top_n)
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": [origin_name(c) for c in top["origin"]],
            "persons": top["value"].to_numpy(),
            "share of the stock (%)": (100 * top["value"] / stock).to_numpy(),
        }
    )
    notes = [
        T(
            "{place}, {date}: international migrant stock of {stock} persons by country of birth (or of citizenship where "
            "birthplace is not recorded), UN DESA 2024 edition.",
            place=total["place_name"].iloc[0], date=Date(latest), stock=Num(stock),
        )
    ]
    return Section(table, ["undesa_ims_2024"], notes)


def origin_groups(local: pd.DataFrame) -> Section:
    """Migrants by world region or group of origin, from the city's latest table that has them.

    Returns
    -------
    Section
        Columns: group of origin, persons, share of the group (%); the table's definition, place
        and date in a note (groups are the publisher's own, not harmonised between cities).
    """
    from workbench.reference.origins import origin_name

    columns = ["group of origin", "persons", "share of the group (%)"]
    rows = local[
        (local["indicator_id"] == "population") & local["origin_type"].fillna("").str.endswith("_group")
        & (local["sex"] == "total") & (local["age"] == "total") & (local["category"] == "total")
        & ~local["geography_level"].isin(SUB_CITY) & local["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
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
    published = headline_of(local, "population", best["definition_id"])
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
            "share of the group (%)": (100 * chosen["value"] / total).to_numpy(),
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


@dataclass(frozen=True)
class AgeProfile:
    """Persons by age band (and sex where published) for a migrant group and its reference group."""

    title: Msg
    ages: pd.DataFrame  #: columns group, age, sex, persons
    source_ids: list[str]
    note: Msg


_AGE_PAIRS = (
    ("foreign_origin_wien", "austrian_origin_wien"),
    ("foreign_nationality", "national_citizens"),
    ("foreign_born", None),
    ("immigre_insee", None),
    ("registered_refugee", None),
)


def _age_bounds(age: str) -> tuple[float, float] | None:
    text = age.removeprefix("Y")
    if text.startswith("_LT"):
        return (0.0, float(text[3:]) - 1)
    if "-" in text:
        low, high = text.split("-", 1)
        if low.isdigit():
            return (float(low), 200.0 if high == "MAX" else float(high))
    if text.endswith("+") and text[:-1].isdigit():
        return (float(text[:-1]), 200.0)
    return None


def disjoint_bands(ages: list[str]) -> list[str]:
    """The narrowest age bands that do not overlap (published tables often add e.g. 15-64 to 15-24)."""
    bounds = {a: _age_bounds(a) for a in ages}
    chosen: list[str] = []
    for age in sorted((a for a in ages if bounds[a]), key=lambda a: bounds[a][1] - bounds[a][0]):
        low, high = bounds[age]
        if all(high < bounds[c][0] or low > bounds[c][1] for c in chosen):
            chosen.append(age)
    return sorted(chosen, key=lambda a: bounds[a][0])


def age_profiles(local: pd.DataFrame, national: pd.DataFrame) -> list[AgeProfile]:
    """Every age structure the data allow: migrants against natives where both are published.

    For each migrant definition the table used is one source, place and date (the one with most
    age bands, then the latest), never a mix. A breakdown by origin is summed only when the source
    publishes no all-origins row. Overlapping bands are dropped in favour of the narrowest.

    Returns
    -------
    list of AgeProfile
        City-level profiles first, then the country's.
    """
    defs = load_definitions()
    out = []
    for frame, country_level in ((local, False), (national, True)):
        rows = frame[
            (frame["indicator_id"] == "population") & (frame["age"] != "total") & (frame["category"] == "total")
            & (frame["flag"].fillna("") != "c") & ~frame["geography_level"].isin(SUB_CITY[2:])
        ]
        for group_id, reference_id in _AGE_PAIRS:
            if group_id == "registered_refugee" and frame is national:
                continue
            group = rows[rows["definition_id"] == group_id]
            in_area = group[~group["geography_level"].isin(SUB_CITY)]
            # a city published only by district (Stadt Wien) is the sum of its districts
            by_district = in_area.empty and not group.empty
            group = group if by_district else in_area
            if group.empty:
                continue
            keys = ["source_id", "ref_date"] if by_district else ["source_id", "place_id", "ref_date"]
            sizes = group.groupby(keys)["age"].nunique().reset_index(name="n").sort_values(["n", "ref_date"], ascending=False)
            best = sizes.iloc[0]
            pool = rows[rows["geography_level"].isin(SUB_CITY)] if by_district else rows[~rows["geography_level"].isin(SUB_CITY)]
            pick = pool[(pool[keys] == best[keys]).all(axis=1) & pool["definition_id"].isin([group_id, reference_id])]
            parts = []
            for definition_id, part in pick.groupby("definition_id", sort=False):
                part = part[part["origin"] == "total"] if (part["origin"] == "total").any() else part
                sexes = ["female", "male"] if part["sex"].isin(["female", "male"]).any() else ["total"]
                parts.append(part[part["sex"].isin(sexes)].assign(group=defs[definition_id].label))
            chosen = pd.concat(parts)
            bands = disjoint_bands(list(chosen["age"].unique()))
            chosen = chosen[chosen["age"].isin(bands)]
            if chosen["age"].nunique() < 3:
                continue
            ages = chosen.groupby(["group", "age", "sex"], as_index=False, sort=False)["value"].sum().rename(columns={"value": "persons"})
            level = chosen["geography_level"].iloc[0]
            place = T("sum of {areas}", areas=areas_text(chosen["place_id"].nunique(), level)) if by_district else chosen["place_name"].iloc[0]
            labels = [Label(defs[d].label) for d in dict.fromkeys(chosen["definition_id"])]
            title = _age_title(labels, "total" not in set(ages["sex"]), place, Date(best["ref_date"]))
            note = _age_note(Label(geography_label(level)), country_level, (chosen["origin"] != "total").any())
            out.append(AgeProfile(title, ages, source_refs(chosen), note))
    return out


def _age_title(labels: list[Label], by_sex: bool, place: str | Msg, date: Date) -> Msg:
    # one message per shape of the caption: by sex or not, one group or a group and its reference
    if len(labels) == 1:
        if by_sex:
            return T("Age and sex structure: {group}, {place}, {date}", group=labels[0], place=place, date=date)
        return T("Age structure: {group}, {place}, {date}", group=labels[0], place=place, date=date)
    if by_sex:
        return T("Age and sex structure: {group} and {reference}, {place}, {date}", group=labels[0], reference=labels[1], place=place, date=date)
    return T("Age structure: {group} and {reference}, {place}, {date}", group=labels[0], reference=labels[1], place=place, date=date)


def _age_note(geography: Label, country_level: bool, by_origin: bool) -> Msg:
    # where the table is from and whether origins were summed
    if country_level and by_origin:
        return T("{geography} (country level: no city table by age); summed over countries of origin; bars are % of each group.", geography=geography)
    if country_level:
        return T("{geography} (country level: no city table by age); all origins; bars are % of each group.", geography=geography)
    if by_origin:
        return T("{geography}; summed over countries of origin; bars are % of each group.", geography=geography)
    return T("{geography}; all origins; bars are % of each group.", geography=geography)

"""The country around a city: its migrant stock and origins, refugees, net migration and remittances."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import series_flags
from workbench.analysis.indicators import headline_of
from workbench.analysis.sections import Section
from workbench.reference.i18n import Date, Label, Msg, Num, T
from workbench.reference.origins import origin_name
from workbench.reference.registry import load_definitions
from workbench.reference.columns import SHARE_OF_THE_STOCK
from workbench.tidy.schemas import BALANCE_INDICATORS


def national_context(national: pd.DataFrame) -> Section:
    """The country's migrant stock, share, refugees, Palestine refugees, net migration and remittances.

    One row per indicator and year; UN DESA editions are kept apart (each series names its edition).

    Returns
    -------
    Section
        Columns: indicator, definition, source, year, value, unit, status ("projection" where the
        sources registry declares the year projected, see :func:`series_flags.projection_status`),
        notes (footnote markers of the series rule and of the notes only some points carry, e.g.
        UNRWA's Lebanon 2025 figure; the footnotes are the section's last notes).
    """
    defs = load_definitions()
    series = [
        ("International migrant stock", headline_of(national, "population", "un_migrant_stock"), ["undesa_ims_2024", "undesa_ims_2020"]),
        ("Migrants as % of population", headline_of(national, "population_share", "un_migrant_stock"), ["undesa_ims_2020"]),
        (REFUGEES_IN_STOCK, headline_of(national, "share_of_migrant_stock", "un_refugees_in_stock"), ["undesa_ims_2020"]),
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
                        "status": series_flags.projection_status(chosen),
                        # a computed row's note says how it was computed, not about the point
                        "note": chosen["note"].fillna("").astype(str).where(~chosen["flag"].fillna("").str.contains("c"), ""),
                        "balance": chosen["indicator_id"].isin(BALANCE_INDICATORS),
                    }
                )
            )
    if not parts:
        return Section(pd.DataFrame(columns=["indicator", "definition", "source", "year", "value", "unit"]))
    table = pd.concat(parts, ignore_index=True)
    # the series rule (steps, outliers) and the notes of single published points, as footnotes of
    # the years national_summary shows
    # of the years national_summary shows; a balance (net migration) changes sign and is not tested
    latest = table["year"] == table.groupby(["indicator", "source"])["year"].transform("max")
    notes = table.pop("note").map(series_flags.split_note)
    balance = table.pop("balance")
    tested, footnotes = series_flags.mark_series(
        table.assign(value=table["value"].where(~balance)), ["indicator", "source"], "year", ["value"], [],
        publisher_notes=notes, shown=table["year"].astype(str).isin(SUMMARY_YEARS) | latest,
    )
    table = tested.assign(value=table["value"])
    projected = [series_flags.PROJECTIONS_NOTE] if (table["status"] == series_flags.PROJECTION).any() else []
    return Section(table, list(dict.fromkeys(table["source"])),
                   country_notes(national, ["un_migrant_stock"]) + projected + footnotes)


#: The national context's row of UN DESA's refugees (UNRWA's Palestine refugees included) as % of the stock.
REFUGEES_IN_STOCK = "Refugees in the migrant stock, %"


def country_notes(national: pd.DataFrame, definition_ids: list[str]) -> list[Msg]:
    """What the definitions count in this country beyond their description (``country_notes`` of definitions.yaml).

    Parameters
    ----------
    national
        The country's rows (their ``country_iso3`` names the country).
    definition_ids
        The definitions a table or sentence uses.

    Returns
    -------
    list of Msg
        "Definition: note", one per definition that has a note for the country (e.g. UN DESA's
        stock of Jordan includes Palestine refugees); empty otherwise.
    """
    defs = load_definitions()
    countries = set(national["country_iso3"].dropna().astype(str)) if "country_iso3" in national else set()
    return [T("{definition}: {note}", definition=Label(defs[d].label), note=Label(defs[d].country_notes[c]))
            for d in definition_ids for c in sorted(countries) if c in defs[d].country_notes]


#: The years :func:`national_summary` shows (besides each series' latest).
SUMMARY_YEARS: tuple[str, ...] = ("1990", "2000", "2010", "2015", "2020", "2024")


def national_summary(section: Section, years: tuple[str, ...] = SUMMARY_YEARS) -> pd.DataFrame:
    """Reshape :func:`national_context` to one row per series and one column per selected year.

    A year a series lacks stays empty; the latest year of each series is added as a column
    'latest (year)' so recent figures are never hidden by the choice of columns; 'projections from'
    names the first projected year of a series (empty for observed series); 'notes' gives each
    marked year with its footnote markers (``2025 [1]``), shown or not among the columns.

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
        if "status" in group:
            row[series_flags.PROJECTIONS_FROM] = series_flags.first_projection(group["year"], group["status"])
        if series_flags.NOTES in group:
            marked = group[group[series_flags.NOTES] != ""].sort_values("year")
            row[series_flags.NOTES] = "; ".join(f"{y} {m}" for y, m in zip(marked["year"], marked[series_flags.NOTES]))
        rows.append(row)
    out = pd.DataFrame(rows)
    return out


def national_origins(national: pd.DataFrame, top_n: int = 10) -> Section:
    """Largest countries of origin of the country's international migrant stock (UN DESA 2024 edition).

    Returns
    -------
    Section
        Columns: rank, origin, persons, share of the stock (%); the reference year in a note.
    """
    columns = ["rank", "origin", "persons", SHARE_OF_THE_STOCK]
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
    # an origin published with 0 persons is not among the largest (Lebanon 2024: Sri Lanka)
    top = rows[rows["value"] > 0].sort_values("value", ascending=False).head(top_n)
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": [origin_name(c) for c in top["origin"]],
            "persons": top["value"].to_numpy(),
            SHARE_OF_THE_STOCK: (100 * top["value"] / stock).to_numpy(),
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

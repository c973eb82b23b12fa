"""The synopsis: short sentences drafted from the profile's own tables, each citing where it comes from.

Every sentence is built from a table the profile shows (never from a separate query), names the
definition, area and date of its number, and ends with a reference to that table and its source.
Nothing is drafted where the data say nothing: a missing part gives no sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.composition import TOP_AREAS
from workbench.profile import Section
from workbench.registry import City
from workbench.tables import format_number


@dataclass(frozen=True)
class Sentence:
    """One drafted sentence and the table it comes from."""

    text: str
    table: str  #: where the number is shown: section and caption of the table
    sources: list[str] = field(default_factory=list)


def _pct(value: float) -> str:
    return format_number(value, "percent")


def _n(value: float) -> str:
    return format_number(value, "persons")


def _date(ref_date: str) -> str:
    return str(ref_date)


def migrant_share(series: Section, city: City, where: str) -> list[Sentence]:
    """The latest migrant share in the city's own area, and its change since the first date.

    Parameters
    ----------
    series
        :func:`workbench.profile.migrant_series`.
    city
        The city (its ``city_geography`` picks the area when several are published).
    where
        Section and caption of the series table, for the reference.
    """
    table = series.table.dropna(subset=["share of population (%)"])
    if table.empty:
        return []
    area = city.city_geography.replace("_", " ")
    preferred = table[table["geography"] == area]
    pool = preferred if len(preferred) else table
    last = pool.sort_values("reference date").iloc[-1]
    same = table[(table["place"] == last["place"]) & (table["definition"] == last["definition"]) & (table["source"] == last["source"])]
    text = (
        f"{last['definition']} numbered {_n(last['persons'])} in {last['place']} ({last['geography']}) "
        f"on {_date(last['reference date'])}: {_pct(last['share of population (%)'])} % of the population."
    )
    out = [Sentence(text, where, [last["source"]])]
    first = same.sort_values("reference date").iloc[0]
    if first["reference date"] != last["reference date"]:
        change = last["share of population (%)"] - first["share of population (%)"]
        out.append(
            Sentence(
                f"On {_date(first['reference date'])} the same series stood at {_pct(first['share of population (%)'])} %: "
                f"a change of {change:+.1f} percentage points.",
                where,
                [last["source"]],
            )
        )
    return out


def other_definitions(series: Section, city: City, where: str) -> list[Sentence]:
    """One sentence listing the latest count under every other definition or area."""
    table = series.table
    if table["definition"].nunique() < 2 and table["place"].nunique() < 2:
        return []
    latest = table.sort_values("reference date").groupby(["definition", "place"], sort=False).tail(1)
    parts = [
        f"{row['definition'].lower()} in {row['place']} ({row['geography']}, {_date(row['reference date'])}): {_n(row['persons'])}"
        + (f" ({_pct(row['share of population (%)'])} %)" if pd.notna(row["share of population (%)"]) else "")
        for _, row in latest.iterrows()
    ]
    text = "Each definition and area counts a different population: " + "; ".join(parts) + "."
    return [Sentence(text, where, list(dict.fromkeys(latest["source"])))]


def growth(trends: pd.DataFrame, where: str) -> list[Sentence]:
    """The average annual growth of the longest series, with its confidence interval."""
    if trends.empty:
        return []
    row = trends.sort_values(["dates", "to"]).iloc[-1]
    low, high = row["95% CI low"], row["95% CI high"]
    verdict = "" if low <= 0 <= high else (" (the interval excludes zero)")
    text = (
        f"{row['definition']} in {row['place']} changed by {row['growth (% per year)']:+.1f} % a year on average "
        f"from {row['from']} to {row['to']} (95 % confidence interval {low:+.1f} to {high:+.1f}){verdict}."
    )
    if row.get("break in series"):
        text += " A break in series lies within the period."
    return [Sentence(text, where, [])]


def top_origins(origins: Section, where: str) -> list[Sentence]:
    """The three largest countries of origin with their shares."""
    if origins.empty:
        return []
    top = origins.table.head(3)
    parts = [f"{row['origin']} ({_pct(row['share of the group (%)'])} %)" for _, row in top.iterrows()]
    context = origins.notes[0].split(";")[0] if origins.notes else ""
    text = f"The largest countries of origin were {', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else f"The largest country of origin was {parts[0]}"
    text += f" ({context})." if context else "."
    return [Sentence(text, where, list(origins.source_ids))]


def refugees(section: Section, where: str) -> list[Sentence]:
    """Refugees and asylum-seekers registered with UNHCR in the city's area, latest year."""
    if section.empty:
        return []
    table = section.table
    year = table["year"].max()
    rows = table[table["year"] == year]
    main = rows.sort_values("refugees", na_position="first").iloc[-1]
    text = f"At the end of {year}, UNHCR counted {_n(main['refugees'])} registered refugees"
    if pd.notna(main.get("asylum-seekers")):
        text += f" and {_n(main['asylum-seekers'])} asylum-seekers"
    text += f" in {main['place']}."
    return [Sentence(text, where, list(section.source_ids))]


def national(context: Section, city: City, where: str) -> list[Sentence]:
    """The country's migrant share (UN DESA 2020 edition) and latest stock (2024 edition)."""
    if context.empty:
        return []
    table = context.table
    out = []
    share = table[(table["indicator"] == "Migrants as % of population") & (table["source"] == "undesa_ims_2020")]
    stock = table[(table["indicator"] == "International migrant stock") & (table["source"] == "undesa_ims_2024")]
    if len(share):
        last = share.sort_values("year").iloc[-1]
        out.append(
            Sentence(
                f"In {city.country_names.en}, international migrants (foreign-born, or foreign nationals where "
                f"birthplace is not recorded) were {_pct(last['value'])} % of the population in {last['year']} "
                "(UN DESA, 2020 edition).",
                where,
                ["undesa_ims_2020"],
            )
        )
    if len(stock):
        last = stock.sort_values("year").iloc[-1]
        out.append(Sentence(f"UN DESA's 2024 edition counts {_n(last['value'])} international migrants in {city.country_names.en} in {last['year']}.", where, ["undesa_ims_2024"]))
    return out


def residential(segregation: Section, where: str) -> list[Sentence]:
    """The latest dissimilarity index per source and kind of area, with its change since the first date."""
    table = segregation.table
    if table.empty:
        return []
    out = []
    for (source_id, level), rows in table.groupby(["source", "area level"], sort=False):
        rows = rows.sort_values("reference date")
        last, first = rows.iloc[-1], rows.iloc[0]
        top = f"migrants in the {TOP_AREAS} highest-share areas (%)"
        text = (
            f"At {level} level ({int(last['areas'])} areas of the city), the dissimilarity index of {last['group']} "
            f"against {last['reference group']} was {last['dissimilarity D']:.2f} on {_date(last['reference date'])} "
            f"(0 = spread alike, 1 = fully separated)"
        )
        if first["reference date"] != last["reference date"]:
            text += f", against {first['dissimilarity D']:.2f} on {_date(first['reference date'])}"
        text += f"; {_pct(last[top])} % of them lived in the {TOP_AREAS} areas where their share was highest."
        out.append(Sentence(text, where, [source_id]))
    return out


def diversity(section: Section, where: str) -> list[Sentence]:
    """The effective number of origins of the city's migrants, and of the country's when published."""
    table = section.table
    if table.empty:
        return []
    cities = table[table["scope"] == "city"]
    if cities.empty:
        return []
    city = cities.iloc[0]
    text = (
        f"{city['definition']} in {city['area']} came from {int(city['origins published'])} published origins "
        f"on {_date(city['reference date'])}; they were as diverse as {city['effective number of origins']:.1f} "
        f"equally large origins (Simpson diversity {city['Simpson diversity']:.2f})"
    )
    sources = [city["source"]]
    country = table[table["scope"] == "country"]
    if len(country):
        row = country.iloc[0]
        text += f", against {row['effective number of origins']:.1f} for {row['area']}"
        if row["definition"] != city["definition"]:
            text += f" ({row['definition']}, {_date(row['reference date'])}: a different definition, indicative only)"
        elif row["origins published"] != city["origins published"]:
            text += f" (a table listing {int(row['origins published'])} origins: indicative only)"
        sources.append(row["source"])
    return [Sentence(text + ".", where, list(dict.fromkeys(sources)))]


def labour_gaps(gaps: Section, where: str) -> list[Sentence]:
    """The employment and unemployment gaps between migrants and natives, latest date, both sexes."""
    table = gaps.table
    if table.empty:
        return []
    total = table[table["sex"] == "total"]
    if total.empty:
        return []
    latest = total[total["reference date"] == total["reference date"].max()]
    out = []
    for (place, geography, age, source_id), rows in latest.groupby(["place", "geography", "age band", "source"], sort=False):
        parts = [
            f"{row['rate']} of {_pct(row['migrants (%)'])} % against {_pct(row['natives (%)'])} % ({row['gap (pp)']:+.1f} points)"
            for _, row in rows.iterrows()
            if row["rate"] in ("employment rate", "unemployment rate")
        ]
        if not parts:
            continue
        row = rows.iloc[0]
        out.append(
            Sentence(
                f"In {place} ({geography}) on {_date(row['reference date'])}, {row['migrant definition']} aged {age} had an "
                f"{' and an '.join(parts)} for {row['native definition'].lower()} (point estimates).",
                where,
                [source_id],
            )
        )
    return out


def disagreements(conflicts: Section, where: str) -> list[Sentence]:
    """How far published figures for the same population and year differ between sources."""
    table = conflicts.table
    if table.empty:
        return []
    same = table[table["comparable"] == "same area"]
    spread = same["difference from first (%)"].abs().max() if len(same) else float("nan")
    text = f"Official sources publish different figures for {table['population'].nunique()} population(s) of the profile"
    if pd.notna(spread) and spread > 0:
        text += f"; for the same area they differ by up to {_pct(spread)} %"
    text += ": both figures are shown with their sources."
    return [Sentence(text, where, list(conflicts.source_ids))]


def as_markdown(sentences: list[Sentence]) -> str:
    """The synopsis as a Markdown list, each sentence followed by its table and source ids."""
    if not sentences:
        return "*No figure could be drafted from the public sources for this city.*"
    lines = []
    for s in sentences:
        ref = f"see {s.table}" + (f"; source: {', '.join(s.sources)}" if s.sources else "")
        lines.append(f"- {s.text} *({ref})*")
    return "\n".join(lines)


def as_table(sentences: list[Sentence]) -> pd.DataFrame:
    """The synopsis as a table (sentence, table, sources) for saving with the run."""
    return pd.DataFrame(
        {"sentence": [s.text for s in sentences], "table": [s.table for s in sentences], "sources": ["; ".join(s.sources) for s in sentences]},
        columns=["sentence", "table", "sources"],
    )

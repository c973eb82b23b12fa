"""The synopsis: short sentences drafted from the profile's own tables, each citing where it comes from.

Every sentence is built from a table the profile shows (never from a separate query), names the
definition, area and date of its number, and ends with a reference to that table and its source.
Nothing is drafted where the data say nothing: a missing part gives no sentence. The numbers of a
sentence are claims (value, table, row, column; :mod:`workbench.analysis.claims`): ``check``, run at
the end of the profile notebook, fails it where a number is not the cell it cites.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis import series_flags
from workbench.analysis.claims import Claim, Sentence, check  # noqa: F401  (check: the notebooks' synopsis.check)
from workbench.analysis.profile_tables import MIGRANT_SHARE_FIGURE
from workbench.analysis.sections import Section
from workbench.analysis.stats import BREAK
from workbench.errors import DataError
from workbench.reference.registry import City, load_sources
from workbench.reference.i18n import Country, Date, Label, Msg, Num, T, join
from workbench.reference.labels import ASSUMED_YEAR_NOTE, bare_place, place_label, source_name
from workbench.reference.columns import CI_HIGH, CI_LOW, DIFFERENCE_FROM_FIRST, DISSIMILARITY, EFFECTIVE_ORIGINS, GAP, GEOGRAPHY, GROWTH, MIGRANTS_SHARE, NATIVES_SHARE, REFERENCE_DATE, SHARE_OF_POPULATION, SHARE_OF_THE_GROUP, SIMPSON, TOP_AREAS, TOP_AREAS_RESIDENTS, TOP_AREAS_SHARE


def _cite(table: str, row: pd.Series, column: str) -> Claim:
    return Claim(float(row[column]), table, row.name, column)


def _cite_label(table: str, row: pd.Series, column: str) -> Claim:
    return Claim(float("nan"), table, row.name, column, how="label", text=row[column])


def _pct(value: float) -> Num:
    return Num(float(value), "percent")


def _n(value: float) -> Num:
    return Num(float(value), "persons")


def _label(value) -> Label | Msg:
    # a cell that is already a message (e.g. "15 and over") keeps its own translation
    return value if isinstance(value, Msg) else Label(str(value))


def migrant_share(series: Section, city: City, where: Msg) -> list[Sentence]:
    """The latest migrant share in the city's own area, and its change since the first date.

    Parameters
    ----------
    series
        :func:`workbench.analysis.profile_tables.migrant_series`.
    city
        The city (its ``city_geography`` picks the area when several are published).
    where
        Section and caption of the series table, for the reference.
    """
    table = series.table.dropna(subset=[SHARE_OF_POPULATION])
    if table.empty:
        return []
    area = city.city_geography.replace("_", " ")
    preferred = table[table["geography"] == area]
    pool = preferred if len(preferred) else table
    last = pool.sort_values(REFERENCE_DATE).iloc[-1]
    same = table[(table["place"] == last["place"]) & (table["definition"] == last["definition"]) & (table["source"] == last["source"])]
    text = T(
        "{definition} numbered {persons} in {area} on {date}: {share} % of the population.",
        definition=_label(last["definition"]), persons=_n(last["persons"]), area=place_label(last["place"], last["geography"]),
        date=Date(last[REFERENCE_DATE]), share=_pct(last[SHARE_OF_POPULATION]),
    )
    out = [Sentence(text, where, [last["source"]], [_cite("series", last, "persons"), _cite("series", last, SHARE_OF_POPULATION)])]
    first = same.sort_values(REFERENCE_DATE).iloc[0]
    if first[REFERENCE_DATE] != last[REFERENCE_DATE]:
        change = last[SHARE_OF_POPULATION] - first[SHARE_OF_POPULATION]
        out.append(Sentence(
            T("On {date} the same series stood at {share} %: a change of {change} percentage points.",
              date=Date(first[REFERENCE_DATE]), share=_pct(first[SHARE_OF_POPULATION]), change=_signed(change)),
            where, [last["source"]],
            [_cite("series", first, SHARE_OF_POPULATION),
             Claim(float(change), "series", last.name, SHARE_OF_POPULATION, (first.name, SHARE_OF_POPULATION), "difference")],
        ))
    return out


def published_share(key: Section, series: Section, where: Msg) -> list[Sentence]:
    """The latest migrant share published without a count (a survey share), when the series gives no share.

    Drafted from the key figures (table key "key") only where :func:`migrant_share` has nothing to
    say: e.g. Beirut governorate, 30.9 % non-Lebanese in the 2018-2019 household survey.
    """
    if not series.table.dropna(subset=[SHARE_OF_POPULATION]).empty or key.empty:
        return []
    rows = key.table[(key.table["figure"] == MIGRANT_SHARE_FIGURE) & ~key.table["flag"].fillna("").str.contains("c")]
    if rows.empty:
        return []
    last = rows.sort_values(REFERENCE_DATE).iloc[-1]
    values = dict(definition=_label(last["definition"]), share=_pct(last["value"]), place=last["place"])
    if ASSUMED_YEAR_NOTE in key.notes and str(last[REFERENCE_DATE]).endswith("-07-01") and last["source"] not in load_sources():
        # a local expert's figure published with a year only: 1 July is the workbench's, not the publisher's
        text = T("{definition} were {share} % of the population of {place} in {year}, as published (no count of them is "
                 "published).", **values, year=str(last[REFERENCE_DATE])[:4])
    else:
        text = T("{definition} were {share} % of the population of {place} on {date}, as published (no count of them is "
                 "published).", **values, date=Date(last[REFERENCE_DATE]))
    return [Sentence(text, where, [last["source"]], [_cite("key", last, "value")])]


def _signed(value: float) -> Msg:
    # a change with its sign, formatted for the reader's locale
    return T("+{value}", value=_pct(value)) if value >= 0 else T("-{value}", value=_pct(-value))


def other_definitions(series: Section, city: City, where: Msg) -> list[Sentence]:
    """One sentence listing the latest count under every other definition or area."""
    table = series.table
    if table["definition"].nunique() < 2 and table["place"].nunique() < 2:
        return []
    latest = table.sort_values(REFERENCE_DATE).groupby(["definition", "place"], sort=False).tail(1)
    parts, claims = [], []
    for _, row in latest.iterrows():
        claims.append(_cite("series", row, "persons"))
        common = {"definition": _label(row["definition"]), "place": bare_place(row["place"], row["geography"]), "geography": _label(row["geography"]),
                  "date": Date(row[REFERENCE_DATE]), "persons": _n(row["persons"])}
        if pd.notna(row[SHARE_OF_POPULATION]):
            parts.append(T("{definition} in {place} ({geography}, {date}): {persons} ({share} %)", **common,
                           share=_pct(row[SHARE_OF_POPULATION])))
            claims.append(_cite("series", row, SHARE_OF_POPULATION))
        else:
            parts.append(T("{definition} in {place} ({geography}, {date}): {persons}", **common))
    text = T("Each definition and area counts a different population: {counts}.", counts=join(parts, "; "))
    return [Sentence(text, where, list(dict.fromkeys(latest["source"])), claims)]


def growth(trends: pd.DataFrame, where: Msg) -> list[Sentence]:
    """The average annual growth of the longest series, with the interval of the fit.

    The interval is worded as the fit's uncertainty (register and census counts are not a sample),
    never as a test of whether the population changed.

    Raises
    ------
    DataError
        If the :data:`~workbench.analysis.stats.BREAK` column is not boolean (a shown "yes"/"no"
        is never read back: the string "no" would count as a break).
    """
    if trends.empty:
        return []
    if not pd.api.types.is_bool_dtype(trends[BREAK]):
        raise DataError(f"trend table, column '{BREAK}': expected booleans from stats.trend_table, got "
                        f"{trends[BREAK].dtype} (a shown 'yes'/'no' is not read back)")
    row = trends.sort_values(["dates", "to"]).iloc[-1]
    text = T("{definition} in {place} changed by {growth} % a year on average from {start} to {end}, by a trend fitted "
             "to {dates} dates (95 % interval of the fit {low} to {high}: how far the counts stray from a steady "
             "trend, not a sampling error).",
             definition=_label(row["definition"]), place=row["place"], growth=_signed(row[GROWTH]),
             start=Date(row["from"]), end=Date(row["to"]), dates=int(row["dates"]),
             low=_signed(row[CI_LOW]), high=_signed(row[CI_HIGH]))
    claims = [_cite("trends", row, c) for c in (GROWTH, "dates", CI_LOW, CI_HIGH)]
    sentences = [Sentence(text, where, [], claims)]
    if row[BREAK]:
        sentences.append(Sentence(T("A break in series lies within the period."), where, []))
    return sentences


#: Fewest origins a city's table must list for the synopsis to state their diversity, or to call them the largest (Amman's 2015
#: census preliminary results name 2 nationalities and leave 43 % of non-Jordanians unlisted).
MIN_ORIGINS_FOR_DIVERSITY = 5


def top_origins(origins: Section, where: Msg) -> list[Sentence]:
    """The three largest countries of origin with their shares."""
    if origins.empty:
        return []
    top = origins.table.head(3)
    parts = [T("{origin} ({share} %)", origin=Country.named(row["origin"]), share=_pct(row[SHARE_OF_THE_GROUP]))
             for _, row in top.iterrows()]
    context = origins.notes[0] if origins.notes else ""
    few = len(origins.table) < MIN_ORIGINS_FOR_DIVERSITY and len(parts) > 1 and context
    if few:  # a table naming two or three countries says nothing of the others: the sentence says so
        text = T("The table names only {count} countries of origin, {first} and {last} ({context}); the others are not "
                 "itemised.", count=len(origins.table), first=join(parts[:-1], ", "), last=parts[-1], context=context)
    elif len(parts) > 1:
        text = T("The largest countries of origin were {first} and {last} ({context}).", first=join(parts[:-1], ", "),
                 last=parts[-1], context=context) if context else \
            T("The largest countries of origin were {first} and {last}.", first=join(parts[:-1], ", "), last=parts[-1])
    else:
        text = T("The largest country of origin was {first} ({context}).", first=parts[0], context=context) if context else \
            T("The largest country of origin was {first}.", first=parts[0])
    claims = [_cite("origins", row, SHARE_OF_THE_GROUP) for _, row in top.iterrows()]
    if few:
        claims.append(Claim(float(len(origins.table)), "origins", top.index[0], "origin", how="distinct"))
    if context:
        # the note states the total the shares are of: it must be the base of the first row's share
        first = top.iloc[0]
        claims += [Claim(_total(context), "origins", first.name, "persons", (first.name, SHARE_OF_THE_GROUP), "base")]
    return [Sentence(text, where, list(origins.source_ids), claims)]


def _total(note: Msg) -> float:
    # the {total} of the origins table's note (profile_tables.origins)
    total = note.params.get("total") if isinstance(note, Msg) else None
    return float(total.value) if isinstance(total, Num) else float("nan")


def refugees(section: Section, where: Msg) -> list[Sentence]:
    """Refugees and asylum-seekers registered with UNHCR in the city's area, latest year of a consistent series.

    A headline never comes from a point whose place or geography level differs from the series
    before it (:func:`workbench.analysis.series_flags.runs`): when the latest run of one place and
    level is not the longest, the headline is the last point of the longest run, and a second
    sentence says that UNHCR changed the level, with the latest figure as not comparable.
    """
    if section.empty:
        return []
    # a refugee figure its publisher corrected later is never the headline
    table = section.table[[(i, "refugees") not in section.superseded for i in section.table.index]]
    if table.empty:
        return []
    levels = [c for c in ("place", GEOGRAPHY) if c in table.columns]
    if table.duplicated("year").any() or not levels:
        # several places in the same years: the largest place in the latest year
        year = table["year"].max()
        main = table[table["year"] == year].sort_values("refugees", na_position="first").iloc[-1]
        return _refugees_sentence(main, section, where)
    ordered = table.sort_values("year", kind="stable")
    run = series_flags.runs(ordered, levels)
    sizes = run.value_counts()
    longest = max(sizes.index, key=lambda r: (sizes[r], r))
    latest = run.iloc[-1]
    main = ordered[run == longest].iloc[-1]
    out = _refugees_sentence(main, section, where)
    if latest != longest:
        first, last = ordered[run == latest].iloc[0], ordered.iloc[-1]
        text = T("UNHCR changed the geography level of its figures in {first}: the {refugees} registered refugees it counted "
                 "in {place} at the end of {year} are not comparable with that series.",
                 first=int(first["year"]), refugees=_n(last["refugees"]), place=last["place"], year=int(last["year"]))
        claims = [_cite("refugees", first, "year"), _cite("refugees", last, "refugees"), _cite("refugees", last, "year")]
        out.append(Sentence(text, where, list(section.source_ids), claims))
    return out


def _refugees_sentence(main: pd.Series, section: Section, where: Msg) -> list[Sentence]:
    # the headline sentence; an asylum-seeker figure corrected later is not quoted, and a second
    # sentence says why it is missing
    year = main["year"]
    claims = [_cite("refugees", main, "year"), _cite("refugees", main, "refugees")]
    superseded = (main.name, "asylum-seekers") in section.superseded
    if pd.notna(main.get("asylum-seekers")) and not superseded:
        claims.append(_cite("refugees", main, "asylum-seekers"))
        text = T("At the end of {year}, UNHCR counted {refugees} registered refugees and {asylum} asylum-seekers in {place}.",
                 year=int(year), refugees=_n(main["refugees"]), asylum=_n(main["asylum-seekers"]), place=main["place"])
    else:
        text = T("At the end of {year}, UNHCR counted {refugees} registered refugees in {place}.",
                 year=int(year), refugees=_n(main["refugees"]), place=main["place"])
    out = [Sentence(text, where, list(section.source_ids), claims)]
    if superseded:
        out.append(Sentence(
            T("UNHCR corrected its asylum-seeker figures for {year} after the release the workbench holds: the figure "
              "for {place} is shown in the table with its note, not quoted here.", year=int(year), place=main["place"]),
            where, list(section.source_ids), [_cite("refugees", main, "year")]))
    return out


def national(context: Section, city: City, where: Msg) -> list[Sentence]:
    """The country's migrant share (UN DESA 2020 edition) and latest stock (2024 edition)."""
    if context.empty:
        return []
    table = context.table
    out = []
    share = table[(table["indicator"] == "Migrants as % of population") & (table["source"] == "undesa_ims_2020")]
    stock = table[(table["indicator"] == "International migrant stock") & (table["source"] == "undesa_ims_2024")]
    if len(share):
        last = share.sort_values("year").iloc[-1]
        out.append(Sentence(
            T("In {country}, international migrants (foreign-born, or foreign nationals where birthplace is not recorded) "
              "were {share} % of the population in {year} (UN DESA, 2020 edition).",
              country=city.country_names, share=_pct(last["value"]), year=int(last["year"])),
            where, ["undesa_ims_2020"], [_cite("context", last, "value"), _cite("context", last, "year")],
        ))
    if len(stock):
        last = stock.sort_values("year").iloc[-1]
        out.append(Sentence(
            T("UN DESA's 2024 edition counts {stock} international migrants in {country} in {year}.",
              stock=_n(last["value"]), country=city.country_names, year=int(last["year"])),
            where, ["undesa_ims_2024"], [_cite("context", last, "value"), _cite("context", last, "year")],
        ))
    return out


def residential(segregation: Section, where: Msg) -> list[Sentence]:
    """The latest dissimilarity index per source and kind of area, with its change since the first date."""
    table = segregation.table
    if table.empty:
        return []
    out = []
    top = TOP_AREAS_SHARE
    for (source_id, level), rows in table.groupby(["source", "area level"], sort=False):
        rows = rows.sort_values(REFERENCE_DATE)
        last, first = rows.iloc[-1], rows.iloc[0]
        values = {"level": _label(level), "areas": int(last["areas"]), "group": _label(last["group"]),
                  "reference": _label(last["reference group"]), "d": Num(float(last[DISSIMILARITY]), "ratio"),
                  "date": Date(last[REFERENCE_DATE]), "share": _pct(last[top]), "top": TOP_AREAS,
                  "residents": _pct(last[TOP_AREAS_RESIDENTS])}
        if first[REFERENCE_DATE] != last[REFERENCE_DATE]:
            text = T("At {level} level ({areas} areas of the city), the dissimilarity index of {group} against {reference} "
                     "was {d} on {date} (0 = spread alike, 1 = fully separated), against {first_d} on {first_date}; "
                     "{share} % of them lived in the {top} areas where their share was highest, "
                     "home to {residents} % of all residents.",
                     **values, first_d=Num(float(first[DISSIMILARITY]), "ratio"), first_date=Date(first[REFERENCE_DATE]))
        else:
            text = T("At {level} level ({areas} areas of the city), the dissimilarity index of {group} against {reference} "
                     "was {d} on {date} (0 = spread alike, 1 = fully separated); "
                     "{share} % of them lived in the {top} areas where their share was highest, "
                     "home to {residents} % of all residents.", **values)
        claims = [_cite("segregation", last, "areas"), _cite("segregation", last, DISSIMILARITY),
                  _cite("segregation", last, top), _cite("segregation", last, TOP_AREAS_RESIDENTS),
                  _cite("segregation", first, DISSIMILARITY),
                  Claim(float(TOP_AREAS), "segregation", last.name, top, how="header")]
        out.append(Sentence(text, where, [source_id], claims))
    return out


def diversity(section: Section, where: Msg) -> list[Sentence]:
    """The effective number of origins of the city's migrants, and of the country's when published."""
    table = section.table
    if table.empty:
        return []
    cities = table[table["scope"] == "city"]
    if cities.empty:
        return []
    city = cities.iloc[0]
    if int(city["origins published"]) < MIN_ORIGINS_FOR_DIVERSITY:
        return []  # the diversity of two listed origins and an unlisted rest measures the table, not the population
    values = {"definition": _label(city["definition"]), "area": city["area"], "origins": int(city["origins published"]),
              "date": Date(city[REFERENCE_DATE]), "effective": _pct(city[EFFECTIVE_ORIGINS]),
              "simpson": Num(float(city[SIMPSON]), "ratio")}
    sources = [city["source"]]
    claims = [_cite("diversity", city, c) for c in ("origins published", EFFECTIVE_ORIGINS, SIMPSON)]
    country = table[table["scope"] == "country"]
    if country.empty:
        text = T("{definition} in {area} came from {origins} published origins on {date}; they were as diverse as "
                 "{effective} equally large origins (Simpson diversity {simpson}).", **values)
        return [Sentence(text, where, sources, claims)]
    row = country.iloc[0]
    sources.append(row["source"])
    claims += [_cite("diversity", row, EFFECTIVE_ORIGINS), _cite("diversity", row, "origins published")]
    values.update({"country_effective": _pct(row[EFFECTIVE_ORIGINS]), "country": row["area"]})
    if row["definition"] != city["definition"]:
        text = T("{definition} in {area} came from {origins} published origins on {date}; they were as diverse as "
                 "{effective} equally large origins (Simpson diversity {simpson}), against {country_effective} for "
                 "{country} ({country_definition}, {country_date}: a different definition, indicative only).",
                 **values, country_definition=_label(row["definition"]), country_date=Date(row[REFERENCE_DATE]))
    elif row["origins published"] != city["origins published"]:
        text = T("{definition} in {area} came from {origins} published origins on {date}; they were as diverse as "
                 "{effective} equally large origins (Simpson diversity {simpson}), against {country_effective} for "
                 "{country} (a table listing {country_origins} origins: indicative only).",
                 **values, country_origins=int(row["origins published"]))
    else:
        text = T("{definition} in {area} came from {origins} published origins on {date}; they were as diverse as "
                 "{effective} equally large origins (Simpson diversity {simpson}), against {country_effective} for {country}.",
                 **values)
    return [Sentence(text, where, list(dict.fromkeys(sources)), claims)]


def labour_gaps(gaps: Section, where: Msg) -> list[Sentence]:
    """The employment and unemployment gaps between migrants and natives, latest date, both sexes."""
    table = gaps.table
    if table.empty:
        return []
    total = table[table["sex"] == "total"]
    if total.empty:
        return []
    latest = total[total[REFERENCE_DATE] == total[REFERENCE_DATE].max()]
    out = []
    for (place, geography, age, source_id), rows in latest.groupby(["place", "geography", "age band", "source"], sort=False):
        rates = {r["rate"]: r for _, r in rows.iterrows() if r["rate"] in ("employment rate", "unemployment rate")}
        if not rates:
            continue
        first = rows.iloc[0]
        parts = [
            T("{rate} of {migrants} % against {natives} % ({gap} points)", rate=_label(name), migrants=_pct(r[MIGRANTS_SHARE]),
              natives=_pct(r[NATIVES_SHARE]), gap=_signed(r[GAP]))
            for name, r in rates.items()
        ]
        claims = [_cite("gaps", r, c) for r in rates.values() for c in (MIGRANTS_SHARE, NATIVES_SHARE, GAP)]
        claims.append(_cite_label("gaps", rows.iloc[0], "age band"))
        out.append(Sentence(
            T("In {area} on {date}, {migrants} aged {age} had: {rates}; compared with {natives} (point estimates).",
              area=place_label(place, geography), date=Date(first[REFERENCE_DATE]), migrants=_label(first["migrant definition"]),
              age=_label(first["age band"]), rates=join(parts, "; "), natives=_label(first["native definition"])),
            where, [source_id], claims,
        ))
    return out


def disagreements(conflicts: Section, where: Msg, caveats: list | tuple = ()) -> list[Sentence]:
    """How far published figures for the same population and year differ between sources.

    ``caveats`` (e.g. :func:`workbench.analysis.country.country_notes`: what a definition counts in
    this country) follow the sentence; the largest difference is a claim on its cell.
    """
    table = conflicts.table
    if table.empty:
        return []
    same = table[table["comparable"] == "same area"]
    spread = same[DIFFERENCE_FROM_FIRST].abs().max() if len(same) else float("nan")
    count = table["population"].nunique()
    claims = []
    if pd.notna(spread) and spread > 0:
        text = T("Official sources publish different figures for {count} population(s) of the profile; for the same area "
                 "they differ by up to {spread} %: both figures are shown with their sources.", count=count, spread=_pct(spread))
        widest = same.loc[same[DIFFERENCE_FROM_FIRST].abs().idxmax()]
        if widest[DIFFERENCE_FROM_FIRST] > 0:
            claims = [_cite("conflicts", widest, DIFFERENCE_FROM_FIRST), Claim(float(count), "conflicts", widest.name, "population", how="distinct")]
    else:
        text = T("Official sources publish different figures for {count} population(s) of the profile: both figures are "
                 "shown with their sources.", count=count)
    if caveats:
        text = T("{sentence} {caveats}", sentence=text, caveats=join(list(caveats), " "))
    return [Sentence(text, where, list(conflicts.source_ids), claims)]


def as_markdown(sentences: list[Sentence]) -> Msg:
    """The synopsis as a Markdown list, each sentence followed by its table and sources (publisher and table)."""
    if not sentences:
        return T("*No figure could be drafted from the public sources for this city.*")
    lines = []
    for s in sentences:
        if s.sources:
            lines.append(T("- {text} *(see {table}; source: {sources})*", text=s.text, table=s.table, sources=join([source_name(i) for i in dict.fromkeys(s.sources)], "; ")))
        else:
            lines.append(T("- {text} *(see {table})*", text=s.text, table=s.table))
    return join(lines, "\n")


def as_table(sentences: list[Sentence]) -> pd.DataFrame:
    """The synopsis as a table (sentence, table, sources) for saving with the run."""
    return pd.DataFrame(
        {"sentence": [s.text for s in sentences], "table": [s.table for s in sentences], "sources": ["; ".join(s.sources) for s in sentences]},
        columns=["sentence", "table", "sources"],
    )

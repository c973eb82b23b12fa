"""How migrants fare in the country as a whole (EU-LFS): education by birth, employment by citizenship, and permit channels.

Pure functions on a city's national rows (:attr:`workbench.tidy.catalog.CityData.national`). Each
table keeps one definition: education by *country of birth* (native-born, born in another EU country,
born outside the EU), employment and unemployment by *citizenship* (nationals, citizens of another
EU country, of a non-EU country). Birth and citizenship are different definitions: never one series.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.regional_labour import flag_notes
from workbench.analysis.sections import Section
from workbench.reference.columns import (
    EMPLOYMENT_GAP, EMPLOYMENT_RATE, FLAG, GROUP, LOW_EDUCATION, LOW_EDUCATION_GAP, PERSONS, PLACE, REASON, SHARE, TERTIARY,
    TERTIARY_GAP, UNEMPLOYMENT_GAP, UNEMPLOYMENT_RATE, YEAR,
)
from workbench.reference.i18n import Label, Msg, T, join

EDUCATION_SOURCE = "eurostat_edat_lfs_9912"
EMPLOYMENT_SOURCE = "eurostat_lfsa_ergan"
UNEMPLOYMENT_SOURCE = "eurostat_lfsa_urgan"
PERMITS_SOURCE = "eurostat_migr_resfirst"

#: (definition, origin) → group by country of birth, in display order; the first is the reference.
BIRTH_GROUPS: dict[tuple[str, str], Msg] = {
    ("native_born", "total"): T("native-born"),
    ("foreign_born", "total"): T("foreign-born"),
    ("foreign_born", "EU27_2020_FOR"): T("born in another EU country"),
    ("foreign_born", "NEU27_2020_FOR"): T("born outside the EU"),
}

#: (definition, origin) → group by citizenship, in display order; the first is the reference.
CITIZENSHIP_GROUPS: dict[tuple[str, str], Msg] = {
    ("national_citizens", "total"): T("nationals"),
    ("foreign_nationality", "total"): T("foreign citizens"),
    ("foreign_nationality", "EU27_2020_FOR"): T("citizens of another EU country"),
    ("foreign_nationality", "NEU27_2020_FOR"): T("citizens of a non-EU country"),
}


#: Permit reasons (tidy category) → as readers see them, in display order.
REASONS: dict[str, Msg] = {
    "reason:education": T("education"),
    "reason:employment": T("employment"),
    "reason:family": T("family"),
    "reason:other": T("other reasons (incl. international protection)"),
}


def education_by_birth(national: pd.DataFrame, age: str = "Y25-64") -> Section:
    """Tertiary and low educational attainment by country of birth, latest year, with the gap to the native-born.

    Parameters
    ----------
    national
        The city's national rows.
    age
        The age band (Eurostat code).

    Returns
    -------
    Section
        Columns place, year, group, tertiary education (%), at most lower secondary (%), and the two
        gaps with the native-born (pp), flag. Empty without such rows.
    """
    columns = [PLACE, YEAR, GROUP, TERTIARY, LOW_EDUCATION, TERTIARY_GAP, LOW_EDUCATION_GAP, FLAG]
    rows = national[(national["source_id"] == EDUCATION_SOURCE) & (national["sex"] == "total") & (national["age"] == age)
                    & national["category"].isin(["education:isced5-8", "education:isced0-2"]) & national["value"].notna()]
    wide = _groups(rows, BIRTH_GROUPS, {"education:isced5-8": "tertiary", "education:isced0-2": "low"})
    if wide.empty:
        return Section(pd.DataFrame(columns=columns))
    table = pd.DataFrame({
        PLACE: wide["place_name"], YEAR: wide["period"], GROUP: wide["group"],
        TERTIARY: wide["tertiary"], LOW_EDUCATION: wide["low"],
        TERTIARY_GAP: wide["tertiary_gap"], LOW_EDUCATION_GAP: wide["low_gap"], FLAG: wide["flag"],
    })
    notes = [
        T("By country of birth (not citizenship), persons aged 25-64, annual average of the EU Labour Force Survey (a sample survey); the whole country, not the city."),
        T("Tertiary education: ISCED levels 5-8; at most lower secondary: ISCED levels 0-2. Gap = group − native-born, in percentage points."),
        *flag_notes(table[FLAG]),
        *unpublished_note(table, [TERTIARY, LOW_EDUCATION]),
    ]
    return Section(table[columns], [EDUCATION_SOURCE], notes)


def rates_by_citizenship(national: pd.DataFrame, age: str = "Y20-64") -> Section:
    """Employment and unemployment rates by citizenship, latest year, with the gap to nationals.

    Parameters
    ----------
    national
        The city's national rows.
    age
        The age band (Eurostat code).

    Returns
    -------
    Section
        Columns place, year, group, employment rate (%), its gap with nationals (pp), unemployment
        rate (%), its gap with nationals (pp), flag. Empty without such rows.
    """
    columns = [PLACE, YEAR, GROUP, EMPLOYMENT_RATE, EMPLOYMENT_GAP, UNEMPLOYMENT_RATE, UNEMPLOYMENT_GAP, FLAG]
    rows = national[national["source_id"].isin([EMPLOYMENT_SOURCE, UNEMPLOYMENT_SOURCE]) & (national["sex"] == "total")
                    & (national["age"] == age) & national["value"].notna()]
    rows = rows.assign(category=rows["indicator_id"])
    wide = _groups(rows, CITIZENSHIP_GROUPS, {"employment_rate": "employment", "unemployment_rate": "unemployment"})
    if wide.empty:
        return Section(pd.DataFrame(columns=columns))
    table = pd.DataFrame({
        PLACE: wide["place_name"], YEAR: wide["period"], GROUP: wide["group"],
        EMPLOYMENT_RATE: wide["employment"], EMPLOYMENT_GAP: wide["employment_gap"],
        UNEMPLOYMENT_RATE: wide["unemployment"], UNEMPLOYMENT_GAP: wide["unemployment_gap"], FLAG: wide["flag"],
    })
    notes = [
        T("By citizenship (not country of birth): naturalised migrants are nationals. Persons aged 20-64, annual average of the EU Labour Force Survey (a sample survey); the whole country, not the city."),
        T("Employment rate: employed as % of the population aged 20-64; unemployment rate: unemployed as % of the labour force aged 20-64. Gap = group − nationals, in percentage points."),
        *flag_notes(table[FLAG]),
        *unpublished_note(table, [EMPLOYMENT_RATE, UNEMPLOYMENT_RATE]),
    ]
    return Section(table[columns], [EMPLOYMENT_SOURCE, UNEMPLOYMENT_SOURCE], notes)


def permit_channels(national: pd.DataFrame) -> Section:
    """First residence permits issued in the latest year by reason, with each reason's share.

    Parameters
    ----------
    national
        The city's national rows.

    Returns
    -------
    Section
        Columns place, year, reason, persons (permits issued), share (%) of all first permits of the
        year. Empty without such rows.
    """
    columns = [PLACE, YEAR, REASON, PERSONS, SHARE, FLAG]
    rows = national[(national["source_id"] == PERMITS_SOURCE) & (national["indicator_id"] == "permits_issued")
                    & national["value"].notna()]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    place = rows["place_id"].iloc[0]  # the country under its first code (ISO3 first; load_city orders them)
    rows = rows[rows["place_id"] == place]
    year = rows["period"].max()
    rows = rows[rows["period"] == year]
    totals = rows.loc[rows["category"] == "total", "value"]
    parts = rows[rows["category"].isin(list(REASONS))]
    parts = parts.assign(order=parts["category"].map(list(REASONS).index)).sort_values("order")
    total = totals.iloc[0] if len(totals) else parts["value"].sum()
    table = pd.DataFrame({
        PLACE: parts["place_name"], YEAR: parts["period"], REASON: parts["category"].map(REASONS),
        PERSONS: parts["value"], SHARE: 100 * parts["value"] / total, FLAG: parts["flag"].fillna(""),
    }).reset_index(drop=True)
    notes = [
        T("First residence permits issued to non-EU citizens during the year: a flow of permits, not the people living in the country with a permit; the whole country, not the city."),
        T("'Other reasons' includes international protection. Share = permits for the reason as % of all first permits of the year."),
        *flag_notes(table[FLAG], survey=False),
    ]
    return Section(table[columns], [PERMITS_SOURCE], notes)


def unpublished_note(table: pd.DataFrame, measures: list) -> list[Msg]:
    """A note naming each group and measure left empty because the publisher gives no figure ([] when none)."""
    cases = [T("{group}: {measure}", group=group, measure=Label(str(measure)))
             for measure in measures for group, value in zip(table[GROUP], table[measure]) if pd.isna(value)]
    if not cases:
        return []
    return [T("No figure published for {cases} (Eurostat withholds estimates based on too few sample observations): "
              "the cell is empty, not zero.", cases=join(cases, "; "))]


def _groups(rows: pd.DataFrame, groups: dict[tuple[str, str], Msg], measures: dict[str, str]) -> pd.DataFrame:
    # the latest year with the reference group, one row per group, each measure as a column with its gap to the reference
    keys = list(zip(rows["definition_id"], rows["origin"]))
    rows = rows[[k in groups for k in keys]]
    if rows.empty:
        return pd.DataFrame()
    place = rows["place_id"].iloc[0]
    rows = rows[rows["place_id"] == place]
    reference = next(iter(groups))
    is_reference = [(d, o) == reference for d, o in zip(rows["definition_id"], rows["origin"])]
    years = rows.loc[is_reference, "period"]
    if years.empty:
        return pd.DataFrame()
    rows = rows[rows["period"] == years.max()]
    out = []
    for order, (key, label) in enumerate(groups.items()):
        part = rows[(rows["definition_id"] == key[0]) & (rows["origin"] == key[1])]
        if part.empty:
            continue
        record = {"place_name": part["place_name"].iloc[0], "period": part["period"].iloc[0], "group": label, "order": order,
                  "flag": "".join(sorted(set("".join(part["flag"].fillna("")))))}
        for category, name in measures.items():
            value = part.loc[part["category"] == category, "value"]
            record[name] = float(value.iloc[0]) if len(value) else float("nan")
        out.append(record)
    wide = pd.DataFrame(out)
    base = wide.iloc[0] if out and out[0]["order"] == 0 else None
    for name in measures.values():
        wide[f"{name}_gap"] = float("nan") if base is None else wide[name] - base[name]
        wide.loc[wide["order"] == 0, f"{name}_gap"] = float("nan")
    return wide

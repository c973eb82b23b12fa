"""Sex and age of the migrant population: women's shares and age pyramids, against natives where published."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.analysis import indicators as ind
from workbench.analysis.labour import age_band
from workbench.analysis.sections import Section
from workbench.reference.i18n import Date, Label, Msg, T
from workbench.reference.labels import SUB_CITY, areas_text, geography_label, source_refs
from workbench.reference.registry import load_definitions
from workbench.reference.columns import REFERENCE_DATE, WOMEN_SHARE


def in_city_area(rows: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """The rows of the city's own area, or of its districts when the city is published only by district.

    The one decision of what counts as the city for its sex and age tables, the pyramids and so
    for the "no data" sentences of section 4.3 (a city such as Stadt Wien is the sum of its
    districts; neighbourhoods and smaller areas are never summed).

    Parameters
    ----------
    rows
        Tidy rows of one or more definitions.

    Returns
    -------
    tuple of pandas.DataFrame and bool
        The rows, and whether they are district rows to be summed.
    """
    rows = rows[~rows["geography_level"].isin(SUB_CITY[2:])]
    in_area = rows[~rows["geography_level"].isin(SUB_CITY)]
    if len(in_area) or rows.empty:
        return in_area, False
    return rows[rows["geography_level"].isin(SUB_CITY[:2])], True


def sex_age(local: pd.DataFrame) -> Section:
    """Women's share of each migrant group, from the latest sex breakdown per place and definition.

    The city is chosen as for the pyramids (:func:`in_city_area`); a table by age or origin only
    is summed over disjoint age bands and over origins when it has no all-ages or all-origins row.

    Returns
    -------
    Section
        Columns: place, definition, reference date, women, men, women (%).
    """
    defs = load_definitions()
    base = local[
        (local["indicator_id"] == "population") & local["definition_id"].isin(ind.MIGRANT_DEFINITIONS)
        & (local["sex"] != "total") & (local["source_id"] != "unhcr_demographics")
    ]
    base, by_district = in_city_area(base)
    if base.empty:
        return Section(pd.DataFrame(columns=["place", "definition", REFERENCE_DATE, "women", "men", WOMEN_SHARE]))
    base = pd.concat([_one_breakdown(part) for _, part in base.groupby(["definition_id", "ref_date", "source_id"], sort=False)])
    notes = []
    if by_district:
        level = base["geography_level"].iloc[0]
        place = T("sum of {areas}", areas=areas_text(base["place_id"].nunique(), level))
        base = base.assign(place_name="")
        notes.append(T("The city's own area is not published by sex: women and men are summed over its {areas}, as for the age pyramid.", areas=areas_text(base["place_id"].nunique(), level)))
    keys = ["place_name", "definition_id", "ref_date", "source_id"]
    bands = base.groupby(keys)["age"].agg(lambda a: sorted(set(a)))
    pivot = base.groupby([*keys, "sex"])["value"].sum().unstack("sex").reset_index()
    pivot = pivot.dropna(subset=[c for c in ("female", "male") if c in pivot.columns])
    latest = pivot.sort_values("ref_date").groupby(["place_name", "definition_id"]).tail(1)
    table = pd.DataFrame(
        {
            "place": [place] * len(latest) if by_district else latest["place_name"],
            "definition": latest["definition_id"].map(lambda d: defs[d].label),
            REFERENCE_DATE: latest["ref_date"],
            "women": latest["female"],
            "men": latest["male"],
            WOMEN_SHARE: 100 * latest["female"] / (latest["female"] + latest["male"]),
        }
    ).reset_index(drop=True)
    for _, row in latest.iterrows():
        used = bands[tuple(row[k] for k in keys)]
        if used != ["total"] and len(used) == 1:
            notes.append(T("{place}, {date}: women and men aged {age} only (the table has no all-ages figure by sex).",
                           place=row["place_name"], date=Date(row["ref_date"]), age=age_band(used[0])))
    return Section(table, list(dict.fromkeys(latest["source_id"])), notes)


def _one_breakdown(part: pd.DataFrame) -> pd.DataFrame:
    # one table's rows counted once: the all-categories and all-origins rows where published, else
    # every origin; then the all-ages rows if both sexes have one, else the disjoint age bands that
    # both sexes have (as the pyramids do)
    for column in ("category", "origin"):
        if (part[column] == "total").any():
            part = part[part[column] == "total"]
    both = part.groupby("age")["sex"].agg(lambda sexes: {"female", "male"} <= set(sexes))
    ages = [age for age, ok in both.items() if ok]
    return part[part["age"] == "total"] if "total" in ages else part[part["age"].isin(disjoint_bands(ages))]


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


def refugee_age_sex(local: pd.DataFrame) -> Section:
    """Refugees registered with UNHCR in the city's main location by age band and sex, latest year.

    Returns
    -------
    Section
        Columns: age, women, men, women (%); empty when UNHCR gives no breakdown.
    """
    columns = ["age", "women", "men", WOMEN_SHARE]
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
            WOMEN_SHARE: (100 * by["female"] / (by["female"] + by["male"])).to_numpy(),
        }
    )
    name = rows["place_name"].iloc[0]
    notes = [T("{place}, end of {year}; summed over countries of origin and settlement types (flag c).", place=name, year=latest)]
    return Section(table, ["unhcr_demographics"], notes)


@dataclass(frozen=True)
class AgeProfile:
    """Persons by age band (and sex where published) for a migrant group and its reference group."""

    title: Msg
    ages: pd.DataFrame  #: columns group, age, sex, persons
    source_ids: list[str]
    note: Msg
    #: Whether the group is a protection caseload (refugees registered with UNHCR): shown with the
    #: refugees (profile section 4.7), never as the age structure of the migrants (4.3).
    caseload: bool = False


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
            # a city published only by district (Stadt Wien) is the sum of its districts
            group, by_district = in_city_area(rows[rows["definition_id"] == group_id])
            if group.empty:
                continue
            keys = ["source_id", "ref_date"] if by_district else ["source_id", "place_id", "ref_date"]
            # a caseload's pyramid is the latest year, as its table beside it (refugee_age_sex);
            # a migrant group's the table with most age bands, then the latest
            caseload = group_id in ind.caseload_definitions()
            if caseload:
                group = group[~group["geography_level"].isin(SUB_CITY)]
                if group.empty:
                    continue
            order = ["ref_date", "n"] if caseload else ["n", "ref_date"]
            sizes = group.groupby(keys)["age"].nunique().reset_index(name="n").sort_values(order, ascending=False)
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
            out.append(AgeProfile(title, ages, source_refs(chosen), note, caseload))
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

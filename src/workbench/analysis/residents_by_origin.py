"""How are all residents of the city split by the publisher's group of origin and by sex?

For tables that break the whole population down by a group of origin (e.g. Barcelona's padró by
world region of nationality), not only the migrants: groups as the publisher makes them, withheld
cells never summed into zeros.
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.sections import Section
from workbench.reference.columns import BOTH_SEXES, MEN, SHARE_OF_POPULATION, WOMEN, WOMEN_SHARE
from workbench.reference.i18n import Date, Label, Num, T, join
from workbench.reference.labels import SUB_CITY
from workbench.reference.origins import origin_name
from workbench.reference.registry import load_definitions


def residents_by_group_and_sex(local: pd.DataFrame) -> Section:
    """All residents of the city by the publisher's group of origin and sex, on the latest date that has them.

    For tables that break the whole population (``total_population``), not only migrants, down by a
    group of origin (e.g. world regions of nationality) and sex, at city level. Groups that hold the
    country's own nationals (flag ``d``) are kept as published and named in a note. Cells withheld
    by the publisher (flag ``s``, empty) are not counted: each row says what it sums.

    Parameters
    ----------
    local
        The city's prepared rows.

    Returns
    -------
    Section
        Columns: group of origin, women, men, women and men, women (%), share of population (%)
        (of the sum over the groups); largest group first. Empty when no such table exists.
    """
    columns = ["group of origin", WOMEN, MEN, BOTH_SEXES, WOMEN_SHARE, SHARE_OF_POPULATION]
    rows = local[
        (local["indicator_id"] == "population") & (local["definition_id"] == "total_population")
        & local["origin_type"].fillna("").str.endswith("_group") & local["sex"].isin(["female", "male"])
        & (local["age"] == "total") & (local["category"] == "total") & ~local["geography_level"].isin(SUB_CITY)
        & (local["unit"] == "persons")
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    keys = ["source_id", "place_id", "ref_date"]
    best = rows.groupby(keys).size().reset_index(name="n").sort_values(["ref_date", "n"], ascending=[False, False]).iloc[0]
    chosen = rows[(rows[keys] == best[keys]).all(axis=1)]
    # a withheld cell (empty) stays empty: never summed into a zero
    wide = chosen.groupby(["origin", "sex"])["value"].sum(min_count=1).unstack("sex").reindex(columns=["female", "male"])
    both = wide.sum(axis=1, min_count=1)
    total = float(both.sum())
    wide = wide.assign(both=both).sort_values("both", ascending=False, na_position="last")
    # a group whose every cell was withheld has no figure: named in a note, not an empty row
    withheld = [origin_name(code) for code in wide.index[wide["both"].isna()]]
    wide = wide[wide["both"].notna()]
    table = pd.DataFrame(
        {
            "group of origin": [origin_name(code) for code in wide.index],
            WOMEN: wide["female"].to_numpy(),
            MEN: wide["male"].to_numpy(),
            BOTH_SEXES: wide["both"].to_numpy(),
            WOMEN_SHARE: (100 * wide["female"] / wide["both"]).to_numpy(),
            SHARE_OF_POPULATION: (100 * wide["both"] / total).to_numpy(),
        }
    )
    defs = load_definitions()
    first = chosen.iloc[0]
    notes: list = [
        T(
            "{definition} in {place} on {date}, by the publisher's group of origin and sex; shares of the sum over "
            "the groups ({total} persons). Groups are the publisher's own.",
            definition=Label(defs["total_population"].label), place=first["place_name"], date=Date(best["ref_date"]), total=Num(total),
        )
    ]
    with_nationals = chosen.loc[chosen["flag"].fillna("").str.contains("d"), "origin"]
    notes += [
        T(
            "{group}: as the publisher groups nationalities, this group includes the nationals of the country of "
            "residence (flag d); it is not a group of foreign nationals.",
            group=Label(origin_name(code)),  # translated like the table's cells
        )
        for code in dict.fromkeys(with_nationals)
    ]
    if withheld:
        notes.append(T("Every cell withheld by the publisher for confidentiality, so not shown: {groups}.",
                       groups=join([Label(g) for g in withheld], ", ")))
    if chosen["flag"].fillna("").str.contains("c").any():
        notes.append(T("Counts computed by the workbench (flag c) from the published cells: cells the publisher withheld for confidentiality are not included, so a count may be slightly below the true one."))
    return Section(table, [str(first["source_id"])], notes)

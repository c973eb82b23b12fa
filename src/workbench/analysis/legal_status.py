"""Under which legal status do migrants live in the city? Residence permits and titles by type.

Pure functions on prepared tidy rows. Types of permit and reasons are labelled from the
source's own wording (the tidy ``note``), never from labels made up here.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.reference.i18n import Label, Msg, T, join, source_words
from workbench.analysis.sections import Section
from workbench.reference.labels import geography_label, source_name, source_refs
from workbench.reference.registry import load_definitions
from workbench.tidy.schemas import FLAGS
from workbench.reference.columns import REFERENCE_DATE, SHARE_OF_ALL_NEW_PERMITS, SHARE_OF_ALL_PERMITS, SHARE_OF_ALL_TITLES, WOMEN_SHARE

#: Holders of a valid permit on a date, by type of permit (category 'permit:*').
PERMIT_DEFINITION = "residence_permit_holder"
#: Permits issued during a year (inflows), in total and by reason (category 'reason:*').
NEW_PERMIT_DEFINITION = "new_residence_permit"
#: Foreign residents with a residence title (Portugal), by kind of title (category 'title:*').
TITLE_DEFINITION = "residence_title_holder"

_PERMIT_COLUMNS = ["place", "geography", REFERENCE_DATE, "permit type", "holders", SHARE_OF_ALL_PERMITS, WOMEN_SHARE, "source"]
_NEW_COLUMNS = ["place", "geography", "year", REFERENCE_DATE, "reason", "new permits", SHARE_OF_ALL_NEW_PERMITS, WOMEN_SHARE, "source"]
_TITLE_COLUMNS = ["year", REFERENCE_DATE, "title", "holders", SHARE_OF_ALL_TITLES, WOMEN_SHARE, "flag", "source"]

#: Labels of the rows counting every permit (every reason) of a place and date.
ALL_PERMITS = T("all permits")
ALL_REASONS = T("all reasons")


def permits_by_type(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Holders of a valid residence permit by type of permit, per place and date.

    Parameters
    ----------
    local, national
        Prepared rows of the city and of its country.

    Returns
    -------
    Section
        Columns: place, geography, reference date, permit type, holders, share of all permits
        (%), women (%), source. One row per type and one for all permits; the share of the
        long-term type is the share of long-term permits. Empty without permit rows.
    """
    rows = _permit_rows(local, national)
    if rows.empty:
        return Section(pd.DataFrame(columns=_PERMIT_COLUMNS))
    table = _by_category(rows, "permit type", "holders", SHARE_OF_ALL_PERMITS)
    table = table.sort_values(["geography", "place", REFERENCE_DATE], key=_geo_order, kind="stable")
    notes = [T("Non-EU citizens holding a valid residence permit (EU citizens need none); type labels are the source's wording.")]
    if (rows["geography_level"] == "metropolitan_city").any():
        notes.append(T("A metropolitan city (città metropolitana) is the former province, not the municipality."))
    return Section(table[_PERMIT_COLUMNS].reset_index(drop=True), source_refs(rows), notes)


def permit_series(local: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """Permit holders by type over time, one row per place, type and date (for a line chart).

    Parameters
    ----------
    local, national
        Prepared rows of the city and of its country.

    Returns
    -------
    pandas.DataFrame
        Columns: place, geography, permit type, date (datetime), holders, share of all permits
        (%), source; all permits included as their own type.
    """
    table = permits_by_type(local, national).table
    if table.empty:
        return pd.DataFrame(columns=["place", "geography", "permit type", "date", "holders", SHARE_OF_ALL_PERMITS, "source"])
    out = table.assign(date=pd.to_datetime(table[REFERENCE_DATE]))
    out = out.sort_values(["place", "permit type", "date"], kind="stable")
    return out[["place", "geography", "permit type", "date", "holders", SHARE_OF_ALL_PERMITS, "source"]].reset_index(drop=True)


def new_permits(local: pd.DataFrame) -> Section:
    """Residence permits issued during each year, in total and for each reason published.

    Parameters
    ----------
    local
        Prepared rows of the city.

    Returns
    -------
    Section
        Columns: place, geography, year, reference date, reason, new permits, share of all new
        permits (%), women (%), source. The total row has reason 'all reasons'; a reason's
        share is computed only when a total of the same place and year is published.
    """
    rows = local[
        (local["definition_id"] == NEW_PERMIT_DEFINITION) & (local["indicator_id"] == "inflows")
        & (local["age"] == "total") & (local["origin"] == "total")
    ]
    if rows.empty:
        return Section(pd.DataFrame(columns=_NEW_COLUMNS))
    table = _by_category(rows, "reason", "new permits", SHARE_OF_ALL_NEW_PERMITS, period_column="year")
    table = table.sort_values(["place", "year", "reason"], key=lambda c: c.map(lambda v: (v != ALL_REASONS, v)) if c.name == "reason" else c, kind="stable")
    notes = [T("Permits issued to non-EU citizens during the calendar year (inflows).")]
    sources = list(dict.fromkeys(rows["source_id"]))
    if len(sources) > 1:
        notes.append(T("Totals and reasons come from different ISTAT tables ({tables}) of the same permit records.", tables=join([source_name(s) for s in sources], "; ")))
    return Section(table[_NEW_COLUMNS].reset_index(drop=True), source_refs(rows), notes)


def residence_titles(national: pd.DataFrame) -> Section:
    """Foreign residents with a residence title in the country, by kind of title and year.

    Where a year has no published total but a complete breakdown by citizenship (AIMA 2024),
    the total and women's share are summed over citizenships (flag ``c``).

    Parameters
    ----------
    national
        Prepared rows of the country.

    Returns
    -------
    Section
        Columns: year, reference date, title, holders, share of all titles (%), women (%),
        flag, source. Empty without such rows.
    """
    rows = national[(national["definition_id"] == TITLE_DEFINITION) & (national["indicator_id"] == "population") & (national["age"] == "total")]
    if rows.empty:
        return Section(pd.DataFrame(columns=_TITLE_COLUMNS))
    defs = load_definitions()
    out = []
    for (period, ref_date), group in rows.groupby(["period", "ref_date"], sort=True):
        total_rows = group[(group["category"] == "total") & (group["origin"] == "total")]
        by_origin = group[(group["category"] == "total") & (group["origin"] != "total")]
        flag = ""
        if len(total_rows):
            total = total_rows[total_rows["sex"] == "total"]["value"].sum()
            women = _sum_sex(total_rows, "female")
            flag = "".join(sorted(set("".join(total_rows["flag"]))))
        elif len(by_origin):
            total = by_origin[by_origin["sex"] == "total"]["value"].sum()
            women = _sum_sex(by_origin, "female")
            flag = "".join(sorted(set("c" + "".join(by_origin["flag"]))))
        else:
            continue
        source = group["source_id"].iloc[0]
        out.append(_title_row(period, ref_date, defs[TITLE_DEFINITION].label, total, 100.0, women, total, flag, source))
        kinds = group[group["category"].str.startswith("title:") & (group["origin"] == "total") & (group["sex"] == "total")]
        if len(kinds) == 1 and kinds["value"].iloc[0] == total:
            # a single kind equal to the total adds nothing
            kinds = kinds.iloc[0:0]
        for _, kind in kinds.iterrows():
            out.append(
                _title_row(period, ref_date, _label(kind["note"], kind["category"]), kind["value"], 100 * kind["value"] / total, None, None, kind["flag"], source)
            )
    table = pd.DataFrame(out, columns=_TITLE_COLUMNS)
    notes = [T("Stock on 31 December (administrative records); {place} as a whole, no city figures.", place=rows["place_name"].iloc[0])]
    notes += _flag_notes(rows)
    if "c" in "".join(table["flag"]):
        notes.append(T("Flag c: total and women's share summed over the published citizenships (no total row published)."))
    return Section(table, source_refs(rows), notes)


def _flag_notes(rows: pd.DataFrame) -> list[Msg]:
    # the source's own explanation (tidy note, shown as published) of each break (b) or definition change (d)
    notes = []
    for letter in ("b", "d"):
        flagged = rows[rows["flag"].str.contains(letter) & (rows["note"] != "")]
        for note, group in flagged.groupby("note", sort=False):
            notes.append(
                T("Flag {flag} ({meaning}; {years}): {note}.", flag=letter, meaning=Label(FLAGS[letter]),
                  years=", ".join(sorted(group["period"].unique())), note=source_words(note))
            )
    return notes


def _permit_rows(local: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    rows = pd.concat([local, national], ignore_index=True)
    return rows[
        (rows["definition_id"] == PERMIT_DEFINITION) & (rows["indicator_id"] == "population")
        & (rows["age"] == "total") & (rows["origin"] == "total")
        & ((rows["category"] == "total") | rows["category"].str.startswith("permit:"))
    ]


def _by_category(rows: pd.DataFrame, label_column: str, value_column: str, share_column: str, period_column: str | None = None) -> pd.DataFrame:
    # one row per place, date and category with its share of the total and women's share
    out = []
    for (place, ref_date), group in rows.groupby(["place_id", "ref_date"], sort=True):
        totals = group[group["sex"] == "total"]
        all_row = totals[totals["category"] == "total"]
        all_value = float(all_row["value"].iloc[0]) if len(all_row) else None
        for category in sorted(totals["category"].unique(), key=lambda c: (c != "total", c)):
            row = totals[totals["category"] == category].iloc[0]
            women = group[(group["category"] == category) & (group["sex"] == "female")]["value"]
            record = {
                "place": row["place_name"],
                "geography": geography_label(row["geography_level"]),
                REFERENCE_DATE: ref_date,
                label_column: _label(row["note"], category, total_label=ALL_REASONS if label_column == "reason" else ALL_PERMITS),
                value_column: float(row["value"]),
                share_column: 100 * row["value"] / all_value if all_value else None,
                WOMEN_SHARE: 100 * float(women.iloc[0]) / row["value"] if len(women) and row["value"] else None,
                "source": row["source_id"],
            }
            if period_column:
                record[period_column] = row["period"]
            out.append(record)
    return pd.DataFrame(out)


def _label(note: str, category: str, total_label: Msg = ALL_PERMITS) -> str:
    # the source's wording: after 'reason:' or the last ':' of the note, else the category code
    if category == "total":
        return total_label
    text = str(note)
    match = re.search(r"reason:\s*([^;|]+)", text)
    if match:
        return match.group(1).strip()
    if ":" in text:
        return text.rsplit(":", 1)[1].strip()
    if text.strip():
        return text.strip()
    return category.split(":", 1)[1].replace("_", " ").replace("-", " ")


def _sum_sex(rows: pd.DataFrame, sex: str) -> float | None:
    part = rows[rows["sex"] == sex]
    return float(part["value"].sum()) if len(part) else None


def _title_row(period, ref_date, title, holders, share, women, total, flag, source) -> dict:
    return {
        "year": period,
        REFERENCE_DATE: ref_date,
        "title": title,
        "holders": float(holders),
        SHARE_OF_ALL_TITLES: share,
        WOMEN_SHARE: 100 * women / total if women is not None and total else None,
        "flag": flag,
        "source": source,
    }



def _geo_order(column: pd.Series) -> pd.Series:
    if column.name == "geography":
        return column.map(lambda g: g != "country")
    return column

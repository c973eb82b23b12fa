"""How do migrants and natives compare in education and occupation?

Pure functions on prepared tidy rows (:func:`workbench.analysis.profile_tables.prepare_local` /
:func:`workbench.analysis.profile_tables.prepare_national`): educational attainment and
socio-professional categories of a migrant group against its complement (the pairs of
:data:`workbench.analysis.labour.COMPARISONS`).
"""

from __future__ import annotations

import pandas as pd

from workbench.analysis.labour import COMPARISONS, age_band, education_label, level_code
from workbench.analysis.sections import Section
from workbench.reference.columns import GAP, MIGRANTS_SHARE, NATIVES_SHARE, REFERENCE_DATE
from workbench.reference.i18n import Date, Label, T, join
from workbench.reference.labels import geography_label, source_refs
from workbench.reference.registry import load_definitions


#: Display order of education levels known to the workbench (lowest first); others follow.
EDUCATION_ORDER: tuple[str, ...] = (
    "education:none",
    "education:basic",
    "education:basic-1st-cycle",
    "education:basic-2nd-cycle",
    "education:basic-3rd-cycle",
    "education:secondary-post-secondary",
    "education:higher",
    "education:isced0-2",
    "education:isced3-4",
    "education:isced5-8",
)


def education(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Highest level of education completed by migrants and natives, where the data allow.

    Uses ``population`` rows by category 'education:*' (INE census 2021: population aged 15-64
    by level). A level that is the sum of finer levels published beside it (e.g. 'basic' =
    its three cycles) is left out so the shares add up to 100.

    Parameters
    ----------
    local, national
        Prepared rows of the city and of its country.

    Returns
    -------
    Section
        Columns: place, geography, reference date, age band, level, migrants (%), natives (%),
        gap (pp), migrant definition, native definition, source. Empty without such rows.
    """
    columns = [
        "place", "geography", REFERENCE_DATE, "age band", "level", MIGRANTS_SHARE, NATIVES_SHARE, GAP,
        "migrant definition", "native definition", "source",
    ]
    rows = pd.concat([local, national], ignore_index=True)
    rows = rows[
        (rows["indicator_id"] == "population") & (rows["origin"] == "total") & (rows["sex"] == "total")
        & ((rows["category"] == "total") | rows["category"].str.startswith("education:"))
    ]
    defs = load_definitions()
    out, used, dropped = [], [], set()
    for (source, _, ref_date, age), group in rows.groupby(["source_id", "place_id", "ref_date", "age"], sort=True):
        levels = sorted((c for c in dict.fromkeys(group["category"]) if c.startswith("education:")), key=_level_rank)
        if not levels:
            continue
        subtotals = {c for c in levels if any(o.startswith(c + "-") for o in levels)}
        dropped |= subtotals
        for migrant, native in COMPARISONS.items():
            mig, nat = group[group["definition_id"] == migrant], group[group["definition_id"] == native]
            if mig.empty or nat.empty:
                continue
            mig_total, nat_total = _value(mig, "total"), _value(nat, "total")
            if mig_total is None or nat_total is None:
                continue
            for level in levels:
                if level in subtotals:
                    continue
                m, n = _value(mig, level), _value(nat, level)
                if m is None or n is None:
                    continue
                first = mig[mig["category"] == level].iloc[0]
                out.append(
                    {
                        "place": first["place_name"],
                        "geography": geography_label(first["geography_level"]),
                        REFERENCE_DATE: ref_date,
                        "age band": age_band(age),
                        "level": education_label(level, first["note"]),
                        MIGRANTS_SHARE: 100 * m / mig_total,
                        NATIVES_SHARE: 100 * n / nat_total,
                        GAP: 100 * m / mig_total - 100 * n / nat_total,
                        "migrant definition": defs[migrant].label,
                        "native definition": defs[native].label,
                        "source": source,
                    }
                )
            used.append(pd.concat([mig, nat]))
    if not out:
        return Section(pd.DataFrame(columns=columns))
    notes = [T("Shares of the population of the age band of each group; gap = migrants − natives, in percentage points.")]
    if dropped:
        levels = [Label(code) for code in sorted(level_code(d) for d in dropped)]
        notes.append(T("Left out because they sum finer levels shown: {levels}.", levels=join(levels, ", ")))
    if any((u["source_id"] == "ine_pt_censos2021_foreign").any() for u in used):
        notes.append(T(
            "Portugal, census 2021: Portuguese education levels (ensino básico 1st-3rd cycles etc.); ISCED equivalents as given by INE."
        ))
    return Section(pd.DataFrame(out, columns=columns), source_refs(pd.concat(used)), notes)


def occupations(local: pd.DataFrame, with_inactive: bool = False) -> Section:
    """Socio-professional categories (INSEE CSP) of foreign and French nationals, with the gap.

    A group without a published total by category (the 2015 urban unit publishes nationalities
    only) is summed over its nationality rows, and used only if foreign + French then equals
    the total population of the category (to rounding): flag ``c``.

    Parameters
    ----------
    local
        Prepared rows of the city.
    with_inactive
        False: shares among persons in the six occupational categories (CSP 1-6: farmers to
        manual workers, i.e. people who work or have worked). True: shares of everyone counted
        in the table, retired people and 'others without occupation' (children included) too.

    Returns
    -------
    Section
        Columns: place, geography, reference date, category, migrants (%), natives (%), gap
        (pp), migrant definition, native definition, basis, flag, source. Empty without CSP rows.
    """
    columns = [
        "place", "geography", REFERENCE_DATE, "category", MIGRANTS_SHARE, NATIVES_SHARE, GAP,
        "migrant definition", "native definition", "basis", "flag", "source",
    ]
    rows = local[(local["indicator_id"] == "population") & local["category"].str.startswith("csp:") & (local["sex"] == "total") & (local["age"] == "total")]
    if rows.empty:
        return Section(pd.DataFrame(columns=columns))
    defs = load_definitions()
    basis = T("all persons counted (all ages)") if with_inactive else T("persons in an occupational category (CSP 1-6)")
    out, used, skipped = [], [], []
    for (source, _, ref_date), group in rows.groupby(["source_id", "place_id", "ref_date"], sort=True):
        for migrant, native in COMPARISONS.items():
            mig, mig_flag = _by_category(group[group["definition_id"] == migrant])
            nat, nat_flag = _by_category(group[group["definition_id"] == native])
            if mig is None or nat is None:
                continue
            flag = "c" if (mig_flag or nat_flag) else ""
            if flag and not _adds_up(mig, nat, group[(group["definition_id"] == "total_population") & (group["origin"] == "total")]):
                skipped.append(T("{place} ({date})", place=group["place_name"].iloc[0], date=Date(ref_date)))
                continue
            cats = [c for c in mig.index if c in nat.index and (with_inactive or c not in _CSP_WITHOUT_OCCUPATION)]
            mig_share = 100 * mig[cats] / mig[cats].sum()
            nat_share = 100 * nat[cats] / nat[cats].sum()
            for cat in cats:
                out.append(
                    {
                        "place": group["place_name"].iloc[0],
                        "geography": geography_label(group["geography_level"].iloc[0]),
                        REFERENCE_DATE: ref_date,
                        "category": cat.split(":", 1)[1].replace("_", " "),
                        MIGRANTS_SHARE: mig_share[cat],
                        NATIVES_SHARE: nat_share[cat],
                        GAP: mig_share[cat] - nat_share[cat],
                        "migrant definition": defs[migrant].label,
                        "native definition": defs[native].label,
                        "basis": basis,
                        "flag": flag,
                        "source": source,
                    }
                )
            used.append(group)
    skipped_note = T("Not shown (nationality groups do not add up to the total population): {places}.", places=join(skipped, ", "))
    if not out:
        return Section(pd.DataFrame(columns=columns), notes=[skipped_note] if skipped else [])
    notes = [
        T(
            "INSEE socio-professional category (PCS) of the person: current or last occupation; "
            "gap = foreign − French nationals, in percentage points."
        ),
    ]
    if len({r["place"] for r in out}) > 1:
        notes.append(T("Dates refer to different places (e.g. urban units of 2010 and 2020 boundaries): compare them with care."))
    if any(r["flag"] == "c" for r in out):
        notes.append(T("Flag c: group total summed over its published nationality groups (no total published)."))
    if skipped:
        notes.append(skipped_note)
    return Section(pd.DataFrame(out, columns=columns), source_refs(pd.concat(used)), notes)


#: INSEE CSP codes of people without an occupational category of their own.
_CSP_WITHOUT_OCCUPATION = ("csp:retired", "csp:other_without_occupation")


def _by_category(group: pd.DataFrame) -> tuple[pd.Series | None, bool]:
    # published totals by category, else the sum over nationality rows (flagged as computed)
    if group.empty:
        return None, False
    total = group[group["origin"] == "total"]
    if len(total):
        return total.groupby("category")["value"].sum(), False
    return group.groupby("category")["value"].sum(), True


def _adds_up(mig: pd.Series, nat: pd.Series, total: pd.DataFrame) -> bool:
    # summed groups are trusted only if they rebuild the published total (INSEE rounds each cell)
    if total.empty:
        return False
    tot = total.groupby("category")["value"].sum()
    cats = [c for c in tot.index if c in mig.index and c in nat.index]
    if len(cats) != len(tot):
        return False
    diff = (mig[cats] + nat[cats] - tot[cats]).abs()
    return bool((diff <= 2).all())


def _value(group: pd.DataFrame, category: str) -> float | None:
    hit = group.loc[group["category"] == category, "value"]
    return float(hit.iloc[0]) if len(hit) else None


def _level_rank(category: str) -> tuple[int, str]:
    return (EDUCATION_ORDER.index(category) if category in EDUCATION_ORDER else len(EDUCATION_ORDER), category)

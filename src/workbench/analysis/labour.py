"""Do migrants and natives fare differently on the labour market?

Pure functions on prepared tidy rows (:func:`workbench.analysis.profile_tables.prepare_local` /
:func:`workbench.analysis.profile_tables.prepare_national`): rates computed from census counts, gaps in
percentage points between a migrant group and its complement, published survey rates for
groups without a comparison. Education and occupation are :mod:`workbench.analysis.attainment`.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.errors import DataError
from workbench.reference.i18n import Label, Msg, T
from workbench.analysis.sections import Section
from workbench.reference.labels import geography_label
from workbench.reference.registry import load_definitions
from workbench.reference.columns import GAP, MIGRANTS_SHARE, NATIVES_SHARE, REFERENCE_DATE, VALUE_SHARE

#: The rates computed from counts, one line each.
RATE_DEFINITIONS: dict[str, Msg] = {
    "activity rate": T("labour force (employed + unemployed) as % of the population of the age band"),
    "employment rate": T("employed persons as % of the population of the age band"),
    "unemployment rate": T("unemployed persons as % of the labour force (employed + unemployed) of the age band"),
}

#: The age band of the census rates, and why it matters.
AGE_BAND_NOTE = T(
    "Census rates cover persons aged 15 and over (not 15-64): retired people are in the "
    "denominator, so a group with more older people (usually the natives) has lower activity and "
    "employment rates for that reason alone."
)

#: Migrant definition → the definition of everyone else (the comparison group).
COMPARISONS: dict[str, str] = {
    "foreign_nationality": "national_citizens",
    "immigre_insee": "non_immigre_insee",
}

#: What is known of each source's sampling error.
UNCERTAINTY: dict[str, Msg] = {
    "insee_rp_lyon": T("point estimate; sample size not published (INSEE census from rotating annual samples)"),
    "ine_pt_censos2021_foreign": T("census count: no sampling interval published (point estimate)"),
    "istat_lfs_employment_foreign": T("sample survey estimate; no interval in the published table"),
    "istat_lfs_unemployment_foreign": T("sample survey estimate; no interval in the published table"),
}
_UNKNOWN_UNCERTAINTY = T("not stated by the source (point estimate)")

#: Published rate indicators shown by :func:`published_rates`.
PUBLISHED_RATES: dict[str, str] = {"employment_rate": "employment rate", "unemployment_rate": "unemployment rate"}

_KEYS = ["source_id", "place_id", "place_name", "geography_level", "definition_id", "origin", "period", "ref_date", "sex"]
_RATE_COLUMNS = [*_KEYS, "age band", "rate", "value", "numerator", "denominator"]
_SEX = {"total": "total", "female": "women", "male": "men"}


def activity_rates(rows: pd.DataFrame) -> pd.DataFrame:
    """Activity, employment and unemployment rates from counts by activity status.

    Two layouts are recognised:

    * ``population`` rows by ``category`` 'activity:employed', 'activity:unemployed' and 'total'
      for one age band (INSEE: age 'Y15-MAX');
    * ``employed``, ``unemployed`` and ``inactive`` rows of all ages, with the inactive under 15
      as category 'activity:under-15' (INE census): the population aged 15 and over is
      employed + unemployed + inactive − inactive under 15.

    Parameters
    ----------
    rows
        Tidy rows (other rows are ignored).

    Returns
    -------
    pandas.DataFrame
        One row per source, place, definition, origin, period, sex and rate (see
        :data:`RATE_DEFINITIONS`); columns source_id, place_id, place_name, geography_level,
        definition_id, origin, period, ref_date, sex, age band, rate, value (%), numerator,
        denominator. Empty when no counts by activity status are given.

    Raises
    ------
    DataError
        If a published labour force differs from employed + unemployed.
    """
    frames = [f for f in (_from_population_rows(rows), _from_status_indicators(rows)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=_RATE_COLUMNS)
    counts = pd.concat(frames, ignore_index=True)
    labour_force = counts["employed"] + counts["unemployed"]
    out = []
    for rate, numerator, denominator in (
        ("activity rate", labour_force, counts["population"]),
        ("employment rate", counts["employed"], counts["population"]),
        ("unemployment rate", counts["unemployed"], labour_force),
    ):
        part = counts[[*_KEYS, "age band"]].copy()
        part["rate"] = rate
        part["value"] = 100 * numerator / denominator
        part["numerator"] = numerator
        part["denominator"] = denominator
        out.append(part)
    return pd.concat(out, ignore_index=True)[_RATE_COLUMNS]


def _from_population_rows(rows: pd.DataFrame) -> pd.DataFrame:
    # INSEE layout: activity status as a category of population counts of one age band
    pop = rows[(rows["indicator_id"] == "population") & (rows["age"] != "total")]
    pop = pop[pop["category"].isin(["activity:employed", "activity:unemployed", "total"])]
    if pop.empty:
        return pd.DataFrame()
    wide = pop.pivot_table(index=[*_KEYS, "age"], columns="category", values="value", aggfunc="first").reset_index()
    needed = ["activity:employed", "activity:unemployed", "total"]
    if not set(needed) <= set(wide.columns):
        return pd.DataFrame()
    wide = wide.dropna(subset=needed)
    return pd.DataFrame(
        {
            **{k: wide[k] for k in _KEYS},
            "age band": wide["age"].map(age_band),
            "employed": wide["activity:employed"],
            "unemployed": wide["activity:unemployed"],
            "population": wide["total"],
        }
    )


def _from_status_indicators(rows: pd.DataFrame) -> pd.DataFrame:
    # INE layout: separate indicators of all ages; under-15s are inactive and are taken out
    status = rows[rows["indicator_id"].isin(["employed", "unemployed", "inactive", "labour_force"]) & (rows["age"] == "total")]
    if status.empty:
        return pd.DataFrame()
    status = status.assign(column=status["indicator_id"] + "|" + status["category"])
    wide = status.pivot_table(index=_KEYS, columns="column", values="value", aggfunc="first").reset_index()
    needed = ["employed|total", "unemployed|total", "inactive|total", "inactive|activity:under-15"]
    if not set(needed) <= set(wide.columns):
        return pd.DataFrame()
    wide = wide.dropna(subset=needed)
    if "labour_force|total" in wide.columns:
        published = wide["labour_force|total"]
        off = (published - wide["employed|total"] - wide["unemployed|total"]).abs() > 0.5
        if off.any():
            bad = wide[off].iloc[0]
            raise DataError(
                f"{bad['source_id']}, {bad['place_name']}, {bad['definition_id']} ({bad['origin']}), {bad['period']}: "
                f"labour force {bad['labour_force|total']:.0f} differs from employed + unemployed "
                f"{bad['employed|total'] + bad['unemployed|total']:.0f}"
            )
    population = wide["employed|total"] + wide["unemployed|total"] + wide["inactive|total"] - wide["inactive|activity:under-15"]
    return pd.DataFrame(
        {
            **{k: wide[k] for k in _KEYS},
            "age band": T("{age} and over", age=15),
            "employed": wide["employed|total"],
            "unemployed": wide["unemployed|total"],
            "population": population,
        }
    )


def labour_gaps(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Activity, employment and unemployment rates of migrants and natives, with the gap.

    A migrant group is compared only with the complementary group of the same source, place,
    date, sex and age band (see :data:`COMPARISONS`); nothing is compared across sources.

    Parameters
    ----------
    local, national
        Prepared rows of the city and of its country.

    Returns
    -------
    Section
        Columns: place, geography, reference date, sex, age band, rate, migrants (%), natives
        (%), gap (pp), migrant definition, native definition, uncertainty, source. The gap is
        migrants − natives. Empty when no such pair is published.
    """
    columns = [
        "place", "geography", REFERENCE_DATE, "sex", "age band", "rate", MIGRANTS_SHARE, NATIVES_SHARE, GAP,
        "migrant definition", "native definition", "uncertainty", "source",
    ]
    rates = activity_rates(pd.concat([local, national], ignore_index=True))
    rates = rates[rates["origin"] == "total"]
    defs = load_definitions()
    keys = ["source_id", "place_id", "period", "ref_date", "sex", "age band", "rate"]
    pairs = []
    for migrant, native in COMPARISONS.items():
        left = rates[rates["definition_id"] == migrant]
        right = rates[rates["definition_id"] == native][[*keys, "value"]]
        pairs.append(left.merge(right, on=keys, suffixes=("", "_native")))
    merged = pd.concat(pairs, ignore_index=True)
    if merged.empty:
        return Section(pd.DataFrame(columns=columns))
    merged = merged.sort_values(["geography_level", "place_id", "ref_date", "definition_id", "sex", "rate"], key=_sex_order)
    table = pd.DataFrame(
        {
            "place": merged["place_name"],
            "geography": merged["geography_level"].map(geography_label),
            REFERENCE_DATE: merged["ref_date"],
            "sex": merged["sex"].map(_SEX),
            "age band": merged["age band"],
            "rate": merged["rate"],
            MIGRANTS_SHARE: merged["value"],
            NATIVES_SHARE: merged["value_native"],
            GAP: merged["value"] - merged["value_native"],
            "migrant definition": merged["definition_id"].map(lambda d: defs[d].label),
            "native definition": merged["definition_id"].map(lambda d: defs[COMPARISONS[d]].label),
            "uncertainty": merged["source_id"].map(lambda s: UNCERTAINTY.get(s, _UNKNOWN_UNCERTAINTY)),
            "source": merged["source_id"],
        }
    ).reset_index(drop=True)
    notes = [T("{rate}: {definition}.", rate=Label(name), definition=text) for name, text in RATE_DEFINITIONS.items()]
    notes += [AGE_BAND_NOTE, T("Gap = migrants − natives, in percentage points, within one source, place and date.")]
    if (merged["source_id"] == "ine_pt_censos2021_foreign").any():
        notes.append(T("Portugal, census 2021: stateless persons are counted apart and belong to neither group."))
    return Section(table[columns], list(dict.fromkeys(merged["source_id"])), notes)


def published_rates(local: pd.DataFrame, national: pd.DataFrame, annual_only: bool = True) -> Section:
    """Labour market rates of migrant groups for which the data hold no native comparison group.

    Two kinds of rows: rates published as such (ISTAT labour force survey, foreign citizens),
    and rates computed from census counts of a migrant group whose complement is neither
    published nor derivable (INSEE immigrants of the Lyon employment zone).

    Parameters
    ----------
    local, national
        Prepared rows of the city and of its country.
    annual_only
        Keep annual averages only (periods such as '2023'), not quarters.

    Returns
    -------
    Section
        Columns: place, geography, period, reference date, group, sex, age band, education,
        rate, value (%), how, uncertainty, source. Empty when there is nothing to show.
    """
    columns = [
        "place", "geography", "period", REFERENCE_DATE, "group", "sex", "age band", "education", "rate", VALUE_SHARE,
        "how", "uncertainty", "source",
    ]
    rows = pd.concat([local, national], ignore_index=True)
    defs = load_definitions()
    published = rows[rows["indicator_id"].isin(list(PUBLISHED_RATES)) & rows["definition_id"].isin(list(COMPARISONS))]
    published = published[~_paired(published, rows)]
    if annual_only:
        published = published[published["period"].str.fullmatch(r"\d{4}")]
    parts = [
        pd.DataFrame(
            {
                "place": published["place_name"],
                "geography": published["geography_level"].map(geography_label),
                "period": published["period"],
                REFERENCE_DATE: published["ref_date"],
                "group": published["definition_id"].map(lambda d: defs[d].label),
                "sex": published["sex"].map(_SEX),
                "age band": published["age"].map(age_band),
                "education": [education_label(c, n) for c, n in zip(published["category"], published["note"])],
                "rate": published["indicator_id"].map(PUBLISHED_RATES),
                VALUE_SHARE: published["value"],
                "how": T("published rate"),
                "uncertainty": published["source_id"].map(lambda s: UNCERTAINTY.get(s, _UNKNOWN_UNCERTAINTY)),
                "source": published["source_id"],
            }
        )
    ]
    computed = _unpaired_rates(rows)
    if len(computed):
        parts.append(
            pd.DataFrame(
                {
                    "place": computed["place_name"],
                    "geography": computed["geography_level"].map(geography_label),
                    "period": computed["period"],
                    REFERENCE_DATE: computed["ref_date"],
                    "group": computed["definition_id"].map(lambda d: defs[d].label),
                    "sex": computed["sex"].map(_SEX),
                    "age band": computed["age band"],
                    "education": T("all levels"),
                    "rate": computed["rate"],
                    VALUE_SHARE: computed["value"],
                    "how": T("computed from census counts"),
                    "uncertainty": computed["source_id"].map(lambda s: UNCERTAINTY.get(s, _UNKNOWN_UNCERTAINTY)),
                    "source": computed["source_id"],
                }
            )
        )
    table = pd.concat(parts, ignore_index=True)
    if table.empty:
        return Section(pd.DataFrame(columns=columns))
    table = table.sort_values(["source", "place", "rate", "age band", "sex", "education", "period"], kind="stable").reset_index(drop=True)
    notes = [
        T(
            "No native comparison group is in the data for these rows: they describe the migrant group "
            "alone and must not be read as gaps."
        ),
    ]
    if published["source_id"].str.startswith("istat_lfs").any():
        notes.append(T(
            "ISTAT labour force survey: foreign citizens, annual averages, Italy as a whole (the Nord-ovest "
            "rows of the same tables are not attached to the city; nothing is published for Piemonte or Torino)."
        ))
    if len(computed):
        notes.append(AGE_BAND_NOTE)
    return Section(table[columns], list(dict.fromkeys(table["source"])), notes)


def _paired(published: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    # a rate whose source also publishes the complementary group's rate (same place, period, age) has its
    # comparison elsewhere (national_gaps): it is not a rate "without a native comparison"
    keys = ["source_id", "place_id", "period", "age", "sex", "indicator_id"]
    complements = rows[rows["definition_id"].isin(list(COMPARISONS.values()))]
    present = set(zip(*(complements[k] for k in keys), complements["definition_id"]))
    return pd.Series(
        [(*key, COMPARISONS[d]) in present for *key, d in zip(*(published[k] for k in keys), published["definition_id"])],
        index=published.index, dtype=bool,
    )


def _unpaired_rates(rows: pd.DataFrame) -> pd.DataFrame:
    # rates of migrant groups whose complementary group has no rates for the same source, place and date
    rates = activity_rates(rows)
    present = set(zip(rates["source_id"], rates["place_id"], rates["ref_date"], rates["definition_id"]))
    migrants = rates[(rates["origin"] == "total") & rates["definition_id"].isin(list(COMPARISONS))]
    unpaired = [
        (s, p, r, COMPARISONS[d]) not in present
        for s, p, r, d in zip(migrants["source_id"], migrants["place_id"], migrants["ref_date"], migrants["definition_id"])
    ]
    return migrants[unpaired]


def age_band(age: str) -> str:
    """An age code as readers see it: 'Y15-MAX' → '15 and over', 'Y15-64' → '15-64'; other codes as published."""
    match = re.fullmatch(r"Y(\d+)-(\d+|MAX)", age)
    if not match:
        return age
    low, high = match.groups()
    return T("{age} and over", age=low) if high == "MAX" else T("{low}-{high}", low=low, high=high)


def _sex_order(column: pd.Series) -> pd.Series:
    if column.name == "sex":
        return column.map({"total": 0, "female": 1, "male": 2})
    return column


def education_label(category: str, note: str) -> str:
    """The publisher's wording of an education level: after 'education:' (ISTAT) or in the last ';' part (INE)."""
    if category == "total":
        return T("all levels")
    text = str(note)
    match = re.search(r"education:\s*(.+)$", text)
    if match:
        return match.group(1).strip()
    code = level_code(category)
    detail = text.rsplit(";", 1)[-1].strip() if ";" in text else ""
    if not detail or detail.startswith(("Quadro", "stateless")):
        return code
    return T("{level} – {detail}", level=Label(code), detail=Label(detail))


def level_code(category: str) -> str:
    """The level of an ``education:<level>`` category, as words (e.g. 'upper secondary')."""
    return category.split(":", 1)[1].replace("-", " ")

"""How diverse and how city-specific is the origin mix of a city's migrants?

Pure functions on prepared tidy rows (see :func:`workbench.analysis.profile_tables.prepare_local`): no IO,
inputs never modified. Each measure has a one-line definition (a module constant) for the notebook to
print beside its table. A city without origin data gets empty Sections, not errors. How migrants are
spread across the city's areas is :mod:`workbench.analysis.areas`.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from workbench.analysis import indicators as ind
from workbench.analysis.comparability import Decision, Figure, comparable
from workbench.errors import DataError
from workbench.reference.i18n import Date, Label, Msg, Num, T, join
from workbench.analysis.sections import Section
from workbench.reference.labels import SUB_CITY, geography_label, place_label, source_name
from workbench.reference.registry import load_definitions
from workbench.reference.columns import CITY_SHARE, COUNTRY_SHARE, EFFECTIVE_ORIGINS, LOCATION_QUOTIENT, NOT_ITEMISED, REFERENCE_DATE, SIMPSON

SIMPSON_DEFINITION = T(
    "Simpson diversity = 1 − Σ pᵢ² over origins (pᵢ = an origin's share of the group): the chance that "
    "two persons of the group drawn at random have different origins. Residual groups ('other "
    "countries') and any part of the group the table does not itemise count as one origin each, "
    "which understates diversity; tables listing different numbers of origins are not comparable."
)
EFFECTIVE_ORIGINS_DEFINITION = T(
    "Effective number of origins = 1 / Σ pᵢ²: how many equally large origins would give the same "
    "diversity; understated, like Simpson's index, because residual groups count as one origin each."
)
ORIGIN_QUOTIENT_DEFINITION = T(
    "Origin location quotient = the origin's share among the city's group ÷ its share among the "
    "country's group: above 1 = more frequent in the city than in the country, below 1 = less."
)

#: Kinds of origin that name single countries (as in :func:`workbench.analysis.profile_tables.origins`).
ORIGIN_TYPES: tuple[str, ...] = ("citizenship", "birth_country", "origin_country")
_GROUP_TYPE = {"citizenship": "citizenship_group", "birth_country": "birth_group", "origin_country": "origin_group"}

#: Group codes that never overlap the countries listed beside them in the same table: "other
#: countries" rows (OTHER, OTHER_<ISO3> of UN DESA, INSEE *_OTHER, Madrid "otros"/"resto de
#: países") and stateless persons. Aggregates such as continents or M49 regions are left out,
#: because they repeat persons already counted under their countries.
_REST_GROUP = re.compile(r"^(OTHER(_[A-Z]{3})?|STATELESS|ES_APATRIDAS|[A-Z0-9_]+_OTHER|ES_OTROS_[A-Z]+|ES_RESTO_PAISES_[A-Z0-9]+)$")
#: Country-like codes that are not one country (unknown origin, stateless).
_NOT_A_COUNTRY = ("UNK", "XXA", "STATELESS")

ORIGIN_COLUMNS = [
    "source_id", "place_id", "place_name", "geography_level", "definition_id", "origin_type", "ref_date",
    "origin", "origin_name", "persons", "share", "residual", "base_persons", "share_base", "flag",
]


#: How far the rows of an origin table may add up above a group total published rounded (flag ``e``):
#: "about 2.9 million" non-Jordanians against 2,912,611 in the census rows by nationality.
ROUNDED_TOTAL_TOLERANCE = 0.02


def origin_table(local: pd.DataFrame, definitions: tuple[str, ...] | list[str] | None = None) -> pd.DataFrame:
    """The city's latest origin breakdown at country level, every published row of it.

    The table is chosen as in :func:`workbench.analysis.profile_tables.origins`: among the city's (not sub-city,
    not country)
    rows by citizenship, country of birth or country of origin (sex, age and category totals),
    the latest source × place × definition × origin type × date, the one with most rows on ties.
    Residual groups of the same table that never overlap its countries ('other countries',
    stateless) are added; aggregates such as continents are not.

    Parameters
    ----------
    local
        The city's prepared rows.
    definitions
        Definitions to consider; those of a migrant population when ``None``
        (:func:`~workbench.analysis.indicators.population_definitions`: a protection caseload
        is never the city's origin mix unless asked for).

    Returns
    -------
    pandas.DataFrame
        Columns: source_id, place_id, place_name, geography_level, definition_id, origin_type,
        ref_date, origin, origin_name, persons, share (% of base_persons), residual (not one
        country), base_persons, share_base (what the base is), flag; largest first. Empty (same
        columns) when the city has no such table.

    Raises
    ------
    DataError
        If the rows add up to more than the group's total (the table would overlap itself).
    """
    wanted = ind.population_definitions() if definitions is None else tuple(definitions)
    rows = _origin_rows(local)
    rows = rows[
        rows["origin_type"].isin(ORIGIN_TYPES) & ~rows["geography_level"].isin((*SUB_CITY, "country"))
        & rows["definition_id"].isin(wanted)
    ]
    if rows.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = rows.groupby(keys).size().reset_index(name="n").sort_values(["ref_date", "n"], ascending=[False, False])
    return table_of(local, dict(sizes.iloc[0][keys]))


def saved_origin_table(local: pd.DataFrame) -> pd.DataFrame:
    """The origin table a city run saves for the network's comparisons.

    The migrant population's table (:func:`origin_table`) where the city has one, otherwise its
    protection caseload's (refugees or asylum-seekers registered with UNHCR): the ``definition_id``
    of every row names which, so that comparisons set a caseload only beside another caseload.
    """
    table = origin_table(local)
    return table if len(table) else origin_table(local, ind.caseload_definitions())


def _origin_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[
        (frame["indicator_id"] == "population") & (frame["sex"] == "total") & (frame["age"] == "total")
        & (frame["category"] == "total") & (frame["unit"] == "persons")
    ]


def table_of(frame: pd.DataFrame, key: dict) -> pd.DataFrame:
    """Every origin row of one table (``key``: source_id, place_id, definition_id, origin_type, ref_date):
    its countries and the residual groups that never overlap them, each with its share of the group
    (columns :data:`ORIGIN_COLUMNS`); the one base of every origin share of a run."""
    rows = _origin_rows(frame)
    same = (
        (rows["source_id"] == key["source_id"]) & (rows["place_id"] == key["place_id"])
        & (rows["definition_id"] == key["definition_id"]) & (rows["ref_date"] == key["ref_date"])
    )
    countries = rows[same & (rows["origin_type"] == key["origin_type"]) & (rows["origin"] != "total")]
    groups = rows[same & (rows["origin_type"] == _GROUP_TYPE[key["origin_type"]])]
    groups = groups[groups["origin"].str.fullmatch(_REST_GROUP)]
    table = pd.concat([countries, groups])
    totals = rows[same & (rows["origin"] == "total")]
    listed = float(table["value"].sum())
    if len(totals):
        total_row = totals.sort_values("flag").iloc[0]
        base = float(total_row["value"])
        computed = "c" in str(total_row["flag"])
        share_base = (
            T("group total computed by the workbench from this table (flag c)") if computed
            else T("published group total")
        )
        rounded = "e" in str(total_row["flag"])
        if listed > base * (1 + 1e-9) + 0.5 and rounded and listed <= base * (1 + ROUNDED_TOTAL_TOLERANCE):
            # a total published rounded ("about 2.9 million") below the sum of its exact rows: the sum is the base
            base, share_base = listed, T("sum of the listed rows (the published group total is rounded)")
        elif listed > base * (1 + 1e-9) + 0.5:
            raise DataError(
                f"{key['source_id']}: origin rows of {key['definition_id']} in {key['place_id']} on {key['ref_date']} "
                f"add up to {listed:,.0f}, more than the group total {base:,.0f}; the table overlaps itself"
            )
    else:
        base = listed
        share_base = T("sum of the listed rows (no group total published)")
    if base <= 0:
        raise DataError(f"{key['source_id']}: the origin table of {key['place_id']} on {key['ref_date']} has 0 persons")
    from workbench.reference.origins import origin_name

    table = table.sort_values(["value", "origin"], ascending=[False, True])
    return pd.DataFrame(
        {
            "source_id": table["source_id"].to_numpy(),
            "place_id": table["place_id"].to_numpy(),
            "place_name": table["place_name"].to_numpy(),
            "geography_level": table["geography_level"].to_numpy(),
            "definition_id": table["definition_id"].to_numpy(),
            "origin_type": key["origin_type"],
            "ref_date": table["ref_date"].to_numpy(),
            "origin": table["origin"].to_numpy(),
            "origin_name": [origin_name(code) for code in table["origin"]],
            "persons": table["value"].to_numpy(dtype=float),
            "share": (100 * table["value"] / base).to_numpy(dtype=float),
            "residual": [_is_residual(code) for code in table["origin"]],
            "base_persons": base,
            "share_base": share_base,
            "flag": table["flag"].to_numpy(),
        },
        columns=ORIGIN_COLUMNS,
    )


def _is_residual(code: str) -> bool:
    return "_" in code or "OTHER" in code or code in _NOT_A_COUNTRY


def diversity(origins: pd.DataFrame) -> dict:
    """Simpson diversity and effective number of origins of one origin table.

    Parameters
    ----------
    origins
        Output of :func:`origin_table` (one table).

    Returns
    -------
    dict
        simpson (1 − Σ pᵢ²), effective_origins (1 / Σ pᵢ²), published_origins (rows of the
        table), countries (rows naming one country), residual_groups (other rows),
        not_itemised (% of the group the rows do not cover, counted as one more origin). NaN
        measures and zero counts for an empty table. See :data:`SIMPSON_DEFINITION`.

    Raises
    ------
    DataError
        If the rows come from several tables or exceed the group total.
    """
    if origins.empty:
        return {"simpson": math.nan, "effective_origins": math.nan, "published_origins": 0, "countries": 0,
                "residual_groups": 0, "not_itemised": math.nan}
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date", "base_persons"]
    if len(origins[keys].drop_duplicates()) > 1:
        raise DataError("diversity: the rows come from several origin tables; pass one table of origin_table()")
    base = float(origins["base_persons"].iloc[0])
    persons = origins["persons"].to_numpy(dtype=float)
    # persons not itemised (below half a person is rounding, not a group)
    unlisted = base - float(persons.sum())
    if unlisted < -0.5:
        raise DataError(f"diversity: the origins add up to {persons.sum():,.0f} persons, more than the group total {base:,.0f}")
    unlisted = unlisted if unlisted >= 0.5 else 0.0
    p = np.append(persons, unlisted) / base if unlisted else persons / base
    concentration = float((p**2).sum())
    residual = origins["residual"].astype(bool)
    return {
        "simpson": 1.0 - concentration,
        "effective_origins": 1.0 / concentration,
        "published_origins": int(len(origins)),
        "countries": int((~residual).sum()),
        "residual_groups": int(residual.sum()),
        "not_itemised": 100.0 * unlisted / base,
    }


def national_origin_table(national: pd.DataFrame, city: pd.DataFrame) -> pd.DataFrame:
    """The country's origin table to compare with the city's: same definition and date if possible.

    The country rows (geography level ``country``) of the city table's definition, origin type and
    date are preferred (the city table's source first); otherwise the latest UN DESA 2024 origin
    table (international migrant stock, by country of origin).

    Parameters
    ----------
    national
        The country's prepared rows.
    city
        Output of :func:`origin_table`.

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`origin_table`; empty when there is no usable national table.
    """
    if city.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    first = city.iloc[0]
    rows = _origin_rows(national)
    rows = rows[(rows["geography_level"] == "country") & (rows["origin"] != "total")]
    same = rows[
        (rows["definition_id"] == first["definition_id"]) & (rows["origin_type"] == first["origin_type"])
        & (rows["ref_date"] == first["ref_date"])
    ]
    if same.empty:
        same = rows[
            (rows["source_id"] == "undesa_ims_2024") & (rows["definition_id"] == "un_migrant_stock")
            & (rows["origin_type"] == "origin_country")
        ]
        same = same[same["ref_date"] == same["ref_date"].max()] if len(same) else same
    if same.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    keys = ["source_id", "place_id", "definition_id", "origin_type", "ref_date"]
    sizes = same.groupby(keys).size().reset_index(name="n")
    sizes["own"] = sizes["source_id"] == first["source_id"]
    best = sizes.sort_values(["own", "n", "source_id"], ascending=[False, False, True]).iloc[0]
    return table_of(national, dict(best[keys]))


def origin_concentration(local: pd.DataFrame, national: pd.DataFrame, top_n: int = 10) -> Section:
    """The city's largest origins: their share in the city against their share in the country.

    Parameters
    ----------
    local, national
        The city's and the country's prepared rows.
    top_n
        How many origins (countries only, largest first).

    Returns
    -------
    Section
        Columns: rank, origin, city persons, city share (%), country persons, country share (%),
        location quotient, definitions (city vs country). Empty when the city has no origin table.
    """
    columns = ["rank", "origin", "city persons", CITY_SHARE, "country persons", COUNTRY_SHARE,
               LOCATION_QUOTIENT, "definitions"]
    city = origin_table(local)
    if city.empty:
        return Section(pd.DataFrame(columns=columns))
    country = national_origin_table(national, city)
    top = city[~city["residual"]].head(top_n)
    by_code = country[~country["residual"]].set_index("origin") if len(country) else pd.DataFrame(columns=["persons", "share"])
    country_persons = top["origin"].map(by_code["persons"]) if len(by_code) else pd.Series(np.nan, index=top.index)
    country_share = top["origin"].map(by_code["share"]) if len(by_code) else pd.Series(np.nan, index=top.index)
    definitions = _definitions_label(city, country)
    decision = _comparable_tables(city, country)
    quotients = (top["share"] / country_share).to_numpy(dtype=float) if decision else np.full(len(top), np.nan)
    table = pd.DataFrame(
        {
            "rank": range(1, len(top) + 1),
            "origin": top["origin_name"].to_numpy(),
            "city persons": top["persons"].to_numpy(),
            CITY_SHARE: top["share"].to_numpy(),
            "country persons": country_persons.to_numpy(dtype=float),
            COUNTRY_SHARE: country_share.to_numpy(dtype=float),
            LOCATION_QUOTIENT: quotients,
            "definitions": definitions,
        },
        columns=columns,
    )
    notes = [ORIGIN_QUOTIENT_DEFINITION, _table_note(city, "city"), *_country_notes(city, country, national)]
    if decision is not None and not decision:
        notes.append(T("Location quotients not computed, the two tables are not comparable: {reason}.", reason=decision.reason))
    missing = top.loc[country_share.isna(), "origin_name"].tolist()
    if len(country) and missing:
        notes.append(T("Not listed separately in the country's table (no share or quotient): {origins}.", origins=join(missing, ", ")))
    refs = list(dict.fromkeys(list(city["source_id"].unique()) + list(country["source_id"].unique())))
    return Section(table, refs, notes)


def diversity_table(local: pd.DataFrame, national: pd.DataFrame) -> Section:
    """Diversity of origins in the city and in the country, side by side.

    Parameters
    ----------
    local, national
        The city's and the country's prepared rows.

    Returns
    -------
    Section
        Columns: scope, area, geography, definition, origin type, reference date, source, origins
        published, of which residual groups, not itemised (%), Simpson diversity, effective number
        of origins. Empty when the city has no origin table.
    """
    columns = ["scope", "area", "geography", "definition", "origin type", REFERENCE_DATE, "source",
               "origins published", "of which residual groups", NOT_ITEMISED, SIMPSON,
               EFFECTIVE_ORIGINS]
    city = origin_table(local)
    if city.empty:
        return Section(pd.DataFrame(columns=columns))
    country = national_origin_table(national, city)
    defs = load_definitions()
    rows = []
    for scope, table in (("city", city), ("country", country)):
        if table.empty:
            continue
        first = table.iloc[0]
        measures = diversity(table)
        rows.append(
            {
                "scope": scope,
                "area": first["place_name"],
                "geography": geography_label(first["geography_level"]),
                "definition": defs[first["definition_id"]].label,
                "origin type": first["origin_type"].replace("_", " "),
                REFERENCE_DATE: first["ref_date"],
                "source": first["source_id"],
                "origins published": measures["published_origins"],
                "of which residual groups": measures["residual_groups"],
                NOT_ITEMISED: measures["not_itemised"],
                SIMPSON: measures["simpson"],
                EFFECTIVE_ORIGINS: measures["effective_origins"],
            }
        )
    notes = [SIMPSON_DEFINITION, EFFECTIVE_ORIGINS_DEFINITION, *_country_notes(city, country, national)]
    refs = list(dict.fromkeys(list(city["source_id"].unique()) + list(country["source_id"].unique())))
    return Section(pd.DataFrame(rows, columns=columns), refs, notes)


def _comparable_tables(city: pd.DataFrame, country: pd.DataFrame) -> Decision | None:
    # the rule applied to the city's and the country's origin tables (None: no country table);
    # the kind of area is left out, since a quotient sets the city against its country
    if country.empty:
        return None
    c, n = city.iloc[0], country.iloc[0]
    return comparable(Figure.on(c["definition_id"], None, str(c["ref_date"]), c["origin_type"]),
                      Figure.on(n["definition_id"], None, str(n["ref_date"]), n["origin_type"]))


def _definitions_label(city: pd.DataFrame, country: pd.DataFrame) -> Msg:
    defs = load_definitions()
    city_label = Label(defs[city["definition_id"].iloc[0]].label)
    if country.empty:
        return T("{city} (city); no country table", city=city_label)
    return T("{city} (city) vs {country} (country)", city=city_label, country=Label(defs[country["definition_id"].iloc[0]].label))


def _table_note(table: pd.DataFrame, scope: str) -> Msg:
    # scope: 'city' or 'country' (one complete sentence each, for translators)
    defs = load_definitions()
    first = table.iloc[0]
    share_base = first["share_base"]
    values = {
        "definition": Label(defs[first["definition_id"]].label),
        "area": place_label(first["place_name"], first["geography_level"]),
        "date": Date(first["ref_date"]),
        "origin_type": Label(first["origin_type"].replace("_", " ")),
        "source": source_name(first["source_id"]),
        "total": Num(float(first["base_persons"])),
        "base": share_base if isinstance(share_base, Msg) else Label(str(share_base)),
    }
    if scope == "city":
        return T(
            "City: {definition} in {area} on {date}, by {origin_type}, {source}; "
            "shares of {total} persons ({base}).",
            **values,
        )
    return T(
        "Country: {definition} in {area} on {date}, by {origin_type}, {source}; "
        "shares of {total} persons ({base}).",
        **values,
    )


def _country_notes(city: pd.DataFrame, country: pd.DataFrame, national: pd.DataFrame) -> list[Msg]:
    if country.empty:
        return [T("No country origin table to compare with.")]
    notes = [_table_note(country, "country")]
    c, n = city.iloc[0], country.iloc[0]
    if (c["definition_id"], c["origin_type"], c["ref_date"]) != (n["definition_id"], n["origin_type"], n["ref_date"]):
        defs = load_definitions()
        total = ind.headline(national[
            (national["source_id"] == n["source_id"]) & (national["place_id"] == n["place_id"])
            & (national["definition_id"] == n["definition_id"]) & (national["ref_date"] == n["ref_date"])
            & (national["indicator_id"] == "population")
        ])
        values = {
            "city_definition": Label(defs[c["definition_id"]].label), "city_date": Date(c["ref_date"]),
            "country_definition": Label(defs[n["definition_id"]].label), "country_date": Date(n["ref_date"]),
        }
        if len(total) and str(total["note"].iloc[0]):
            # the source's own note on its total, shown as published
            notes.append(T(
                "Different definitions: the city counts {city_definition} on {city_date}, the country {country_definition} "
                "({how}) on {country_date}; the comparison of shares is indicative only.",
                **values, how=str(total["note"].iloc[0]),
            ))
        else:
            notes.append(T(
                "Different definitions: the city counts {city_definition} on {city_date}, the country {country_definition} "
                "on {country_date}; the comparison of shares is indicative only.",
                **values,
            ))
    return notes

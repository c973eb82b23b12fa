"""INE Portugal, Censos 2021 annex tables as read turned into tidy rows (places, groups, sex, age, education)."""

from __future__ import annotations

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City, codes_of
from workbench.tidy.schemas import KEY_COLUMNS
from workbench.tidy.sources._common import TIDY_DEFAULTS, tidy_frame
from workbench.tidy.sources.ine_pt_layouts import NATIONALITY_ISO3, POP, SOURCE_ID, TOP15


#: Reference date of each census edition.
CENSUS_DATES: dict[str, str] = {"2021": "2021-04-19", "2011": "2011-03-21"}


#: Quadros in order of precedence: a value published in several quadros is kept from the first.
QUADRO_ORDER: tuple[str, ...] = ("Q1.2", "Q1.1", "Q1.3", "Q2.1", "Q3.1")

#: Row labels of the national quadros (other than the 15 nationalities) -> definition id.
GROUP_DEFINITIONS: dict[str, str] = {
    "População residente": "total_population",
    "Nacionalidade portuguesa": "national_citizens",
    "Nacionalidade estrangeira": "foreign_nationality",
    "Apátridas": "stateless_census",
}

#: Section heading rows that carry no values.
SECTION_ROWS: frozenset[str] = frozenset({"Principais nacionalidades"})

#: Q1.2 places kept: (row label, occurrence) -> (place_id, place_name, geography_level).
#: The Área Metropolitana de Lisboa row appears twice: first as NUTS II, then as NUTS III
#: (codes of NUTS 2013, the version of the 2021 census). 1106 is Lisboa's DICO code.
Q12_PLACES: dict[tuple[str, int], tuple[str, str, str]] = {
    ("Portugal", 1): ("PRT", "Portugal", "country"),
    ("Área Metropolitana de Lisboa", 1): ("PT17", "Área Metropolitana de Lisboa (NUTS II)", "nuts2"),
    ("Área Metropolitana de Lisboa", 2): ("PT170", "Área Metropolitana de Lisboa (NUTS III)", "nuts3"),
    ("Lisboa", 1): ("PT-1106", "Lisboa (município)", "municipality"),
}

Q12_COLUMNS: dict[str, str] = {
    f"{POP} | Total": "total_population",
    f"{POP} | Nacionalidade portuguesa": "national_citizens",
    f"{POP} | Nacionalidade estrangeira": "foreign_nationality",
    f"{POP} | Apátrida": "stateless_census",
}

AGE_BANDS: dict[str, str] = {"0 - 14": "Y0-14", "15 - 24": "Y15-24", "25 - 64": "Y25-64", "65 ou mais": "Y65-MAX"}
SEXES: dict[str, str] = {"HM": "total", "H": "male", "M": "female"}

#: Q2.1 columns -> education category (Portuguese levels; ISCED equivalents in the notes).
EDUCATION: dict[str, tuple[str, str]] = {
    "Total": ("total", ""),
    "Nível de ensino completo | Nenhum": ("education:none", "no level completed"),
    "Nível de ensino completo | Ensino básico | Total": ("education:basic", "ensino básico, ISCED 1-2"),
    "Nível de ensino completo | Ensino básico | 1º ciclo": ("education:basic-1st-cycle", "ISCED 1"),
    "Nível de ensino completo | Ensino básico | 2º ciclo": ("education:basic-2nd-cycle", "ISCED 2 (first part)"),
    "Nível de ensino completo | Ensino básico | 3º ciclo": ("education:basic-3rd-cycle", "ISCED 2"),
    "Nível de ensino completo | Ensino secundário e pós-secundário": (
        "education:secondary-post-secondary",
        "ISCED 3-4",
    ),
    "Nível de ensino completo | Superior": ("education:higher", "ISCED 5-8"),
}

#: Q3.1 columns -> (indicator id, category).
ACTIVITY: dict[str, tuple[str, str]] = {
    "Total": ("population", "total"),
    "Ativa | Total": ("labour_force", "total"),
    "Ativa | Empregada": ("employed", "total"),
    "Ativa | Desempregada": ("unemployed", "total"),
    "Inativa | Total": ("inactive", "total"),
    "Inativa | População com menos de 15 anos": ("inactive", "activity:under-15"),
    "Inativa | Estudantes": ("inactive", "activity:student"),
    "Inativa | Domésticos": ("inactive", "activity:homemaker"),
    "Inativa | Reformados": ("inactive", "activity:retired"),
    "Inativa | Incapacitados para o trabalho": ("inactive", "activity:unable-to-work"),
    "Inativa | Outra situação": ("inactive", "activity:other-inactive"),
}

_STATELESS_NOTE = "stateless persons are counted apart (definition stateless_census), not among foreigners"
_PORTUGAL = {"place_id": "PRT", "place_name": "Portugal", "geography_level": "country", "country_iso3": "PRT"}


def harmonise_censos2021(raw: dict[str, pd.DataFrame], cities: dict[str, City]) -> pd.DataFrame:
    """Map the faithful annex tables to tidy rows, keeping each observation once.

    Q1.2 gives Portugal, the Área Metropolitana de Lisboa (NUTS II and NUTS III) and the
    municipality of Lisboa; the other quadros are national. A value published in several
    quadros (e.g. the population by nationality) is kept from the first quadro of
    :data:`QUADRO_ORDER`; when a later quadro prints a different number, the kept row's note
    says so.

    Parameters
    ----------
    raw
        Quadro key -> output of :func:`workbench.tidy.sources.ine_pt.read_annex_table`.
    cities
        The cities registry.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.
    """
    makers = {
        "Q1.1": harmonise_q1_1,
        "Q1.2": lambda frame: harmonise_q1_2(frame, cities),
        "Q1.3": harmonise_q1_3,
        "Q2.1": harmonise_q2_1,
        "Q3.1": harmonise_q3_1,
    }
    parts = [makers[q](raw[q]).assign(quadro=q) for q in QUADRO_ORDER if q in raw]
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.fillna({c: d for c, d in TIDY_DEFAULTS.items() if c in rows.columns})
    return tidy_frame(_keep_first(rows), SOURCE_ID)


def _keep_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Drop repeated observations; note on the kept row any differing value printed later."""
    keys = [c for c in KEY_COLUMNS if c != "source_id"]
    rows = rows.assign(note=_join_notes("Quadro " + rows["quadro"].str[1:], rows["note"]))
    kept = rows.drop_duplicates(keys, keep="first")
    dropped = rows[rows.duplicated(keys, keep="first")]
    merged = dropped.merge(kept[keys + ["value"]], on=keys, suffixes=("", "_kept"))
    differing = merged[merged["value"] != merged["value_kept"]]
    if differing.empty:
        return kept
    quadro = differing["note"].str.split(";").str[0]
    extra = (
        differing.assign(msg=quadro + " prints " + differing["value"].map("{:g}".format))
        .groupby(keys, sort=False)["msg"]
        .agg("; ".join)
        .rename("extra")
        .reset_index()
    )
    out = kept.merge(extra, on=keys, how="left")
    out["note"] = _join_notes(out["note"], out["extra"])
    return out.drop(columns="extra")


def _join_notes(first: pd.Series, second: pd.Series) -> pd.Series:
    first, second = first.fillna(""), second.fillna("")
    joined = first.where(second == "", first + "; " + second)
    return joined.where(first != "", second)


def _group_columns(label: str, row: int) -> dict[str, str]:
    """definition/origin/note of a national row label (aggregate group or nationality)."""
    if label in GROUP_DEFINITIONS:
        definition = GROUP_DEFINITIONS[label]
        note = _STATELESS_NOTE if definition == "foreign_nationality" else ""
        return {"definition_id": definition, "origin_type": "", "origin": "total", "note": note}
    if label in NATIONALITY_ISO3:
        return {
            "definition_id": "foreign_nationality",
            "origin_type": "citizenship",
            "origin": NATIONALITY_ISO3[label],
            "note": "",
        }
    raise SourceFormatError(
        f"{SOURCE_ID}, row {row}: nationality {label!r} has no ISO3 code in ine_pt_layouts.NATIONALITY_ISO3"
    )


def _national_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows of a national quadro with place and group columns, section headings removed."""
    data = raw[~raw["label"].isin(SECTION_ROWS)].reset_index(drop=True)
    groups = pd.DataFrame([_group_columns(lab, row) for lab, row in zip(data["label"], data["row"])])
    return pd.concat([data, groups], axis=1).assign(**_PORTUGAL)


def harmonise_q1_1(raw: pd.DataFrame) -> pd.DataFrame:
    """Quadro 1.1: population by nationality and sex, 2021 and 2011, and the % change.

    Returns
    -------
    pandas.DataFrame
        Rows with tidy columns (not yet passed through ``tidy_frame``).
    """
    rows = _national_rows(raw)
    parts = rows["column"].str.split(" | ", regex=False)
    head, sex = parts.str[0], parts.str[1].map(SEXES)
    change = head.str.startswith("Variação")
    period = head.where(~change, "2011-2021")
    return rows.assign(
        indicator_id=change.map({True: "percent_change", False: "population"}),
        sex=sex,
        period=period,
        ref_date=period.str[-4:].map(CENSUS_DATES),
        unit=change.map({True: "percent", False: "persons"}),
        note=_join_notes(rows["note"], change.map({True: "change 2011-2021 as published by INE", False: ""})),
    )


def harmonise_q1_2(raw: pd.DataFrame, cities: dict[str, City]) -> pd.DataFrame:
    """Quadro 1.2: population by nationality for Portugal, the AML and Lisboa (2021).

    Raises
    ------
    SourceFormatError
        A place of :data:`Q12_PLACES` missing, or a city code of ``ine_pt_place`` in
        ``cities.yaml`` that the reader has no place id for.
    """
    label_to_city = codes_of(cities, "ine_pt_place")
    unknown = sorted(set(label_to_city) - {label for label, _ in Q12_PLACES})
    if unknown:
        raise SourceFormatError(f"{SOURCE_ID}: no place id in ine_pt.Q12_PLACES for city code(s) {unknown}")
    keys = list(zip(raw["label"], raw["occurrence"]))
    absent = [key for key in Q12_PLACES if key not in set(keys)]
    if absent:
        label, occurrence = absent[0]
        raise SourceFormatError(f"{SOURCE_ID}: Quadro 1.2 has no row {label!r} (occurrence {occurrence})")
    keep = raw[[key in Q12_PLACES for key in keys]].reset_index(drop=True)
    places = pd.DataFrame(
        [Q12_PLACES[key] for key in zip(keep["label"], keep["occurrence"])],
        columns=["place_id", "place_name", "geography_level"],
    )
    nationality = keep["column"].str.split(" | ", regex=False).str[1]
    top15 = keep["column"].str.startswith(TOP15)
    definition = keep["column"].map(Q12_COLUMNS).where(~top15, "foreign_nationality")
    foreign_total = (definition == "foreign_nationality") & ~top15
    return pd.concat([keep, places], axis=1).assign(
        country_iso3="PRT",
        city_id=keep["label"].map(label_to_city).fillna(""),
        indicator_id="population",
        definition_id=definition,
        origin_type=top15.map({True: "citizenship", False: ""}),
        origin=nationality.map(NATIONALITY_ISO3).where(top15, "total"),
        period="2021",
        ref_date=CENSUS_DATES["2021"],
        unit="persons",
        note=foreign_total.map({True: _STATELESS_NOTE, False: ""}),
    )


def harmonise_q1_3(raw: pd.DataFrame) -> pd.DataFrame:
    """Quadro 1.3: population by nationality and age group (counts and %), mean age (2021)."""
    rows = _national_rows(raw)
    parts = rows["column"].str.split(" | ", regex=False)
    head, sub = parts.str[0], parts.str[1]
    mean_age = head == "Idade média"
    share = head == "Grupo etário (%)"
    indicator = pd.Series("population", index=rows.index).mask(share, "group_share").mask(mean_age, "mean_age")
    return rows.assign(
        indicator_id=indicator,
        sex=sub.map(SEXES).where(mean_age, "total"),
        age=sub.map(AGE_BANDS).where(~mean_age & sub.notna(), "total"),
        period="2021",
        ref_date=CENSUS_DATES["2021"],
        unit=indicator.map({"population": "persons", "group_share": "percent", "mean_age": "years"}),
        note=_join_notes(rows["note"], share.map({True: "% of all ages of the same nationality group", False: ""})),
    )


def harmonise_q2_1(raw: pd.DataFrame) -> pd.DataFrame:
    """Quadro 2.1: population aged 15-64 by nationality and completed education level (2021)."""
    rows = _national_rows(raw)
    category = rows["column"].map(lambda c: EDUCATION[c][0])
    level = rows["column"].map(lambda c: EDUCATION[c][1])
    return rows.assign(
        indicator_id="population",
        age="Y15-64",
        category=category,
        period="2021",
        ref_date=CENSUS_DATES["2021"],
        unit="persons",
        note=_join_notes(rows["note"], level),
    )


def harmonise_q3_1(raw: pd.DataFrame) -> pd.DataFrame:
    """Quadro 3.1: population by nationality and economic activity status, all ages (2021)."""
    rows = _national_rows(raw)
    indicator = rows["column"].map(lambda c: ACTIVITY[c][0])
    census = pd.Series("census definition; all ages (under-15s are inactive)", index=rows.index)
    return rows.assign(
        indicator_id=indicator,
        category=rows["column"].map(lambda c: ACTIVITY[c][1]),
        period="2021",
        ref_date=CENSUS_DATES["2021"],
        unit="persons",
        note=_join_notes(rows["note"], census.where(indicator != "population", "")),
    )

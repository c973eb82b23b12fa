"""ISTAT codes (territories, sexes, balance items, areas, permits, labour force) and their tidy meaning."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from workbench.reference.registry import City


#: ISTAT / NUTS territory codes kept: code -> (ISTAT Italian label, geography level).
TERRITORIES: dict[str, tuple[str, str]] = {
    "IT": ("Italia", "country"),
    "ITC": ("Nord-ovest", "nuts1"),
    "ITC1": ("Piemonte", "nuts2"),
    "ITC11": ("Torino", "metropolitan_city"),
}

#: ISTAT sex codes (SEX, SEXISTAT1).
SEX_CODES: dict[str, str] = {"1": "male", "2": "female", "9": "total"}

#: SDMX OBS_STATUS / I.Stat flag codes -> tidy flags.
STATUS_FLAGS: dict[str, str] = {"": "", "p": "p"}

#: Code system of ISTAT territories in data/registry/cities.yaml.
CODE_SYSTEM = "istat_territory"


class Item(NamedTuple):
    """How one ISTAT data-type code becomes tidy columns."""

    indicator_id: str
    category: str
    timing: str  # 'jan' stock at 1 January, 'dec' stock at 31 December, 'year' flow in the year
    label: str


#: DCIS_POPSTRBIL1 DATA_TYPE codes. The SDMX-CSV carries codes only: the labels below were
#: checked against ISTAT's demographic-balance items and the file's own arithmetic
#: (e.g. TFREG_TOT = FREGM + FREGOTHC + FREGOTHR; at Italy level FREGM = FDEREGM).
BALANCE_ITEMS: dict[str, Item] = {
    "FJAN": Item("population", "total", "jan", "Foreign population on 1 January"),
    "FDEC_CP": Item(
        "population",
        "total",
        "dec",
        "Foreign population on 31 December (census-based)",
    ),
    "FDEC_CP_P": Item(
        "population",
        "total",
        "dec",
        "Foreign population on 31 December, provisional: 1 January stock + natural change + net "
        "migration (abroad and internal) - acquisitions of citizenship, without the "
        "registrations/cancellations for other reasons (checked on the file's figures)",
    ),
    "FHOUSMEMB_CP": Item(
        "population",
        "residence:household",
        "dec",
        "Foreign population in households on 31 December (census)",
    ),
    "FPOPCOM_CP": Item(
        "population",
        "residence:institution",
        "dec",
        "Foreign population in institutional households (convivenze) on 31 December",
    ),
    "FLBIRTH": Item("births", "total", "year", "Live births of foreign citizens"),
    "FDEATH": Item("deaths", "total", "year", "Deaths of foreign citizens"),
    "FREGOTHC": Item(
        "inflows",
        "flow:from_abroad",
        "year",
        "Registrations from abroad (iscritti dall'estero)",
    ),
    "FREGM": Item(
        "inflows",
        "flow:internal",
        "year",
        "Registrations from other comuni (iscritti da altri comuni)",
    ),
    "FREGOTHR": Item(
        "inflows",
        "flow:other_reasons",
        "year",
        "Registrations for other reasons (iscritti per altri motivi)",
    ),
    "TFREG_TOT": Item(
        "inflows",
        "total",
        "year",
        "Total registrations (from other comuni, from abroad, other reasons)",
    ),
    "FDERGOTHC": Item(
        "outflows",
        "flow:to_abroad",
        "year",
        "Cancellations to abroad (cancellati per l'estero)",
    ),
    "FDEREGM": Item(
        "outflows",
        "flow:internal",
        "year",
        "Cancellations to other comuni (cancellati per altri comuni)",
    ),
    "FDEROTHR": Item(
        "outflows",
        "flow:other_reasons",
        "year",
        "Cancellations for other reasons (cancellati per altri motivi)",
    ),
    "TFDEREG_TOT": Item(
        "outflows",
        "total",
        "year",
        "Total cancellations (to other comuni, to abroad, other reasons; acquisitions of "
        "citizenship excluded)",
    ),
    "ACQCITIZ": Item(
        "citizenship_acquisitions",
        "total",
        "year",
        "Acquisitions of Italian citizenship",
    ),
    "FINTNMIG": Item(
        "net_migration",
        "flow:abroad",
        "year",
        "Net migration with abroad (registrations from minus cancellations to abroad)",
    ),
    "FINTRNMIGR": Item(
        "net_migration",
        "flow:internal",
        "year",
        "Net internal migration (with other comuni)",
    ),
    "FBLOTHR": Item(
        "net_migration",
        "flow:other_reasons",
        "year",
        "Balance of registrations and cancellations for other reasons",
    ),
    "FNETMIG": Item(
        "net_migration",
        "flow:internal_and_abroad",
        "year",
        "Net migration, internal and with abroad",
    ),
    "FNMIGRAT": Item(
        "net_migration",
        "total",
        "year",
        "Net migration and other reasons (internal + abroad + other reasons)",
    ),
    "FNATGR": Item(
        "population_change",
        "component:natural_change",
        "year",
        "Natural change (live births minus deaths)",
    ),
    "FTOTBAL_CP": Item(
        "population_change",
        "component:registry_balance",
        "year",
        "Total registry balance: natural change + net migration and other reasons - "
        "acquisitions of citizenship, before the census adjustment",
    ),
    "FTOCESTAD_CP": Item(
        "population_change",
        "component:census_adjustment",
        "year",
        "Census statistical adjustment (aggiustamento statistico censuario)",
    ),
    "FSTAT_ADJUST": Item(
        "population_change",
        "component:statistical_adjustment",
        "year",
        "Statistical adjustment (includes the registrations/cancellations for other "
        "reasons, not published separately that year)",
    ),
    "FREGSTAD_CP": Item(
        "population_change",
        "component:statistical_adjustment_registrations",
        "year",
        "Registrations from the statistical adjustment (label inferred from the code; all "
        "values zero)",
    ),
    "FIDECTR": Item(
        "population_change",
        "component:territorial_changes",
        "year",
        "Units more/less due to territorial changes (label inferred from the code; all "
        "values zero)",
    ),
    "FTOTAL_BAL": Item(
        "population_change",
        "total",
        "year",
        "Total change of the foreign population over the year (31 December minus 1 "
        "January)",
    ),
}

#: DCIS_POPSTRCIT1 CITIZENSHIP codes (geopolitical areas) -> (origin_type, origin, label).
AREA_CODES: dict[str, tuple[str, str, str]] = {
    "WORLD": ("", "total", "Mondo"),
    "EU28": ("citizenship_group", "EU28", "Unione europea (28 paesi)"),
    "XEUR_NEU28_OTH": ("citizenship_group", "ISTAT_EUR_OTH", "Altri paesi europei non Ue 28"),
    "AFR_N": ("citizenship_group", "ISTAT_AFR_N", "Africa settentrionale"),
    "AFR_W": ("citizenship_group", "ISTAT_AFR_W", "Africa occidentale"),
    "AFR_E": ("citizenship_group", "ISTAT_AFR_E", "Africa orientale"),
    "AFR_C_S": ("citizenship_group", "ISTAT_AFR_C_S", "Africa centro-meridionale"),
    "ASI_W": ("citizenship_group", "ISTAT_ASI_W", "Asia occidentale"),
    "XASI_C_S": ("citizenship_group", "ISTAT_ASI_C_S", "Asia centro-meridionale"),
    "ASI_E": ("citizenship_group", "ISTAT_ASI_E", "Asia orientale"),
    "AME_N": ("citizenship_group", "ISTAT_AME_N", "America settentrionale"),
    "AME_C_S": ("citizenship_group", "ISTAT_AME_C_S", "America centro-meridionale"),
    "OCE": ("citizenship_group", "ISTAT_OCE", "Oceania"),
    "999": ("citizenship_group", "STATELESS", "Apolide"),
}

#: DCIS_PERMSOGG1 TYPE_RES_PERMIT codes -> tidy category.
PERMIT_TYPES: dict[str, tuple[str, str]] = {
    "TOTAL": ("total", "all valid permits"),
    "LONGT": ("permit:long_term", "long-term residence permits (EU long-term residents, no expiry)"),
    "NLONGT": ("permit:with_expiry", "permits with an expiry date (not long-term)"),
}

#: I.Stat MOTIVOPS1 codes (reason of the permit) -> category slug.
PERMIT_REASONS: dict[str, str] = {"ALL1": "reason:international_protection"}

#: I.Stat ISO codes that are not ISO 3166-1 alpha-2 countries -> (origin_type, origin).
PERMIT_ORIGIN_SPECIAL: dict[str, tuple[str, str]] = {
    "WORLD": ("", "total"),
    "X777": ("citizenship_group", "OTHER"),
    "XK": ("citizenship", "XKX"),
}

#: LFS TITOLO_STUDIO codes -> category.
EDUCATION_CODES: dict[str, str] = {
    "99": "total",
    "13": "education:isced0-2",
    "7": "education:isced3-4",
    "11": "education:isced5-8",
}

#: LFS ETA1 codes kept as tidy age bands.
LFS_AGES: dict[str, str] = {"Y15-64": "Y15-64", "Y15-74": "Y15-74", "Y20-64": "Y20-64"}

#: LFS TIPO_DATO_FOL codes -> indicator.
LFS_DATA_TYPES: dict[str, str] = {"EMP_R": "employment_rate", "UNEM_R": "unemployment_rate"}

#: Reference date of a quarter (mid-quarter).
QUARTER_DATES: dict[str, str] = {"Q1": "02-15", "Q2": "05-15", "Q3": "08-15", "Q4": "11-15"}


def territory_place(code: str, cities: Mapping[str, City], label: str | None = None) -> dict[str, str]:
    """Return the place columns of a kept ISTAT territory.

    Parameters
    ----------
    code
        An ISTAT / NUTS code in :data:`TERRITORIES`.
    cities
        The cities registry (city ids come from its ``istat_territory`` codes).
    label
        The file's own label of the territory, if it has one.

    Returns
    -------
    dict
        place_id, place_name, geography_level, country_iso3 and city_id.
    """
    name, level = TERRITORIES[code]
    return {
        "place_id": code,
        "place_name": label or name,
        "geography_level": level,
        "country_iso3": "ITA",
        "city_id": _city_ids(cities).get(code, ""),
    }


def _city_ids(cities: Mapping[str, City]) -> dict[str, str]:
    return {
        code: city.city_id
        for city in cities.values()
        for code in city.codes.get(CODE_SYSTEM, [])
    }

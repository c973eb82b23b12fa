"""UNHCR refugee statistics (R package ``refugees``): population, sub-national demographics, UNRWA."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pycountry
import rdata
from rdata.conversion import DEFAULT_CLASS_MAP

from workbench.errors import SourceFormatError, where
from workbench.reference.registry import City
from workbench.tidy.sources._common import check_row_lengths, read_csv_checked, require_columns, single_file, tidy_frame

#: Code system of UNHCR sub-national location labels in ``cities.yaml``.
LOCATION_CODE_SYSTEM = "unhcr_location"

#: Columns naming the country of origin and of asylum, in every table of the package.
COUNTRY_COLUMNS: tuple[str, ...] = ("year", "coo_name", "coo", "coo_iso", "coa_name", "coa", "coa_iso")

#: Population table: value column -> definition id.
POPULATION_MEASURES: dict[str, str] = {
    "refugees": "registered_refugee",
    "asylum_seekers": "asylum_seeker",
    "returned_refugees": "returned_refugee",
    "idps": "idp",
    "returned_idps": "returned_idp",
    "stateless": "stateless",
    "ooc": "other_of_concern",
    "oip": "other_in_need_of_protection",
    "hst": "host_community",
}

#: Demographics table: columns describing the population group and the location.
DEMOGRAPHICS_KEYS: tuple[str, ...] = ("pop_type", "location", "loc_type", "acc_type")

#: Demographics table: value column -> (sex, age band).
SEX_AGE: dict[str, tuple[str, str]] = {
    "f_0_4": ("female", "Y0-4"),
    "f_5_11": ("female", "Y5-11"),
    "f_12_17": ("female", "Y12-17"),
    "f_18_59": ("female", "Y18-59"),
    "f_60": ("female", "Y60-MAX"),
    "f_other": ("female", "UNK"),
    "f_total": ("female", "total"),
    "m_0_4": ("male", "Y0-4"),
    "m_5_11": ("male", "Y5-11"),
    "m_12_17": ("male", "Y12-17"),
    "m_18_59": ("male", "Y18-59"),
    "m_60": ("male", "Y60-MAX"),
    "m_other": ("male", "UNK"),
    "m_total": ("male", "total"),
    "total": ("total", "total"),
}

#: Demographics ``pop_type`` code -> definition id.
POP_TYPES: dict[str, str] = {
    "REF": "registered_refugee",
    "ASY": "asylum_seeker",
    "RET": "returned_refugee",
    "IDP": "idp",
    "RDP": "returned_idp",
    "STA": "stateless",
    "OOC": "other_of_concern",
    "OIP": "other_in_need_of_protection",
    "HST": "host_community",
}

#: UNRWA table: the value column.
UNRWA_MEASURES: tuple[str, ...] = ("total",)

#: Country-of-origin code of Palestine refugees in the UNRWA table.
PALESTINE = "PSE"

#: Label of the part of a country's population not attributed to a sub-national location.
DISPERSED_LABEL = "Dispersed in the country / territory"


@dataclass(frozen=True)
class LocationForm:
    """One way UNHCR writes a location label, and what kind of place it names."""

    pattern: re.Pattern[str]
    kind: str  # governorate, district, camp, point, plain


#: Label forms, tried in order; the ``name`` group is the place's own name.
LOCATION_FORMS: tuple[LocationForm, ...] = (
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) \[Admin 1\]$"), "governorate"),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) \[Admin 2\]$"), "district"),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) \[Admin 3: POC\]$"), "camp"),
    LocationForm(
        re.compile(
            r"^(?P<name>[^:\[\]]+?) : (?:Governorate|Mohafazah - Governorate|Mohafazat - Governorates"
            r"|Wilayah - Governorate|Wilayat - Governorate)$"
        ),
        "governorate",
    ),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) Governorate$"), "governorate"),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) : (?:Qadaa - District|Mutamadiyah - Delegation)$"), "district"),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+?) : Point$"), "point"),
    LocationForm(re.compile(r"^[^:\[\]]+?\s*:\s*(?P<name>[^:\[\]]*\bCamp\b[^:\[\]]*)$"), "camp"),
    LocationForm(re.compile(r"^(?P<name>[^:\[\]]+)$"), "plain"),
)

#: Kind of label -> (place-id suffix, geography level).
KIND_PLACES: dict[str, tuple[str, str]] = {
    "governorate": ("", "governorate"),
    "district": ("-district", "district"),
    "camp": ("", "camp"),
    "point": ("-point", "location"),
    "plain": ("", "location"),
}

#: Spelling variants of the same place (country, slug of the label's name) -> harmonised slug.
LOCATION_ALIASES: dict[tuple[str, str], str] = {
    ("JOR", "ajlun"): "ajloun",
    ("JOR", "al-aqaba"): "aqaba",
    ("JOR", "aqabah"): "aqaba",
    ("JOR", "al-balqa"): "balqa",
    ("JOR", "al-karak"): "karak",
    ("JOR", "al-mafraq"): "mafraq",
    ("JOR", "al-tafilah"): "tafilah",
    ("JOR", "zataari-camp"): "zaatari-camp",
    ("JOR", "emirates-jordanian-camp-ejc"): "emirati-jordanian-camp",
    ("LBN", "beyrouth"): "beirut",
    ("LBN", "beqaa"): "bekaa",
    ("LBN", "mont-liban"): "mount-lebanon",
    ("LBN", "liban-nord"): "north",
    ("LBN", "liban-sud"): "south",
    ("LBN", "south-lebanon"): "south",
    ("LBN", "aakar"): "akkar",
    ("TUN", "medennine"): "medenine",
    ("TUN", "bengurdane"): "ben-gardane",
    ("TUN", "sidi-bou-zid"): "sidi-bouzid",
    ("TUN", "sidi-bouz"): "sidi-bouzid",
    ("TUN", "kef"): "le-kef",
}

#: Label kinds that name the same place as a label of the same name of another kind, tried in this order:
#: a plain label (no type in it, to 2010 and 2019-2023) and a point location (2010-2011, e.g. 'Amman : Point')
#: between two governorate series join the governorate of the same name.
KIND_RESOLUTION: dict[str, tuple[str, ...]] = {
    "plain": ("governorate", "district", "point"),
    "point": ("governorate",),
}


#: Note on rows of a country of asylum UNHCR records as unknown.
UNKNOWN_ASYLUM_NOTE = "Country of asylum unknown (UNHCR code UKN)"

#: Note on returned refugees: a flow during the year, placed in the country they left.
RETURNED_REFUGEE_NOTE = (
    "Refugees who returned to their country of origin during the year (a flow), "
    "counted under the country of asylum they left"
)


@dataclass(frozen=True)
class PlaceNote:
    """A caveat attached to the rows of one place (and optionally some years or population types)."""

    text: str
    place_id: str | None = None
    country_iso3: str | None = None
    geography_level: str | None = None
    first_year: int | None = None
    last_year: int | None = None
    label_kind: str | None = None
    pop_type: str | None = None
    origin: str | None = None
    flag: str = ""


#: Anomalies and breaks of the demographics table (see the SOURCES notes), as notes on the rows.
DEMOGRAPHICS_NOTES: tuple[PlaceNote, ...] = (
    PlaceNote(
        "Dahuk is a governorate of Iraq; listed under Jordan as published (probably a mis-coded camp)",
        place_id="JOR-dahuk",
        flag="u",
    ),
    PlaceNote(
        "2008: the Government estimate of 500,000 Iraqi refugees is recorded here (under 'Dispersed in the "
        "country / territory' in 2006-2007 and 2009-2011)",
        place_id="JOR-amman",
        first_year=2008,
        last_year=2008,
        origin="IRQ",
        flag="b",
    ),
    PlaceNote(
        "2016 figure (275,803 persons in all) far above adjacent years (about 14,000-32,000); "
        "anomaly as published, possibly another area reported with Beirut",
        place_id="LBN-beirut",
        first_year=2016,
        last_year=2016,
        flag="u",
    ),
    PlaceNote(
        "From 2024 refugees and asylum-seekers in Lebanon are reported by district ([Admin 2]); "
        "governorate ([Admin 1]) rows hold IDPs and returned IDPs (2024 war displacement)",
        country_iso3="LBN",
        geography_level="governorate",
        first_year=2024,
        flag="b",
    ),
    PlaceNote(
        "From 2024 refugees in Lebanon are reported by district; Beirut district covers the same area "
        "as Beirut governorate",
        place_id="LBN-beirut-district",
        first_year=2024,
    ),
    PlaceNote(
        "Persons not attributed to a sub-national location; not the country total",
        label_kind="dispersed",
    ),
    PlaceNote(RETURNED_REFUGEE_NOTE, pop_type="RET"),
    PlaceNote(
        "UNHCR corrected the 2025 asylum-seeker figures after this release; prefer unhcr_population",
        first_year=2025,
        pop_type="ASY",
    ),
)

#: Notes on UNRWA rows: (field ISO3, year) -> note.
UNRWA_NOTES: dict[tuple[str, int], str] = {
    ("LBN", 2025): "2025 figure (228,274) less than half of 2024 (486,269); the same year has a field "
    "'Unknown' of 495,764, which suggests a reclassification - check before use",
    ("SYR", 2025): "2025 figure (357,985) well below 2024 (582,745); the same year has a field 'Unknown' "
    "of 495,764, which suggests a reclassification - check before use",
    ("UNK", 2025): "Field not stated (UNHCR code UKN); appears in 2025 only, when Lebanon and Syria drop",
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one UNHCR source.

    Parameters
    ----------
    source_id
        ``unhcr_population``, ``unhcr_demographics`` or ``unhcr_unrwa``.
    files
        The one official file of the source (``.rda``, or a ``.csv`` with the same columns).
    cities
        The cities registry: the countries of the network cities set the scope, their
        ``unhcr_location`` codes the locations kept with the full sex and age detail.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    ConfigError
        Unknown source id, or not exactly one file.
    SourceFormatError
        The file does not have the expected layout.
    """
    path = single_file(__name__, source_id, BUILDERS, files)
    return BUILDERS[source_id](path, cities)


def build_population(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``population`` for the network countries (as asylum or origin)."""
    return harmonise_population(read_population(path, network_countries(cities)), cities)


def build_demographics(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``demographics`` for the network countries of asylum."""
    return harmonise_demographics(read_demographics(path, network_countries(cities)), cities)


def build_unrwa(path: Path, cities: dict[str, City]) -> pd.DataFrame:
    """Read and harmonise ``unrwa`` (every field)."""
    return harmonise_unrwa(read_unrwa(path), cities)


#: Source id -> function building it from its one file.
BUILDERS: dict[str, Callable[[Path, dict[str, City]], pd.DataFrame]] = {
    "unhcr_population": build_population,
    "unhcr_demographics": build_demographics,
    "unhcr_unrwa": build_unrwa,
}


def network_countries(cities: dict[str, City]) -> frozenset[str]:
    """Return the ISO3 codes of the countries of the network cities.

    Parameters
    ----------
    cities
        The cities registry.

    Returns
    -------
    frozenset of str
    """
    return frozenset(city.country_iso3 for city in cities.values())


def read_population(path: Path, countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the ``population`` table (end-year stocks by origin and asylum) into a long frame.

    Parameters
    ----------
    path
        ``population.rda`` (object ``population``), or a ``.csv`` with the same columns.
    countries
        If given, keep only rows whose country of asylum or of origin (ISO3) is one of these.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the publisher's country columns, ``column`` (the value column's
        name) and ``value`` (float); one row per non-missing cell.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    wide = load_table(path, "population", COUNTRY_COLUMNS, tuple(POPULATION_MEASURES))
    if countries is not None:
        wanted = set(countries)
        wide = wide[wide["coa_iso"].isin(wanted) | wide["coo_iso"].isin(wanted)]
    return melt_values(wide, COUNTRY_COLUMNS, tuple(POPULATION_MEASURES))


def read_demographics(path: Path, asylum_countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the ``demographics`` table (sub-national locations by sex and age) into a long frame.

    Parameters
    ----------
    path
        ``demographics.rda`` (object ``demographics``), or a ``.csv`` with the same columns.
    asylum_countries
        If given, keep only rows whose country of asylum (ISO3) is one of these.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the country columns, ``pop_type``, ``location``, ``loc_type``,
        ``acc_type``, ``column`` (``f_0_4`` ... ``total``) and ``value``; one row per non-missing cell.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    keys = COUNTRY_COLUMNS + DEMOGRAPHICS_KEYS
    wide = load_table(path, "demographics", keys, tuple(SEX_AGE))
    if asylum_countries is not None:
        wide = wide[wide["coa_iso"].isin(set(asylum_countries))]
    return melt_values(wide, keys, tuple(SEX_AGE))


def read_unrwa(path: Path) -> pd.DataFrame:
    """Read the ``unrwa`` table (Palestine refugees registered with UNRWA by field) into a long frame.

    Parameters
    ----------
    path
        ``unrwa.rda`` (object ``unrwa``), or a ``.csv`` with the same columns.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), the country columns (``coa`` is the UNRWA field), ``column``
        (``total``) and ``value``.

    Raises
    ------
    SourceFormatError
        Unreadable file, missing object or column, missing code, non-integer year or non-numeric value.
    """
    wide = load_table(path, "unrwa", COUNTRY_COLUMNS, UNRWA_MEASURES)
    return melt_values(wide, COUNTRY_COLUMNS, UNRWA_MEASURES)


def load_table(path: Path, name: str, text_columns: tuple[str, ...], value_columns: tuple[str, ...]) -> pd.DataFrame:
    """Load one table of the package as published, checked: codes present, years whole, values numbers.

    Parameters
    ----------
    path
        An ``.rda`` file holding the object ``name``, or a ``.csv`` with the same columns.
    name
        Name of the R object (``population``, ``demographics``, ``unrwa``).
    text_columns
        Columns that must be present and never missing (``year`` among them).
    value_columns
        Numeric columns that must be present (missing cells allowed).

    Returns
    -------
    pandas.DataFrame
        ``year`` as int, other text columns as str, value columns as float; index 0..n-1.

    Raises
    ------
    SourceFormatError
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".rda":
        frame, first_row = load_rda_frame(path, name), 1
    elif suffix == ".csv":
        frame, first_row = read_csv_checked(path), 2
    else:
        raise SourceFormatError(f"{path}: expected an .rda file or a .csv extract, not {suffix or 'no suffix'!r}")
    if frame.empty:
        raise SourceFormatError(f"{path}: table {name!r} has no rows; expected one row per year and country pair")
    require_columns(frame, text_columns + value_columns, path)
    check_row_lengths(frame)
    frame = frame.reset_index(drop=True)
    checked = {c: check_text(frame[c], path, first_row) for c in text_columns if c != "year"}
    checked["year"] = check_years(frame["year"], path, first_row)
    checked.update({c: check_numbers(frame[c], path, first_row) for c in value_columns})
    return pd.DataFrame(checked)[list(text_columns + value_columns)]


def load_rda_frame(path: Path, name: str) -> pd.DataFrame:
    """Return the data frame ``name`` stored in an R ``.rda`` file.

    Raises
    ------
    SourceFormatError
        File missing or not an R data file, or without a data frame called ``name``.
    """
    classes = {**DEFAULT_CLASS_MAP, "tbl_df": DEFAULT_CLASS_MAP["data.frame"]}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata warns before failing on a file that is not R data
            content = rdata.read_rda(path, constructor_dict=classes)
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: file not found") from None
    except Exception as exc:  # rdata raises many unrelated types on a file that is not R data
        raise SourceFormatError(f"{path}: not a readable R data file ({type(exc).__name__}: {exc})") from None
    if name not in content:
        raise SourceFormatError(f"{path}: no object {name!r} in the R data file; it holds {sorted(content)}")
    frame = content[name]
    if not isinstance(frame, pd.DataFrame):
        raise SourceFormatError(f"{path}: object {name!r} is a {type(frame).__name__}, not a data frame")
    return frame


def check_text(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return a code or label column as str, failing on a missing cell.

    Parameters
    ----------
    column
        The column as read.
    path
        File, for messages.
    first_row
        Row number (as the user sees it) of the frame's first row: 2 for a CSV with a header, 1 for R data.

    Raises
    ------
    SourceFormatError
    """
    missing = column.isna() | (column.astype(str).str.strip() == "")
    if missing.any():
        row = int(missing.to_numpy().nonzero()[0][0]) + first_row
        raise SourceFormatError(f"{where(path, row, column.name)}: empty cell where a code or label is expected")
    return column.astype(str)


def check_years(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return the ``year`` column as int, failing on a missing, non-numeric or fractional year.

    Raises
    ------
    SourceFormatError
    """
    numbers = check_numbers(column, path, first_row)
    bad = numbers.isna() | (numbers % 1 != 0)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SourceFormatError(
            f"{where(path, i + first_row, 'year')}: {column.iloc[i]!r} is not a year; expected a whole number such as 2024"
        )
    return numbers.astype(int)


def check_numbers(column: pd.Series, path: Path, first_row: int) -> pd.Series:
    """Return a column as float (missing cells as NaN), failing on a cell that is not a number.

    Raises
    ------
    SourceFormatError
    """
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    text = column.astype(str).str.strip()
    present = column.notna() & (text != "") & (text.str.upper() != "NA")
    numbers = pd.to_numeric(text.where(present), errors="coerce")
    bad = present & numbers.isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SourceFormatError(
            f"{where(path, i + first_row, column.name)}: {column.iloc[i]!r} is not a number; "
            "expected a number, an empty cell or NA"
        )
    return numbers.astype(float)


def melt_values(wide: pd.DataFrame, keys: tuple[str, ...], values: tuple[str, ...]) -> pd.DataFrame:
    """Reshape value columns into ``column`` / ``value`` rows, dropping missing cells.

    Parameters
    ----------
    wide
        A checked table.
    keys, values
        Identifying columns and value columns.

    Returns
    -------
    pandas.DataFrame
    """
    long = wide.melt(id_vars=list(keys), value_vars=list(values), var_name="column", value_name="value")
    return long[long["value"].notna()].reset_index(drop=True)


def harmonise_population(
    raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_population"
) -> pd.DataFrame:
    """Turn the long population table into tidy country rows (place = country of asylum).

    Scope: rows whose country of asylum or of origin is a network country. Cells equal to 0
    give no row (the package writes 0 for every population type not reported for a pair).

    Parameters
    ----------
    raw
        Output of :func:`read_population`.
    cities
        The cities registry (for the network countries).
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        A value column the reader does not know.
    """
    countries = network_countries(cities)
    kept = raw[(raw["coa_iso"].isin(countries) | raw["coo_iso"].isin(countries)) & (raw["value"] != 0)]
    definitions = map_codes(kept["column"], POPULATION_MEASURES, "population value column")
    rows = pd.DataFrame(
        {
            "place_id": kept["coa_iso"],
            "place_name": kept["coa_name"],
            "geography_level": "country",
            "country_iso3": kept["coa_iso"],
            "indicator_id": "population",
            "definition_id": definitions,
            "origin_type": origin_types(kept["coo_iso"]),
            "origin": kept["coo_iso"],
            "period": kept["year"].astype(str),
            "ref_date": kept["year"].astype(str) + "-12-31",
            "value": kept["value"],
            "unit": "persons",
            "note": population_notes(kept),
        }
    )
    return tidy_frame(rows, source_id)


def population_notes(rows: pd.DataFrame) -> pd.Series:
    """Return the note of every population row (unknown country of asylum, returned refugees)."""
    unknown = pd.Series(UNKNOWN_ASYLUM_NOTE, index=rows.index).where(rows["coa_iso"] == "UNK", "")
    returned = pd.Series(RETURNED_REFUGEE_NOTE, index=rows.index).where(rows["column"] == "returned_refugees", "")
    return (unknown + "; " + returned).str.strip("; ")


def harmonise_demographics(
    raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_demographics"
) -> pd.DataFrame:
    """Turn the long demographics table into tidy sub-national rows.

    Locations are harmonised into one place id per (country, place) across label schemes.
    Places of the network cities keep every sex and age column; other places keep only
    ``total``. Where several raw rows share a (place, year, origin, population type) - they
    differ by accommodation or location type - each keeps its own row with category
    ``settlement:<acc_type>-<loc_type>`` (never summed). Cells equal to 0 give no row.

    Parameters
    ----------
    raw
        Output of :func:`read_demographics`.
    cities
        The cities registry: its countries set the scope, its ``unhcr_location`` codes the
        places of the network cities.
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        An unknown population type, value column or location label form.
    """
    scoped = raw[raw["coa_iso"].isin(network_countries(cities))]
    places = harmonise_locations(scoped[["coa_iso", "location", "year"]])
    merged = scoped.merge(places, on=["coa_iso", "location"], how="left", validate="many_to_one")
    place_cities = locate_cities(places, cities)
    merged["city_id"] = merged["place_id"].map(place_cities).fillna("")
    detailed = (merged["city_id"] != "") | (merged["column"] == "total")
    merged["category"] = settlement_categories(merged)
    kept = merged[detailed & (merged["value"] != 0)]
    sexes = map_codes(kept["column"], {c: sex for c, (sex, _) in SEX_AGE.items()}, "demographics value column")
    ages = kept["column"].map({c: age for c, (_, age) in SEX_AGE.items()})
    notes, flags = demographics_notes(kept)
    rows = pd.DataFrame(
        {
            "place_id": kept["place_id"],
            "place_name": kept["place_name"],
            "geography_level": kept["geography_level"],
            "country_iso3": kept["coa_iso"],
            "city_id": kept["city_id"],
            "indicator_id": "population",
            "definition_id": map_codes(kept["pop_type"], POP_TYPES, "pop_type"),
            "sex": sexes,
            "age": ages,
            "origin_type": origin_types(kept["coo_iso"]),
            "origin": kept["coo_iso"],
            "category": kept["category"],
            "period": kept["year"].astype(str),
            "ref_date": kept["year"].astype(str) + "-12-31",
            "value": kept["value"],
            "unit": "persons",
            "flag": flags,
            "note": notes,
        }
    )
    return tidy_frame(rows, source_id)


def harmonise_unrwa(raw: pd.DataFrame, cities: dict[str, City], source_id: str = "unhcr_unrwa") -> pd.DataFrame:
    """Turn the UNRWA table into tidy rows, one per field and year.

    Parameters
    ----------
    raw
        Output of :func:`read_unrwa`.
    cities
        The cities registry (unused: every UNRWA field is kept; accepted for a uniform signature).
    source_id
        Registry id of the source.

    Returns
    -------
    pandas.DataFrame
        Tidy rows (origin ``total``: every row counts Palestine refugees).

    Raises
    ------
    SourceFormatError
        A row whose country of origin is not Palestine.
    """
    other = raw[raw["coo_iso"] != PALESTINE]
    if not other.empty:
        raise SourceFormatError(
            f"UNRWA table: expected only Palestine refugees (coo_iso {PALESTINE}); "
            f"found {sorted(other['coo_iso'].unique())}"
        )
    keys = list(zip(raw["coa_iso"], raw["year"], strict=True))
    rows = pd.DataFrame(
        {
            "place_id": raw["coa_iso"],
            "place_name": raw["coa_name"],
            "geography_level": "country",
            "country_iso3": raw["coa_iso"],
            "indicator_id": "population",
            "definition_id": "palestine_refugee_unrwa",
            "period": raw["year"].astype(str),
            "ref_date": raw["year"].astype(str) + "-12-31",
            "value": raw["value"],
            "unit": "persons",
            "note": [UNRWA_NOTES.get(key, "") for key in keys],
        }
    )
    return tidy_frame(rows, source_id)


def map_codes(codes: pd.Series, mapping: dict, what: str) -> pd.Series:
    """Map publisher codes through a table, failing on a code the table does not know.

    Raises
    ------
    SourceFormatError
        Naming the unknown codes and the known ones.
    """
    unknown = sorted(set(codes) - set(mapping))
    if unknown:
        raise SourceFormatError(f"unknown {what} {unknown}; known: {sorted(mapping)}")
    return codes.map(mapping)


def origin_types(codes: pd.Series) -> pd.Series:
    """Return ``origin_country`` for ISO 3166-1 alpha-3 codes, ``origin_group`` for UNHCR's other codes."""
    countries = {code: pycountry.countries.get(alpha_3=code) is not None for code in codes.unique()}
    return codes.map(countries).map({True: "origin_country", False: "origin_group"})


def slugify(name: str) -> str:
    """Return a lower-case ASCII slug of a place name (``Za'atari Camp`` -> ``zaatari-camp``)."""
    text = name.lower().replace("'", "").replace("’", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def parse_location(country: str, label: str) -> tuple[str, str, str]:
    """Split a UNHCR location label into its kind, name and harmonised slug.

    Parameters
    ----------
    country
        ISO3 of the country of asylum (aliases are per country).
    label
        The label as published, e.g. ``Amman : Governorate`` or ``Beirut [Admin 2]``.

    Returns
    -------
    tuple of str
        (kind, name, slug); kind is ``dispersed``, ``governorate``, ``district``, ``camp``,
        ``point`` or ``plain``.

    Raises
    ------
    SourceFormatError
        A label of a form the reader does not know.
    """
    if label == DISPERSED_LABEL:
        return "dispersed", label, "dispersed"
    for form in LOCATION_FORMS:
        match = form.pattern.match(label.strip())
        if match:
            name = match.group("name").strip()
            slug = slugify(name)
            return form.kind, name, LOCATION_ALIASES.get((country, slug), slug)
    raise SourceFormatError(f"{country}: location label {label!r} has a form the UNHCR reader does not know")


def harmonise_locations(labels: pd.DataFrame) -> pd.DataFrame:
    """Give every (country, location label) a harmonised place.

    Typed labels (``[Admin 1]``, ``: Governorate``, ``: Point`` ...) give the kind; a plain label
    joins a typed place of the same name in the same country (governorate first, then district,
    then point), else it is a place of level ``location``; a point joins a governorate of the
    same name, else it stays a point (level ``location``).

    Parameters
    ----------
    labels
        Columns ``coa_iso``, ``location`` and ``year`` (any number of rows).

    Returns
    -------
    pandas.DataFrame
        One row per (coa_iso, location): ``place_id``, ``place_name`` (the place's most recent
        label), ``geography_level`` and ``label_kind``.

    Raises
    ------
    SourceFormatError
        An unknown label form, or one place id given two geography levels.
    """
    last = labels.groupby(["coa_iso", "location"], as_index=False)["year"].max()
    parsed = [parse_location(c, loc) for c, loc in zip(last["coa_iso"], last["location"], strict=True)]
    last["label_kind"] = [kind for kind, _, _ in parsed]
    triples = list(zip(last["coa_iso"], last["label_kind"], (slug for _, _, slug in parsed), strict=True))
    typed = set(triples)
    resolved = [(country, resolve_kind(country, kind, slug, typed), slug) for country, kind, slug in triples]
    last["place_id"] = [make_place_id(country, kind, slug) for country, kind, slug in resolved]
    last["geography_level"] = ["location" if kind == "dispersed" else KIND_PLACES[kind][1] for _, kind, _ in resolved]
    check_place_levels(last)
    newest = last.sort_values(["year", "location"]).groupby("place_id")["location"].last()
    last["place_name"] = last["place_id"].map(newest)
    return last[["coa_iso", "location", "place_id", "place_name", "geography_level", "label_kind"]]


def resolve_kind(country: str, kind: str, slug: str, typed: set[tuple[str, str, str]]) -> str:
    """Return the kind of place a label names: plain and point labels join a namesake (see KIND_RESOLUTION)."""
    for candidate in KIND_RESOLUTION.get(kind, ()):
        if (country, candidate, slug) in typed:
            return candidate
    return kind


def make_place_id(country: str, kind: str, slug: str) -> str:
    """Return the place id ``<ISO3>-<slug>[-district|-point]`` (``<ISO3>-dispersed`` for the rest of the country)."""
    if kind == "dispersed":
        return f"{country}-dispersed"
    return f"{country}-{slug}{KIND_PLACES[kind][0]}"


def check_place_levels(places: pd.DataFrame) -> None:
    """Fail when two labels of different kinds were given the same place id.

    Raises
    ------
    SourceFormatError
    """
    levels = places.groupby("place_id")["geography_level"].nunique()
    clashes = levels[levels > 1]
    if not clashes.empty:
        first = clashes.index[0]
        labels = places.loc[places["place_id"] == first, "location"].tolist()
        raise SourceFormatError(f"UNHCR locations {labels} map to one place id {first!r} with different levels")


def locate_cities(places: pd.DataFrame, cities: dict[str, City]) -> dict[str, str]:
    """Map the place ids named by the cities' ``unhcr_location`` codes to city ids.

    A code is matched as a label within the city's country; every label variant merged into
    the same place id then belongs to the city too.

    Parameters
    ----------
    places
        Output of :func:`harmonise_locations`.
    cities
        The cities registry.

    Returns
    -------
    dict
        Place id -> city id.
    """
    found: dict[str, str] = {}
    for city in cities.values():
        codes = set(city.codes.get(LOCATION_CODE_SYSTEM, []))
        mine = places[(places["coa_iso"] == city.country_iso3) & places["location"].isin(codes)]
        found.update(dict.fromkeys(mine["place_id"], city.city_id))
    return found


def settlement_categories(rows: pd.DataFrame) -> pd.Series:
    """Return ``total``, or ``settlement:<acc_type>-<loc_type>`` where raw rows share a tidy key.

    Decided per raw row (all its value columns alike): a row gets a settlement category when
    another raw row has the same place, year, origin and population type.

    Parameters
    ----------
    rows
        Demographics rows with ``place_id``, ``year``, ``coo_iso``, ``pop_type``, ``location``,
        ``acc_type`` and ``loc_type``.

    Returns
    -------
    pandas.Series
    """
    key = ["place_id", "year", "coo_iso", "pop_type"]
    raw_rows = rows[key + ["location", "acc_type", "loc_type"]].drop_duplicates()
    counts = raw_rows.groupby(key).size().rename("raw_rows").reset_index()
    shared = rows[key].merge(counts, on=key, how="left")["raw_rows"].to_numpy() > 1
    codes = "settlement:" + rows["acc_type"] + "-" + rows["loc_type"]
    return codes.where(shared, "total")


def demographics_notes(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return the note and flag of every demographics row: its label when it differs, and caveats.

    Parameters
    ----------
    rows
        Demographics rows with ``location``, ``place_id``, ``place_name``, ``coa_iso``,
        ``geography_level``, ``label_kind``, ``year`` and ``pop_type``.

    Returns
    -------
    tuple of pandas.Series
        Notes (parts joined by ``'; '``) and flags.
    """
    label = rows["location"].where(rows["location"] != rows["place_name"], "")
    parts = [("UNHCR location label '" + label + "'").where(label != "", "")]
    flags = pd.Series("", index=rows.index)
    for note in DEMOGRAPHICS_NOTES:
        hit = note_mask(rows, note)
        parts.append(pd.Series(note.text, index=rows.index).where(hit, ""))
        if note.flag:
            flags = flags.where(~hit | flags.str.contains(note.flag, regex=False), flags + note.flag)
    joined = pd.concat(parts, axis=1).apply(lambda cells: "; ".join(c for c in cells if c), axis=1)
    return joined.astype(str), flags


def note_mask(rows: pd.DataFrame, note: PlaceNote) -> pd.Series:
    """Return which rows a :class:`PlaceNote` applies to."""
    hit = pd.Series(True, index=rows.index)
    if note.place_id is not None:
        hit &= rows["place_id"] == note.place_id
    if note.country_iso3 is not None:
        hit &= rows["coa_iso"] == note.country_iso3
    if note.geography_level is not None:
        hit &= rows["geography_level"] == note.geography_level
    if note.label_kind is not None:
        hit &= rows["label_kind"] == note.label_kind
    if note.first_year is not None:
        hit &= rows["year"] >= note.first_year
    if note.last_year is not None:
        hit &= rows["year"] <= note.last_year
    if note.pop_type is not None:
        hit &= rows["pop_type"] == note.pop_type
    if note.origin is not None:
        hit &= rows["coo_iso"] == note.origin
    return hit

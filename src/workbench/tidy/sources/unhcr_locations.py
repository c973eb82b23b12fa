"""UNHCR refugee statistics: which place a sub-national location label names, across label schemes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City


#: Code system of UNHCR sub-national location labels in ``cities.yaml``.
LOCATION_CODE_SYSTEM = "unhcr_location"


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

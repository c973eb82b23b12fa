"""The reference tables people write: cities, sources, definitions and indicators."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench import paths
from workbench.errors import ConfigError, SchemaError, UnknownCityError
from workbench.reference.plausibility import SourcePlausibility

LANGUAGES = ("en", "fr", "ar")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    """A name in English, French, Arabic and (for cities) the local language."""

    en: str
    fr: str
    ar: str
    local: str | None = None


class City(_Strict):
    """One city of the network."""

    city_id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    names: Names
    local_language: str
    country_iso3: str = Field(pattern=r"^[A-Z]{3}$")
    country_names: Names
    shore: Literal["north", "south"]
    codes: dict[str, list[str]] = Field(default_factory=dict)
    city_geography: str
    geographies: dict[str, str] = Field(default_factory=dict)
    #: The city centre in WGS 84 degrees, where the network map marks the city (None: not marked).
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    #: The NUTS 2 region of ``codes.eurostat_nuts2`` is the city itself (a city-state such as Wien),
    #: not a wider region around it: regional figures then describe the city.
    region_is_city: bool = False
    note: str | None = None


class SourceFile(_Strict):
    """One official file a source is derived from, relative to the raw-data folder."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sheet: str | None = None


class ShortCitation(_Strict):
    """How an exhibit's source line names a source: 'Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722)'.

    Written by people because the full publisher, title and table of an entry are too long for a
    line under a table; :func:`workbench.reference.citations.registry_citation` renders it.
    """

    publisher: str = Field(min_length=1, max_length=40)  #: the publisher's usual short name ('Eurostat', 'UN DESA')
    title: str | None = Field(default=None, min_length=1, max_length=70)  #: the publication or table in a few words
    date: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}-\d{2})?$")  #: a single reference date or year, when the source has one
    table: str | None = Field(default=None, min_length=1, max_length=45)  #: the publisher's table code, as published


#: Words that mark a licence as still to be checked: say so with ``licence_verified: false`` instead.
_UNCHECKED_LICENCE = re.compile(r"verif|to be checked|\?", re.IGNORECASE)


class Source(_Strict):
    """One official table: where it comes from and how to rebuild it."""

    source_id: str = Field(pattern=r"^[a-z0-9_]+$")
    publisher: str
    title: str
    table_id: str
    short: ShortCitation
    url: str
    licence: str
    #: Whether ``licence`` was confirmed from the publisher's own statement (in the file, its
    #: package metadata or its terms page); an annex prints an unconfirmed one as "see the
    #: publisher's terms" and logs a warning.
    licence_verified: bool
    access_date: date
    reference_dates: str
    definition: str
    geography: str
    files: list[SourceFile] = Field(default_factory=list)
    reader: str | None = Field(default=None, pattern=r"^workbench\.tidy\.sources\.[a-z0-9_]+$")
    mirror: str | None = None
    caveats: list[str] = Field(default_factory=list)
    #: Indicator id -> the first period whose values are the publisher's projections or model
    #: estimates, not observations (e.g. World Bank net migration from UN WPP 2024: from 2024).
    projected_from: dict[str, str] = Field(default_factory=dict)
    #: Whether city profiles read the source's rows (:func:`workbench.tidy.catalog.load_city`). False
    #: for a source ingested, validated and documented ahead of the profile sections that will show
    #: it: its table is built and checked like any other, but no profile, brief or comparison sees it.
    in_profiles: bool = True
    #: Whether the source's reader sums the published cells of each sub-city area into headline rows
    #: (flag ``c``; suppressed cells left out and counted in the note) because the publisher gives
    #: cells only: analyses of areas (:mod:`workbench.analysis.areas`) read those rows as the area's
    #: counts. False: areas read only published rows (computed rows could count a cell twice).
    area_sums: bool = False
    #: The source's own limits for the checks of ``workbench ingest`` (docs/update-a-source.md).
    plausibility: SourcePlausibility = Field(default_factory=SourcePlausibility)

    @field_validator("licence")
    @classmethod
    def _licence_is_a_statement(cls, value: str) -> str:
        if _UNCHECKED_LICENCE.search(value):
            raise ValueError("a licence states the terms only; say whether they were confirmed with 'licence_verified: true|false'")
        return value


class Definition(_Strict):
    """Who is counted."""

    label: str
    family: str
    description: str
    #: ISO3 country code -> what the definition counts in that country beyond its description (e.g.
    #: UN DESA's stock of Jordan includes Palestine refugees, many of them Jordanian citizens)
    country_notes: dict[str, str] = Field(default_factory=dict)


class Indicator(_Strict):
    """What is measured, where an expert's figure of it is shown (section 3 or 4.8), and what 100 % of a share is."""

    label: str
    unit: str
    description: str
    shown_in: tuple[Literal["national", "city"], ...]
    denominator: Literal["place_population", "country_group", "place_group"] | None = None


def read_yaml(path: Path) -> object:
    """Parse a UTF-8 YAML file; a missing, non-UTF-8 or malformed file is a ConfigError naming it.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    object
        The parsed content (``None`` for an empty file).

    Raises
    ------
    ConfigError
        Naming the file and, for bad bytes or bad YAML, the line (and column) of the problem.
    """
    path = Path(path)
    data = paths.read_bytes(path, ConfigError, "a YAML file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
    try:
        # the C parser when PyYAML has it: the same safe subset, many times faster
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}{_yaml_place(exc)}: not valid YAML: {_yaml_problem(exc)}") from None


def _yaml_place(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return "" if mark is None else f", line {mark.line + 1}, column {mark.column + 1}"


def _yaml_problem(exc: yaml.YAMLError) -> str:
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = "; ".join(p for p in parts if p)
    return text or str(exc).splitlines()[0]


def describe_validation_error(
    exc: ValidationError, path: Path | str, prefix: str = "", model: type[BaseModel] | None = None
) -> str:
    """Turn a pydantic error into one line naming the file and key, what was found and what is expected.

    Parameters
    ----------
    exc
        The error pydantic raised.
    path
        The file the data came from.
    prefix
        Key path to put before pydantic's location (e.g. ``cities[3]``).
    model
        The model validated; when given, an unknown top-level key is reported with the
        allowed keys.

    Returns
    -------
    str
    """
    errors = exc.errors()
    shown = [_describe_one(e, prefix, model) for e in errors[:_PROBLEMS_SHOWN]]
    listed = [i for i in range(len(shown)) if "; allowed keys: " in shown[i]]  # allowed keys once, at the last
    for i in listed[:-1]:
        shown[i] = shown[i].split("; allowed keys: ")[0]
    more = f"; and {len(errors) - _PROBLEMS_SHOWN} more problem(s)" if len(errors) > _PROBLEMS_SHOWN else ""
    return f"{path}: " + "; ".join(shown) + more


#: Problems of one file named in one message (the rest are counted).
_PROBLEMS_SHOWN = 5


def _describe_one(error: dict, prefix: str, model: type[BaseModel] | None) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    key = ".".join(p for p in (prefix, loc) if p)
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        what = "unknown key"
        if model is not None and len(error["loc"]) == 1:
            what += f"; allowed keys: {', '.join(model.model_fields)}"
    elif kind == "missing":
        what = "missing required key"
    elif kind == "literal_error":
        what = f"found {found!r}; allowed values: {error['ctx']['expected']}"
    elif kind == "value_error":
        what = f"found {found!r}; {error['msg'].removeprefix('Value error, ')}"
    else:
        what = f"found {found!r}; {error['msg'][:1].lower()}{error['msg'][1:]}"
    return f"key '{key}': {what}"


@functools.cache
def load_cities(root: Path | None = None) -> dict[str, City]:
    """Load ``data/registry/cities.yaml``.

    Parameters
    ----------
    root
        Registry folder; defaults to :func:`workbench.paths.registry_dir`.

    Returns
    -------
    dict
        City id → :class:`City`, in file order.

    Raises
    ------
    ConfigError
        If the file is missing, malformed or repeats a city id.
    """
    return read_cities((root or paths.registry_dir()) / "cities.yaml")


def read_cities(path: Path) -> dict[str, City]:
    """Read and check a cities registry file (any name, anywhere); see :func:`load_cities`.

    Raises
    ------
    ConfigError
        If the file is missing, malformed or repeats a city id.
    """
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("cities"), list):
        raise ConfigError(f"{path}: expected a top-level key 'cities' holding a list, found {_kind(raw)}")
    cities: dict[str, City] = {}
    for i, entry in enumerate(raw["cities"]):
        try:
            city = City.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"cities[{i}]", City)) from None
        if city.city_id in cities:
            raise ConfigError(f"{path}: key 'cities[{i}].city_id': city id '{city.city_id}' appears twice")
        cities[city.city_id] = city
    return cities


def _kind(raw: object) -> str:
    """How a parsed YAML value is described in messages."""
    if raw is None or isinstance(raw, dict):
        return "an empty file" if raw is None else f"a mapping with keys {', '.join(map(str, raw)) or '(none)'}"
    return f"a {type(raw).__name__} ({str(raw)[:40]!r})"


def get_city(city_id: str, root: Path | None = None) -> City:
    """Return one city, or raise an error listing the known ids.

    Raises
    ------
    UnknownCityError
        If ``city_id`` is not in the registry.
    """
    cities = load_cities(root)
    if city_id not in cities:
        raise UnknownCityError(
            f"unknown city '{city_id}'; known cities: {', '.join(cities)} "
            "(add one with an entry in data/registry/cities.yaml)"
        )
    return cities[city_id]


def network_name(text: str, lang: str) -> str:
    """A network city or country name in ``lang``.

    ``text`` is the English name; names the registry does not hold (districts, publishers' own
    area names such as 'Ciudad de Madrid') are returned unchanged: they name the published
    geography. :func:`workbench.reference.places.place_name` also removes publishers' marks and
    names other countries.
    """
    found = _network_names().get(text)
    return getattr(found, lang) if found else text


def is_network_place(text: str) -> bool:
    """Whether ``text`` is the English name of a network city or of its country (its translations
    are then the registry's, not the message catalogs')."""
    return text in _network_names()


def _network_names() -> dict[str, Names]:
    names = {}
    for city in load_cities().values():
        names[city.names.en] = city.names
        names[city.country_names.en] = city.country_names
    return names


def codes_of(cities: dict[str, City], system: str) -> dict[str, str]:
    """Map the codes of one code system to city ids, for the given cities.

    Parameters
    ----------
    cities
        City id → :class:`City` (the registry, or a subset a test builds).
    system
        Key under ``codes`` (e.g. ``eurostat_urban_audit``).

    Returns
    -------
    dict
        Code → city id, for every city that declares codes in that system.
    """
    return {code: city.city_id for city in cities.values() for code in city.codes.get(system, [])}


def city_codes(system: str, root: Path | None = None) -> dict[str, str]:
    """Map the codes of one code system (e.g. ``eurostat_urban_audit``) to the registry's city ids."""
    return codes_of(load_cities(root), system)


@functools.cache
def load_sources(root: Path | None = None) -> dict[str, Source]:
    """Load every ``data/registry/sources/*.yaml`` (one source per file, named by its id).

    Returns
    -------
    dict
        Source id → :class:`Source`, sorted by id.

    Raises
    ------
    ConfigError
        If a file is malformed, its name differs from its ``source_id``, or two entries have the
        same short citation (a reader could not tell them apart under a table).
    """
    folder = (root or paths.registry_dir()) / "sources"
    sources: dict[str, Source] = {}
    seen: dict[ShortCitation, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        source = read_source(path)
        if source.short in seen:
            raise ConfigError(
                f"{path}: key 'short': the same short citation as source '{seen[source.short]}'; "
                "add the title or table that tells them apart"
            )
        seen[source.short] = source.source_id
        sources[source.source_id] = source
    return sources


def read_source(path: Path) -> Source:
    """Read and check one source entry, ``data/registry/sources/<source_id>.yaml``.

    Raises
    ------
    ConfigError
        If the file is malformed, has an unknown or missing key, or its name differs from its
        ``source_id``.
    """
    return read_entry(path, Source, "source_id")


def read_entry(path: Path, model: type[BaseModel], id_key: str):
    """Read one registry entry file named after its id (``<id_key>`` value + ``.yaml``) as ``model``.

    Raises
    ------
    ConfigError
        If the file is not a mapping, fails the model's checks (file and key named), or its name
        differs from its id.
    """
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {', '.join(model.model_fields)}, found {_kind(raw)}")
    try:
        entry = model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, model=model)) from None
    if getattr(entry, id_key) != Path(path).stem:
        raise ConfigError(
            f"{path}: key '{id_key}': '{getattr(entry, id_key)}' differs from the file name '{Path(path).stem}'; "
            f"name the file <{id_key}>.yaml"
        )
    return entry


@functools.cache
def load_definitions(root: Path | None = None) -> dict[str, Definition]:
    """Load ``data/registry/definitions.yaml`` (definition id → :class:`Definition`)."""
    return read_mapping((root or paths.registry_dir()) / "definitions.yaml", "definitions", Definition)


@functools.cache
def load_indicators(root: Path | None = None) -> dict[str, Indicator]:
    """Load ``data/registry/indicators.yaml`` (indicator id → :class:`Indicator`)."""
    return read_mapping((root or paths.registry_dir()) / "indicators.yaml", "indicators", Indicator)


def read_mapping(path: Path, key: str, model: type[BaseModel]) -> dict:
    """Read a registry file whose top-level ``key`` (``definitions``, ``indicators``) maps ids to entries of ``model``.

    Raises
    ------
    ConfigError
        Naming the file and the key of the first bad entry.
    """
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get(key), dict):
        raise ConfigError(f"{path}: expected a top-level key '{key}' holding a mapping, found {_kind(raw)}")
    out = {}
    for item_id, entry in raw[key].items():
        if not isinstance(item_id, str) or not re.match(r"^[a-z][a-z0-9_]*$", item_id):
            raise ConfigError(f"{path}: key '{key}.{item_id}': expected an id of lowercase letters, digits and '_'")
        try:
            out[item_id] = model.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"{key}.{item_id}", model)) from None
    return out


def check_references(frame, name: str, root: Path | None = None, lines=None) -> None:
    """Check that a tidy table's ids exist in the registries.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table.
    name
        What to call it in messages.
    root
        Registry folder; defaults to :func:`workbench.paths.registry_dir`.
    lines : sequence of int, optional
        CSV line of each row, in row order; row ``i`` is line ``i + 2`` by default.

    Raises
    ------
    SchemaError
        Naming the first unknown source, indicator, definition or city id, its CSV line and
        where the id must be declared.
    """
    known = {
        "source_id": (set(load_sources(root)), "data/registry/sources/<source_id>.yaml"),
        "indicator_id": (set(load_indicators(root)), "data/registry/indicators.yaml"),
        "definition_id": (set(load_definitions(root)), "data/registry/definitions.yaml"),
        "city_id": (set(load_cities(root)) | {""}, "data/registry/cities.yaml (or empty)"),
    }
    for column, (allowed, where) in known.items():
        bad = (~frame[column].isin(allowed)).to_numpy()
        if bad.any():
            i = int(bad.nonzero()[0][0])
            line = lines[i] if lines is not None else i + 2
            listing = f" ({', '.join(sorted(a for a in allowed if a))})" if len(allowed) <= 12 else ""
            raise SchemaError(
                f"{name}, CSV line {line}, column '{column}': unknown id '{frame[column].iloc[i]}' "
                f"({int(bad.sum())} row(s)); expected an id declared in {where}{listing}"
            )

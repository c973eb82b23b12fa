"""The reference tables people write: cities, sources, definitions and indicators."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench import paths
from workbench.errors import ConfigError, SchemaError, UnknownCityError

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
    note: str | None = None


class SourceFile(_Strict):
    """One official file a source is derived from, relative to the raw-data folder."""

    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sheet: str | None = None


class Source(_Strict):
    """One official table: where it comes from and how to rebuild it."""

    source_id: str = Field(pattern=r"^[a-z0-9_]+$")
    publisher: str
    title: str
    table_id: str
    url: str
    licence: str
    access_date: date
    reference_dates: str
    definition: str
    geography: str
    files: list[SourceFile] = Field(default_factory=list)
    reader: str | None = Field(default=None, pattern=r"^workbench\.sources\.[a-z0-9_]+$")
    mirror: str | None = None
    caveats: list[str] = Field(default_factory=list)


class Definition(_Strict):
    """Who is counted."""

    label: str
    family: str
    description: str


class Indicator(_Strict):
    """What is measured."""

    label: str
    unit: str
    description: str


def read_yaml(path: Path) -> object:
    """Parse a UTF-8 YAML file; a missing, non-UTF-8 or malformed file is a ConfigError naming it."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def describe_validation_error(exc: ValidationError, path: Path | str, prefix: str = "") -> str:
    """Turn a pydantic error into one line naming the file and key.

    Parameters
    ----------
    exc
        The error pydantic raised.
    path
        The file the data came from.
    prefix
        Key path to put before pydantic's location (e.g. ``cities[3]``).

    Returns
    -------
    str
    """
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    key = ".".join(p for p in (prefix, loc) if p)
    kind = first["type"]
    if kind == "extra_forbidden":
        what = "unknown key"
    elif kind == "missing":
        what = "missing required key"
    else:
        what = first["msg"]
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{path}: key '{key}': {what}{more}"


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
    path = (root or paths.registry_dir()) / "cities.yaml"
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("cities"), list):
        raise ConfigError(f"{path}: expected a top-level key 'cities' holding a list")
    cities: dict[str, City] = {}
    for i, entry in enumerate(raw["cities"]):
        try:
            city = City.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"cities[{i}]")) from None
        if city.city_id in cities:
            raise ConfigError(f"{path}: city id '{city.city_id}' appears twice")
        cities[city.city_id] = city
    return cities


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


def place_name(text: str, lang: str) -> str:
    """A network city or country name in ``lang`` (a trailing ``*`` mark kept).

    ``text`` is the English name; names the registry does not hold (districts, publishers' own
    area names such as 'Ciudad de Madrid') are returned unchanged: they name the published
    geography.
    """
    base, mark = (text[:-1], "*") if text.endswith("*") else (text, "")
    names = {}
    for city in load_cities().values():
        names[city.names.en] = city.names
        names[city.country_names.en] = city.country_names
    found = names.get(base)
    return getattr(found, lang) + mark if found else text


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
        If a file is malformed or its name differs from its ``source_id``.
    """
    folder = (root or paths.registry_dir()) / "sources"
    sources: dict[str, Source] = {}
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml(path)
        try:
            source = Source.model_validate(raw)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path)) from None
        if source.source_id != path.stem:
            raise ConfigError(
                f"{path}: source_id '{source.source_id}' differs from the file name '{path.stem}'"
            )
        sources[source.source_id] = source
    return sources


@functools.cache
def load_definitions(root: Path | None = None) -> dict[str, Definition]:
    """Load ``data/registry/definitions.yaml`` (definition id → :class:`Definition`)."""
    return _load_mapping((root or paths.registry_dir()) / "definitions.yaml", "definitions", Definition)


@functools.cache
def load_indicators(root: Path | None = None) -> dict[str, Indicator]:
    """Load ``data/registry/indicators.yaml`` (indicator id → :class:`Indicator`)."""
    return _load_mapping((root or paths.registry_dir()) / "indicators.yaml", "indicators", Indicator)


def _load_mapping(path: Path, key: str, model: type[BaseModel]) -> dict:
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get(key), dict):
        raise ConfigError(f"{path}: expected a top-level key '{key}' holding a mapping")
    out = {}
    for item_id, entry in raw[key].items():
        try:
            out[item_id] = model.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"{key}.{item_id}")) from None
    return out


def check_references(frame, name: str, root: Path | None = None) -> None:
    """Check that a tidy table's ids exist in the registries.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table.
    name
        What to call it in messages.

    Raises
    ------
    SchemaError
        Naming the first unknown source, indicator, definition or city id and its CSV line.
    """
    known = {
        "source_id": set(load_sources(root)),
        "indicator_id": set(load_indicators(root)),
        "definition_id": set(load_definitions(root)),
        "city_id": set(load_cities(root)) | {""},
    }
    for column, allowed in known.items():
        bad = ~frame[column].isin(allowed)
        if bad.any():
            i = frame.index[bad][0]
            raise SchemaError(
                f"{name}, CSV line {int(i) + 2}, column '{column}': unknown id "
                f"'{frame.at[i, column]}' ({int(bad.sum())} row(s)); it must be declared in data/registry"
            )

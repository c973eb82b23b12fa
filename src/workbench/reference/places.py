"""How a published place name is shown to readers: publishers' marks removed, network places and
countries named in the reader's language."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.origins import country_name, load_country_names
from workbench.reference.registry import describe_validation_error, is_network_place, network_name, read_yaml


class Mark(BaseModel):
    """Text a publisher appends to place names, with who does it and why it can go."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mark: str = Field(min_length=1)
    publisher: str
    reason: str


class Qualifier(BaseModel):
    """A geography level a publisher names in parentheses at the end of its place names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    qualifier: str = Field(min_length=1)
    publisher: str
    reason: str


class PlaceName(BaseModel):
    """A place name written in English, with its French and Arabic names and the level it names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    fr: str
    ar: str
    names_level: str | None = None


class PlaceNames(BaseModel):
    """``data/registry/place_names.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    marks: list[Mark]
    qualifiers: list[Qualifier] = Field(default_factory=list)
    names: dict[str, PlaceName] = Field(default_factory=dict)


@functools.cache
def load_place_names(root: Path | None = None) -> PlaceNames:
    """Load and check ``data/registry/place_names.yaml``.

    Raises
    ------
    ConfigError
        If the file is malformed or a mark is empty, blank or declared twice (naming the file and key).
    """
    path = (root or paths.registry_dir()) / "place_names.yaml"
    try:
        declared = PlaceNames.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, model=PlaceNames)) from None
    seen = set()
    for i, entry in enumerate(declared.marks):
        if not entry.mark.strip() or entry.mark in seen:
            raise ConfigError(f"{path}: key 'marks[{i}].mark': {entry.mark!r} is blank or declared twice")
        seen.add(entry.mark)
    return declared


def display_place(name: str) -> str:
    """A published place name without the publishers' marks of ``place_names.yaml``.

    ``'Amman [Admin 1]'`` → ``'Amman'``, ``'Spain*'`` → ``'Spain'``; other names are returned as
    given (``'Madrid (greater city)'`` is Eurostat's name, not a mark).
    """
    if not isinstance(name, str):
        return name
    changed = True
    while changed:
        changed = False
        for entry in load_place_names().marks:
            if name.endswith(entry.mark) and len(name) > len(entry.mark):
                name, changed = name[: -len(entry.mark)], True
    return name


def split_qualifier(name: str) -> tuple[str, str]:
    """A published name and its declared geography qualifier: ``'Madrid (greater city)'`` →
    ``('Madrid', 'greater city')``; ``(name, '')`` when it ends with none."""
    if isinstance(name, str):
        for entry in load_place_names().qualifiers:
            suffix = f" ({entry.qualifier})"
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)], entry.qualifier
    return name, ""


def names_level(name: str, level: str) -> bool:
    """Whether a declared place name already says its geography level (``'Amman Governorate'``, ``governorate``)."""
    declared = load_place_names().names.get(display_place(name)) if isinstance(name, str) else None
    return declared is not None and declared.names_level == level


def place_name(text: str, lang: str) -> str:
    """A place name as a reader of ``lang`` sees it.

    Publishers' marks are removed (:func:`display_place`); a network city or its country takes
    its registry name; a place declared under ``names`` in ``place_names.yaml`` (an expert's
    'Amman Governorate') its declared name; a country under a publisher's name declared in ``data/registry/countries.yaml``
    (``Syrian Arab Rep.``, ``Italia``) its name in ``lang``
    (:func:`workbench.reference.origins.country_name`); any other place (a district, ``Ciudad de
    Madrid``) is shown as published. Other country names are not looked up here: a district may
    share a country's name (Madrid's barrio El Salvador); origins travel as
    :class:`workbench.reference.i18n.Country`.
    """
    if not isinstance(text, str):
        return text
    shown = display_place(text)
    if is_network_place(shown):
        return network_name(shown, lang)
    declared = load_place_names().names.get(shown)
    if declared is not None:
        return getattr(declared, lang)
    code = load_country_names().published.get(shown)
    return country_name(code, lang) if code else shown


def is_place_name(text: str) -> bool:
    """Whether ``text`` names a network place or a country (its translations then come from the
    registry and CLDR, not from the message catalogs)."""
    shown = display_place(text)
    return is_network_place(shown) or shown in load_place_names().names or shown in load_country_names().published

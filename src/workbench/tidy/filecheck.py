"""Check one input file anywhere on disk by its kind (told from its name and content), writing nothing.

The kinds are the project's input files, from the registries and parameters up to tidy tables and
expert figures; checking any of them needs the tidy readers, so this is the lowest layer that can.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from workbench.errors import ConfigError, SchemaError, WorkbenchError
from workbench.reference.boundary_sets import read_boundary_set
from workbench.reference.framework import Item
from workbench.reference.params import check_notebook_parameters, check_params_file
from workbench.reference.registry import (
    Definition,
    Indicator,
    check_references,
    describe_validation_error,
    load_cities,
    load_sources,
    read_cities,
    read_mapping,
    read_source,
    read_yaml,
)
from workbench.tidy.catalog import read_tidy_checked
from workbench.tidy.csvfile import SPREADSHEET_SUFFIXES, read_csv_text
from workbench.tidy.chapters import check_chapter_file, read_chapter_registry
from workbench.tidy.plausibility import check_rules
from workbench.tidy.expert import EXPERT_COLUMNS, read_expert_figures
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy

#: The kinds of file `workbench validate PATH` checks, and how each is recognised.
KINDS: dict[str, str] = {
    "params": "*.yaml with a key city_id (a city's parameters) or city_ids (the comparison's)",
    "registry": "*.yaml with a top-level key cities, definitions, indicators, chapters, origins, "
    "framework or parts (plausibility), or a source entry (key source_id) or boundary set (key boundary_id)",
    "chapter": "*.md named <chapter_id>.md (a chapter written by a local expert)",
    "expert": "*.csv whose header has expert columns (publisher, source_title, definition_as_published ...), "
    "or named <city_id>.csv",
    "tidy": "*.csv or *.csv.gz whose header is the tidy columns (source_id, place_id, ...)",
    "notebook": "*.ipynb template with a cell tagged 'parameters'",
}

_REGISTRY_KEYS = ("cities", "definitions", "indicators", "chapters", "origins", "framework", "source_id", "boundary_id",
                  "parts")
_REGISTRY_NAMES = ("cities", "definitions", "indicators", "chapters", "framework", "plausibility")
_TIDY_ONLY = {"source_id", "city_id"}
_EXPERT_ONLY = set(EXPERT_COLUMNS) - set(TIDY_COLUMNS)


def check_file(path: Path, kind: str, city: str | None = None) -> str:
    """Check one file as a file of the given kind.

    Parameters
    ----------
    path
        The file.
    kind
        A key of :data:`KINDS`.
    city
        The city of an expert figures file; by default its file name (``<city_id>.csv``).

    Returns
    -------
    str
        What the file holds, in a few words (e.g. ``"12 figures"``).

    Raises
    ------
    WorkbenchError
        The error naming the file and the row, column or key that does not check.
    """
    return _CHECKERS[kind](path, city)


def detect_kind(path: Path) -> str | None:
    """Tell a file's kind (a key of :data:`KINDS`) from its name and content, without checking it.

    Returns
    -------
    str or None
        The kind, or None when neither the name nor the content tells it.

    Raises
    ------
    WorkbenchError
        If the content cannot be read and the name does not tell the kind either.
    """
    name = path.name.lower()
    if name.endswith(".md"):
        return "chapter"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".yaml", ".yml")):
        return _yaml_kind(path)
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv", *SPREADSHEET_SUFFIXES)):
        return _csv_kind(path)
    return None


def guess_kind(path: Path) -> str | None:
    """The kind a file's name and folder suggest, when its content cannot tell.

    Returns
    -------
    str or None
        A key of :data:`KINDS`, or None when the name and folder say nothing.
    """
    stem = path.name.split(".")[0]
    suffix = path.name.lower().split(".", 1)[-1] if "." in path.name else ""
    cities = _city_ids()
    if suffix in ("yaml", "yml"):
        if stem in cities or stem == "compare" or path.parent.name == "params":
            return "params"
        if stem in _REGISTRY_NAMES or path.parent.name in ("sources", "origins", "registry", "boundaries"):
            return "registry"
        return None
    if stem in cities or path.parent.name == "figures":
        return "expert"
    if stem in _source_ids() or path.parent.name == "tidy":
        return "tidy"
    return None


def check_origins(path: Path) -> str:
    """Check a file of origin groups (``data/registry/origins/*.yaml``): codes and their en/fr names.

    Returns
    -------
    str
        How many origin groups it declares.

    Raises
    ------
    ConfigError
        Naming the file and the key that does not check.
    """
    raw = read_yaml(path)
    groups = raw.get("origins") if isinstance(raw, dict) else None
    if not isinstance(groups, dict) or set(raw) != {"origins"}:
        raise ConfigError(f"{path}: expected one top-level key 'origins' mapping group codes to names")
    for code, names in groups.items():
        if not isinstance(code, str) or not code.replace("_", "").isalnum() or code.upper() != code:
            raise ConfigError(f"{path}: key 'origins.{code}': expected a code of capital letters, digits and '_'")
        missing = [lang for lang in ("en", "fr") if not (isinstance(names, dict) and str(names.get(lang) or "").strip())]
        if missing:
            raise ConfigError(f"{path}: key 'origins.{code}': missing name(s) in {', '.join(missing)}; expected en and fr")
    return f"{len(groups)} origin groups"


# --- telling the kind ----------------------------------------------------------------------------


def _yaml_kind(path: Path) -> str | None:
    try:
        raw = read_yaml(path)
    except ConfigError:
        guessed = guess_kind(path)
        if guessed is None:
            raise
        return guessed
    if isinstance(raw, dict):
        if "boundary_id" in raw:  # a boundary set names its city too
            return "registry"
        if "city_id" in raw or "city_ids" in raw:
            return "params"
        if any(key in raw for key in _REGISTRY_KEYS):
            return "registry"
    return guess_kind(path)


def _csv_kind(path: Path) -> str | None:
    guessed = guess_kind(path)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return guessed or "expert"
    try:
        header = set(read_csv_text(path).columns)
    except SchemaError:
        if guessed is None:
            raise
        return guessed
    if header & _TIDY_ONLY:
        return "tidy"
    if header & _EXPERT_ONLY:
        return "expert"
    return guessed


# --- checking one kind ---------------------------------------------------------------------------


def _check_params(path: Path, city: str | None) -> str:
    result = check_params_file(path)
    if isinstance(result, dict):
        return f"comparison of {len(result['city_ids'])} cities"
    return f"city {result.city_id}, top_n_origins={result.top_n_origins}, language={result.language}"


def _check_registry(path: Path, city: str | None) -> str:
    raw = read_yaml(path)
    key = next((k for k in _REGISTRY_KEYS if isinstance(raw, dict) and k in raw), None) or path.stem
    if key == "cities":
        return f"{len(read_cities(path))} cities"
    if key == "source_id" or path.parent.name == "sources":
        return f"source {read_source(path).source_id}"
    if key == "boundary_id" or path.parent.name == "boundaries":
        return f"boundary set {read_boundary_set(path).boundary_id}"
    if key == "definitions":
        return f"{len(read_mapping(path, 'definitions', Definition))} definitions"
    if key == "indicators":
        return f"{len(read_mapping(path, 'indicators', Indicator))} indicators"
    if key == "chapters":
        return f"{len(read_chapter_registry(path).ids)} chapters"
    if key == "origins" or path.parent.name == "origins":
        return check_origins(path)
    if key == "framework":
        return _check_framework(path)
    if key == "parts" or path.stem == "plausibility":
        return check_rules(path)
    raise ConfigError(f"{path}: not a registry file; expected a top-level key among {', '.join(_REGISTRY_KEYS)}")


def _check_framework(path: Path) -> str:
    raw = read_yaml(path)
    entries = raw.get("framework") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a top-level key 'framework' holding a list of items")
    ids = []
    for i, entry in enumerate(entries):
        try:
            ids.append(Item.model_validate(entry).id)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"framework[{i}]", Item)) from None
        if ids.count(ids[-1]) > 1:
            raise ConfigError(f"{path}: key 'framework[{i}].id': '{ids[-1]}' appears twice")
    return f"{len(ids)} items"


def _check_chapter(path: Path, city: str | None) -> str:
    return check_chapter_file(path)


def _check_expert(path: Path, city: str | None) -> str:
    frame = read_expert_figures(path, city)
    return f"{len(frame)} figures"


def _check_tidy(path: Path, city: str | None) -> str:
    frame, lines = read_tidy_checked(path)
    validate_tidy(frame, str(path), lines)
    check_references(frame, str(path), lines=lines)
    _check_source_of_file(frame, path, lines)
    _check_city_countries(frame, path, lines)
    return f"{len(frame)} rows"


def _check_notebook(path: Path, city: str | None) -> str:
    if not path.is_file():
        raise ConfigError(f"{path}: notebook template missing")
    params = check_notebook_parameters(path)
    return f"parameters {', '.join(type(params).model_fields)} match workbench.reference.params"


_CHECKERS: dict[str, Callable[[Path, str | None], str]] = {
    "params": _check_params,
    "registry": _check_registry,
    "chapter": _check_chapter,
    "expert": _check_expert,
    "tidy": _check_tidy,
    "notebook": _check_notebook,
}


def _check_source_of_file(frame: pd.DataFrame, path: Path, lines: list[int]) -> None:
    source_id = path.name.split(".")[0]
    if source_id not in _source_ids():
        return
    other = np.flatnonzero((frame["source_id"] != source_id).to_numpy())
    if len(other):
        i = int(other[0])
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'source_id': found '{frame['source_id'].iloc[i]}'; expected "
            f"'{source_id}' as in the file name ({len(other)} row(s) in all)"
        )


def _check_city_countries(frame: pd.DataFrame, path: Path, lines: list[int]) -> None:
    countries = {city_id: city.country_iso3 for city_id, city in load_cities().items()}
    expected = frame["city_id"].map(countries)
    wrong = np.flatnonzero((expected.notna() & (expected != frame["country_iso3"])).to_numpy())
    if len(wrong):
        i = int(wrong[0])
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'country_iso3': found '{frame['country_iso3'].iloc[i]}' for city "
            f"'{frame['city_id'].iloc[i]}'; expected '{expected.iloc[i]}', the city's country ({len(wrong)} row(s) in all)"
        )


def _city_ids() -> list[str]:
    # A broken registry must not hide the file's own error: its kind is then told without city ids.
    try:
        return list(load_cities())
    except WorkbenchError:
        return []


def _source_ids() -> list[str]:
    try:
        return list(load_sources())
    except WorkbenchError:
        return []

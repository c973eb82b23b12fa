"""Typed, validated parameters for the notebooks: unknown keys, wrong types and unknown ids are errors."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.framework import PEER_LEARNING_THEMES
from workbench.reference.registry import LANGUAGES, describe_validation_error, get_city, load_cities, read_yaml

#: Keys a ``params/compare.yaml`` file may hold (the run folders are set by the runner).
COMPARE_FILE_KEYS: tuple[str, ...] = ("city_ids",)

_DRIVE = re.compile(r"^[A-Za-z]:")


class _Params(BaseModel):
    # strict: a quoted number or a 'yes' is a wrong type, not something to guess at
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _known_city(city_id: str) -> str:
    cities = load_cities()
    if city_id not in cities:
        raise ValueError(f"unknown city {city_id!r}; allowed values: {', '.join(cities)} (data/registry/cities.yaml)")
    return city_id


def _relative_folder(value: str, climb: int = 0) -> str:
    """A folder given to a notebook: relative, no way out of its run folder (``climb`` leading '..' at most)."""
    if "\\" in value or "\x00" in value or value.startswith("~") or _DRIVE.match(value):
        raise ValueError("expected a relative folder written with '/' (no '\\', '~' or drive letter)")
    path = PurePosixPath(value)
    if path.is_absolute():
        raise ValueError("an absolute path is not allowed; expected a folder relative to the notebook's run folder")
    parts = path.parts
    ups = next((i for i, part in enumerate(parts) if part != ".."), len(parts))
    if ups > climb or ".." in parts[ups:]:
        allowed = f"at most {climb} leading '..'" if climb else "no '..'"
        raise ValueError(f"the folder may not lead outside the run folder; expected a relative path with {allowed}")
    return value


class CityParams(_Params):
    """Parameters of ``notebooks/city_profile.ipynb`` (keys equal the notebook's parameter names)."""

    city_id: str = Field(description="city to profile: an id from data/registry/cities.yaml")
    top_n_origins: int = Field(10, ge=3, le=30, description="how many countries of origin to list")
    output_dir: str = Field("", description="folder for the tables the comparison reads ('' = do not save)")
    language: Literal[LANGUAGES] = Field(  # type: ignore[valid-type]
        "en", description="language of the local-knowledge chapters shown (en, fr or ar)"
    )

    @field_validator("city_id")
    @classmethod
    def _city(cls, value: str) -> str:
        return _known_city(value)

    @field_validator("output_dir")
    @classmethod
    def _output(cls, value: str) -> str:
        return _relative_folder(value)


class CompareParams(_Params):
    """Parameters of ``notebooks/compare_cities.ipynb``."""

    city_ids: list[str] = Field(min_length=1, description="cities to compare, in display order")
    cities_dir: str = Field(
        min_length=1, description="folder holding one sub-folder of saved tables per city run (relative; "
        "up to two leading '..' to reach the run folder from the comparison's own folder)"
    )
    output_dir: str = Field("", description="folder for the comparison's own tables ('' = do not save)")

    @field_validator("city_ids")
    @classmethod
    def _cities(cls, value: list[str]) -> list[str]:
        for city_id in value:
            _known_city(city_id)
        if len(set(value)) != len(value):
            raise ValueError("a city is listed twice")
        return value

    @field_validator("cities_dir")
    @classmethod
    def _cities_dir(cls, value: str) -> str:
        # the runner reads the city tables from ../../cities (outputs/<run>/compare/<name> -> <run>/cities)
        return _relative_folder(value, climb=2)

    @field_validator("output_dir")
    @classmethod
    def _output(cls, value: str) -> str:
        return _relative_folder(value)


class ThemeParams(CompareParams):
    """Parameters of ``notebooks/compare_theme.ipynb``: the comparison plus the theme shown."""

    theme: Literal[PEER_LEARNING_THEMES] = Field(  # type: ignore[valid-type]
        "social_cohesion", description="peer-learning theme compared (an id from workbench.reference.framework.PEER_LEARNING_THEMES)"
    )


class BriefParams(_Params):
    """Parameters of ``notebooks/city_brief.ipynb``."""

    place_id: str = Field(pattern=r"^[A-Z]{2}[0-9A-Z]{1,8}$",
                          description="an Eurostat Urban Audit code with foreign-born data, e.g. 'DE001C'")
    output_dir: str = Field("", description="folder for brief.html and brief.json ('' = do not save)")

    @field_validator("output_dir")
    @classmethod
    def _output(cls, value: str) -> str:
        return _relative_folder(value)


NOTEBOOK_PARAMS: dict[str, type[_Params]] = {
    "city_brief": BriefParams,
    "city_profile": CityParams,
    "compare_cities": CompareParams,
    "compare_origins": CompareParams,
    "compare_availability": CompareParams,
    "compare_theme": ThemeParams,
}


def validate_params(kind: str, values: dict, origin: str = "parameters"):
    """Validate a parameter mapping for one notebook template.

    Parameters
    ----------
    kind
        Notebook template name (a key of :data:`NOTEBOOK_PARAMS`).
    values
        Parameter name → value.
    origin
        What to name in messages (the params file, or 'notebook parameters').

    Returns
    -------
    CityParams or CompareParams or ThemeParams

    Raises
    ------
    ConfigError
        Naming the origin and key, the value found and what is allowed: unknown key (with the
        allowed keys), missing key, wrong type, value out of range, unknown city, language or
        theme, or a folder that is absolute or leads out of the run folder.
    """
    if kind not in NOTEBOOK_PARAMS:
        raise ConfigError(f"unknown notebook '{kind}'; notebooks with parameters: {', '.join(NOTEBOOK_PARAMS)}")
    if not isinstance(values, dict):
        raise ConfigError(f"{origin}: expected a mapping of parameter names to values, found {type(values).__name__}")
    model = NOTEBOOK_PARAMS[kind]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, origin, model=model)) from None


def load_city_params(city_id: str, folder: Path | None = None) -> CityParams:
    """Read and validate ``params/<city_id>.yaml``.

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    ConfigError
        If the file is missing or invalid.
    """
    get_city(city_id)
    path = (folder or paths.params_dir()) / f"{city_id}.yaml"
    values = read_params_file(path)
    if values.get("city_id", city_id) != city_id:
        raise ConfigError(f"{path}: key 'city_id' is '{values['city_id']}' but the file is for '{city_id}'")
    return validate_params("city_profile", {"city_id": city_id, **values}, str(path))


def load_compare_params(folder: Path | None = None) -> dict:
    """Read ``params/compare.yaml`` (keys of CompareParams other than the run folders).

    Returns
    -------
    dict
        The raw mapping, checked for unknown keys and cities.
    """
    path = (folder or paths.params_dir()) / "compare.yaml"
    return check_compare_values(read_params_file(path), path)


def check_compare_values(values: dict, path: Path | str) -> dict:
    """Check the mapping of a comparison params file (only :data:`COMPARE_FILE_KEYS`).

    Returns
    -------
    dict
        ``{"city_ids": [...]}``; every city of the registry when the key is absent.

    Raises
    ------
    ConfigError
        Unknown key, wrong type, unknown or repeated city, naming the file and key.
    """
    unknown = sorted(set(values) - set(COMPARE_FILE_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: key '{unknown[0]}': unknown key; allowed keys: {', '.join(COMPARE_FILE_KEYS)} "
            "(the runner sets cities_dir and output_dir)"
        )
    cities = values.get("city_ids", list(load_cities()))
    validate_params("compare_cities", {"city_ids": cities, "cities_dir": "."}, str(path))
    return {"city_ids": cities}


def check_params_file(path: Path) -> CityParams | dict:
    """Check a params file anywhere on disk: a city's (key ``city_id``) or the comparison's (``city_ids``).

    A city file whose name is a city id must be about that city.

    Parameters
    ----------
    path
        The YAML file.

    Returns
    -------
    CityParams or dict
        The validated city parameters, or ``{"city_ids": [...]}`` for a comparison file.

    Raises
    ------
    ConfigError
        Naming the file (and line or key): unreadable, not a mapping, neither kind, or invalid.
    """
    path = Path(path)
    values = read_params_file(path)
    if "city_id" in values:
        if path.stem in load_cities() and values["city_id"] != path.stem:
            raise ConfigError(f"{path}: key 'city_id' is {values['city_id']!r} but the file is for '{path.stem}'")
        return validate_params("city_profile", values, str(path))
    if "city_ids" in values or path.stem == "compare":
        return check_compare_values(values, path)
    raise ConfigError(
        f"{path}: neither a city params file (key city_id, e.g. 'city_id: madrid') nor a comparison params "
        f"file (key city_ids); found keys {', '.join(map(str, values))}"
    )


def read_params_file(path: Path) -> dict:
    """Read a params YAML file into a mapping of parameter names to values.

    Raises
    ------
    ConfigError
        Naming the file: missing, not UTF-8 or not YAML (with the line), empty, or not a
        mapping with text keys.
    """
    try:
        values = read_yaml(path)
    except ConfigError as exc:
        if "file not found" in str(exc):
            raise ConfigError(f"{path}: parameters file not found") from None
        raise
    if values is None:
        raise ConfigError(
            f"{path}: file is empty; expected a mapping of parameter names to values, e.g. 'city_id: madrid'"
        )
    if not isinstance(values, dict):
        raise ConfigError(
            f"{path}, line 1: expected a mapping of parameter names to values (key: value lines), "
            f"found a {type(values).__name__}"
        )
    for key in values:
        if not isinstance(key, str):
            raise ConfigError(f"{path}: key {key!r} is not a name; parameter names are text such as top_n_origins")
    return values


def notebook_parameters(path: Path) -> dict:
    """Read the cell tagged ``parameters`` of a notebook template as literal values.

    Parameters
    ----------
    path
        A ``.ipynb`` file.

    Returns
    -------
    dict
        Parameter name → value, in the cell's order.

    Raises
    ------
    ConfigError
        Naming the notebook (and the cell line): not a notebook, no or several parameters
        cells, or a line that is not ``name = literal``.
    """
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a readable notebook ({exc})") from None
    if len(cells) != 1:
        raise ConfigError(f"{path}: {len(cells)} cells tagged 'parameters'; expected exactly one")
    source = cells[0]["source"]
    source = "".join(source) if isinstance(source, list) else source
    try:
        body = ast.parse(source).body
    except SyntaxError as exc:
        raise ConfigError(f"{path}, parameters cell line {exc.lineno}: not valid Python ({exc.msg})") from None
    values = {}
    for node in body:
        line = ast.get_source_segment(source, node) or ""
        try:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
                raise ValueError("not an assignment")
            values[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise ConfigError(
                f"{path}, parameters cell line {node.lineno}: found {line!r}; expected name = literal value"
            ) from None
    return values


def check_notebook_parameters(path: Path):
    """Check that a template's parameters cell matches its typed model, names and default values.

    Parameters
    ----------
    path
        ``notebooks/<name>.ipynb`` where ``<name>`` is a key of :data:`NOTEBOOK_PARAMS`.

    Returns
    -------
    CityParams or CompareParams or ThemeParams
        The defaults of the cell, validated.

    Raises
    ------
    ConfigError
        Unknown template, names that differ from the model's fields, or a default the model rejects.
    """
    path = Path(path)
    if path.stem not in NOTEBOOK_PARAMS:
        raise ConfigError(f"{path}: no parameters model for this notebook; known: {', '.join(NOTEBOOK_PARAMS)}")
    values = notebook_parameters(path)
    fields = list(NOTEBOOK_PARAMS[path.stem].model_fields)
    if list(values) != fields:
        raise ConfigError(
            f"{path}: parameters cell defines {', '.join(values)}; expected {', '.join(fields)} "
            "(the fields of workbench.reference.params, in order)"
        )
    return validate_params(path.stem, values, f"{path} parameters cell")

"""Typed, validated parameters for the notebooks: unknown keys, wrong types and unknown ids are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench import paths
from workbench.errors import ConfigError
from workbench.framework import PEER_LEARNING_THEMES
from workbench.registry import describe_validation_error, get_city, load_cities


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CityParams(_Params):
    """Parameters of ``notebooks/city_profile.ipynb`` (keys equal the notebook's parameter names)."""

    city_id: str = Field(description="city to profile: an id from data/registry/cities.yaml")
    top_n_origins: int = Field(10, ge=3, le=30, description="how many countries of origin to list")
    output_dir: str = Field("", description="folder for the tables the comparison reads ('' = do not save)")
    language: Literal["en", "fr", "ar"] = Field("en", description="language of the local-knowledge chapters shown (en, fr or ar)")

    @field_validator("city_id")
    @classmethod
    def _known_city(cls, value: str) -> str:
        get_city(value)
        return value


class CompareParams(_Params):
    """Parameters of ``notebooks/compare_cities.ipynb``."""

    city_ids: list[str] = Field(min_length=1, description="cities to compare, in display order")
    cities_dir: str = Field(description="folder holding one sub-folder of saved tables per city run")
    output_dir: str = Field("", description="folder for the comparison's own tables ('' = do not save)")

    @field_validator("city_ids")
    @classmethod
    def _known_cities(cls, value: list[str]) -> list[str]:
        for city_id in value:
            get_city(city_id)
        if len(set(value)) != len(value):
            raise ValueError("a city is listed twice")
        return value


class ThemeParams(CompareParams):
    """Parameters of ``notebooks/compare_theme.ipynb``: the comparison plus the theme shown."""

    theme: Literal[PEER_LEARNING_THEMES] = Field(  # type: ignore[valid-type]
        "social_cohesion", description="peer-learning theme compared (an id from workbench.run.PEER_LEARNING_THEMES)"
    )


NOTEBOOK_PARAMS: dict[str, type[_Params]] = {
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
        Notebook template name.
    values
        Parameter name → value.
    origin
        What to name in messages (the params file, or 'notebook parameters').

    Returns
    -------
    CityParams or CompareParams

    Raises
    ------
    ConfigError
        Naming the file and key: unknown key (with the allowed keys), wrong type, unknown city.
    """
    model = NOTEBOOK_PARAMS[kind]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        message = describe_validation_error(exc, origin)
        if any(e["type"] == "extra_forbidden" for e in exc.errors()):
            message += f"; allowed keys: {', '.join(model.model_fields)}"
        raise ConfigError(message) from None


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
    values = _read_params_file(path)
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
    values = _read_params_file(path)
    allowed = {"city_ids"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigError(f"{path}: unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(allowed))}")
    cities = values.get("city_ids", list(load_cities()))
    validate_params("compare_cities", {"city_ids": cities, "cities_dir": "."}, str(path))
    return {"city_ids": cities}


def _read_params_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: parameters file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: expected a mapping of parameter names to values")
    return values

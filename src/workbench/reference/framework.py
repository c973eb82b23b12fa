"""The declared indicator framework of a profile: its themes and items, loaded from framework.yaml."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.registry import describe_validation_error

THEMES: tuple[str, ...] = (
    "demography",
    "flows",
    "social_cohesion",
    "employment_entrepreneurship",
    "access_rights_services",
    "reception_refugees",
    "inter_institutional_coordination",
    "urban_planning_housing",
    "education_language",
)

#: How a theme is named in captions and annexes.
THEME_LABELS: dict[str, str] = {
    "demography": "Demography",
    "flows": "Migration flows",
    "social_cohesion": "Social cohesion",
    "employment_entrepreneurship": "Employment and entrepreneurship",
    "access_rights_services": "Access to rights and services",
    "reception_refugees": "Reception of refugees",
    "inter_institutional_coordination": "Inter-institutional coordination",
    "urban_planning_housing": "Urban planning and housing",
    "education_language": "Education and language",
}

#: The themes of the network's peer-learning meetings (all but demography and flows): one
#: thematic comparison notebook each.
PEER_LEARNING_THEMES: tuple[str, ...] = tuple(t for t in THEMES if t not in ("demography", "flows"))

class Measure(BaseModel):
    """How a framework item is found in the tidy data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator: list[str]
    definitions: list[str]
    breakdown: str | None = None
    #: origin groups that stand for the whole group where the source publishes no total origin
    #: (Eurostat's EU and non-EU citizens or born): each group's row is a figure of the item
    origins: list[str] = Field(default_factory=list)
    level: Literal["city", "country", "district", "any"]


class Item(BaseModel):
    """One indicator of the framework."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    theme: Literal[THEMES]  # type: ignore[valid-type]
    label: str
    unit: str
    sources: list[str]
    frameworks: dict[str, str]
    measure: Measure | None


@functools.cache
def load_framework(root: Path | None = None) -> list[Item]:
    """Load ``data/registry/framework.yaml``.

    Raises
    ------
    ConfigError
        If the file is malformed, an item is invalid or an id repeats (naming the item).
    """
    path = (root or paths.registry_dir()) / "framework.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the framework ({exc})") from None
    items = []
    for i, entry in enumerate(raw.get("framework", []) if isinstance(raw, dict) else []):
        try:
            items.append(Item.model_validate(entry))
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"framework[{i}]")) from None
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: an indicator id appears twice")
    return items

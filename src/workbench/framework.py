"""The declared indicator framework of a profile, and which cities the data cover for each item."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench import paths
from workbench.errors import ConfigError
from workbench.registry import City, describe_validation_error

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

#: Geography levels below the city, counted only by items whose level is 'district'.
_SUB_CITY = ("district", "neighbourhood", "camp", "location")


class Measure(BaseModel):
    """How a framework item is found in the tidy data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator: list[str]
    definitions: list[str]
    breakdown: str | None = None
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


def coverage(tidy: pd.DataFrame, cities: dict[str, City], items: list[Item]) -> pd.DataFrame:
    """Which framework items the tidy data cover for each city, and for which years.

    Parameters
    ----------
    tidy
        All tidy rows (official sources and expert figures).
    cities
        The cities registry.
    items
        The framework.

    Returns
    -------
    pandas.DataFrame
        One row per item (id, theme, label) and one column per city holding the first and last
        year with data (e.g. ``2015-2023``), ``expert input`` for items no public statistic
        covers, or an empty string when the city has no data for the item.
    """
    years = tidy["period"].str[:4]
    sub_city = tidy["geography_level"].isin(_SUB_CITY)
    is_country = tidy["geography_level"] == "country"
    places = {
        c.city_id: (
            ((tidy["city_id"] == c.city_id) & ~is_country).to_numpy(),
            (tidy["country_iso3"] == c.country_iso3).to_numpy(),
        )
        for c in cities.values()
    }
    rows = []
    for item in items:
        row = {"id": item.id, "theme": item.theme, "indicator": item.label}
        base = _item_mask(tidy, item.measure) if item.measure else None
        for city_id, (local, national) in places.items():
            row[city_id] = "expert input" if base is None else _cell(
                years, base, item.measure.level, local, national, sub_city.to_numpy(), is_country.to_numpy()
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _item_mask(tidy: pd.DataFrame, m: Measure):
    mask = tidy["indicator_id"].isin(m.indicator) & tidy["definition_id"].isin(m.definitions) & _breakdown(tidy, m)
    return mask.to_numpy()


def _cell(years: pd.Series, base, level: str, local, national, sub_city, is_country) -> str:
    if level == "city":
        in_city = base & local & ~sub_city
        if not in_city.any():
            # a city published only by district (Stadt Wien) is covered through the sum of its districts
            by_district = _span(years[base & local & sub_city])
            return f"{by_district} (districts)" if by_district else ""
        return _span(years[in_city])
    if level == "district":
        return _span(years[base & local & sub_city])
    if level == "country":
        return _span(years[base & national & is_country])
    return _span(years[base & (local | national)])


def _breakdown(tidy: pd.DataFrame, m: Measure) -> pd.Series:
    if m.breakdown in ("sex", "age", "origin"):
        return tidy[m.breakdown] != "total"
    if m.breakdown:
        return tidy["category"].str.startswith(m.breakdown.split(":", 1)[1] + ":")
    return pd.Series(True, index=tidy.index)


def _span(found: pd.Series) -> str:
    if found.empty:
        return ""
    first, last = found.min(), found.max()
    return first if first == last else f"{first}-{last}"

"""Which tidy tables exist and how to load them: official sources plus expert-entered figures."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import DataError
from workbench.ingest import read_tidy, tidy_path
from workbench.registry import City, get_city, load_sources
from workbench.schemas import TIDY_COLUMNS

log = logging.getLogger(__name__)


def list_tables(folder: Path | None = None) -> dict[str, Path]:
    """Return source id → tidy file for every registered source built by ingestion.

    Sources without a reader (expert figures) are not tables and are left out.

    Raises
    ------
    DataError
        If a registered source has no tidy table.
    """
    return {
        source_id: tidy_path(source_id, folder)
        for source_id, source in load_sources().items()
        if source.reader is not None
    }


@functools.cache
def _load_all(tidy_folder: Path, local_folder: Path) -> pd.DataFrame:
    frames = [read_tidy(path) for path in list_tables(tidy_folder).values()]
    from workbench.expert import load_expert_figures  # expert figures are project data, read live

    frames.append(load_expert_figures(local_folder / "figures"))
    frames = [f for f in frames if len(f)]
    if not frames:
        raise DataError(f"no tidy data found in {tidy_folder}")
    return pd.concat(frames, ignore_index=True)[list(TIDY_COLUMNS)]


def load_tidy(tidy_folder: Path | None = None, local_folder: Path | None = None) -> pd.DataFrame:
    """Load every tidy table and the expert figures as one long frame.

    Parameters
    ----------
    tidy_folder
        Defaults to ``data/tidy``.
    local_folder
        Defaults to ``data/local`` (expert figures are read from its ``figures/`` folder).

    Returns
    -------
    pandas.DataFrame
        A copy: callers may modify it freely.
    """
    tidy_folder = (tidy_folder or paths.tidy_dir()).resolve()
    local_folder = (local_folder or paths.local_dir()).resolve()
    return _load_all(tidy_folder, local_folder).copy()


@dataclass(frozen=True)
class CityData:
    """The tidy rows a city profile needs."""

    city: City
    local: pd.DataFrame  #: rows about the city's own places (city_id matches)
    national: pd.DataFrame  #: rows about the city's country as a whole


def load_city(city_id: str, tidy: pd.DataFrame | None = None) -> CityData:
    """Select the rows of one city and of its country.

    Parameters
    ----------
    city_id
        An id from the cities registry.
    tidy
        Tidy data to select from; :func:`load_tidy` when ``None``.

    Returns
    -------
    CityData

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    """
    city = get_city(city_id)
    tidy = load_tidy() if tidy is None else tidy
    local = tidy[tidy["city_id"] == city_id].reset_index(drop=True)
    # the country under every source's own code (ISO3 first, then e.g. 'ES' in Eurostat files)
    national = tidy[(tidy["geography_level"] == "country") & (tidy["country_iso3"] == city.country_iso3)]
    national = national.sort_values("place_id", key=lambda p: p != city.country_iso3, kind="stable")
    national = national.reset_index(drop=True)
    return CityData(city=city, local=local, national=national)

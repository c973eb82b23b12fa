"""Which tidy tables exist and how to load them (official sources, expert figures)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import DataError, SchemaError
from workbench.reference.registry import City, get_city, load_sources
from workbench.tidy.csvfile import read_csv_text
from workbench.tidy.expert import load_expert_figures
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.tidy.schemas import TIDY_COLUMNS, check_tidy_columns
from workbench.tidy.staleness import find_stale_tables, stale_tables_message

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


#: Tidy data loaded in this process, by folders, with the size and modification time of every file
#: it was read from: a file changed since is read again (see :func:`load_tidy`).
_LOADED: dict[tuple[Path, Path], tuple[tuple, pd.DataFrame]] = {}


def _stamp(tidy_folder: Path, local_folder: Path) -> tuple:
    files = [*list_tables(tidy_folder).values(), *sorted((local_folder / "figures").glob("*.csv"))]
    return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def _load_all(tidy_folder: Path, local_folder: Path) -> pd.DataFrame:
    frames = [read_tidy(path) for path in list_tables(tidy_folder).values()]
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

    Notes
    -----
    The frame is kept for the life of the process and read again when any of its files changed
    size or modification time. ``workbench run`` loads it once in the process its kernels are
    forked from (:mod:`workbench.batch.preload`), so each kernel starts with it in memory and checks it
    against the files before use.
    """
    tidy_folder = (tidy_folder or paths.tidy_dir()).resolve()
    local_folder = (local_folder or paths.local_dir()).resolve()
    key, stamp = (tidy_folder, local_folder), _stamp(tidy_folder, local_folder)
    if key not in _LOADED or _LOADED[key][0] != stamp:
        _LOADED[key] = (stamp, _load_all(tidy_folder, local_folder))
    return _LOADED[key][1].copy()


@dataclass(frozen=True)
class CityData:
    """The tidy rows a city profile needs."""

    city: City
    local: pd.DataFrame  #: rows about the city's own places (city_id matches)
    national: pd.DataFrame  #: rows about the city's country as a whole
    #: rows about the region around the city (``codes: eurostat_nuts2``): never the city's own
    regional: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_city(city_id: str, tidy: pd.DataFrame | None = None, refuse_stale: bool = True) -> CityData:
    """Select the rows of one city and of its country.

    Parameters
    ----------
    city_id
        An id from the cities registry.
    tidy
        Tidy data to select from; :func:`load_tidy` when ``None``.
    refuse_stale
        Refuse tables built before the city was in the registry (see Raises); off only to
        count what there is (``workbench validate`` reports staleness on its own).

    Returns
    -------
    CityData
        Rows of sources whose registry entry says ``in_profiles: false`` are left out.

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    DataError
        If the tidy tables were built before the city was in the registry
        (:func:`workbench.tidy.staleness.find_stale_tables`): ingest the sources it names again.
    """
    city = get_city(city_id)
    tidy = load_tidy() if tidy is None else tidy
    stale = find_stale_tables(city, tidy) if refuse_stale else []
    if stale:  # numbers from rows a reader left out would be wrong, not just missing
        raise DataError(stale_tables_message(city, stale))
    # sources ingested ahead of the profile sections that will show them are not the profiles' yet
    tidy = tidy[~tidy["source_id"].isin(sources_outside_profiles())]
    local = tidy[tidy["city_id"] == city_id].reset_index(drop=True)
    # the country under every source's own code (ISO3 first, then e.g. 'ES' in Eurostat files)
    national = tidy[(tidy["geography_level"] == "country") & (tidy["country_iso3"] == city.country_iso3)]
    national = national.sort_values("place_id", key=lambda p: p != city.country_iso3, kind="stable")
    national = national.reset_index(drop=True)
    # regions carry no city id: the registry's NUTS 2 codes tie them to the city
    nuts2 = city.codes.get("eurostat_nuts2", [])
    regional = tidy[(tidy["geography_level"] == "nuts2") & tidy["place_id"].isin(nuts2)].reset_index(drop=True)
    return CityData(city=city, local=local, national=national, regional=regional)


def sources_outside_profiles() -> list[str]:
    """The registered sources whose rows city profiles do not read (``in_profiles: false`` in their entry)."""
    return [source_id for source_id, source in load_sources().items() if not source.in_profiles]


def read_tidy_checked(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """Read a tidy table for checking: every problem of reading named by CSV line and column.

    Parameters
    ----------
    path
        A ``.csv`` or ``.csv.gz`` tidy table, anywhere on disk.

    Returns
    -------
    (pandas.DataFrame, list of int)
        The table (text columns, ``value`` as float) and the CSV line of each row, ready for
        :func:`workbench.tidy.schemas.validate_tidy`.

    Raises
    ------
    SchemaError
        Any failure of :func:`workbench.tidy.csvfile.read_csv_text`, columns other than the tidy columns in their
        order, or a value that is not a number.
    """
    frame = read_csv_text(path, "observation", TIDY_COLUMNS)
    lines = frame.pop("line").tolist()
    check_tidy_columns(frame.columns, str(path))
    text = frame["value"].str.strip()
    values = pd.to_numeric(text, errors="coerce")
    # an empty value is a withheld cell: validate_tidy checks that its row is flagged s
    bad = (values.isna() & (text != "")) | values.abs().eq(float("inf"))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        more = f" ({int(bad.sum())} rows in all)" if bad.sum() > 1 else ""
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'value': found {frame['value'].iloc[i]!r}; expected a number "
            f"written with digits and '.' for decimals, e.g. 1234 or 12.5{more}"
        )
    frame["value"] = values.astype(float)
    return frame, lines



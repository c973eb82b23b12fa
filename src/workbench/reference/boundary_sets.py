"""The boundary sets people declare (data/registry/boundaries/*.yaml): official areas and the code joining them to values."""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.registry import ShortCitation, SourceFile, read_entry

_UNCHECKED_LICENCE = re.compile(r"verif|to be checked|\?", re.IGNORECASE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Join(_Strict):
    """How an area of the official file finds its value rows in the tidy tables."""

    #: The attribute of the official file that identifies each area (e.g. ``BEZNR``, ``ADM0_A3``).
    property: str = Field(min_length=1)
    #: Official codes replaced before formatting (e.g. Natural Earth's ``PSX`` -> ``PSE``); say why in caveats.
    recode: dict[str, str] = Field(default_factory=dict)
    #: How a code becomes the join code: a Python format string of ``code`` (``AT-9{code:02d}00``).
    place_id: str = Field(default="{code}", pattern=r"\{code(:[^{}]*)?\}")
    #: The tidy column holding the join code: ``place_id`` (areas of a city), ``country_iso3`` (countries).
    column: Literal["place_id", "country_iso3"] = "place_id"
    #: Sources whose rows the areas join (every source when empty).
    sources: list[str] = Field(default_factory=list)

    def code_of(self, value: object) -> str:
        """The join code of one official code: recoded, then formatted.

        Raises
        ------
        ConfigError
            If ``place_id`` cannot format the code (e.g. ``{code:02d}`` for a text code).
        """
        code = self.recode.get(str(value), value)
        try:
            return self.place_id.format(code=code)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"join.place_id {self.place_id!r} cannot format the code {code!r}: {exc}") from None


class BoundarySet(_Strict):
    """One official boundary file: where it comes from, how it is simplified and how it joins values."""

    boundary_id: str = Field(pattern=r"^[a-z0-9_]+$")
    publisher: str
    title: str
    table_id: str
    short: ShortCitation
    url: str
    licence: str
    licence_verified: bool
    #: When the file was taken from the publisher; None when no one recorded it (then say so in ``mirror``).
    access_date: date | None
    reference_dates: str
    geography: str
    #: The official files; the first is the one opened (a shapefile's .shp), the others lie beside it.
    files: list[SourceFile] = Field(min_length=1)
    mirror: str | None = None
    #: The coordinate reference system of the official file (``EPSG:<code>``); checked against the
    #: file's own declaration where it has one.
    crs: str = Field(pattern=r"^EPSG:\d+$")
    #: For a CSV file with WKT geometry: the column holding it.
    geometry_column: str | None = None
    #: Simplification before reprojection (GEOS coverage simplification, so neighbours keep one shared
    #: border), in the units of ``crs``: roughly the square root of the area of the triangles removed.
    simplify_tolerance: float = Field(ge=0)
    #: Decimals of the longitude and latitude written (5 = about 1 m).
    decimals: int = Field(ge=1, le=7)
    #: The official attribute holding each area's name.
    name_property: str
    #: Further official attributes kept, as published.
    keep: list[str] = Field(default_factory=list)
    city_id: str | None = None
    geography_level: str
    join: Join
    caveats: list[str] = Field(default_factory=list)

    @field_validator("licence")
    @classmethod
    def _licence_is_a_statement(cls, value: str) -> str:
        if _UNCHECKED_LICENCE.search(value):
            raise ValueError("a licence states the terms only; say whether they were confirmed with 'licence_verified: true|false'")
        return value


@functools.cache
def load_boundary_sets(root: Path | None = None) -> dict[str, BoundarySet]:
    """Load every ``data/registry/boundaries/*.yaml`` (one boundary set per file, named by its id).

    Returns
    -------
    dict
        Boundary id -> :class:`BoundarySet`, sorted by id (empty when the folder does not exist).

    Raises
    ------
    ConfigError
        If a file is malformed or its name differs from its ``boundary_id``.
    """
    folder = (root or paths.registry_dir()) / "boundaries"
    return {s.boundary_id: s for s in (read_boundary_set(p) for p in sorted(folder.glob("*.yaml")))}


def read_boundary_set(path: Path) -> BoundarySet:
    """Read and check one boundary set entry, ``data/registry/boundaries/<boundary_id>.yaml``.

    Raises
    ------
    ConfigError
        If the file is malformed, has an unknown or missing key, or its name differs from its id.
    """
    return read_entry(path, BoundarySet, "boundary_id")


def get_boundary_set(boundary_id: str) -> BoundarySet:
    """Return one boundary set, or raise an error listing the known ids.

    Raises
    ------
    ConfigError
        If ``boundary_id`` is not declared.
    """
    sets = load_boundary_sets()
    if boundary_id not in sets:
        raise ConfigError(
            f"unknown boundary set '{boundary_id}'; declared: {', '.join(sets) or 'none'} "
            "(add one as data/registry/boundaries/<boundary_id>.yaml)"
        )
    return sets[boundary_id]


def find_boundary_set(city_id: str, geography_level: str, source_id: str | None = None) -> BoundarySet | None:
    """The boundary set that maps one city's areas of one level, joined to one source's rows.

    A city gets a map when an entry names its ``city_id``, the ``geography_level`` of its area
    rows and (when ``join.sources`` is not empty) the source of those rows: no code names a city.

    Returns
    -------
    BoundarySet or None
        The first such entry by id; None when no entry matches.
    """
    for entry in load_boundary_sets().values():
        if entry.city_id == city_id and entry.geography_level == geography_level and (
            source_id is None or not entry.join.sources or source_id in entry.join.sources
        ):
            return entry
    return None

"""Comunidad de Madrid statistical institute: which reader and harmoniser build each of its sources."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from workbench.reference.registry import City
from workbench.tidy.sources._common import single_file, tidy_frame
from workbench.tidy.sources.madrid_cm_flows import harmonise_immigration_flows, read_immigration_flows
from workbench.tidy.sources.madrid_cm_padron import (
    harmonise_foreign_born_age_region,
    harmonise_foreign_born_nationality,
    harmonise_population_birth_region,
    read_foreign_born_age_region,
    read_foreign_born_nationality,
    read_population_birth_region,
)
from workbench.tidy.sources.madrid_cm_series import harmonise_population_series, read_population_series


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one Comunidad de Madrid source.

    Parameters
    ----------
    source_id
        One of the ids in :data:`LAYOUTS`.
    files
        The one official file of the source.
    cities
        The cities registry (municipality codes and names are looked up there).

    Returns
    -------
    pandas.DataFrame
        Tidy rows.

    Raises
    ------
    SourceFormatError
        Unknown source id, wrong number of files, or a file not in the expected layout.
    """
    path = single_file(__name__, source_id, LAYOUTS, files)
    read, harmonise = LAYOUTS[source_id]
    return tidy_frame(harmonise(read(path), cities), source_id)


#: Source id -> (reader, harmoniser).
LAYOUTS: dict[str, tuple[Callable[[Path], pd.DataFrame], Callable[[pd.DataFrame, dict[str, City]], pd.DataFrame]]] = {
    "cm_padron_foreign_born_nationality_2021": (read_foreign_born_nationality, harmonise_foreign_born_nationality),
    "cm_padron_foreign_born_age_region_2021": (read_foreign_born_age_region, harmonise_foreign_born_age_region),
    "cm_padron_population_birth_region_2021": (read_population_birth_region, harmonise_population_birth_region),
    "cm_padron_population_series": (read_population_series, harmonise_population_series),
    "cm_immigration_flows_foreigners": (read_immigration_flows, harmonise_immigration_flows),
}

"""UN DESA International Migrant Stock: which files and reader build each edition (2020, 2024)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.sources._undesa import network_countries, pick_file, read_ims_notes
from workbench.tidy.sources.undesa_ims2020 import harmonise_ims2020_destination, read_ims2020_destination
from workbench.tidy.sources.undesa_ims2024 import (
    harmonise_ims2024,
    read_ims2024_country_pairs,
    read_ims2024_stock,
)


#: The official file(s) of each edition, by name.
_FILE_2020 = "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
_FILE_2024_STOCK = "migrant_stock.xlsx"
_FILE_2024_SEX = "migration_table1_countries_clean.csv"


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for one UN DESA International Migrant Stock source.

    Parameters
    ----------
    source_id
        ``undesa_ims_2020`` or ``undesa_ims_2024``.
    files
        The official files listed in the source's registry entry.
    cities
        The cities registry; the countries of the network cities define the scope.

    Returns
    -------
    pandas.DataFrame
        Tidy rows for the network countries and the world.

    Raises
    ------
    SourceFormatError
        Unknown source id, missing file or unexpected layout.
    """
    countries = network_countries(cities)
    if source_id == "undesa_ims_2020":
        path = pick_file(files, _FILE_2020)
        raw = read_ims2020_destination(path)
        notes = read_ims_notes(path, "Notes")
        return harmonise_ims2020_destination(raw, notes, countries, source_id)
    if source_id == "undesa_ims_2024":
        stock_path = pick_file(files, _FILE_2024_STOCK)
        stock = read_ims2024_stock(stock_path)
        by_sex = read_ims2024_country_pairs(pick_file(files, _FILE_2024_SEX))
        notes = read_ims_notes(stock_path, "Source")
        return harmonise_ims2024(stock, by_sex, notes, countries, source_id)
    raise SourceFormatError(f"workbench.tidy.sources.undesa cannot build source {source_id!r}")

"""The tables a city run saves for the comparisons: their file names and columns, how they are written and read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.analysis.composition import ORIGIN_COLUMNS
from workbench.analysis.framework_values import VALUE_COLUMNS
from workbench.analysis.indicators import headline_of
from workbench.analysis.profile_tables import counts_with_shares
from workbench.analysis.regional_labour import SOURCE_ID as REGIONAL_SOURCE
from workbench.errors import DataError
from workbench.reference.i18n import render
from workbench.reference.labels import SUB_CITY


@dataclass(frozen=True, eq=False)
class SavedTable:
    """One table a city run saves into its folder as ``<stem>.csv``.

    Attributes
    ----------
    stem
        The file name without ``.csv``.
    columns
        The columns the file has, in order (for :data:`AVAILABILITY` the first ones: one column
        per year follows).
    read_options
        Keyword arguments of :func:`pandas.read_csv` that read the file back as it was written
        (which columns stay text, whether empty cells stay empty strings).
    more_columns
        Whether columns after :attr:`columns` are allowed.
    """

    stem: str
    columns: tuple[str, ...]
    read_options: dict[str, Any] = field(default_factory=dict)
    more_columns: bool = False

    @property
    def filename(self) -> str:
        """``<stem>.csv``."""
        return f"{self.stem}.csv"

    def path(self, cities_dir: str | Path, city_id: str) -> Path:
        """Where the run of ``city_id`` saved this table under ``cities_dir``."""
        return Path(cities_dir) / city_id / self.filename


#: The city's migrant headline series with ids (:func:`series_table`).
SERIES = SavedTable(
    "series",
    ("city_id", "place_id", "place_name", "geography_level", "definition_id", "ref_date", "persons", "share", "source_id", "flag", "note"),
    {"dtype": {"ref_date": str, "place_id": str, "flag": str, "note": str}},
)
#: The country's UN DESA migrant share and stock (:func:`national_table`).
NATIONAL = SavedTable(
    "national",
    ("country_iso3", "indicator_id", "definition_id", "source_id", "period", "value", "unit"),
    {"dtype": {"period": str}},
)
#: The drafted synopsis (:func:`workbench.analysis.synopsis.as_table`).
SYNOPSIS = SavedTable("synopsis", ("sentence", "table", "sources"))
#: The city's latest origin breakdown (:func:`workbench.analysis.composition.origin_table`).
ORIGINS = SavedTable(
    "origins", tuple(ORIGIN_COLUMNS), {"dtype": {"ref_date": str, "origin": str}, "keep_default_na": False, "na_values": [""]}
)
#: The latest figure of each framework item (:func:`workbench.analysis.framework_values.latest_values`).
FRAMEWORK_VALUES = SavedTable("framework_values", tuple(VALUE_COLUMNS), {"dtype": str, "keep_default_na": False})
#: Indicator × year availability (:func:`workbench.analysis.availability.city_matrix`): one column per year follows.
AVAILABILITY = SavedTable("availability", ("theme", "indicator"), {"dtype": str, "keep_default_na": False}, more_columns=True)

#: The numbers of the synopsis and the exhibit cells they cite (:func:`claims_table`), for `workbench check`.
CLAIMS = SavedTable(
    "claims", ("sentence", "text", "table", "exhibit", "row", "column", "value", "how", "other_row", "other_column"),
    {"dtype": {"text": str, "table": str, "exhibit": str, "column": str, "how": str, "other_column": str},
     "keep_default_na": False, "na_values": {"value": [""], "row": [""], "other_row": [""]}},
)

#: The unemployment rates by country of birth of the city's NUTS 2 region (:func:`regional_table`).
REGIONAL_LABOUR = SavedTable(
    "regional_labour",
    ("source_id", "place_id", "place_name", "indicator_id", "definition_id", "sex", "origin", "period", "value", "flag"),
    {"dtype": {"period": str, "place_id": str, "flag": str}, "keep_default_na": False, "na_values": {"value": [""]}},
)

#: The folder of a city's run holding its exhibits (tables as CSV and their index).
EXHIBITS_FOLDER = "exhibits"

#: Every table a city run saves, in the order it writes them.
TABLES: tuple[SavedTable, ...] = (SERIES, NATIONAL, SYNOPSIS, ORIGINS, FRAMEWORK_VALUES, AVAILABILITY, CLAIMS, REGIONAL_LABOUR)


def series_table(local: pd.DataFrame) -> pd.DataFrame:
    """The city's migrant headline series with ids, as :data:`SERIES` saves it.

    Parameters
    ----------
    local
        The city's prepared rows (:func:`workbench.analysis.profile_tables.prepare_local`).

    Returns
    -------
    pandas.DataFrame
        Columns ``SERIES.columns``: one row per place (not below the city), definition and date.
    """
    merged = counts_with_shares(local, ("country",) + SUB_CITY)
    merged = merged.rename(columns={"value": "persons", "value_share": "share"})
    return merged[list(SERIES.columns)].sort_values(["definition_id", "place_id", "ref_date"]).reset_index(drop=True)


def regional_table(regional: pd.DataFrame | None) -> pd.DataFrame:
    """The unemployment rates by country of birth of the city's region, as :data:`REGIONAL_LABOUR` saves them.

    Parameters
    ----------
    regional
        The tidy rows of the city's NUTS 2 region (:attr:`workbench.tidy.catalog.CityData.regional`), or ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``REGIONAL_LABOUR.columns`` (no row when there is no region).
    """
    columns = list(REGIONAL_LABOUR.columns)
    if regional is None or regional.empty:
        return pd.DataFrame(columns=columns)
    rows = regional[(regional["source_id"] == REGIONAL_SOURCE) & (regional["indicator_id"] == "unemployment_rate")]
    return rows[columns].sort_values(["place_id", "definition_id", "origin", "sex", "period"]).reset_index(drop=True)


def national_table(national: pd.DataFrame) -> pd.DataFrame:
    """The country's UN DESA migrant share (2020 edition) and stock (2024 edition), as :data:`NATIONAL` saves it.

    Parameters
    ----------
    national
        The country's prepared rows (:func:`workbench.analysis.profile_tables.prepare_national`).

    Returns
    -------
    pandas.DataFrame
        Columns ``NATIONAL.columns``.
    """
    share = headline_of(national, "population_share", "un_migrant_stock")
    stock = headline_of(national, "population", "un_migrant_stock")
    rows = pd.concat([share[share["source_id"] == "undesa_ims_2020"], stock[stock["source_id"] == "undesa_ims_2024"]])
    return rows[list(NATIONAL.columns)].sort_values(["source_id", "period"]).reset_index(drop=True)


def claims_table(sentences: list, tables: dict[str, pd.DataFrame], shown: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """The claims of a drafted synopsis with the exhibit cell each cites, as :data:`CLAIMS` saves it.

    Parameters
    ----------
    sentences : list of workbench.analysis.synopsis.Sentence
        The drafted synopsis.
    tables
        The tables the claims name, by key (those given to :func:`workbench.analysis.synopsis.check`).
    shown
        The notebook's table exhibits as (slug, table) pairs, in order: a claim cites the first
        exhibit showing its table unchanged (same columns and values), by row position.

    Returns
    -------
    pandas.DataFrame
        Columns ``CLAIMS.columns``: one row per claim; ``exhibit`` and ``row`` are empty where the
        cited table is not shown as it is (e.g. formatted first), so no saved cell can be checked.
    """
    slugs = {}
    for key, table in tables.items():
        plain = table.reset_index(drop=True)
        slugs[key] = next((slug for slug, frame in shown
                           if list(frame.columns) == list(plain.columns) and frame.reset_index(drop=True).equals(plain)), "")
    rows = []
    for number, sentence in enumerate(sentences, start=1):
        for claim in sentence.claims:
            index = tables[claim.table].index if claim.table in tables else pd.Index([])
            shown_in = slugs.get(claim.table, "")
            position = index.get_loc(claim.row) if shown_in and claim.row in index else None
            other = index.get_loc(claim.other[0]) if shown_in and claim.other and claim.other[0] in index else None
            rows.append({
                "sentence": number, "text": render(sentence.text, "en"), "table": claim.table,
                "exhibit": shown_in if position is not None else "", "row": position, "column": str(claim.column),
                "value": None if claim.how == "label" else claim.value, "how": claim.how,
                "other_row": other, "other_column": str(claim.other[1]) if claim.other else "",
            })
    return pd.DataFrame(rows, columns=list(CLAIMS.columns)).astype({"row": "Int64", "other_row": "Int64"})


def save(
    folder: str | Path,
    report,
    local: pd.DataFrame,
    national: pd.DataFrame,
    *,
    synopsis: pd.DataFrame,
    origins: pd.DataFrame,
    framework_values: pd.DataFrame,
    availability: pd.DataFrame,
    claims: pd.DataFrame,
    regional: pd.DataFrame | None = None,
) -> list[Path]:
    """Write a city run's exhibits and every table of :data:`TABLES` into ``folder``.

    Parameters
    ----------
    folder
        The run's folder for this city.
    report : workbench.report.exhibits.Report
        The notebook's exhibits (saved under ``exhibits/``).
    local, national
        Prepared rows, from which :data:`SERIES` and :data:`NATIONAL` are computed.
    synopsis, origins, framework_values, availability, claims
        The other tables, each with the columns its :class:`SavedTable` declares.
    regional
        The tidy rows of the city's NUTS 2 region, from which :data:`REGIONAL_LABOUR` is computed
        (none: an empty table).

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    DataError
        If a table lacks a declared column or has one not declared (naming the table and column).
    """
    tables = (
        (SERIES, series_table(local)),
        (NATIONAL, national_table(national)),
        (SYNOPSIS, synopsis),
        (ORIGINS, origins),
        (FRAMEWORK_VALUES, framework_values),
        (AVAILABILITY, availability),
        (CLAIMS, claims),
        (REGIONAL_LABOUR, regional_table(regional)),
    )
    # every table checked before any is written, so a wrong one leaves no half-saved folder
    for saved, table in tables:
        _check_columns(saved, list(table.columns), saved.filename)
    out = Path(folder)
    written = report.save(out / EXHIBITS_FOLDER)
    for saved, table in tables:
        path = out / saved.filename
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def exhibits_folder(cities_dir: str | Path, city_id: str) -> Path:
    """The folder where the run of ``city_id`` under ``cities_dir`` saved its exhibits."""
    return Path(cities_dir) / city_id / EXHIBITS_FOLDER


def read(saved: SavedTable, cities_dir: str | Path, city_id: str) -> pd.DataFrame | None:
    """Read back one table the run of ``city_id`` saved under ``cities_dir``.

    Parameters
    ----------
    saved
        Which table (one of :data:`TABLES`).
    cities_dir
        The run folder holding one folder per city.
    city_id
        The city.

    Returns
    -------
    pandas.DataFrame or None
        The table as written (``saved.read_options``), or ``None`` when the file does not
        exist (the city's run failed or saved nothing).

    Raises
    ------
    DataError
        If the file cannot be parsed or lacks a declared column (naming the file and column).
    """
    path = saved.path(cities_dir, city_id)
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, encoding="utf-8", **saved.read_options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read the saved {saved.stem} table ({exc})") from None
    _check_columns(saved, list(frame.columns), str(path), extra_allowed=True)
    return frame


def _check_columns(saved: SavedTable, columns: list[str], where: str, extra_allowed: bool = False) -> None:
    missing = [c for c in saved.columns if c not in columns]
    if missing:
        raise DataError(
            f"{where}: column {missing[0]!r} is missing; a city run writes this file with "
            f"city_tables.save (columns: {', '.join(saved.columns)})"
        )
    extra = [c for c in columns if c not in saved.columns]
    if extra and not (saved.more_columns or extra_allowed):
        raise DataError(f"{where}: column {extra[0]!r} is not declared for the {saved.stem} table (columns: {', '.join(saved.columns)})")

"""World Bank World Development Indicators: one indicator per datahub folder (data.csv + datapackage.json)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.errors import SourceFormatError
from workbench.reference.registry import City
from workbench.tidy.csvfile import check_row_lengths, read_csv_checked
from workbench.tidy.sources._common import parse_number, require_columns, tidy_frame

#: Code of the world aggregate in the World Bank files.
WORLD_CODE = "WLD"
DATA_COLUMNS = ("Country Name", "Country Code", "Year", "Value")
_YEAR = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class WdiMapping:
    """How one WDI indicator becomes tidy rows."""

    indicator_id: str
    definition_id: str
    unit: str
    ref_day: str  # month-day of ref_date within the year
    note: str = ""


#: WDI indicator code (as in the datahub folder name) -> tidy mapping.
INDICATORS: dict[str, WdiMapping] = {
    "SP.POP.TOTL": WdiMapping("population", "total_population", "persons", "07-01"),
    "SM.POP.TOTL": WdiMapping(
        "population", "un_migrant_stock", "persons", "07-01", "UN DESA IMS 2024 via World Bank"
    ),
    "SM.POP.NETM": WdiMapping(
        "net_migration", "whole_economy", "persons", "12-31", "UN World Population Prospects via World Bank"
    ),
    "SP.URB.TOTL.IN.ZS": WdiMapping(
        "urban_population_share", "total_population", "percent", "07-01", "UN WUP-based, via World Bank"
    ),
    "BX.TRF.PWKR.CD.DT": WdiMapping("remittances_received", "whole_economy", "usd", "12-31", "current US$"),
    "NY.GDP.MKTP.CD": WdiMapping("gdp", "whole_economy", "usd", "12-31", "current US$"),
}


def build(source_id: str, files: list[Path], cities: dict[str, City]) -> pd.DataFrame:
    """Return tidy rows for the World Bank WDI source (all indicator folders listed in ``files``).

    Parameters
    ----------
    source_id
        ``worldbank_wdi``.
    files
        Each folder's ``data.csv`` and ``datapackage.json``.
    cities
        The cities registry; the countries of the network cities define the scope.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SourceFormatError
        Unknown source id, a folder without its two files, or an unexpected layout.
    """
    if source_id != "worldbank_wdi":
        raise SourceFormatError(f"workbench.tidy.sources.worldbank cannot build source {source_id!r}")
    countries = frozenset(city.country_iso3 for city in cities.values())
    frames = [read_wdi_indicator(data, package) for data, package in pair_files(files)]
    return harmonise_wdi(pd.concat(frames, ignore_index=True), countries, source_id)


def pair_files(files: list[Path]) -> list[tuple[Path, Path]]:
    """Group ``files`` into (data.csv, datapackage.json) pairs, one per indicator folder.

    Raises
    ------
    SourceFormatError
        A folder lacking one of the two files, or a file with another name.
    """
    folders: dict[Path, dict[str, Path]] = {}
    for path in map(Path, files):
        if path.name not in ("data.csv", "datapackage.json"):
            raise SourceFormatError(
                f"{path}: expected data.csv or datapackage.json in a WDI indicator folder"
            )
        folders.setdefault(path.parent, {})[path.name] = path
    pairs = []
    for folder, named in sorted(folders.items()):
        if set(named) != {"data.csv", "datapackage.json"}:
            raise SourceFormatError(
                f"{folder}: needs both data.csv and datapackage.json, has {sorted(named)}"
            )
        pairs.append((named["data.csv"], named["datapackage.json"]))
    return pairs


def read_wdi_package(path: Path) -> dict[str, str]:
    """Read the indicator code and title from a datahub ``datapackage.json``.

    The code must agree with the folder name and be one this module maps.

    Returns
    -------
    dict
        ``code`` (upper case, e.g. ``SP.POP.TOTL``), ``title`` and ``licence``.

    Raises
    ------
    SourceFormatError
        Unreadable JSON, missing keys, a code that differs from the folder, an unknown code.
    """
    try:
        package = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceFormatError(f"{path}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFormatError(f"{path}: not a readable UTF-8 JSON file ({exc})") from None
    try:
        code = str(package["worldbank"]["indicator"]).upper()
        title = str(package["title"])
    except (KeyError, TypeError):
        raise SourceFormatError(f"{path}: key 'worldbank.indicator' or 'title' missing") from None
    folder = Path(path).parent.name.upper()
    if code != folder:
        raise SourceFormatError(f"{path}: indicator {code!r} does not match its folder {folder!r}")
    if code not in INDICATORS:
        raise SourceFormatError(
            f"{path}: indicator {code!r} is not one the reader maps ({sorted(INDICATORS)})"
        )
    licences = package.get("licenses") or [{}]
    return {"code": code, "title": title, "licence": str(licences[0].get("name", ""))}


def read_wdi_indicator(data_path: Path, package_path: Path) -> pd.DataFrame:
    """Reshape one WDI indicator file (long CSV ``Country Name, Country Code, Year, Value``).

    Parameters
    ----------
    data_path
        The folder's ``data.csv``.
    package_path
        The folder's ``datapackage.json`` (gives the indicator code, checked against the folder).

    Returns
    -------
    pandas.DataFrame
        Columns ``indicator_code, indicator_title, row, country_name, country_code, year,
        value`` as published; ``value`` NaN for an empty cell.

    Raises
    ------
    SourceFormatError
        Missing column, bad year, non-numeric value, or a package/folder mismatch.
    """
    package = read_wdi_package(package_path)
    frame = read_csv_checked(data_path)
    require_columns(frame, DATA_COLUMNS, data_path)
    check_row_lengths(frame)
    years = frame["Year"].fillna("").str.strip()
    bad = ~years.str.match(_YEAR)
    if bad.any():
        i = int(bad.idxmax())
        raise SourceFormatError(
            f"{data_path}, row {i + 2}, column 'Year': {frame.at[i, 'Year']!r} is not a year"
        )
    values = [parse_number(cell, data_path, i + 2, "Value") for i, cell in enumerate(frame["Value"])]
    return pd.DataFrame(
        {
            "indicator_code": package["code"],
            "indicator_title": package["title"],
            "row": frame.index + 2,
            "country_name": frame["Country Name"],
            "country_code": frame["Country Code"],
            "year": years,
            "value": pd.Series(values, index=frame.index, dtype=float),
        }
    )


def harmonise_wdi(raw: pd.DataFrame, countries: frozenset[str], source_id: str) -> pd.DataFrame:
    """Keep ``countries`` and the world, and map each WDI indicator to tidy ids.

    Parameters
    ----------
    raw
        Output of :func:`read_wdi_indicator` (one or several indicators).
    countries
        ISO3 codes in scope.
    source_id
        Registry id written on every row.

    Returns
    -------
    pandas.DataFrame
        Tidy rows; stocks and shares dated 1 July, annual flows (net migration, remittances,
        GDP) dated 31 December of the year.

    Raises
    ------
    SourceFormatError
        If a country in scope is absent from an indicator file.
    """
    scope = raw[raw["country_code"].isin(countries | {WORLD_CODE})]
    for code, part in scope.groupby("indicator_code"):
        missing = sorted((countries | {WORLD_CODE}) - set(part["country_code"]))
        if missing:
            raise SourceFormatError(f"WDI {code}: no rows for {missing}")
    mapping = scope["indicator_code"].map(INDICATORS)
    world = scope["country_code"] == WORLD_CODE
    rows = pd.DataFrame(
        {
            "place_id": scope["country_code"],
            "place_name": scope["country_name"],
            "geography_level": world.map({True: "world", False: "country"}),
            "country_iso3": scope["country_code"],
            "indicator_id": [m.indicator_id for m in mapping],
            "definition_id": [m.definition_id for m in mapping],
            "period": scope["year"],
            "ref_date": [f"{year}-{m.ref_day}" for year, m in zip(scope["year"], mapping)],
            "value": scope["value"],
            "unit": [m.unit for m in mapping],
            "note": [_note(code, m) for code, m in zip(scope["indicator_code"], mapping)],
        }
    )
    return tidy_frame(rows, source_id)


def _note(code: str, mapping: WdiMapping) -> str:
    return f"WDI {code}; {mapping.note}" if mapping.note else f"WDI {code}"

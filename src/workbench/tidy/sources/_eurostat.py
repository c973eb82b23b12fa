"""What the Eurostat readers share: observation flags, country codes and year cells."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pycountry

from workbench.errors import SourceFormatError

#: Eurostat observation flag letter -> workbench flag letter (schemas.FLAGS).
FLAG_LETTERS: dict[str, str] = {
    "b": "b",
    "d": "d",
    "e": "e",
    "p": "p",
    "r": "r",
    "u": "u",
    "z": "z",
}

#: Eurostat country codes that differ from ISO 3166-1 alpha-2.
EUROSTAT_COUNTRY_ISO3: dict[str, str] = {"EL": "GRC", "UK": "GBR", "XK": "XKX"}

_YEAR = re.compile(r"^\d{4}$")
_DATASET = re.compile(r"^ESTAT:([A-Z0-9_]+)\(")


def country_iso3(code: str) -> str:
    """Return the ISO 3166-1 alpha-3 code of the country a Eurostat place code lies in.

    Raises
    ------
    SourceFormatError
        When the first two letters are no known country.
    """
    prefix = code[:2]
    if prefix in EUROSTAT_COUNTRY_ISO3:
        return EUROSTAT_COUNTRY_ISO3[prefix]
    country = pycountry.countries.get(alpha_2=prefix)
    if country is None:
        raise SourceFormatError(f"{code!r}: {prefix!r} is not a known country code")
    return country.alpha_3


def map_flag(flag: str) -> str:
    """Translate Eurostat flag letters (e.g. ``bde``) into workbench flags.

    Raises
    ------
    SourceFormatError
        On a letter without a workbench equivalent.
    """
    unknown = [letter for letter in flag if letter not in FLAG_LETTERS]
    if unknown:
        raise SourceFormatError(f"unknown Eurostat flag letter(s) {unknown} in {flag!r}")
    return "".join(FLAG_LETTERS[letter] for letter in flag)


def year_cell(text: object, path: Path, line: int, column: str = "TIME_PERIOD") -> str:
    """Return a four-digit year cell, stripped.

    Raises
    ------
    SourceFormatError
        Naming the file, line and column when the cell is not a year.
    """
    value = "" if pd.isna(text) else str(text).strip()
    if not _YEAR.match(value):
        raise SourceFormatError(f"{path}, line {line}, column {column!r}: {text!r} is not a year")
    return value


def dataset_code(structure_id: object, path: Path, line: int, column: str = "STRUCTURE_ID") -> str:
    """Return the dataset code of an SDMX dataflow id: ``ESTAT:URB_CPOP1(1.0)`` -> ``urb_cpop1``.

    Raises
    ------
    SourceFormatError
        Naming the file, line and column when the cell is not an ESTAT dataflow id.
    """
    match = _DATASET.match(str(structure_id))
    if not match:
        raise SourceFormatError(f"{path}, line {line}, column {column!r}: {structure_id!r} is not an ESTAT dataflow id")
    return match.group(1).lower()

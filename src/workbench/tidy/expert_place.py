"""Where a local expert's figure appears in a city's profile, and whether a percentage is a share of what its indicator says.

Each indicator of ``data/registry/indicators.yaml`` declares ``shown_in``: ``national`` (section 3,
*National context*, for a figure about the whole country) and/or ``city`` (section 4.8, for a
figure about the city or an area around it). A percentage of people also declares its
``denominator``, what 100 % is; the words the expert copied into ``definition_as_published``
("of the population", "of foreign residents", "living in the region") must not name another one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from workbench.errors import SchemaError
from workbench.reference.registry import load_indicators

#: The geography level of a figure about the whole country.
NATIONAL_LEVEL = "country"

#: What each denominator is, in words, and the indicator(s) that take it.
DENOMINATOR_WORDS: dict[str, str] = {
    "place_population": "everybody living in the place",
    "country_group": "all people of that group in the whole country (where the group lives)",
    "place_group": "all people of that group in the place (its make-up by origin, sex, age ...)",
}
SUGGESTED: dict[str, str] = {
    "place_population": "population_share",
    "country_group": "share_of_national_group",
    "place_group": "origin_share (by nationality or origin group), female_share (women) or group_share (age band, category)",
}

# words of a publication naming what 100 % is, checked in this order (the first match decides)
_CUES: tuple[tuple[str, re.Pattern], ...] = (
    ("country_group", re.compile(
        r"\b(living|live|lives|residing|reside|resident|located|concentrated) in (the )?(region|governorate|area|city|capital|"
        r"province|prefecture|district|census region|grand)\b|\bliving in\b|\bwho live in\b|\bof the country's\b|"
        r"\b(vivant|résidant|résidents|installés?) (à|dans|en)\b|\bdu pays\b|\bau niveau national\b", re.IGNORECASE)),
    ("place_population", re.compile(
        r"\bof (the )?(total )?(population|residents|inhabitants)\b|\bof (all|the) (usual )?residents\b|"
        r"\bde la population\b|\bdes habitants\b|من (مجموع )?السكان", re.IGNORECASE)),
    ("place_group", re.compile(
        r"\b(of|among) (all |the )?(foreign|foreigners|migrants?|immigrants?|refugees?|non-|asylum|displaced|expatriates?|"
        r"recent arrivals?)\b|\b(des|parmi les) (étrangers|migrants|immigrés|réfugiés|résidents étrangers)\b", re.IGNORECASE)),
)


def profile_place(indicator_id: str, geography_level: str) -> str | None:
    """Where a figure of an indicator about a place of a level appears: ``"national"``, ``"city"`` or ``None`` (nowhere)."""
    place = "national" if geography_level == NATIONAL_LEVEL else "city"
    return place if place in load_indicators()[indicator_id].shown_in else None


def shown(figures: pd.DataFrame, place: str) -> pd.Series:
    """Which of a city's figures (:func:`workbench.tidy.expert.city_figures`) appear at ``place`` (``national``, ``city``)."""
    if figures.empty:
        return pd.Series(False, index=figures.index, dtype=bool)
    return pd.Series([profile_place(i, g) == place for i, g in zip(figures["indicator_id"], figures["geography_level"])],
                     index=figures.index, dtype=bool)


def unshown(figures: pd.DataFrame) -> list[str]:
    """One line per figure that appears in no table of the profile, naming its CSV line, indicator and what to do.

    Parameters
    ----------
    figures
        Output of :func:`workbench.tidy.expert.read_expert_figures`.

    Returns
    -------
    list of str
        Empty when every figure is shown.
    """
    out = []
    indicators = load_indicators()
    for record in figures.to_dict("records"):
        if profile_place(record["indicator_id"], record["geography_level"]) is not None:
            continue
        about = "the whole country" if record["geography_level"] == NATIONAL_LEVEL else "an area of the country"
        where = " and ".join(indicators[record["indicator_id"]].shown_in) or "no section"
        out.append(f"CSV line {record['line']}: indicator {record['indicator_id']!r} about {about} appears in no table "
                   f"(data/registry/indicators.yaml shows it in: {where}); choose another indicator_id, or ask the "
                   "project team to show it")
    return out


def check_denominator(record: dict, path: Path) -> None:
    """Refuse a percentage of people whose words or place name another denominator than its indicator's.

    Raises
    ------
    SchemaError
        Naming the file, CSV line, column and the indicator to use: a share of the country's
        group about the whole country (always 100 %), a share of the total population of the
        total population, or ``definition_as_published`` reading as a share of something else
        (e.g. ``population_share`` for "share of all foreign residents living in the region").
    """
    indicator_id = record["indicator_id"]
    own = load_indicators()[indicator_id].denominator
    if own is None:
        return
    line = record["line"]
    if own == "country_group" and record["geography_level"] == NATIONAL_LEVEL:
        raise SchemaError(
            f"{path}, CSV line {line}, column 'indicator_id': {indicator_id!r} is the share of the country's group living "
            f"in an area, which for the whole country is 100 %; for a share of the country's residents use "
            f"population_share, for a share of the group by origin, sex or age use {SUGGESTED['place_group']}")
    if own == "place_population" and record["definition_id"] == "total_population":
        raise SchemaError(
            f"{path}, CSV line {line}, column 'definition_id': 'total_population' as a % of the total population is "
            f"always 100 %; name who is counted (e.g. foreign_nationality), or for the share of the country's people "
            f"living in the place use {SUGGESTED['country_group']}")
    words = record["definition_as_published"]
    read = next((name for name, pattern in _CUES if pattern.search(words)), None)
    if read is not None and read != own:
        raise SchemaError(
            f"{path}, CSV line {line}, column 'indicator_id': {words!r} reads as a share of {DENOMINATOR_WORDS[read]}, but "
            f"{indicator_id!r} is a share of {DENOMINATOR_WORDS[own]}; use indicator_id {SUGGESTED[read]} "
            "(docs/enter-a-published-figure.md, 'Percentages: a share of what?')")

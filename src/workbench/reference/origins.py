"""Names of countries and groups of origin: ISO3 codes through pycountry, group codes from the registry."""

from __future__ import annotations

import functools
import gettext

import pycountry
import yaml

from workbench import paths

#: Short English names for countries whose ISO name is long or official-sounding.
_SHORT_EN = {
    "SYR": "Syria",
    "PSE": "State of Palestine",
    "IRN": "Iran",
    "RUS": "Russia",
    "VEN": "Venezuela",
    "BOL": "Bolivia",
    "KOR": "Republic of Korea",
    "MDA": "Moldova",
    "TZA": "Tanzania",
    "COD": "DR Congo",
    "GBR": "United Kingdom",
    "USA": "United States",
    "VNM": "Viet Nam",
    "LAO": "Lao PDR",
    "PRK": "DPR Korea",
}


@functools.cache
def load_origin_groups() -> dict[str, dict[str, str]]:
    """Return group code → names, merged from every ``data/registry/origins/*.yaml``."""
    groups: dict[str, dict[str, str]] = {}
    for path in sorted((paths.registry_dir() / "origins").glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            content = yaml.safe_load(handle) or {}
        groups.update(content.get("origins", {}))
    return groups


def origin_name(code: str, language: str = "en") -> str:
    """Return a readable name for an origin code (ISO3 country or declared group).

    Parameters
    ----------
    code
        ISO 3166-1 alpha-3, a group code, or ``total``.
    language
        ``en`` or ``fr`` (other languages fall back to the code's English name).

    Returns
    -------
    str
        The name; the code itself if it is unknown.
    """
    if code == "total":
        return {"fr": "Total"}.get(language, "Total")
    country = pycountry.countries.get(alpha_3=code)
    if country is not None:
        name = _SHORT_EN.get(code) or getattr(country, "common_name", None) or country.name
        if language == "fr":
            return _french().gettext(country.name)
        return name
    group = load_origin_groups().get(code)
    if group:
        return group.get(language) or group.get("en") or code
    return code


@functools.cache
def _french() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"], fallback=True)

"""Names of countries and groups of origin: ISO3 codes through pycountry, names in every annex language
from CLDR (Babel), group codes and publishers' own country names from the registry."""

from __future__ import annotations

import functools
import re

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.registry import Names, describe_validation_error, read_yaml

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

#: Codes the workbench treats as countries although ISO 3166-1 has none (alpha-2 as CLDR knows them).
_NON_ISO = {"XKX": "XK"}


@functools.cache
def load_origin_groups() -> dict[str, dict[str, str]]:
    """Return group code → names, merged from every ``data/registry/origins/*.yaml``."""
    groups: dict[str, dict[str, str]] = {}
    for path in sorted((paths.registry_dir() / "origins").glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            content = yaml.safe_load(handle) or {}
        groups.update(content.get("origins", {}))
    return groups


class CountryNames(BaseModel):
    """``data/registry/countries.yaml``: names to print instead of CLDR's, and publishers' names."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    names: dict[str, Names]
    published: dict[str, str]


@functools.cache
def load_country_names(root=None) -> CountryNames:
    """Load and check ``data/registry/countries.yaml``.

    Raises
    ------
    ConfigError
        If the file is malformed, or a code is not an ISO 3166-1 alpha-3 code (nor a declared
        non-ISO code such as ``XKX``), naming the file and key.
    """
    path = (root or paths.registry_dir()) / "countries.yaml"
    raw = read_yaml(path)
    try:
        declared = CountryNames.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, model=CountryNames)) from None
    for key, code in [*(("names." + c, c) for c in declared.names), *((f"published.{n}", c) for n, c in declared.published.items())]:
        if not is_country(code):
            raise ConfigError(f"{path}: key '{key}': '{code}' is not an ISO 3166-1 alpha-3 country code")
    return declared


def is_country(code: str) -> bool:
    """Whether an origin code names a country (ISO 3166-1 alpha-3, or a declared non-ISO code such as ``XKX``)."""
    return isinstance(code, str) and bool(re.fullmatch(r"[A-Z]{3}", code)) and (
        code in _NON_ISO or pycountry.countries.get(alpha_3=code) is not None)


def country_name(code: str, lang: str = "en") -> str:
    """A country's name in an annex language.

    English is the workbench's short name (``Syria``, ``DR Congo``); French and Arabic are CLDR's
    (``babel.Locale(lang).territories``: ``Syrie``, ``سوريا``), unless
    ``data/registry/countries.yaml`` gives the names (United Nations usage: ``État de Palestine``).
    Charts, tables and sentences all name countries through this function.

    Parameters
    ----------
    code
        ISO 3166-1 alpha-3 code (or ``XKX``).
    lang
        ``en``, ``fr`` or ``ar``.

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        If ``code`` is not a country code or CLDR has no name for it in ``lang``.
    """
    declared = load_country_names().names.get(code)
    if declared is not None:
        return getattr(declared, lang)
    if code in _NON_ISO:
        alpha2 = _NON_ISO[code]
    else:
        country = pycountry.countries.get(alpha_3=code)
        if country is None:
            raise ConfigError(f"'{code}' is not an ISO 3166-1 alpha-3 country code (or one of {', '.join(_NON_ISO)})")
        if lang == "en":
            return _SHORT_EN.get(code) or getattr(country, "common_name", None) or country.name
        alpha2 = country.alpha_2
    if lang == "en":
        return _SHORT_EN.get(code, code)
    name = _territories(lang).get(alpha2)
    if not name:
        raise ConfigError(f"CLDR has no {lang} name for {code}; declare one under 'names' in data/registry/countries.yaml")
    return name


@functools.cache
def _territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale(lang).territories)


def country_code(name: str) -> str | None:
    """The code of a country named in English as the workbench or a publisher writes it, else ``None``.

    Looked up in the publishers' names of ``data/registry/countries.yaml`` (``Syrian Arab Rep.``,
    ``Italia``), the workbench's own English names (:func:`country_name`), then ISO 3166 names and
    official names. A name that is not a country (``Other``, ``Stateless``, a world region, a
    city) gives ``None``.
    """
    if not isinstance(name, str) or not name.strip():
        return None
    return _codes_by_name().get(name.strip())


@functools.cache
def _codes_by_name() -> dict[str, str]:
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("official_name", "name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                codes[value] = country.alpha_3
    codes.update({name: code for code, name in _SHORT_EN.items()})
    declared = load_country_names()
    codes.update({names.en: code for code, names in declared.names.items()})
    codes.update(declared.published)
    return codes


def origin_name(code: str, language: str = "en") -> str:
    """Return a readable name for an origin code (ISO3 country or declared group).

    Parameters
    ----------
    code
        ISO 3166-1 alpha-3, a group code, or ``total``.
    language
        ``en``, ``fr`` or ``ar``: a country by :func:`country_name`; a group by its registry name
        in that language, English when the registry has none (an annex translates it with the
        catalogs).

    Returns
    -------
    str
        The name; the code itself if it is unknown.
    """
    if code == "total":
        return "Total"
    if is_country(code):
        return country_name(code, language)
    group = load_origin_groups().get(code)
    if group:
        return group.get(language) or group.get("en") or code
    return code

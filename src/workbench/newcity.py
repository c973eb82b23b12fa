"""Scaffold a new city of the network: what `workbench new-city` writes, and where.

A new city needs, in reviewed text files: an entry in ``data/registry/cities.yaml`` (names,
country, the codes each source uses for its places), ``params/<id>.yaml``, a place in
``params/compare.yaml``, an expert-figures file ``data/local/figures/<id>.csv`` with a note
explaining its columns, and one draft per chapter and language under
``data/local/chapters/<id>/`` holding the guiding questions as comments (a draft counts as
"to be completed" until the expert writes text). Tidy tables get the city's rows when the
sources that use its codes are ingested again (:func:`sources_to_ingest`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import ConfigError
from workbench.tidy.expert import EXPERT_COLUMNS, OPTIONAL_DEFAULTS, REQUIRED_COLUMNS
from workbench.reference.registry import City, LANGUAGES, load_cities, load_sources, read_cities
from workbench.tidy.staleness import STALE_WITHOUT_CODE

#: Code systems a new city may declare, and the reader module that looks codes of that system up.
#: Other systems exist in the registry (Madrid's, Lisbon's, ...) but belong to readers written for
#: one city's own statistics office; a new city's codes there need a change of that reader.
CODE_SYSTEMS: dict[str, str] = {
    "eurostat_urban_audit": "workbench.tidy.sources.eurostat",
    "qol_city": "workbench.tidy.sources.eu_qol",
    "unhcr_location": "workbench.tidy.sources.unhcr",
    "istat_territory": "workbench.tidy.sources.istat",
    "eurostat_nuts2": "workbench.tidy.sources.eurostat_migrant",
}

_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
#: The Eurostat city tables: their rows carry a city id when the city declares the row's Urban Audit code.
EUROSTAT_SOURCES = STALE_WITHOUT_CODE["eurostat_urban_audit"]


@dataclass(frozen=True)
class Scaffold:
    """What :func:`write_city` wrote for a new city."""

    city: City
    written: list[Path] = field(default_factory=list)  #: files created or changed, in order
    to_ingest: list[str] = field(default_factory=list)  #: sources to ingest again for the city's rows


def plan_city(
    city_id: str,
    names: dict[str, str | None],
    country_iso3: str,
    codes: dict[str, list[str]],
    *,
    country_names: dict[str, str | None] | None = None,
    local_language: str | None = None,
    shore: str | None = None,
    city_geography: str | None = None,
    note: str | None = None,
    tidy: pd.DataFrame | None = None,
) -> City:
    """Check the facts given for a new city and complete them from the registries and tidy data.

    Parameters
    ----------
    city_id
        Lower-case id (letters, digits, ``_``), not yet in the registry.
    names
        ``en`` and ``ar`` are required; ``fr`` and ``local`` default to ``en``.
    country_iso3
        ISO 3166 alpha-3 code of the city's country.
    codes
        Code system (a key of :data:`CODE_SYSTEMS`) → the codes of the city's places there.
    country_names, local_language, shore
        Taken from a city of the same country when the registry has one; else required.
    city_geography
        The area the city's figures describe; by default the level the Eurostat tables give
        the first Eurostat code (``city``, ``greater_city``), else ``country``.
    note
        Why the chosen areas stand for the city, shown in docs and checks.
    tidy
        Tidy rows to look Eurostat codes up in; the Eurostat tables of ``data/tidy`` by default.

    Returns
    -------
    City
        The registry entry, checked like the registry file.

    Raises
    ------
    ConfigError
        Naming the option at fault: an id taken or malformed, a missing name, an unknown code
        system, a Eurostat code absent from the tables or of another country.
    """
    cities = load_cities()
    if not _ID.match(city_id):
        raise ConfigError(f"city id '{city_id}': use 2-31 lower-case letters, digits or '_', starting with a letter "
                          "(e.g. barcelona, marseille)")
    if city_id in cities:
        raise ConfigError(f"city id '{city_id}' is already in data/registry/cities.yaml; choose another id")
    if not _ISO3.match(country_iso3 or ""):
        raise ConfigError(f"--country '{country_iso3}': expected an ISO 3166 alpha-3 code such as ESP, FRA, EGY")
    for lang in ("en", "ar"):
        if not (names.get(lang) or "").strip():
            raise ConfigError(f"--name-{lang} is required: the annexes in {'English' if lang == 'en' else 'Arabic'} "
                              "name the city")
    full_names = {"en": names["en"].strip(), "fr": (names.get("fr") or names["en"]).strip(),
                  "ar": names["ar"].strip(), "local": (names.get("local") or names["en"]).strip()}
    unknown = sorted(set(codes) - set(CODE_SYSTEMS))
    if unknown:
        raise ConfigError(f"code system(s) {', '.join(unknown)} not supported for a new city; choose from "
                          f"{', '.join(CODE_SYSTEMS)} (others need a change of the reader that uses them)")
    codes = {system: list(dict.fromkeys(c.strip() for c in values if c.strip())) for system, values in codes.items()}
    codes = {system: values for system, values in codes.items() if values}
    sibling = next((c for c in cities.values() if c.country_iso3 == country_iso3), None)
    country = _country_names(country_names or {}, sibling, country_iso3)
    local_language = local_language or (sibling.local_language if sibling else None)
    if not local_language:
        raise ConfigError(f"--local-language is required: no city of {country_iso3} is in the registry yet "
                          "(an ISO 639-1 code such as ar, es, fr)")
    shore = shore or (sibling.shore if sibling else None)
    if shore not in ("north", "south"):
        raise ConfigError(f"--shore is required (north or south): no city of {country_iso3} is in the registry yet")
    places = _eurostat_places(codes.get("eurostat_urban_audit", []), country_iso3, tidy)
    for code, published, _, _ in places:
        if not any(folded(n) in folded(published) for n in {full_names["en"], full_names["fr"], full_names["local"]}):
            raise ConfigError(f"--eurostat {code} is '{published}' in the Eurostat tables, not {full_names['en']}: "
                              "check the code (or give the name Eurostat uses as --name-local)")
    if city_geography is None:
        city_geography = places[0][2] if places else "country"
    geographies = {}
    for source_id in EUROSTAT_SOURCES:
        described = [f"{name} ({code})" for code, name, _, sources in places if source_id in sources]
        if described:
            geographies[source_id] = "; ".join(described)
    for code in codes.get("qol_city", []):
        geographies["ec_qol_cities_2023"] = f"{full_names['en']} (survey city {code})"
    if not places and "qol_city" not in codes:
        geographies["undesa_ims_2024"] = f"{country['en']} (country)"
    entry = {"city_id": city_id, "names": full_names, "local_language": local_language,
             "country_iso3": country_iso3, "country_names": country, "shore": shore, "codes": codes,
             "city_geography": city_geography, "geographies": geographies}
    if note:
        entry["note"] = note.strip()
    return City.model_validate(entry)


#: Readers that keep every origin (or any row) only for the countries of the registry's cities.
COUNTRY_READERS: tuple[str, ...] = ("workbench.tidy.sources.unhcr", "workbench.tidy.sources.undesa", "workbench.tidy.sources.worldbank")


def sources_to_ingest(city: City, new_country: bool = False) -> list[str]:
    """The sources to ingest again for the city's rows: those whose readers look up its codes,
    and, for a country no other city of the registry is in, those scoped by country."""
    modules = {CODE_SYSTEMS[system] for system in city.codes if system in CODE_SYSTEMS}
    if new_country:
        modules |= set(COUNTRY_READERS)
    return [s for s, source in load_sources().items() if source.reader in modules]


def write_city(city: City) -> Scaffold:
    """Write everything a new city needs into the project (see the module docstring).

    The registry entry goes in alphabetical order of ids, as text so that the file's comments
    stay; the registry is read back before anything else is written, and restored when that
    fails. Files that already exist (e.g. chapters an expert wrote before the entry) are kept.

    Returns
    -------
    Scaffold
        The entry, the files written, and the sources to ingest again.

    Raises
    ------
    ConfigError
        The entry made the registry unreadable (it is then restored), or an id is taken.
    """
    registry = paths.registry_dir() / "cities.yaml"
    new_country = city.country_iso3 not in {c.country_iso3 for c in load_cities().values()}
    before = registry.read_text(encoding="utf-8")
    after = insert_entry(before, city)
    registry.write_text(after, encoding="utf-8")
    try:
        read_cities(registry)
    except ConfigError:
        registry.write_text(before, encoding="utf-8")
        raise
    load_cities.cache_clear()
    written = [registry]
    written += _write_if_absent(paths.params_dir() / f"{city.city_id}.yaml", params_text(city))
    written += _add_to_compare(city.city_id)
    figures = paths.local_dir() / "figures"
    written += _write_if_absent(figures / f"{city.city_id}.csv", ",".join(EXPERT_COLUMNS) + "\n")
    written += _write_if_absent(figures / f"{city.city_id}-columns.md", figures_guide(city))
    written += write_chapter_drafts(city)[0]
    return Scaffold(city=city, written=written, to_ingest=sources_to_ingest(city, new_country))


def insert_entry(registry_text: str, city: City) -> str:
    """Insert the city's entry into the text of ``cities.yaml``, before the first id that sorts after it."""
    block = entry_text(city)
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"(?m)^  - city_id: *([a-z0-9_]+) *$", registry_text)]
    for start, other in starts:
        if other > city.city_id:
            return registry_text[:start] + block + registry_text[start:]
    return registry_text.rstrip("\n") + "\n" + block


def entry_text(city: City) -> str:
    """The city's registry entry as YAML text in the layout of ``cities.yaml``."""
    def names(n) -> str:
        parts = [f"{lang}: {_quote(getattr(n, lang))}" for lang in ("en", "fr", "ar", "local") if getattr(n, lang)]
        return "{" + ", ".join(parts) + "}"

    lines = [f"  - city_id: {city.city_id}",
             f"    names: {names(city.names)}",
             f"    local_language: {city.local_language}",
             f"    country_iso3: {city.country_iso3}",
             f"    country_names: {names(city.country_names)}",
             f"    shore: {city.shore}"]
    if city.codes:
        lines.append("    codes:")
        lines += [f"      {system}: [{', '.join(_quote(c) for c in values)}]" for system, values in city.codes.items()]
    lines.append(f"    city_geography: {city.city_geography}")
    if city.geographies:
        lines.append("    geographies:  # source id -> the area that source describes for this city")
        lines += [f"      {source}: {_quote(area)}" for source, area in city.geographies.items()]
    if city.note:
        lines.append(f"    note: {_quote(city.note)}")
    return "\n".join(lines) + "\n"


def params_text(city: City) -> str:
    """``params/<id>.yaml`` of a new city (the template's defaults, written out)."""
    return ("# Parameters of notebooks/city_profile.ipynb for this city (keys = notebook parameter names).\n"
            f"city_id: {city.city_id}\n"
            "top_n_origins: 10\n")


def write_chapter_drafts(city: City | str) -> tuple[list[Path], list[Path]]:
    """Write a draft of each chapter in each language for a city, keeping every file that exists.

    What ``workbench new-city`` writes for a new city, and ``workbench chapters --city ID`` for one
    already in the network (see :func:`chapter_drafts`).

    Parameters
    ----------
    city
        A city of the registry, or its id.

    Returns
    -------
    tuple of (list of Path, list of Path)
        The drafts written, and the chapter files kept as they were (never overwritten).

    Raises
    ------
    UnknownCityError
        If the id is not in the registry.
    """
    from workbench.reference.registry import get_city

    city = get_city(city) if isinstance(city, str) else city
    written: list[Path] = []
    kept: list[Path] = []
    for lang in LANGUAGES:
        for chapter_id, text in chapter_drafts(city, lang).items():
            path = paths.local_dir() / "chapters" / city.city_id / lang / f"{chapter_id}.md"
            if path.exists() or path.is_symlink():
                kept.append(path)
            else:
                written += _write_if_absent(path, text)
    return written, kept


def chapter_drafts(city: City, lang: str) -> dict[str, str]:
    """One draft per chapter: its title line, then the guiding questions inside an HTML comment.

    Comments are never shown in a profile, so a draft stays "to be completed" until the expert
    writes text below them.
    """
    from workbench.tidy.chapters import load_chapter_registry

    registry = load_chapter_registry()
    hint = {
        "en": ("Answer the questions that matter for {city} in prose, below this comment, and delete it "
               "when done (or keep it: comments are never shown). Cite every source; end with a "
               "'## Sources' list. See docs/write-your-chapters.md."),
        "fr": ("Répondez en prose, sous ce commentaire, aux questions qui comptent pour {city}, puis "
               "supprimez-le (ou gardez-le : les commentaires ne sont jamais affichés). Citez chaque source ; "
               "terminez par une liste '## Sources'. Voir docs/write-your-chapters.md."),
        "ar": ("أجِب نثرًا، تحت هذا التعليق، عن الأسئلة المهمّة لمدينة {city}، ثم احذفه (أو أبقِه: التعليقات لا "
               "تُعرَض أبدًا). اذكر كل مصدر، واختم بقائمة '## Sources'. انظر docs/write-your-chapters.md."),
    }[lang]
    drafts = {}
    for chapter in registry.chapters:
        questions = "\n".join(f"- {q}" for q in getattr(chapter.questions, lang))
        name = getattr(city.names, lang)
        drafts[chapter.id] = (f"# {getattr(chapter.title, lang)}\n\n<!--\n{hint.format(city=name)}\n\n"
                              f"{getattr(registry.questions_label, lang)}\n{questions}\n-->\n")
    return drafts


def figures_guide(city: City) -> str:
    """The note beside a new city's expert-figures file: what each column takes, for this city."""
    from workbench.reference.registry import load_definitions, load_indicators

    place_hint = ", ".join(f"`{c}`" for c in city.codes.get("eurostat_urban_audit", [])) or "(none yet)"
    what = {
        "place_id": f"code of the place: `{city.country_iso3}` for the country, the Eurostat code {place_hint} "
                    f"for the city, else `{city.country_iso3}-<short name>` (e.g. `{city.country_iso3}-{city.city_id}`)",
        "place_name": "the place as the publication names it",
        "geography_level": "country, region, province, governorate, greater_city, city, municipality, district ...",
        "country_iso3": f"`{city.country_iso3}` (every place of this file lies in {city.country_names.en})",
        "indicator_id": "what is counted: " + ", ".join(f"`{i}`" for i in list(load_indicators())[:12]) + " ... "
                        "(data/registry/indicators.yaml)",
        "definition_id": "who is counted: " + ", ".join(f"`{d}`" for d in load_definitions()) + " (data/registry/definitions.yaml)",
        "definition_as_published": "the publication's own words for who is counted; for a percentage, also of what "
                                   "(\"of the population\", \"of foreign residents\", \"living in the region\")",
        "sex": "`total`, `female` or `male`", "age": "`total` or a band such as `Y15-64`, `Y65-MAX`",
        "origin_type": "`citizenship`, `birth_country`, ... when the figure is about one origin",
        "origin": "ISO3 country code or a group id of data/registry/origins/", "category": "`total` or `<dimension>:<code>`",
        "period": "the year the figure is about, when not the year of ref_date", "ref_date": "YYYY-MM-DD, YYYY-MM or YYYY",
        "value": "the number as published (a dot for decimals, no thousands separator)",
        "unit": "`persons`, `percent`, ...", "flag": "`e` estimated, `p` provisional, `b` break in series, empty otherwise",
        "publisher": "who published the figure", "source_title": "title of the publication",
        "source_url": "address of the publication", "reported_via": "where you read it, when not the publication itself",
        "note": "anything a reader needs (rounding, exact wording)",
    }
    rows = []
    for column in EXPERT_COLUMNS:
        need = "required" if column in REQUIRED_COLUMNS else f"optional (empty means `{OPTIONAL_DEFAULTS.get(column, '')}`)"
        rows.append(f"| `{column}` | {need} | {what.get(column, '')} |")
    return (f"# Published figures for {city.names.en}: `{city.city_id}.csv`\n\n"
            f"One line per figure as published, with its citation, below the header line of `{city.city_id}.csv`. "
            "Save as CSV UTF-8 (comma-delimited). The file may stay with its header only until you enter a figure. "
            "The full guide, with examples: docs/enter-a-published-figure.md. Check the file with "
            f"`workbench validate data/local/figures/{city.city_id}.csv`.\n\n"
            "| column | | what to write |\n|---|---|---|\n" + "\n".join(rows) + "\n")


def _country_names(given: dict[str, str | None], sibling: City | None, iso3: str) -> dict[str, str]:
    if sibling is not None and not any(given.values()):
        return sibling.country_names.model_dump(exclude_none=True)
    missing = [lang for lang in ("en", "fr", "ar") if not (given.get(lang) or "").strip()]
    if missing:
        raise ConfigError(f"no city of {iso3} is in the registry yet: give the country's names with "
                          + ", ".join(f"--country-{lang}" for lang in missing))
    return {lang: given[lang].strip() for lang in ("en", "fr", "ar")}


def _eurostat_places(codes: list[str], iso3: str, tidy: pd.DataFrame | None) -> list[tuple[str, str, str, set]]:
    # (code, name as published, geography level, sources with rows) for each Eurostat code
    if not codes:
        return []
    if tidy is None:
        from workbench.tidy.catalog import list_tables, read_tidy_checked

        tables = list_tables()
        tidy = pd.concat([read_tidy_checked(tables[s])[0] for s in EUROSTAT_SOURCES if s in tables], ignore_index=True)
    places = []
    for code in codes:
        rows = tidy[(tidy["place_id"] == code) & tidy["source_id"].isin(EUROSTAT_SOURCES)]
        if rows.empty:
            raise ConfigError(f"--eurostat {code}: no row of {', '.join(EUROSTAT_SOURCES)} has this Urban Audit "
                              "code; codes look like ES002C (see `workbench run --briefs` or the Eurostat tables)")
        if set(rows["country_iso3"]) != {iso3}:
            raise ConfigError(f"--eurostat {code}: a place of {', '.join(sorted(set(rows['country_iso3'])))}, "
                              f"not of --country {iso3}")
        first = rows.iloc[0]
        places.append((code, re.sub(r"\s*\(greater city\)$", " greater city", first["place_name"]),
                       first["geography_level"], set(rows["source_id"])))
    return places


def folded(text: str) -> str:
    """Lower case without accents, to compare names: 'Málaga' is found in 'Malaga (greater city)'."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _write_if_absent(path: Path, text: str) -> list[Path]:
    if path.exists():
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return [path]


def _add_to_compare(city_id: str) -> list[Path]:
    path = paths.params_dir() / "compare.yaml"
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(?m)^city_ids: *\[([^\]]*)\] *$", text)
    if not match:
        raise ConfigError(f"{path}: expected a line 'city_ids: [a, b, ...]'; add {city_id} to it by hand")
    ids = [i.strip() for i in match.group(1).split(",") if i.strip()]
    if city_id in ids:
        return []
    # alphabetical lists stay alphabetical; a list in another display order gets the city at its end
    ids = sorted([*ids, city_id]) if ids == sorted(ids) else [*ids, city_id]
    path.write_text(text[:match.start()] + f"city_ids: [{', '.join(ids)}]" + text[match.end():], encoding="utf-8")
    return [path]


def _quote(text: str) -> str:
    # a YAML double-quoted scalar (JSON string syntax is valid YAML)
    return json.dumps(text, ensure_ascii=False)

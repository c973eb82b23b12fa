"""Check everything a run depends on, or any given files: registries, tables, figures, parameters, chapters."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from workbench import paths
from workbench.tidy.catalog import list_tables, read_tidy_checked
from workbench.tidy.csvfile import SPREADSHEET_SUFFIXES, read_csv_text
from workbench.errors import ConfigError, SchemaError, WorkbenchError
from workbench.tidy.expert import EXPERT_COLUMNS, load_expert_figures, read_expert_figures
from workbench.reference.params import (
    NOTEBOOK_PARAMS,
    check_notebook_parameters,
    check_params_file,
    load_city_params,
    load_compare_params,
)
from workbench.reference.registry import (
    Definition,
    Indicator,
    check_references,
    describe_validation_error,
    load_cities,
    load_definitions,
    load_indicators,
    load_sources,
    read_cities,
    read_mapping,
    read_source,
    read_yaml,
)
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy

#: The kinds of file `workbench validate PATH` checks, and how each is recognised.
KINDS: dict[str, str] = {
    "params": "*.yaml with a key city_id (a city's parameters) or city_ids (the comparison's)",
    "registry": "*.yaml with a top-level key cities, definitions, indicators, chapters, origins or "
    "framework, or a source entry (key source_id)",
    "chapter": "*.md named <chapter_id>.md (a chapter written by a local expert)",
    "expert": "*.csv whose header has expert columns (publisher, source_title, definition_as_published ...), "
    "or named <city_id>.csv",
    "tidy": "*.csv or *.csv.gz whose header is the tidy columns (source_id, place_id, ...)",
    "notebook": "*.ipynb template with a cell tagged 'parameters'",
}

#: Exit code of `workbench validate` when a file of a kind fails: 3 for data, 2 for the rest.
EXIT_CODES: dict[str, int] = {
    "params": 2,
    "registry": 2,
    "chapter": 2,
    "notebook": 2,
    "file": 2,  # a file whose kind cannot be told, or a path that is not a file
    "expert": 3,
    "tidy": 3,
    "data": 3,  # a CSV or spreadsheet unreadable before its kind can be told
}

_LABELS = {
    "params": "params file",
    "registry": "registry file",
    "chapter": "chapter",
    "expert": "expert figures",
    "tidy": "tidy table",
    "notebook": "notebook",
    "file": "file",
    "data": "data file",
}
_REGISTRY_KEYS = ("cities", "definitions", "indicators", "chapters", "origins", "framework", "source_id")
_REGISTRY_NAMES = ("cities", "definitions", "indicators", "chapters", "framework")
_TIDY_ONLY = {"source_id", "city_id"}
_EXPERT_ONLY = set(EXPERT_COLUMNS) - set(TIDY_COLUMNS)


@dataclass(frozen=True)
class Check:
    """The outcome of one check: what was checked, whether it passed, and what was found."""

    what: str
    ok: bool
    message: str
    kind: str = "data"  #: a key of :data:`EXIT_CODES`
    todo: bool = False  #: passed, but something is still to be done by a person (shown as "todo")

    @property
    def exit_code(self) -> int:
        """0 when the check passed, else the code of its kind (:data:`EXIT_CODES`)."""
        return 0 if self.ok else EXIT_CODES.get(self.kind, 3)


def exit_code(checks: Iterable[Check]) -> int:
    """The exit code of `workbench validate`: 0 if every check passed, else the highest code failed.

    So 3 when a data file (tidy table, expert figures) failed, else 2 when a params, registry,
    chapter or notebook file (or a path of unknown kind) failed.

    Returns
    -------
    int
    """
    return max((c.exit_code for c in checks), default=0)


def validate_all() -> list[Check]:
    """Run every check of the project and collect the outcomes (one failing check does not hide the others).

    Returns
    -------
    list of Check
    """
    from workbench.tidy.chapters import chapter_status, load_chapter_registry
    from workbench.reference.framework import load_framework

    checks = [
        _check("cities registry", "registry", lambda: f"{len(load_cities())} cities"),
        _check("sources registry", "registry", lambda: f"{len(load_sources())} sources"),
        _check("definitions registry", "registry", lambda: f"{len(load_definitions())} definitions"),
        _check("indicators registry", "registry", lambda: f"{len(load_indicators())} indicators"),
        _check("chapters registry", "registry", lambda: f"{len(load_chapter_registry().ids)} chapters"),
        _check("framework registry", "registry", lambda: f"{len(load_framework())} items"),
    ]
    for path in sorted((paths.registry_dir() / "origins").glob("*.yaml")):
        checks.append(_check(f"origins registry {path.name}", "registry", lambda p=path: _check_origins(p)))
    try:
        tables = list_tables()
    except WorkbenchError as exc:
        checks.append(Check("tidy tables", False, str(exc), "tidy"))
        tables = {}
    for path in tables.values():
        checks.append(_check(f"tidy table {path.name}", "tidy", lambda p=path: _check_tidy(p)))
    for path in sorted((paths.local_dir() / "figures").glob("*.csv")):
        checks.append(_check(f"expert figures {path.name}", "expert", lambda p=path: _check_expert(p)))
    checks.append(_check("expert figures (all cities)", "expert", lambda: f"{len(load_expert_figures())} figures"))
    checks.append(_check("local chapters", "chapter", lambda: _chapter_summary(chapter_status(list(load_cities())))))
    checks.append(_check("tidy tables cover every city", "tidy", _check_city_rows))
    for city_id in _city_ids():
        checks.append(_check(f"params/{city_id}.yaml", "params", lambda c=city_id: _city_params(c)))
    checks.append(_check("params/compare.yaml", "params", lambda: f"{len(load_compare_params()['city_ids'])} cities"))
    for name in NOTEBOOK_PARAMS:
        path = paths.notebooks_dir() / f"{name}.ipynb"
        checks.append(_check(f"notebooks/{path.name}", "notebook", lambda p=path: _check_notebook(p)))
    return checks


def validate_city(city_id: str) -> list[Check]:
    """What one city of the network has, and what is still missing, for its profile.

    Failures are what stops a run (a registry entry, params file or data file that does not
    check); ``todo`` checks pass but name what a person still has to do (a name to give, rows
    to ingest, figures to enter, chapters to write, a baseline to record).

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    """
    from workbench.tidy.chapters import STATUS_WRITTEN, chapter_status
    from workbench.reference.registry import get_city

    city = get_city(city_id)
    checks = [Check(f"registry entry of {city_id}", True,
                    f"{city.names.en} ({city.country_names.en}), {city.city_geography}; codes: "
                    + ("; ".join(f"{k} {', '.join(v)}" for k, v in city.codes.items()) or "none (country-level sources only)"),
                    "registry")]
    if city.names.local is None:
        checks.append(Check("local name", True, "no name in the local language: add names.local in "
                            "data/registry/cities.yaml", "registry", todo=True))
    checks.append(_check(f"params/{city_id}.yaml", "params", lambda: _city_params(city_id)))
    checks.append(_check("params/compare.yaml", "params", lambda: _in_comparison(city_id)))
    checks.append(_check(f"data of {city_id}", "tidy", lambda: _city_data(city_id)))
    checks.append(_check("tidy tables cover the city", "tidy", lambda: _check_city_rows([city_id])))
    figures = paths.local_dir() / "figures" / f"{city_id}.csv"
    if figures.is_file():
        checks.append(_check(f"expert figures {figures.name}", "expert", lambda: _check_expert(figures)))
        if checks[-1].ok and checks[-1].message.startswith("0 "):
            checks[-1] = Check(checks[-1].what, True, f"no published figure entered yet in data/local/figures/"
                               f"{figures.name} (docs/enter-a-published-figure.md)", "expert", todo=True)
    else:
        checks.append(Check(f"expert figures {figures.name}", True, f"no file data/local/figures/{figures.name}: "
                            "no published figure entered (docs/enter-a-published-figure.md)", "expert", todo=True))
    try:
        status = chapter_status([city_id])
    except WorkbenchError as exc:
        checks.append(Check("local chapters", False, str(exc), "chapter"))
    else:
        for lang, rows in status.groupby("language", sort=False):
            missing = rows[rows["status"] != STATUS_WRITTEN]
            written = len(rows) - len(missing)
            if missing.empty:
                checks.append(Check(f"chapters ({lang})", True, f"all {len(rows)} written", "chapter"))
            else:
                checks.append(Check(f"chapters ({lang})", True, f"{written} of {len(rows)} written; to write: "
                                    + ", ".join(missing["file"]), "chapter", todo=True))
    baseline = paths.project_root() / "tests" / "nbval" / "cities" / city_id / "profile.ipynb"
    if baseline.is_file():
        checks.append(Check("nbval baseline", True, f"{baseline.relative_to(paths.project_root())}", "notebook"))
    else:
        checks.append(Check("nbval baseline", True, "no regression baseline yet: `make test` fails until `make "
                            "baseline` records one (docs/add-your-city.md)", "notebook", todo=True))
    return checks


def validate_paths(paths_: Sequence[Path | str], kind: str | None = None, city: str | None = None) -> list[Check]:
    """Check files anywhere on disk, each by its kind, writing nothing.

    Parameters
    ----------
    paths_
        Files to check (folders are refused: give their files).
    kind
        One of :data:`KINDS` to check every file as; by default each file's kind is told from
        its name and content as :data:`KINDS` describes.
    city
        The city of expert figures files; by default their file name (``<city_id>.csv``).

    Returns
    -------
    list of Check
        One per file, in the order given; a file whose kind cannot be told fails with a message
        listing the kinds and how they are recognised.

    Raises
    ------
    ConfigError
        If ``kind`` or ``city`` is unknown.
    """
    if kind is not None and kind not in KINDS:
        raise ConfigError(f"unknown kind '{kind}'; allowed: {', '.join(KINDS)}")
    if city is not None and city not in load_cities():
        raise ConfigError(f"unknown city '{city}'; allowed: {', '.join(load_cities())}")
    return [_check_path(Path(p), kind, city) for p in paths_]


def detect_kind(path: Path) -> str | None:
    """Tell a file's kind (a key of :data:`KINDS`) from its name and content, without checking it.

    Returns
    -------
    str or None
        The kind, or None when neither the name nor the content tells it.
    """
    name = path.name.lower()
    if name.endswith(".md"):
        return "chapter"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".yaml", ".yml")):
        return _yaml_kind(path)
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv", *SPREADSHEET_SUFFIXES)):
        return _csv_kind(path)
    return None


# --- one file ------------------------------------------------------------------------------------


def _check_path(path: Path, kind: str | None, city: str | None) -> Check:
    if not path.is_file():
        problem = "is a folder; give the files in it (e.g. folder/*)" if path.is_dir() else "file not found"
        return Check(f"file {path}", False, f"{path}: {problem}", "file")
    if kind is None:
        try:
            kind = detect_kind(path)
        except WorkbenchError as exc:
            # unreadable before its kind shows: a data file if it looks like a table
            fallback = "data" if isinstance(exc, SchemaError) else "file"
            return Check(f"{_LABELS[fallback]} {path}", False, str(exc), _guess_kind(path) or fallback)
    if kind is None:
        listing = "; ".join(f"{k}: {v}" for k, v in KINDS.items())
        return Check(
            f"file {path}", False,
            f"{path}: cannot tell what kind of file this is. Kinds: {listing}. Say which with --kind", "file",
        )
    checker = _CHECKERS[kind]
    return _check(f"{_LABELS[kind]} {path}", kind, lambda: checker(path, city))


def _yaml_kind(path: Path) -> str | None:
    try:
        raw = read_yaml(path)
    except ConfigError:
        guessed = _guess_kind(path)
        if guessed is None:
            raise
        return guessed
    if isinstance(raw, dict):
        if "city_id" in raw or "city_ids" in raw:
            return "params"
        if any(key in raw for key in _REGISTRY_KEYS):
            return "registry"
    return _guess_kind(path)


def _csv_kind(path: Path) -> str | None:
    guessed = _guess_kind(path)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return guessed or "expert"
    try:
        header = set(read_csv_text(path).columns)
    except SchemaError:
        if guessed is None:
            raise
        return guessed
    if header & _TIDY_ONLY:
        return "tidy"
    if header & _EXPERT_ONLY:
        return "expert"
    return guessed


def _guess_kind(path: Path) -> str | None:
    """The kind a file's name and folder suggest, when its content cannot tell."""
    stem = path.name.split(".")[0]
    suffix = path.name.lower().split(".", 1)[-1] if "." in path.name else ""
    cities = _city_ids()
    if suffix in ("yaml", "yml"):
        if stem in cities or stem == "compare" or path.parent.name == "params":
            return "params"
        if stem in _REGISTRY_NAMES or path.parent.name in ("sources", "origins", "registry"):
            return "registry"
        return None
    if stem in cities or path.parent.name == "figures":
        return "expert"
    if stem in _source_ids() or path.parent.name == "tidy":
        return "tidy"
    return None


def _check_params(path: Path, city: str | None) -> str:
    result = check_params_file(path)
    if isinstance(result, dict):
        return f"comparison of {len(result['city_ids'])} cities"
    return f"city {result.city_id}, top_n_origins={result.top_n_origins}, language={result.language}"


def _check_registry(path: Path, city: str | None) -> str:
    from workbench.tidy.chapters import read_chapter_registry

    raw = read_yaml(path)
    key = next((k for k in _REGISTRY_KEYS if isinstance(raw, dict) and k in raw), None) or path.stem
    if key == "cities":
        return f"{len(read_cities(path))} cities"
    if key == "source_id" or path.parent.name == "sources":
        return f"source {read_source(path).source_id}"
    if key == "definitions":
        return f"{len(read_mapping(path, 'definitions', Definition))} definitions"
    if key == "indicators":
        return f"{len(read_mapping(path, 'indicators', Indicator))} indicators"
    if key == "chapters":
        return f"{len(read_chapter_registry(path).ids)} chapters"
    if key == "origins" or path.parent.name == "origins":
        return _check_origins(path)
    if key == "framework":
        return _check_framework(path)
    raise ConfigError(f"{path}: not a registry file; expected a top-level key among {', '.join(_REGISTRY_KEYS)}")


def _check_origins(path: Path) -> str:
    raw = read_yaml(path)
    groups = raw.get("origins") if isinstance(raw, dict) else None
    if not isinstance(groups, dict) or set(raw) != {"origins"}:
        raise ConfigError(f"{path}: expected one top-level key 'origins' mapping group codes to names")
    for code, names in groups.items():
        if not isinstance(code, str) or not code.replace("_", "").isalnum() or code.upper() != code:
            raise ConfigError(f"{path}: key 'origins.{code}': expected a code of capital letters, digits and '_'")
        missing = [lang for lang in ("en", "fr") if not (isinstance(names, dict) and str(names.get(lang) or "").strip())]
        if missing:
            raise ConfigError(f"{path}: key 'origins.{code}': missing name(s) in {', '.join(missing)}; expected en and fr")
    return f"{len(groups)} origin groups"


def _check_framework(path: Path) -> str:
    from workbench.reference.framework import Item

    raw = read_yaml(path)
    entries = raw.get("framework") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a top-level key 'framework' holding a list of items")
    ids = []
    for i, entry in enumerate(entries):
        try:
            ids.append(Item.model_validate(entry).id)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, path, f"framework[{i}]", Item)) from None
        if ids.count(ids[-1]) > 1:
            raise ConfigError(f"{path}: key 'framework[{i}].id': '{ids[-1]}' appears twice")
    return f"{len(ids)} items"


def _check_chapter(path: Path, city: str | None) -> str:
    from workbench.tidy.chapters import check_chapter_file

    return check_chapter_file(path)


def _check_expert(path: Path, city: str | None = None) -> str:
    frame = read_expert_figures(path, city)
    return f"{len(frame)} figures"


def _check_tidy(path: Path, city: str | None = None) -> str:
    frame, lines = read_tidy_checked(path)
    validate_tidy(frame, str(path), lines)
    check_references(frame, str(path), lines=lines)
    _check_source_of_file(frame, path, lines)
    _check_city_countries(frame, path, lines)
    return f"{len(frame)} rows"


def _check_notebook(path: Path, city: str | None = None) -> str:
    if not path.is_file():
        raise ConfigError(f"{path}: notebook template missing")
    params = check_notebook_parameters(path)
    return f"parameters {', '.join(type(params).model_fields)} match workbench.reference.params"


_CHECKERS: dict[str, Callable[[Path, str | None], str]] = {
    "params": _check_params,
    "registry": _check_registry,
    "chapter": _check_chapter,
    "expert": _check_expert,
    "tidy": _check_tidy,
    "notebook": _check_notebook,
}


def _check_source_of_file(frame: pd.DataFrame, path: Path, lines: list[int]) -> None:
    source_id = path.name.split(".")[0]
    if source_id not in _source_ids():
        return
    other = np.flatnonzero((frame["source_id"] != source_id).to_numpy())
    if len(other):
        i = int(other[0])
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'source_id': found '{frame['source_id'].iloc[i]}'; expected "
            f"'{source_id}' as in the file name ({len(other)} row(s) in all)"
        )


def _check_city_countries(frame: pd.DataFrame, path: Path, lines: list[int]) -> None:
    countries = {city_id: city.country_iso3 for city_id, city in load_cities().items()}
    expected = frame["city_id"].map(countries)
    wrong = np.flatnonzero((expected.notna() & (expected != frame["country_iso3"])).to_numpy())
    if len(wrong):
        i = int(wrong[0])
        raise SchemaError(
            f"{path}, CSV line {lines[i]}, column 'country_iso3': found '{frame['country_iso3'].iloc[i]}' for city "
            f"'{frame['city_id'].iloc[i]}'; expected '{expected.iloc[i]}', the city's country ({len(wrong)} row(s) in all)"
        )


# --- helpers -------------------------------------------------------------------------------------


def _check(what: str, kind: str, action: Callable[[], str]) -> Check:
    try:
        return Check(what, True, action(), kind)
    except WorkbenchError as exc:
        return Check(what, False, str(exc), kind)


def _city_ids() -> list[str]:
    try:
        return list(load_cities())
    except WorkbenchError:
        return []


def _source_ids() -> list[str]:
    try:
        return list(load_sources())
    except WorkbenchError:
        return []


def _city_params(city_id: str) -> str:
    params = load_city_params(city_id)
    return f"top_n_origins={params.top_n_origins}, language={params.language}"


def _in_comparison(city_id: str) -> str:
    ids = load_compare_params()["city_ids"]
    if city_id not in ids:
        raise ConfigError(f"params/compare.yaml: key 'city_ids' does not list {city_id}; add it to compare the city")
    return f"compared with {len(ids) - 1} other cities"


def _city_data(city_id: str) -> str:
    from workbench.tidy.catalog import load_city

    data = load_city(city_id, refuse_stale=False)
    counts = pd.concat([data.local["source_id"], data.national["source_id"]]).value_counts()
    if data.local.empty:
        note = "no row about the city itself (country-level figures only)"
    else:
        note = f"{len(data.local)} rows about the city"
    return f"{note}; {len(data.national)} about {data.city.country_names.en}; sources: " + ", ".join(
        f"{s} ({n})" for s, n in counts.sort_index().items())


def _check_city_rows(city_ids: Sequence[str] | None = None) -> str:
    """The tidy tables describe every city (none was added to the registry after their ingestion)."""
    from workbench.tidy.staleness import STALE_WITHOUT_CODE, STALE_WITHOUT_COUNTRY, find_stale_tables, stale_tables_message

    cities = load_cities()
    chosen = list(city_ids) if city_ids is not None else list(cities)
    tables = list_tables()
    wanted = [*STALE_WITHOUT_COUNTRY, *(s for sources in STALE_WITHOUT_CODE.values() for s in sources)]
    tidy = pd.concat([read_tidy_checked(tables[s])[0] for s in wanted if s in tables], ignore_index=True)
    problems = [stale_tables_message(cities[c], stale) for c in chosen if (stale := find_stale_tables(cities[c], tidy))]
    if problems:
        raise SchemaError(" | ".join(problems))
    return (f"built with {chosen[0]} in the registry" if len(chosen) == 1
            else f"built with all {len(chosen)} cities in the registry")


def _chapter_summary(status: pd.DataFrame) -> str:
    written = int((status["status"] == "written").sum())
    return f"{written} of {len(status)} chapter texts written"


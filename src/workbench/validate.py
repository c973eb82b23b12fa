"""What `workbench validate` reports, and its exit code: the whole project, one city, or given files by their kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench import paths
from workbench.errors import ConfigError, DataError, SchemaError, WorkbenchError
from workbench.reference.framework import load_framework
from workbench.reference.i18n import LANGUAGES
from workbench.reference.params import NOTEBOOK_PARAMS, load_city_params, load_compare_params
from workbench.reference.registry import get_city, load_cities, load_definitions, load_indicators, load_sources
from workbench.tidy.catalog import list_tables, load_city, read_tidy_checked
from workbench.tidy.chapters import (
    STATUS_WRITTEN,
    chapter_status,
    chapter_warnings,
    check_chapter_file,
    load_chapter_registry,
    read_chapters,
)
from workbench.tidy.expert import load_expert_figures, read_expert_figures
from workbench.tidy.expert_place import unshown
from workbench.tidy.filecheck import KINDS, check_file, check_origins, detect_kind, guess_kind
from workbench.tidy.plausibility import check_rules
from workbench.tidy.staleness import STALE_WITHOUT_CODE, STALE_WITHOUT_COUNTRY, find_stale_tables, stale_tables_message

#: Exit code of `workbench validate` when a file of a kind fails: that of a data error for data files,
#: that of a configuration error for the rest (the codes themselves are stated in workbench.errors).
EXIT_CODES: dict[str, int] = {
    "params": ConfigError.exit_code,
    "registry": ConfigError.exit_code,
    "chapter": ConfigError.exit_code,
    "notebook": ConfigError.exit_code,
    "file": ConfigError.exit_code,  # a file whose kind cannot be told, or a path that is not a file
    "expert": DataError.exit_code,
    "tidy": DataError.exit_code,
    "data": DataError.exit_code,  # a CSV or spreadsheet unreadable before its kind can be told
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


@dataclass(frozen=True)
class Check:
    """The outcome of one check: what was checked, whether it passed, and what was found."""

    what: str
    ok: bool
    message: str
    kind: str = "data"  #: a key of :data:`EXIT_CODES`
    todo: bool = False  #: passed, but something is still to be done by a person (shown as "todo")
    warning: bool = False  #: passed, but something will not be published as written (shown as "WARN")

    @property
    def exit_code(self) -> int:
        """0 when the check passed, else the code of its kind (:data:`EXIT_CODES`)."""
        return 0 if self.ok else EXIT_CODES.get(self.kind, DataError.exit_code)


def exit_code(checks: Iterable[Check]) -> int:
    """The exit code of `workbench validate`: 0 if every check passed, else the highest code failed.

    So a data error's code when a data file (tidy table, expert figures) failed, else a
    configuration error's when a params, registry, chapter or notebook file (or a path of
    unknown kind) failed.

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
    checks = [
        _check("cities registry", "registry", lambda: f"{len(load_cities())} cities"),
        _check("sources registry", "registry", lambda: f"{len(load_sources())} sources"),
        _check("definitions registry", "registry", lambda: f"{len(load_definitions())} definitions"),
        _check("indicators registry", "registry", lambda: f"{len(load_indicators())} indicators"),
        _check("chapters registry", "registry", lambda: f"{len(load_chapter_registry().ids)} chapters"),
        _check("framework registry", "registry", lambda: f"{len(load_framework())} items"),
        _check("plausibility registry", "registry", check_rules),
    ]
    for path in sorted((paths.registry_dir() / "origins").glob("*.yaml")):
        checks.append(_check(f"origins registry {path.name}", "registry", lambda p=path: check_origins(p)))
    try:
        tables = list_tables()
    except WorkbenchError as exc:
        checks.append(Check("tidy tables", False, str(exc), "tidy"))
        tables = {}
    for path in tables.values():
        checks.append(_check(f"tidy table {path.name}", "tidy", lambda p=path: check_file(p, "tidy")))
    for path in sorted((paths.local_dir() / "figures").glob("*.csv")):
        checks.append(_check(f"expert figures {path.name}", "expert", lambda p=path: check_file(p, "expert")))
        checks += _figures_shown(path, None, checks[-1])
    checks.append(_check("expert figures (all cities)", "expert", lambda: f"{len(load_expert_figures())} figures"))
    checks.append(_check("local chapters", "chapter", lambda: _chapter_summary(chapter_status(list(load_cities())))))
    if checks[-1].ok:
        checks += _chapter_file_checks(list(load_cities()))
    checks.append(_check("tidy tables cover every city", "tidy", _check_city_rows))
    for city_id in _city_ids():
        checks.append(_check(f"params/{city_id}.yaml", "params", lambda c=city_id: _city_params(c)))
    checks.append(_check("params/compare.yaml", "params", lambda: f"{len(load_compare_params()['city_ids'])} cities"))
    for name in NOTEBOOK_PARAMS:
        path = paths.notebooks_dir() / f"{name}.ipynb"
        checks.append(_check(f"notebooks/{path.name}", "notebook", lambda p=path: check_file(p, "notebook")))
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
        checks.append(_check(f"expert figures {figures.name}", "expert", lambda: check_file(figures, "expert")))
        if checks[-1].ok and checks[-1].message.startswith("0 "):
            checks[-1] = Check(checks[-1].what, True, f"no published figure entered yet in data/local/figures/"
                               f"{figures.name} (docs/enter-a-published-figure.md)", "expert", todo=True)
        checks += _figures_shown(figures, city_id, checks[-1])
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
        checks += _chapter_file_checks([city_id])
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
    checks = []
    for path in map(Path, paths_):
        checks.append(_check_path(path, kind, city))
        if checks[-1].what.startswith(_LABELS["expert"]):
            checks += _figures_shown(path, city, checks[-1])
    return checks


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
            return Check(f"{_LABELS[fallback]} {path}", False, str(exc), guess_kind(path) or fallback)
    if kind is None:
        listing = "; ".join(f"{k}: {v}" for k, v in KINDS.items())
        return Check(
            f"file {path}", False,
            f"{path}: cannot tell what kind of file this is. Kinds: {listing}. Say which with --kind", "file",
        )
    checked = _check(f"{_LABELS[kind]} {path}", kind, lambda: check_file(path, kind, city))
    if kind == "chapter" and checked.ok:
        return _with_warnings(checked, path)
    return checked


# --- helpers -------------------------------------------------------------------------------------


def _check(what: str, kind: str, action: Callable[[], str]) -> Check:
    try:
        return Check(what, True, action(), kind)
    except WorkbenchError as exc:
        return Check(what, False, str(exc), kind)


def _figures_shown(path: Path, city: str | None, check: Check) -> list[Check]:
    """A ``todo`` check per expert figure of a file that passed its check but appears in no table of the profile."""
    if not check.ok:
        return []
    try:
        lost = unshown(read_expert_figures(path, city))
    except WorkbenchError:
        return []
    return [Check(f"expert figures {path.name}", True, f"{path}, {problem}", "expert", todo=True) for problem in lost]


def _city_ids() -> list[str]:
    try:
        return list(load_cities())
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


def _chapter_file_checks(city_ids: Sequence[str]) -> list[Check]:
    """A check for each written chapter file an annex cannot publish as written: FAIL for an image it
    cannot embed, WARN for raw HTML it drops; none for the others."""
    checks = []
    for city_id in city_ids:
        for lang in LANGUAGES:
            for chapter in read_chapters(city_id, lang):
                if chapter.path is None:
                    continue
                checked = _check(f"chapter {chapter.location}", "chapter", lambda p=chapter.path: check_chapter_file(p))
                checked = _with_warnings(checked, chapter.path) if checked.ok else checked
                if not checked.ok or checked.warning:
                    checks.append(checked)
    return checks


def _with_warnings(checked: Check, path: Path) -> Check:
    warnings = chapter_warnings(path)
    if not warnings:
        return checked
    return Check(checked.what, True, f"{checked.message}; " + "; ".join(warnings), checked.kind, warning=True)


def _chapter_summary(status: pd.DataFrame) -> str:
    written = int((status["status"] == "written").sum())
    return f"{written} of {len(status)} chapter texts written"


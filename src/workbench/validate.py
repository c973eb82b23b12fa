"""Check everything a run depends on: registries, tidy tables, expert figures, parameters, notebooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench import paths
from workbench.errors import WorkbenchError
from workbench.ingest import read_tidy
from workbench.params import load_city_params, load_compare_params
from workbench.registry import check_references, load_cities, load_definitions, load_indicators, load_sources
from workbench.schemas import validate_tidy


@dataclass(frozen=True)
class Check:
    """The outcome of one check."""

    what: str
    ok: bool
    message: str


def validate_all() -> list[Check]:
    """Run every check and collect the outcomes (one failing check does not hide the others).

    Returns
    -------
    list of Check
    """
    checks = [
        _check("cities registry", lambda: f"{len(load_cities())} cities"),
        _check("sources registry", lambda: f"{len(load_sources())} sources"),
        _check("definitions registry", lambda: f"{len(load_definitions())} definitions"),
        _check("indicators registry", lambda: f"{len(load_indicators())} indicators"),
    ]
    from workbench.catalog import list_tables

    try:
        tables = list_tables()
    except WorkbenchError as exc:
        checks.append(Check("tidy tables", False, str(exc)))
        tables = {}
    for source_id, path in tables.items():
        checks.append(_check(f"tidy table {path.name}", lambda p=path: _check_table(p)))
    figures = sorted((paths.local_dir() / "figures").glob("*.csv"))
    for path in figures:
        checks.append(_check(f"expert figures {path.name}", lambda p=path: _check_expert(p)))
    for city_id in load_cities():
        checks.append(_check(f"params/{city_id}.yaml", lambda c=city_id: f"top_n_origins={load_city_params(c).top_n_origins}"))
    checks.append(_check("params/compare.yaml", lambda: f"{len(load_compare_params()['city_ids'])} cities"))
    for name in ("city_profile.ipynb", "compare_cities.ipynb"):
        path = paths.notebooks_dir() / name
        checks.append(Check(f"notebooks/{name}", path.is_file(), "present" if path.is_file() else "missing"))
    return checks


def _check(what: str, action) -> Check:
    try:
        return Check(what, True, action())
    except WorkbenchError as exc:
        return Check(what, False, str(exc))


def _check_table(path: Path) -> str:
    frame = read_tidy(path)
    validate_tidy(frame, path.name)
    check_references(frame, path.name)
    return f"{len(frame)} rows"


def _check_expert(path: Path) -> str:
    from workbench.expert import read_expert_figures

    frame = read_expert_figures(path)
    return f"{len(frame)} figures"

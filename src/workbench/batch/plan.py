"""Plan a run: its folders (staging, final, failed, interrupted) and its tasks, checked before anything runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workbench import paths
from workbench.batch.tasks import BRIEF_TEMPLATE, CITY_TEMPLATE, Task, TaskKind, comparisons
from workbench.errors import ConfigError
from workbench.reference.params import CityParams, load_city_params, load_compare_params, validate_params
from workbench.reference.registry import get_city

#: Suffixes of a run folder's names while it is written and after it was stopped.
STAGING_SUFFIX = ".partial"
INTERRUPTED_SUFFIX = ".interrupted"


@dataclass(frozen=True)
class RunFolders:
    """The names a run's folder takes: where it is written, and what it becomes at each outcome."""

    final: Path  #: a complete, successful run (also a failed one given by --run-dir)
    staging: Path  #: where the run writes while it goes on
    failed: Path  #: a run in which some notebook failed
    interrupted: Path  #: a run stopped by Ctrl-C

    def for_status(self, status: str) -> Path:
        """The folder a run with this final status is renamed to."""
        return {"ok": self.final, "failed": self.failed}.get(status, self.interrupted)

    def names(self) -> tuple[Path, ...]:
        """The distinct folder names of the run."""
        return tuple(dict.fromkeys((self.final, self.staging, self.failed, self.interrupted)))


def new_run_dir(root: Path | None = None) -> Path:
    """Return a fresh ``outputs/<run id>`` name (UTC timestamp) that no run, finished or not, uses."""
    root = root or paths.outputs_dir()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = root / stamp, 1
    while any(p.exists() or p.is_symlink() for p in _folders(candidate, default=True).names()):
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate


def run_folders(run_dir: Path | None = None) -> RunFolders:
    """The folders of a new run: under ``outputs/`` by default, else ``run_dir`` and names beside it.

    Raises
    ------
    ConfigError
        If ``run_dir`` exists and is not empty, or a folder beside it carries one of its names.
    """
    if run_dir is None:
        return _folders(new_run_dir(), default=True)
    folders = _folders(Path(run_dir).absolute(), default=False)
    final = folders.final
    if final.is_symlink() or final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise ConfigError(f"run folder {final} already exists and is not empty; choose a new one")
    for other in (folders.staging, folders.interrupted):
        if other.exists() or other.is_symlink():
            raise ConfigError(f"{other} exists (left by an earlier run into {final}); remove it or choose another --run-dir")
    return folders


def _folders(final: Path, default: bool) -> RunFolders:
    # with --run-dir the user named the folder: a failed run keeps that name (its manifest says so)
    failed = final.with_name(final.name + "-failed") if default else final
    return RunFolders(final, final.with_name(final.name + STAGING_SUFFIX), failed,
                      final.with_name(final.name + INTERRUPTED_SUFFIX))


def checked_cities(city_ids: list[str]) -> list[str]:
    """The city ids, each checked against the registry: the one place a run validates them.

    Raises
    ------
    UnknownCityError
        Naming the id and the known cities.
    """
    return [get_city(city_id).city_id for city_id in city_ids]


def plan(city_ids: list[str], run_dir: Path, with_compare: bool = True,
         params: dict[str, CityParams] | None = None, briefs: list[str] = ()) -> tuple[list[Task], list[Task]]:
    """Build the tasks of a run: validated parameters for every city, then the comparisons.

    Parameters
    ----------
    city_ids
        The cities, in run order, checked by :func:`checked_cities`.
    run_dir
        The folder the run writes into.
    with_compare
        Whether to plan the comparisons.
    params
        Validated parameters of some cities, used instead of ``params/<city>.yaml``.
    briefs
        Eurostat codes to write a city brief of (``notebooks/city_brief.ipynb``, run with the cities).

    Returns
    -------
    tuple of list of Task
        The profiles and briefs, then the comparisons.

    Raises
    ------
    ConfigError
        Before anything runs, if a params file is wrong.
    """
    cities = []
    for city_id in city_ids:
        params_ = (params or {}).get(city_id) or load_city_params(city_id)
        workdir = run_dir / "cities" / city_id
        cities.append(Task(TaskKind.PROFILE, city_id, CITY_TEMPLATE, {**params_.model_dump(), "output_dir": "."},
                           str(workdir / "profile.ipynb"), str(workdir)))
    for place_id in briefs:
        values = validate_params("city_brief", {"place_id": place_id, "output_dir": "."}, "--cities eurostat").model_dump()
        workdir = run_dir / "briefs" / place_id
        cities.append(Task(TaskKind.BRIEF, place_id, BRIEF_TEMPLATE, values, str(workdir / "brief.ipynb"), str(workdir)))
    compare = []
    if with_compare and city_ids:
        wanted = load_compare_params()["city_ids"]
        chosen = [c for c in wanted if c in city_ids] or list(city_ids)
        for name, template, extra in comparisons():
            workdir = run_dir / "compare" / name
            parameters = {"city_ids": chosen, "cities_dir": "../../cities", "output_dir": ".", **extra}
            compare.append(Task(TaskKind.COMPARISON, name, template, parameters, str(workdir / f"{name}.ipynb"),
                                str(workdir)))
    return cities, compare


def companions(city_ids: list[str], with_compare: bool = True) -> list[str]:
    """The network cities a run of some cities compares with but was not asked to run.

    ``workbench run --city X`` compares X with the other cities of ``params/compare.yaml``: their
    notebooks are copied from an earlier run that made them from the same inputs, never executed
    (:class:`workbench.batch.runner._Batch`). None when the run has no comparisons, runs every
    network city already, or runs no city of the network (its comparisons then cover its own cities).

    Parameters
    ----------
    city_ids
        The cities asked for, checked by :func:`checked_cities`.
    with_compare
        Whether the run plans the comparisons.
    """
    if not with_compare or not city_ids:
        return []
    wanted = load_compare_params()["city_ids"]
    if not any(c in wanted for c in city_ids):
        return []
    return [c for c in wanted if c not in city_ids]


def cities_dir(task: Task) -> Path:
    """The folder of city tables a comparison reads, resolved without the comparison's own folder existing.

    The ``..`` in ``cities_dir`` is taken away by name: listing through a folder that is not made yet
    finds nothing, and a key computed so would ignore the tables the cities saved.
    """
    return Path(os.path.normpath(Path(task.workdir) / task.parameters["cities_dir"]))


def check_local_inputs(city_ids: list[str]) -> None:
    """Refuse, before anything runs, the files experts write that every profile reads.

    A bad expert-figures file or a misnamed chapter file would otherwise fail every profile of
    the run, one by one, with the same message; a chapter image an annex cannot embed (a web
    address, a missing file) would be left out of the annexes.

    Raises
    ------
    DataError, ConfigError
        Naming the file, line and column (figures), the file to rename (chapters), or the chapter
        file and line of an image with the fix.
    """
    from workbench.tidy.chapters import chapter_status, check_chapter_contents
    from workbench.tidy.expert import load_expert_figures

    load_expert_figures()
    chapter_status(city_ids)
    check_chapter_contents(city_ids)

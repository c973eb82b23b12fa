"""The runs in ``outputs/`` as objects: list them with their state and size, and delete old ones safely.

A **run folder** is a folder of ``outputs/`` that holds a ``manifest.json`` or carries a run's
suffix (``.partial``, ``.interrupted``); ``outputs/lab/`` and hidden folders are not runs. Its
status is the manifest's (``ok``, ``failed``, ``interrupted``), ``partial`` for a ``.partial``
folder (being written when a live process holds ``outputs/.lock``, else left by a killed run,
which the next run renames ``.interrupted``) and ``unknown`` when its manifest cannot be read.

A run **reuses from** the earlier runs that computed the notebooks it copied (the ``reused_from``
of its manifest's notebook records; :mod:`workbench.batch.cache`). Their ids appear in the copied
annexes' footers, so :func:`plan_clean` keeps them as long as a kept run names them.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from workbench import paths
from workbench.batch.lock import live_holder
from workbench.batch.plan import INTERRUPTED_SUFFIX, STAGING_SUFFIX
from workbench.batch.publish import LAST_ATTEMPT, LATEST
from workbench.errors import ConfigError, RunStepError
from workbench.provenance import MANIFEST_NAME, Manifest
from workbench.reference.i18n import LANGUAGES

#: The annex formats, in the order listings give them (``workbench.report.annex.FORMATS``, named here to keep imports light).
ANNEX_FORMATS = ("html", "docx", "pdf")
#: The prefix a run folder is renamed with while :func:`delete_runs` removes it (hidden: no listing or reuse sees it).
DELETING_PREFIX = ".deleting-"


@dataclass
class RunInfo:
    """One run folder of ``outputs/`` as ``workbench runs`` lists it."""

    id: str  #: the folder's name
    path: Path
    status: str  #: 'ok', 'failed', 'interrupted', 'partial' or 'unknown'
    started: str = ""  #: ISO date and time (the manifest's, else the folder's modification time)
    running: bool = False  #: a ``.partial`` folder while a live process holds ``outputs/.lock``
    commit: str = ""  #: the git commit the run recorded (``-dirty`` when committed files had changed)
    cities: list[str] = field(default_factory=list)  #: the cities whose profile the run made
    briefs: int = 0  #: how many city briefs it made
    notebooks: int = 0
    formats: list[str] = field(default_factory=list)  #: annex formats found in ``annex/``
    languages: list[str] = field(default_factory=list)  #: annex languages found in ``annex/``
    size: int = 0  #: bytes on disk (files, not following links)
    reused_from: list[str] = field(default_factory=list)  #: the runs that computed the notebooks it copied
    pointers: list[str] = field(default_factory=list)  #: 'latest' and/or 'last-attempt' when they point here

    def as_dict(self) -> dict:
        """The run as ``workbench runs --json`` gives it (paths as text)."""
        return {"id": self.id, "path": str(self.path), "status": self.status, "running": self.running,
                "started": self.started, "commit": self.commit, "cities": self.cities, "briefs": self.briefs,
                "notebooks": self.notebooks, "formats": self.formats, "languages": self.languages, "size": self.size,
                "reused_from": self.reused_from, "latest": LATEST in self.pointers,
                "last_attempt": LAST_ATTEMPT in self.pointers}


def pointers(outputs: Path | None = None) -> dict[str, Path | None]:
    """Where ``outputs/latest`` and ``outputs/last-attempt`` point (resolved), ``None`` for a missing one."""
    outputs = outputs or paths.outputs_dir()
    found = {}
    for name in (LATEST, LAST_ATTEMPT):
        link = outputs / name
        found[name] = link.resolve() if link.is_symlink() or link.exists() else None
    return found


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` (in ``outputs/``) is a run folder (see the module docstring)."""
    if folder.is_symlink() or not folder.is_dir() or folder.name.startswith("."):
        return False
    return folder.name.endswith((STAGING_SUFFIX, INTERRUPTED_SUFFIX)) or (folder / MANIFEST_NAME).is_file()


def list_runs(outputs: Path | None = None) -> list[RunInfo]:
    """Every run folder of ``outputs/``, newest first, with the pointers that name it.

    Parameters
    ----------
    outputs
        The folder (default ``outputs/`` of the project).

    Returns
    -------
    list of RunInfo
    """
    outputs = outputs or paths.outputs_dir()
    if not outputs.is_dir():
        return []
    running = live_holder(outputs) is not None
    marks = pointers(outputs)
    runs = [describe(folder, running) for folder in outputs.iterdir() if is_run_folder(folder)]
    for run in runs:
        run.pointers = [name for name, target in marks.items() if target == run.path.resolve()]
    return sorted(runs, key=lambda r: (r.started, r.id), reverse=True)


def describe(folder: Path, running: bool = False) -> RunInfo:
    """What a run folder holds: status, date, cities, annex formats and languages, size, reuse.

    Parameters
    ----------
    folder
        The run folder.
    running
        Whether a live process holds ``outputs/.lock`` (then a ``.partial`` folder is being written).
    """
    manifest = Manifest.find(folder)
    info = RunInfo(folder.name, folder, _status(folder, manifest), size=_size(folder))
    info.running = info.status == "partial" and running
    if manifest is not None:
        info.started, info.commit = manifest.started, manifest.git_commit
        info.notebooks = len(manifest.notebooks)
        info.cities = [n.subject for n in manifest.notebooks if n.kind == "profile"]
        info.briefs = sum(1 for n in manifest.notebooks if n.kind == "brief")
        info.reused_from = sorted({n.reused_from for n in manifest.notebooks if n.reused_from} - {folder.name})
    if not info.started:
        info.started = datetime.fromtimestamp(folder.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
    info.formats, info.languages = _annex_kinds(folder)
    return info


@dataclass
class CleanPlan:
    """What ``workbench clean --keep N`` deletes and keeps, and why each kept run is kept."""

    delete: list[RunInfo]
    keep: list[tuple[RunInfo, str]]  #: each kept run with the reason

    @property
    def freed(self) -> int:
        """Bytes the deletion frees."""
        return sum(r.size for r in self.delete)


def plan_clean(runs: list[RunInfo], keep: int) -> CleanPlan:
    """Choose the runs to delete: all but the ``keep`` newest, except those something still needs.

    Kept whatever their age: the targets of ``latest`` and ``last-attempt``, a ``.partial`` folder
    being written, and every run a kept run reuses from (followed until nothing changes).

    Parameters
    ----------
    runs
        From :func:`list_runs`, newest first.
    keep
        How many of the newest runs to keep (0 or more).

    Raises
    ------
    ConfigError
        If ``keep`` is negative.
    """
    if not isinstance(keep, int) or keep < 0:
        raise ConfigError(f"--keep must be a whole number, 0 or more (the newest runs to keep); got {keep}")
    why: dict[str, str] = {}
    for i, run in enumerate(runs):
        if i < keep:
            why[run.id] = f"one of the {keep} newest"
        elif run.pointers:
            why[run.id] = f"outputs/{' and outputs/'.join(run.pointers)} point{'s' if len(run.pointers) == 1 else ''} at it"
        elif run.running:
            why[run.id] = "being written by a run going on now"
    by_id = {r.id: r for r in runs}
    pending = list(why)
    while pending:
        user = by_id[pending.pop()]
        for source in user.reused_from:
            if source in by_id and source not in why:
                why[source] = f"{user.id} reuses notebooks it computed"
                pending.append(source)
    return CleanPlan([r for r in runs if r.id not in why], [(r, why[r.id]) for r in runs if r.id in why])


def delete_runs(plan: CleanPlan) -> list[Path]:
    """Delete the runs of ``plan``; each is first renamed to a hidden name, so a half-deleted run is never seen as one.

    Call while holding ``outputs/.lock`` (no run may copy from a folder being deleted).

    Returns
    -------
    list of Path
        The folders deleted.

    Raises
    ------
    RunStepError
        When a folder cannot be renamed or removed; the message names it and says what was deleted before.
    """
    done = []
    for run in plan.delete:
        hidden = run.path.with_name(DELETING_PREFIX + run.path.name)
        try:
            run.path.rename(hidden)
            shutil.rmtree(hidden)
        except OSError as exc:
            left = f"; what is left of it is in {hidden}" if hidden.exists() else ""
            raise RunStepError(f"deleting run {run.id}: {exc.strerror or exc} ({exc.filename or run.path}){left}; "
                               f"{len(done)} run(s) deleted before it") from None
        done.append(run.path)
    return done


def leftovers(outputs: Path | None = None) -> list[Path]:
    """Folders a deletion that was cut short left behind (``.deleting-*``), to be removed by the next clean."""
    outputs = outputs or paths.outputs_dir()
    return sorted(p for p in outputs.glob(f"{DELETING_PREFIX}*") if p.is_dir() and not p.is_symlink()) \
        if outputs.is_dir() else []


def human_size(size: int) -> str:
    """Bytes as people read them: ``812 B``, ``4.2 kB``, ``24.1 MB``, ``1.3 GB`` (powers of 1000)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _status(folder: Path, manifest: Manifest | None) -> str:
    if folder.name.endswith(STAGING_SUFFIX):
        return "partial"
    if folder.name.endswith(INTERRUPTED_SUFFIX):
        return "interrupted"
    if manifest is not None and manifest.status in ("ok", "failed", "interrupted"):
        return manifest.status
    return "unknown"


def _annex_kinds(folder: Path) -> tuple[list[str], list[str]]:
    # the formats and languages of the annex files the folder holds
    formats, languages = set(), []
    annex = folder / "annex"
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    for lang in sorted(annex.iterdir(), key=lambda p: (order.get(p.name, len(order)), p.name)) if annex.is_dir() else []:
        found = {p.suffix[1:] for p in lang.glob("*.*") if p.suffix[1:] in ANNEX_FORMATS} if lang.is_dir() else set()
        if found:
            languages.append(lang.name)
            formats |= found
    return [f for f in ANNEX_FORMATS if f in formats], languages


def _size(folder: Path) -> int:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:  # removed meanwhile
                pass
    return total

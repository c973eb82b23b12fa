"""Publish a run: rename its ``.partial`` folder to the name of its outcome, move ``latest`` and ``last-attempt``."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from workbench import paths
from workbench.batch.plan import INTERRUPTED_SUFFIX, STAGING_SUFFIX, RunFolders
from workbench.errors import ConfigError, RunStepError
from workbench.provenance import Manifest

log = logging.getLogger(__name__)

#: Name of the pointer to the most recent run, whatever its outcome (in ``outputs/``).
LAST_ATTEMPT = "last-attempt"
#: Name of the pointer to the most recent run in which every notebook succeeded (in ``outputs/``).
LATEST = "latest"


def point(link: Path, target: Path) -> None:
    """Make ``link`` a symbolic link to ``target`` in one step: a reader sees the old run or the new one, never none."""
    link.parent.mkdir(parents=True, exist_ok=True)
    same = target.parent.resolve() == link.parent.resolve()
    tmp = _temporary(link)
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name if same else target.resolve())
    tmp.replace(link)


def publish(folders: RunFolders, status: str) -> Path:
    """Rename the run's staging folder for its final ``status`` and move the pointers; return the new folder.

    ``outputs/latest`` moves only to a run made under ``outputs/`` whose status is ``ok``;
    ``outputs/last-attempt`` moves to every run.

    Raises
    ------
    RunStepError
        If the rename fails; the message names both folders and the system's reason. The run's
        outputs then stay in the staging folder, which ``last-attempt`` still points at.
    """
    staging, target = folders.staging, folders.for_status(status)
    try:
        if target.is_dir() and not target.is_symlink():
            target.rmdir()  # the empty folder given as --run-dir
        staging.rename(target)
    except OSError as exc:
        raise RunStepError(f"publishing the run: could not rename {staging} to {target} "
                           f"({exc.strerror or exc}); its outputs stay in {staging}, nothing was published") from None
    outputs = paths.outputs_dir()
    if status == "ok" and target.parent.resolve() == outputs.resolve():
        point(outputs / LATEST, target)
    point(outputs / LAST_ATTEMPT, target)
    return target


def last_attempt() -> tuple[Path, Manifest]:
    """The most recent run (``outputs/last-attempt``) and its manifest.

    Raises
    ------
    ConfigError
        If no run was recorded, or its folder or manifest is gone or unreadable.
    """
    link = paths.outputs_dir() / LAST_ATTEMPT
    if not link.is_symlink() and not link.exists():
        raise ConfigError(f"nothing to resume: {link} does not exist (no run was made in {link.parent} yet)")
    folder = link.resolve()
    if not (folder / "manifest.json").is_file():
        raise ConfigError(f"cannot resume: {folder / 'manifest.json'} is missing (the last run was removed or killed "
                          f"before it started); run without --resume")
    manifest = Manifest.find(folder)
    if manifest is None:
        raise ConfigError(f"cannot resume: {folder / 'manifest.json'} is not a workbench run manifest")
    return folder, manifest


def recover(outputs: Path | None = None) -> list[str]:
    """Finish or put aside what a killed command left in ``outputs/``, saying so once on the terminal.

    Called by the next command that writes into ``outputs/`` (``workbench run``, ``workbench annex``)
    while it holds ``outputs/.lock``, so no live run is publishing meanwhile. In order:

    1. a pointer's temporary link (``.latest.tmp``, ``.last-attempt.tmp``), left by a run killed
       while moving that pointer, is removed (the pointer itself was replaced in one step: it still
       names a whole run);
    2. a run killed after its folder was renamed to its outcome but before both pointers moved
       (``last-attempt`` still names its vanished ``.partial`` folder) is published as it would have
       been: the rename is the moment a run's outcome is decided, the pointers follow it;
    3. the ``.partial`` folders of runs killed before that rename are renamed ``.interrupted``
       (:func:`close_abandoned`): nothing of them is published.

    Returns
    -------
    list of str
        What was done, one line each, as logged.
    """
    outputs = outputs or paths.outputs_dir()
    if not outputs.is_dir():
        return []
    notes = []
    for name in (LATEST, LAST_ATTEMPT):
        tmp = _temporary(outputs / name)
        if tmp.is_symlink() or tmp.exists():
            with contextlib.suppress(OSError):
                tmp.unlink()
                notes.append(f"{paths.shown(tmp)}: left by a run killed while moving outputs/{name}; removed "
                             f"(outputs/{name} is as it was)")
    notes += _follow_rename(outputs)
    for note in notes:
        log.warning("%s", note)
    closed = close_abandoned(outputs)
    return notes + [f"{paths.shown(folder)}: left by a run that was killed" for folder in closed]


def _temporary(link: Path) -> Path:
    """The name :func:`point` makes the new link under before it replaces ``link``."""
    return link.with_name(f".{link.name}.tmp")


def _follow_rename(outputs: Path) -> list[str]:
    # last-attempt names a staging folder that is gone: its run was renamed, then killed
    link = outputs / LAST_ATTEMPT
    if not link.is_symlink() or link.exists():
        return []
    try:
        staging = Path(os.readlink(link))
    except OSError:
        return []
    staging = staging if staging.is_absolute() else outputs / staging
    if not staging.name.endswith(STAGING_SUFFIX):
        return []
    base = staging.with_name(staging.name.removesuffix(STAGING_SUFFIX))
    candidates = (base, base.with_name(base.name + "-failed"), base.with_name(base.name + INTERRUPTED_SUFFIX))
    found = [(c, m) for c in candidates if c.is_dir() and not c.is_symlink() and (m := Manifest.find(c)) is not None]
    if not found:
        return []
    folder, manifest = found[0]
    moved = []
    with contextlib.suppress(OSError):
        if manifest.status == "ok" and folder == base and folder.parent.resolve() == outputs.resolve() \
                and (outputs / LATEST).resolve() != folder.resolve():
            point(outputs / LATEST, folder)
            moved.append(LATEST)
        point(link, folder)
        moved.append(LAST_ATTEMPT)
    if not moved:
        return []
    pointers = " and ".join(f"outputs/{name}" for name in moved)
    return [f"{paths.shown(folder)}: its run (status '{manifest.status}') was killed while publishing, after its folder "
            f"was renamed; {pointers} now point{'s' if len(moved) == 1 else ''} at it, as the run would have left them"]


def close_abandoned(outputs: Path | None = None) -> list[Path]:
    """Rename the ``.partial`` folders of runs that were killed to ``.interrupted``, saying so once.

    Called while holding ``outputs/.lock``: no live run writes a ``.partial`` folder then. Each is
    renamed (its manifest, if readable, gets status ``interrupted`` and an error saying why) and
    logged as a warning; the next command does not mention it again.

    Returns
    -------
    list of Path
        The folders as renamed.
    """
    outputs = outputs or paths.outputs_dir()
    closed = []
    for staging in sorted(outputs.glob(f"*{STAGING_SUFFIX}")) if outputs.is_dir() else []:
        if not staging.is_dir() or staging.is_symlink():
            continue
        target = staging.with_name(staging.name.removesuffix(STAGING_SUFFIX) + INTERRUPTED_SUFFIX)
        if target.exists():
            continue
        manifest = Manifest.find(staging)
        with contextlib.suppress(OSError):
            if manifest is not None:
                manifest.status = "interrupted"
                manifest.error = manifest.error or "killed: the run ended without publishing (found by the next command)"
                manifest.write(staging)
            staging.rename(target)
            if (outputs / LAST_ATTEMPT).resolve() == staging.resolve():
                point(outputs / LAST_ATTEMPT, target)
            closed.append(target)
            log.warning("%s: left by a run that was killed; renamed %s (nothing of it was published)",
                        paths.shown(staging), target.name)
    return closed

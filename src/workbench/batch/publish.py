"""Publish a run: rename its ``.partial`` folder to the name of its outcome, move ``latest`` and ``last-attempt``."""

from __future__ import annotations

import contextlib
import logging
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
    tmp = link.with_name(f".{link.name}.tmp")
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

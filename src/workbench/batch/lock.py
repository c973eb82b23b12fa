"""One writer at a time in ``outputs/``: a lock file naming its holder, recovered when the holder is dead.

The lock is ``outputs/.lock``, a JSON object ``{"pid", "host", "started", "command"}``. Its holder
keeps an exclusive ``flock`` on it for as long as it runs; the kernel drops that lock when the
process ends, however it ends (Ctrl-C, ``kill -9``, out of memory). A lock file nobody holds is
left over from a dead run: it is recovered with a warning, unless the process it names is still
alive on this host (another tool's lock, or one written by hand), which is refused like a live one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from workbench.batch import interrupts
from workbench.errors import ConfigError

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"


@dataclass(frozen=True)
class Lock:
    """A lock held by this process: the file and the descriptor that keeps its ``flock``."""

    path: Path
    fd: int


@contextlib.contextmanager
def hold(folder: Path, command: str | None = None) -> Iterator[Lock]:
    """Hold ``<folder>/.lock`` for the duration of a ``with`` block (released however it ends).

    Parameters
    ----------
    folder
        The folder to guard (``outputs/``); created if missing.
    command
        What the holder is doing, shown to whoever is refused (default: this process's command line).

    Yields
    ------
    Lock

    Raises
    ------
    ConfigError
        If another live process holds the lock (see :func:`acquire`).
    """
    # a stop signal while the file is created and written is held until the lock is ours (and then
    # delivered inside the `try`): the lock file is never left behind by an interrupted run
    lock = None
    try:
        with interrupts.deferred():
            lock = acquire(folder, command)
        yield lock
    finally:
        if lock is not None:
            release(lock)


def acquire(folder: Path, command: str | None = None) -> Lock:
    """Take ``<folder>/.lock``, recovering a stale one.

    Parameters
    ----------
    folder
        The folder to guard; created if missing.
    command
        What the holder is doing (default: this process's command line).

    Returns
    -------
    Lock
        Release it with :func:`release`.

    Raises
    ------
    ConfigError
        If another live process holds the lock; the message names its pid, host, start time and command.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    # a holder releasing between our open and our flock leaves us an unlinked file: open again
    for _ in range(20):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            taken = _take(fd, path)
        except BaseException:
            os.close(fd)
            raise
        if taken:
            _write_holder(fd, command)
            return Lock(path, fd)
        os.close(fd)
    raise ConfigError(f"{path}: could not take the lock (it kept changing hands); run again")


def release(lock: Lock) -> None:
    """Remove the lock file (if it is still this lock's) and drop the ``flock``.

    A lock file that cannot be removed (a folder made read-only meanwhile) is left with a warning:
    nobody holds it once the ``flock`` is dropped, so the next run recovers it; the error that
    ended the run is the one reported, not this one.
    """
    try:
        if _same_file(lock.fd, lock.path):
            lock.path.unlink()
    except OSError as exc:
        log.warning("%s: could not remove the lock file (%s); the next run recovers it", lock.path, exc.strerror or exc)
    finally:
        os.close(lock.fd)


def read_holder(path: Path) -> dict | None:
    """The holder recorded in a lock file, or ``None`` when the file is missing, empty or not a lock."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def live_holder(folder: Path) -> dict | None:
    """The holder of ``<folder>/.lock`` when a live process holds it, else ``None``; takes nothing.

    For commands that only look (``workbench runs``): a ``.partial`` run folder is being written
    when the lock has a live holder, and was left by a killed run otherwise.
    """
    path = Path(folder) / LOCK_NAME
    holder = read_holder(path)
    return holder if holder and _alive(holder) else None


def _take(fd: int, path: Path) -> bool:
    # True when this descriptor now holds the lock on the file at `path`; raises when someone else does
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise ConfigError(_busy(path, read_holder(path))) from None
    if not _same_file(fd, path):
        return False
    holder = read_holder(path)
    if holder and _alive(holder):
        raise ConfigError(_busy(path, holder))
    if holder or os.fstat(fd).st_size:
        log.warning("%s: stale lock of a run that is no longer alive (%s) recovered", path, _describe(holder))
    return True


def _write_holder(fd: int, command: str | None) -> None:
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command or " ".join(["workbench", *sys.argv[1:]]),
    }
    data = json.dumps(holder, ensure_ascii=False).encode("utf-8")
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _alive(holder: dict) -> bool:
    # a lock nobody flocks is alive only if its process still runs here (and is not us: a reused pid)
    pid = holder["pid"]
    if holder.get("host") != socket.gethostname():
        return True  # no way to look at another host's processes: never take its lock
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _started_after(pid, holder.get("started"))


def _started_after(pid: int, started: object) -> bool:
    # a process younger than the lock it is named in got a dead holder's recycled pid
    try:
        import psutil

        when = datetime.fromisoformat(str(started)).timestamp()
        return psutil.Process(pid).create_time() > when + 1
    except Exception:  # no psutil, an unreadable date, the process gone meanwhile: cannot tell
        return False


def _describe(holder: dict | None) -> str:
    if not holder:
        return "no holder recorded"
    return f"pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}"


def _busy(path: Path, holder: dict | None) -> str:
    if holder and holder.get("host") != socket.gethostname():
        advice = f"wait for it or, if it is dead, delete {path}"
    else:
        advice = "wait for it or, if it is dead, run again (stale locks are recovered)"
    command = f": {holder.get('command')}" if holder and holder.get("command") else ""
    return f"another workbench run ({_describe(holder)}{command}) is using {path.parent}/ (lock file {path}); {advice}"

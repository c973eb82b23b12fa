"""Where things live in the project, and the check that nothing leads out of it (standard library only)."""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
from pathlib import Path

from workbench.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


#: What makes a folder a workbench project: these folders in it (a clone of the repository has them all).
PROJECT_MARKERS: tuple[str, ...] = ("data/registry", "params", "notebooks")
#: The variable that names the project explicitly (it wins over the search, as ``GIT_DIR`` does for git).
ROOT_VARIABLE = "WORKBENCH_ROOT"


def project_root() -> Path:
    """Return the project folder the commands work on (see :func:`locate_project`).

    Returns
    -------
    Path
        Absolute path of the project root (the folder with ``data/``, ``params/``, ``notebooks/``).

    Raises
    ------
    ConfigError
        When the current folder lies in another project than the one this environment's package
        comes from, or when no project is found (see :func:`locate_project`).
    """
    return locate_project()[0]


def locate_project() -> tuple[Path, str]:
    """Find the project, and say how it was found; the answer is cached per process.

    In this order:

    1. ``$WORKBENCH_ROOT`` when set (``'WORKBENCH_ROOT'``);
    2. the nearest folder at or above the current one that holds ``data/registry/``, ``params/``
       and ``notebooks/`` (``'current folder'``), as git finds a repository;
    3. the clone the package is installed from, for an editable install (``'package'``), so that
       a command started elsewhere (``/tmp``, a run folder outside the project) still finds it.

    Returns
    -------
    tuple of (Path, str)
        The absolute project folder, and how it was found.

    Raises
    ------
    ConfigError
        If the current folder is in a project other than the clone this environment's package is
        installed from (editable, from another clone): its code and its data would not match; or
        if no project is found at all (a package installed into an environment, started outside
        any project, without ``WORKBENCH_ROOT``).
    """
    try:
        cwd = os.getcwd()
    except OSError:  # the current folder was removed
        cwd = ""
    return _locate(os.environ.get(ROOT_VARIABLE, ""), cwd, PACKAGE_DIR)


def is_project(folder: Path) -> bool:
    """Whether ``folder`` is a workbench project (it holds every folder of :data:`PROJECT_MARKERS`)."""
    return all((Path(folder) / marker).is_dir() for marker in PROJECT_MARKERS)


def find_project(start: Path) -> Path | None:
    """The nearest project at or above ``start`` (resolved), or ``None``."""
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return None


@functools.lru_cache(maxsize=16)
def _locate(explicit: str, cwd: str, package_dir: Path) -> tuple[Path, str]:
    # keyed on everything the answer depends on: a test that changes WORKBENCH_ROOT or the
    # current folder gets a fresh answer, a command asks the file system once
    if explicit:
        return Path(explicit).resolve(), ROOT_VARIABLE
    found = find_project(Path(cwd)) if cwd else None
    clone = package_dir.resolve().parent.parent
    home = clone if is_project(clone) else None
    if found is not None and home is not None and found != home:
        raise ConfigError(
            f"this environment's workbench is installed from {home} (environment {sys.prefix}); you are in "
            f"{found}: run `make setup` there and use its .venv, or set {ROOT_VARIABLE}={found} to work on "
            "it with this environment")
    if found is not None:
        return found, "current folder"
    if home is not None:
        return home, "package"
    raise ConfigError(
        f"no workbench project in {cwd or 'the current folder'} or any folder above it (a project holds "
        f"{', '.join(m + '/' for m in PROJECT_MARKERS)}); change into the project's folder or set "
        f"{ROOT_VARIABLE}=/path/to/project")


def data_dir() -> Path:
    """Return ``data/`` (registries, tidy tables, expert figures)."""
    return project_root() / "data"


def registry_dir() -> Path:
    """Return ``data/registry/`` (cities, sources, definitions, indicators: written by people)."""
    return data_dir() / "registry"


def tidy_dir() -> Path:
    """Return ``data/tidy/`` (tidy tables written only by ``workbench ingest``)."""
    return data_dir() / "tidy"


def boundaries_dir() -> Path:
    """Return ``data/boundaries/`` (simplified boundary files written only by ``workbench ingest``)."""
    return data_dir() / "boundaries"


def local_dir() -> Path:
    """Return ``data/local/`` (figures entered by local experts)."""
    return data_dir() / "local"


def params_dir() -> Path:
    """Return ``params/`` (one YAML file per city and per comparison)."""
    return project_root() / "params"


def notebooks_dir() -> Path:
    """Return ``notebooks/`` (parameterised templates)."""
    return project_root() / "notebooks"


def outputs_dir() -> Path:
    """Return ``outputs/`` (written only by the runner)."""
    return project_root() / "outputs"


def shown(path: Path | str, root: Path | None = None) -> str:
    """``path`` as messages show it: relative to ``root`` (default the project) when inside it, else as given."""
    try:
        return Path(path).relative_to(root or project_root()).as_posix()
    except ValueError:
        return str(path)


#: What an id must look like to become part of a file name (a lowercase ASCII slug).
SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def inside(path: Path | str, root: Path | str) -> Path:
    """Resolve ``path`` (following symbolic links) and make sure it stays inside ``root``.

    Every file the project reads or writes under a name that came from an id, a parameter or
    a data folder goes through here, so no ``..``, absolute path or symbolic link can lead a
    read or a write out of the project's folders.

    Parameters
    ----------
    path
        The file or folder; a relative path is taken relative to ``root``.
    root
        The folder it must stay in (itself resolved first).

    Returns
    -------
    Path
        The resolved path (absolute, no symbolic link left).

    Raises
    ------
    ConfigError
        If the path holds a NUL character, leads out of ``root`` through ``..`` or an absolute
        path, or is (or passes through) a symbolic link whose target lies outside ``root``;
        the message names the path, the link and its target.
    """
    for text in (str(path), str(root)):
        if "\x00" in text:
            raise ConfigError(f"{text!r}: a path may not hold a NUL character; expected a plain file name")
    base = Path(root).resolve()
    candidate = Path(path) if Path(path).is_absolute() else base / path
    resolved = candidate.resolve()
    if resolved == base or resolved.is_relative_to(base):
        return resolved
    lexical = Path(os.path.normpath(candidate))
    if lexical.is_relative_to(base) or lexical.is_relative_to(os.path.normpath(Path(root).absolute())):
        link = _first_link(lexical, base)
        raise ConfigError(
            f"{link}: a symbolic link to {link.resolve()}, outside {base}; expected a file inside {base} "
            "(replace the link by the file itself)"
        )
    raise ConfigError(f"{path}: outside {base}; expected a path inside it (no '..', absolute path or link leading out)")


def _first_link(path: Path, base: Path) -> Path:
    """The first symbolic link on the way from ``base`` down to ``path`` (``path`` if none is found)."""
    current = base
    for part in path.relative_to(base).parts if path.is_relative_to(base) else path.parts:
        current = current / part
        if current.is_symlink():
            return current
    return path


def named_file(folder: Path | str, name: str, suffix: str = "", what: str = "id") -> Path:
    """The file ``<folder>/<name><suffix>`` for an id given by a user, checked before any use.

    Parameters
    ----------
    folder
        The folder the file must lie in (``params/``, ``data/local/figures/`` ...).
    name
        The id (a city id, a comparison name ...).
    suffix
        Appended to the id, such as ``.yaml``.
    what
        What the id is, for the message (``'city id'``).

    Returns
    -------
    Path
        The resolved file, inside ``folder``.

    Raises
    ------
    ConfigError
        If ``name`` is not a lowercase ASCII slug (letters a-z, digits, ``_`` or ``-``, at most
        64 characters: no separator, ``..``, NUL, capital or look-alike Unicode letter), or
        the file is a symbolic link leading out of ``folder``.
    """
    if not isinstance(name, str) or not SAFE_NAME.fullmatch(name):
        raise ConfigError(
            f"{what} {ascii(name)} cannot name a file; expected a lowercase ASCII slug (letters a-z, "
            "digits, '_' or '-'), such as 'madrid'"
        )
    return inside(Path(folder) / f"{name}{suffix}", folder)


def read_bytes(path: Path | str, error: type[Exception] = ConfigError, expected: str = "a file") -> bytes:
    """The bytes of a file a user gave, or one ``error`` naming the file and why it cannot be read.

    Parameters
    ----------
    path
        The file.
    error
        The exception raised (``ConfigError`` for settings, ``SchemaError`` for data files).
    expected
        What the path should be, for the message of a folder given instead (``'a YAML file'``).
    """
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected {expected}") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None


def write_atomic(path: Path | str, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary name in the same folder, renamed when complete.

    A reader never sees a half-written file, and a failure (a full disk, a killed process) leaves
    the previous file as it was; the temporary file is removed when the write fails. The temporary
    name is unique to the process and thread, so two writers of the same file never share it.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    data
        Bytes, or text written as UTF-8.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the temporary file cannot be written or renamed; the caller names the step.
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path

"""Where things live in the project, and the check that nothing leads out of it (standard library only)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from workbench.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """Return the project folder: ``$WORKBENCH_ROOT`` if set, else the repository holding the package.

    Returns
    -------
    Path
        Absolute path of the project root (the folder with ``data/``, ``params/``, ``notebooks/``).
    """
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env).resolve()
    return PACKAGE_DIR.parent.parent


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

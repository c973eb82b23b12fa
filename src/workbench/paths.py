"""Where things live in the project (standard library only)."""

from __future__ import annotations

import os
from pathlib import Path

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

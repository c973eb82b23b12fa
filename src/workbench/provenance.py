"""Hashes and run metadata that let every published number be traced to its inputs."""

from __future__ import annotations

import hashlib
import importlib.metadata
import subprocess
from pathlib import Path

#: Distributions whose versions go into every manifest and cache key.
TRACKED_PACKAGES: tuple[str, ...] = (
    "workbench",
    "pandas",
    "numpy",
    "pandera",
    "papermill",
    "nbconvert",
    "matplotlib",
    "seaborn",
    "statsmodels",
    "openpyxl",
    "xlrd",
    "rdata",
)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Return the installed version of each tracked package (``'not installed'`` if absent)."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit(root: Path) -> str:
    """Return the checked-out commit of ``root`` with ``-dirty`` if files changed, or ``'unknown'``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")

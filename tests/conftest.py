"""Shared fixtures: a throw-away copy of the project, and the location of the official raw files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def raw_dir() -> Path | None:
    """The official source files: $WORKBENCH_RAW, else ../shared/data/raw beside the project."""
    candidate = Path(os.environ.get("WORKBENCH_RAW", ROOT.parent / "shared" / "data" / "raw"))
    return candidate if candidate.is_dir() else None


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of data/, params/ and notebooks/ in tmp_path, for tests that change inputs."""
    return copy_project(tmp_path / "project")


def copy_project(root: Path) -> Path:
    """Copy data/, params/ and notebooks/ into ``root`` with an empty outputs/ (see :func:`project_copy`)."""
    for part in ("data", "params", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    (root / "outputs").mkdir()
    return root


def run_cli(*args: str, root: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the `workbench` command in a fresh process (optionally on a project copy)."""
    env = dict(os.environ)
    if root is not None:
        env["WORKBENCH_ROOT"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=str(root or ROOT),
    )


@pytest.fixture(scope="module")
def temporary_cache_home(tmp_path_factory):
    """``XDG_CACHE_HOME`` in a temporary folder for a module's tests (e.g. Word reference documents)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield

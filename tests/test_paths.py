"""Which project the commands work on: WORKBENCH_ROOT, else the folders up from the current one, else the package's clone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from workbench import paths
from workbench.errors import ConfigError


def make_project(folder: Path) -> Path:
    """An empty project: the folders that mark one."""
    for marker in paths.PROJECT_MARKERS:
        (folder / marker).mkdir(parents=True)
    return folder


@pytest.fixture
def no_root(monkeypatch):
    monkeypatch.delenv(paths.ROOT_VARIABLE, raising=False)


def test_the_search_goes_up_from_the_current_folder(tmp_path, monkeypatch, no_root):
    project = make_project(tmp_path / "clone")
    deep = project / "data" / "local" / "figures"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "venv" / "lib" / "site-packages" / "workbench")  # not editable
    assert paths.locate_project() == (project.resolve(), "current folder")
    assert paths.outputs_dir() == project.resolve() / "outputs"


def test_workbench_root_wins_over_the_search(tmp_path, monkeypatch):
    here = make_project(tmp_path / "here")
    there = make_project(tmp_path / "there")
    monkeypatch.chdir(here)
    monkeypatch.setenv(paths.ROOT_VARIABLE, str(there))
    assert paths.locate_project() == (there.resolve(), "WORKBENCH_ROOT")


def test_another_clone_than_the_packages_is_refused_in_one_line(tmp_path, monkeypatch, no_root):
    installed = make_project(tmp_path / "a" / "b")
    (installed / "src" / "workbench").mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGE_DIR", installed / "src" / "workbench")
    other = make_project(tmp_path / "c" / "d")
    monkeypatch.chdir(other / "params")
    with pytest.raises(ConfigError) as caught:
        paths.project_root()
    message = str(caught.value)
    assert "\n" not in message
    assert f"installed from {installed.resolve()}" in message and f"you are in {other.resolve()}" in message
    assert "make setup" in message and "WORKBENCH_ROOT" in message
    monkeypatch.chdir(installed / "notebooks")  # in its own clone: fine
    assert paths.project_root() == installed.resolve()
    monkeypatch.chdir(tmp_path)  # outside any project: the package's clone (an editable install)
    assert paths.locate_project() == (installed.resolve(), "package")


def test_no_project_anywhere_says_what_to_do(tmp_path, monkeypatch, no_root):
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "venv" / "site-packages" / "workbench")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="no workbench project in .* set WORKBENCH_ROOT"):
        paths.project_root()


def _cli(*args: str, cwd: Path, root: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != paths.ROOT_VARIABLE}
    env["PYTHONPATH"] = str(ROOT / "src")
    if root:
        env[paths.ROOT_VARIABLE] = root
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_commands_print_the_project_once_and_refuse_another_clone(tmp_path):
    result = _cli("runs", cwd=ROOT / "docs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"project: {ROOT}"
    assert result.stdout.count("project:") == 1
    other = make_project(tmp_path / "second-clone")
    result = _cli("runs", cwd=other)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: this environment's workbench is installed from {ROOT}") and str(other) in line
    result = _cli("runs", cwd=other, root=str(other))
    assert result.returncode == 0 and result.stdout.splitlines()[0] == f"project: {other} (from WORKBENCH_ROOT)"
    result = _cli("runs", "--json", cwd=ROOT)
    assert result.returncode == 0 and result.stdout.startswith("{"), "JSON output carries no project line"

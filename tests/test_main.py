"""Tests of `python -m workbench`: the same command as the `workbench` console script."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_python_m_workbench_shows_the_commands():
    result = _module("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: workbench ")
    for word in ("run", "ingest", "validate", "annex", "exit codes"):
        assert word in result.stdout


def test_python_m_workbench_passes_the_exit_code_on():
    result = _module("run", "--city", "nowhere")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown city 'nowhere'")


def test_python_m_workbench_version_names_the_distribution_and_the_project():
    result = _module("--version")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("city-migration-workbench ") and "(Python 3." in first
    assert second == f"project: {ROOT}"

"""Tests of the `workbench` command as a user meets it: help, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli


def test_help_lists_commands_and_exit_codes():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("run", "ingest", "validate", "annex", "exit codes"):
        assert word in result.stdout


def test_run_unknown_city_is_one_line_error_without_traceback():
    result = run_cli("run", "--city", "nowhere")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown city 'nowhere'; known cities: amman, beirut, lisbon, lyon, madrid, tanger, tunis, "
        "turin, vienna (add one with an entry in data/registry/cities.yaml)"
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_run_params_file_with_unknown_key_names_file_and_key(project_copy: Path):
    (project_copy / "params" / "madrid.yaml").write_text("city_id: madrid\ncolour: red\n", encoding="utf-8")
    result = run_cli("run", "--city", "madrid", root=project_copy)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "madrid.yaml" in lines[0] and "'colour'" in lines[0] and "unknown key" in lines[0]
    assert not any((project_copy / "outputs").iterdir()), "nothing is written for a parameter error"


def test_debug_shows_traceback():
    result = run_cli("--debug", "run", "--city", "nowhere")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_validate_passes_on_the_project():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checks passed" in result.stdout


def test_validate_reports_a_broken_expert_file(project_copy: Path):
    (project_copy / "data" / "local" / "figures" / "amman.csv").write_text("place_id,value\nJOR,x\n", encoding="utf-8")
    result = run_cli("validate", root=project_copy)
    assert result.returncode == 3
    assert "FAIL expert figures amman.csv" in result.stdout


def test_ingest_missing_raw_folder_is_clear(tmp_path: Path):
    result = run_cli("ingest", "--raw", str(tmp_path / "absent"))
    assert result.returncode == 2 and "does not exist" in result.stderr

"""Tests of the `workbench` command as a user meets it: help, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, run_cli


def test_help_lists_commands_and_exit_codes():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("run", "ingest", "validate", "annex", "exit codes"):
        assert word in result.stdout


def test_run_unknown_city_is_one_line_error_without_traceback():
    result = run_cli("run", "--city", "nowhere")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: unknown city 'nowhere'; known cities: amman, barcelona, beirut, lisbon, lyon, madrid, tanger, tunis, "
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


def test_quiet_prints_only_the_final_summary_line_and_errors():
    result = run_cli("-q", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith("all ") and "checks passed" in result.stdout
    failed = run_cli("-q", "run", "--city", "nowhere")
    assert failed.returncode == 2 and failed.stderr.startswith("error: unknown city 'nowhere'") and not failed.stdout
    listing = run_cli("-q", "cities")
    assert "madrid" in listing.stdout, "a listing is the command's result, not its chatter"


def test_quiet_and_verbose_set_the_log_levels(monkeypatch):
    import argparse
    import logging

    from workbench import cli
    from workbench.cli import output

    workbench_logger, root = logging.getLogger("workbench"), logging.getLogger()
    levels = workbench_logger.level, root.level
    monkeypatch.setattr(output, "_quiet", False)
    monkeypatch.setattr(logging, "basicConfig", lambda level, **kw: root.setLevel(level))
    try:
        cli._set_verbosity(argparse.Namespace(debug=False, quiet=False, verbose=True))
        assert workbench_logger.getEffectiveLevel() == logging.INFO and root.level == logging.WARNING
        cli._set_verbosity(argparse.Namespace(debug=False, quiet=True, verbose=False))
        assert root.level == logging.ERROR and output.console().quiet and not output.console(result=True).quiet
    finally:
        workbench_logger.setLevel(levels[0])
        root.setLevel(levels[1])
    both = run_cli("-q", "-v", "validate")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_version_names_the_distribution_its_version_and_the_project():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.split()[0] == "city-migration-workbench" and "(Python 3." in first
    assert second == f"project: {ROOT}"


def test_validate_reports_a_broken_expert_file(project_copy: Path):
    (project_copy / "data" / "local" / "figures" / "amman.csv").write_text("place_id,value\nJOR,x\n", encoding="utf-8")
    result = run_cli("validate", root=project_copy)
    assert result.returncode == 3
    assert "FAIL expert figures amman.csv" in result.stdout


def test_ingest_missing_raw_folder_is_clear(tmp_path: Path):
    result = run_cli("ingest", "--raw", str(tmp_path / "absent"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_validate_paths_outside_the_project_names_each_file_and_exits_3(tmp_path: Path):
    bad_params = tmp_path / "madrid.yaml"
    bad_params.write_text("city_id: madrid\ncolour: red\nshade: blue\n", encoding="utf-8")
    empty = tmp_path / "table.csv"
    empty.write_bytes(b"")
    result = run_cli("validate", str(bad_params), str(empty))
    assert result.returncode == 3, result.stderr  # a bad data file outranks a bad params file
    out = result.stdout
    assert f"FAIL params file {bad_params}" in out and "'colour'" in out and "'shade'" in out
    assert out.count("allowed keys") == 1, "the allowed keys are listed once"
    assert f"FAIL data file {empty}" in out and "file is empty" in out
    assert "Traceback" not in out + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["madrid.yaml", "table.csv"], "validate writes nothing"


def test_validate_a_params_file_alone_exits_2_and_kind_needs_a_path(tmp_path: Path):
    bad = tmp_path / "lyon.yaml"
    bad.write_text("city_id: lyon\ntop_n_origins: '10'\n", encoding="utf-8")
    result = run_cli("validate", str(bad))
    assert result.returncode == 2 and "key 'top_n_origins'" in result.stdout
    result = run_cli("validate", "--kind", "tidy")
    assert result.returncode == 2 and result.stderr.startswith("error: --kind applies to the files")
    result = run_cli("validate", "--kind", "spreadsheet", str(bad))
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_run_params_file_from_anywhere_is_checked_before_anything_runs(project_copy: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    wrong = outside / "turin.yaml"
    wrong.write_text("city_id: turin\ntop_n_origins: 2\nlanguage: de\n", encoding="utf-8")
    result = run_cli("run", "--params", str(wrong), root=project_copy)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert str(wrong) in line and "key 'top_n_origins'" in line and "key 'language'" in line
    comparison = outside / "compare.yaml"
    comparison.write_text("city_ids: [turin]\n", encoding="utf-8")
    result = run_cli("run", "--params", str(comparison), root=project_copy)
    assert result.returncode == 2 and "--params takes a city's params file" in result.stderr
    result = run_cli("run", "--resume", "--params", str(wrong), root=project_copy)
    assert result.returncode == 2 and "cannot be combined" in result.stderr
    assert not any((project_copy / "outputs").iterdir()), "nothing is written for a parameter error"


def test_an_unexpected_error_is_one_line_without_traceback(project_copy: Path):
    # a registry that is not a file but a folder: a system error, said in one line
    registry = project_copy / "data" / "registry" / "cities.yaml"
    registry.unlink()
    registry.mkdir()
    result = run_cli("cities", root=project_copy)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_help_states_the_exit_codes_of_errors_py():
    from workbench.errors import EXIT_CODES

    result = run_cli("--help")
    epilog = result.stdout.split("exit codes:", 1)[1]
    assert [int(line.split()[0]) for line in epilog.splitlines() if line[:6].strip().isdigit()] == list(EXIT_CODES)


def test_readme_exit_code_table_is_the_one_of_errors_py():
    from workbench.errors import EXIT_CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| exit code | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|", 1) for line in table.strip().splitlines()[1:]]
    assert {int(code): meaning.strip() for code, meaning in rows} == EXIT_CODES


def test_exception_exit_codes_are_stated_codes():
    from workbench import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and hasattr(c, "exit_code")]
    assert {c.exit_code for c in classes} <= set(errors.EXIT_CODES)


def test_a_wrong_annex_format_is_refused_with_the_renderers_formats(project_copy: Path):
    result = run_cli("run", "--city", "vienna", "--format", "odt", root=project_copy)
    assert result.returncode == 2 and "odt not allowed; choose from html, docx, pdf" in result.stderr
    assert not any((project_copy / "outputs").iterdir())

"""End-to-end runs: one real city and the comparison; a failing notebook does not stop the batch."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from conftest import run_cli

pytestmark = pytest.mark.slow


def test_run_one_city_and_comparison_end_to_end(project_copy: Path):
    run_dir = project_copy / "outputs" / "run-a"
    result = run_cli("run", "--city", "vienna", "--run-dir", str(run_dir), root=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    from workbench.batch.tasks import comparisons

    assert [n["name"] for n in manifest["notebooks"]] == ["vienna"] + [f"compare-{name}" for name, _, _ in comparisons()]
    assert manifest["inputs"] and manifest["packages"]["pandas"]
    environment = manifest["environment"]  # every installed distribution, and what outside Python shapes an annex
    assert environment["distributions"]["mistune"] and environment["distributions"]["jinja2"]
    assert set(environment["system"]) == {"python", "pandoc", "pango", "harfbuzz-subset"}
    annex = (run_dir / "annex" / "en" / "vienna.html").read_text(encoding="utf-8")
    assert "Table A.1." in annex and "Source:" in annex and "import " not in annex
    network = (run_dir / "annex" / "en" / "network.html").read_text(encoding="utf-8")
    assert "Migrant populations compared" in network and "Peer-learning theme: Social cohesion" in network
    for fmt in ("docx", "pdf"):
        assert (run_dir / "annex" / "en" / f"vienna.{fmt}").stat().st_size > 10_000
        assert (run_dir / "annex" / "en" / f"network.{fmt}").is_file()
    assert (run_dir / "cities" / "vienna" / "framework_values.csv").is_file()
    assert (project_copy / "outputs" / "latest").resolve() == run_dir.resolve()
    assert (project_copy / "outputs" / "last-attempt").resolve() == run_dir.resolve()
    assert sorted(p.name for p in (project_copy / "outputs").iterdir()) == ["last-attempt", "latest", "run-a"], \
        "no staging folder, lock or temporary file is left beside the run"
    assert not list(run_dir.rglob("*.tmp"))
    # other programs' warnings go to the run's log, named in the summary; the terminal keeps ours
    assert f"Log (other programs' warnings): {run_dir / 'run.log'}" in result.stdout
    assert (run_dir / "run.log").read_text(encoding="utf-8").startswith("--- workbench run --city vienna")
    foreign = [line for line in result.stderr.splitlines()
               if line.startswith(("WARNING", "INFO", "ERROR")) and not line.split()[1].startswith("workbench")]
    assert not foreign and "HarfBuzz" not in result.stderr, result.stderr


def test_comparisons_of_one_city_without_a_city_level_share_run(project_copy: Path):
    # Tunis publishes no city-level migrant share: the overview compares nothing, and says so
    run_dir = project_copy / "outputs" / "run-tunis"
    result = run_cli("run", "--city", "tunis", "--run-dir", str(run_dir), "--no-annex", root=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_failing_notebook_is_isolated_and_reported(project_copy: Path):
    template = project_copy / "notebooks" / "city_profile.ipynb"
    nb = nbformat.read(str(template), as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell('assert city_id != "tunis", "injected failure"'))
    nbformat.write(nb, str(template))
    run_dir = project_copy / "outputs" / "run-b"
    result = run_cli("run", "--cities", "tunis,vienna", "--run-dir", str(run_dir), "--format", "html", root=project_copy)
    assert result.returncode == 4
    assert "1 of 12 notebook(s) failed: tunis" in result.stderr
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    status = {n["name"]: (n["status"], n["failed_cell"]) for n in manifest["notebooks"]}
    executed = nbformat.read(str(run_dir / "cities" / "tunis" / "profile.ipynb"), as_version=4)
    failing = next(c.execution_count for c in executed.cells if c.cell_type == "code" and "injected failure" in c.source)
    assert status["tunis"] == ("failed", failing), "the failed cell is named by its In [n] label"
    assert status["vienna"][0] == "ok" and status["compare-overview"][0] == "ok" and status["compare-origins"][0] == "ok"
    assert "injected failure" in next(n["error"] for n in manifest["notebooks"] if n["name"] == "tunis")
    assert (run_dir / "annex" / "en" / "vienna.html").is_file() and not (run_dir / "annex" / "en" / "tunis.html").exists()
    assert not (project_copy / "outputs" / "latest").exists(), "a failed run never becomes the latest"
    assert manifest["status"] == "failed", "a failed run given by --run-dir keeps its name; its manifest says it failed"
    assert not (project_copy / "outputs" / "run-b.partial").exists()
    assert (project_copy / "outputs" / "last-attempt").resolve() == run_dir.resolve()
    overview = next(n for n in manifest["notebooks"] if n["name"] == "compare-overview")
    assert overview["parameters"]["city_ids"] == ["vienna"], "comparisons read only the cities that succeeded"


def test_plan_takes_given_parameters_instead_of_the_params_file(tmp_path: Path):
    from workbench.reference.params import validate_params
    from workbench.batch.plan import plan

    given = validate_params("city_profile", {"city_id": "turin", "top_n_origins": 5, "language": "fr"}, "test")
    cities, compare = plan(["turin", "lyon"], tmp_path, with_compare=False, params={"turin": given})
    assert compare == []
    turin, lyon = cities
    assert turin.parameters == {"city_id": "turin", "top_n_origins": 5, "output_dir": ".", "language": "fr"}
    assert lyon.parameters["top_n_origins"] != 5 or lyon.parameters["language"] == "en"


def test_a_bad_expert_figures_file_is_refused_before_anything_runs(project_copy: Path):
    figures = project_copy / "data" / "local" / "figures" / "tunis.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",TUN,", ",TUR,", 1), encoding="utf-8")
    result = run_cli("run", "--city", "vienna", "--no-annex", root=project_copy)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "tunis.csv, CSV line 2, column 'country_iso3'" in result.stderr
    assert sorted(p.name for p in (project_copy / "outputs").iterdir()) == [], "nothing ran, nothing was written"

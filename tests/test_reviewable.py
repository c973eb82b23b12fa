"""Reviewable notebooks: templates paired with percent scripts, no volatile metadata, nbdime for git."""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml
from jupytext.cli import jupytext as jupytext_cli

from conftest import ROOT
from workbench.batch.baseline import strip_volatile_metadata

NOTEBOOKS = ROOT / "notebooks"
TEMPLATES = sorted(NOTEBOOKS.glob("*.ipynb"))
BASELINES = sorted((ROOT / "tests" / "nbval").rglob("*.ipynb"))
SYNC_HINT = "run `jupytext --sync notebooks/*.ipynb` (the newer of the two files wins)"

#: Metadata papermill and nbclient write on every run: timings, the machine's paths and environment.
PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables",
                      "version")
#: Cell metadata that records an execution or the state of the editor, not the notebook.
CELL_VOLATILE = ("execution", "papermill", "ExecuteTime", "collapsed", "scrolled", "trusted")


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_has_a_paired_script_with_the_same_cells(path: Path):
    script = path.with_suffix(".py")
    assert script.is_file(), f"{script.name} is missing: {SYNC_HINT}"
    notebook = nbformat.read(str(path), as_version=4)
    paired = jupytext.read(script)
    assert _cells(paired) == _cells(notebook), f"{script.name} and {path.name} differ: {SYNC_HINT}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_paired_files_are_what_jupytext_writes_from_either(path: Path, tmp_path: Path):
    # Syncing from either side changes neither file, so a JupyterLab save or a `jupytext --sync`
    # after a text edit shows in git as that edit only.
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for source in (path, path.with_suffix(".py"), NOTEBOOKS / "jupytext.toml"):
        shutil.copy2(source, folder / source.name)
    notebook, script = folder / path.name, folder / path.with_suffix(".py").name
    for newer, older in ((notebook, script), (script, notebook)):
        os.utime(older, (1_700_000_000, 1_700_000_000))
        os.utime(newer, (1_700_000_100, 1_700_000_100))
        assert jupytext_cli(["--sync", "--quiet", str(notebook)]) in (0, None)
        assert notebook.read_bytes() == path.read_bytes(), f"syncing from {newer.name} rewrites {path.name}: {SYNC_HINT}"
        assert script.read_bytes() == path.with_suffix(".py").read_bytes(), \
            f"syncing from {newer.name} rewrites {script.name}: {SYNC_HINT}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_paired_script_has_no_volatile_lines(path: Path):
    lines = path.with_suffix(".py").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# ---"
    end = lines.index("# ---", 1)
    header = yaml.safe_load("\n".join(line[2:] for line in lines[1:end]))
    kernelspec = nbformat.read(str(path), as_version=4).metadata["kernelspec"]
    assert header == {"jupyter": {"kernelspec": dict(kernelspec)}}, "the header shows the kernel only (no versions)"
    for line in lines[end + 1:]:
        if line.startswith("# %%"):
            assert re.fullmatch(r'# %%( \[markdown\]| \[raw\])?( tags=\["[^"]+"(, "[^"]+")*\])?', line), \
                f"a cell marker with metadata other than tags: {line!r}"


def volatile_metadata(nb) -> list[str]:
    """What in a notebook's metadata or its cells' metadata changes from one run or machine to the next."""
    found = [f"metadata.papermill.{key}" for key in PAPERMILL_VOLATILE if key in nb.metadata.get("papermill", {})]
    found += [f"metadata.{key}" for key in ("widgets",) if key in nb.metadata]
    if "version" in nb.metadata.get("language_info", {}):
        found.append("metadata.language_info.version")
    if "text_representation" in nb.metadata.get("jupytext", {}):
        found.append("metadata.jupytext.text_representation")
    found += [f"metadata: absolute path {p!r}" for p in _absolute_paths(nb.metadata)]
    for number, cell in enumerate(nb.cells):
        found += [f"cells[{number}].metadata.{key}" for key in CELL_VOLATILE if key in cell.metadata]
        found += [f"cells[{number}].metadata: absolute path {p!r}" for p in _absolute_paths(cell.metadata)]
    return found


def _absolute_paths(value) -> list[str]:
    if isinstance(value, dict):
        return [p for item in value.values() for p in _absolute_paths(item)]
    if isinstance(value, list):
        return [p for item in value for p in _absolute_paths(item)]
    return [value] if isinstance(value, str) and re.match(r"(/|~/|[A-Za-z]:[\\/])", value) else []


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_carries_no_volatile_metadata(path: Path):
    nb = nbformat.read(str(path), as_version=4)
    assert volatile_metadata(nb) == []
    assert set(nb.metadata) <= {"kernelspec", "language_info", "jupytext"}, "no papermill, widget or editor state"
    # Pairing comes from notebooks/jupytext.toml; the notebook keeps only the filters jupytext records.
    assert set(nb.metadata.get("jupytext", {})) <= {"notebook_metadata_filter", "cell_metadata_filter"}
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags"}, f"cell {cell.id}: metadata the .py does not show: {sorted(cell.metadata)}"
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"cell {cell.id}: outputs in a template"


@pytest.mark.parametrize("path", BASELINES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_baseline_carries_no_volatile_metadata(path: Path):
    nb = nbformat.read(str(path), as_version=4)
    assert volatile_metadata(nb) == [], "strip it with workbench.batch.baseline.strip_volatile_metadata (make baseline does)"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c.id for c in injected] == ["injected-parameters"], "papermill's random id for the injected cell"


def test_strip_volatile_metadata_keeps_outputs_and_removes_what_a_run_adds(tmp_path: Path):
    # What papermill 2.7 and nbclient write into an executed notebook (as in outputs/<run>/cities/*/profile.ipynb).
    stamp = {"start_time": "2026-12-03T15:07:33.796118+00:00", "end_time": "2026-12-03T15:07:38.432994+00:00",
             "duration": 4.6}
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11.7"},
        "papermill": {**stamp, "default_parameters": {}, "environment_variables": {"HOME": "/root"},
                      "exception": None, "input_path": "/work/main/notebooks/city_profile.ipynb",
                      "output_path": "/work/main/outputs/x.partial/cities/tunis/profile.ipynb",
                      "parameters": {"city_id": "tunis"}, "version": "2.7.0"},
    })
    output = nbformat.v4.new_output("display_data", data={"text/plain": "42"}, metadata={"workbench": {"caption": "c"}})
    injected = nbformat.v4.new_code_cell('city_id = "tunis"', execution_count=1, id="acff8122",
                                         metadata={"tags": ["injected-parameters"]})
    code = nbformat.v4.new_code_cell("42", execution_count=2, outputs=[output], id="cell-02")
    for cell in (injected, code):
        cell.metadata["papermill"] = {**stamp, "exception": False, "status": "completed"}
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-03T15:07:34.340981Z"}
    nb.cells = [injected, code]
    path = tmp_path / "profile.ipynb"
    nbformat.write(nb, str(path))
    assert volatile_metadata(nbformat.read(str(path), as_version=4))

    strip_volatile_metadata(path)
    stripped = nbformat.read(str(path), as_version=4)
    assert volatile_metadata(stripped) == []
    assert stripped.metadata.papermill.parameters == {"city_id": "tunis"}
    assert stripped.cells[0].id == "injected-parameters"
    assert [c.outputs for c in stripped.cells] == [[], [output]], "outputs (what nbval compares) are kept"
    assert [c.execution_count for c in stripped.cells] == [1, 2]


def test_gitattributes_routes_notebooks_to_nbdime():
    lines = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    rules = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    attributes = {attr for rule in rules if rule[0] == "*.ipynb" for attr in rule[1:]}
    assert {"diff=jupyternotebook", "merge=jupyternotebook"} <= attributes


def test_setup_configures_nbdime_in_this_clone_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP): pyproject.toml", 1)[1].split("\n\n", 1)[0]
    assert "$(BIN)/nbdime config-git --enable" in recipe
    assert "--global" not in recipe and "--system" not in recipe, "set-up writes this clone's .git/config only"
    # nbdime names its drivers without a path: outside the activated .venv `git diff` would die.
    assert '"$(abspath $(BIN))/git-nbdiffdriver diff"' in recipe
    assert "$(abspath $(BIN))/git-nbmergedriver merge" in recipe


def test_notebook_tools_are_pinned_alike_for_pip_and_conda():
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split(" ", 1)[0].split("==") for line in lock if "==" in line and not line.startswith(" "))
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    conda_pins = dict(d.split("==") for d in pip if "==" in d)
    for name in ("jupytext", "nbdime"):
        assert conda_pins[name] == pins[name], f"{name}: environment.yml and requirements.lock pin different versions"


def test_pytest_does_not_collect_the_paired_scripts():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]

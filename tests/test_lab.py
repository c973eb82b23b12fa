"""The JupyterLab copy of a city's profile: the values written into its parameters cell, edits kept, Run All works."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from workbench.batch import lab
from workbench import paths
from workbench.errors import ConfigError, UnknownCityError


@pytest.fixture
def project(project_copy: Path, monkeypatch) -> Path:
    """A copy of the project as ``WORKBENCH_ROOT``: lab copies are written into its ``outputs/``."""
    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    return project_copy


def _code(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


@pytest.mark.parametrize("city_id", ["vienna", "tunis"])
def test_prepare_city_notebook_writes_the_city_into_the_parameters_cell(project: Path, city_id: str):
    template = (project / "notebooks" / "city_profile.ipynb").read_bytes()
    path = lab.prepare_city_notebook(city_id)
    assert path == project / "outputs" / "lab" / f"{city_id}_profile.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    assert not any("injected-parameters" in t for t in tags), "one parameters cell, not a second one papermill adds"
    assert sum("parameters" in t for t in tags) == 1
    source = _code(notebook.cells[next(i for i, t in enumerate(tags) if "parameters" in t)])
    expected = yaml.safe_load((project / "params" / f"{city_id}.yaml").read_text(encoding="utf-8"))
    assert source.splitlines()[0] == f"# Parameters written here for {city_id} from params/{city_id}.yaml by " \
                                     "`workbench lab`: edit them in this cell, then Run All"
    assert f'city_id = "{city_id}"  # city to profile' in source, "the template's comment is kept"
    assert 'city_id = "madrid"' not in source
    assert f"top_n_origins = {expected['top_n_origins']}" in source
    assert 'output_dir = ""' in source
    assert notebook.metadata.papermill.parameters["city_id"] == city_id
    assert notebook.metadata.kernelspec.name == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert (project / "notebooks" / "city_profile.ipynb").read_bytes() == template


def test_prepare_city_notebook_twice_writes_the_same_file_once(project: Path):
    first = lab.prepare_city_notebook("tunis").read_bytes()
    path = lab.prepare_city_notebook("tunis")
    assert path.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == ["tunis_profile.ipynb"]


def test_prepare_city_notebook_language_is_injected_and_checked(project: Path):
    source = "".join(_code(c) for c in nbformat.read(lab.prepare_city_notebook("tunis", "ar"), as_version=4).cells
                     if "parameters" in c.metadata.get("tags", []))
    assert 'language = "ar"' in source
    with pytest.raises(ConfigError, match="language"):
        lab.prepare_city_notebook("tunis", "de")


def test_parameters_source_replaces_values_keeps_comments_and_adds_the_missing():
    template = 'city_id = "madrid"  # the city\ntop_n_origins = (\n    10\n)\nkept = 1'
    source = lab.parameters_source(template, {"city_id": "tunis", "top_n_origins": 12, "language": "fr"}, "# note")
    assert source.splitlines() == ["# note", 'city_id = "tunis"  # the city', "top_n_origins = 12", "kept = 1",
                                   'language = "fr"']


def test_prepare_city_notebook_unknown_city_names_it(project: Path):
    with pytest.raises(UnknownCityError, match="atlantis"):
        lab.prepare_city_notebook("atlantis")
    assert not (project / "outputs" / "lab" / "atlantis_profile.ipynb").exists()


def test_prepare_city_notebook_keeps_an_edited_copy(project: Path):
    path = lab.prepare_city_notebook("vienna")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("My notes on Vienna's 2024 figures."))
    nbformat.write(notebook, path)
    edited = path.read_bytes()

    fresh = lab.prepare_city_notebook("vienna")
    backups = sorted(path.parent.glob("vienna_profile.ipynb.bak-*"))
    assert len(backups) == 1, sorted(p.name for p in path.parent.iterdir())
    assert backups[0].read_bytes() == edited
    assert b"My notes on Vienna" not in fresh.read_bytes()

    nbformat.write(notebook, path)
    lab.prepare_city_notebook("vienna")
    assert len(sorted(path.parent.glob("vienna_profile.ipynb.bak-*"))) == 2


def test_lab_command_serves_the_project_and_opens_the_notebook(project: Path):
    command = lab.lab_command(8899, False, ["--ServerApp.log_level=DEBUG"], "outputs/lab/tunis_profile.ipynb")
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={project}" in command
    assert "--LabApp.default_url=/lab/tree/outputs/lab/tunis_profile.ipynb" in command
    assert "--ServerApp.port=8899" in command and "--no-browser" in command
    assert command[-1] == "--ServerApp.log_level=DEBUG"
    opened = lab.lab_command(None, True, [], None)
    assert "--no-browser" not in opened and not any("default_url" in a or "port" in a for a in opened)
    assert not any("workspaces_dir" in a for a in opened)
    own = lab.lab_command(None, True, [], None, project / "outputs" / "lab" / ".workspaces" / "tunis")
    assert f"--LabApp.workspaces_dir={project}/outputs/lab/.workspaces/tunis" in own


class _Serving:
    """A stand-in for JupyterLab's process that writes its log in steps, then serves (or ends)."""

    def __init__(self, log: Path, steps: list[str], ends: bool):
        self.log, self.steps, self.ends = log, steps, ends

    def poll(self):
        if self.steps:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(self.steps.pop(0))
            return None
        return 1 if self.ends else None


def test_the_address_is_taken_once_jupyterlab_serves(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(lab.time, "sleep", lambda seconds: None)
    log = tmp_path / "jupyterlab.log"
    address = "http://localhost:8897/lab/tree/outputs/lab/tunis_profile.ipynb?token=abc"
    steps = ["[I ServerApp] Extension loaded\n", f"[I ServerApp] {address}\n",
             f"    Or copy and paste one of these URLs:\n        {address}\n"]
    assert lab._wait_for_address(_Serving(log, steps, ends=False), log) == address
    assert lab._wait_for_address(_Serving(tmp_path / "other.log", ["4.2.5\n"], ends=True), tmp_path / "other.log") is None


@pytest.mark.parametrize("start_path", ["../elsewhere.ipynb", "/etc/passwd"])
def test_lab_command_refuses_a_notebook_outside_the_project(project: Path, start_path: str):
    with pytest.raises(ConfigError, match="outside"):
        lab.lab_command(None, False, [], start_path)


@pytest.mark.parametrize("port", [0, 70000])
def test_lab_command_refuses_a_port_out_of_range(project: Path, port: int):
    with pytest.raises(ConfigError, match="--port"):
        lab.lab_command(port, False, [], None)


def test_lab_environment_names_the_project(project: Path):
    assert lab.lab_environment()["WORKBENCH_ROOT"] == str(paths.project_root()) == str(project)


def test_ensure_kernel_is_this_environment():
    assert lab.ensure_kernel() == Path(sys.executable)


def test_start_lab_runs_jupyterlab_from_this_environment(project: Path, capfd):
    # --version makes JupyterLab print its version and stop: the whole command line, no server
    assert lab.start_lab("tunis", port=8899, open_browser=False, extra=["--version"]) == 0
    assert capfd.readouterr().out.strip().startswith("4.")
    assert (project / "outputs" / "lab" / "tunis_profile.ipynb").is_file()
    assert (project / "outputs" / "lab" / "jupyterlab.log").read_text(encoding="utf-8").startswith("4.")
    assert list((project / "outputs" / "lab" / ".workspaces" / "tunis").iterdir()) == [], "a fresh workspace"


@pytest.mark.slow
def test_prepared_notebook_runs_all_without_editing(project: Path, tmp_path: Path):
    import papermill as pm

    folder = tmp_path / "run"
    folder.mkdir()
    prepared = lab.prepare_city_notebook("tunis")
    executed = pm.execute_notebook(str(prepared), str(folder / "tunis.ipynb"), kernel_name="python3",
                                   cwd=str(folder), progress_bar=False, execution_timeout=300)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    text = "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/markdown", ""))
                   for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "Tunis" in text
    # output_dir is "": the lab copy saves no tables
    assert sorted(p.name for p in folder.iterdir()) == ["tunis.ipynb"]


def test_the_default_city_is_the_one_the_template_names():
    template = nbformat.read(str(paths.notebooks_dir() / "city_profile.ipynb"), as_version=4)
    assert f'city_id = "{lab.default_city()}"' in template.cells[1].source


def test_lab_command_line_names_an_unknown_city_in_one_line():
    from conftest import run_cli

    result = run_cli("lab", "--city", "nowhere", "--no-browser")
    assert result.returncode == 2 and result.stderr.startswith("error: unknown city 'nowhere'")
    assert "Traceback" not in result.stderr

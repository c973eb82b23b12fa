"""The runner's faults, in process, with an engine that writes what notebooks would (no kernels): fast and exact."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import pathlib
from pathlib import Path

import pytest

from workbench import paths
from workbench.batch import engines
from workbench.batch.notebook import Limits
from workbench.batch.plan import cities_dir
from workbench.batch.runner import RunOptions, run_batch
from workbench.batch.tasks import Task, TaskKind, TaskResult
from workbench.errors import RunStepError
from workbench.provenance import Manifest

MADRID_TABLE = "madrid_ayto_nationality_2022.csv"


class _Writer:
    """An engine that 'executes' a notebook by writing its files: a city saves a table made from its tidy data."""

    def __init__(self, jobs=None, scheduler=None):
        self.ran: list[str] = []

    def check(self) -> None:
        pass

    def execute(self, tasks: list[Task], limits: Limits, record) -> None:
        for task in tasks:
            workdir = Path(task.workdir)
            workdir.mkdir(parents=True, exist_ok=True)
            if task.kind is TaskKind.PROFILE:
                table = paths.tidy_dir() / (MADRID_TABLE if task.city_id == "madrid" else "")
                digest = hashlib.sha256(table.read_bytes()).hexdigest() if table.is_file() else task.city_id
                (workdir / "series.csv").write_text(f"total\n{digest}\n", encoding="utf-8")
                content = digest
            else:
                folder = cities_dir(task)
                content = "".join((folder / c / "series.csv").read_text(encoding="utf-8")
                                  for c in task.parameters["city_ids"])
            Path(task.output).write_text(json.dumps({"shows": content}), encoding="utf-8")
            self.ran.append(task.name)
            record(TaskResult.of(task, "ok", 0.1))


@pytest.fixture
def writer(project_copy: Path, monkeypatch) -> _Writer:
    """The project copy as the project, and the engine registered as 'writer' (it lists what it ran)."""
    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    engine = _Writer()
    engines.register("writer", lambda jobs=None, scheduler=None: engine)
    return engine


def _run(**options) -> object:
    return run_batch(RunOptions(city_ids=["madrid", "vienna"], engine="writer", annex=None, **options))


def _notebooks(run_dir: Path) -> dict:
    return {n.name: n for n in Manifest.read(run_dir).notebooks}


def test_comparisons_run_again_when_a_city_table_changed(writer: _Writer):
    # the real layout: compare/<name>/../../cities does not exist when the key is computed
    first = _run()
    assert first.ok
    tidy = paths.tidy_dir() / MADRID_TABLE
    tidy.write_text(tidy.read_text(encoding="utf-8").replace("552576", "562576"), encoding="utf-8")
    writer.ran.clear()
    second = _run()
    notebooks = _notebooks(second.run_dir)
    assert notebooks["madrid"].reused_from == ""
    assert "compare-overview" in writer.ran, "a comparison of a changed city table runs again"
    assert all(n.reused_from == "" for name, n in notebooks.items() if n.kind == "comparison")
    overview = json.loads((second.run_dir / "compare" / "overview" / "overview.ipynb").read_text(encoding="utf-8"))
    assert overview["shows"] != json.loads((first.run_dir / "compare" / "overview" / "overview.ipynb")
                                           .read_text(encoding="utf-8"))["shows"]


def test_an_unchanged_rerun_reuses_everything(writer: _Writer):
    first = _run()
    writer.ran.clear()
    second = _run()
    assert writer.ran == []
    assert {n.reused_from for n in _notebooks(second.run_dir).values()} == {first.run_dir.name}


def test_a_reused_folder_missing_a_file_is_run_again(writer: _Writer):
    first = _run()
    (first.run_dir / "cities" / "madrid" / "series.csv").unlink()
    writer.ran.clear()
    second = _run()
    assert "madrid" in writer.ran and "vienna" not in writer.ran
    assert (second.run_dir / "cities" / "madrid" / "series.csv").is_file()
    assert _notebooks(second.run_dir)["madrid"].reused_from == ""


def test_disk_full_during_the_notebooks_names_the_step_and_file(writer: _Writer, monkeypatch):
    real, calls = paths.write_atomic, []

    def full_once(path, data):
        calls.append(path)
        if len(calls) == 3:  # the manifest write after the first notebook
            raise OSError(errno.ENOSPC, "No space left on device", str(path) + ".tmp")
        return real(path, data)

    monkeypatch.setattr(paths, "write_atomic", full_once)
    with pytest.raises(RunStepError) as caught:
        _run()
    message = str(caught.value)
    assert "running the notebooks: writing the manifest: No space left on device" in message
    assert "manifest.json" in message and "-failed" in message
    outputs = paths.outputs_dir()
    [folder] = [p for p in outputs.iterdir() if p.is_dir() and not p.is_symlink()]
    assert folder.name.endswith("-failed") and (outputs / "last-attempt").resolve() == folder
    manifest = Manifest.read(folder)
    assert manifest.status == "failed" and "No space left on device" in manifest.error
    assert not (outputs / "latest").exists() and not (outputs / ".lock").exists()
    assert not list(outputs.rglob("*.tmp"))


def test_an_error_while_publishing_is_not_reported_as_a_lock_error(writer: _Writer, monkeypatch):
    real_rename, real_unlink = pathlib.Path.rename, pathlib.Path.unlink

    def rename(self, target):
        if self.name.endswith(".partial"):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(self))
        return real_rename(self, target)

    def unlink(self, missing_ok=False):
        if self.name == ".lock":
            raise PermissionError(errno.EPERM, "Operation not permitted", str(self))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(pathlib.Path, "rename", rename)
    monkeypatch.setattr(pathlib.Path, "unlink", unlink)
    with pytest.raises(RunStepError) as caught:
        _run()
    message = str(caught.value)
    assert message.startswith("publishing the run: could not rename") and "Operation not permitted" in message
    assert ".lock" not in message
    [staging] = paths.outputs_dir().glob("*.partial")
    manifest = Manifest.read(staging)
    assert manifest.status == "failed" and manifest.error.startswith("publishing the run")
    assert not (paths.outputs_dir() / "latest").exists()


def test_a_run_left_by_a_killed_run_is_mentioned_once(writer: _Writer, caplog):
    outputs = paths.outputs_dir()
    killed = outputs / "20260101T000000Z.partial"
    killed.mkdir(parents=True)
    Manifest("20260101T000000Z").write(killed)
    (outputs / "last-attempt").symlink_to(killed.name)
    with caplog.at_level(logging.WARNING, logger="workbench.batch.publish"):
        _run()
        assert caplog.text.count("left by a run that was killed") == 1
        caplog.clear()
        _run()
        assert "killed" not in caplog.text, "mentioned once"
    closed = outputs / "20260101T000000Z.interrupted"
    assert closed.is_dir() and not killed.exists()
    assert Manifest.read(closed).status == "interrupted"


def test_ctrl_c_while_publishing_publishes_nothing(writer: _Writer, monkeypatch):
    import os
    import signal

    from workbench.batch import runner
    from workbench.errors import RunInterrupted

    real = runner._Batch._end

    def end(self, status, error=""):
        os.kill(os.getpid(), signal.SIGINT)  # as the run starts publishing; held until its last steps end
        return real(self, status, error)

    monkeypatch.setattr(runner._Batch, "_end", end)
    with pytest.raises(RunInterrupted) as caught:
        _run()
    folder = caught.value.summary.run_dir
    assert folder.name.endswith(".interrupted") and Manifest.read(folder).status == "interrupted"
    assert not (paths.outputs_dir() / "latest").exists()


def test_a_worker_starting_after_its_run_was_renamed_makes_no_staging_folder_again(tmp_path):
    # a start cut short by a stop signal may reach the worker after the run renamed its staging folder
    # (seen under heavy load: outputs/<id>.partial/cities/tunis reappeared beside <id>.interrupted)
    from workbench.batch.notebook import execute

    staging = tmp_path / "20261207T120041Z.partial"
    workdir = staging / "cities" / "tunis"
    task = Task(TaskKind.PROFILE, "tunis", "city_profile.ipynb", {"city_id": "tunis"}, str(workdir / "profile.ipynb"),
                str(workdir))
    with pytest.raises(FileNotFoundError):
        execute(task, Limits(cell=5, notebook=5))
    assert not staging.exists()



# --- machine faults: a full disk while annexes are written, a kill while publishing, the lab open ---


def _annexes_written_until_the_disk_is_full(written: list[Path]):
    """A stand-in for render_run: writes annex files whole until the third, cut short by a full disk."""

    def render_run(run_dir, results, progress=None, **options):
        for n, name in enumerate(("madrid", "vienna", "network")):
            target = Path(run_dir) / "annex" / "en" / f"{name}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            if n == 2:
                # what a writer that does not clean up leaves: half a temporary file
                partial = target.with_name(target.name + ".42.tmp")
                partial.write_text("<html><body>half", encoding="utf-8")
                raise OSError(errno.ENOSPC, "No space left on device", str(partial))
            written.append(paths.write_atomic(target, f"<html>{name}</html>"))
        return written

    return render_run


def test_a_full_disk_while_annexes_are_written_publishes_nothing(writer: _Writer, monkeypatch, caplog):
    from workbench.report import annex

    good = _run()
    written: list[Path] = []
    real = annex.render_run
    monkeypatch.setattr(annex, "render_run", _annexes_written_until_the_disk_is_full(written))
    with pytest.raises(RunStepError) as caught:
        run_batch(RunOptions(city_ids=["madrid", "vienna"], engine="writer",
                             annex={"formats": ("html",), "languages": ("en",), "threshold": 5}))
    message = str(caught.value)
    assert message.startswith("rendering the annexes: No space left on device (") and ".42.tmp)" in message
    assert "(status 'failed'), nothing published" in message and "\n" not in message
    outputs = paths.outputs_dir()
    assert (outputs / "latest").resolve() == good.run_dir, "outputs/latest still points at the complete run"
    failed = (outputs / "last-attempt").resolve()
    assert failed.name.endswith("-failed") and Manifest.read(failed).status == "failed"
    assert len(written) == 2 and all(p.name in {"madrid.html", "vienna.html"} for p in written)
    assert not list(outputs.rglob("*.tmp")) and not list(outputs.glob("*.partial"))
    assert not (outputs / ".lock").exists()
    # the next run has nothing to tidy: it says nothing of the failed one and publishes normally
    monkeypatch.setattr(annex, "render_run", real)
    with caplog.at_level(logging.WARNING, logger="workbench.batch.publish"):
        after = _run()
    assert not caplog.text and (outputs / "latest").resolve() == after.run_dir


def test_a_full_disk_in_workbench_annex_keeps_the_run_whole(writer: _Writer, monkeypatch, capsys):
    from workbench.cli import main
    from workbench.report import annex

    good = _run()
    notebooks = {p: p.read_bytes() for p in good.run_dir.rglob("*.ipynb")}
    written: list[Path] = []
    monkeypatch.setattr(annex, "render_run", _annexes_written_until_the_disk_is_full(written))
    code = main(["annex", "--format", "html", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith(f"error: rendering the annexes of {paths.outputs_dir() / 'latest'}: No space left on device")
    assert "run `workbench annex` again" in err
    assert (paths.outputs_dir() / "latest").resolve() == good.run_dir
    assert {p: p.read_bytes() for p in good.run_dir.rglob("*.ipynb")} == notebooks, "the notebooks are untouched"
    assert [p.name for p in written] == ["madrid.html", "vienna.html"]
    assert not list(good.run_dir.rglob("*.tmp")) and not (paths.outputs_dir() / ".lock").exists()


#: A run of Madrid (with an engine that writes its notebook) in a project copy, SIGKILLed at one point of publishing.
_KILLED_RUN = '''
import os, signal, sys
from pathlib import Path

from workbench.batch import engines
from workbench.batch.runner import RunOptions, run_batch
from workbench.batch.tasks import TaskResult

where = sys.argv[1]


class Writer:
    def check(self):
        pass

    def execute(self, tasks, limits, record):
        for task in tasks:
            Path(task.workdir).mkdir(parents=True, exist_ok=True)
            Path(task.output).write_text("{}", encoding="utf-8")
            record(TaskResult.of(task, "ok", 0.1))


def killed(method, name, after=False, call=1):
    real, calls = getattr(Path, method), []

    def wrapper(self, *args, **kwargs):
        if name(self):
            calls.append(self)
            if len(calls) == call and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            result = real(self, *args, **kwargs)
            if len(calls) == call and after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return real(self, *args, **kwargs)

    setattr(Path, method, wrapper)


staging = lambda path: path.name.endswith(".partial")
if where == "before-rename":
    killed("rename", staging)
elif where == "after-rename":
    killed("rename", staging, after=True)
elif where == "latest-tmp":  # the new link made, not yet renamed over outputs/latest
    killed("symlink_to", lambda path: path.name == ".latest.tmp", after=True)
elif where == "after-latest":  # latest moved; last-attempt (moved once as the run began) not yet
    killed("replace", lambda path: path.name == ".last-attempt.tmp", call=2)
engines.register("writer", lambda jobs=None, scheduler=None: Writer())
run_batch(RunOptions(city_ids=["madrid"], with_compare=False, engine="writer", annex=None, force=True))
print("not killed")
'''


@pytest.mark.parametrize("where, said, latest_is_new", [
    ("before-rename", ["left by a run that was killed; renamed"], False),
    ("after-rename", ["was killed while publishing, after its folder was renamed; outputs/latest and "
                      "outputs/last-attempt now point at it"], True),
    ("latest-tmp", ["outputs/.latest.tmp: left by a run killed while moving outputs/latest; removed",
                    "outputs/latest and outputs/last-attempt now point at it"], True),
    ("after-latest", ["was killed while publishing, after its folder was renamed; outputs/last-attempt now points"],
     True),
])
def test_a_run_killed_while_publishing_leaves_latest_whole_and_the_next_command_says_so(
        writer: _Writer, tmp_path: Path, where, said, latest_is_new):
    import os
    import subprocess
    import sys

    from conftest import run_cli

    good = _run()
    outputs = paths.outputs_dir()
    script = tmp_path / "killed_run.py"
    script.write_text(_KILLED_RUN, encoding="utf-8")
    killed = subprocess.run([sys.executable, str(script), where], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "WORKBENCH_ROOT": str(paths.project_root())})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    # right after the kill: outputs/latest names a complete run, whichever
    latest = (outputs / "latest").resolve()
    assert Manifest.read(latest).status == "ok" and latest.name.isalnum()
    [run_id] = {p.name.split(".")[0].removesuffix("-failed") for p in outputs.iterdir()
                if p.name.startswith("2") and p.resolve() != good.run_dir}

    # the next command (here refused for its --run-dir, after it tidied up under the lock) says what it found
    next_command = run_cli("run", "--city", "vienna", "--no-annex", "--run-dir", str(paths.project_root() / "data"),
                           root=paths.project_root())
    assert next_command.returncode == 2 and "already exists and is not empty" in next_command.stderr
    for line in said:
        assert line in next_command.stderr, next_command.stderr
    assert "Traceback" not in next_command.stderr
    expected = outputs / run_id if latest_is_new else good.run_dir
    assert (outputs / "latest").resolve() == expected and Manifest.read(expected).status == "ok"
    attempt = (outputs / "last-attempt").resolve()
    assert attempt.is_dir() and attempt.name.startswith(run_id)
    assert Manifest.read(attempt).status == ("ok" if latest_is_new else "interrupted")
    assert not list(outputs.glob("*.partial")) and not list(outputs.glob(".*.tmp"))
    # said once
    again = run_cli("run", "--city", "vienna", "--no-annex", "--run-dir", str(paths.project_root() / "data"),
                    root=paths.project_root())
    assert "WARNING" not in again.stderr, again.stderr


def test_a_run_publishes_while_the_lab_is_open(writer: _Writer, monkeypatch, caplog):
    import subprocess
    import sys

    from workbench.batch import lock
    from workbench.batch.lab import prepare_city_notebook

    good = _run()
    outputs = paths.outputs_dir()
    # the lab takes no lock: it prepares its notebook while a run holds outputs/.lock
    with lock.hold(outputs, "workbench run"):
        notebook = prepare_city_notebook("madrid")
    lab_copy = notebook.read_bytes()
    # an open lab: a kernel working in outputs/lab, a notebook of the latest run held open through the pointer
    kernel = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], cwd=notebook.parent,
                              stdin=subprocess.PIPE)
    opened = open(outputs / "latest" / "cities" / "madrid" / "profile.ipynb", "rb")  # noqa: SIM115
    try:
        with caplog.at_level(logging.WARNING, logger="workbench.batch.publish"):
            tidy = paths.tidy_dir() / MADRID_TABLE
            tidy.write_text(tidy.read_text(encoding="utf-8").replace("552576", "562576"), encoding="utf-8")
            new = _run()
        assert not caplog.text, "nothing to tidy, nothing said"
        assert (outputs / "latest").resolve() == new.run_dir != good.run_dir
        assert Manifest.read(new.run_dir).status == "ok"
        assert opened.read() == (good.run_dir / "cities" / "madrid" / "profile.ipynb").read_bytes(), \
            "what the lab holds open is the run it opened, unchanged"
        assert notebook.read_bytes() == lab_copy and kernel.poll() is None, "the lab's files and kernel are untouched"
        assert sorted(p.name for p in (outputs / "lab").iterdir()) == [notebook.name]
    finally:
        opened.close()
        kernel.communicate(b"", timeout=30)


def _network(*city_ids: str) -> None:
    (paths.params_dir() / "compare.yaml").write_text(f"city_ids: [{', '.join(city_ids)}]\n", encoding="utf-8")


def _one_city(**options) -> object:
    return run_batch(RunOptions(city_ids=["madrid"], engine="writer", annex=None, **options))


def test_a_one_city_rerun_copies_the_other_network_cities_and_reuses_unchanged_comparisons(writer: _Writer):
    _network("madrid", "vienna")
    first = _run()
    params = paths.params_dir() / "madrid.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("top_n_origins: 10", "top_n_origins: 11"),
                      encoding="utf-8")
    writer.ran.clear()
    second = _one_city()
    assert second.ok and writer.ran == ["madrid"], "vienna is copied; madrid's tables did not change"
    notebooks = _notebooks(second.run_dir)
    assert notebooks["vienna"].reused_from == first.run_dir.name
    assert notebooks["compare-overview"].parameters["city_ids"] == ["madrid", "vienna"]
    reused, rerun = second.comparisons
    assert "compare-overview" in reused and rerun == []


def test_a_one_city_rerun_reruns_the_comparisons_its_tables_change(writer: _Writer):
    _network("madrid", "vienna")
    _run()
    tidy = paths.tidy_dir() / MADRID_TABLE
    tidy.write_text(tidy.read_text(encoding="utf-8").replace("552576", "562576"), encoding="utf-8")
    writer.ran.clear()
    second = _one_city(force=True)
    assert "vienna" not in writer.ran, "--force forces the cities asked for, never the ones compared with"
    assert "madrid" in writer.ran and "compare-overview" in writer.ran
    assert second.comparisons[0] == [] and "compare-overview" in second.comparisons[1]


def test_a_network_city_never_run_is_left_out_of_the_comparisons_in_one_line(writer: _Writer):
    _network("madrid", "vienna", "tunis")
    _run()
    writer.ran.clear()
    second = _one_city()
    assert second.ok, "a companion with nothing to reuse does not fail the run"
    assert "tunis" not in writer.ran and "tunis" not in _notebooks(second.run_dir)
    assert second.notes == ["comparisons without tunis: no earlier result to reuse; run all cities once"]
    assert _notebooks(second.run_dir)["compare-overview"].parameters["city_ids"] == ["madrid", "vienna"]


def test_a_city_outside_the_network_has_no_companions(writer: _Writer):
    _network("vienna", "tunis")
    summary = _one_city()
    assert writer.ran[0] == "madrid" and "vienna" not in writer.ran and summary.notes == []
    assert _notebooks(summary.run_dir)["compare-overview"].parameters["city_ids"] == ["madrid"]


def test_a_failed_annex_is_told_apart_from_failed_notebooks(writer: _Writer, monkeypatch):
    from workbench.batch import runner
    from workbench.errors import WorkbenchError

    def render(self):
        raise WorkbenchError("annex/fr/madrid.pdf: WeasyPrint could not render the annex: no image")

    monkeypatch.setattr(runner._Batch, "_render", render)
    summary = run_batch(RunOptions(city_ids=["madrid"], engine="writer", with_compare=False))
    assert summary.failed == [] and not summary.ok and summary.status == "failed"
    assert "madrid.pdf" in summary.annex_error
    assert Manifest.read(summary.run_dir).error.startswith("rendering the annexes: annex/fr/madrid.pdf")


def test_the_run_summary_says_which_comparisons_it_reused_and_how_to_skip_them(tmp_path: Path):
    from workbench.batch.tasks import RunSummary
    from workbench.cli.cmd_run import _run_notes

    def result(name, reused=""):
        return TaskResult("compare-" + name, TaskKind.COMPARISON, name, "ok", 0.1, "x.ipynb", reused_from=reused)

    summary = RunSummary(tmp_path, [result("overview", "20261201T000000Z"), result("origins")],
                         notes=["comparisons without tunis: no earlier result to reuse; run all cities once"])
    lines = _run_notes(summary, with_compare=True)
    assert lines[0].startswith("comparisons without tunis")
    assert lines[1] == "comparisons reused (1): compare-overview; rerun (1): compare-origins"
    assert lines[2].startswith("hint: --no-compare skips the comparisons")
    assert not any(line.startswith("hint") for line in _run_notes(summary, with_compare=False))


def test_the_comparisons_wait_for_the_city_asked_for(writer: _Writer, monkeypatch):
    _network("madrid", "vienna")
    _run()
    params = paths.params_dir() / "madrid.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("top_n_origins: 10", "top_n_origins: 11"),
                      encoding="utf-8")
    execute = writer.execute

    def fail_madrid(tasks, limits, record):
        for task in tasks:
            if task.name == "madrid":
                record(TaskResult.of(task, "failed", 0.1, error="boom"))
        execute([t for t in tasks if t.name != "madrid"], limits, record)

    monkeypatch.setattr(writer, "execute", fail_madrid)
    writer.ran.clear()
    summary = _one_city()
    assert writer.ran == [] and summary.status == "failed"
    assert {r.error for r in summary.results if r.kind is TaskKind.COMPARISON} == {"no city asked for succeeded"}

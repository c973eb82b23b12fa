"""Faults during a batch: a notebook that raises, hangs, loses its kernel or its worker, Ctrl-C; the lock; --resume.

Every fault test starts from a project copy holding one good run (``outputs/latest``) and checks
that the run is still the latest, byte for byte, after the faulty one, and that the summary,
exit code and manifest say what happened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import ROOT, run_cli
from workbench.batch import lock
from workbench.errors import ConfigError
from workbench.provenance import Manifest
from workbench.batch.kernels import PROCESS_NAME
from workbench.batch.notebook import failing_cell
from workbench.batch.plan import RunFolders, run_folders

FAST = ("--no-compare", "--no-annex")


# --- a project with one good run, and what a faulty run must leave alone ------------------------


@pytest.fixture(scope="module")
def good_project(tmp_path_factory) -> Path:
    """A project copy whose outputs/latest is a good run of Vienna (English HTML annex)."""
    root = tmp_path_factory.mktemp("good") / "project"
    for part in ("data", "params", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    (root / "outputs").mkdir()
    result = run_cli("run", "--city", "vienna", "--no-compare", "--format", "html", "--lang", "en", root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture
def project(good_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the good project, for one faulty run."""
    root = tmp_path / "project"
    shutil.copytree(good_project, root, symlinks=True)
    return root


def snapshot(root: Path) -> tuple[str, dict[str, str]]:
    """The folder outputs/latest points at and a checksum of every file in it."""
    latest = (root / "outputs" / "latest").resolve()
    return latest.name, {str(p.relative_to(latest)): hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(latest.rglob("*")) if p.is_file()}


def assert_good_run_intact(root: Path, before: tuple[str, dict[str, str]]) -> None:
    """The good run is still the latest, unchanged, and nothing half-made lies in outputs/."""
    assert snapshot(root) == before, "outputs/latest and its files are exactly as before"
    assert (root / "outputs" / before[0] / "annex" / "en" / "vienna.html").is_file()
    outputs = root / "outputs"
    assert not list(outputs.glob("*.partial")), "no staging folder is left"
    assert not list(outputs.rglob("*.tmp")), "no temporary file is left"
    assert not (outputs / ".lock").exists(), "the lock is released"


def inject(root: Path, code: str) -> None:
    """Insert a code cell early in the city template of a project copy (after the imports)."""
    template = root / "notebooks" / "city_profile.ipynb"
    nb = nbformat.read(str(template), as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, str(template))


def injected_cell(notebook: Path, marker: str) -> int:
    """The In [n] the injected cell would carry: its place among the code cells of the executed notebook."""
    nb = nbformat.read(str(notebook), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    return next(i for i, c in enumerate(code, 1) if marker in c.source)


def last_attempt(root: Path) -> tuple[Path, dict]:
    """The folder outputs/last-attempt points at, and its manifest."""
    folder = (root / "outputs" / "last-attempt").resolve()
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def kernels_in(root: Path) -> list[psutil.Process]:
    """Kernel processes working in a folder of this project (so other tests' kernels do not count)."""
    found = []
    for process in psutil.process_iter(["cmdline", "cwd", "name"]):
        cmdline, cwd = process.info["cmdline"] or [], process.info["cwd"] or ""
        forked = process.info["name"] == PROCESS_NAME  # a kernel forked by workbench.batch.kernels
        if (forked or any("ipykernel" in part for part in cmdline)) and cwd.startswith(str(root)):
            found.append(process)
    return found


def assert_no_kernel_left(root: Path) -> None:
    """No kernel of this project survives (a kernel whose worker died may need a second to notice)."""
    for _ in range(30):
        if not kernels_in(root):
            return
        time.sleep(0.5)
    assert not kernels_in(root), "a kernel outlived its run"


# --- faults in a notebook -----------------------------------------------------------------------


@pytest.mark.slow
def test_run_records_a_raising_notebook_and_keeps_the_last_good_run(project: Path):
    before = snapshot(project)
    inject(project, 'raise RuntimeError("injected failure")')
    result = run_cli("run", "--city", "vienna", "--no-compare", "--format", "html", "--lang", "en", root=project)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "1 of 1 notebook(s) failed: vienna" in result.stderr and "Traceback" not in result.stderr
    folder, manifest = last_attempt(project)
    assert folder.name.endswith("-failed") and manifest["status"] == "failed"
    vienna = manifest["notebooks"][0]
    assert vienna["status"] == "failed" and "RuntimeError: injected failure" in vienna["error"]
    assert vienna["failed_cell"] == injected_cell(folder / vienna["notebook"], "injected failure")
    assert "injected failure" in result.stdout, "the summary table shows the error"
    assert not (folder / "annex").exists()
    assert_good_run_intact(project, before)


@pytest.mark.slow
def test_run_stops_a_notebook_past_its_notebook_timeout(project: Path):
    before = snapshot(project)
    inject(project, "import time\ntime.sleep(600)  # hangs")
    result = run_cli("run", "--city", "vienna", *FAST, "--notebook-timeout", "5", root=project)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    folder, manifest = last_attempt(project)
    vienna = manifest["notebooks"][0]
    cell = injected_cell(folder / vienna["notebook"], "# hangs")
    assert vienna["status"] == "failed"
    assert vienna["error"].startswith(f"timed out after 5 s (--notebook-timeout) while running cell In [{cell}]")
    assert vienna["failed_cell"] == cell
    assert_no_kernel_left(project)
    assert_good_run_intact(project, before)


@pytest.mark.slow
def test_run_records_a_killed_kernel_and_a_dead_worker_and_goes_on(project: Path):
    before = snapshot(project)
    # tunis kills its worker process (as the OOM killer might), then vienna runs in a fresh one and kills its kernel
    inject(project, "import os, signal\n"
                    "if city_id == 'tunis': os.kill(os.getppid(), signal.SIGKILL)  # worker\n"
                    "if city_id == 'vienna': os.kill(os.getpid(), signal.SIGKILL)  # kernel")
    result = run_cli("run", "--cities", "tunis,vienna", "--jobs", "1", *FAST, root=project)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "2 of 2 notebook(s) failed: tunis, vienna" in result.stderr and "Traceback" not in result.stderr
    folder, manifest = last_attempt(project)
    tunis, vienna = manifest["notebooks"]
    cell = injected_cell(folder / vienna["notebook"], "# kernel")
    assert vienna["error"] == f"kernel died (killed or out of memory) while running cell In [{cell}]"
    assert vienna["failed_cell"] == cell
    assert tunis["error"].startswith("worker process died (SIGKILL: killed or out of memory)")
    assert tunis["failed_cell"] == cell, "the same injected cell, read from the partial notebook"
    assert_no_kernel_left(project)
    assert_good_run_intact(project, before)


@pytest.mark.slow
def test_ctrl_c_stops_workers_and_kernels_and_publishes_nothing(project: Path):
    before = snapshot(project)
    inject(project, "import pathlib, time\npathlib.Path('started.flag').touch()\ntime.sleep(600)")
    env = {**os.environ, "WORKBENCH_ROOT": str(project)}
    # its own process group, as a terminal gives a foreground job: Ctrl-C goes to every process of it
    run = subprocess.Popen([sys.executable, "-m", "workbench.cli", "run", "--cities", "vienna,tunis", *FAST],
                           cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)
    try:
        flags = []
        for _ in range(600):
            flags = list((project / "outputs").glob("*.partial/cities/*/started.flag"))
            if flags or run.poll() is not None:
                break
            time.sleep(0.2)
        assert flags, "a notebook started"
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "Traceback" not in stdout
    folder, manifest = last_attempt(project)
    assert folder.name.endswith(".interrupted") and manifest["status"] == "interrupted"
    assert f"interrupted; partial outputs in {folder}; nothing published" in stderr
    statuses = {n["name"]: n["status"] for n in manifest["notebooks"]}
    assert set(statuses.values()) <= {"interrupted", "not run"} and "interrupted" in statuses.values()
    assert_no_kernel_left(project)
    assert_good_run_intact(project, before)


def processes_in(root: Path) -> list[psutil.Process]:
    """Processes of a run working in a folder of this project: fork server, workers, kernels."""
    found = []
    for process in psutil.process_iter(["cwd", "pid"]):
        if process.info["pid"] != os.getpid() and (process.info["cwd"] or "").startswith(str(root)):
            found.append(process)
    return found


def assert_no_process_left(root: Path, seconds: float = 15) -> None:
    """Nothing the run started is still alive after ``seconds``."""
    end = time.monotonic() + seconds
    while processes_in(root) and time.monotonic() < end:
        time.sleep(0.3)
    left = [" ".join(p.cmdline()[:4]) for p in processes_in(root) if p.is_running()]
    assert not left, f"processes outlived the run: {left}"


def _start_run(project: Path, *args: str) -> subprocess.Popen:
    # its own process group, as a terminal gives a foreground job: Ctrl-C goes to every process of it
    env = {**os.environ, "WORKBENCH_ROOT": str(project)}
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", "run", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.0, 1.5, 2.5, 4.0, 6.0, 9.0])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_at_any_moment_stops_the_run_at_once_and_publishes_nothing(project: Path, signum, delay):
    # from the first imports through the fork server, the workers and the kernels starting
    before = snapshot(project)
    inject(project, "import time\ntime.sleep(600)")
    run = _start_run(project, "--cities", "vienna,tunis", *FAST)
    try:
        time.sleep(delay)
        # Ctrl-C reaches the whole foreground group; `kill` reaches the run alone
        os.killpg(run.pid, signum) if signum == signal.SIGINT else os.kill(run.pid, signum)
        stdout, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr + stdout and "KeyboardInterrupt" not in stderr + stdout, stderr
    assert_no_process_left(project)
    assert_good_run_intact(project, before)
    for folder in (project / "outputs").glob("*.interrupted"):
        assert Manifest.read(folder).status == "interrupted"


@pytest.mark.slow
def test_ctrl_c_while_annexes_render_publishes_nothing(project: Path):
    before = snapshot(project)
    # vienna's notebook is reused from the good run; its French annex is rendered (the good run has English)
    run = _start_run(project, "--city", "vienna", "--no-compare", "--format", "html,docx,pdf", "--lang", "fr")
    try:
        for line in run.stdout:
            if line.strip().startswith("vienna"):
                break
        time.sleep(0.5)
        os.killpg(run.pid, signal.SIGINT)
        stdout, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr + stdout
    folder, manifest = last_attempt(project)
    assert folder.name.endswith(".interrupted") and manifest["status"] == "interrupted"
    assert_no_process_left(project)
    assert_good_run_intact(project, before)


@pytest.mark.slow
def test_workers_kernels_and_fork_server_die_with_a_killed_run(project: Path):
    inject(project, "import pathlib, time\npathlib.Path('started.flag').touch()\ntime.sleep(600)")
    run = _start_run(project, "--cities", "vienna,tunis", *FAST)
    try:
        for _ in range(600):
            if list((project / "outputs").glob("*.partial/cities/*/started.flag")) or run.poll() is not None:
                break
            time.sleep(0.2)
        assert processes_in(project), "the run started processes"
        os.kill(run.pid, signal.SIGKILL)  # no handler runs: the children must notice by themselves
        run.wait(timeout=30)  # not its output: an orphan would hold the pipes open
        assert_no_process_left(project, seconds=10)
    finally:
        for process in processes_in(project):
            with contextlib.suppress(psutil.Error):
                process.kill()
        run.stdout.close()
        run.stderr.close()
    # the next command says once what the killed run left, and the lock is free for it
    result = run_cli("run", "--city", "vienna", "--run-dir", str(project / "data"), root=project)
    assert result.returncode == 2 and "left by a run that was killed" in result.stderr
    assert not list((project / "outputs").glob("*.partial"))


# --- one run at a time --------------------------------------------------------------------------


def test_run_and_annex_refuse_while_another_run_holds_the_lock(project_copy: Path):
    outputs = project_copy / "outputs"
    with lock.hold(outputs, "workbench run --city madrid"):
        for args in (("run", "--city", "vienna", *FAST), ("annex", "--run", str(outputs / "missing"))):
            result = run_cli(*args, root=project_copy)
            assert result.returncode == 2, result.stdout + result.stderr
            assert f"another workbench run (pid {os.getpid()} on {socket.gethostname()}" in result.stderr
            assert "workbench run --city madrid) is using" in result.stderr and "Traceback" not in result.stderr
            assert "running" not in result.stdout, "a refused run shows no progress"
        assert sorted(p.name for p in outputs.iterdir()) == [".lock"], "the refused run wrote nothing"
    assert not (outputs / ".lock").exists()


def _lock_naming(folder: Path, pid: int, started: datetime) -> dict:
    holder = {"pid": pid, "host": socket.gethostname(), "started": started.isoformat(timespec="seconds"),
              "command": "workbench run"}
    (folder / ".lock").write_text(json.dumps(holder), encoding="utf-8")
    return holder


def test_lock_naming_a_live_process_is_refused(tmp_path: Path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        holder = _lock_naming(tmp_path, sleeper.pid, datetime.now(timezone.utc) + timedelta(seconds=2))
        with pytest.raises(ConfigError, match=rf"pid {sleeper.pid} on .* wait for it or, if it is dead, run again"):
            lock.acquire(tmp_path)
        assert json.loads((tmp_path / ".lock").read_text(encoding="utf-8")) == holder, "a live lock is left alone"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_lock_naming_a_pid_now_used_by_a_younger_process_is_stale(tmp_path: Path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _lock_naming(tmp_path, sleeper.pid, datetime.now(timezone.utc) - timedelta(days=1))
        with lock.hold(tmp_path) as held:
            assert lock.read_holder(held.path)["pid"] == os.getpid()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_stale_lock_of_a_killed_run_is_recovered(tmp_path: Path, caplog):
    # a process takes the lock and is killed with SIGKILL: no `finally` ran, the file stays
    code = "import sys, time; from workbench.batch import lock; lock.acquire(sys.argv[1]); print('held', flush=True); time.sleep(60)"
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(ConfigError, match="another workbench run"):
        lock.acquire(tmp_path)
    holder.kill()
    holder.wait()
    assert lock.read_holder(tmp_path / ".lock")["pid"] == holder.pid
    with caplog.at_level("WARNING", logger="workbench.batch.lock"):
        taken = lock.acquire(tmp_path)
    try:
        assert "stale lock" in caplog.text and f"pid {holder.pid}" in caplog.text
        assert lock.read_holder(tmp_path / ".lock")["pid"] == os.getpid()
    finally:
        lock.release(taken)
    assert not (tmp_path / ".lock").exists()


def test_lock_with_unreadable_content_and_no_holder_is_recovered(tmp_path: Path):
    (tmp_path / ".lock").write_bytes(b"\xff not json")
    with lock.hold(tmp_path, "test") as held:
        assert lock.read_holder(held.path)["command"] == "test"


# --- --resume -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_resume_reruns_only_what_failed(project_copy: Path, monkeypatch):
    # the failure depends on the environment, not on an input file: the inputs stay the same for --resume
    inject(project_copy, "import os\nassert os.environ.get('WORKBENCH_TEST_FAIL') != city_id, 'injected failure'")
    outputs = project_copy / "outputs"
    monkeypatch.setenv("WORKBENCH_TEST_FAIL", "tunis")
    first = run_cli("run", "--cities", "tunis,vienna", *FAST, root=project_copy)
    assert first.returncode == 4, first.stdout + first.stderr
    failed, _ = last_attempt(project_copy)
    monkeypatch.delenv("WORKBENCH_TEST_FAIL")

    params = project_copy / "params" / "tunis.yaml"
    original = params.read_bytes()
    params.write_bytes(original + b"\n# edited\n")
    refused = run_cli("run", "--resume", "--no-annex", root=project_copy)
    assert refused.returncode == 2 and "params/tunis.yaml" in refused.stderr and "stale" in refused.stderr
    params.write_bytes(original)

    resumed = run_cli("run", "--resume", "--no-annex", root=project_copy)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    folder, manifest = last_attempt(project_copy)
    assert folder != failed and (outputs / "latest").resolve() == folder
    assert manifest["status"] == "ok" and manifest["resumed_from"] == failed.name
    by_name = {n["name"]: n for n in manifest["notebooks"]}
    assert by_name["vienna"]["reused_from"] == failed.name and by_name["tunis"]["reused_from"] == ""
    assert by_name["tunis"]["status"] == "ok"
    for path in ("profile.ipynb", "framework_values.csv"):
        assert (folder / "cities" / "vienna" / path).read_bytes() == (failed / "cities" / "vienna" / path).read_bytes()
    assert json.loads((failed / "manifest.json").read_text(encoding="utf-8"))["status"] == "failed", \
        "the resumed run is left as it was"

    again = run_cli("run", "--resume", root=project_copy)
    assert again.returncode == 2 and "nothing to resume" in again.stderr


def test_resume_cannot_be_combined_with_a_city_choice(project_copy: Path):
    result = run_cli("run", "--resume", "--city", "vienna", root=project_copy)
    assert result.returncode == 2 and "--resume" in result.stderr and "Traceback" not in result.stderr


def test_resume_without_an_earlier_run_is_refused(project_copy: Path):
    result = run_cli("run", "--resume", root=project_copy)
    assert result.returncode == 2 and "nothing to resume" in result.stderr
    assert not (project_copy / "outputs" / ".lock").exists()


# --- small pieces -------------------------------------------------------------------------------


def _executed(tmp_path: Path, cells: list[tuple[str, int | None, bool]]) -> Path:
    # a notebook as papermill leaves it: (source, execution count, started?) per code cell
    nb = nbformat.v4.new_notebook()
    for source, count, started in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.execution_count = count
        cell.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00" if started else None}
        nb.cells.append(cell)
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_failing_cell_is_the_last_cell_that_started(tmp_path: Path):
    path = _executed(tmp_path, [("a = 1", 1, True), ("", None, False), ("b = 2", 2, True), ("c = 3", 3, True),
                                ("d = 4", None, False)])
    assert failing_cell(path) == 3


def test_failing_cell_numbers_a_cell_that_never_reported_its_count(tmp_path: Path):
    path = _executed(tmp_path, [("a = 1", 1, True), ("b = 2", 2, True), ("sleep()", None, True), ("d", None, False)])
    assert failing_cell(path) == 3


def test_failing_cell_of_a_missing_or_cut_short_notebook_is_unknown(tmp_path: Path):
    assert failing_cell(tmp_path / "missing.ipynb") is None
    cut = tmp_path / "cut.ipynb"
    cut.write_text('{"cells": [{"cell_type": "code", "sou', encoding="utf-8")
    assert failing_cell(cut) is None


def test_run_folders_beside_a_given_run_dir(tmp_path: Path):
    folders = run_folders(tmp_path / "run")
    assert folders == RunFolders(tmp_path / "run", tmp_path / "run.partial", tmp_path / "run", tmp_path / "run.interrupted")
    (tmp_path / "run.partial").mkdir()
    with pytest.raises(ConfigError, match="run.partial exists"):
        run_folders(tmp_path / "run")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(ConfigError, match="already exists and is not empty"):
        run_folders(tmp_path / "full")


def test_new_run_folder_never_reuses_the_id_of_a_failed_or_interrupted_run(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_ROOT", str(tmp_path))
    (tmp_path / "outputs").mkdir()
    first = run_folders()
    first.failed.mkdir()
    second = run_folders()
    assert second.final != first.final and second.failed.name == second.final.name + "-failed"
    assert second.staging.name == second.final.name + ".partial"


def test_a_stop_signal_while_a_worker_starts_is_deferred_not_lost():
    # the first worker also starts the fork server (seconds): a `kill` meanwhile must still stop the run
    from workbench.batch.interrupts import deferred

    got = []

    def handler(signum, frame):
        got.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.2)
                assert got == [], "delivered inside the window"
        assert got == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)

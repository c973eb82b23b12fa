"""Run the batch: one papermill execution per city, then the comparisons, in parallel, isolated, published whole.

A run writes into ``<run id>.partial/`` beside its final name and is renamed when it ends:

- every notebook succeeded: ``<run id>/``, and ``outputs/latest`` points at it;
- some notebook failed: ``<run id>-failed/`` (with ``--run-dir DIR``: ``DIR`` itself), ``latest`` stays;
- interrupted (Ctrl-C): ``<run id>.interrupted/``, ``latest`` stays.

``outputs/last-attempt`` points at the most recent run whatever its outcome (``--resume`` reads it);
``manifest.json`` says what happened to every notebook. Each notebook runs in a process of its own
with its own kernel, under a per-cell and a per-notebook time limit, so an exception, a hang or a
dead kernel (killed, out of memory) is recorded with the cell it happened in and the others go on.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from multiprocessing.connection import wait as wait_ready
from pathlib import Path

from workbench.batch import cache, lock
from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.framework import PEER_LEARNING_THEMES
from workbench.reference.params import CityParams, load_city_params, load_compare_params, validate_params
from workbench.provenance import git_commit, package_versions, sha256_file
from workbench.reference.registry import get_city, load_cities

log = logging.getLogger(__name__)

CITY_TEMPLATE = "city_profile.ipynb"
BRIEF_TEMPLATE = "city_brief.ipynb"
#: The word of ``--cities`` that selects a brief of every Eurostat city with foreign-born data.
EUROSTAT = "eurostat"
COMPARE_TEMPLATE = "compare_cities.ipynb"

#: Default wall-clock limit of one notebook, in seconds (``--notebook-timeout``).
NOTEBOOK_TIMEOUT = 1800
#: Name of the pointer to the most recent run, whatever its outcome (in ``outputs/``).
LAST_ATTEMPT = "last-attempt"
#: Seconds a notebook may go on after its kernel was killed at its time limit before it is stopped harder.
_GRACE = 30
#: Characters of an error message kept in the summary and the manifest.
_MAX_ERROR = 1000


def comparisons() -> list[tuple[str, str, dict]]:
    """The cross-city notebooks run after the cities: (name, template, extra parameters).

    The overview, origins and availability notebooks, then one thematic notebook per
    peer-learning theme (the same template run with a different ``theme``).
    """
    fixed = [
        ("overview", COMPARE_TEMPLATE, {}),
        ("origins", "compare_origins.ipynb", {}),
        ("availability", "compare_availability.ipynb", {}),
    ]
    return fixed + [(f"theme-{t.replace('_', '-')}", "compare_theme.ipynb", {"theme": t}) for t in PEER_LEARNING_THEMES]


@dataclass(frozen=True)
class Task:
    """One notebook execution."""

    name: str  #: city id, or 'compare-<name>'
    template: str  #: notebook file name in notebooks/
    parameters: dict
    output: str  #: executed notebook path
    workdir: str  #: kernel working directory (relative paths in parameters start here)


@dataclass
class TaskResult:
    """How one notebook execution ended."""

    name: str
    status: str  #: 'ok', 'failed', 'interrupted' (stopped by Ctrl-C) or 'not run'
    seconds: float
    notebook: str
    error: str = ""
    failed_cell: int | None = None  #: execution count of the failing cell ("In [n]" in the executed notebook)
    reused_from: str = ""  #: the earlier run that computed the outputs copied instead of running the notebook
    key: str = ""  #: the notebook's input key (:mod:`workbench.batch.cache`)


@dataclass
class RunSummary:
    """What a batch run did."""

    run_dir: Path
    results: list[TaskResult] = field(default_factory=list)
    status: str = "running"  #: 'running', then 'ok', 'failed' or 'interrupted'
    resumed_from: str = ""  #: run folder a ``--resume`` run took its succeeded notebooks from

    @property
    def failed(self) -> list[TaskResult]:
        """Results that did not succeed."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded and nothing else failed or stopped the run."""
        return not self.failed and self.status not in ("failed", "interrupted")


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a run; its partial outputs are kept in ``summary.run_dir``."""

    def __init__(self, summary: RunSummary):
        super().__init__(f"interrupted; partial outputs in {summary.run_dir}; nothing published")
        self.summary = summary


class NotebookTimeout(BaseException):
    """A notebook still ran after its kernel was killed at the time limit (a BaseException: nothing swallows it)."""


@dataclass(frozen=True)
class RunFolders:
    """The names a run's folder takes: where it is written, and what it becomes at each outcome."""

    final: Path  #: a complete, successful run (also a failed one given by --run-dir)
    staging: Path  #: where the run writes while it goes on
    failed: Path  #: a run in which some notebook failed
    interrupted: Path  #: a run stopped by Ctrl-C

    def for_status(self, status: str) -> Path:
        """The folder a run with this final status is renamed to."""
        return {"ok": self.final, "failed": self.failed}.get(status, self.interrupted)

    def names(self) -> tuple[Path, ...]:
        """The distinct folder names of the run."""
        return tuple(dict.fromkeys((self.final, self.staging, self.failed, self.interrupted)))


def new_run_dir(root: Path | None = None) -> Path:
    """Return a fresh ``outputs/<run id>`` name (UTC timestamp) that no run, finished or not, uses."""
    root = root or paths.outputs_dir()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate, n = root / stamp, 1
    while any(p.exists() or p.is_symlink() for p in _folders(candidate, default=True).names()):
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate


def run_folders(run_dir: Path | None = None) -> RunFolders:
    """The folders of a new run: under ``outputs/`` by default, else ``run_dir`` and names beside it.

    Raises
    ------
    ConfigError
        If ``run_dir`` exists and is not empty, or a folder beside it carries one of its names.
    """
    if run_dir is None:
        return _folders(new_run_dir(), default=True)
    folders = _folders(Path(run_dir).absolute(), default=False)
    final = folders.final
    if final.is_symlink() or final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise ConfigError(f"run folder {final} already exists and is not empty; choose a new one")
    for other in (folders.staging, folders.interrupted):
        if other.exists() or other.is_symlink():
            raise ConfigError(f"{other} exists (left by an earlier run into {final}); remove it or choose another --run-dir")
    return folders


def _folders(final: Path, default: bool) -> RunFolders:
    # with --run-dir the user named the folder: a failed run keeps that name (its manifest says so)
    failed = final.with_name(final.name + "-failed") if default else final
    return RunFolders(final, final.with_name(final.name + ".partial"), failed, final.with_name(final.name + ".interrupted"))


def plan(city_ids: list[str], run_dir: Path, with_compare: bool = True,
         params: dict[str, CityParams] | None = None, briefs: list[str] = ()) -> tuple[list[Task], list[Task]]:
    """Build the tasks of a run: validated parameters for every city, then the comparisons.

    Parameters
    ----------
    city_ids
        The cities, in run order.
    run_dir
        The folder the run writes into.
    with_compare
        Whether to plan the comparisons.
    params
        Validated parameters of some cities, used instead of ``params/<city>.yaml``.
    briefs
        Eurostat codes to write a city brief of (``notebooks/city_brief.ipynb``, run with the cities).

    Raises
    ------
    UnknownCityError, ConfigError
        Before anything runs, if a city or a params file is wrong.
    """
    cities = []
    for city_id in city_ids:
        params_ = (params or {}).get(city_id) or load_city_params(city_id)
        workdir = run_dir / "cities" / city_id
        cities.append(
            Task(
                name=city_id,
                template=CITY_TEMPLATE,
                parameters={**params_.model_dump(), "output_dir": "."},
                output=str(workdir / "profile.ipynb"),
                workdir=str(workdir),
            )
        )
    for place_id in briefs:
        values = validate_params("city_brief", {"place_id": place_id, "output_dir": "."}, "--cities eurostat").model_dump()
        workdir = run_dir / "briefs" / place_id
        cities.append(Task(name=f"brief-{place_id}", template=BRIEF_TEMPLATE, parameters=values,
                           output=str(workdir / "brief.ipynb"), workdir=str(workdir)))
    compare = []
    if with_compare and city_ids:
        wanted = load_compare_params()["city_ids"]
        chosen = [c for c in wanted if c in city_ids] or list(city_ids)
        for name, template, extra in comparisons():
            workdir = run_dir / "compare" / name
            compare.append(
                Task(
                    name=f"compare-{name}",
                    template=template,
                    parameters={"city_ids": chosen, "cities_dir": "../../cities", "output_dir": ".", **extra},
                    output=str(workdir / f"{name}.ipynb"),
                    workdir=str(workdir),
                )
            )
    return cities, compare


# --- one notebook, in its worker process --------------------------------------------------------


def execute(task: Task, timeout: int, notebook_timeout: float | None = None, fork_kernel: bool = False) -> TaskResult:
    """Execute one notebook with papermill; never raises for a notebook failure.

    Parameters
    ----------
    task
        What to run.
    timeout
        Seconds allowed per cell.
    notebook_timeout
        Seconds allowed for the whole notebook (no limit when ``None`` or 0). At the limit its kernel
        is killed; the limit needs the main thread (it uses ``SIGALRM``) and is skipped elsewhere.
    fork_kernel
        Fork the kernel from this process (:mod:`workbench.batch.kernels`; only in a fresh, single-threaded
        worker) instead of starting a new interpreter for it.

    Returns
    -------
    TaskResult
        ``failed`` with the error and the failing cell when the notebook raised, timed out or its
        kernel died; the partial executed notebook is kept for inspection. No kernel started here
        outlives the call: the process must run this notebook alone (a local worker, or
        ``python -m workbench.batch.run`` on a cluster worker).
    """
    import papermill as pm

    Path(task.workdir).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    deadline = _Deadline(notebook_timeout, started=time.time())
    try:
        with _kernel_log(Path(task.workdir) / "kernel.log"), deadline:
            if fork_kernel:
                from workbench.batch.kernels import start_forked_kernel

                kernel = {"km": start_forked_kernel(task.workdir, task.workdir)}
            else:
                kernel = {}
            pm.execute_notebook(
                str(paths.notebooks_dir() / task.template),
                task.output,
                parameters=task.parameters,
                kernel_name="python3",
                cwd=task.workdir,
                execution_timeout=timeout,
                progress_bar=False,
                log_output=False,
                report_mode=False,
                **kernel,
            )
    except pm.PapermillExecutionError as exc:
        error, cell = f"{exc.ename}: {exc.evalue}".strip(), exc.exec_count
        if deadline.expired:
            error = _explain(exc, deadline, timeout, cell)
    except (Exception, NotebookTimeout) as exc:  # timeouts, dead kernels, unreadable templates: recorded, none fatal
        cell = failing_cell(Path(task.output))
        error = _explain(exc, deadline, timeout, cell)
    else:
        return TaskResult(task.name, "ok", time.perf_counter() - start, task.output)
    finally:
        stop_kernels(since=deadline.started)
        for leftover in Path(task.workdir).glob(".kernel-*.json"):
            leftover.unlink(missing_ok=True)
    return TaskResult(task.name, "failed", time.perf_counter() - start, task.output, error[:_MAX_ERROR], cell)


def _explain(exc: BaseException, deadline: _Deadline, timeout: int, cell: int | None) -> str:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    at = f" while running cell In [{cell}]" if cell else ""
    if deadline.expired:
        return f"timed out after {deadline.seconds:g} s (--notebook-timeout){at}; its kernel was stopped"
    if isinstance(exc, DeadKernelError):
        return f"kernel died (killed or out of memory){at}"
    if isinstance(exc, CellTimeoutError):
        return f"cell timed out after {timeout} s (--timeout){at}"
    return f"{type(exc).__name__}: {exc}".strip()


def failing_cell(notebook: Path) -> int | None:
    """The ``In [n]`` label of the cell that was running when a notebook stopped, from papermill's metadata.

    Papermill saves the executed notebook as each cell starts and ends, marking started cells with a
    ``papermill.start_time``; the last such cell is the one that failed or was running. A cell that
    never reported its execution count is numbered after the code cell before it.

    Parameters
    ----------
    notebook
        The (partial) executed notebook.

    Returns
    -------
    int or None
        ``None`` when the notebook is missing or unreadable, or no cell had started.
    """
    import nbformat

    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except Exception:  # missing, empty or cut short by a kill while papermill was writing it
        return None
    count, found = 0, None
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        count = cell.get("execution_count") or count + 1
        if cell.get("metadata", {}).get("papermill", {}).get("start_time"):
            found = count
    return found


def stop_kernels(since: float = 0.0, wait: float = 5.0) -> int:
    """Kill the kernels this process started (each with the processes it started) and return how many.

    Kernels are the child processes that lead a process group of their own (jupyter_client starts
    each kernel in a new session) and began after ``since`` (a ``time.time()`` value).
    """
    import psutil

    try:
        children = [c for c in psutil.Process().children() if c.create_time() >= since - 1]
    except psutil.Error:
        return 0
    kernels = [c for c in children if _leads_group(c.pid)]
    for kernel in kernels:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(kernel.pid, signal.SIGKILL)
    if wait and kernels:
        psutil.wait_procs(kernels, timeout=wait)
    return len(kernels)


def _leads_group(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except (ProcessLookupError, PermissionError):
        return False


class _Deadline:
    """A wall-clock limit on the main thread: at the limit, kill the kernels; if that does not end it, raise."""

    def __init__(self, seconds: float | None, started: float):
        self.seconds = seconds
        self.started = started
        self.expired = False
        self._previous = None

    def __enter__(self) -> _Deadline:
        if self.seconds and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)

    def _fire(self, signum, frame) -> None:
        if self.expired:
            raise NotebookTimeout(f"still running {_GRACE} s after its kernel was killed")
        self.expired = True
        # a dead kernel ends the execution the ordinary way (papermill saves the notebook, nbclient cleans up)
        stop_kernels(since=self.started, wait=0)
        signal.setitimer(signal.ITIMER_REAL, _GRACE)


@contextlib.contextmanager
def _kernel_log(path: Path):
    # the kernel process inherits file descriptor 2: its warnings go to the run's log, not the terminal
    saved = os.dup(2)
    with path.open("ab") as log_file:
        os.dup2(log_file.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _work(task: Task, timeout: int, notebook_timeout: float | None, conn, env: dict, cwd: str, fork_kernel: bool) -> None:
    # entry point of a worker process: one notebook, its result sent back, never a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops us with SIGTERM
    signal.signal(signal.SIGTERM, _terminated)
    # born with both blocked (see _interrupts_deferred): a SIGTERM sent meanwhile is delivered now
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    # a fork server's child has the server's environment and folder: take the run's
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        result = execute(task, timeout, notebook_timeout, fork_kernel)
    except BaseException as exc:
        result = TaskResult(task.name, "failed", 0.0, task.output, f"{type(exc).__name__}: {exc}"[:_MAX_ERROR])
    conn.send(result)
    conn.close()


def _terminated(signum, frame) -> None:
    stop_kernels(wait=2)
    os._exit(128 + signum)


# --- many notebooks, from the parent process ----------------------------------------------------


@dataclass
class _Worker:
    """A process running one task, and the pipe its result comes back on."""

    task: Task
    process: multiprocessing.process.BaseProcess
    reader: object
    started: float

    @classmethod
    def start(cls, context, task: Task, timeout: int, notebook_timeout: float | None, fork_kernel: bool) -> _Worker:
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(task, timeout, notebook_timeout, writer, dict(os.environ),
                                                      os.getcwd(), fork_kernel),
                                  name=f"workbench-{task.name}", daemon=True)
        # a child born with Ctrl-C and SIGTERM blocked cannot print a KeyboardInterrupt traceback while it
        # starts up; in this process they are deferred, not lost (the first start also starts the fork
        # server, which takes seconds)
        try:
            with _interrupts_deferred():
                process.start()
        except KeyboardInterrupt:
            if process.pid is not None:
                process.terminate()
                process.join(5)
            raise
        writer.close()
        return cls(task, process, reader, time.monotonic())

    def collect(self) -> TaskResult:
        """The result sent back, or a failure saying how the process died."""
        try:
            result = self.reader.recv()
        except (EOFError, OSError):
            result = None
        self.process.join(10)
        self._close()
        return result if isinstance(result, TaskResult) else self._died()

    def stop(self, status: str, error: str) -> TaskResult:
        """Stop the process (SIGTERM: it kills its kernel and exits; SIGKILL if it does not)."""
        self.process.terminate()
        self.process.join(10)
        self._close()
        cell = failing_cell(Path(self.task.output))
        at = f" while running cell In [{cell}]" if cell else ""
        return TaskResult(self.task.name, status, self.seconds, self.task.output, error + at, cell)

    @property
    def seconds(self) -> float:
        """Seconds since the process started."""
        return time.monotonic() - self.started

    def _close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.reader.close()

    def _died(self) -> TaskResult:
        code = self.process.exitcode
        how = f"{signal.Signals(-code).name}: killed or out of memory" if code and code < 0 else f"exit code {code}"
        cell = failing_cell(Path(self.task.output))
        at = f" while running cell In [{cell}]" if cell else ""
        return TaskResult(self.task.name, "failed", self.seconds, self.task.output, f"worker process died ({how}){at}", cell)


def _execute_all(tasks: list[Task], jobs: int, timeout: int, notebook_timeout: float | None, record,
                 fork_kernels: bool = True) -> None:
    # run tasks, `jobs` at a time, each in a fresh process: a process that dies takes nothing else with it
    context = _worker_context(fork_kernels)
    waiting, running = list(tasks), []
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                running.append(_Worker.start(context, waiting.pop(0), timeout, notebook_timeout, fork_kernels))
            ready = wait_ready([w.reader for w in running], timeout=1)
            for worker in list(running):
                if worker.reader in ready:
                    running.remove(worker)
                    record(worker.collect())
                elif notebook_timeout and worker.seconds > notebook_timeout + 2 * _GRACE:
                    # the worker's own deadline did not end it (stuck outside Python): stop it from here
                    running.remove(worker)
                    record(worker.stop("failed", f"timed out after {notebook_timeout:g} s (--notebook-timeout), "
                                                 "worker process stopped"))
    except KeyboardInterrupt:
        with _interrupts_ignored():
            for worker in running:
                record(worker.stop("interrupted", "interrupted"))
        raise


def _execute_on_cluster(tasks: list[Task], scheduler: str, timeout: int, notebook_timeout: float | None, record) -> None:
    # each notebook a task of a dask.distributed cluster; a worker that dies or raises fails that notebook only
    if not tasks:
        return
    from distributed import as_completed

    env = {k: os.environ[k] for k in ("WORKBENCH_ROOT",) if k in os.environ}
    with _client(scheduler) as client:
        futures = {client.submit(_remote, task, timeout, notebook_timeout, env, key=f"workbench-{task.name}-{os.getpid()}-{time.time_ns()}",
                                 pure=False, retries=0): task for task in tasks}
        try:
            for future in as_completed(futures):
                task = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the worker died, or the task could not reach it
                    result = TaskResult(task.name, "failed", 0.0, task.output,
                                        f"on the cluster {scheduler}: {type(exc).__name__}: {exc}"[:_MAX_ERROR])
                record(result)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise


def _client(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--scheduler needs dask.distributed: pip install 'workbench[distributed]' "
                          "(or `pip install distributed`)") from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError(f"--scheduler {scheduler}: cannot reach the dask scheduler ({type(exc).__name__}: {exc}); "
                          "expected an address such as tcp://host:8786 of a running `dask scheduler`") from None


def check_scheduler(scheduler: str) -> None:
    """Connect to a dask scheduler once, before a run starts (ConfigError if it cannot be reached)."""
    with _client(scheduler):
        pass


def _remote(task: Task, timeout: int, notebook_timeout: float | None, env: dict) -> TaskResult:
    # on a cluster worker, whose threads share one working directory: each notebook in a process of
    # its own (``python -m workbench.batch.run``), as a local worker runs it
    import subprocess
    import sys

    payload = json.dumps({"task": asdict(task), "timeout": timeout, "notebook_timeout": notebook_timeout})
    try:
        done = subprocess.run([sys.executable, "-m", "workbench.batch.run"], input=payload, capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=(notebook_timeout or None) and notebook_timeout + 2 * _GRACE)
    except subprocess.TimeoutExpired:
        return TaskResult(task.name, "failed", float(notebook_timeout or 0), task.output,
                          f"timed out after {notebook_timeout:g} s (--notebook-timeout) on the cluster worker")
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return TaskResult(**json.loads(lines[-1]))
    tail = " ".join(done.stderr.strip().splitlines()[-3:])
    return TaskResult(task.name, "failed", 0.0, task.output,
                      f"notebook process on the cluster worker ended with exit code {done.returncode}: {tail}"[:_MAX_ERROR])


def _execute_one_from_stdin() -> int:
    # `python -m workbench.batch.run`: one task as JSON on stdin, its result as JSON on the last line of stdout
    import sys

    request = json.loads(sys.stdin.read())
    result = execute(Task(**request["task"]), request["timeout"], request["notebook_timeout"])
    print(json.dumps(asdict(result)))
    return 0


def _worker_context(fork_kernels: bool):
    # forked workers: from a server that imported the kernels' modules once (see workbench.batch.kernels)
    if not fork_kernels:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["workbench.batch.preload"])
    return context


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _interrupts_deferred():
    # block Ctrl-C and SIGTERM while a child process starts: one that arrives is delivered (and
    # raises) when the block ends, instead of being dropped as an ignored signal would be;
    # children inherit the blocked mask and unblock it themselves once their handlers are set
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


@contextlib.contextmanager
def _interrupts_ignored():
    # hold Ctrl-C (and SIGTERM) off while a step must not be cut in two; no-op outside the main thread
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _terminate_as_interrupt():
    # `kill <pid>` stops a run like Ctrl-C does: workers and kernels stopped, partial outputs kept
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    saved = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, saved)


# --- the batch ----------------------------------------------------------------------------------


def run_batch(
    city_ids: list[str] | None = None,
    jobs: int | None = None,
    run_dir: Path | None = None,
    timeout: int = 600,
    with_compare: bool = True,
    with_annex: bool = True,
    progress=None,
    annex_options: dict | None = None,
    notebook_timeout: float | None = NOTEBOOK_TIMEOUT,
    params: dict[str, CityParams] | None = None,
    fresh_kernels: bool = False,
    force: bool = False,
    briefs: list[str] | None = None,
    scheduler: str | None = None,
) -> RunSummary:
    """Run city profiles in parallel, then the comparisons, then render the annexes.

    Parameters
    ----------
    city_ids
        Cities to run (all registered cities when ``None``).
    jobs
        Parallel notebook executions (default: one per core).
    run_dir
        Output folder; a new ``outputs/<run id>`` when ``None``. It must not exist or be empty.
    timeout
        Seconds allowed per notebook cell.
    with_compare, with_annex
        Whether to run the comparisons (on the cities that succeeded) and render annexes.
    progress
        Callable ``progress(result, done, total)`` called as each notebook finishes.
    annex_options
        Keyword arguments for :func:`workbench.report.annex.render_run` (formats, languages, threshold,
        progress); all formats and languages when ``None``.
    notebook_timeout
        Seconds allowed per notebook (no limit when ``None`` or 0).
    params
        Validated parameters of some of the cities (``workbench run --params FILE``), used
        instead of their ``params/<city>.yaml``; the manifest records what each notebook got.
    fresh_kernels
        Start every kernel as a new interpreter instead of forking it from a process with the
        modules imported (:mod:`workbench.batch.kernels`): slower, for comparison and debugging.
    force
        Run every notebook, even one an earlier run made from the same inputs (by default such a
        notebook, and its annexes, are copied from that run: :mod:`workbench.batch.cache`).
    briefs
        Eurostat codes to write city briefs of, with ``briefs/index.html`` listing them
        (:mod:`workbench.analysis.brief`); ``city_ids`` may then be empty.
    scheduler
        Address of a dask.distributed scheduler (``tcp://host:8786``): the notebooks run on its
        workers instead of local worker processes. The workers must see the project and the run
        folder at the same paths (one machine, or a shared file system) and have the workbench
        installed; each notebook runs there in a process of its own with a fresh kernel, under
        both time limits.

    Returns
    -------
    RunSummary
        ``run_dir`` is the run's final folder (see the module docstring); its ``manifest.json``
        says the same. ``outputs/latest`` moves only to a run made under ``outputs/`` in which
        every notebook succeeded.

    Raises
    ------
    ConfigError
        Before anything runs: a wrong city, parameter or run folder, or another run holding
        ``outputs/.lock``.
    DataError
        Before anything runs: a bad expert-figures or chapter file (:func:`check_local_inputs`).
    RunInterrupted
        On Ctrl-C or SIGTERM, after stopping the workers and kernels and keeping the partial outputs.
    """
    city_ids = list(city_ids if city_ids is not None or briefs else load_cities())
    for city_id in city_ids:
        get_city(city_id)
    if city_ids:
        check_local_inputs(city_ids)
    if scheduler:
        check_scheduler(scheduler)
    with lock.hold(paths.outputs_dir()):
        folders = run_folders(run_dir)
        cities, compare = plan(city_ids, folders.staging, with_compare, params, briefs or [])
        batch = _Batch(folders, cities, compare, jobs, timeout, notebook_timeout, not fresh_kernels, force, scheduler)
        return batch.run(with_annex, progress, annex_options)


def check_local_inputs(city_ids: list[str]) -> None:
    """Refuse, before anything runs, the files experts write that every profile reads.

    A bad expert-figures file or a misnamed chapter file would otherwise fail every profile of
    the run, one by one, with the same message.

    Raises
    ------
    DataError, ConfigError
        Naming the file, line and column (figures) or the file to rename (chapters).
    """
    from workbench.tidy.chapters import chapter_status
    from workbench.tidy.expert import load_expert_figures

    load_expert_figures()
    chapter_status(city_ids)


def resume_batch(
    jobs: int | None = None,
    run_dir: Path | None = None,
    timeout: int = 600,
    with_annex: bool = True,
    progress=None,
    annex_options: dict | None = None,
    notebook_timeout: float | None = NOTEBOOK_TIMEOUT,
    fresh_kernels: bool = False,
) -> RunSummary:
    """Rerun what failed in the last attempt (``outputs/last-attempt``) into a new run.

    The city notebooks that succeeded are copied from the last attempt, the others run again; the
    comparisons run again when any city did (else only those that failed). The manifest names
    the run each copied notebook came from (``reused_from``). Parameters as in :func:`run_batch`.

    Returns
    -------
    RunSummary

    Raises
    ------
    ConfigError
        If there is no last attempt or it has no manifest, if it succeeded (nothing to resume), or
        if an input file changed since it ran (its outputs would be stale); the message names them.
    """
    with lock.hold(paths.outputs_dir()):
        previous, manifest = last_attempt()
        _check_resumable(previous, manifest)
        names = [n["name"] for n in manifest["notebooks"]]
        city_ids = [n for n in names if not n.startswith("compare-")]
        folders = run_folders(run_dir)
        # the parameters each city notebook got then (params/ or --params files), checked again
        recorded = {n["name"]: validate_params("city_profile", {k: v for k, v in n.get("parameters", {}).items()
                                                                if k != "output_dir"}, f"{previous}/manifest.json")
                    for n in manifest["notebooks"] if n["name"] in city_ids}
        cities, compare = plan(city_ids, folders.staging, any(n.startswith("compare-") for n in names), recorded)
        succeeded = {n["name"]: n for n in manifest["notebooks"] if n["status"] == "ok"}
        reused = [c.name for c in cities if c.name in succeeded]
        if len(reused) == len(cities):
            reused += [c.name for c in compare if c.name in succeeded]
        for task in cities + compare:
            kept = previous / Path(task.workdir).relative_to(folders.staging)
            if task.name in reused and not kept.is_dir():
                raise ConfigError(f"cannot resume {previous}: {kept} is missing; run without --resume")
        batch = _Batch(folders, cities, compare, jobs, timeout, notebook_timeout, not fresh_kernels)
        batch.reuse(previous, {name: succeeded[name] for name in reused})
        return batch.run(with_annex, progress, annex_options)


def last_attempt() -> tuple[Path, dict]:
    """The most recent run (``outputs/last-attempt``) and its manifest.

    Raises
    ------
    ConfigError
        If no run was recorded, or its folder or manifest is gone or unreadable.
    """
    link = paths.outputs_dir() / LAST_ATTEMPT
    if not link.is_symlink() and not link.exists():
        raise ConfigError(f"nothing to resume: {link} does not exist (no run was made in {link.parent} yet)")
    folder = link.resolve()
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise ConfigError(f"cannot resume: {manifest} is missing (the last run was removed or killed before it "
                          f"started); run without --resume")
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if not isinstance(data.get("notebooks"), list) or not isinstance(data.get("inputs"), dict):
            raise ValueError("no 'notebooks' list or 'inputs' table")
        if not all(isinstance(n.get("name"), str) and isinstance(n.get("status"), str) for n in data["notebooks"]):
            raise ValueError("a notebook entry without 'name' or 'status'")
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"cannot resume: {manifest} is not a workbench run manifest ({exc})") from None
    return folder, data


def _check_resumable(previous: Path, manifest: dict) -> None:
    if manifest.get("status") == "ok":
        raise ConfigError(f"nothing to resume: the last run ({previous}) succeeded; run without --resume for a new run")
    current = input_checksums()
    recorded = manifest["inputs"]
    changed = sorted(k for k in recorded.keys() | current.keys() if recorded.get(k) != current.get(k))
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        raise ConfigError(f"cannot resume {previous}: input files changed since it ran ({shown}); the outputs it "
                          f"kept would be stale; run without --resume")


class _Batch:
    """One run from its staging folder to its final name: execute, record, render, publish."""

    def __init__(self, folders: RunFolders, cities: list[Task], compare: list[Task], jobs: int | None,
                 timeout: int, notebook_timeout: float | None, fork_kernels: bool = True, force: bool = False,
                 scheduler: str | None = None):
        self.folders = folders
        self.scheduler = scheduler
        self.fork_kernels = fork_kernels
        self.force = force
        self.base: dict = {}
        self.earlier: dict[str, cache.Earlier] = {}
        self.annex: dict = {}
        self.cities, self.compare = cities, compare
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.timeout, self.notebook_timeout = timeout, notebook_timeout
        self.summary = RunSummary(folders.staging)
        self.reused: dict[str, dict] = {}
        self.previous: Path | None = None
        self.header: dict = {}
        self.error = ""
        self.progress = None

    def reuse(self, previous: Path, entries: dict[str, dict]) -> None:
        """Copy these notebooks' folders from ``previous`` instead of running them."""
        self.previous, self.reused = previous, entries
        self.summary.resumed_from = previous.name

    def run(self, with_annex: bool, progress, annex_options: dict | None) -> RunSummary:
        """Execute, render and publish; see :func:`run_batch`."""
        self.progress = progress
        self.folders.staging.mkdir(parents=True)
        try:
            with _terminate_as_interrupt():
                self.header = manifest_header(self.folders.final.name)
                self.base = cache.base_inputs(self.header["inputs"])
                self._record_manifest()
                _point(paths.outputs_dir() / LAST_ATTEMPT, self.folders.staging)
                self._execute(self.cities)
                self.compare = [self._with_succeeded_cities(t) for t in self.compare]
                self._execute(self.compare)
                self.summary.status = "ok" if not self.summary.failed else "failed"
                if with_annex:
                    self._render(annex_options)
                if any(t.template == BRIEF_TEMPLATE for t in self.cities):
                    self._index_briefs()
        except KeyboardInterrupt:
            self.summary.status = "interrupted"
            self._publish()
            raise RunInterrupted(self.summary) from None
        except BaseException as exc:
            self.summary.status, self.error = "failed", f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
            self._publish()
            raise
        self._publish()
        return self.summary

    def _execute(self, tasks: list[Task]) -> None:
        keys = {t.name: self._key(t) for t in tasks if t.name not in self._names()}
        for task in tasks:
            if task.name in self.reused:
                self._record(replace(self._copy(task), key=keys[task.name]))
        todo = [t for t in tasks if t.name not in self.reused and t.name not in self._names()]
        if not self.force:
            found = cache.find_earlier({t.name: keys[t.name] for t in todo}, exclude=self.folders.names())
            for task in todo:
                if task.name in found:
                    earlier = self.earlier[task.name] = found[task.name]
                    cache.copy_notebook(earlier, Path(task.workdir))
                    self._record(TaskResult(task.name, "ok", float(earlier.entry.get("seconds", 0.0)), task.output,
                                            reused_from=earlier.entry.get("reused_from") or earlier.run.name,
                                            key=keys[task.name]))
            todo = [t for t in todo if t.name not in found]
        # the longest first (as they took last time), so that no worker is left with a long one at the end
        took = cache.previous_seconds([t.name for t in todo])
        todo = sorted(todo, key=lambda t: -took.get(t.name, 0.0))
        record = lambda result: self._record(replace(result, key=keys[result.name]))  # noqa: E731
        if self.scheduler:
            _execute_on_cluster(todo, self.scheduler, self.timeout, self.notebook_timeout, record)
        else:
            _execute_all(todo, self.jobs, self.timeout, self.notebook_timeout, record, self.fork_kernels)

    def _index_briefs(self) -> None:
        # briefs/index.html: every brief that succeeded, the network cities linked to their full profiles
        from workbench.analysis.brief import index_html

        staging = self.folders.staging
        summaries = []
        for result in self.summary.results:
            if result.name.startswith("brief-") and result.status == "ok":
                summary = Path(result.notebook).parent / "brief.json"
                with contextlib.suppress(OSError, ValueError):
                    summaries.append(json.loads(summary.read_text(encoding="utf-8")))
        profiles = {}
        latest = paths.outputs_dir() / "latest"
        for city_id in {s["city_id"] for s in summaries if s["city_id"]}:
            if (staging / "annex" / "en" / f"{city_id}.html").is_file():
                profiles[city_id] = f"../annex/en/{city_id}.html"
            elif self.folders.final.parent.resolve() == paths.outputs_dir().resolve() and \
                    (latest / "annex" / "en" / f"{city_id}.html").is_file():
                profiles[city_id] = f"../../latest/annex/en/{city_id}.html"
        target = staging / "briefs" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name("index.html.tmp")
        tmp.write_text(index_html(summaries, profiles, self.folders.final.name), encoding="utf-8")
        tmp.replace(target)

    def _key(self, task: Task) -> str:
        inputs = self.header["inputs"]
        if task.template == BRIEF_TEMPLATE:
            return cache.brief_key(task.template, task.parameters, inputs, self.base)
        if task.template == CITY_TEMPLATE:
            return cache.city_key(task.template, task.parameters, task.name, inputs, self.base)
        cities_dir = Path(task.workdir) / task.parameters["cities_dir"]
        return cache.compare_key(task.template, task.parameters, cities_dir, inputs, self.base)

    def _copy(self, task: Task) -> TaskResult:
        entry = self.reused[task.name]
        source = self.previous / Path(task.workdir).relative_to(self.folders.staging)
        shutil.copytree(source, task.workdir, symlinks=True)
        return TaskResult(task.name, "ok", float(entry.get("seconds", 0.0)), task.output, reused_from=self.previous.name)

    def _with_succeeded_cities(self, task: Task) -> Task:
        # a comparison reads what the city runs saved: only the cities that succeeded have complete files
        ok = {r.name for r in self.summary.results if r.status == "ok"}
        chosen = [c for c in task.parameters["city_ids"] if c in ok]
        if not chosen:
            self._record(TaskResult(task.name, "not run", 0.0, task.output, "no city of the run succeeded"))
        return replace(task, parameters={**task.parameters, "city_ids": chosen})

    def _names(self) -> set[str]:
        return {r.name for r in self.summary.results}

    def _record(self, result: TaskResult) -> None:
        self.summary.results.append(result)
        self._record_manifest()
        if self.progress:
            self.progress(result, len(self.summary.results), len(self.cities) + len(self.compare))

    def _render(self, annex_options: dict | None) -> None:
        options = dict(annex_options or {})
        progress = options.pop("progress", None)
        if not {"formats", "languages", "threshold"} <= set(options):
            from workbench.report.annex import default_options

            options = {**default_options(), **options}
        ok = [r for r in self.summary.results if r.status == "ok" and not r.name.startswith("brief-")]
        if not ok:
            return
        # an annex made from the same notebook (for the network: the same comparisons, all from one
        # run) with the same options is taken from that run too
        sources = {r.name: self.earlier[r.name] for r in ok if r.name in self.earlier and not r.name.startswith("compare-")}
        comparisons = [r for r in ok if r.name.startswith("compare-")]
        runs = {self.earlier[r.name].run for r in comparisons if r.name in self.earlier}
        if comparisons and len(runs) == 1 and all(r.name in self.earlier for r in comparisons):
            sources[cache.NETWORK] = self.earlier[comparisons[0].name]
        copied = set()
        for name, earlier in sources.items():
            files = cache.copy_annexes(earlier, self.folders.staging, name, options)
            if files is not None:
                copied.add(name)
                for path in files if progress else []:
                    progress(path)
        if any(r.name not in copied for r in ok if not r.name.startswith("compare-")) or (comparisons and cache.NETWORK not in copied):
            from workbench.report.annex import render_run

            render_run(self.folders.staging, ok, skip=copied, progress=progress, **options)
        self.annex = {"formats": list(options["formats"]), "languages": list(options["languages"]),
                      "threshold": options["threshold"]}

    def _record_manifest(self) -> None:
        write_manifest(self.summary, self.cities + self.compare, self.header or manifest_header(self.folders.final.name),
                       self.error, self.annex)

    def _publish(self) -> None:
        # the last steps run to the end even if Ctrl-C is pressed again
        with _interrupts_ignored():
            staging = self.folders.staging
            for leftover in staging.rglob("*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            order = [t.name for t in self.cities + self.compare]
            done = self._names()
            self.summary.results += [TaskResult(t.name, "not run", 0.0, t.output) for t in self.cities + self.compare
                                     if t.name not in done]
            self.summary.results.sort(key=lambda r: order.index(r.name) if r.name in order else len(order))
            self._record_manifest()
            target = self.folders.for_status(self.summary.status)
            if target.is_dir() and not target.is_symlink():
                target.rmdir()  # the empty folder given as --run-dir
            staging.rename(target)
            for result in self.summary.results:
                result.notebook = str(target / Path(result.notebook).relative_to(staging))
            self.summary.run_dir = target
            outputs = paths.outputs_dir()
            if self.summary.status == "ok" and target.parent.resolve() == outputs.resolve():
                _point(outputs / "latest", target)
            _point(outputs / LAST_ATTEMPT, target)


def input_checksums() -> dict[str, str]:
    """SHA-256 of every input file (tidy tables, expert figures and chapters, params, notebooks, registries), by project path."""
    root = paths.project_root()
    inputs = {}
    local = paths.local_dir()
    for folder in (paths.tidy_dir(), local / "figures", local / "chapters", paths.params_dir(), paths.notebooks_dir(),
                   paths.registry_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and ".ipynb_checkpoints" not in path.parts:
                inputs[str(path.relative_to(root))] = sha256_file(path)
    return inputs


def manifest_header(run_id: str) -> dict:
    """What a run's manifest says about the run as a whole, fixed when it starts.

    Returns
    -------
    dict
        ``run_id``, ``started``, ``git_commit``, ``packages`` and ``inputs`` (see :func:`input_checksums`).
    """
    return {
        "run_id": run_id,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(paths.project_root()),
        "packages": package_versions(),
        "inputs": input_checksums(),
    }


def write_manifest(summary: RunSummary, tasks: list[Task], header: dict, error: str = "", annex: dict | None = None) -> Path:
    """Write ``<run>/manifest.json`` atomically: the header, the run's status and every notebook's.

    Every planned notebook is listed, in plan order, with its parameters; one without a result
    yet is ``not run``.

    Parameters
    ----------
    summary
        The run so far; ``summary.status`` is the run's status.
    tasks
        Every notebook of the run.
    header
        From :func:`manifest_header`.
    error
        What stopped the run, when it was not a notebook.
    annex
        The options the annexes were rendered with, once they are (what :mod:`workbench.batch.cache`
        compares before copying an annex).

    Returns
    -------
    Path
    """
    results = {r.name: r for r in summary.results}
    notebooks = []
    for task in tasks:
        result = results.get(task.name) or TaskResult(task.name, "not run", 0.0, task.output)
        notebooks.append({**asdict(result), "notebook": str(Path(result.notebook).relative_to(summary.run_dir)),
                          "template": task.template, "parameters": task.parameters})
    finished = "" if summary.status == "running" else datetime.now(timezone.utc).isoformat(timespec="seconds")
    inputs = header["inputs"]
    manifest = {
        **{k: v for k, v in header.items() if k != "inputs"},
        "finished": finished,
        "status": summary.status,
        **({"resumed_from": summary.resumed_from} if summary.resumed_from else {}),
        **({"error": error} if error else {}),
        **({"annex": annex} if annex else {}),
        "notebooks": notebooks,
        "inputs": inputs,
    }
    path = summary.run_dir / "manifest.json"
    cache.save_manifest(path, manifest)
    return path


def _point(link: Path, target: Path) -> None:
    # replace the symbolic link in one step: a reader sees the old run or the new one, never none
    link.parent.mkdir(parents=True, exist_ok=True)
    same = target.parent.resolve() == link.parent.resolve()
    tmp = link.with_name(f".{link.name}.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name if same else target.resolve())
    tmp.replace(link)


if __name__ == "__main__":
    raise SystemExit(_execute_one_from_stdin())

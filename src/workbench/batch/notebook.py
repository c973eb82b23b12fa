"""Execute one notebook in this process with papermill, under its time limits, and stop its kernel after."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench import paths
from workbench.batch.tasks import Task, TaskKind, TaskResult
from workbench.errors import NotebookTimeout

#: Default wall-clock limit of one notebook, in seconds (``--notebook-timeout``).
NOTEBOOK_TIMEOUT = 1800
#: Seconds a notebook may go on after its kernel was killed at its time limit before it is stopped harder.
GRACE = 30


@dataclass(frozen=True)
class Limits:
    """The time limits of every notebook of a run, in seconds."""

    cell: int = 600  #: per cell (``--timeout``)
    notebook: float | None = NOTEBOOK_TIMEOUT  #: per notebook, all cells together (no limit when ``None`` or 0)


def execute(task: Task, limits: Limits, start_kernel: Callable[[str, str], object] | None = None) -> TaskResult:
    """Execute one notebook with papermill; never raises for a notebook failure.

    Parameters
    ----------
    task
        What to run.
    limits
        Seconds allowed per cell and for the whole notebook. At the notebook's limit its kernel is
        killed; that limit needs the main thread (it uses ``SIGALRM``) and is skipped elsewhere.
    start_kernel
        ``start_kernel(cwd, connection_dir)`` returns a kernel manager already running a kernel
        (:func:`workbench.batch.kernels.start_forked_kernel`); ``None``: papermill starts a new interpreter.

    Returns
    -------
    TaskResult
        ``failed`` with the error and the failing cell when the notebook raised, timed out or its
        kernel died; the partial executed notebook is kept for inspection. No kernel started here
        outlives the call: the process must run this notebook alone (a local worker, or
        ``python -m workbench.batch.notebook`` on a cluster worker).
    """
    import papermill as pm

    # the run made the folder above (its cities/, compare/ or briefs/): a worker that starts after the run
    # was stopped and its staging folder renamed must fail here, not create that folder again
    Path(task.workdir).mkdir(exist_ok=True)
    start = time.perf_counter()
    timeout = limits.cell
    deadline = _Deadline(limits.notebook, started=time.time())
    try:
        with _kernel_log(Path(task.workdir) / "kernel.log"), deadline:
            kernel = {"km": start_kernel(task.workdir, task.workdir)} if start_kernel else {}
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
        return TaskResult.of(task, "ok", time.perf_counter() - start)
    finally:
        stop_kernels(since=deadline.started)
        for leftover in Path(task.workdir).glob(".kernel-*.json"):
            leftover.unlink(missing_ok=True)
    return TaskResult.of(task, "failed", time.perf_counter() - start, error, cell)


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
            raise NotebookTimeout(f"still running {GRACE} s after its kernel was killed")
        self.expired = True
        # a dead kernel ends the execution the ordinary way (papermill saves the notebook, nbclient cleans up)
        stop_kernels(since=self.started, wait=0)
        signal.setitimer(signal.ITIMER_REAL, GRACE)


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


def execute_one_from_stdin() -> int:
    """``python -m workbench.batch.notebook``: one task as JSON on stdin, its result as JSON on the last line of stdout."""
    import sys

    request = json.loads(sys.stdin.read())
    task = request["task"]
    result = execute(Task(**{**task, "kind": TaskKind(task["kind"])}), Limits(**request["limits"]))
    print(json.dumps({**asdict(result), "kind": result.kind.value}))
    return 0


if __name__ == "__main__":
    raise SystemExit(execute_one_from_stdin())

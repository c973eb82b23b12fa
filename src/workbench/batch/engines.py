"""Execution engines: where a run's notebooks execute (local workers with forked or fresh kernels, dask), behind one interface.

An engine takes the tasks of one step of a run, executes each notebook once in a process of its
own, and hands every result to ``record`` as it comes; a notebook that fails never stops the
others. On Ctrl-C or SIGTERM (``KeyboardInterrupt`` in the calling thread) it stops what it
started, records those notebooks as ``interrupted`` and raises again. Engines are registered by
name (:func:`register`) and made by :func:`create`; ``workbench run`` picks ``forked``, ``fresh``
(``--fresh-kernels``) or ``dask`` (``--scheduler``).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import asdict
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import Protocol

from workbench.batch import interrupts
from workbench.batch.kernels import PARENT_PID_VARIABLE, die_with_parent, kill_all, process_trees, start_forked_kernel
from workbench.batch.notebook import GRACE, Limits, execute, failing_cell, stop_kernels
from workbench.batch.tasks import MAX_ERROR, Task, TaskKind, TaskResult
from workbench.errors import ConfigError

#: Seconds the stopped workers of an interrupted run get to stop their kernels, all together, before SIGKILL.
STOP_WAIT = 3.0

Record = Callable[[TaskResult], None]


class Engine(Protocol):
    """Executes notebooks, each in a process of its own."""

    def check(self) -> None:
        """Refuse, before anything runs, an engine that cannot run (ConfigError)."""

    def execute(self, tasks: list[Task], limits: Limits, record: Record) -> None:
        """Execute ``tasks`` and call ``record`` with each result as it comes (see the module docstring)."""


_ENGINES: dict[str, Callable[..., Engine]] = {}


def register(name: str, factory: Callable[..., Engine]) -> None:
    """Make an engine available by name: ``factory(jobs=..., scheduler=...)`` returns it."""
    _ENGINES[name] = factory


def create(name: str, jobs: int | None = None, scheduler: str | None = None) -> Engine:
    """The engine registered as ``name``, for ``jobs`` notebooks at once (or the cluster at ``scheduler``).

    Raises
    ------
    ConfigError
        If no engine has that name.
    """
    if name not in _ENGINES:
        raise ConfigError(f"unknown execution engine '{name}'; engines: {', '.join(sorted(_ENGINES))}")
    return _ENGINES[name](jobs=jobs, scheduler=scheduler)


# --- local workers ------------------------------------------------------------------------------


class LocalEngine:
    """``jobs`` worker processes on this machine, each running one notebook with a kernel of its own.

    With ``fork_kernels`` the workers are forked from a server that imported the kernels' modules
    once and fork each kernel from themselves (:mod:`workbench.batch.kernels`); else each worker
    is a new interpreter and its kernel too.
    """

    def __init__(self, jobs: int | None, fork_kernels: bool):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.fork_kernels = fork_kernels

    def check(self) -> None:
        """Nothing to check: local workers can always start."""

    def execute(self, tasks: list[Task], limits: Limits, record: Record) -> None:
        """Run ``tasks``, ``jobs`` at a time, each in a fresh process: one that dies takes nothing else with it."""
        if not tasks:
            return
        context = self._context()
        start_kernel = start_forked_kernel if self.fork_kernels else None
        waiting, running = list(tasks), []
        try:
            while waiting or running:
                while waiting and len(running) < self.jobs:
                    running.append(_Worker.start(context, waiting.pop(0), limits, start_kernel))
                ready = wait_ready([w.reader for w in running], timeout=1)
                for worker in list(running):
                    if worker.reader in ready:
                        running.remove(worker)
                        record(worker.collect())
                    elif limits.notebook and worker.seconds > limits.notebook + 2 * GRACE:
                        # the worker's own deadline did not end it (stuck outside Python): stop it from here
                        running.remove(worker)
                        record(worker.stop("failed", f"timed out after {limits.notebook:g} s (--notebook-timeout), "
                                                     "worker process stopped"))
        except KeyboardInterrupt:
            with interrupts.ignored():
                for result in _stop_all(running):
                    record(result)
            raise

    def _context(self):
        if not self.fork_kernels:
            return multiprocessing.get_context("spawn")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["workbench.batch.preload"])
        # started here, told whom to die with, and with Ctrl-C ignored: a new interpreter keeps an
        # ignored signal (not a blocked one), so a Ctrl-C while it imports prints no traceback; here
        # the signals are held meanwhile (a Ctrl-C during the few milliseconds of the exec itself
        # may reach another thread of this process, which ignores it too)
        from multiprocessing import forkserver

        os.environ[PARENT_PID_VARIABLE] = str(os.getpid())
        try:
            with interrupts.deferred(), _stderr_to_devnull():
                previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
                try:
                    forkserver.ensure_running()
                finally:
                    signal.signal(signal.SIGINT, previous)
        finally:
            os.environ.pop(PARENT_PID_VARIABLE, None)
        return context


@contextlib.contextmanager
def _stderr_to_devnull():
    # the fork server and the workers it forks write nothing worth showing (a worker reports through
    # its pipe, a kernel into kernel.log); a worker cut short as it starts must not print a traceback
    saved = os.dup(2)
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


register("forked", lambda jobs=None, scheduler=None: LocalEngine(jobs, fork_kernels=True))
register("fresh", lambda jobs=None, scheduler=None: LocalEngine(jobs, fork_kernels=False))


def _work(task: Task, limits: Limits, conn, env: dict, cwd: str, parent: int, start_kernel) -> None:
    # entry point of a worker process: one notebook, its result sent back, never a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle: it stops us with SIGTERM
    signal.signal(signal.SIGTERM, _terminated)
    # die with the process that started us (the run, or the fork server that dies with the run)
    die_with_parent(parent)
    # a process forked from a thread that held them would keep them blocked: take them from here on
    signal.pthread_sigmask(signal.SIG_UNBLOCK, interrupts.STOP_SIGNALS)
    # a fork server's child has the server's environment and folder: take the run's
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        result = execute(task, limits, start_kernel)
    except BaseException as exc:
        result = TaskResult.of(task, "failed", 0.0, f"{type(exc).__name__}: {exc}")
    conn.send(result)
    conn.close()


def _terminated(signum, frame) -> None:
    stop_kernels(wait=2)
    os._exit(128 + signum)


class _Worker:
    """A process running one task, and the pipe its result comes back on."""

    def __init__(self, task: Task, process, reader):
        self.task, self.process, self.reader = task, process, reader
        self.started = time.monotonic()

    @classmethod
    def start(cls, context, task: Task, limits: Limits, start_kernel) -> _Worker:
        reader, writer = context.Pipe(duplex=False)
        parent = _fork_server_pid() if context.get_start_method() == "forkserver" else os.getpid()
        process = context.Process(target=_work, args=(task, limits, writer, dict(os.environ), os.getcwd(), parent,
                                                      start_kernel),
                                  name=f"workbench-{task.name}", daemon=True)
        # a spawned worker is started with the stop signals held (a worker cut short as it starts would
        # print a traceback); a forked one is not: its first start waits for the fork server to import
        # its modules (seconds), and a Ctrl-C must not wait for that
        hold = interrupts.deferred() if context.get_start_method() != "forkserver" else contextlib.nullcontext()
        try:
            with hold:
                process.start()
        except KeyboardInterrupt:
            if process.pid is not None:
                process.kill()
                process.join(5)
            reader.close()
            writer.close()
            raise
        writer.close()
        return cls(task, process, reader)

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
        return self.stopped(status, error)

    def stopped(self, status: str, error: str) -> TaskResult:
        """The result of a worker stopped from here."""
        cell = failing_cell(Path(self.task.output))
        at = f" while running cell In [{cell}]" if cell else ""
        return TaskResult.of(self.task, status, self.seconds, error + at, cell)

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
        return TaskResult.of(self.task, "failed", self.seconds, f"worker process died ({how}){at}", cell)


def _fork_server_pid() -> int:
    # the parent of a forked worker, which it dies with (the standard library keeps it here)
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None) or 0


def _stop_all(running: list[_Worker]) -> list[TaskResult]:
    # every worker at once, in bounded time: SIGTERM (each kills its kernel), a short wait, then
    # SIGKILL for the worker and anything it started, whatever state each one is in
    # with the workers the fork server may have forked for a start that was cut short
    started = process_trees([w.process.pid for w in running if w.process.pid is not None])
    started += [p for p in process_trees([_fork_server_pid()] if _fork_server_pid() else [])[1:] if p not in started]
    for worker in running:
        if worker.process.pid is not None:
            worker.process.terminate()
    end = time.monotonic() + STOP_WAIT
    for worker in running:
        worker.process.join(max(0.0, end - time.monotonic()))
    kill_all(started)
    results = []
    for worker in running:
        worker._close()
        results.append(worker.stopped("interrupted", "interrupted"))
    return results


# --- a dask.distributed cluster -----------------------------------------------------------------


class DaskEngine:
    """The workers of a dask.distributed cluster: each notebook a task there, in a process of its own.

    The workers must see the project and the run folder at the same paths (one machine, or a
    shared file system) and have the workbench installed; kernels there are started fresh.
    """

    def __init__(self, scheduler: str | None):
        if not scheduler:
            raise ConfigError("the dask engine needs the address of a scheduler (--scheduler tcp://host:8786)")
        self.scheduler = scheduler

    def check(self) -> None:
        """Connect to the scheduler once, before a run starts (ConfigError if it cannot be reached)."""
        with self._client():
            pass

    def execute(self, tasks: list[Task], limits: Limits, record: Record) -> None:
        """Submit every task; a worker that dies or raises fails that notebook only."""
        if not tasks:
            return
        from distributed import as_completed

        env = {k: os.environ[k] for k in ("WORKBENCH_ROOT",) if k in os.environ}
        with self._client() as client:
            futures = {client.submit(_remote, task, limits, env, key=f"workbench-{task.name}-{os.getpid()}-{time.time_ns()}",
                                     pure=False, retries=0): task for task in tasks}
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # the worker died, or the task could not reach it
                        result = TaskResult.of(task, "failed", 0.0,
                                               f"on the cluster {self.scheduler}: {type(exc).__name__}: {exc}")
                    record(result)
            except KeyboardInterrupt:
                client.cancel(list(futures))
                raise

    def _client(self):
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs dask.distributed: in the project folder, pip install -e '.[distributed]' "
                              "(the distributed extra of city-migration-workbench)") from None
        try:
            return Client(self.scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"--scheduler {self.scheduler}: cannot reach the dask scheduler ({type(exc).__name__}: "
                              f"{exc}); expected an address such as tcp://host:8786 of a running `dask scheduler`") from None


register("dask", lambda jobs=None, scheduler=None: DaskEngine(scheduler))


def _remote(task: Task, limits: Limits, env: dict) -> TaskResult:
    # on a cluster worker, whose threads share one working directory: each notebook in a process of
    # its own (``python -m workbench.batch.notebook``), as a local worker runs it
    import subprocess
    import sys

    payload = json.dumps({"task": {**asdict(task), "kind": task.kind.value}, "limits": asdict(limits)})
    try:
        done = subprocess.run([sys.executable, "-m", "workbench.batch.notebook"], input=payload, capture_output=True,
                              text=True, env={**os.environ, **env},
                              timeout=(limits.notebook or None) and limits.notebook + 2 * GRACE)
    except subprocess.TimeoutExpired:
        return TaskResult.of(task, "failed", float(limits.notebook or 0),
                             f"timed out after {limits.notebook:g} s (--notebook-timeout) on the cluster worker")
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        data = json.loads(lines[-1])
        return TaskResult(**{**data, "kind": TaskKind(data["kind"])})
    tail = " ".join(done.stderr.strip().splitlines()[-3:])
    return TaskResult.of(task, "failed", 0.0, f"notebook process on the cluster worker ended with exit code "
                                              f"{done.returncode}: {tail}"[:MAX_ERROR])

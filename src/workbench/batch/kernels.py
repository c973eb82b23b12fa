"""Start a notebook's kernel without paying for its imports again: fork it from a process that has them.

Measured on the 2-core machine this project is built on, a fresh Jupyter kernel costs about 1.5 s
to start and a city profile another 3 to 4 s to import pandas, matplotlib, seaborn, statsmodels,
pandera and the workbench, before any analysis. ``workbench run`` executes each notebook in a
worker process forked from a server that imported those modules once (the standard library's
``forkserver``, see :data:`PRELOAD`); the worker then forks the notebook's kernel from itself, so
the kernel starts with the modules in memory. Each notebook still has a process and a kernel of
its own, started fresh for it and killed after it: nothing a notebook does reaches another, and
the notebook's own import cell runs as usual (it finds the modules loaded), so its outputs are
those of a fresh kernel. ``workbench run --fresh-kernels`` starts ordinary kernels instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

#: Modules the fork server imports once (anything that fails to import is skipped by the server).
#: It also loads the tidy data once (:mod:`workbench.batch.preload`); a kernel checks the size and
#: modification time of every file behind it before use and reads the files again if one changed,
#: so a kernel forked later still reads the project's files as they are when it runs.
PRELOAD: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.regression.linear_model",
    "matplotlib",
    "pandera",
    "pydantic",
    "yaml",
    "jinja2",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "papermill",
    "nbclient",
    "nbformat",
    "jupyter_client",
    "workbench.batch.engines",
    "workbench.analysis.profile_tables",
    "workbench.analysis.age_sex",
    "workbench.analysis.country",
    "workbench.analysis.areas",
    "workbench.analysis.attainment",
    "workbench.analysis.city_tables",
    "workbench.analysis.framework_values",
    "workbench.analysis.compare",
    "workbench.analysis.composition",
    "workbench.analysis.synopsis",
    "workbench.analysis.availability",
    "workbench.analysis.conflicts",
    "workbench.analysis.labour",
    "workbench.analysis.legal_status",
    "workbench.analysis.survey",
    "workbench.analysis.stats",
    "workbench.tidy.chapters",
    "workbench.reference.framework",
    "workbench.analysis.overlap",
    "workbench.analysis.themes",
    "workbench.report.exhibits",
    "workbench.report.narrative",
    "workbench.reference.params",
    "workbench.reference.i18n",
)

#: ipykernel's own launcher, named as the kernel's ``sys.argv[0]`` as a fresh kernel has it.
_LAUNCHER = "ipykernel_launcher"


class ForkedKernel:
    """The kernel process a worker forked, with the part of ``subprocess.Popen`` jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit code once the kernel has ended, else ``None`` (reaps it)."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere (stop_kernels)
                self.returncode = -signal.SIGKILL
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the kernel to end; ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(_LAUNCHER, timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the kernel's process group (a no-op once it has ended)."""
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


def start_forked_kernel(cwd: Path | str, connection_dir: Path | str):
    """Fork a kernel in ``cwd`` and return a kernel manager attached to it, for papermill's ``km``.

    Must be called before the calling process starts any thread or ZeroMQ context (the child
    keeps only the calling thread), as a ``workbench run`` worker does first thing.

    Parameters
    ----------
    cwd
        The kernel's working directory (the notebook's run folder).
    connection_dir
        Where to write the kernel's connection file (removed with the kernel).

    Returns
    -------
    jupyter_client.AsyncKernelManager
        With ``has_kernel`` true: nbclient uses the kernel and leaves it running; the caller kills
        it (its process group) when the notebook ends, e.g. with :func:`workbench.batch.notebook.stop_kernels`.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.connect import write_connection_file
    from jupyter_client.provisioning import LocalProvisioner

    connection_file = str(Path(connection_dir) / f".kernel-{uuid.uuid4().hex}.json")
    write_connection_file(connection_file, ip="127.0.0.1", transport="tcp", key=uuid.uuid4().hex.encode())
    pid = os.fork()
    if pid == 0:  # the kernel
        _become_kernel(connection_file, cwd)
    manager = AsyncKernelManager(kernel_name="python3", connection_file=connection_file)
    manager.load_connection_file(connection_file)
    provisioner = LocalProvisioner(kernel_id=str(uuid.uuid4()), kernel_spec=manager.kernel_spec, parent=manager)
    provisioner.process, provisioner.pid, provisioner.pgid = ForkedKernel(pid), pid, pid
    manager.provisioner = provisioner
    return manager


#: The name a forked kernel shows in ``ps`` and ``top`` (its command line is its worker's).
PROCESS_NAME = "wb-kernel"


#: Set in the environment the fork server starts with: the pid of the run it must die with.
PARENT_PID_VARIABLE = "WORKBENCH_RUN_PID"


def die_with_parent(parent: int | None = None) -> None:
    """Have this process killed (SIGKILL) when its parent ends; exit at once if ``parent`` already ended.

    Linux ``prctl(PR_SET_PDEATHSIG)``; elsewhere a no-op (the parent poller of kernels remains).
    A parent that died before the call is seen as a different ``getppid()`` (the child was adopted).
    """
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if parent and os.getppid() != parent:
        os._exit(1)


def process_trees(pids: list[int]) -> list:
    """The processes ``pids`` and everything they started (``psutil.Process`` objects), gathered now."""
    import psutil

    found = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            found += [process, *process.children(recursive=True)]
    return found


def kill_all(processes: list, wait: float = 2.0) -> None:
    """SIGKILL each process still alive (with its process group when it leads one) and reap what we can."""
    import psutil

    alive = []
    for process in processes:
        with contextlib.suppress(psutil.Error, OSError):
            if process.is_running():
                if os.getpgid(process.pid) == process.pid and process.pid != os.getpgid(0):
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
                alive.append(process)
    if alive and wait:
        psutil.wait_procs(alive, timeout=wait)


def _name_process(name: str) -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(name[:15], encoding="ascii")


def _become_kernel(connection_file: str, cwd: Path | str) -> None:
    # in the forked child: a session of its own (killed as a group), then ipykernel's usual start
    code = 1
    try:
        os.setsid()
        os.chdir(cwd)
        with open(os.devnull, "rb") as devnull:
            os.dup2(devnull.fileno(), 0)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # end with the worker: at once (the kernel holds the worker's descriptors, such as the pipe
        # its result goes back on), and through ipykernel's own parent poller, as jupyter_client asks
        worker = os.getppid()
        die_with_parent()
        os.environ["JPY_PARENT_PID"] = str(worker)
        _name_process(PROCESS_NAME)
        sys.argv = [_LAUNCHER, "-f", connection_file]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", connection_file, f"--IPKernelApp.parent_handle={worker}"])
        code = 0
    except BaseException:  # anything: the worker sees a dead kernel and records it
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(connection_file)
        os._exit(code)

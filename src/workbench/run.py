"""Run the batch: one papermill execution per city, then the comparison, in parallel, isolated."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from workbench import paths
from workbench.errors import ConfigError
from workbench.framework import PEER_LEARNING_THEMES
from workbench.params import load_city_params, load_compare_params
from workbench.provenance import git_commit, package_versions, sha256_file
from workbench.registry import get_city, load_cities

log = logging.getLogger(__name__)

CITY_TEMPLATE = "city_profile.ipynb"
COMPARE_TEMPLATE = "compare_cities.ipynb"


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

    name: str  #: city id, or 'compare'
    template: str  #: notebook file name in notebooks/
    parameters: dict
    output: str  #: executed notebook path
    workdir: str  #: kernel working directory (relative paths in parameters start here)


@dataclass
class TaskResult:
    """How one notebook execution ended."""

    name: str
    status: str  #: 'ok' or 'failed'
    seconds: float
    notebook: str
    error: str = ""
    failed_cell: int | None = None  #: execution count of the failing cell ("In [n]" in the executed notebook)


@dataclass
class RunSummary:
    """What a batch run did."""

    run_dir: Path
    results: list[TaskResult] = field(default_factory=list)

    @property
    def failed(self) -> list[TaskResult]:
        """Results that did not succeed."""
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return not self.failed


def new_run_dir(root: Path | None = None) -> Path:
    """Return a fresh ``outputs/<run id>`` folder (UTC timestamp; never an existing folder)."""
    root = root or paths.outputs_dir()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate = root / stamp
    n = 1
    while candidate.exists():
        n += 1
        candidate = root / f"{stamp}-{n}"
    return candidate


def plan(city_ids: list[str], run_dir: Path, with_compare: bool = True) -> tuple[list[Task], list[Task]]:
    """Build the tasks of a run: validated parameters for every city, then the comparisons.

    Raises
    ------
    UnknownCityError, ConfigError
        Before anything runs, if a city or a params file is wrong.
    """
    cities = []
    for city_id in city_ids:
        params = load_city_params(city_id)
        workdir = run_dir / "cities" / city_id
        cities.append(
            Task(
                name=city_id,
                template=CITY_TEMPLATE,
                parameters={**params.model_dump(), "output_dir": "."},
                output=str(workdir / "profile.ipynb"),
                workdir=str(workdir),
            )
        )
    compare = []
    if with_compare:
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


def execute(task: Task, timeout: int) -> TaskResult:
    """Execute one notebook with papermill; never raises for a notebook failure.

    Parameters
    ----------
    task
        What to run.
    timeout
        Seconds allowed per cell.

    Returns
    -------
    TaskResult
        ``failed`` with the error and the failing cell when the notebook raised, timed out or its
        kernel died; the partial executed notebook is kept for inspection.
    """
    import papermill as pm

    Path(task.workdir).mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        with _kernel_log(Path(task.workdir) / "kernel.log"):
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
            )
    except pm.PapermillExecutionError as exc:
        return TaskResult(task.name, "failed", time.perf_counter() - start, task.output,
                          f"{exc.ename}: {exc.evalue}".strip(), exc.exec_count)
    except Exception as exc:  # timeouts, dead kernels, unreadable templates: all recorded, none fatal
        return TaskResult(task.name, "failed", time.perf_counter() - start, task.output,
                          f"{type(exc).__name__}: {exc}".strip()[:500])
    return TaskResult(task.name, "ok", time.perf_counter() - start, task.output)


@contextlib.contextmanager
def _kernel_log(path: Path):
    # the kernel process inherits file descriptor 2: its warnings go to the run's log, not the terminal
    saved = os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def run_batch(
    city_ids: list[str] | None = None,
    jobs: int | None = None,
    run_dir: Path | None = None,
    timeout: int = 600,
    with_compare: bool = True,
    with_annex: bool = True,
    progress=None,
    annex_options: dict | None = None,
) -> RunSummary:
    """Run city profiles in parallel, then the comparisons, then render the annexes.

    Parameters
    ----------
    city_ids
        Cities to run (all registered cities when ``None``).
    jobs
        Parallel notebook executions (default: one per core).
    run_dir
        Output folder; a new ``outputs/<run id>`` when ``None``.
    timeout
        Seconds allowed per notebook cell.
    with_compare, with_annex
        Whether to run the comparison and render annexes.
    progress
        Callable ``progress(result, done, total)`` called as each notebook finishes.
    annex_options
        Keyword arguments for :func:`workbench.annex.render_run` (formats, languages, threshold,
        progress); all formats and languages when ``None``.

    Returns
    -------
    RunSummary
        Also written as ``manifest.json`` in the run folder; ``outputs/latest`` points at a run
        made under ``outputs/`` only when every notebook succeeded.
    """
    city_ids = list(city_ids or load_cities())
    for city_id in city_ids:
        get_city(city_id)
    run_dir = Path(run_dir) if run_dir else new_run_dir()
    if run_dir.exists() and any(run_dir.iterdir()):
        raise ConfigError(f"run folder {run_dir} already exists and is not empty; choose a new one")
    tasks, compare = plan(city_ids, run_dir, with_compare)
    run_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    total = len(tasks) + len(compare)
    summary = RunSummary(run_dir)
    started = datetime.now(timezone.utc)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        _execute_all(pool, tasks, timeout, summary, progress, total)
        # comparisons read what the city runs saved: they start when every city has finished
        _execute_all(pool, compare, timeout, summary, progress, total)
    # progress follows completion; the summary and manifest follow the plan, so they read the same on every run
    order = [t.name for t in tasks + compare]
    summary.results.sort(key=lambda r: order.index(r.name))
    # the manifest first: the annexes' provenance footer and sources section read it
    write_manifest(summary, tasks + compare, started)
    if with_annex:
        from workbench.annex import render_run

        render_run(run_dir, [r for r in summary.results if r.status == "ok"], **(annex_options or {}))
    if summary.ok and run_dir.resolve().parent == paths.outputs_dir().resolve():
        _point_latest(run_dir)
    return summary


def _execute_all(pool: ProcessPoolExecutor, tasks: list[Task], timeout: int, summary: RunSummary, progress, total: int) -> None:
    # run tasks in the pool, recording each result (and reporting progress) as it completes
    pending: dict[Future, Task] = {pool.submit(execute, t, timeout): t for t in tasks}
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            summary.results.append(_result_of(future, pending.pop(future)))
            if progress:
                progress(summary.results[-1], len(summary.results), total)


def _result_of(future: Future, task: Task) -> TaskResult:
    try:
        return future.result()
    except Exception as exc:  # the worker process itself died
        return TaskResult(task.name, "failed", 0.0, task.output, f"{type(exc).__name__}: {exc}")


def write_manifest(summary: RunSummary, tasks: list[Task], started: datetime) -> Path:
    """Write ``manifest.json``: commit, versions, parameters, input checksums, per-notebook status.

    Returns
    -------
    Path
    """
    root = paths.project_root()
    inputs = {}
    for folder in (paths.tidy_dir(), paths.local_dir() / "figures", paths.params_dir(), paths.notebooks_dir(), paths.registry_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                inputs[str(path.relative_to(root))] = sha256_file(path)
    by_name = {t.name: t for t in tasks}
    manifest = {
        "run_id": summary.run_dir.name,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(root),
        "packages": package_versions(),
        "status": "ok" if summary.ok else "failed",
        "notebooks": [
            {**asdict(r), "notebook": str(Path(r.notebook).relative_to(summary.run_dir)),
             "template": by_name[r.name].template, "parameters": by_name[r.name].parameters}
            for r in summary.results
        ],
        "inputs": inputs,
    }
    path = summary.run_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def _point_latest(run_dir: Path) -> None:
    link = run_dir.parent / "latest"
    tmp = run_dir.parent / ".latest.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(run_dir.name)
    tmp.replace(link)

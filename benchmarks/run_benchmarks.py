"""Benchmarks of ``workbench run``: figures printed, nothing asserted.

Run from the project root (``make benchmark``, or ``.venv/bin/python benchmarks/run_benchmarks.py``).
Everything runs in a temporary copy of ``data/``, ``params/`` and ``notebooks/`` with its own
``outputs/``, so the project's own runs are neither read nor touched. Measured, on the same notebooks
and data:

1. the naive way: a sequential loop of the ``papermill`` command line over the nine city profiles
   and the ten comparisons, against ``workbench run --force --no-annex`` (and the same with
   ``--fresh-kernels``, to show what forking kernels buys);
2. the full batch with annexes, then a rerun with nothing changed, then a rerun after one city's
   parameters changed (which notebooks ran again);
3. city briefs for 10, 100 and every Eurostat city with foreign-born data, with peak memory (the
   proportional set size of the run and all its processes: pages shared by forked processes are
   counted once);
4. per-notebook overhead: a notebook's wall time minus the time its cells took (from papermill's
   per-cell durations in the executed notebook).

Options: ``--skip-naive`` (the slowest part), ``--brief-sizes 10,100,all``, ``--jobs N``,
``--json FILE`` to keep the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-naive", action="store_true", help="skip the papermill loop (about 3 minutes)")
    parser.add_argument("--brief-sizes", default="10,100,all", help="numbers of city briefs to time (default 10,100,all)")
    parser.add_argument("--jobs", type=int, default=None, help="workers for workbench run (default: one per core)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    figures: dict = {"machine": {"cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                                 "python": platform.python_version()}}
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as tmp:
        project = _project_copy(Path(tmp) / "project")
        jobs = ["--jobs", str(args.jobs)] if args.jobs else []
        print(f"benchmark project: {project} ({figures['machine']['cores']} cores)\n", flush=True)

        if not args.skip_naive:
            figures["naive"] = _naive_loop(project, Path(tmp) / "naive")
            print(f"naive papermill loop: {figures['naive']['seconds']:.1f} s for {figures['naive']['notebooks']} notebooks", flush=True)
        figures["workbench"] = _timed_run(project, ["--force", "--no-annex", "--run-dir", str(Path(tmp) / "wb"), *jobs])
        print(f"workbench run --force --no-annex: {figures['workbench']['seconds']:.1f} s", flush=True)
        figures["workbench_fresh_kernels"] = _timed_run(
            project, ["--force", "--no-annex", "--fresh-kernels", "--run-dir", str(Path(tmp) / "wb-fresh"), *jobs])
        print(f"  the same with --fresh-kernels: {figures['workbench_fresh_kernels']['seconds']:.1f} s", flush=True)

        figures["full"] = _timed_run(project, ["--force", *jobs])
        print(f"full batch with annexes (HTML, Word, PDF; en/fr/ar): {figures['full']['seconds']:.1f} s", flush=True)
        figures["rerun_unchanged"] = _timed_run(project, jobs)
        print(f"rerun, nothing changed: {figures['rerun_unchanged']['seconds']:.2f} s "
              f"({figures['rerun_unchanged']['reused']} of {figures['rerun_unchanged']['notebooks']} reused)", flush=True)
        params = project / "params" / "turin.yaml"
        values = yaml.safe_load(params.read_text(encoding="utf-8"))
        values["top_n_origins"] = 5 if values.get("top_n_origins", 10) != 5 else 6
        params.write_text(yaml.safe_dump(values), encoding="utf-8")
        figures["rerun_one_city"] = _timed_run(project, jobs)
        print(f"rerun after turin's parameters changed: {figures['rerun_one_city']['seconds']:.1f} s; ran again: "
              f"{', '.join(figures['rerun_one_city']['ran']) or 'nothing'}", flush=True)

        figures["briefs"] = []
        for size in [s.strip() for s in args.brief_sizes.split(",") if s.strip()]:
            result = _timed_briefs(project, size, jobs)
            figures["briefs"].append(result)
            print(f"city briefs, {result['notebooks']}: {result['seconds']:.1f} s, peak memory "
                  f"{result['peak_memory_mb']:.0f} MB", flush=True)

    _report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


# --- the runs -----------------------------------------------------------------------------------


def _project_copy(root: Path) -> Path:
    for part in ("data", "params", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    (root / "outputs").mkdir()
    return root


def _env(project: Path) -> dict:
    return {**os.environ, "WORKBENCH_ROOT": str(project)}


def _naive_loop(project: Path, out: Path) -> dict:
    """One ``papermill`` command after another, with the parameters ``workbench run`` would inject."""
    os.environ["WORKBENCH_ROOT"] = str(project)
    from workbench.reference.registry import load_cities
    from workbench.batch.plan import plan

    cities, compare = plan(list(load_cities()), out)
    start, walls, cells = time.perf_counter(), [], []
    for task in cities + compare:
        Path(task.workdir).mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        subprocess.run([str(BIN / "papermill"), str(project / "notebooks" / task.template), task.output,
                        "-y", yaml.safe_dump(task.parameters), "--cwd", task.workdir, "-k", "python3",
                        "--no-progress-bar"], check=True, env=_env(project), capture_output=True)
        walls.append(time.perf_counter() - began)
        cells.append(_cell_seconds(Path(task.output)))
    return {"seconds": time.perf_counter() - start, "notebooks": len(walls),
            "overhead_per_notebook": sum(w - c for w, c in zip(walls, cells, strict=True)) / len(walls)}


def _timed_run(project: Path, options: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "workbench"), "run", *options], env=_env(project), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"workbench run {' '.join(options)} failed ({done.returncode}):\n{done.stderr}")
    run_dir = Path(next(line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("Manifest: "))).parent
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    ran = [n for n in manifest["notebooks"] if not n["reused_from"]]
    overheads = [n["seconds"] - _cell_seconds(run_dir / n["notebook"]) for n in ran]
    return {"seconds": seconds, "notebooks": len(manifest["notebooks"]), "reused": len(manifest["notebooks"]) - len(ran),
            "ran": [n["name"] for n in ran],
            "overhead_per_notebook": sum(overheads) / len(overheads) if overheads else 0.0}


def _timed_briefs(project: Path, size: str, jobs: list[str]) -> dict:
    code = ("import sys\nfrom workbench.analysis.brief import brief_places\nfrom workbench.batch.runner import RunOptions, run_batch\n"
            "ids = brief_places()['place_id'].tolist()\n"
            f"ids = ids if {size!r} == 'all' else ids[:int({size!r})]\n"
            f"s = run_batch(RunOptions(city_ids=[], briefs=tuple(ids), force=True, annex=None, jobs={int(jobs[1]) if jobs else None}))\n"
            "print(len(ids), len(s.failed))\nsys.exit(0 if s.ok else 4)\n")
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], env=_env(project), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    peak = _PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    peak.stop()
    if process.returncode != 0:
        raise SystemExit(f"city briefs ({size}) failed:\n{stderr}")
    count, _ = stdout.split()
    return {"notebooks": int(count), "seconds": time.perf_counter() - start, "peak_memory_mb": peak.mb}


def _memory(process: psutil.Process) -> int:
    # proportional set size where the system tells it: forked processes share most of their pages,
    # which a sum of resident sizes would count once per process
    try:
        return process.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return process.memory_info().rss


class _PeakMemory:
    """The largest memory of a process and all its descendants together (PSS), sampled 5 times a second."""

    def __init__(self, pid: int):
        self.root, self.mb, self._stop = psutil.Process(pid), 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
                total = sum(_memory(p) for p in processes if p.is_running())
                self.mb = max(self.mb, total / 2**20)
            except psutil.Error:
                pass
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _cell_seconds(notebook: Path) -> float:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(float(c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0) for c in cells)


def _report(figures: dict) -> None:
    print("\n== figures ==")
    machine = figures["machine"]
    print(f"machine: {machine['cores']} cores, {machine['memory_gb']} GB, Python {machine['python']}")
    wb = figures["workbench"]
    if "naive" in figures:
        naive = figures["naive"]
        print(f"nine-city batch + comparisons ({wb['notebooks']} notebooks): naive papermill loop {naive['seconds']:.1f} s, "
              f"workbench run {wb['seconds']:.1f} s: {naive['seconds'] / wb['seconds']:.1f}x faster (target: 3x)")
        print(f"per-notebook overhead (wall time beyond the cells): naive {naive['overhead_per_notebook']:.2f} s, "
              f"workbench {wb['overhead_per_notebook']:.2f} s, fresh kernels "
              f"{figures['workbench_fresh_kernels']['overhead_per_notebook']:.2f} s")
    print(f"forked vs fresh kernels: {wb['seconds']:.1f} s vs {figures['workbench_fresh_kernels']['seconds']:.1f} s")
    print(f"full batch with annexes {figures['full']['seconds']:.1f} s; rerun with nothing changed "
          f"{figures['rerun_unchanged']['seconds']:.2f} s (target: under 2 s); after one city's parameters changed "
          f"{figures['rerun_one_city']['seconds']:.1f} s, ran {len(figures['rerun_one_city']['ran'])} notebooks")
    print("city briefs (target: every city in under 10 minutes):")
    print(f"  {'briefs':>7} {'seconds':>9} {'s/brief':>8} {'peak MB':>8}")
    for b in figures["briefs"]:
        print(f"  {b['notebooks']:>7} {b['seconds']:>9.1f} {b['seconds'] / b['notebooks']:>8.2f} {b['peak_memory_mb']:>8.0f}")


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the batch: the city notebooks, then the comparisons, then the annexes, into a staging folder published whole.

A run writes into ``<run id>.partial/`` beside its final name and is renamed when it ends:

- every notebook succeeded: ``<run id>/``, and ``outputs/latest`` points at it;
- some notebook failed, or a step of the run did: ``<run id>-failed/`` (with ``--run-dir DIR``:
  ``DIR`` itself), ``latest`` stays;
- interrupted (Ctrl-C or SIGTERM): ``<run id>.interrupted/``, ``latest`` stays.

``outputs/last-attempt`` points at the most recent run whatever its outcome (``--resume`` reads it);
``manifest.json`` (:class:`workbench.provenance.Manifest`) says what happened to every notebook.
Where each notebook executes is the engine's business (:mod:`workbench.batch.engines`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from workbench import paths
from workbench.batch import cache, engines, interrupts, lock
from workbench.batch.notebook import Limits
from workbench.batch.plan import (RunFolders, check_local_inputs, checked_cities, cities_dir, companions, plan,
                                  run_folders)
from workbench.batch.publish import LAST_ATTEMPT, LATEST, last_attempt, point, publish, recover
from workbench.batch.tasks import MAX_ERROR, RunSummary, Task, TaskKind, TaskResult
from workbench.errors import ConfigError, RunInterrupted, RunStepError, WorkbenchError
from workbench.provenance import Manifest, NotebookRecord, folder_checksums, input_checksums
from workbench.reference.params import CityParams, validate_params
from workbench.reference.registry import load_cities


@dataclass(frozen=True)
class RunOptions:
    """What ``workbench run`` was asked for.

    ``city_ids``: the cities (every registered city when ``None`` and no ``briefs``); ``briefs``:
    Eurostat codes to write city briefs of, with ``briefs/index.html``; ``params``: validated
    parameters of some cities used instead of ``params/<city>.yaml``; ``run_dir``: a new or empty
    folder instead of ``outputs/<run id>``; ``engine``: a name of :mod:`workbench.batch.engines`
    (``forked``, ``fresh`` or ``dask`` with ``scheduler``); ``force``: run every notebook, even one
    an earlier run made from the same inputs (:mod:`workbench.batch.cache`), except the network
    cities a run of some cities only compares with (:func:`workbench.batch.plan.companions`:
    always copied, never run); ``annex``: keyword
    arguments of :func:`workbench.report.annex.render_run` (formats, languages, threshold,
    progress), ``None`` for no annexes; ``progress(result, done, total)``: called as each notebook ends;
    ``started(folder)``: called with the run's (staging) folder once it is made (the CLI opens the
    run's log file there).
    """

    city_ids: list[str] | None = None
    briefs: tuple[str, ...] = ()
    with_compare: bool = True
    params: dict[str, CityParams] = field(default_factory=dict)
    run_dir: Path | None = None
    jobs: int | None = None
    limits: Limits = Limits()
    engine: str = "forked"
    scheduler: str | None = None
    force: bool = False
    annex: dict | None = field(default_factory=dict)
    progress: Callable[[TaskResult, int, int], None] | None = None
    started: Callable[[Path], None] | None = None


def run_batch(options: RunOptions) -> RunSummary:
    """Run city profiles in parallel, then the comparisons, then render the annexes.

    Returns
    -------
    RunSummary
        ``run_dir`` is the run's final folder (see the module docstring); its ``manifest.json``
        says the same.

    Raises
    ------
    ConfigError
        Before anything runs: a wrong city, parameter, engine or run folder, or another run holding
        ``outputs/.lock``.
    DataError
        Before anything runs: a bad expert-figures or chapter file (:func:`workbench.batch.plan.check_local_inputs`).
    RunStepError
        A step of the run failed for a system reason (full disk, denied permission), naming it and the file.
    RunInterrupted
        On Ctrl-C or SIGTERM, after stopping the workers and kernels and keeping the partial outputs.
    """
    wanted = options.city_ids if options.city_ids is not None or options.briefs else list(load_cities())
    city_ids = checked_cities(list(wanted))
    if city_ids:
        check_local_inputs(city_ids)
    check_annex_parts(options.annex, city_ids, options.with_compare)
    engine = engines.create(options.engine, options.jobs, options.scheduler)
    engine.check()
    with lock.hold(paths.outputs_dir()):
        recover()
        folders = run_folders(options.run_dir)
        others, notes = _companion_params(companions(city_ids, options.with_compare))
        cities, compare = plan(city_ids + list(others), folders.staging, options.with_compare,
                               {**options.params, **others}, list(options.briefs))
        batch = _Batch(folders, cities + compare, options, engine)
        batch.companions, batch.summary.notes = set(others), notes
        return batch.run()


def _companion_params(city_ids: list[str]) -> tuple[dict[str, CityParams], list[str]]:
    # a companion whose params file is wrong is left out of the comparisons, not the run
    from workbench.reference.params import load_city_params

    chosen, notes = {}, []
    for city_id in city_ids:
        try:
            chosen[city_id] = load_city_params(city_id)
        except ConfigError as exc:
            notes.append(f"comparisons without {city_id}: {exc}")
    return chosen, notes


def resume_batch(options: RunOptions) -> RunSummary:
    """Rerun what failed in the last attempt (``outputs/last-attempt``) into a new run.

    The city notebooks that succeeded are copied from the last attempt (when its manifest's
    checksums confirm them), the others run again; the comparisons run again when any city did
    (else only those that failed). The manifest names the run each copied notebook came from
    (``reused_from``). Only ``run_dir``, ``jobs``, ``limits``, ``engine``, ``annex`` and
    ``progress`` of ``options`` apply.

    Raises
    ------
    ConfigError
        If there is no last attempt or it has no manifest, if it succeeded (nothing to resume), or
        if an input file changed since it ran (its outputs would be stale); the message names them.
    """
    engine = engines.create(options.engine, options.jobs, options.scheduler)
    engine.check()
    with lock.hold(paths.outputs_dir()):
        recover()
        previous, manifest = last_attempt()
        _check_resumable(previous, manifest)
        records = manifest.notebooks
        city_ids = checked_cities([n.subject for n in records if n.kind == TaskKind.PROFILE.value])
        briefs = [n.subject for n in records if n.kind == TaskKind.BRIEF.value]
        folders = run_folders(options.run_dir)
        # the parameters each city notebook got then (params/ or --params files), checked again
        recorded = {n.subject: validate_params("city_profile", {k: v for k, v in n.parameters.items() if k != "output_dir"},
                                               f"{previous}/manifest.json")
                    for n in records if n.kind == TaskKind.PROFILE.value}
        with_compare = any(n.kind == TaskKind.COMPARISON.value for n in records)
        check_annex_parts(options.annex, city_ids, with_compare)
        cities, compare = plan(city_ids, folders.staging, with_compare, recorded, briefs)
        whole = {n.name: n for n in manifest.succeeded() if cache.is_whole(previous, n)}
        reused = [c.name for c in cities if c.name in whole]
        if len(reused) == len(cities):
            reused += [c.name for c in compare if c.name in whole]
        batch = _Batch(folders, cities + compare, options, engine)
        batch.summary.resumed_from = previous.name
        batch.earlier = {name: cache.Earlier(previous, whole[name], None, {}) for name in reused}
        return batch.run()


def check_annex_parts(annex: dict | None, city_ids: list[str], with_compare: bool) -> None:
    """Refuse, before anything runs, annexes this machine cannot write (Pango, fonts, pandoc).

    Raises
    ------
    SystemPartError
        One line saying what to install or which ``--format``/``--lang`` to use
        (:func:`workbench.report.requirements.check_parts`).
    """
    if annex is None or not city_ids:
        return
    from workbench.report.annex import NETWORK, default_options, written_languages
    from workbench.report.requirements import check_parts

    options = {**default_options(), **{k: v for k, v in annex.items() if k in ("formats", "languages")}}
    names = [*city_ids, *([NETWORK] if with_compare else [])]
    check_parts(options["formats"], written_languages(names, tuple(options["languages"])))


def _check_resumable(previous: Path, manifest: Manifest) -> None:
    if manifest.status == "ok":
        raise ConfigError(f"nothing to resume: the last run ({previous}) succeeded; run without --resume for a new run")
    current = input_checksums()
    recorded = manifest.inputs
    changed = sorted(k for k in recorded.keys() | current.keys() if recorded.get(k) != current.get(k))
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        raise ConfigError(f"cannot resume {previous}: input files changed since it ran ({shown}); the outputs it "
                          f"kept would be stale; run without --resume")


class _Batch:
    """One run from its staging folder to its final name: execute, record, render, publish."""

    def __init__(self, folders: RunFolders, tasks: list[Task], options: RunOptions, engine: engines.Engine):
        self.folders, self.tasks, self.options, self.engine = folders, tasks, options, engine
        self.summary = RunSummary(folders.staging)
        self.manifest = Manifest(folders.final.name, notebooks=[TaskResult.of(t, "not run").record(folders.staging, t)
                                                                for t in tasks])
        #: notebooks to copy instead of running: from the run being resumed, or found by their key
        self.earlier: dict[str, cache.Earlier] = {}
        #: network cities a run of some cities compares with: copied from an earlier run, never executed
        self.companions: set[str] = set()

    def run(self) -> RunSummary:
        """Execute, render and publish; see :func:`run_batch`."""
        self.folders.staging.mkdir(parents=True)
        if self.options.started:
            self.options.started(self.folders.staging)
        step = "starting the run"
        try:
            with interrupts.terminate_as_interrupt():
                self.manifest = replace(Manifest.start(self.folders.final.name), resumed_from=self.summary.resumed_from,
                                        notebooks=self.manifest.notebooks)
                self._write_manifest()
                point(paths.outputs_dir() / LAST_ATTEMPT, self.folders.staging)
                step = "running the notebooks"
                base = cache.base_inputs(self.manifest.inputs)
                self._find_companions(base)
                self._execute([t for t in self.tasks if t.kind is not TaskKind.COMPARISON], base)
                self._execute([self._with_succeeded_cities(t) for t in self.tasks if t.kind is TaskKind.COMPARISON], base)
                self.summary.status = "ok" if not self.summary.failed else "failed"
                step = "rendering the annexes"
                if self.options.annex is not None:
                    self._render_or_note()
                step = "writing the index of city briefs"
                if any(t.kind is TaskKind.BRIEF for t in self.tasks):
                    self._index_briefs()
        except KeyboardInterrupt:
            self._finish("interrupted")
        except OSError as exc:
            self._finish("failed", f"{step}: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else ""))
            raise RunStepError(f"{self.manifest.error}; the run is in {self.summary.run_dir} (status 'failed'), "
                               "nothing published") from None
        except BaseException as exc:
            self._finish("failed", f"{step}: {type(exc).__name__}: {exc}")
            raise
        self._finish(self.summary.status)
        return self.summary

    def _finish(self, status: str, error: str = "") -> None:
        # a stop signal during the last steps is held until they end; one that came before the rename
        # makes the run interrupted (nothing published), one after it comes too late to change it
        failure = None
        try:
            with interrupts.deferred():
                try:
                    self._end(status, error)
                except BaseException as exc:
                    failure = exc
        except KeyboardInterrupt:
            pass  # the held signal, delivered as the block ends
        if failure is not None:
            raise failure
        if self.summary.status == "interrupted":
            raise RunInterrupted(self.summary) from None

    def _find_companions(self, base: dict) -> None:
        # copied whatever --force says (it forces the cities asked for); one with no earlier notebook
        # of the same key is left out of the run and its comparisons, in one line, not run
        tasks = [t for t in self.tasks if t.kind is TaskKind.PROFILE and t.city_id in self.companions]
        keys = {t.name: self._key(t, base) for t in tasks}
        self.earlier.update(cache.find_earlier(keys, exclude=self.folders.names()))
        missing = [t.name for t in tasks if t.name not in self.earlier]
        if missing:
            self.tasks = [t for t in self.tasks if t.name not in missing]
            self.manifest.notebooks = [n for n in self.manifest.notebooks if n.name not in missing]
            self.companions -= set(missing)
            self.summary.notes.append(f"comparisons without {', '.join(missing)}: no earlier result to reuse; "
                                      "run all cities once")

    def _execute(self, tasks: list[Task], base: dict) -> None:
        keys = {t.name: self._key(t, base) for t in tasks if t.name not in self._done()}
        todo = [t for t in tasks if t.name not in self._done()]
        if not self.options.force:
            found = cache.find_earlier({t.name: keys[t.name] for t in todo if t.name not in self.earlier},
                                       exclude=self.folders.names())
            self.earlier.update(found)
        for task in [t for t in todo if t.name in self.earlier]:
            earlier = self.earlier[task.name]
            cache.copy_notebook(earlier, Path(task.workdir))
            # the run that computed it, followed through copies of copies
            result = TaskResult.of(task, "ok", float(earlier.entry.seconds or 0.0),
                                   reused_from=earlier.entry.reused_from or earlier.run.name)
            self._record(replace(result, key=keys[task.name]))
        todo = [t for t in todo if t.name not in self.earlier]
        # the longest first (as they took last time), so that no worker is left with a long one at the end
        took = cache.previous_seconds([t.name for t in todo])
        todo = sorted(todo, key=lambda t: -took.get(t.name, 0.0))
        for task in todo:  # made here: a worker makes only its own folder (see batch.notebook.execute)
            Path(task.workdir).parent.mkdir(parents=True, exist_ok=True)
        self.engine.execute(todo, self.options.limits, lambda result: self._record(replace(result, key=keys[result.name])))

    def _key(self, task: Task, base: dict) -> str:
        inputs = self.manifest.inputs
        if task.kind is TaskKind.BRIEF:
            return cache.brief_key(task.template, task.parameters, inputs, base)
        if task.kind is TaskKind.PROFILE:
            return cache.city_key(task.template, task.parameters, task.city_id, inputs, base)
        return cache.compare_key(task.template, task.parameters, cities_dir(task), inputs, base)

    def _with_succeeded_cities(self, task: Task) -> Task:
        # a comparison reads what the city runs saved: only the cities that succeeded have complete files
        ok = {r.city_id for r in self.summary.results if r.status == "ok"}
        chosen = [c for c in task.parameters["city_ids"] if c in ok]
        task = replace(task, parameters={**task.parameters, "city_ids": chosen})
        self._replace_record(task.name, parameters=task.parameters)
        if not chosen:
            self._record(TaskResult.of(task, "not run", error="no city of the run succeeded"))
        elif self.companions and not set(chosen) - self.companions:
            # the cities asked for all failed: comparing the copied ones alone would tell nothing new
            self._record(TaskResult.of(task, "not run", error="no city asked for succeeded"))
        return task

    def _done(self) -> set[str]:
        return {r.name for r in self.summary.results}

    def _record(self, result: TaskResult) -> None:
        self.summary.results.append(result)
        task = next(t for t in self.tasks if t.name == result.name)
        files = folder_checksums(self.folders.staging, Path(task.workdir)) if result.status == "ok" else {}
        record = replace(result.record(self.folders.staging, task), parameters=self._record_of(result.name).parameters,
                         files=files)
        self.manifest.notebooks = [record if n.name == result.name else n for n in self.manifest.notebooks]
        self._write_manifest()
        if self.options.progress:
            self.options.progress(result, len(self.summary.results), len(self.tasks))

    def _record_of(self, name: str) -> NotebookRecord:
        return next(n for n in self.manifest.notebooks if n.name == name)

    def _replace_record(self, name: str, **changes) -> None:
        self.manifest.notebooks = [replace(n, **changes) if n.name == name else n for n in self.manifest.notebooks]

    def _write_manifest(self) -> None:
        try:
            self.manifest.write(self.summary.run_dir)
        except OSError as exc:
            raise OSError(exc.errno, f"writing the manifest: {exc.strerror or exc}",
                          str(self.summary.run_dir / "manifest.json")) from None

    def _render_or_note(self) -> None:
        # an annex that cannot be rendered fails the run, but is told apart from failed notebooks
        try:
            self._render()
        except WorkbenchError as exc:
            self.summary.status, self.summary.annex_error = "failed", str(exc)[:MAX_ERROR]
            self.manifest.error = f"rendering the annexes: {exc}"[:MAX_ERROR]

    def _render(self) -> None:
        options = dict(self.options.annex or {})
        progress = options.pop("progress", None)
        if not {"formats", "languages", "threshold"} <= set(options):
            from workbench.report.annex import default_options

            options = {**default_options(), **options}
        ok = [r for r in self.summary.results if r.status == "ok" and r.kind is not TaskKind.BRIEF]
        if not ok:
            return
        # an annex made from the same notebook (for the network: the same comparisons, all from one
        # run) with the same options is taken from that run too
        sources = {r.city_id: self.earlier[r.name] for r in ok if r.name in self.earlier and r.kind is TaskKind.PROFILE}
        comparisons = [r for r in ok if r.kind is TaskKind.COMPARISON]
        runs = {self.earlier[r.name].run for r in comparisons if r.name in self.earlier}
        if comparisons and len(runs) == 1 and all(r.name in self.earlier for r in comparisons):
            sources[cache.NETWORK] = self.earlier[comparisons[0].name]
        # a companion's annex is copied when its run rendered it with the same options, else left out
        copied = {r.city_id for r in ok if r.city_id in self.companions}
        for name, earlier in sources.items():
            files = cache.copy_annexes(earlier, self.folders.staging, name, options)
            if files is not None:
                copied.add(name)
                for path in files if progress else []:
                    progress(path)
        cities = [r for r in ok if r.kind is TaskKind.PROFILE]
        if any(r.city_id not in copied for r in cities) or (comparisons and cache.NETWORK not in copied):
            from workbench.report.annex import render_run

            render_run(self.folders.staging, ok, skip=copied, progress=progress, **options)
        else:
            # every annex was copied: the landing page render_run ends with lists them
            from workbench.report.site import write_index

            write_index(self.folders.staging, options["threshold"])
        self.manifest.annex = {"formats": list(options["formats"]), "languages": list(options["languages"]),
                               "threshold": options["threshold"]}
        self.manifest.annex_files = folder_checksums(self.folders.staging, self.folders.staging / "annex")

    def _index_briefs(self) -> None:
        # briefs/index.html: every brief that succeeded, the network cities linked to their full profiles
        from workbench.analysis.brief import index_html

        staging = self.folders.staging
        summaries = []
        for result in self.summary.results:
            if result.kind is TaskKind.BRIEF and result.status == "ok":
                summary = Path(result.notebook).parent / "brief.json"
                with contextlib.suppress(OSError, ValueError):
                    summaries.append(json.loads(summary.read_text(encoding="utf-8")))
        profiles = {}
        latest = paths.outputs_dir() / LATEST
        for city_id in {s["city_id"] for s in summaries if s["city_id"]}:
            if (staging / "annex" / "en" / f"{city_id}.html").is_file():
                profiles[city_id] = f"../annex/en/{city_id}.html"
            elif self.folders.final.parent.resolve() == paths.outputs_dir().resolve() and \
                    (latest / "annex" / "en" / f"{city_id}.html").is_file():
                profiles[city_id] = f"../../{LATEST}/annex/en/{city_id}.html"
        target = staging / "briefs" / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        paths.write_atomic(target, index_html(summaries, profiles, self.folders.final.name))

    def _end(self, status: str, error: str = "") -> None:
        # with the stop signals held (see _finish): the last steps run to the end
        self.summary.status = status
        self.manifest.status, self.manifest.error = status, (error or self.manifest.error)[:MAX_ERROR]
        self.manifest.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
        staging = self.folders.staging
        for leftover in staging.rglob("*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        done = self._done()
        self.summary.results += [TaskResult.of(t, "not run") for t in self.tasks if t.name not in done]
        order = [t.name for t in self.tasks]
        self.summary.results.sort(key=lambda r: order.index(r.name))
        written = self._try_write_manifest()
        if status != "interrupted" and interrupts.pending():  # stopped before the rename: nothing is published
            status = self.summary.status = self.manifest.status = "interrupted"
            written = self._try_write_manifest()
        try:
            target = publish(self.folders, status)
        except RunStepError as exc:
            # the outputs stay in the staging folder: its manifest says the run failed, and why
            self.manifest.status, self.manifest.error = "failed", str(exc)[:MAX_ERROR]
            self._try_write_manifest()
            raise
        for result in self.summary.results:
            result.notebook = str(target / Path(result.notebook).relative_to(staging))
        self.summary.run_dir = target
        if not written:
            raise RunStepError(f"{self.manifest.error or 'ending the run'}; and writing the manifest failed: "
                               f"{target / 'manifest.json'} may still say 'running'; the run is in {target}")

    def _try_write_manifest(self) -> bool:
        try:
            self._write_manifest()
        except OSError:
            return False
        return True

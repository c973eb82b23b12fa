"""``workbench run``: the batch, with its progress, summary table and exit code."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.logs import LOG_NAME, run_log
from workbench.cli.output import console, final, licence_note
from workbench.cli.parser import annex_kwargs
from workbench.errors import ConfigError


def _selected_cities(args) -> list[str] | None:
    chosen = list(args.city or [])
    if args.cities:
        chosen += [c.strip() for c in args.cities.split(",") if c.strip()]
    return chosen or None


def run(args) -> int:
    """Run the batch (or ``--resume`` the last attempt), print its progress and summary; return the exit code."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workbench.batch.notebook import NOTEBOOK_TIMEOUT, Limits
    from workbench.batch.runner import RunOptions, resume_batch, run_batch
    from workbench.batch.tasks import EUROSTAT
    from workbench.errors import INTERRUPTED, RunError, RunInterrupted

    out = console()
    cities = _selected_cities(args)
    briefs = []
    if cities and EUROSTAT in cities:
        from workbench.analysis.brief import brief_places

        briefs = brief_places()["place_id"].tolist()
        cities = [c for c in cities if c != EUROSTAT]
    elif args.briefs:
        from workbench.analysis.brief import check_places

        briefs = check_places([c.strip() for c in args.briefs.split(",") if c.strip()])
    if args.resume and (cities or args.no_compare or args.params):
        raise ConfigError("--resume reruns the notebooks of the last run as they were planned; "
                          "it cannot be combined with --city, --cities, --params or --no-compare")
    params = _params_files(args.params or [])
    if params:
        cities = list(dict.fromkeys([*(cities or []), *params]))
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout < 1:
        raise ConfigError(f"--timeout must be at least 1 second, got {args.timeout}")
    notebook_timeout = NOTEBOOK_TIMEOUT if args.notebook_timeout is None else args.notebook_timeout
    if notebook_timeout < 0:
        raise ConfigError(f"--notebook-timeout must be 0 (no limit) or more seconds, got {notebook_timeout}")
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with run_log() as log, Progress(*columns, console=out, transient=False) as bar:
            shown = []  # the bar's task, added with the first notebook: a refused run shows no bar

            def report(result, done, total):
                if not shown:
                    shown.append(bar.add_task(f"running {total} notebooks", total=total or None))
                mark = "reused" if result.reused_from else ("ok" if result.status == "ok" else result.status.upper())
                if total <= _LISTED or result.status != "ok":  # a long run lists only what went wrong
                    bar.console.print(f"  {result.name:<46} {mark:<6} {result.seconds:6.1f} s", markup=False)
                bar.update(shown[0], completed=done, total=total, description=f"running {total} notebooks")

            def written(path):
                bar.console.print(f"  annex  {path.relative_to(path.parents[2])}", markup=False)

            options = RunOptions(
                city_ids=cities if cities or not briefs else [], briefs=tuple(briefs), with_compare=not args.no_compare,
                params=params, run_dir=args.run_dir, jobs=args.jobs,
                limits=Limits(cell=args.timeout, notebook=notebook_timeout),
                engine="dask" if args.scheduler else ("fresh" if args.fresh_kernels else "forked"),
                scheduler=args.scheduler, force=args.force, progress=report,
                started=lambda folder: log.open(folder / LOG_NAME, " ".join(["workbench", *sys.argv[1:]])),
                annex=None if args.no_annex else {**annex_kwargs(args), "progress": written})
            summary = resume_batch(options) if args.resume else run_batch(options)
    except RunInterrupted as stop:
        out.print(_summary_table(stop.summary))
        print(f"interrupted; partial outputs in {stop.summary.run_dir}; nothing published", file=sys.stderr)
        return INTERRUPTED
    out.print(_summary_table(summary))
    for line in _run_notes(summary, with_compare=not args.no_compare and bool(cities)):
        out.print(line, markup=False)
    folders = [str(summary.run_dir / f) for f in ("cities", "compare") if (summary.run_dir / f).is_dir()]
    if folders:
        out.print(f"Executed notebooks: {'  '.join(folders)}", markup=False)
    if (summary.run_dir / "annex").is_dir():
        out.print(f"Annexes: {summary.run_dir / 'annex'}/<language>/<city or network>.<html|docx|pdf>", markup=False)
        if note := licence_note(summary.run_dir):
            out.print(note, markup=False)
    if briefs:
        out.print(f"City briefs: {summary.run_dir / 'briefs' / 'index.html'}", markup=False)
    out.print(f"Manifest: {summary.run_dir / 'manifest.json'}", markup=False)
    for line in accepted_lines(summary.run_dir):
        out.print(line, markup=False)
    if log.path is not None:
        out.print(f"Log (other programs' warnings): {summary.run_dir / LOG_NAME}", markup=False)
    if summary.annex_error and not summary.failed:
        raise RunError(f"all {len(summary.results)} notebooks succeeded but an annex failed: {summary.annex_error}; "
                       f"the run is in {summary.run_dir}; nothing published (outputs/latest unchanged)")
    if out.quiet:  # -q: the table and the lines above are not shown; one line says how it went
        reused = sum(1 for r in summary.results if r.reused_from)
        final(out, f"Run {summary.run_dir.name}: {len(summary.results) - len(summary.failed)} of {len(summary.results)} "
                   f"notebooks succeeded ({reused} copied from earlier runs); manifest {summary.run_dir / 'manifest.json'}")
    if not summary.ok:
        names = ", ".join(r.name for r in summary.failed[:10]) + (
            f" and {len(summary.failed) - 10} more" if len(summary.failed) > 10 else "")
        raise RunError(f"{len(summary.failed)} of {len(summary.results)} notebook(s) failed: {names}; "
                       f"outputs of the others are in {summary.run_dir}; nothing published (outputs/latest unchanged)")
    return 0


def accepted_lines(run_dir) -> list[str]:
    """What a run's manifest says `workbench ingest --accept-changes` let through: one line per source, then the first change."""
    from workbench.provenance import Manifest

    manifest = Manifest.find(run_dir)
    accepted = manifest.accepted_changes if manifest is not None else {}
    return [f"Accepted at ingestion ({source}, {len(changes)} change(s), listed in manifest.json): {changes[0]}"
            for source, changes in accepted.items() if changes]


def _run_notes(summary, with_compare: bool) -> list[str]:
    # what the run left out, which comparisons it copied or ran, and (a run of some cities) how to skip them
    lines = list(summary.notes)
    reused, rerun = summary.comparisons
    if reused or rerun:
        lines.append(f"comparisons reused ({len(reused)}): {', '.join(reused) or '-'}; "
                     f"rerun ({len(rerun)}): {', '.join(rerun) or '-'}")
    if with_compare and (reused or rerun):
        lines.append("hint: --no-compare skips the comparisons (and the network annex) when you only need "
                     "your city's annex")
    if summary.annex_error:
        lines.append(f"annex failed: {summary.annex_error}")
    return lines


def _params_files(files: list[Path]) -> dict:
    # city id -> validated parameters, from params files given on the command line
    from workbench.reference.params import check_params_file

    chosen: dict = {}
    for path in files:
        checked = check_params_file(path)
        if isinstance(checked, dict):
            raise ConfigError(f"{path}: a comparison params file (key city_ids); --params takes a city's "
                              "params file (key city_id); the comparison reads params/compare.yaml")
        if checked.city_id in chosen:
            raise ConfigError(f"{path}: a second params file for '{checked.city_id}'; give one per city")
        chosen[checked.city_id] = checked
    return chosen


#: Runs of more notebooks than this list only the failures, in the progress and the summary.
_LISTED = 40


def _summary_table(summary):
    from rich.table import Table
    from rich.text import Text

    if len(summary.results) > _LISTED and not summary.failed:
        reused = sum(1 for r in summary.results if r.reused_from)
        return Text(f"Run {summary.run_dir.name}: all {len(summary.results)} notebooks succeeded "
                    f"({reused} copied from earlier runs); manifest.json lists every one")

    table = Table(title=f"Run {summary.run_dir.name}" + (f" (resumed from {summary.resumed_from})" if summary.resumed_from else ""))
    for column in ("notebook", "status", "seconds", "error"):
        table.add_column(column, overflow="fold")
    listed = summary.results if len(summary.results) <= _LISTED else summary.failed
    if len(listed) < len(summary.results):
        reused = sum(1 for r in summary.results if r.reused_from)
        table.caption = (f"{len(summary.results) - len(listed)} notebooks succeeded ({reused} copied from earlier runs) "
                         "and are not listed; manifest.json lists every one")
    for r in listed:
        cell = f" (cell In [{r.failed_cell}])" if r.failed_cell and f"In [{r.failed_cell}]" not in r.error else ""
        note = f"reused from {r.reused_from}" if r.reused_from else (r.error + cell)[:160]
        table.add_row(Text(r.name), Text(r.status), f"{r.seconds:.1f}", Text(note))
    return table



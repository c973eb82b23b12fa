"""``workbench annex``: render the annexes of an executed run again, without re-executing it."""

from __future__ import annotations

from pathlib import Path

from workbench.cli.logs import LOG_NAME, run_log
from workbench.cli.output import console, final, licence_note
from workbench.cli.parser import annex_kwargs


def annex(args) -> int:
    """Render the annexes of ``--run`` (default ``outputs/latest``) under ``outputs/.lock``; return the exit code."""
    import sys

    from workbench import paths
    from workbench.batch.lock import hold
    from workbench.batch.publish import recover
    from workbench.errors import RunStepError
    from workbench.provenance import Manifest
    from workbench.report.annex import DRAFT_FOLDER, FORMATS, render_run

    options = {"formats": FORMATS, **annex_kwargs(args)}
    # one writer at a time in outputs/: a run could otherwise rename or publish the folder meanwhile
    with run_log() as log, hold(paths.outputs_dir(), "workbench annex"):
        recover()  # what a killed run left: said once, before this command reads outputs/latest
        run_dir = args.run or (paths.outputs_dir() / "latest")
        manifest = Manifest.read(run_dir)
        results = _succeeded(run_dir, manifest)
        _check_parts(results, options)
        log.open(Path(run_dir) / LOG_NAME, " ".join(["workbench", *sys.argv[1:]]))
        out = console()
        folder = run_dir / (DRAFT_FOLDER if args.draft else "annex")
        try:
            # a later run must not copy annexes rendered with other options (e.g. no suppression);
            # drafts go to a folder of their own and are never copied
            if not args.draft and manifest.record_rerender(options):
                manifest.write(run_dir)
            written = render_run(run_dir, results, **options, draft=args.draft,
                                 progress=lambda path: out.print(str(path), markup=False))
        except BaseException as exc:
            # every annex file is renamed into place when complete: only temporary files can be cut short
            for leftover in folder.rglob("*.tmp"):
                leftover.unlink(missing_ok=True)
            if isinstance(exc, OSError):  # a full disk: say what the run folder now holds
                where = f" ({exc.filename})" if exc.filename else ""
                raise RunStepError(
                    f"rendering the annexes of {run_dir}: {exc.strerror or exc}{where}; the annex files written "
                    "before it are whole, the others as they were, the notebooks untouched; run `workbench annex` "
                    "again once the cause is fixed") from None
            raise
    annexes = [p for p in written if p.suffix[1:] in FORMATS]
    tables = [p for p in written if p.suffix in (".csv", ".xlsx")]
    final(out, f"{len(annexes)} annex files in {folder}"
              + (f", with {len(tables)} table files beside them" if tables else "")
              + ("" if args.draft else f"; landing page {run_dir / 'index.html'}"))
    if note := licence_note(run_dir):
        out.print(note, markup=False)
    if log.path is not None:
        out.print(f"Log (other programs' warnings): {log.path}", markup=False)
    return 0


def _check_parts(results: list, options: dict) -> None:
    # before any annex is written: the system parts its formats and languages need
    from workbench.report.annex import NETWORK, written_languages
    from workbench.report.requirements import check_parts

    names = [r.city_id for r in results if r.kind == "profile"] + (
        [NETWORK] if any(r.kind == "comparison" for r in results) else [])
    check_parts(options["formats"], written_languages(names, tuple(options["languages"])))


def _succeeded(run_dir: Path, manifest) -> list:
    # the notebooks of a run that succeeded, as the annex renderer takes them
    from workbench.batch.tasks import TaskKind, TaskResult
    from workbench.errors import DataError

    try:
        results = [TaskResult(n.name, TaskKind(n.kind), n.subject, n.status, n.seconds, str(run_dir / n.notebook))
                   for n in manifest.succeeded()]
    except ValueError:
        raise DataError(f"{run_dir / 'manifest.json'}: written by an older workbench (a notebook without its kind); "
                        "run the batch again") from None
    if not results:
        raise DataError(f"{run_dir / 'manifest.json'}: no notebook of this run succeeded; nothing to render")
    return results

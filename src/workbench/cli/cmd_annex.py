"""``workbench annex``: render the annexes of an executed run again, without re-executing it."""

from __future__ import annotations

from pathlib import Path

from workbench.cli.output import console, final, licence_note
from workbench.cli.parser import annex_kwargs


def annex(args) -> int:
    """Render the annexes of ``--run`` (default ``outputs/latest``) under ``outputs/.lock``; return the exit code."""
    from workbench import paths
    from workbench.batch.lock import hold
    from workbench.provenance import Manifest
    from workbench.report.annex import DRAFT_FOLDER, FORMATS, render_run

    options = {"formats": FORMATS, **annex_kwargs(args)}
    # one writer at a time in outputs/: a run could otherwise rename or publish the folder meanwhile
    with hold(paths.outputs_dir(), "workbench annex"):
        run_dir = args.run or (paths.outputs_dir() / "latest")
        manifest = Manifest.read(run_dir)
        results = _succeeded(run_dir, manifest)
        out = console()
        folder = run_dir / (DRAFT_FOLDER if args.draft else "annex")
        try:
            # a later run must not copy annexes rendered with other options (e.g. no suppression);
            # drafts go to a folder of their own and are never copied
            if not args.draft and manifest.record_rerender(options):
                manifest.write(run_dir)
            written = render_run(run_dir, results, **options, draft=args.draft,
                                 progress=lambda path: out.print(str(path), markup=False))
        except KeyboardInterrupt:
            # every annex file is renamed into place when complete: only temporary files can be cut short
            for leftover in folder.rglob("*.tmp"):
                leftover.unlink(missing_ok=True)
            raise
    annexes = [p for p in written if p.suffix[1:] in FORMATS]
    tables = [p for p in written if p.suffix in (".csv", ".xlsx")]
    final(out, f"{len(annexes)} annex files in {folder}"
              + (f", with {len(tables)} table files beside them" if tables else "")
              + ("" if args.draft else f"; landing page {run_dir / 'index.html'}"))
    if note := licence_note(run_dir):
        out.print(note, markup=False)
    return 0


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

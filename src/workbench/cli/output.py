"""Where the commands print: one console for tables, progress and summaries."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: The commands that say first which project they work on (the lookups print plain lists for pipes).
SAYS_PROJECT = ("run", "ingest", "validate", "new-city", "lab", "annex", "check", "runs", "clean", "publish", "chapters")


#: ``-q``: the commands print errors and their final summary line only (:func:`final`).
_quiet = False


def set_quiet(quiet: bool) -> None:
    """Whether the consoles made from now on stay silent (``workbench -q``)."""
    global _quiet
    _quiet = bool(quiet)


def console(result: bool = False):
    """The console commands print to (stdout, no highlighting, long lines kept whole).

    With ``-q`` it prints nothing, unless ``result``: what the command is for (a listing), not its progress.
    """
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True, quiet=_quiet and not result)


def final(out, text: str) -> None:
    """Print a command's final summary line on ``out``, also with ``-q``."""
    quiet, out.quiet = out.quiet, False
    try:
        out.print(text, markup=False)
    finally:
        out.quiet = quiet


def licence_note(run_dir) -> str:
    """One line naming the sources a run's annexes cite whose licence the registry has not confirmed
    (the annexes say "see the publisher's terms"), or '' when there is none."""
    from workbench.report.annex_sources import unconfirmed_licences
    from workbench.report.site import cited_source_ids

    ids = unconfirmed_licences(cited_source_ids(run_dir))
    if not ids:
        return ""
    return (f"note: {len(ids)} cited source(s) with a licence not confirmed in the registry (the annexes say "
            f"\"see the publisher's terms\"): {', '.join(ids)}; confirm each and set licence_verified: true "
            f"in data/registry/sources/<id>.yaml")


@contextlib.contextmanager
def with_project(args) -> Iterator[None]:
    """Find the project once, say which it is, and give it to every process the command starts.

    The project is found by :func:`workbench.paths.locate_project` (``WORKBENCH_ROOT``, else the
    folders from the current one up, else the clone the package is installed from); the commands of
    :data:`SAYS_PROJECT` print it as their first line, ``project: PATH`` (not with ``--json``, whose
    output is for programs). ``WORKBENCH_ROOT`` is set to it while the command runs, so workers,
    kernels and JupyterLab work on the same project whatever their current folder.

    Raises
    ------
    ConfigError
        When the current folder lies in another clone than the one this environment's package is
        installed from, or no project is found.
    """
    from workbench import paths

    root, how = paths.locate_project()
    if args.command in SAYS_PROJECT and not getattr(args, "json", False):
        console().print(f"project: {root}" + (f" (from {how})" if how == paths.ROOT_VARIABLE else ""), markup=False)
    before = os.environ.get(paths.ROOT_VARIABLE)
    os.environ[paths.ROOT_VARIABLE] = str(root)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(paths.ROOT_VARIABLE, None)
        else:
            os.environ[paths.ROOT_VARIABLE] = before

"""Where the commands print: one console for tables, progress and summaries."""

from __future__ import annotations


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

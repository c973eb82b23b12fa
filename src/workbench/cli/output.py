"""Where the commands print: one console for tables, progress and summaries."""

from __future__ import annotations


def console():
    """The console commands print to (stdout, no highlighting, long lines kept whole)."""
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)


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

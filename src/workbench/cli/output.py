"""Where the commands print: one console for tables, progress and summaries."""

from __future__ import annotations


def console():
    """The console commands print to (stdout, no highlighting, long lines kept whole)."""
    from rich.console import Console

    return Console(stderr=False, highlight=False, soft_wrap=True)

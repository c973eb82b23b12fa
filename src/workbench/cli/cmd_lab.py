"""``workbench lab``: JupyterLab on the project, a city's profile notebook ready to run."""

from __future__ import annotations


def lab(args) -> int:
    """Start JupyterLab with a city's profile notebook ready; return its exit code."""
    from workbench.batch.lab import start_lab

    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    return start_lab(args.city, port=args.port, open_browser=not args.no_browser, extra=extra)

"""The `workbench` command: ingest official files, validate inputs, run the batch, render annexes.

One module per command (``cmd_*.py``), each a thin call into the package; :mod:`.parser` holds the arguments.
"""

from __future__ import annotations

import logging
import signal
import sys

from workbench.cli.parser import build_parser
from workbench.errors import INTERRUPTED, WorkbenchError


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `workbench` console script; returns the exit code.

    Ctrl-C and SIGTERM, at any moment (even while modules are still being imported), end the
    command with exit code 130 and one line, never a traceback.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    debug = False
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        debug = args.debug
        _set_verbosity(args)
        if not args.command:
            parser.print_help()
            return 2
        return _dispatch(args)
    except WorkbenchError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        # the command is ending: a second stop signal must not cut its last words or its exit short
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as exc:  # disk full, permission denied, a folder that vanished: the system's words
        if debug:
            raise
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: say so in one line; --debug shows where
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}; please report it with the output of "
              f"`workbench --debug {' '.join(sys.argv[1:2])} ...`", file=sys.stderr)
        return 1
    finally:
        _forget_caught_interrupts()


def _set_verbosity(args) -> None:
    # --debug: every logger at DEBUG; -v: the workbench's own at INFO; -q: errors only (and each command's
    # final summary line, printed with workbench.cli.output.final)
    from workbench.cli import output

    level = logging.DEBUG if args.debug else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose and not args.debug:
        logging.getLogger("workbench").setLevel(logging.INFO)
    output.set_quiet(args.quiet)


def _dispatch(args) -> int:
    from workbench.cli import cmd_annex, cmd_check, cmd_lab, cmd_lookup, cmd_project, cmd_run, cmd_runs
    from workbench.cli.output import with_project

    handlers = {"run": cmd_run.run, "ingest": cmd_project.ingest, "validate": cmd_project.validate,
                "annex": cmd_annex.annex, "check": cmd_check.check, "cities": cmd_lookup.cities, "sources": cmd_lookup.sources,
                "new-city": cmd_project.new_city, "chapters": cmd_project.chapters, "lab": cmd_lab.lab, "places": cmd_lookup.places,
                "runs": cmd_runs.runs, "clean": cmd_runs.clean, "publish": cmd_runs.publish}
    with with_project(args):
        return handlers[args.command](args)


def _forget_caught_interrupts() -> None:
    # CPython 3.11 remembers a KeyboardInterrupt raised inside exec() of a string (dataclasses and
    # named tuples are made so, while modules are imported) even after it was caught, and then ends
    # the process by SIGINT instead of with our exit code; one exec() that completes resets that
    exec("")  # noqa: S102


def _interrupt(signum, frame) -> None:
    # `kill <pid>` stops a command as Ctrl-C does
    raise KeyboardInterrupt

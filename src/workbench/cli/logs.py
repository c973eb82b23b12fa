"""Where a run's log records go: the workbench's own one-line messages to the terminal, everything to ``run.log``.

Libraries the run uses (WeasyPrint, fontTools, matplotlib, papermill …) warn about things a reader
of the terminal cannot act on; while ``workbench run`` or ``workbench annex`` works, their records
and Python's warnings go to the run's log file (:data:`LOG_NAME` in the run folder) instead, and
the summary says where it is. ``--debug`` shows everything on the terminal as well.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

#: The log file in a run folder: written while the run goes on; `workbench annex` appends to it.
LOG_NAME = "run.log"
#: How a record reads, on the terminal and in the file.
FORMAT = "%(levelname)s %(name)s: %(message)s"
#: Records kept while no file is open yet (before the run folder exists); later ones are dropped.
_EARLY_RECORDS = 1000


def ours(record: logging.LogRecord) -> bool:
    """Whether a record comes from the workbench itself (its loggers are named ``workbench.*``)."""
    return record.name == "workbench" or record.name.startswith("workbench.")


class RunLog(logging.Handler):
    """A handler writing every record to the run's log file, once :meth:`open` names it.

    Records that come before (while the run is planned) are kept and written first. A file that
    cannot be written (a full disk) is given up silently: the run's own error says what happened.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s " + FORMAT))
        self.path: Path | None = None
        self._file = None
        self._early: list[logging.LogRecord] = []
        self._broken = False

    def open(self, path: Path, what: str) -> None:
        """Start writing to ``path`` (appending), with a first line naming ``what`` runs and when."""
        try:
            self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
            self._file.write(f"--- {what}, {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
            self._file.flush()
        except OSError:  # no file (a full disk): the records stay for the terminal
            self._file = None
            return
        self.path = Path(path)
        early, self._early = self._early, []
        for record in early:
            self.emit(record)

    def emit(self, record: logging.LogRecord) -> None:
        if self._broken:
            return
        if self._file is None:
            if len(self._early) < _EARLY_RECORDS:
                self._early.append(record)
            return
        try:
            self._file.write(self.format(record) + "\n")
            self._file.flush()
        except (OSError, ValueError):
            self._broken = True  # a full disk: the log stops, the run goes on to its own error

    def unwritten(self) -> list[logging.LogRecord]:
        """The records no file received (none was opened, or it could not be written)."""
        return list(self._early)

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        super().close()


@contextlib.contextmanager
def run_log() -> Iterator[RunLog]:
    """Route log records and warnings for the duration of a command that writes into a run folder.

    Yields a :class:`RunLog` the command opens (:meth:`RunLog.open`) once the run folder is known.
    Meanwhile the terminal's handlers pass only the workbench's own records (all records with
    ``--debug``), and Python's warnings are logged (logger ``py.warnings``) instead of printed. If
    no file was opened by the end, the records it kept are printed on the terminal as before.
    """
    root = logging.getLogger()
    handler = RunLog()
    terminals = [h for h in root.handlers if _is_terminal(h)]

    def terminal_filter(record: logging.LogRecord) -> bool:
        return ours(record) or root.getEffectiveLevel() <= logging.DEBUG

    root.addHandler(handler)
    for terminal in terminals:
        terminal.addFilter(terminal_filter)
    logging.captureWarnings(True)
    try:
        yield handler
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        for terminal in terminals:
            terminal.removeFilter(terminal_filter)
        handler.close()
        for record in handler.unwritten():
            if not ours(record) and root.getEffectiveLevel() > logging.DEBUG:
                for terminal in terminals:
                    terminal.handle(record)


def _is_terminal(handler: logging.Handler) -> bool:
    # the handlers printing on the terminal (logging.basicConfig's): not files, not pytest's capture
    return (isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)
            and getattr(handler, "stream", None) in (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__))

"""The workbench's exceptions and exit codes: one root class, a few subclasses whose messages say what to fix."""

from __future__ import annotations

#: Every exit code of the `workbench` command and what it means: the one statement of them
#: (``--help`` prints it, a test holds the README's table to it).
EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "any other error: a system error (full disk, permission denied, a missing system part such as Pango or a "
       "font) or a bug, in one line (`--debug` shows the traceback)",
    2: "wrong parameter, registry entry, option or chapter file (the message names file and key); another run holds "
       "`outputs/.lock`; nothing to resume",
    3: "bad or missing data file: tidy table, expert figures, an official file whose layout changed (file, row, column) "
       "or whose values are implausible (file, place, year, values)",
    4: "the run finished but at least one notebook failed (raised, timed out, kernel died)",
    130: "interrupted (Ctrl-C)",
}
#: The exit code of a run stopped by Ctrl-C or SIGTERM.
INTERRUPTED = 130


class WorkbenchError(Exception):
    """Root of every error the workbench raises on purpose.

    The CLI prints these as one line (no traceback) and exits with ``exit_code``.
    """

    exit_code = 1


class ConfigError(WorkbenchError):
    """A parameters file, registry entry or command-line option is wrong."""

    exit_code = 2


class UnknownCityError(ConfigError):
    """A city id that is not in the cities registry."""


class DataError(WorkbenchError):
    """A data file (official source, tidy table, expert figures) is missing or malformed."""

    exit_code = 3


class SourceFormatError(DataError):
    """An official source file does not have the layout its reader expects."""


class SchemaError(DataError):
    """A table breaks the tidy schema or a registry constraint."""


class RunError(WorkbenchError):
    """One or more notebooks of a batch failed."""

    exit_code = 4


class RunStepError(WorkbenchError):
    """A step of a run (write the manifest, copy an earlier notebook, publish) failed for a system reason.

    The message names the step, the file and the run folder, and says what became of the run.
    """

    exit_code = 1


class SystemPartError(WorkbenchError):
    """A part of the system the chosen annexes need (Pango, a font, pandoc) is missing.

    Raised before anything runs; the message says what to install or which ``--format`` or
    ``--lang`` leaves those annexes out.
    """

    exit_code = 1


class NotebookTimeout(BaseException):
    """A notebook still ran after its kernel was killed at the time limit (a BaseException: nothing swallows it)."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a run; its partial outputs are kept in ``summary.run_dir``."""

    exit_code = INTERRUPTED

    def __init__(self, summary):
        super().__init__(f"interrupted; partial outputs in {summary.run_dir}; nothing published")
        self.summary = summary  #: the run's :class:`workbench.batch.tasks.RunSummary`


def where(path: object = None, row: object = None, column: object = None) -> str:
    """Format a location prefix such as ``file.csv, row 12, column 'value'``.

    Parameters
    ----------
    path, row, column
        Any of them may be ``None``; rows are reported as the user sees them (1-based).

    Returns
    -------
    str
        The joined location, or an empty string when nothing is known.
    """
    parts = []
    if path is not None:
        parts.append(str(path))
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column!r}")
    return ", ".join(parts)


class MissingTranslation(ConfigError):
    """A text an annex shows has no translation in a language's catalog."""


class ClaimError(WorkbenchError):
    """A drafted sentence states a number that is not the table cell it cites."""

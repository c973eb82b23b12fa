"""The workbench's exceptions: one root class, a few subclasses whose messages say what to fix."""

from __future__ import annotations


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

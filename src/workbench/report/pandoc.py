"""Running pandoc, and writing the Word files it makes with the same bytes for the same content."""

from __future__ import annotations

import io
import logging
import subprocess
import zipfile
from pathlib import Path

import pypandoc

from workbench.errors import WorkbenchError

logger = logging.getLogger(__name__)

#: Fixed zip timestamp (1980-01-01, the earliest zip allows) so the same HTML gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_PANDOC_TIMEOUT_S = 600


def pandoc_path(target: Path) -> str:
    """The pandoc executable.

    Raises
    ------
    WorkbenchError
        If pandoc is not installed; the message names ``target``, the file that needed it.
    """
    try:
        return pypandoc.get_pandoc_path()
    except OSError as exc:
        raise WorkbenchError(
            f"{target}: pandoc not found ({exc}); install the 'pypandoc-binary' package"
        ) from None


def call_pandoc(command: list[str], target: Path, input_bytes: bytes | None = None) -> bytes:
    """Run pandoc and return its standard output.

    Raises
    ------
    WorkbenchError
        If pandoc cannot run, times out or fails; the message names ``target``.
    """
    try:
        result = subprocess.run(
            command, input=input_bytes, capture_output=True, timeout=_PANDOC_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise WorkbenchError(f"{target}: cannot run pandoc ({exc})") from None
    messages = result.stderr.decode("utf-8", "replace").strip()
    if result.returncode != 0:
        raise WorkbenchError(f"{target}: pandoc failed with exit code {result.returncode}: {messages[-800:]}")
    if messages:
        logger.warning("pandoc, writing %s: %s", target, messages)
    return result.stdout


def fixed_zip_dates(data: bytes) -> bytes:
    """A zip (a ``.docx``) with every entry dated ``_ZIP_DATE``, so the bytes depend on content only."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            sink.writestr(entry, source.read(info.filename))
    return out.getvalue()

"""Which system parts the chosen annex formats and languages need, checked before any notebook runs.

A PDF annex needs WeasyPrint with Pango (at least :data:`MIN_PANGO`) and the DejaVu Sans font; an
Arabic PDF annex the Amiri font too; a Word annex needs pandoc (the ``pypandoc-binary`` package).
Each part is looked at by one small probe (:func:`pango_version`, :func:`has_font`,
:func:`pandoc_found`), which tests replace to play a machine that lacks it. Fonts are looked up
with fontconfig through WeasyPrint's own bindings, as WeasyPrint finds them when it lays out a PDF.
HTML annexes need nothing beyond the Python packages.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.errors import SystemPartError

#: The oldest Pango WeasyPrint lays out with (WeasyPrint's installation notes: Pango >= 1.44.0).
MIN_PANGO = (1, 44, 0)
#: The font of every annex (charts and text), and the one of Arabic PDF annexes (templates/annex-print.css).
LATIN_FONT = "DejaVu Sans"
ARABIC_FONT = "Amiri"

_PANGO_INSTALL = ("apt-get install libpango-1.0-0 libpangoft2-1.0-0 (conda: conda install -c conda-forge pango)")
_FONTS_INSTALL = "make fonts (Debian: apt-get install fonts-dejavu-core fonts-hosny-amiri)"
_PANDOC_INSTALL = "pip install pypandoc-binary (make setup installs it)"


@dataclass(frozen=True)
class Missing:
    """A system part an annex format (and language) needs and this machine lacks."""

    part: str  #: what is missing, as a reader names it ("Pango >= 1.44 (found 1.42.4)")
    needed_for: str  #: which annexes need it ("PDF", "Arabic PDF", "Word")
    install: str  #: how to install it (a command)
    format: str  #: the format that needs it: leaving it out avoids the part
    language: str | None = None  #: the one language that needs it, if only one does


def pango_version() -> tuple[tuple[int, ...] | None, str]:
    """The version of Pango WeasyPrint loads, or ``None`` and the reason it cannot be loaded."""
    try:
        from weasyprint.text.ffi import pango
    except (OSError, ImportError) as exc:  # the library is missing: cffi's dlopen fails
        return None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    number = int(pango.pango_version())
    return (number // 10000, number // 100 % 100, number % 100), ""


def has_font(family: str) -> bool:
    """Whether fontconfig, as WeasyPrint uses it, finds the font ``family`` (else it would substitute another)."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except (OSError, ImportError):
        return _fc_list_has(family)
    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return False
        try:
            name = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(match, b"family", 0, name) != fontconfig.FcResultMatch:
                return False
            return ffi.string(name[0]).decode("utf-8", "replace").casefold() == family.casefold()
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


def _fc_list_has(family: str) -> bool:
    # without WeasyPrint's bindings (Pango missing, reported on its own): the fontconfig command, if any
    command = shutil.which("fc-list")
    if command is None:
        return True  # cannot tell; Pango's absence is the one line then
    try:
        listed = subprocess.run([command, ":", "family"], capture_output=True, text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return True
    return any(family.casefold() == name.strip().casefold() for line in listed.splitlines() for name in line.split(","))


def pandoc_found() -> bool:
    """Whether pypandoc finds a pandoc executable (``pypandoc-binary`` ships one)."""
    try:
        import pypandoc

        return bool(pypandoc.get_pandoc_path())
    except (OSError, ImportError):
        return False


def missing_parts(formats: Iterable[str], languages: Iterable[str]) -> list[Missing]:
    """The system parts the annexes in ``formats`` and ``languages`` need and this machine lacks.

    Parameters
    ----------
    formats
        Annex formats to write (``html``, ``docx``, ``pdf``).
    languages
        The languages annexes will actually be written in (an Arabic annex exists only for some
        cities and the network: see :func:`workbench.report.annex.annex_languages`).

    Returns
    -------
    list of Missing
        In the order they are named to the user; empty when everything is here.
    """
    formats, languages = tuple(formats), tuple(languages)
    missing = []
    if "pdf" in formats:
        version, reason = pango_version()
        if version is None:
            missing.append(Missing(f"Pango >= {_dotted(MIN_PANGO)} (WeasyPrint cannot load it: {reason})", "PDF",
                                   _PANGO_INSTALL, "pdf"))
        elif version < MIN_PANGO:
            missing.append(Missing(f"Pango >= {_dotted(MIN_PANGO)} (found {_dotted(version)})", "PDF",
                                   _PANGO_INSTALL, "pdf"))
        if not has_font(LATIN_FONT):
            missing.append(Missing(f"the font {LATIN_FONT}", "PDF", _FONTS_INSTALL, "pdf"))
        if "ar" in languages and not has_font(ARABIC_FONT):
            missing.append(Missing(f"the font {ARABIC_FONT}", "Arabic PDF", _FONTS_INSTALL, "pdf", "ar"))
    if "docx" in formats and not pandoc_found():
        missing.append(Missing("pandoc", "Word", _PANDOC_INSTALL, "docx"))
    return missing


def check_parts(formats: Iterable[str], languages: Iterable[str]) -> None:
    """Refuse annexes this machine cannot write, before anything runs: one line saying what to install.

    Raises
    ------
    SystemPartError
        Naming each missing part, the annexes that need it and the command that installs it, then
        the ``--format`` (or ``--lang``) that leaves those annexes out.
    """
    formats, languages = tuple(formats), tuple(languages)
    missing = missing_parts(formats, languages)
    if not missing:
        return
    needs = "; ".join(f"{m.needed_for} annexes need {m.part}: {m.install}" for m in missing)
    raise SystemPartError(f"{needs}; or leave them out with {_alternative(missing, formats, languages)}")


def _alternative(missing: list[Missing], formats: tuple[str, ...], languages: tuple[str, ...]) -> str:
    # the options that avoid every missing part: drop a format, or only a language when it alone needs it
    whole = {m.format for m in missing if m.language is None}
    kept = [f for f in formats if f not in whole] or ["html"]
    by_language = [m for m in missing if m.language is not None and m.format not in whole]
    base = [f"--format {','.join(kept)}"] if kept != list(formats) else []
    if not by_language:
        return " ".join(base)
    kept_languages = [lang for lang in languages if lang not in {m.language for m in by_language}]
    without = [f for f in kept if f not in {m.format for m in by_language}] or ["html"]
    choices = [" ".join([*base, f"--lang {','.join(kept_languages)}"])] if kept_languages else []
    return " or ".join([*choices, f"--format {','.join(without)}"])


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in version)

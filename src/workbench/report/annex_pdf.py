"""Write an annex's HTML as an A4 PDF with WeasyPrint and the print stylesheet."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import weasyprint
from weasyprint.urls import URLFetcher

from workbench import paths
from workbench.errors import WorkbenchError
from workbench.reference.i18n import RTL as RTL_LANGUAGES
from workbench.reference.i18n import check_document_language

logger = logging.getLogger(__name__)

#: Print layout: A4, 2 cm margins, page numbers, contents page numbers, table and image sizing.
PRINT_CSS = paths.PACKAGE_DIR / "templates" / "annex-print.css"


def write_pdf(html: str, target: Path, lang: str) -> Path:
    """Render an annex HTML document to an A4 PDF.

    The document's own CSS is kept and ``templates/annex-print.css`` is added on top: A4 pages
    with 2 cm margins, "page / pages" in the footer, contents entries followed by the page number
    of their target, headings kept with what follows, exhibits kept on one page when they fit,
    long tables breaking with their header row repeated, smaller text for tables with many
    columns, images scaled to the text width, tables of many columns on landscape pages. The PDF is
    tagged for accessibility (:data:`PDF_VARIANT`). WeasyPrint embeds subsets of the fonts it uses;
    "DejaVu Sans" covers Latin and Arabic, and pango lays out right-to-left text. Only ``data:``
    URLs are loaded, so rendering never touches the network or the disk.

    WeasyPrint's warnings (CSS it does not support in the screen stylesheet) go to this module's
    debug log; its errors (a resource that cannot be loaded, such as a broken image) stop the
    writer, since the PDF would then lack something the HTML has.

    Parameters
    ----------
    html
        The annex as one self-contained HTML document (images as ``data:`` URIs).
    target
        Where to write the ``.pdf``; parent folders are created. Written atomically.
    lang
        Annex language: ``en``, ``fr`` or ``ar`` (``ar`` is laid out right to left even if the
        HTML lacks ``dir="rtl"``).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    WorkbenchError
        If the language is unknown or disagrees with the HTML, if WeasyPrint reports an error or
        fails, or if the file cannot be written; the message names ``target``.
    """
    target = Path(target)
    check_document_language(html, lang, target)
    stylesheets = [weasyprint.CSS(string=_print_css(target))]
    if lang in RTL_LANGUAGES:
        stylesheets.append(weasyprint.CSS(string="html { direction: rtl; }"))
    try:
        with _weasyprint_log(target) as errors:
            document = weasyprint.HTML(
                string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))
            ).render(stylesheets=stylesheets)
        if errors:
            raise WorkbenchError(f"{target}: WeasyPrint could not render the annex: {'; '.join(errors)}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with _fixed_font_timestamp():
            # tagged (PDF/UA-1): headings, lists, tables with captions and header scopes, figures with
            # their alternative text, and the document language from <html lang>
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
        paths.write_atomic(target, data)
    except WorkbenchError:
        raise
    except OSError as exc:
        raise WorkbenchError(f"{target}: cannot write the PDF annex ({exc})") from None
    except Exception as exc:  # WeasyPrint raises many kinds on HTML it cannot lay out
        raise WorkbenchError(f"{target}: WeasyPrint failed on the annex HTML ({exc!r})") from exc
    return target


def _print_css(target: Path) -> str:
    try:
        return PRINT_CSS.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkbenchError(f"{target}: cannot read the print stylesheet {PRINT_CSS} ({exc})") from None


#: WeasyPrint's accessible variant: a tagged PDF (structure tree) with PDF/UA-1 metadata.
PDF_VARIANT = "pdf/ua-1"

#: Timestamp written into the embedded font subsets (2000-01-01T00:00:00Z) unless SOURCE_DATE_EPOCH is set.
FONT_EPOCH = "946684800"


@contextlib.contextmanager
def _fixed_font_timestamp() -> Iterator[None]:
    """Make the same HTML give the same PDF bytes in any second.

    When HarfBuzz's subsetter is missing, WeasyPrint subsets fonts with fontTools, which stamps
    each subset's ``head.modified`` with the current time unless ``SOURCE_DATE_EPOCH`` is set
    (the reproducible-builds convention); a user's own value is kept.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_EPOCH
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


@contextlib.contextmanager
def _weasyprint_log(target: Path) -> Iterator[list[str]]:
    """Collect WeasyPrint's errors; demote its warnings (unsupported screen CSS) to debug."""
    errors: list[str] = []

    def triage(record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            errors.append(record.getMessage())
            return True
        if record.levelno >= logging.WARNING:
            logger.debug("WeasyPrint, writing %s: %s", target, record.getMessage())
            return False
        return True

    weasyprint_logger = logging.getLogger("weasyprint")
    weasyprint_logger.addFilter(triage)
    try:
        yield errors
    finally:
        weasyprint_logger.removeFilter(triage)

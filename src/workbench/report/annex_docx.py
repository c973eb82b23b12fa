"""Write an annex's HTML as a Word document: pandoc converts, python-docx sets page, fonts and tables."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workbench import paths
from workbench.errors import WorkbenchError
from workbench.reference.i18n import RTL as RTL_LANGUAGES
from workbench.reference.i18n import check_document_language
from workbench.report.annex_docx_html import prepare_html
from workbench.report.annex_docx_styles import WORD_LANGUAGES, reference_docx, set_size
from workbench.report.pandoc import call_pandoc, fixed_zip_dates, pandoc_path

#: Tables with more rows than this may break across pages; shorter ones are kept on one page
#: (the PDF print stylesheet uses the same limit).
KEEP_TOGETHER_ROWS = 40


def write_docx(html: str, target: Path, lang: str) -> Path:
    """Convert an annex HTML document into a Word file with real tables, styled headings and captions.

    The HTML (see the annex contract: ``header.wb-title``, ``nav.toc``, ``section.wb-section``,
    ``figure.wb-exhibit`` with ``figcaption``, ``table.wb-table`` or ``img.wb-figure``, and
    ``p.wb-source``/``p.wb-note``) is first rewritten into plain blocks pandoc keeps (see
    :func:`prepare_html`), converted by pandoc with the reference document of
    :func:`reference_docx`, then finished with python-docx: table text sized by column count,
    tables across the text width, tables of up to ``KEEP_TOGETHER_ROWS`` rows kept on one page,
    right-to-left tables for Arabic, image descriptions set to the alt text, document title and
    language in the file properties. Header rows repeat on each page (pandoc marks them). The
    contents stay a plain list of internal links in Word's "toc 1" / "table of figures" styles
    (no TOC field to update, so no page numbers).

    Parameters
    ----------
    html
        The annex as one self-contained HTML document (images as ``data:`` URIs).
    target
        Where to write the ``.docx``; parent folders are created. Written atomically.
    lang
        Annex language: ``en``, ``fr`` or ``ar`` (``ar`` makes paragraphs and tables right to left).

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    WorkbenchError
        If the language is unknown or disagrees with the HTML, if pandoc is missing or fails, or if
        the file cannot be written; the message names ``target``.
    """
    target = Path(target)
    check_document_language(html, lang, target)
    pandoc_path(target)  # a missing pandoc is reported against the annex, not the cache
    prepared = prepare_html(html)
    reference = reference_docx(lang)
    converted = target.with_suffix(".pandoc.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _run_pandoc(prepared, converted, reference, lang, target)
        try:
            document = docx.Document(str(converted))
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise WorkbenchError(f"{target}: pandoc wrote an unreadable Word file ({exc})") from None
        _finish_document(document, lang, _document_title(html))
        buffer = io.BytesIO()
        document.save(buffer)
        paths.write_atomic(target, fixed_zip_dates(buffer.getvalue()))
    except OSError as exc:
        raise WorkbenchError(f"{target}: cannot write the Word annex ({exc})") from None
    finally:
        converted.unlink(missing_ok=True)
    return target


def _document_title(html: str) -> str:
    """The ``<title>`` text, for the file properties (a regex: a second full parse costs seconds)."""
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(unescape(match.group(1)).split()) if match else ""


def _run_pandoc(prepared: str, output: Path, reference: Path, lang: str, target: Path) -> None:
    """HTML to docx; sandboxed, so the document cannot make pandoc read files or the network."""
    command = [
        pandoc_path(target),
        "--from=html",
        "--to=docx",
        "--sandbox",
        f"--reference-doc={reference}",
        f"--metadata=lang={WORD_LANGUAGES[lang]}",
        f"--output={output}",
    ]
    if lang in RTL_LANGUAGES:
        command.append("--metadata=dir=rtl")
    # In the sandbox pandoc does not read the clock either: the file is dated 1970-01-01.
    call_pandoc(command, target, input_bytes=prepared.encode("utf-8"))


def _finish_document(document: docx.document.Document, lang: str, title: str) -> None:
    """Table text size, repeated header rows, short tables on one page, RTL tables, properties."""
    rtl = lang in RTL_LANGUAGES
    section = document.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        size = _table_font_size(len(table.columns))
        for index, row in enumerate(table.rows):
            keep = len(table.rows) <= KEEP_TOGETHER_ROWS + 1 and index < len(table.rows) - 1
            for paragraph in (p for cell in row.cells for p in cell.paragraphs):
                if keep:
                    paragraph.paragraph_format.keep_with_next = True
                for run in paragraph._p.iter(qn("w:r")):  # runs inside links too
                    set_size(run.get_or_add_rPr(), size)
        _fit_grid(table, text_width)
        properties = table._tbl.tblPr
        width = properties.find(qn("w:tblW"))
        if width is None:
            width = OxmlElement("w:tblW")
            properties.append(width)
        # Full text width: Word then shares it out by content ("autofit").
        width.set(qn("w:type"), "pct")
        width.set(qn("w:w"), "5000")
        if rtl and properties.find(qn("w:bidiVisual")) is None:
            properties.insert(_bidi_visual_position(properties), OxmlElement("w:bidiVisual"))
    # pandoc copies the image's data: URI into the picture's description; the alt text belongs there.
    for inline in document.element.body.iter(qn("wp:inline")):
        alt = inline.find(qn("wp:docPr")).get("descr", "")
        for picture in inline.iter(qn("pic:cNvPr")):
            picture.set("descr", alt)
    if rtl:  # pandoc's dir=rtl marks the paragraphs already; this makes sure of every one
        for paragraph in document.element.body.iter(qn("w:p")):
            ppr = paragraph.get_or_add_pPr()
            if ppr.find(qn("w:bidi")) is None:
                ppr.insert(_bidi_position(ppr), OxmlElement("w:bidi"))
    document.core_properties.title = title
    document.core_properties.language = WORD_LANGUAGES[lang]


def _table_font_size(columns: int) -> float:
    """Smaller text for wider tables, so up to about 16 short columns fit a 17 cm text width."""
    if columns >= 12:
        return 7
    if columns >= 8:
        return 8
    return 9


def _fit_grid(table, text_width: int) -> None:
    """Scale pandoc's column grid to the text width (LibreOffice sizes columns from the grid)."""
    columns = table._tbl.tblGrid.findall(qn("w:gridCol"))
    widths = [int(column.get(qn("w:w"), "0")) for column in columns]
    if not widths or sum(widths) <= 0:
        return
    twips = text_width // 635  # EMU to twentieths of a point
    for column, width in zip(columns, widths):
        column.set(qn("w:w"), str(twips * width // sum(widths)))


#: Schema order of ``w:pPr`` children before ``w:bidi`` (Word rejects misordered elements).
_PPR_BEFORE_BIDI = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
)
#: Schema order of ``w:tblPr`` children before ``w:bidiVisual``.
_TBLPR_BEFORE_BIDI = ("tblStyle", "tblpPr", "tblOverlap")


def _bidi_position(ppr) -> int:
    return _position_after(ppr, _PPR_BEFORE_BIDI)


def _bidi_visual_position(tblpr) -> int:
    return _position_after(tblpr, _TBLPR_BEFORE_BIDI)


def _position_after(parent, names: tuple[str, ...]) -> int:
    wanted = {qn(f"w:{name}") for name in names}
    position = 0
    for index, child in enumerate(parent):
        if child.tag in wanted:
            position = index + 1
    return position

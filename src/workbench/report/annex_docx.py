"""Write an annex's HTML as a Word document: pandoc converts, python-docx finishes it for a template."""

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
from workbench.reference.i18n import T, check_document_language, render
from workbench.report.annex_docx_fields import (
    insert_lists,
    number_captions,
    number_headings,
    remove_markers,
    request_field_update,
)
from workbench.report.annex_docx_html import prepare_html
from workbench.report.annex_docx_sections import exhibit_table, landscape_sections
from workbench.report.annex_docx_styles import (
    WORD_LANGUAGES,
    reference_docx,
    set_size,
    standardise_styles,
)
from workbench.report.pandoc import call_pandoc, fixed_zip_dates, pandoc_path

#: Tables with more rows than this may break across pages; shorter ones are kept on one page
#: (the PDF print stylesheet uses the same limit).
KEEP_TOGETHER_ROWS = 40
#: Author in the file's properties: the program that wrote it (no person signs a generated annex).
AUTHOR = "City migration profiles workbench"
#: The extended properties (``docProps/app.xml``): pandoc's copy names Microsoft Word and counts
#: the words of its own template.
_APP_PROPERTIES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>{AUTHOR} (pandoc, python-docx)</Application></Properties>"
).encode("utf-8")


def write_docx(html: str, target: Path, lang: str) -> Path:
    """Convert an annex HTML document into a Word file with real tables, styled headings and captions.

    The HTML (see the annex contract: ``header.wb-title``, ``nav.toc``, ``section.wb-section``,
    ``figure.wb-exhibit`` with a ``figcaption`` or a ``table.wb-table`` with its ``caption``, or ``img.wb-figure``, and
    ``p.wb-source``/``p.wb-note``) is first rewritten into plain blocks pandoc keeps (see
    :func:`prepare_html`), converted by pandoc with the reference document of
    :func:`reference_docx`, then finished with python-docx so that it pastes into a template:

    * only standard styles (see :func:`standardise_styles`: Normal, Heading n, Caption, Table Grid,
      "List Paragraph", the contents' styles and one "Source" style);
    * headings numbered by the heading list of the styles, not by typed text
      (:func:`number_headings`); captions numbered by SEQ fields (:func:`number_captions`);
    * the contents and the lists of tables and of figures as TOC fields, pre-filled with the
      annex's entries, which Word updates (with page numbers) on opening (:func:`insert_lists`);
    * each wide table (``figure.wb-landscape``: :data:`workbench.report.annex_html.LANDSCAPE_COLUMNS` columns or more) with its caption, source and note
      lines in a landscape section of its own;
    * table text sized by column count, bold header rows that repeat on each page, tables across
      the text width, tables of up to ``KEEP_TOGETHER_ROWS`` rows kept on one page, right-to-left
      tables for Arabic, image descriptions set to the alt text;
    * title, subject (the subtitle), author (:data:`AUTHOR`), keywords and language in the file
      properties, and no dates in them, so the same HTML gives the same bytes.

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
        _finish_document(document, lang, html)
        buffer = io.BytesIO()
        document.save(buffer)
        paths.write_atomic(target, fixed_zip_dates(buffer.getvalue()))
    except OSError as exc:
        raise WorkbenchError(f"{target}: cannot write the Word annex ({exc})") from None
    finally:
        converted.unlink(missing_ok=True)
    return target


def _element_text(html: str, pattern: str) -> str:
    """The text of the first element ``pattern`` finds, for the file properties (a regex: a second
    full parse of the page costs seconds)."""
    match = re.search(pattern, html, re.IGNORECASE | re.DOTALL)
    if match is None:
        return ""
    # HTML white space only: the no-break spaces of French typography stay
    return re.sub(r"[ \t\r\n\f]+", " ", unescape(re.sub(r"<[^>]+>", "", match.group(1)))).strip(" ")


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


def _finish_document(document: docx.document.Document, lang: str, html: str) -> None:
    """Standard styles, numbers and lists by Word, tables, landscape sections, RTL, properties."""
    rtl = lang in RTL_LANGUAGES
    standardise_styles(document)
    number_headings(document)
    captions = number_captions(document)
    insert_lists(document)
    remove_markers(document)
    wide = [caption.paragraph for caption in captions if caption.marker.wide]
    # the elements themselves: lxml gives the same proxy for a node while one is referenced
    wide_tables = [table for table in map(exhibit_table, wide) if table is not None]
    section = document.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    # a landscape section keeps the portrait one's left and right margins (annex_docx_sections)
    landscape_width = section.page_height - section.left_margin - section.right_margin
    for table in document.tables:
        landscape = any(table._tbl is element for element in wide_tables)
        _format_table(table, rtl, landscape_width if landscape else text_width)
    landscape_sections(document, wide)
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
    request_field_update(document)
    _set_properties(document, lang, html)


def _format_table(table, rtl: bool, text_width: int) -> None:
    """Text size by column count, bold header rows, short tables on one page, full width, RTL."""
    size = _table_font_size(len(table.columns))
    for index, row in enumerate(table.rows):
        keep = len(table.rows) <= KEEP_TOGETHER_ROWS + 1 and index < len(table.rows) - 1
        header = row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
        for paragraph in (p for cell in row.cells for p in cell.paragraphs):
            if keep:
                paragraph.paragraph_format.keep_with_next = True
            for run in paragraph._p.iter(qn("w:r")):  # runs inside links too
                properties = run.get_or_add_rPr()
                set_size(properties, size)
                if header:
                    properties.get_or_add_b()
                    properties.get_or_add_bCs()
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


def _set_properties(document: docx.document.Document, lang: str, html: str) -> None:
    """Title, subject, author, keywords and language; no dates, revision or last author."""
    properties = document.core_properties
    properties.title = _element_text(html, r"<title[^>]*>(.*?)</title>")
    properties.subject = _element_text(html, r'<p class="wb-subtitle"[^>]*>(.*?)</p>')
    properties.author = AUTHOR
    properties.keywords = render(T("migration; migrants; statistics; city migration profile"), lang)
    properties.language = WORD_LANGUAGES[lang]
    core = properties._element
    for name in ("dcterms:created", "dcterms:modified", "cp:lastModifiedBy", "cp:revision", "cp:lastPrinted"):
        for element in core.findall(qn(name)):
            core.remove(element)
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":  # a part python-docx keeps as plain bytes
            part._blob = _APP_PROPERTIES


def _table_font_size(columns: int) -> float:
    """Smaller text for wider tables, so up to about 16 short columns fit a 17 cm text width
    (tables of 12 columns or more get the 25.7 cm of a landscape page besides)."""
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

"""Write an annex's HTML as a Word document: pandoc converts, python-docx sets page, fonts and tables."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import docx
import pypandoc
from bs4 import BeautifulSoup, Tag
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from workbench.errors import WorkbenchError
from workbench.reference.i18n import RTL as RTL_LANGUAGES
from workbench.reference.i18n import check_document_language

logger = logging.getLogger(__name__)

#: Word language tag per annex language (Word wants a region).
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar-SA"}
#: Annex languages written right to left.
#: One family for Latin and Arabic script: DejaVu Sans is on every Debian (fonts-dejavu-core).
FONT = "DejaVu Sans"
#: Body text size in points; tables get smaller sizes by column count (see ``_table_font_size``).
BODY_PT = 10
#: Paragraph style of source and note lines, provenance footer (defined in the reference document).
SOURCE_STYLE = "Source"
#: Paragraph style of exhibit captions (Word's built-in "Caption", kept with the next paragraph).
CAPTION_STYLE = "Caption"
#: Styles of the contents: Word's built-in names, so Word treats them as its own. Section entries
#: take "toc 1" to "toc 3" by level (``li.wb-toc-2`` for an h2 section, ``wb-toc-3`` below it).
TOC_STYLES = {"sections": "toc {level}", "exhibits": "table of figures", "title": "TOC Heading"}
TOC_LEVELS = 3
#: Tables with more rows than this may break across pages; shorter ones are kept on one page
#: (the PDF print stylesheet uses the same limit).
KEEP_TOGETHER_ROWS = 40
#: Fixed zip timestamp (1980-01-01, the earliest zip allows) so the same HTML gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_PANDOC_TIMEOUT_S = 600
#: ``w:rFonts`` attributes pointing at the theme's fonts, which win over explicit names.
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


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
    _pandoc_path(target)  # a missing pandoc is reported against the annex, not the cache
    prepared = prepare_html(html)
    reference = reference_docx(lang)
    tmp = target.with_suffix(".docx.tmp")
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
        tmp.write_bytes(_fixed_zip_dates(buffer.getvalue()))
        os.replace(tmp, target)
    except OSError as exc:
        raise WorkbenchError(f"{target}: cannot write the Word annex ({exc})") from None
    finally:
        for leftover in (tmp, converted):
            leftover.unlink(missing_ok=True)
    return target


def prepare_html(html: str) -> str:
    """Rewrite an annex HTML document into blocks that pandoc's HTML reader turns into the Word layout.

    Pandoc reads ``<figure>`` as a figure whose caption goes below and whose source and note lines
    are dropped, and it cannot style paragraphs from their classes. So each exhibit becomes a
    caption paragraph (carrying the exhibit id, so contents links still land on it), the table or
    image, and its source and note paragraphs; styles are requested with pandoc's ``custom-style``
    attribute (written ``data-custom-style`` in HTML). Headings move up one level, since the only
    ``h1`` is the document title: ``h2`` sections become Heading 1, ``h3`` Heading 2, ``h4``
    Heading 3.

    Parameters
    ----------
    html
        The annex HTML document.

    Returns
    -------
    str
        An HTML document for pandoc (no head: the title would otherwise be printed twice).
    """
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["head", "script"]):
        tag.decompose()
    header = soup.find("header", class_="wb-title")
    if header is not None:
        for heading in header.find_all("h1"):
            _restyle(soup, heading, "Title")
        for subtitle in header.find_all("p", class_="wb-subtitle"):
            _restyle(soup, subtitle, "Subtitle")
    for nav in soup.find_all("nav", class_="toc"):
        _flatten_toc(soup, nav)
    for figure in soup.find_all("figure", class_="wb-exhibit"):
        figure.replace_with(*_exhibit_blocks(soup, figure))
    for heading in soup.find_all(re.compile(r"^h[2-6]$")):
        heading.name = f"h{int(heading.name[1]) - 1}"
    for footer in soup.find_all("footer", class_="wb-provenance"):
        for paragraph in footer.find_all("p"):
            _restyle(soup, paragraph, SOURCE_STYLE)
    return str(soup)


def _restyle(soup: BeautifulSoup, tag: Tag, style: str, anchor: str | None = None) -> Tag:
    """Replace ``tag`` by a paragraph in Word style ``style`` holding the same inline content."""
    div = soup.new_tag("div", attrs={"data-custom-style": style})
    if anchor:
        div["id"] = anchor
    paragraph = soup.new_tag("p")
    for child in list(tag.contents):
        paragraph.append(child.extract())
    div.append(paragraph)
    if tag.parent is not None:
        tag.replace_with(div)
    return div


def _flatten_toc(soup: BeautifulSoup, nav: Tag) -> None:
    """Turn the contents lists into one paragraph per entry: the entries already carry their numbers.

    The first list holds the sections, the next ones the exhibits. A section entry's level comes
    from its ``wb-toc-N`` class (N is the heading level) or else from how deep its list is nested.
    """
    for title in nav.find_all(re.compile(r"^h[1-6]$")):
        _restyle(soup, title, TOC_STYLES["title"])
    for index, listing in enumerate(nav.find_all(["ol", "ul"], recursive=False)):
        entries = _toc_entries(soup, listing, sections=index == 0, depth=1)
        listing.replace_with(*[entry.extract() for entry in entries])
    nav.unwrap()


def _toc_entries(soup: BeautifulSoup, listing: Tag, sections: bool, depth: int) -> list[Tag]:
    entries = []
    for item in listing.find_all("li", recursive=False):
        nested = [child.extract() for child in item.find_all(["ol", "ul"], recursive=False)]
        level = depth
        for name in item.get("class", []):
            match = re.fullmatch(r"wb-toc-(\d)", name)
            if match:
                level = int(match.group(1)) - 1
        level = min(max(level, 1), TOC_LEVELS)
        style = TOC_STYLES["sections"].format(level=level) if sections else TOC_STYLES["exhibits"]
        entries.append(_restyle(soup, item, style))
        for sublist in nested:
            entries.extend(_toc_entries(soup, sublist, sections, depth + 1))
    return entries


def _exhibit_blocks(soup: BeautifulSoup, figure: Tag) -> list[Tag]:
    """Caption paragraph, then the table or image, then source and note paragraphs."""
    blocks = []
    caption = figure.find("figcaption")
    if caption is not None:
        blocks.append(_restyle(soup, caption.extract(), CAPTION_STYLE, anchor=figure.get("id")))
    for child in list(figure.children):
        if not isinstance(child, Tag):
            continue
        child = child.extract()
        if child.name == "img":
            paragraph = soup.new_tag("p")
            paragraph.append(child)
            blocks.append(paragraph)
        elif child.name == "p" and {"wb-source", "wb-note"} & set(child.get("class", [])):
            blocks.append(_restyle(soup, child, SOURCE_STYLE))
        else:
            blocks.append(child)
    return blocks


def reference_docx(lang: str, cache_dir: Path | None = None) -> Path:
    """Return a pandoc reference document with the annex page, fonts and styles, building it once.

    Starts from pandoc's own ``reference.docx`` and sets: A4 portrait, 2 cm margins, page number
    centred in the footer; "DejaVu Sans" for Latin and complex (Arabic) script in every style;
    body 10 pt, headings 16/13/11 pt; "Caption" bold and kept with the next paragraph; a small
    grey "Source" style; compact "toc 1" and "table of figures" styles; and for right-to-left
    languages, right-to-left paragraphs by default. The file is cached under ``cache_dir``, keyed on
    the language, the pandoc version and this module's source, so a change to either rebuilds it.

    Parameters
    ----------
    lang
        Annex language: ``en``, ``fr`` or ``ar``.
    cache_dir
        Folder for the cached file; default ``$XDG_CACHE_HOME/workbench`` (``~/.cache/workbench``).

    Returns
    -------
    Path
        The reference ``.docx``.

    Raises
    ------
    WorkbenchError
        If the language is unknown, pandoc is missing or fails, or the cache cannot be written.
    """
    if lang not in WORD_LANGUAGES:
        raise WorkbenchError(f"unknown annex language {lang!r}: use one of {sorted(WORD_LANGUAGES)}")
    folder = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    pandoc = _pandoc_path(folder)
    key = hashlib.sha256()
    key.update(pypandoc.get_pandoc_version().encode())
    key.update(Path(__file__).read_bytes())
    path = folder / f"reference-{lang}-{key.hexdigest()[:16]}.docx"
    if path.exists():
        return path
    result = _call([pandoc, "--print-default-data-file", "reference.docx"], path)
    document = docx.Document(io.BytesIO(result))
    _set_page(document)
    _set_styles(document, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_fixed_zip_dates(buffer.getvalue()))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbenchError(f"{path}: cannot write the Word reference document ({exc})") from None
    for stale in folder.glob(f"reference-{lang}-*.docx"):  # built by an older pandoc or module
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench"


def _set_page(document: docx.document.Document) -> None:
    """A4 portrait, 2 cm margins, centred page number in the footer."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Cm(2)
        section.left_margin = section.right_margin = Cm(2)
        section.header_distance = section.footer_distance = Cm(1)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        footer._p.append(field)


def _set_styles(document: docx.document.Document, lang: str) -> None:
    """Fonts, sizes and the workbench's own paragraph styles."""
    styles_element = document.styles.element
    defaults = styles_element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_properties(defaults, size=BODY_PT, language=WORD_LANGUAGES[lang])
    # Theme fonts (Calibri/Cambria) would win over the explicit family: replace them everywhere
    # (styles naming a font of their own, such as the code style, keep it).
    for fonts in styles_element.iter(qn("w:rFonts")):
        if any(qn(name) in fonts.attrib for name in _THEME_FONTS):
            _set_fonts(fonts)
    sizes = {"Title": 20, "Subtitle": 13, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11}
    for name, size in sizes.items():
        style = _style(document, name)
        _set_run_properties(style.element.get_or_add_rPr(), size=size)
        style.font.color.rgb = RGBColor(0x2A, 0x5D, 0x8F)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        _style(document, name).font.bold = True
    for name in ("Body Text", "First Paragraph"):
        _style(document, name).paragraph_format.space_before = Pt(0)
        _style(document, name).paragraph_format.space_after = Pt(6)
    caption = _style(document, CAPTION_STYLE)
    caption.font.italic = False
    caption.font.bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.space_after = Pt(4)
    source = document.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = _style(document, "Normal")
    _set_run_properties(source.element.get_or_add_rPr(), size=8)
    source.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    source.paragraph_format.space_before = Pt(2)
    source.paragraph_format.space_after = Pt(2)
    levels = [TOC_STYLES["sections"].format(level=level) for level in range(1, TOC_LEVELS + 1)]
    for indent, name in enumerate([*levels, TOC_STYLES["exhibits"]]):
        entry = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        entry.base_style = _style(document, "Normal")
        entry.paragraph_format.space_after = Pt(2)
        if name in levels:
            entry.paragraph_format.left_indent = Cm(0.6 * indent)  # start side in RTL paragraphs too
    if lang in RTL_LANGUAGES:
        bidi = OxmlElement("w:bidi")
        _style(document, "Normal").element.get_or_add_pPr().insert(0, bidi)


def _style(document: docx.document.Document, name: str):
    """Style by its name as written in the file (python-docx renames some built-ins on lookup)."""
    for style in document.styles:
        if (style.element.name_val or "").lower() == name.lower():
            return style
    raise WorkbenchError(f"pandoc's reference.docx has no style {name!r}")


def _set_run_properties(rpr, size: float | None = None, language: str | None = None) -> None:
    """Set font family, size for Latin and complex script, and language on a ``w:rPr``."""
    _set_fonts(rpr.get_or_add_rFonts())
    if size is not None:
        _set_size(rpr, size)
    if language is not None:
        element = rpr.find(qn("w:lang"))
        if element is None:
            element = OxmlElement("w:lang")
            rpr.append(element)  # last but for elements the writer never uses
        element.set(qn("w:val"), language)
        if language.startswith("ar"):
            element.set(qn("w:bidi"), language)


def _set_size(rpr, size: float) -> None:
    """Size in points for Latin (``w:sz``) and complex script (``w:szCs``), in schema order."""
    half_points = str(int(round(size * 2)))
    sz = rpr.get_or_add_sz()
    sz.set(qn("w:val"), half_points)
    complex_size = rpr.find(qn("w:szCs"))
    if complex_size is None:
        complex_size = OxmlElement("w:szCs")
        sz.addnext(complex_size)
    complex_size.set(qn("w:val"), half_points)


def _set_fonts(fonts) -> None:
    for attribute in _THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _document_title(html: str) -> str:
    """The ``<title>`` text, for the file properties (a regex: a second full parse costs seconds)."""
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(unescape(match.group(1)).split()) if match else ""


def _pandoc_path(target: Path) -> str:
    try:
        return pypandoc.get_pandoc_path()
    except OSError as exc:
        raise WorkbenchError(
            f"{target}: pandoc not found ({exc}); install the 'pypandoc-binary' package"
        ) from None


def _run_pandoc(prepared: str, output: Path, reference: Path, lang: str, target: Path) -> None:
    """HTML to docx; sandboxed, so the document cannot make pandoc read files or the network."""
    command = [
        _pandoc_path(target),
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
    _call(command, target, input_bytes=prepared.encode("utf-8"))


def _call(command: list[str], target: Path, input_bytes: bytes | None = None) -> bytes:
    """Run pandoc; return its stdout; turn any failure into a WorkbenchError naming ``target``."""
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
                    _set_size(run.get_or_add_rPr(), size)
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


def _fixed_zip_dates(data: bytes) -> bytes:
    """Rewrite a zip with every entry dated ``_ZIP_DATE``, so the bytes depend on content only."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            sink.writestr(entry, source.read(info.filename))
    return out.getvalue()

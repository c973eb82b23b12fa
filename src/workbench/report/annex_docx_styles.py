"""The Word reference document of the annexes: A4 page, one font for Latin and Arabic, the styles."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import docx
import pypandoc
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from workbench.errors import WorkbenchError
from workbench.reference.i18n import RTL as RTL_LANGUAGES
from workbench.report.pandoc import call_pandoc, fixed_zip_dates, pandoc_path

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
#: ``w:rFonts`` attributes pointing at the theme's fonts, which win over explicit names.
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


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
    pandoc = pandoc_path(folder)
    key = hashlib.sha256()
    key.update(pypandoc.get_pandoc_version().encode())
    key.update(Path(__file__).read_bytes())
    path = folder / f"reference-{lang}-{key.hexdigest()[:16]}.docx"
    if path.exists():
        return path
    result = call_pandoc([pandoc, "--print-default-data-file", "reference.docx"], path)
    document = docx.Document(io.BytesIO(result))
    _set_page(document)
    _set_styles(document, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(fixed_zip_dates(buffer.getvalue()))
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
        set_size(rpr, size)
    if language is not None:
        element = rpr.find(qn("w:lang"))
        if element is None:
            element = OxmlElement("w:lang")
            rpr.append(element)  # last but for elements the writer never uses
        element.set(qn("w:val"), language)
        if language.startswith("ar"):
            element.set(qn("w:bidi"), language)


def set_size(rpr, size: float) -> None:
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

"""The Word styles of the annexes: the reference document pandoc writes with, and the standard styles kept."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import docx
import pypandoc
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from workbench.errors import WorkbenchError
from workbench.reference.i18n import RTL as RTL_LANGUAGES
from workbench.report.pandoc import call_pandoc, fixed_zip_dates, pandoc_path

#: Word language tag per annex language (Word wants a region).
WORD_LANGUAGES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar-SA"}
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
#: Heading levels numbered by the heading list ("1.", "1.2", "1.2.3"); the same levels go in the contents.
NUMBERED_LEVELS = 3
#: ``w:numId`` (and ``w:abstractNumId``) of the heading list; pandoc numbers its own lists from 990/1000.
HEADING_NUM_ID = 10
#: Paragraph style of list items (pandoc's "Compact" or "Body Text" with a list number).
LIST_STYLE = "List Paragraph"
#: Table style of every table.
TABLE_STYLE = "Table Grid"
#: The only styles a Word annex defines and uses (names as written in ``styles.xml``, compared without
#: case): Word's built-in ones, which a template restyles when the text is pasted into it, and the
#: annex's own "Source" for source and note lines.
STANDARD_STYLES = frozenset(
    name.lower()
    for name in (
        "Normal", "Title", "Subtitle", *(f"heading {n}" for n in range(1, 10)), CAPTION_STYLE, SOURCE_STYLE,
        TOC_STYLES["title"], *(f"toc {n}" for n in range(1, 10)), TOC_STYLES["exhibits"], LIST_STYLE, "Quote",
        "footnote text", "footnote reference", "Hyperlink", "Default Paragraph Font", "Normal Table",
        TABLE_STYLE, "No List",
    )
)
#: pandoc's styles and the standard style each becomes (paragraph styles not named here become Normal,
#: character styles are dropped, table styles become Table Grid).
_STANDARD_FOR = {"block text": "Quote", "image caption": CAPTION_STYLE, "table caption": CAPTION_STYLE,
                 "footnote block text": "footnote text"}
#: ``w:rFonts`` attributes pointing at the theme's fonts, which win over explicit names.
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def reference_docx(lang: str, cache_dir: Path | None = None) -> Path:
    """Return a pandoc reference document with the annex page, fonts and styles, building it once.

    Starts from pandoc's own ``reference.docx`` and sets: A4 portrait, 2 cm margins, page number
    centred in the footer; "DejaVu Sans" for Latin and complex (Arabic) script in every style;
    body 10 pt with 6 pt after each paragraph (in the document defaults, so that "Table Grid",
    which sets no space, keeps table cells tight, as in Word); headings 16/13/11 pt, numbered by
    a multilevel list attached to Heading 1-3 ("1.", "1.2", "1.2.3"); "Caption" bold and kept
    with the next paragraph; a small grey "Source" style; compact "toc 1" to "toc 3" and "table
    of figures" styles; Word's "Table Grid", "List Paragraph" and "Quote"; and for right-to-left
    languages, right-to-left paragraphs by default. The file is cached under ``cache_dir``, keyed
    on the language, the pandoc version and this module's source, so a change to either rebuilds it.

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
    _add_heading_numbering(document)
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
        footer._p.pPr.remove(footer._p.pPr.find(qn("w:pStyle")))  # python-docx's "Footer": not defined here
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
    """Fonts, sizes, spacing, the Word styles pandoc's file lacks and the workbench's own."""
    styles_element = document.styles.element
    defaults = styles_element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_run_properties(defaults, size=BODY_PT, language=WORD_LANGUAGES[lang])
    paragraph_defaults = styles_element.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = paragraph_defaults.find(qn("w:spacing"))
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "120")
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
    # Subtitle carries a stray list level in pandoc's file; the contents title must not be numbered
    # like the Heading 1 it is based on.
    subtitle = _style(document, "Subtitle").element.pPr
    subtitle.remove(subtitle.find(qn("w:numPr")))
    toc_title = _style(document, TOC_STYLES["title"]).element.get_or_add_pPr()
    toc_title.get_or_add_numPr().get_or_add_numId().val = 0
    for link in styles_element.iter(qn("w:link")):  # pandoc's linked "… Char" styles go (see STANDARD_STYLES)
        link.getparent().remove(link)
    _style(document, "Table").element.attrib.pop(qn("w:default"), None)  # "Normal Table" is the default
    for xml in _WORD_STYLES:
        styles_element.append(parse_xml(xml))
    caption = _style(document, CAPTION_STYLE)
    caption.font.italic = False
    caption.font.bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(12)
    caption.paragraph_format.space_after = Pt(4)
    source = document.styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)  # the one custom style
    source.base_style = _style(document, "Normal")
    _set_run_properties(source.element.get_or_add_rPr(), size=8)
    source.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    source.paragraph_format.space_before = Pt(2)
    source.paragraph_format.space_after = Pt(2)
    levels = [TOC_STYLES["sections"].format(level=level) for level in range(1, TOC_LEVELS + 1)]
    for indent, name in enumerate([*levels, TOC_STYLES["exhibits"]]):
        entry = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        entry.base_style = _style(document, "Normal")
        entry.paragraph_format.space_before = Pt(0)
        entry.paragraph_format.space_after = Pt(2)
        if name in levels:
            entry.paragraph_format.left_indent = Cm(0.6 * indent)  # start side in RTL paragraphs too
    if lang in RTL_LANGUAGES:
        bidi = OxmlElement("w:bidi")
        _style(document, "Normal").element.get_or_add_pPr().insert(0, bidi)


#: Word's own definitions of the built-in styles pandoc's reference document lacks (table cells get
#: no space after their paragraphs from "Table Grid", as in Word).
_WORD_STYLES = (
    f'''<w:style {nsdecls("w")} w:type="table" w:default="1" w:styleId="TableNormal">
<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>
<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
</w:tblCellMar></w:tblPr></w:style>''',
    f'''<w:style {nsdecls("w")} w:type="table" w:styleId="TableGrid">
<w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/>
<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
<w:tblPr><w:tblBorders>{"".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"))}</w:tblBorders></w:tblPr></w:style>''',
    f'''<w:style {nsdecls("w")} w:type="paragraph" w:styleId="ListParagraph">
<w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/><w:qFormat/>
<w:pPr><w:spacing w:before="0" w:after="40"/></w:pPr></w:style>''',
    f'''<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Quote">
<w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/>
<w:pPr><w:ind w:left="567" w:right="567"/></w:pPr></w:style>''',
)


def _add_heading_numbering(document: docx.document.Document) -> None:
    """A multilevel list "1." / "1.2" / "1.2.3" linked to Heading 1-3, so Word numbers the headings.

    Levels past :data:`NUMBERED_LEVELS` continue the pattern but no style uses them. The number is
    followed by a space, like the numbers typed in the HTML headings.
    """
    levels = []
    for level in range(9):
        text = ".".join(f"%{n}" for n in range(1, level + 2)) + ("." if level == 0 else "")
        style = f'<w:pStyle w:val="Heading{level + 1}"/>' if level < NUMBERED_LEVELS else ""
        levels.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>{style}'
            f'<w:suff w:val="space"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>'
        )
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{HEADING_NUM_ID}"><w:nsid w:val="5742484E"/>'
        f'<w:multiLevelType w:val="multilevel"/>{"".join(levels)}</w:abstractNum>'
    )
    instance = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{HEADING_NUM_ID}"><w:abstractNumId w:val="{HEADING_NUM_ID}"/></w:num>'
    )
    # Schema order: picture bullets, then every abstractNum, then every num.
    following = [child for child in numbering if child.tag in (qn("w:abstractNum"), qn("w:num"))]
    if following:
        following[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    numbers = numbering.findall(qn("w:num"))
    (numbers[-1] if numbers else abstract).addnext(instance)
    for level in range(NUMBERED_LEVELS):
        heading = _style(document, f"Heading {level + 1}").element.get_or_add_pPr().get_or_add_numPr()
        heading.get_or_add_ilvl().val = level
        heading.get_or_add_numId().val = HEADING_NUM_ID


def standardise_styles(document: docx.document.Document) -> None:
    """Give every paragraph, run and table of a pandoc document a style of :data:`STANDARD_STYLES`.

    pandoc's own styles are replaced (see ``_STANDARD_FOR``; list items take "List Paragraph",
    other paragraphs "Normal", tables "Table Grid", other character styles none), in the body,
    headers and footers; then every other style definition is removed from ``styles.xml``, and the
    references of the remaining ones to removed styles with it (based on, linked; the next
    paragraph's style becomes Normal).
    """
    styles = document.styles.element
    by_id = {style.get(qn("w:styleId")): style for style in styles.findall(qn("w:style"))}
    names = {sid: (style.find(qn("w:name")).get(qn("w:val")) if style.find(qn("w:name")) is not None else sid)
             for sid, style in by_id.items()}
    ids = {name.lower(): sid for sid, name in names.items()}
    for part in _stories(document):
        for reference in list(part.iter(qn("w:pStyle"))):
            name = names.get(reference.get(qn("w:val")), "").lower()
            if name in STANDARD_STYLES:
                continue
            listed = reference.getparent().find(qn("w:numPr")) is not None
            target = _STANDARD_FOR.get(name, LIST_STYLE if listed else "Normal")
            if target == "Normal":  # the default: Word names no style then
                properties = reference.getparent()
                properties.remove(reference)
                if len(properties) == 0:
                    properties.getparent().remove(properties)
            else:
                reference.set(qn("w:val"), ids[target.lower()])
        for reference in list(part.iter(qn("w:rStyle"))):
            if names.get(reference.get(qn("w:val")), "").lower() not in STANDARD_STYLES:
                reference.getparent().remove(reference)
        for reference in part.iter(qn("w:tblStyle")):
            reference.set(qn("w:val"), ids[TABLE_STYLE.lower()])
    kept = {sid for sid, name in names.items() if name.lower() in STANDARD_STYLES}
    for sid, style in by_id.items():
        if sid not in kept:
            styles.remove(style)
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            element = style.find(qn(tag))
            if element is not None and element.get(qn("w:val")) not in kept:
                if tag == "w:next":  # after a heading or the title, typing goes on in Normal
                    element.set(qn("w:val"), ids["normal"])
                else:
                    style.remove(element)


def style_id(document: docx.document.Document, name: str) -> str | None:
    """The ``w:styleId`` of the style named ``name`` (case ignored), or None if there is none."""
    for style in document.styles.element.findall(qn("w:style")):
        element = style.find(qn("w:name"))
        if element is not None and element.get(qn("w:val")).lower() == name.lower():
            return style.get(qn("w:styleId"))
    return None


def _stories(document: docx.document.Document) -> list:
    """The XML of the body, headers, footers and notes: every part whose paragraphs name styles."""
    stories = re.compile(r"/word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
    return [part.element for part in document.part.package.iter_parts()
            if stories.fullmatch(str(part.partname)) and hasattr(part, "element")]


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

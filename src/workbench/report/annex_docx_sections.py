"""Landscape sections of a Word annex: each wide table on pages turned to landscape, the text around
it on portrait pages."""

from __future__ import annotations

from copy import deepcopy

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workbench.report.annex_docx_styles import CAPTION_STYLE, SOURCE_STYLE, style_id


def exhibit_table(caption):
    """The table right after a caption paragraph (bookmarks between them), or None."""
    for sibling in caption.itersiblings():
        if sibling.tag == qn("w:tbl"):
            return sibling
        if sibling.tag == qn("w:p"):
            return None
    return None


def landscape_sections(document: docx.document.Document, captions: list) -> None:
    """Put each wide table, from the headings right above its caption to its last source or note
    line, in a landscape section; the text before and after stays on portrait pages.

    A section ends with the paragraph holding its ``w:sectPr``: the paragraph before the exhibit
    ends the portrait section (a landscape one when the previous exhibit was wide too: the two
    then share one section), the exhibit's last line ends the landscape one. Each section takes
    the page of the document's last section (margins, footer) turned to landscape or kept.
    """
    body = document.element.body
    source = style_id(document, SOURCE_STYLE)
    headings = {style_id(document, f"Heading {n}") for n in range(1, 10)}
    for caption in captions:
        table = exhibit_table(caption)
        if table is None:
            continue
        before = _section_start(caption, headings, {source, style_id(document, CAPTION_STYLE)} - {None})
        end = table
        for sibling in table.itersiblings():
            if sibling.tag == qn("w:p") and sibling.style == source:
                end = sibling
            elif sibling.tag in (qn("w:p"), qn("w:tbl"), qn("w:sectPr")):
                break
        if end is table:
            end = _empty_paragraph_after(table)
        if before is not None:
            if before.tag == qn("w:tbl"):
                before = _empty_paragraph_after(before)
            held = before.pPr.sectPr if before.pPr is not None else None
            if held is not None and _is_landscape(held):
                before.pPr.remove(held)  # the previous wide exhibit: one landscape section for both
            else:
                _end_section(before, _section(body.sectPr, landscape=False))
        _end_section(end, _section(body.sectPr, landscape=True))


#: At most this many paragraphs of text between a heading and a wide table's caption go with the
#: table to its landscape page (a section's introduction), as in the PDF (workbench.report.annex_pages).
LEAD_PARAGRAPHS = 3


def _section_start(caption, headings: set, exhibit_lines: set):
    """The block before the first one that goes with a wide table to its landscape page.

    The headings right above the caption go with it, and so do the heading and introduction of a
    section that opens on the table (at most :data:`LEAD_PARAGRAPHS` paragraphs, no table between):
    none is left alone at the foot of a portrait page. ``exhibit_lines``: the styles of an
    exhibit's caption, source and note lines (another exhibit in between: the text stays).
    """
    before = _previous_block(caption)
    while before is not None and before.tag == qn("w:p") and before.style in headings:
        before = _previous_block(before)
    if before is _previous_block(caption):  # no heading right above: an introduction, perhaps
        probe, text = before, 0
        while (probe is not None and probe.tag == qn("w:p") and probe.style not in headings | exhibit_lines
               and text < LEAD_PARAGRAPHS):
            probe, text = _previous_block(probe), text + 1
        if probe is not None and probe.tag == qn("w:p") and probe.style in headings:
            while probe is not None and probe.tag == qn("w:p") and probe.style in headings:
                probe = _previous_block(probe)
            before = probe
    return before


def _previous_block(element):
    """The paragraph or table before ``element`` (bookmarks skipped), or None."""
    for sibling in element.itersiblings(preceding=True):
        if sibling.tag in (qn("w:p"), qn("w:tbl")):
            return sibling
    return None


def _end_section(paragraph, section) -> None:
    """Make ``paragraph`` the last of a section (``w:sectPr`` last in ``w:pPr`` but for a change record)."""
    paragraph.get_or_add_pPr().insert_element_before(section, "w:pPrChange")


def _empty_paragraph_after(element):
    paragraph = OxmlElement("w:p")
    element.addnext(paragraph)
    return paragraph


def _section(last, landscape: bool):
    """A copy of the document's last section properties, turned to landscape or not."""
    section = deepcopy(last)
    size = section.find(qn("w:pgSz"))
    width, height = sorted((int(size.get(qn("w:w"))), int(size.get(qn("w:h")))))
    if landscape:
        size.set(qn("w:w"), str(height))
        size.set(qn("w:h"), str(width))
        size.set(qn("w:orient"), "landscape")
    return section


def _is_landscape(section) -> bool:
    size = section.find(qn("w:pgSz"))
    return size is not None and size.get(qn("w:orient")) == "landscape"

"""What Word computes in an annex: contents and lists of exhibits (TOC fields), caption numbers (SEQ
fields) and heading numbers (the heading list of the styles), each filled in as the annex had it."""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from dataclasses import dataclass

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from workbench.report.annex_docx_html import MARKER, Marker, read_marker
from workbench.report.annex_docx_styles import NUMBERED_LEVELS, TOC_LEVELS, TOC_STYLES, style_id

logger = logging.getLogger(__name__)

#: SEQ identifier of each exhibit kind: the caption's number field and the list that collects it.
SEQUENCES = {"table": "Table", "figure": "Figure"}
#: Field instruction of the contents: headings of levels 1 to ``TOC_LEVELS``, entries as links.
CONTENTS_FIELD = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'
#: A number typed at the start of a heading: "1. ", "4.7 ", "2.3. ".
_TYPED_NUMBER = re.compile(r"(\d+(?:\.\d+)*)\.?\s+")
#: An exhibit label: "Table A.3.", "Tableau A.3.", "الجدول B.3." (text, number, what follows).
_LABEL = re.compile(r"(.*?)(\d+)(\D*)", re.DOTALL)


@dataclass(frozen=True)
class Caption:
    """A caption paragraph (``w:p``) and what its label's marker said about the exhibit."""

    paragraph: object
    marker: Marker


def number_headings(document: docx.document.Document) -> None:
    """Leave heading numbers to the heading list: remove the typed ones, unnumber the others.

    A Heading 1-3 whose text starts with the number the list gives it at that place ("2.", then
    "2.1") loses that text; any other heading (the sources, an expert's chapter, a number out of
    sequence) is taken out of the list (``w:numId`` 0) and keeps its text, so the numbers read as
    they did in the annex.
    """
    levels = {style_id(document, f"Heading {level}"): level for level in range(1, NUMBERED_LEVELS + 1)}
    counters = [0] * NUMBERED_LEVELS
    for paragraph in document.element.body.iter(qn("w:p")):
        level = levels.get(paragraph.style)
        if level is None:
            continue
        match = _TYPED_NUMBER.match(_text(paragraph))
        expected = [*counters[: level - 1], counters[level - 1] + 1]
        if match and [int(part) for part in match.group(1).split(".")] == expected:
            counters[level - 1 :] = [expected[-1]] + [0] * (NUMBERED_LEVELS - level)
            _cut_text(paragraph, len(match.group(0)))
            continue
        if match:
            logger.warning("heading %r: typed number out of sequence (expected %s); kept as text",
                           _text(paragraph), ".".join(map(str, expected)))
        paragraph.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0


def number_captions(document: docx.document.Document) -> list[Caption]:
    """Turn each exhibit label into text and a SEQ field: "Table A." + SEQ Table (3) + ".".

    The label is the text inside its marker bookmark; its number becomes the field's current result,
    so the file reads right before Word updates it. A label whose number is not the exhibit's rank
    among its kind (which the field would give) stays typed, with a warning.

    Returns
    -------
    list of Caption
        Every marked caption, in document order.
    """
    captions = []
    counts = dict.fromkeys(SEQUENCES, 0)
    for start, marker in _markers(document, "label"):
        paragraph = start.getparent()
        captions.append(Caption(paragraph, marker))
        runs = _runs_between(start)
        match = _LABEL.fullmatch("".join(_run_text(run) for run in runs))
        counts[marker.kind] += 1
        if not runs or match is None or int(match.group(2)) != counts[marker.kind]:
            logger.warning("caption %r: label is not %s number %d; kept as text",
                           _text(paragraph), marker.kind, counts[marker.kind])
            continue
        properties = runs[0].find(qn("w:rPr"))
        prefix, number, tail = match.groups()
        new = [_text_run(prefix, properties)] if prefix else []
        new += _field(f"SEQ {SEQUENCES[marker.kind]} \\* ARABIC", [_text_run(number, properties)], properties)
        new += [_text_run(tail, properties)] if tail else []
        for element in new:
            runs[0].addprevious(element)
        for run in runs:
            run.getparent().remove(run)
    return captions


def insert_lists(document: docx.document.Document) -> None:
    """Wrap the contents and the lists of tables and of figures in TOC fields.

    The entries written from the annex's own contents become the fields' current results: the
    contents (paragraphs in "toc 1" to "toc 3") one ``TOC \\o`` field, the exhibits (paragraphs in
    "table of figures", tables first) one ``TOC \\c "Table"`` and one ``TOC \\c "Figure"`` field.
    """
    contents = {style_id(document, TOC_STYLES["sections"].format(level=n)) for n in range(1, TOC_LEVELS + 1)}
    groups: list[tuple[str, list]] = []
    for paragraph in document.element.body.iterchildren(qn("w:p")):
        if paragraph.style in contents:
            instruction = CONTENTS_FIELD
        else:
            markers = [read_marker(name) for name in paragraph.xpath("./w:bookmarkStart/@w:name")]
            kinds = [m.kind for m in markers if m is not None and m.role == "entry"]
            if not kinds:
                continue
            instruction = f'TOC \\h \\z \\c "{SEQUENCES[kinds[0]]}"'
        if groups and groups[-1][0] == instruction and groups[-1][1][-1].getnext() is paragraph:
            groups[-1][1].append(paragraph)
        else:
            groups.append((instruction, [paragraph]))
    for instruction, paragraphs in groups:
        first, last = paragraphs[0], paragraphs[-1]
        begin, code, separate, end = _field(instruction, [], None)
        position = 1 if first.pPr is not None else 0
        for offset, element in enumerate((begin, code, separate)):
            first.insert(position + offset, element)
        last.append(end)


def remove_markers(document: docx.document.Document) -> None:
    """Remove the marker bookmarks of :func:`workbench.report.annex_docx_html.prepare_html`."""
    body = document.element.body
    for start in list(body.iter(qn("w:bookmarkStart"))):
        if start.get(qn("w:name"), "").startswith(MARKER):
            identifier = start.get(qn("w:id"))
            for end in body.xpath(f'.//w:bookmarkEnd[@w:id="{identifier}"]'):
                end.getparent().remove(end)
            start.getparent().remove(start)


def request_field_update(document: docx.document.Document) -> None:
    """Ask Word to update every field on opening (``w:updateFields``): page numbers in the contents."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    later = [child for child in settings if child.tag in {qn(f"w:{name}") for name in _SETTINGS_AFTER_UPDATE}]
    if later:
        later[0].addprevious(element)
    else:
        settings.append(element)


#: ``w:settings`` children that come after ``w:updateFields`` in the schema.
_SETTINGS_AFTER_UPDATE = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def _markers(document: docx.document.Document, role: str):
    for start in document.element.body.iter(qn("w:bookmarkStart")):
        marker = read_marker(start.get(qn("w:name"), ""))
        if marker is not None and marker.role == role:
            yield start, marker


def _runs_between(start) -> list:
    """The runs after a bookmark start up to its end, among the same paragraph's children."""
    runs = []
    identifier = start.get(qn("w:id"))
    for sibling in start.itersiblings():
        if sibling.tag == qn("w:bookmarkEnd") and sibling.get(qn("w:id")) == identifier:
            break
        if sibling.tag == qn("w:r"):
            runs.append(sibling)
    return runs


def _text(paragraph) -> str:
    return "".join(node.text or "" for node in paragraph.iter(qn("w:t")))


def _run_text(run) -> str:
    return "".join(node.text or "" for node in run.iter(qn("w:t")))


def _cut_text(paragraph, count: int) -> None:
    """Remove the first ``count`` characters of a paragraph's text, and the runs left empty."""
    for node in list(paragraph.iter(qn("w:t"))):
        if count <= 0:
            return
        text = node.text or ""
        node.text, count = text[count:], count - len(text)
        run = node.getparent()
        if not node.text and not [t for t in run.iter(qn("w:t")) if t.text]:
            run.getparent().remove(run)


def _text_run(text: str, properties) -> object:
    run = _run(properties)
    element = OxmlElement("w:t")
    element.text = text
    element.set(qn("xml:space"), "preserve")
    run.append(element)
    return run


def _run(properties) -> object:
    run = OxmlElement("w:r")
    if properties is not None:
        run.append(deepcopy(properties))
    return run


def _field(instruction: str, result: list, properties) -> list:
    """The runs of a complex field: begin, instruction, separate, current result, end."""
    runs = []
    for kind in ("begin", "instruction", "separate"):
        run = _run(properties)
        if kind == "instruction":
            element = OxmlElement("w:instrText")
            element.text = f" {instruction} "
            element.set(qn("xml:space"), "preserve")
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run.append(element)
        runs.append(run)
    end = _run(properties)
    character = OxmlElement("w:fldChar")
    character.set(qn("w:fldCharType"), "end")
    end.append(character)
    return [*runs, *result, end]

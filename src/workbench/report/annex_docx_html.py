"""An annex HTML page rewritten into the blocks pandoc turns into the Word layout."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from workbench.report.annex_docx_styles import CAPTION_STYLE, SOURCE_STYLE, TOC_LEVELS, TOC_STYLES

#: Start of the names of the bookmarks that carry through pandoc what the finishing step needs to know
#: (pandoc keeps an element's ``id`` as a bookmark but drops its classes); the finishing step removes them.
MARKER = "wbdocx"


@dataclass(frozen=True)
class Marker:
    """What a marker bookmark says about the text it encloses."""

    role: str  #: 'label' (an exhibit's label, "Table A.3.") or 'entry' (its line in the list of exhibits)
    kind: str  #: 'table' or 'figure'
    wide: bool  #: a table of many columns (``figure.wb-landscape``), printed on a landscape page


def read_marker(name: str) -> Marker | None:
    """The marker a bookmark name stands for, or None for any other bookmark."""
    match = re.fullmatch(rf"{MARKER}_(label|entry)_(table|figure)_(wide|page)_\d+", name)
    if match is None:
        return None
    return Marker(match.group(1), match.group(2), match.group(3) == "wide")


def prepare_html(html: str) -> str:
    """Rewrite an annex HTML document into blocks that pandoc's HTML reader turns into the Word layout.

    Pandoc reads ``<figure>`` as a figure whose caption goes below and whose source and note lines
    are dropped, and it cannot style paragraphs from their classes. So each exhibit becomes a
    caption paragraph (carrying the exhibit id, so contents links still land on it), the table or
    image, and its source and note paragraphs; styles are requested with pandoc's ``custom-style``
    attribute (written ``data-custom-style`` in HTML). Headings move up one level, since the only
    ``h1`` is the document title: ``h2`` sections become Heading 1, ``h3`` Heading 2, ``h4``
    Heading 3. The list of exhibits puts the tables first, then the figures (the order of Word's
    two lists that replace it). An exhibit's label and its entry in that list are wrapped in a
    marker bookmark (see :func:`read_marker`) saying whether it is a table or a figure and whether
    the table is wide.

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
    exhibits = {figure.get("id"): _exhibit_marker(figure) for figure in soup.find_all("figure", class_="wb-exhibit")}
    counter = itertools.count(1)
    header = soup.find("header", class_="wb-title")
    if header is not None:
        for heading in header.find_all("h1"):
            _restyle(soup, heading, "Title")
        for subtitle in header.find_all("p", class_="wb-subtitle"):
            _restyle(soup, subtitle, "Subtitle")
    for nav in soup.find_all("nav", class_="toc"):
        _flatten_toc(soup, nav, exhibits, counter)
    for figure in soup.find_all("figure", class_="wb-exhibit"):
        figure.replace_with(*_exhibit_blocks(soup, figure, exhibits[figure.get("id")], counter))
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


def _exhibit_marker(figure: Tag) -> Marker:
    """An exhibit's kind from its ``wb-kind-*`` class (else from what it holds), and whether it is wide."""
    classes = set(figure.get("class", []))
    if {"wb-kind-table", "wb-kind-figure"} & classes:
        kind = "figure" if "wb-kind-figure" in classes else "table"
    else:
        kind = "figure" if figure.find("img") is not None and figure.find("table") is None else "table"
    return Marker("label", kind, "wb-landscape" in classes)


def _marker_name(marker: Marker, role: str, counter) -> str:
    return f"{MARKER}_{role}_{marker.kind}_{'wide' if marker.wide else 'page'}_{next(counter)}"


def _flatten_toc(soup: BeautifulSoup, nav: Tag, exhibits: dict, counter) -> None:
    """Turn the contents lists into one paragraph per entry: the entries already carry their numbers.

    The first list holds the sections, the next ones the exhibits. A section entry's level comes
    from its ``wb-toc-N`` class (N is the heading level) or else from how deep its list is nested.
    Exhibit entries are marked with their kind, tables first.
    """
    for title in nav.find_all(re.compile(r"^h[1-6]$")):
        _restyle(soup, title, TOC_STYLES["title"])
    for index, listing in enumerate(nav.find_all(["ol", "ul"], recursive=False)):
        entries = _toc_entries(soup, listing, sections=index == 0, depth=1)
        if index > 0:
            entries = _mark_entries(soup, entries, exhibits, counter)
        listing.replace_with(*[entry.extract() for entry in entries])
    nav.unwrap()


def _mark_entries(soup: BeautifulSoup, entries: list[Tag], exhibits: dict, counter) -> list[Tag]:
    """Exhibit entries, tables before figures, each paragraph's content inside its marker."""
    kinds = []
    for entry in entries:
        link = entry.find("a", href=True)
        marker = exhibits.get(link["href"].lstrip("#")) if link is not None else None
        if marker is None:  # a link to no exhibit: left unmarked, with the tables
            kinds.append("table")
            continue
        kinds.append(marker.kind)
        paragraph = entry.find("p")
        span = soup.new_tag("span", attrs={"id": _marker_name(marker, "entry", counter)})
        for child in list(paragraph.contents):
            span.append(child.extract())
        paragraph.append(span)
    return [entry for kind in ("table", "figure") for entry, k in zip(entries, kinds) if k == kind]


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


def _exhibit_blocks(soup: BeautifulSoup, figure: Tag, marker: Marker, counter) -> list[Tag]:
    """Caption paragraph (its label marked), then the table or image, then source and note paragraphs."""
    blocks = []
    # a figure's caption is its <figcaption>, a table's its <caption>: both become a Caption paragraph above
    caption = figure.find("figcaption") or figure.find("caption")
    if caption is not None:
        label = caption.find("span", class_="wb-label")
        if label is not None:
            label["id"] = _marker_name(marker, "label", counter)
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

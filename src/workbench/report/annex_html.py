"""An annex document as one self-contained HTML page in one language, small counts suppressed."""

from __future__ import annotations

import base64
import html
import re

import jinja2
import pandas as pd

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.formats import format_table
from workbench.reference.i18n import LANGUAGES, RTL, Label, T, render, render_text
from workbench.reference.registry import is_network_place, place_name
from workbench.report import disclosure
from workbench.report.annex_document import Document, SeeAlso
from workbench.report.annex_sources import sources_list
from workbench.report.exhibits import Exhibit, redraw
from workbench.report.markdown import render_markdown

#: Table columns whose cells are fixed labels (definitions, geographies, categories …): translated,
#: and an untranslated value is an error. Other text columns (places, origins, areas, sources,
#: dates, flags) are names or codes, shown as published in every language.
LABEL_COLUMNS = frozenset({
    "figure", "definition", "city definition", "migrant definition", "native definition", "reference group", "group", "population",
    "geography", "area level", "scope", "origin type", "comparable", "how", "basis", "reason", "sex", "rate",
    "uncertainty", "answer counted", "permit type", "title", "education", "level", "category", "theme", "item",
    "indicator", "unit", "break in series", "age band", "group of origin", "definitions", "series",
})


#: How charts are embedded in an annex page: SVG for the web page, PNG for the page converted to PDF and Word.
IMAGE_FORMATS = ("svg", "png")


def render_html(document: Document, provenance: dict, threshold: int = disclosure.DEFAULT_THRESHOLD, lang: str = "en",
                images: str = "svg") -> str:
    """The annex as one self-contained HTML page in one language (images embedded, no code).

    Parameters
    ----------
    document
        From :func:`city_document` or :func:`network_document`.
    provenance
        Run id, commit, package versions and input checksums (:func:`run_provenance`).
    threshold
        Counts below it are suppressed in every table (0 disables; see :mod:`workbench.report.disclosure`).
    lang
        One of :data:`LANGUAGES`.
    images
        'svg' (the web page: sharp at any zoom) or 'png' (at print resolution: the page that
        :mod:`workbench.report.annex_pdf` and :mod:`workbench.report.annex_docx` convert).

    Returns
    -------
    str

    Raises
    ------
    MissingTranslation
        If any text of the annex has no translation in ``lang`` (the message names it and where
        it comes from).
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"annex language '{lang}' is not available; allowed: {', '.join(LANGUAGES)}")
    if images not in IMAGE_FORMATS:
        raise ConfigError(f"annex images '{images}' unknown; allowed: {', '.join(IMAGE_FORMATS)}")
    labels = {id(e): _label(e, lang) for e in document.exhibits}
    suppressed = 0
    sections = []
    for section in document.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Exhibit):
                fragment, hidden = _exhibit_html(block, labels[id(block)], threshold, lang, images)
                suppressed += hidden
                blocks.append(fragment)
            elif isinstance(block, SeeAlso):
                text = render(T("{caption}: see {label}.", caption=_text(block.exhibit.caption, lang, block.exhibit.where),
                                label=labels[id(block.exhibit)]), lang)
                blocks.append(f'<p class="wb-see"><a href="#{_anchor(block.exhibit)}">{html.escape(text)}</a></p>')
            else:
                blocks.append(render_markdown(_text(block.content, lang, block.where)))
        heading = _text(section.heading, lang, "section heading") if section.heading else ""
        sections.append({"heading": html.escape(heading), "level": section.level, "anchor": section.anchor, "blocks": blocks})
    source_ids = list(dict.fromkeys(i for e in document.exhibits for i in e.source_ids))
    contents = [{"anchor": _anchor(e), "text": f"{labels[id(e)]}. {_text(e.caption, lang, e.where)}"} for e in document.exhibits]
    return _environment().get_template("annex.html.j2").render(
        lang=lang,
        dir="rtl" if lang in RTL else "ltr",
        title=render(document.title, lang),
        subtitle=render(document.subtitle, lang),
        sections=sections,
        exhibits=contents,
        sources=sources_list(source_ids, provenance.get("inputs", {}), lang),
        text=_chrome(lang, threshold, suppressed, document, provenance),
    )


def _chrome(lang: str, threshold: int, suppressed: int, document: Document, provenance: dict) -> dict[str, str]:
    # the fixed wording of every annex, in the annex's language
    messages = {
        "contents": T("Contents"),
        "exhibits": T("Tables and figures"),
        "sources": T("Sources"),
        "suppression": disclosure.note(threshold) if threshold > 0 else T("Disclosure control: none (threshold 0)."),
        "suppressed": T("Cells suppressed in this annex: {count}.", count=suppressed) if suppressed else "",
        "generated": T("Generated by the workbench from the executed notebook(s) {notebooks} without re-running them.",
                       notebooks=", ".join(document.notebooks)),
        "run": T("Run {run_id}, started {started}; git commit {commit}.", run_id=provenance.get("run_id", ""),
                 started=provenance.get("started") or "-", commit=provenance.get("git_commit", "")),
        "packages": T("Packages: {packages}.", packages=", ".join(f"{k} {v}" for k, v in provenance.get("packages", {}).items())),
        "inputs": T("Input files checked by SHA-256 in the run's manifest.json: {count}.", count=len(provenance.get("inputs", {})))
        if provenance.get("inputs") else "",
    }
    return {key: render(value, lang) if value else "" for key, value in messages.items()}


def _label(exhibit: Exhibit, lang: str) -> str:
    number = exhibit.annex_number
    message = T("Table {number}", number=number) if exhibit.kind == "table" else T("Figure {number}", number=number)
    return render(message, lang)


def _anchor(exhibit: Exhibit) -> str:
    return f"{exhibit.kind}-{exhibit.annex_number.lower().replace('.', '-')}"


def _text(value, lang: str, where: str) -> str:
    return render_text(value, lang, where)


def _image_html(exhibit: Exhibit, caption_text: str, lang: str, images: str) -> str:
    # a chart registered with Report.plot is drawn again in the annex's language (SVG for the web
    # page, PNG at print resolution for PDF and Word) and described by its key values; any other
    # figure is the notebook's PNG, described by its caption
    if exhibit.plot:
        drawing = redraw(exhibit.plot, lang)
        data, mime, alt = (drawing.svg, "image/svg+xml", drawing.alt) if images == "svg" else (drawing.png, "image/png", drawing.alt)
    else:
        data, mime, alt = exhibit.png, "image/png", caption_text
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="wb-figure" alt="{html.escape(alt)}" src="data:{mime};base64,{encoded}">'


def _exhibit_html(exhibit: Exhibit, label: str, threshold: int, lang: str, images: str = "png") -> tuple[str, int]:
    caption_text = _text(exhibit.caption, lang, exhibit.where)
    caption = (f'<figcaption class="wb-caption"><span class="wb-label">{html.escape(label)}.</span> '
               f"{html.escape(caption_text)}</figcaption>")
    notes = [_text(n, lang, exhibit.where) for n in exhibit.notes]
    hidden = 0
    if exhibit.table is not None:
        body, hidden = table_html(exhibit.table, threshold, lang, exhibit.where)
        if hidden:
            notes.append(render(disclosure.note(threshold), lang))
    elif exhibit.png:
        body = _image_html(exhibit, caption_text, lang, images)
    else:
        body = ""
    lines = "; ".join(_text(line, lang, exhibit.where) for line in exhibit.sources)
    source = f'<p class="wb-source">{html.escape(render(T("Source: {lines}", lines=lines), lang))}</p>'
    note_html = "".join(f'<p class="wb-note">{html.escape(render(T("Note: {text}", text=n), lang))}</p>'
                        for n in dict.fromkeys(notes))
    return (f'<figure class="wb-exhibit wb-kind-{exhibit.kind}" id="{_anchor(exhibit)}">'
            f"{caption}{body}{source}{note_html}</figure>"), hidden


def table_html(frame: pd.DataFrame, threshold: int, lang: str = "en", where: str = "table") -> tuple[str, int]:
    """A table as an HTML ``<table>`` in ``lang``, with its small counts suppressed.

    Headers and the cells of :data:`LABEL_COLUMNS` are translated; numbers are formatted for
    ``lang``; cells holding a message are rendered in ``lang``.

    Returns
    -------
    tuple of (str, int)
        The table and the number of cells suppressed.
    """
    if frame.empty:
        return f"<p><em>{html.escape(render(T('No data.'), lang))}</em></p>", 0
    marked = disclosure.suppress(frame, threshold)
    shown = format_table(frame.map(lambda v: "" if isinstance(v, dict) else v) if _has_messages(frame) else frame, lang)
    headers = [_cell_label(str(c), lang, f"{where}, column") for c in shown.columns]
    head = "".join(("<th class=\"wb-long\">" if _LONG_WORD.search(h) else "<th>") + f"{html.escape(h)}</th>" for h in headers)
    rows = []
    for i in range(len(shown)):
        cells = []
        for j, column in enumerate(shown.columns):
            raw = frame.iat[i, j]
            if marked.mask.iat[i, j]:
                cells.append(f'<td class="wb-suppressed">{disclosure.MARK}</td>')
                continue
            numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
            if isinstance(raw, dict):
                value = _text(raw, lang, f"{where}, column '{column}'")
            elif str(column) in LABEL_COLUMNS and shown.iat[i, j]:
                value = _cell_label(shown.iat[i, j], lang, f"{where}, column '{column}'")
            elif str(column) in PLACE_COLUMNS and isinstance(raw, str):
                value = place_name(raw, lang)
            else:
                value = shown.iat[i, j]
            cls = ' class="wb-num"' if numeric else ' class="wb-date"' if _DATE.match(str(value)) else (
                ' class="wb-long"' if _LONG_WORD.search(str(value)) else "")
            cells.append(f"<td{cls}>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    wide = " wb-wide" if len(shown.columns) >= 8 else ""
    return (f'<table class="wb-table{wide}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>',
            marked.count)


#: A word that may not fit a column of a wide table (a URL, a code): it may break anywhere.
_LONG_WORD = re.compile(r"\S{19,}")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_NUMERIC_LABEL = re.compile(r"^[\d\s\-–+.,/]+$")


#: Table columns naming places: a network city or country is shown with its registry name in the
#: annex's language; other places (districts, publishers' areas) as published.
PLACE_COLUMNS = frozenset({"city", "place", "area", "country"})


def _cell_label(text: str, lang: str, where: str) -> str:
    # a header or label cell: translated, unless it is only digits (a year, an age band '15-64');
    # a network city or country (a comparison's columns) takes its name from the registry
    if _NUMERIC_LABEL.match(text):
        return text
    if is_network_place(text):
        return place_name(text, lang)
    return _text(Label(text), lang, where)


def is_translatable(text: str) -> bool:
    """Whether a header or label cell needs a catalog translation (years, number ranges and network
    places do not: the registry names the places)."""
    return not _NUMERIC_LABEL.match(text) and not is_network_place(text)


def _has_messages(frame: pd.DataFrame) -> bool:
    return any(frame[c].map(lambda v: isinstance(v, dict)).any() for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith("str"))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=False, default=False),
        keep_trailing_newline=True,
    )

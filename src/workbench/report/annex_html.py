"""An annex document as one self-contained HTML page in one language, small counts suppressed."""

from __future__ import annotations

import base64
import html
import re

import jinja2
import pandas as pd

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.citations import Citation
from workbench.reference.formats import format_table
from workbench.reference.i18n import LANGUAGES, RTL, Country, Label, T, render, render_text
from workbench.reference.labels import source_name
from workbench.reference.places import is_place_name, place_name
from workbench.reference.registry import load_sources
from workbench.report import disclosure
from workbench.report.annex_document import Document, SeeAlso
from workbench.report.annex_pages import landscape_roles
from workbench.report.annex_sources import sources_list
from workbench.report.bidi import isolate_latin
from workbench.report.exhibit_sources import annex_source_html, cited_keys
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
                images: str = "svg", draft: bool = False) -> str:
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
    draft
        For internal review: texts that have a draft form (unwritten chapters with their guiding
        questions) show it, and the page says it is a draft.

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
    cited = [text if isinstance(text, Citation) else key
             for e in document.exhibits for key, text in zip(cited_keys(e), e.sources) if key]
    sources = sources_list(cited, provenance.get("inputs", {}), lang)
    numbers = {entry["id"]: number for number, entry in enumerate(sources, start=1)}
    suppressed = 0
    sections = []
    roles = landscape_roles(document.sections, _landscape)
    for section, role in zip(document.sections, roles):
        blocks = []
        for block in section.blocks:
            if isinstance(block, Exhibit):
                fragment, hidden = _exhibit_html(block, labels[id(block)], threshold, lang, images, document.name, numbers)
                suppressed += hidden
                blocks.append(fragment)
            elif isinstance(block, SeeAlso):
                text = render(T("{caption}: see {label}.", caption=_text(block.exhibit.caption, lang, block.exhibit.where),
                                label=labels[id(block.exhibit)]), lang)
                blocks.append(f'<p class="wb-see"><a href="#{_anchor(block.exhibit)}">{html.escape(text)}</a></p>')
            else:
                content = block.content
                if draft and isinstance(content, dict) and "drafts" in content:
                    content = {"by_lang": content["drafts"]}
                blocks.append(render_markdown(_text(content, lang, block.where)))
        heading = _text(section.heading, lang, "section heading") if section.heading else ""
        sections.append({"heading": html.escape(heading), "level": section.level, "anchor": section.anchor, "blocks": blocks,
                         "landscape": role})
    contents = [{"anchor": _anchor(e), "text": f"{labels[id(e)]}. {_text(e.caption, lang, e.where)}"} for e in document.exhibits]
    page = _environment().get_template("annex.html.j2").render(
        lang=lang,
        dir="rtl" if lang in RTL else "ltr",
        title=render(T("DRAFT for internal review — {title}", title=document.title) if draft else document.title, lang),
        subtitle=render(document.subtitle, lang),
        sections=sections,
        exhibits=contents,
        sources=sources,
        text=_chrome(lang, threshold, suppressed, document, provenance),
    )
    # a percent sign never wraps away from its number (French text has U+202F there already)
    return _PERCENT.sub("\u00a0%", page)


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


#: A table longer than this shows its first rows; the full table is in the annex's downloads.
MAX_ROWS = 25
#: A table with at least this many columns is printed on a landscape page (PDF and Word).
LANDSCAPE_COLUMNS = 12


def downloads_folder(name: str) -> str:
    """The folder beside annex ``<name>.html`` holding its tables as CSV (relative to the annex)."""
    return f"{name}-tables"


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


def _exhibit_html(exhibit: Exhibit, label: str, threshold: int, lang: str, images: str = "png",
                  name: str = "", numbers: dict[str, int] | None = None) -> tuple[str, int]:
    caption_text = _text(exhibit.caption, lang, exhibit.where)
    caption_inner = f'<span class="wb-label">{html.escape(label)}.</span> {html.escape(caption_text)}'
    caption = f'<figcaption class="wb-caption">{caption_inner}</figcaption>'
    hidden = 0
    landscape = ""
    if exhibit.table is not None:
        # a table's caption is its <caption> (tagged as the table's caption in the PDF)
        body, hidden = table_html(exhibit.table, threshold, lang, exhibit.where, caption=caption_inner, max_rows=MAX_ROWS)
        caption = ""
        if len(exhibit.table) > MAX_ROWS:
            csv = f"{downloads_folder(name)}/{_anchor(exhibit)}.csv"
            text = render(T("The first {shown} of {total} rows; the full table is in the downloads of this annex ({file}).",
                            shown=MAX_ROWS, total=len(exhibit.table), file="{file}"), lang)
            before, _, after = html.escape(text).partition("{file}")
            body += f'<p class="wb-more">{before}<a href="{csv}" dir="ltr">{html.escape(csv)}</a>{after}</p>'
        if _landscape(exhibit):
            landscape = " wb-landscape"
    elif exhibit.png:
        body = _image_html(exhibit, caption_text, lang, images)
    else:
        body = ""
    source = annex_source_html(exhibit, lang, numbers or {})
    note_html = "".join(f'<p class="wb-note">{html.escape(n)}</p>' for n in note_lines(exhibit, lang, threshold, hidden))
    return (f'<figure class="wb-exhibit wb-kind-{exhibit.kind}{landscape}" id="{_anchor(exhibit)}">'
            f"{caption}{body}{source}{note_html}</figure>"), hidden


def _landscape(exhibit: Exhibit) -> bool:
    """Whether ``exhibit`` is a table wide enough for a landscape page (as its readers see it)."""
    return exhibit.table is not None and len(reader_table(exhibit.table).columns) >= LANDSCAPE_COLUMNS


def note_lines(exhibit: Exhibit, lang: str, threshold: int, hidden: int) -> list[str]:
    """The notes under an exhibit ("Note: …"), in ``lang``: its own, then the disclosure note when
    ``hidden`` cells of its table are suppressed; each once."""
    notes = [_text(n, lang, exhibit.where) for n in exhibit.notes]
    if hidden:
        notes.append(render(disclosure.note(threshold), lang))
    return [render(T("Note: {text}", text=n), lang) for n in dict.fromkeys(notes)]


def table_html(frame: pd.DataFrame, threshold: int, lang: str = "en", where: str = "table", caption: str = "",
               max_rows: int | None = None) -> tuple[str, int]:
    """A table as an HTML ``<table>`` in ``lang``, with its small counts suppressed.

    Headers and the cells of :data:`LABEL_COLUMNS` are translated; places (:data:`PLACE_COLUMNS`),
    countries (:data:`ORIGIN_COLUMNS`) and sources (:data:`SOURCE_COLUMNS`) are named for readers;
    numbers are formatted for ``lang``; cells holding a message are rendered in ``lang`` (see
    :func:`table_text`). Header cells carry ``scope="col"``; in Arabic, cells with Latin text are
    isolated (``<bdi>``).

    Parameters
    ----------
    caption
        HTML of the table's ``<caption>`` (none when empty).
    max_rows
        Show only the first rows (disclosure control is applied to the whole table first).

    Returns
    -------
    tuple of (str, int)
        The table and the number of cells suppressed.
    """
    caption_html = f'<caption class="wb-caption">{caption}</caption>' if caption else ""
    if frame.empty:
        # the exhibit keeps its caption (its number is in the list of tables and in Word's sequence)
        return (f'<table class="wb-table">{caption_html}<tbody><tr><td><em>{html.escape(render(T("No data."), lang))}'
                "</em></td></tr></tbody></table>", 0)
    frame = reader_table(frame)
    headers, cells, hidden = table_text(frame, threshold, lang, where)
    head = "".join(('<th scope="col" class="wb-long">' if _LONG_WORD.search(h) else '<th scope="col">') + f"{html.escape(h)}</th>"
                   for h in headers)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    rows = []
    for row in cells[:max_rows]:
        shown = []
        for j, value in enumerate(row):
            if value is None:
                shown.append(f'<td class="wb-suppressed">{disclosure.MARK}</td>')
                continue
            cls = ' class="wb-num"' if numeric[j] else ' class="wb-date"' if _DATE.match(value) else (
                ' class="wb-long"' if _LONG_WORD.search(value) else "")
            text = html.escape(value)
            if lang in RTL and not numeric[j] and _LATIN.search(text):
                text = isolate_latin(value)  # each Latin run keeps its own order inside the Arabic table
            shown.append(f"<td{cls}>{text}</td>")
        rows.append("<tr>" + "".join(shown) + "</tr>")
    wide = " wb-wide" if len(frame.columns) >= 8 else ""
    return (f'<table class="wb-table{wide}">{caption_html}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>',
            hidden)


def reader_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of a table as readers get it (the annex and its downloads): a source column that
    names the same source on every row is left out, since the source line under the table names it."""
    same = [c for c in frame.columns if str(c) in SOURCE_COLUMNS and len(frame) > 1 and frame[c].astype(str).nunique() == 1]
    return frame.drop(columns=same) if same else frame


def table_text(frame: pd.DataFrame, threshold: int, lang: str = "en",
               where: str = "table") -> tuple[list[str], list[list[str | None]], int]:
    """The headers and cells of a table as an annex shows them in ``lang``, small counts suppressed.

    What :func:`table_html` prints and the downloads beside an annex
    (:mod:`workbench.report.downloads`) write: translated headers and :data:`LABEL_COLUMNS`
    cells, registry names of network places, messages rendered, numbers formatted for ``lang``.

    Returns
    -------
    tuple of (list of str, list of list of str or None, int)
        The headers, the rows of cells (``None`` for a suppressed cell) and the number of
        cells suppressed.
    """
    marked = disclosure.suppress(frame, threshold)
    shown = format_table(frame.map(lambda v: "" if isinstance(v, dict) else v) if _has_messages(frame) else frame, lang)
    headers = [_cell_label(str(c), lang, f"{where}, column") for c in shown.columns]
    rows = []
    for i in range(len(shown)):
        cells: list[str | None] = []
        for j, column in enumerate(shown.columns):
            raw = frame.iat[i, j]
            if marked.mask.iat[i, j]:
                cells.append(None)
            elif isinstance(raw, dict):
                cells.append(_text(raw, lang, f"{where}, column '{column}'"))
            elif str(column) in ORIGIN_COLUMNS and isinstance(raw, str) and isinstance(Country.named(raw), Country):
                cells.append(render(Country.named(raw), lang))
            elif str(column) in LABEL_COLUMNS and shown.iat[i, j]:
                cells.append(_cell_label(shown.iat[i, j], lang, f"{where}, column '{column}'"))
            elif str(column) in PLACE_COLUMNS and isinstance(raw, str):
                cells.append(render(raw, lang))  # a place name: marks dropped, qualifier and network names translated
            elif str(column) in SOURCE_COLUMNS and isinstance(raw, str) and raw:
                cells.append("; ".join(render(source_name(part), lang) for part in raw.split("; ")))
            else:
                cells.append(str(shown.iat[i, j]))
        rows.append(cells)
    return headers, rows, marked.count


#: A space between a digit and a percent sign.
_PERCENT = re.compile(r"(?<=\d) %")
#: A Latin letter: such a cell of an Arabic table has its Latin runs isolated (<bdi>) from the right-to-left text.
_LATIN = re.compile(r"[A-Za-z]")

#: A word that may not fit a column of a wide table (a URL, a code): it may break anywhere.
_LONG_WORD = re.compile(r"\S{19,}")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_NUMERIC_LABEL = re.compile(r"^[\d\s\-–+.,/]+$")


#: Table columns naming places: publishers' marks dropped ('Amman [Admin 1]' → 'Amman'), a network
#: city or country shown with its registry name in the annex's language, a country under a
#: publisher's name ('Syrian Arab Rep.') with its CLDR name; other places (districts, publishers'
#: areas) as published (see :func:`workbench.reference.places.place_name`).
PLACE_COLUMNS = frozenset({"city", "place", "area", "country"})

#: Table columns naming countries of origin or citizenship: a country is named in the annex's
#: language (CLDR, :func:`workbench.reference.origins.country_name`); a group ('Other countries',
#: a world region) is a label of :data:`LABEL_COLUMNS` or shown as made.
ORIGIN_COLUMNS = frozenset({"origin", "country of origin", "nationality", "country of birth", "group of origin"})

#: Table columns holding registry source ids (one, or several joined by '; '): shown as the
#: publisher and table (:func:`workbench.reference.labels.source_name`), never as the id.
SOURCE_COLUMNS = frozenset({"source"})


def _cell_label(text: str, lang: str, where: str) -> str:
    # a header or label cell: translated, unless it is only digits (a year, an age band '15-64');
    # a network city or country (a comparison's columns) takes its name from the registry
    if _NUMERIC_LABEL.match(text):
        return text
    if is_place_name(text):
        return place_name(text, lang)
    return _text(Label(text), lang, where)


def is_translatable(text: str) -> bool:
    """Whether a header or label cell needs a catalog translation (years, number ranges and network
    places do not: the registry names the places)."""
    return not _NUMERIC_LABEL.match(text) and not is_place_name(text)


def _has_messages(frame: pd.DataFrame) -> bool:
    return any(frame[c].map(lambda v: isinstance(v, dict)).any() for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype).startswith("str"))


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=False, default=False),
        keep_trailing_newline=True,
    )

"""Policy-document annexes from an executed run, without running any notebook again.

An annex is built in three steps:

1. :func:`read_notebook` turns an executed notebook into sections of text and exhibits: Markdown
   cells (except those tagged ``no-annex``) and Markdown outputs become text; exhibit outputs
   (see :mod:`workbench.report.exhibits`) become tables rebuilt from their unformatted values, or
   figures; code, plain outputs and errors are left out.
2. :func:`city_document` and :func:`network_document` number the exhibits of one city profile
   ("Table A.3") or of all comparison notebooks together ("Table B.12").
3. :func:`render_html` writes one self-contained HTML page with disclosure control applied
   (:mod:`workbench.report.disclosure`), a sources section from the registry and a provenance footer;
   the Word and PDF files are converted from that same page (:mod:`workbench.report.annex_docx`,
   :mod:`workbench.report.annex_pdf`), so the three formats carry the same numbers.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
import pandas as pd
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from workbench.report import disclosure
from workbench import paths
from workbench.tidy.chapters import safe_markdown
from workbench.errors import ConfigError, DataError
from workbench.report.exhibits import redraw, table_from_json
from workbench.reference.framework import THEME_LABELS
from workbench.reference.i18n import LANGUAGES, RTL, Label, Msg, T, format_date, render, render_text
from workbench.provenance import MANIFEST_NAME, Manifest, git_commit, package_versions
from workbench.reference.registry import get_city, is_network_place, load_sources, place_name
from workbench.reference.formats import format_table

#: Markdown cells with this tag explain the code and stay out of annexes.
SKIP_TAG = "no-annex"

#: Output formats, in the order they are written.
FORMATS = ("html", "docx", "pdf")


#: Annex letters: the city profile is annex A of a City Migration Profile, the network synthesis B.
CITY_LETTER, NETWORK_LETTER = "A", "B"

#: Name of the network synthesis annex file.
NETWORK = "network"


@dataclass
class Exhibit:
    """A table or figure as an annex shows it (numbered by the document, not the notebook).

    Caption, sources and notes are messages (:mod:`workbench.reference.i18n` JSON) or English text.
    """

    kind: str
    caption: dict | str
    sources: list
    source_ids: list[str]
    notes: list
    table: pd.DataFrame | None = None
    png: str | None = None  #: base64 PNG of a figure
    number: str = ""  #: e.g. 'A.3'
    anchor: str = ""
    where: str = ""  #: notebook and exhibit, named in errors
    plot: dict | None = None  #: a chart the annex can draw again in its language


@dataclass
class Text:
    """Markdown to show: English text (a catalog entry) or a message."""

    content: dict | str
    where: str = ""


@dataclass
class SeeAlso:
    """Stands for an exhibit identical to one shown earlier in the same annex."""

    exhibit: Exhibit


@dataclass
class Section:
    """A heading and what follows it: texts and exhibits, in notebook order."""

    heading: str | Msg
    level: int = 2
    blocks: list = field(default_factory=list)
    anchor: str = ""


@dataclass
class Document:
    """One annex before it is written in a format."""

    title: Msg
    subtitle: Msg
    letter: str
    sections: list[Section]
    notebooks: list[str]

    @property
    def exhibits(self) -> list[Exhibit]:
        """Every exhibit, in order."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, Exhibit)]


def read_notebook(notebook: Path) -> list[Section]:
    """Sections of text and exhibits of one executed notebook.

    Raises
    ------
    DataError
        If the notebook cannot be read, or an exhibit lacks the values an annex needs (a run
        made before exhibits carried them: rerun it).
    """
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except (OSError, ValueError) as exc:
        raise DataError(f"{notebook}: cannot read executed notebook ({exc})") from None
    sections = [Section("", level=2)]
    where = Path(notebook).name
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if SKIP_TAG not in cell.metadata.get("tags", []):
                _add_markdown(sections, cell.source, where)
        elif cell.cell_type == "code":
            images = {
                o.get("metadata", {}).get("workbench_image"): o["data"]["image/png"]
                for o in cell.get("outputs", [])
                if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
            }
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                meta = output.get("metadata", {}).get("workbench")
                if meta:
                    sections[-1].blocks.append(_exhibit(meta, images.get(meta["slug"]), notebook))
                elif "text/markdown" in data and "image/png" not in data:
                    message = output.get("metadata", {}).get("workbench_text")
                    sections[-1].blocks.append(Text(message or data["text/markdown"], where))
    return [s for s in sections if s.heading or s.blocks]


def _exhibit(meta: dict, png: str | None, notebook: Path) -> Exhibit:
    table = None
    if meta["kind"] == "table":
        if meta.get("table") is None:
            raise DataError(
                f"{notebook}: exhibit '{meta.get('label')}' carries no table values (made by an older "
                "workbench); run the notebooks again with `workbench run`"
            )
        table = table_from_json(meta["table"])
    return Exhibit(meta["kind"], meta.get("caption_i18n", meta["caption"]), list(meta.get("sources_i18n", meta["sources"])),
                   list(meta.get("source_ids", [])), list(meta.get("notes_i18n", meta["notes"])), table, png,
                   where=f"{Path(notebook).name}, {meta.get('label')} '{meta['caption']}'", plot=meta.get("plot"))


def markdown_chunks(source: str) -> list[tuple[int, str]]:
    """Split a Markdown cell into what an annex translates one by one: (level, text) pairs.

    Level 2 or 3 for a ``##``/``###`` heading, 0 for the text between headings; a leading ``#``
    title is dropped (the annex has its own). The texts are the catalogs' message ids.
    """
    lines = source.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    chunks: list[tuple[int, str]] = []
    rest: list[str] = []
    for line in lines:
        match = re.match(r"^(##|###)\s+(.*)", line)
        if match:
            if any(r.strip() for r in rest):
                chunks.append((0, "\n".join(rest).strip()))
            rest = []
            chunks.append((len(match.group(1)), match.group(2).strip()))
        else:
            rest.append(line)
    if any(line.strip() for line in rest):
        chunks.append((0, "\n".join(rest).strip()))
    return chunks


def _add_markdown(sections: list[Section], source: str, where: str) -> None:
    for level, text in markdown_chunks(source):
        if level:
            sections.append(Section(text, level=level))
        else:
            sections[-1].blocks.append(Text(text, where))


def _markdown_html(text: str) -> str:
    # every Markdown (the notebook's, the synopsis, an expert's chapter) goes through the same
    # escaping: no raw HTML or script reaches an annex
    rendered = markdown2html_mistune(safe_markdown(text))
    # nbconvert gives headings a notebook-style id and a "¶" self-link; an annex numbers its own
    # anchors, and a self-link is noise on paper (and a broken link in the PDF)
    rendered = _SELF_LINK.sub("", rendered)
    rendered = _HEADING_ID.sub(r"<\1>", rendered)
    # second line of defence: an element, attribute or link the escaping let through is removed
    return _inert(rendered)


_SELF_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_HEADING_ID = re.compile(r'<(h[1-6]) id="[^"]*">')

#: Elements Markdown renders, with the attributes each may keep (``*``: every element).
_ALLOWED_HTML: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "b", "i", "code", "pre",
         "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "del", "sup", "sub", "div", "span"),
        frozenset(),
    ),
    "*": frozenset({"class"}),
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "th": frozenset({"style", "colspan", "rowspan"}),
    "td": frozenset({"style", "colspan", "rowspan"}),
    "ol": frozenset({"start"}),
    "input": frozenset({"type", "disabled", "checked"}),
}
#: Elements removed with their content (the rest of an unknown element's text is kept).
_DROPPED_HTML = frozenset({"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
                           "svg", "math", "template", "noscript", "meta", "link", "base", "textarea", "select",
                           "button", "audio", "video", "source", "canvas"})
_SAFE_URL = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
_SAFE_STYLE = re.compile(r"^text-align:\s*(?:left|right|center);?$")


def _inert(fragment: str) -> str:
    """The fragment unchanged when it holds only inert Markdown HTML, else with the rest removed."""
    soup = BeautifulSoup(fragment, "html.parser")
    changed = False
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        if tag.name in _DROPPED_HTML or (tag.name == "input" and tag.get("type") != "checkbox"):
            tag.decompose()
            changed = True
            continue
        if tag.name not in _ALLOWED_HTML:
            tag.unwrap()
            changed = True
            continue
        for name, value in list(tag.attrs.items()):
            if not _safe_attribute(tag.name, name, value):
                del tag[name]
                changed = True
    return str(soup) if changed else fragment


def _safe_attribute(tag: str, name: str, value: object) -> bool:
    if name not in _ALLOWED_HTML[tag] | _ALLOWED_HTML["*"]:
        return False
    text = " ".join(value) if isinstance(value, list) else str(value)
    if name in ("href", "src"):
        return bool(_SAFE_URL.match("".join(text.split())))
    if name == "style":
        return bool(_SAFE_STYLE.match(text.strip()))
    return True


def city_document(notebook: Path, city_id: str) -> Document:
    """The annex of one city profile: exhibits numbered A.1, A.2 …"""
    city = get_city(city_id)
    title = T("Annex {letter}: City Migration Profile of {city} — statistical tables and figures", letter=CITY_LETTER, city=city.names)
    subtitle = T("{en} / {fr} / {ar} — {country}.", en=city.names.en, fr=city.names.fr, ar=city.names.ar, country=city.country_names)
    return _numbered(Document(title, subtitle, CITY_LETTER, read_notebook(notebook), [Path(notebook).name]))


def network_document(notebooks: list[tuple[str, Path]]) -> Document:
    """The network synthesis: every comparison notebook as one part, exhibits numbered B.1, B.2 …

    Parameters
    ----------
    notebooks
        (comparison name, executed notebook) pairs in the order of the run plan.
    """
    sections = []
    seen: dict[str, Exhibit] = {}
    for part, (name, notebook) in enumerate(notebooks, start=1):
        part_title, part_subtitle = comparison_titles(name)
        sections.append(Section(T("{number}. {title}", number=part, title=part_title), level=2, blocks=[Text(part_subtitle)]))
        for section in read_notebook(notebook):
            if section.heading:
                # the notebook's chapters become numbered subsections of its part
                section.level += 1
                match = re.match(r"^(\d+)\.\s+(.*)$", section.heading, flags=re.S)
                if match:
                    section.heading = T("{number} {title}", number=f"{part}.{match.group(1)}", title=Label(match.group(2)))
            section.blocks = [_first_or_reference(block, seen) for block in section.blocks]
            sections.append(section)
    title = T("Annex {letter}: the Mediterranean city network compared — statistical tables and figures", letter=NETWORK_LETTER)
    subtitle = T("Migrant populations, origins, data availability and the peer-learning themes, from the city profiles of one run.")
    return _numbered(Document(title, subtitle, NETWORK_LETTER, sections, [Path(n).name for _, n in notebooks]))


def _first_or_reference(block, seen: dict[str, Exhibit]):
    # the same table shown by several comparison notebooks (e.g. the summary over all themes)
    # is printed once; later copies refer to it
    if not isinstance(block, Exhibit) or block.table is None:
        return block
    key = json.dumps([block.caption, block.table.astype(str).values.tolist(), list(block.table.columns)])
    if key in seen:
        return SeeAlso(seen[key])
    seen[key] = block
    return block


def _numbered(document: Document) -> Document:
    counts = {"table": 0, "figure": 0}
    for i, section in enumerate(document.sections):
        section.anchor = f"s-{i}"
    for exhibit in document.exhibits:
        counts[exhibit.kind] += 1
        exhibit.number = f"{document.letter}.{counts[exhibit.kind]}"
        exhibit.anchor = f"{exhibit.kind}-{exhibit.number.lower().replace('.', '-')}"
    return document


def comparison_titles(name: str) -> tuple[Msg, Msg]:
    """Title and one-line description of a comparison notebook (``overview``, ``theme-…`` …)."""
    if name.startswith("theme-"):
        theme_id = name.removeprefix("theme-").replace("-", "_")
        theme = Label(THEME_LABELS.get(theme_id, theme_id.replace("_", " ")))
        return (T("Peer-learning theme: {theme}", theme=theme),
                T("Mediterranean city network: what the public data say on the theme '{theme}'.", theme=theme))
    titles = {
        "overview": (T("Migrant populations compared"),
                     T("Mediterranean city network: migrant shares by definition and area, north and south shores, city and country, trends.")),
        "origins": (T("Countries of origin across the network"),
                    T("Mediterranean city network: composition of each city's migrant population and the overlap between cities.")),
        "availability": (T("Data availability across the network"),
                         T("Mediterranean city network: which indicators of the profile framework the public data cover, city by city.")),
    }
    return titles.get(name, (T("Comparison: {name}", name=name), T("Mediterranean city network")))


# --- HTML ---------------------------------------------------------------------------------------


#: Table columns whose cells are fixed labels (definitions, geographies, categories …): translated,
#: and an untranslated value is an error. Other text columns (places, origins, areas, sources,
#: dates, flags) are names or codes, shown as published in every language.
LABEL_COLUMNS = frozenset({
    "figure", "definition", "city definition", "migrant definition", "native definition", "reference group", "group", "population",
    "geography", "area level", "scope", "origin type", "comparable", "how", "basis", "reason", "sex", "rate",
    "uncertainty", "answer counted", "permit type", "title", "education", "level", "category", "theme", "item",
    "indicator", "unit", "break in series", "age band", "group of origin", "definitions", "series",
})


def render_html(document: Document, provenance: dict, threshold: int = disclosure.DEFAULT_THRESHOLD, lang: str = "en") -> str:
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
    labels = {id(e): _label(e, lang) for e in document.exhibits}
    suppressed = 0
    sections = []
    for section in document.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Exhibit):
                fragment, hidden = _exhibit_html(block, labels[id(block)], threshold, lang)
                suppressed += hidden
                blocks.append(fragment)
            elif isinstance(block, SeeAlso):
                text = render(T("{caption}: see {label}.", caption=_text(block.exhibit.caption, lang, block.exhibit.where),
                                label=labels[id(block.exhibit)]), lang)
                blocks.append(f'<p class="wb-see"><a href="#{block.exhibit.anchor}">{html.escape(text)}</a></p>')
            else:
                blocks.append(_markdown_html(_text(block.content, lang, block.where)))
        heading = _text(section.heading, lang, "section heading") if section.heading else ""
        sections.append({"heading": html.escape(heading), "level": section.level, "anchor": section.anchor, "blocks": blocks})
    source_ids = list(dict.fromkeys(i for e in document.exhibits for i in e.source_ids))
    contents = [{"anchor": e.anchor, "text": f"{labels[id(e)]}. {_text(e.caption, lang, e.where)}"} for e in document.exhibits]
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
    message = T("Table {number}", number=exhibit.number) if exhibit.kind == "table" else T("Figure {number}", number=exhibit.number)
    return render(message, lang)


def _text(value, lang: str, where: str) -> str:
    return render_text(value, lang, where)


def _exhibit_html(exhibit: Exhibit, label: str, threshold: int, lang: str) -> tuple[str, int]:
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
        png = exhibit.png if lang == "en" or not exhibit.plot else base64.b64encode(redraw(exhibit.plot, lang)).decode("ascii")
        body = f'<img class="wb-figure" alt="{html.escape(caption_text)}" src="data:image/png;base64,{png}">'
    else:
        body = ""
    lines = "; ".join(_text(line, lang, exhibit.where) for line in exhibit.sources)
    source = f'<p class="wb-source">{html.escape(render(T("Source: {lines}", lines=lines), lang))}</p>'
    note_html = "".join(f'<p class="wb-note">{html.escape(render(T("Note: {text}", text=n), lang))}</p>'
                        for n in dict.fromkeys(notes))
    return (f'<figure class="wb-exhibit wb-kind-{exhibit.kind}" id="{exhibit.anchor}">'
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


def sources_list(source_ids: list[str], inputs: dict[str, str], lang: str = "en") -> list[dict]:
    """The registry entries behind an annex, each as one line of the sources section.

    Publisher, title, table, reference dates, URL, licence, access date and the checksum of the
    tidy table. Ids that are not registry entries (computed values, expert citations) are
    skipped: they appear in the exhibits' own source lines.
    """
    registry = load_sources()
    out = []
    for source_id in source_ids:
        source = registry.get(source_id)
        if source is None or source.reader is None:
            continue
        # a table above the size limit is stored gzipped (workbench.tidy.ingest.tidy_path)
        path = next((p for p in (f"data/tidy/{source_id}.csv", f"data/tidy/{source_id}.csv.gz") if p in inputs),
                    f"data/tidy/{source_id}.csv")
        checksum = inputs.get(path, "")
        details = T("reference dates {dates}. Licence: {licence}. Accessed {date}.", dates=source.reference_dates,
                    licence=source.licence, date=format_date(source.access_date.isoformat(), lang))
        tidy = T("Tidy table {path}, SHA-256 {checksum}.", path=path, checksum=checksum[:16]) if checksum else ""
        out.append({"id": source_id, "publisher": source.publisher, "title": source.title, "table_id": source.table_id,
                    "url": source.url, "details": render(details, lang), "tidy": render(tidy, lang) if tidy else ""})
    return out


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=False, default=False),
        keep_trailing_newline=True,
    )


# --- a run's annexes ----------------------------------------------------------------------------


def run_provenance(run_dir: Path) -> dict:
    """What the provenance footer says, from the run's manifest (or the checkout when it has none)."""
    if (Path(run_dir) / MANIFEST_NAME).is_file():
        return Manifest.read(run_dir).provenance()
    return {"run_id": Path(run_dir).name, "git_commit": git_commit(paths.project_root()), "started": "",
            "packages": package_versions(), "inputs": {}}


def render_run(
    run_dir: Path,
    results: list,
    formats: tuple[str, ...] = FORMATS,
    languages: tuple[str, ...] = LANGUAGES,
    threshold: int = disclosure.DEFAULT_THRESHOLD,
    progress=None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> list[Path]:
    """Write the annexes of a run into ``<run>/annex/<language>/``: one per city and the network synthesis.

    Each city gets its annex in the languages of :func:`annex_languages` among ``languages``.

    Parameters
    ----------
    run_dir
        The run folder.
    results : list of workbench.batch.tasks.TaskResult
        The notebooks that succeeded: each with ``kind`` ('profile', 'brief' or 'comparison'),
        ``city_id`` (of a profile), ``subject`` (a comparison's name) and ``notebook``.
    formats, languages
        Subsets of :data:`FORMATS` and :data:`LANGUAGES`.
    threshold
        Disclosure-control threshold for every table.
    progress
        Optional callable ``progress(path)`` called after each file is written.
    skip
        Documents (city ids, or :data:`NETWORK`) whose annex files are already in place (copied
        from an earlier run by :mod:`workbench.batch.cache`): not rendered again.

    Returns
    -------
    list of Path
        Files written. Each is written to a temporary name first and renamed when complete.
    """
    unknown = [f for f in formats if f not in FORMATS] + [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise ConfigError(f"unknown annex format or language {', '.join(unknown)}; formats: {', '.join(FORMATS)}; "
                          f"languages: {', '.join(LANGUAGES)}")
    provenance = run_provenance(run_dir)
    documents = [(r.city_id, city_document(Path(r.notebook), r.city_id)) for r in results
                 if r.kind == "profile" and r.city_id not in skip]
    comparisons = [(r.subject, Path(r.notebook)) for r in results if r.kind == "comparison"]
    if comparisons and NETWORK not in skip:
        documents.append((NETWORK, network_document(comparisons)))
    written = []
    for lang in languages:
        folder = Path(run_dir) / "annex" / lang
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in documents:
            if lang not in annex_languages(name):
                continue
            page = render_html(document, provenance, threshold, lang)
            for fmt in formats:
                target = folder / f"{name}.{fmt}"
                _write(fmt, page, target, lang)
                written.append(target)
                if progress:
                    progress(target)
    return written


def default_options() -> dict:
    """The annex options of a run that names none: every format and language, the default threshold."""
    return {"formats": FORMATS, "languages": LANGUAGES, "threshold": disclosure.DEFAULT_THRESHOLD}


def annex_languages(name: str) -> tuple[str, ...]:
    """The languages of one annex: English and French for every city, Arabic too for the south shore.

    The network synthesis is written in all three languages.
    """
    if name == NETWORK:
        return LANGUAGES
    return ("en", "fr", "ar") if get_city(name).shore == "south" else ("en", "fr")


def _write(fmt: str, page: str, target: Path, lang: str) -> None:
    if fmt == "html":
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    elif fmt == "docx":
        from workbench.report.annex_docx import write_docx

        write_docx(page, target, lang)
    else:
        from workbench.report.annex_pdf import write_pdf

        write_pdf(page, target, lang)


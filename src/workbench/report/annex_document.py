"""What an annex holds: the texts and numbered exhibits read back from executed notebooks.

:func:`read_notebook` turns an executed notebook into sections of text and exhibits: Markdown cells
(except those tagged ``no-annex``) and Markdown outputs become text; exhibit outputs (see
:mod:`workbench.report.exhibits`) become tables rebuilt from their unformatted values, or figures;
code, plain outputs and errors are left out. :func:`city_document` and :func:`network_document`
number the exhibits of one city profile ("Table A.3") or of all comparison notebooks together
("Table B.12").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from workbench.errors import DataError
from workbench.reference.framework import PEER_LEARNING_THEMES, THEME_LABELS
from workbench.reference.i18n import Label, Msg, T, to_json
from workbench.reference.registry import get_city
from workbench.report.exhibits import Exhibit

#: Markdown cells with this tag explain the code and stay out of annexes.
SKIP_TAG = "no-annex"

#: Annex letters: the city profile is annex A of a City Migration Profile, the network synthesis B.
CITY_LETTER, NETWORK_LETTER = "A", "B"

#: File name (without suffix) of the network synthesis annex.
NETWORK_NAME = "network"


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
    name: str = ""  #: the annex's file name without suffix: a city id, or 'network'

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
                    named = f"{where}, {meta.get('label')} '{meta['caption']}'"
                    sections[-1].blocks.append(Exhibit.from_metadata(meta, images.get(meta["slug"]), named))
                elif "text/markdown" in data and "image/png" not in data:
                    message = output.get("metadata", {}).get("workbench_text")
                    sections[-1].blocks.append(Text(message or data["text/markdown"], where))
    return [s for s in sections if s.heading or s.blocks]


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


def city_document(notebook: Path, city_id: str) -> Document:
    """The annex of one city profile: exhibits numbered A.1, A.2 …"""
    city = get_city(city_id)
    title = T("Annex {letter}: City Migration Profile of {city} — statistical tables and figures", letter=CITY_LETTER, city=city.names)
    # the city's names in the annex languages and its own, each once, as written in each language
    names = " / ".join(dict.fromkeys(n for n in (city.names.en, city.names.fr, city.names.ar, city.names.local) if n))
    subtitle = T("{names} — {country}.", names=names, country=city.country_names)
    return _numbered(Document(title, subtitle, CITY_LETTER, read_notebook(notebook), [Path(notebook).name], city_id))


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
    return _numbered(Document(title, subtitle, NETWORK_LETTER, sections, [Path(n).name for _, n in notebooks], NETWORK_NAME))


def _first_or_reference(block, seen: dict[str, Exhibit]):
    # the same table shown by several comparison notebooks (e.g. the summary over all themes)
    # is printed once; later copies refer to it
    if not isinstance(block, Exhibit) or block.table is None:
        return block
    key = json.dumps([to_json(block.caption), block.table.astype(str).values.tolist(), list(block.table.columns)])
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
        exhibit.annex_number = f"{document.letter}.{counts[exhibit.kind]}"
    return document


def comparison_rank(name: str) -> tuple[int, str]:
    """Where a comparison notebook stands in the network annex: the overview, origins and
    availability first, then the themes in the framework's order (never the order runs finished)."""
    fixed = ("overview", "origins", "availability")
    themes = [f"theme-{t.replace('_', '-')}" for t in PEER_LEARNING_THEMES]
    order = list(fixed) + themes
    return (order.index(name), "") if name in order else (len(order), name)


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

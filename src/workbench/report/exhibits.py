"""Numbered tables and figures with captions and source lines, shown in notebooks and kept for annexes.

An exhibit displays itself in a notebook as HTML (caption, table or image, source line, notes)
with a rounded plain-text form that nbval compares exactly, and carries its caption, number and
sources in the output's metadata under ``workbench`` so :mod:`workbench.report.annex_document` can rebuild the
annex from the executed notebook without running it again.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from workbench.errors import DataError
from workbench.reference.i18n import Label, Msg, T, from_json, to_json
from workbench.reference.citations import Citation
from workbench.report.exhibit_sources import source_line, source_metadata, source_parts
from workbench.reference.registry import load_sources
from workbench.tidy.schemas import FLAGS
from workbench.reference.formats import format_table

MIME = "application/vnd.workbench.exhibit+json"
#: The index of a notebook's exhibits that :meth:`Report.save` writes next to the tables' CSV files.
INDEX_NAME = "exhibits.json"


@dataclass
class Exhibit:
    """One numbered table or figure: registered by a notebook's :class:`Report`, read back by an annex.

    Caption, sources and notes are messages (:func:`workbench.reference.i18n.T`) or English text.
    """

    kind: str  #: 'table' or 'figure'
    number: int  #: its number in the notebook
    caption: str
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    png: bytes | None = None
    plot: dict | None = None  #: how to draw the figure again in another language (see Report.plot)
    slug: str = ""
    source_ids: list[str] = field(default_factory=list)  #: registry ids behind ``sources``
    citations: list[Citation] = field(default_factory=list)  #: expert figures' publications behind ``sources``
    #: For each part of ``sources``, what it cites: a registry id, a citation's key, or '' (text)
    source_keys: list[str] = field(default_factory=list)
    where: str = ""  #: the notebook and exhibit it was read from, named in errors
    annex_number: str = ""  #: its number in an annex ('A.3'), given by the annex document

    @classmethod
    def from_metadata(cls, meta: dict, png: str | None = None, where: str = "") -> Exhibit:
        """The exhibit an executed notebook's output carries (the inverse of :meth:`metadata`).

        Parameters
        ----------
        meta
            The output's ``workbench`` metadata.
        png
            The figure's image as the notebook stores it (base64), if any.
        where
            The notebook and exhibit, named in errors.

        Raises
        ------
        DataError
            If a table exhibit carries no values (made by a workbench before exhibits carried them).
        """
        table = None
        sources, source_ids, citations, keys = source_metadata(meta)
        if meta["kind"] == "table":
            if meta.get("table") is None:
                raise DataError(
                    f"{where or meta.get('label')}: the exhibit carries no table values (made by an older "
                    "workbench); run the notebooks again with `workbench run`"
                )
            table = table_from_json(meta["table"])
        return cls(
            kind=meta["kind"],
            number=meta.get("number", 0),
            caption=_message(meta.get("caption_i18n", meta["caption"])),
            sources=sources,
            notes=[_message(n) for n in meta.get("notes_i18n", meta["notes"])],
            table=table,
            png=base64.b64decode(png) if png else None,
            plot=meta.get("plot"),
            slug=meta.get("slug", ""),
            source_ids=source_ids,
            citations=citations,
            source_keys=keys,
            where=where,
        )

    @property
    def label(self) -> str:
        """'Table 3' or 'Figure 2'."""
        return f"{self.kind.capitalize()} {self.number}"

    def metadata(self) -> dict:
        """What the annex needs to rebuild the exhibit: caption, sources, notes and the table's values.

        The table travels unformatted (``{"columns": [...], "data": [[...], ...]}``, missing
        values as ``null``) so an annex can apply disclosure control and its own number format;
        captions, notes and cells made with :func:`workbench.reference.i18n.T` also travel as messages
        (``caption_i18n``, ``notes_i18n``) so the annex can render them in another language.
        """
        return {
            "kind": self.kind,
            "number": self.number,
            "label": self.label,
            "caption": self.caption,
            "caption_i18n": to_json(self.caption),
            "sources": self.sources,
            "source_ids": self.source_ids,
            "sources_i18n": [to_json(s) for s in self.sources],
            "source_keys": self.source_keys,
            "citations": [c.fields() for c in self.citations],
            "notes": self.notes,
            "notes_i18n": [to_json(n) for n in self.notes],
            "slug": self.slug,
            "plot": self.plot,
            "table": table_json(self.table) if self.table is not None else None,
        }

    def _repr_mimebundle_(self, include=None, exclude=None):
        # A figure's image is shown by a separate output (see Report.figure): nbval compares
        # text and HTML exactly but ignores images, so the image stays out of this bundle.
        data = {"text/plain": self.to_text(), "text/html": self.to_html(with_image=False)}
        return data, {"workbench": self.metadata()}

    def to_text(self) -> str:
        """Caption, rounded table (or figure placeholder), source line and notes as plain text."""
        lines = [f"{self.label}. {self.caption}"]
        if self.table is not None:
            lines.append(format_table(self.table).to_string(index=False) if len(self.table) else "(no data)")
        else:
            lines.append("[figure]")
        if self.sources:
            lines.append(source_line(self.sources))
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_html(self, with_image: bool = True) -> str:
        """The exhibit as an HTML fragment (tables as real tables, figures as embedded PNG)."""
        caption = f'<p class="wb-caption"><strong>{html.escape(self.label)}.</strong> {html.escape(self.caption)}</p>'
        if self.table is not None:
            body = (
                format_table(self.table).to_html(index=False, border=0, classes="wb-table", escape=True)
                if len(self.table)
                else "<p><em>No data.</em></p>"
            )
        elif self.png is not None and with_image:
            b64 = base64.b64encode(self.png).decode("ascii")
            body = f'<img class="wb-figure" alt="{html.escape(self.caption)}" src="data:image/png;base64,{b64}"/>'
        else:
            body = ""
        source = f'<p class="wb-source">{html.escape(source_line(self.sources))}</p>' if self.sources else ""
        notes = "".join(f'<p class="wb-note">Note: {html.escape(n)}</p>' for n in self.notes)
        return f'<div class="wb-exhibit" id="{self.slug}">{caption}{body}{source}{notes}</div>'


class Report:
    """Numbers exhibits in the order a notebook shows them and keeps their data for saving."""

    def __init__(self) -> None:
        self.exhibits: list[Exhibit] = []
        self._counts = {"table": 0, "figure": 0}

    def table(
        self,
        frame: pd.DataFrame,
        caption: str,
        source_ids: list[str] | None = None,
        notes: list[str] | None = None,
        sources: list[str] | None = None,
    ) -> None:
        """Register a numbered table exhibit and show it (in a notebook).

        Parameters
        ----------
        frame
            The table as it should be read (column names are headers).
        caption
            What the table shows, with place, definition and date where they are uniform.
        source_ids
            Registry ids of the sources behind the numbers, and the
            :class:`~workbench.reference.citations.Citation` of expert figures: each becomes a short
            citation in the exhibit's one source line.
        notes
            Extra footnotes (definitions, breaks, gaps). Flag footnotes are added automatically
            when the frame has a ``flag`` column.
        sources
            More of the same, or text (e.g. "computed from the table above"), added after them.
        """
        exhibit = self._add("table", caption, source_ids, notes, sources, table=frame.reset_index(drop=True))
        _show(exhibit)

    def figure(
        self,
        fig,
        caption: str,
        source_ids: list[str] | None = None,
        notes: list[str] | None = None,
        sources: list[str] | None = None,
    ) -> None:
        """Register a numbered figure exhibit from a matplotlib figure (closed after) and show it.

        Annexes in other languages show this image as it is: prefer :meth:`plot`, which they can
        draw again with translated labels.
        """
        exhibit = self._add("figure", caption, source_ids, notes, sources, png=png_bytes(fig))
        _show_image(exhibit)
        _show(exhibit)

    def plot(
        self,
        name: str,
        data: pd.DataFrame,
        caption: str,
        source_ids: list[str] | None = None,
        notes: list[str] | None = None,
        sources: list[str] | None = None,
        **options,
    ) -> None:
        """Register a figure drawn by ``workbench.report.figures.PLOTS[name](data, **options)`` and show it.

        The data and options travel with the exhibit, so an annex draws the chart again in its
        own language (axis titles, legends and number formats), at print resolution and as SVG
        (:func:`redraw`); the notebook shows it at screen resolution.

        Raises
        ------
        KeyError
            If ``name`` is not a chart of :data:`workbench.report.figures.PLOTS`.
        """
        from workbench.report.chart_print import SCREEN_DPI
        from workbench.report.figures import draw

        png = draw(name, data, "en", formats=("png",), dpi=SCREEN_DPI, **options)["png"]
        spec = {"name": name, "data": table_json(data.reset_index(drop=True)), "options": {k: _cell_json(v) for k, v in options.items()}}
        exhibit = self._add("figure", caption, source_ids, notes, sources, png=png)
        exhibit.plot = spec
        _show_image(exhibit)
        _show(exhibit)

    def _add(self, kind, caption, source_ids, notes, sources, table=None, png=None) -> Exhibit:
        self._counts[kind] += 1
        number = self._counts[kind]
        all_notes = list(notes or [])
        if table is not None and "flag" in table.columns:
            # a letter its own notes already explain ("Flag b: break in series ...") is not explained twice
            explained = {m.group(1) for n in all_notes if (m := _OWN_FLAG_NOTE.match(str(n)))}
            all_notes.extend(flag_notes(table["flag"], skip=explained))
        all_notes = list(dict.fromkeys(all_notes))  # a definition passed twice is printed once
        parts = source_parts(list(source_ids or []) + list(sources or []))
        registry = load_sources()
        exhibit = Exhibit(
            kind=kind,
            number=number,
            caption=caption,
            sources=[text for _, text in parts],
            notes=all_notes,
            table=table,
            png=png,
            slug=f"{kind}-{number}-{_slug(caption)}"[:80],
            source_ids=[key for key, _ in parts if key in registry],
            citations=[text for _, text in parts if isinstance(text, Citation)],
            source_keys=[key for key, _ in parts],
        )
        self.exhibits.append(exhibit)
        return exhibit

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table exhibit shown so far, by slug (what :meth:`save` writes as CSV)."""
        return {e.slug: e.table for e in self.exhibits if e.table is not None}

    def save(self, folder: Path) -> list[Path]:
        """Write every table exhibit as CSV and an index of all exhibits as JSON.

        Returns
        -------
        list of Path
            Files written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for exhibit in self.exhibits:
            if exhibit.table is not None:
                path = folder / f"{exhibit.slug}.csv"
                exhibit.table.to_csv(path, index=False, lineterminator="\n")
                written.append(path)
        index = folder / INDEX_NAME
        index.write_text(json.dumps([e.metadata() for e in self.exhibits], indent=1, ensure_ascii=False), encoding="utf-8")
        written.append(index)
        return written


def read_saved(folder: Path) -> list[Exhibit] | None:
    """The exhibits :meth:`Report.save` wrote into ``folder``, read back from its index.

    Returns
    -------
    list of Exhibit or None
        In the notebook's order; ``None`` when ``folder`` holds no index.

    Raises
    ------
    DataError
        If the index is not JSON or an exhibit in it lacks what it must carry (naming the file and exhibit).
    """
    path = Path(folder) / INDEX_NAME
    if not path.is_file():
        return None
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [Exhibit.from_metadata(meta, where=f"{path}, {meta.get('label', f'exhibit {number}')}")
                for number, meta in enumerate(entries, start=1)]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{path}: not an index of saved exhibits ({type(exc).__name__}: {exc})") from None


def saved_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The table exhibits saved in ``folder`` by slug (empty when the folder holds no index)."""
    return {e.slug: e.table for e in read_saved(folder) or [] if e.table is not None}


def _message(value: dict | str) -> str:
    return from_json(value) if isinstance(value, dict) else value


def png_bytes(fig) -> bytes:
    """A matplotlib figure as PNG (the figure is closed): a figure registered with :meth:`Report.figure`."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


@dataclass(frozen=True)
class Drawing:
    """A chart drawn for an annex in one language: PNG for print (PDF, Word), SVG for the web page, alt text."""

    png: bytes
    svg: bytes
    alt: str


def redraw(spec: dict, lang: str) -> Drawing:
    """Draw a chart registered with :meth:`Report.plot` again, in ``lang``, and describe it.

    Each chart is drawn once per language and kept (the HTML page takes its SVG, the PDF and
    Word pages its PNG).
    """
    return _redraw(json.dumps(spec, sort_keys=True, ensure_ascii=False), lang)


@lru_cache(maxsize=64)
def _redraw(spec_json: str, lang: str) -> Drawing:
    from workbench.reference.i18n import render
    from workbench.report.figure_alt import describe
    from workbench.report.figures import draw

    spec = json.loads(spec_json)
    options = {k: from_json(v) if isinstance(v, dict) else v for k, v in spec.get("options", {}).items()}
    # cells that are messages (e.g. 'Wien (sum of districts)') are drawn as text in the language
    data = table_from_json(spec["data"]).map(lambda v: render(from_json(v), lang) if isinstance(v, dict) else v)
    images = draw(spec["name"], data, lang, **options)
    return Drawing(png=images["png"], svg=images["svg"], alt=describe(spec["name"], data, lang, **options))


def table_json(frame: pd.DataFrame) -> dict:
    """A table as JSON-ready columns and rows (numbers as numbers, missing values as None)."""
    data = [[_cell_json(v) for v in row] for row in frame.astype(object).itertuples(index=False, name=None)]
    return {"columns": [str(c) for c in frame.columns], "data": data}


def _cell_json(value):
    if isinstance(value, Msg):
        return value.to_json()
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def table_from_json(payload: dict) -> pd.DataFrame:
    """The inverse of :func:`table_json` (numeric columns come back as floats or ints)."""
    frame = pd.DataFrame(payload["data"], columns=payload["columns"])
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if frame[column].notna().sum() and converted.notna().sum() == frame[column].notna().sum() and not frame[column].map(lambda v: isinstance(v, (str, bool, dict))).any():
            frame[column] = converted
    return frame


#: A note that explains a flag letter itself ("Flag b: ..."), as the analysis writes them.
_OWN_FLAG_NOTE = re.compile(r"Flag (\w):")


def flag_notes(flags: pd.Series, skip: set[str] = frozenset()) -> list[str]:
    """Explain every flag letter that occurs in a column of flags (but those in ``skip``)."""
    letters = sorted({letter for value in flags.dropna().astype(str) for letter in value} - set(skip))
    return [T("flag '{letter}': {meaning}", letter=letter, meaning=Label(FLAGS[letter])) for letter in letters if letter in FLAGS]


def _show(exhibit: Exhibit) -> None:
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is not None:
        display(exhibit)


def _show_image(exhibit: Exhibit) -> None:
    from IPython import get_ipython
    from IPython.display import display

    if get_ipython() is not None:
        display(
            {"image/png": base64.b64encode(exhibit.png).decode("ascii"), "text/plain": f"[{exhibit.label}]"},
            raw=True,
            metadata={"workbench_image": exhibit.slug},
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

"""A run's landing page, ``<run>/index.html``: its status and every annex and table download the folder holds.

The page is written in English; each annex's column names the network and the city, its tables
and downloads in the annex's language (names from the cities registry, words from the catalogs); it is self-contained (no script, style sheet, font or image
from elsewhere) and links only by relative paths, so the folder can be copied anywhere and
served as static files. It lists the files that exist when it is written: :func:`write_index`
runs at the end of :func:`workbench.report.annex.render_run` and after a run whose annexes were
all copied from an earlier run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from workbench import paths
from workbench.provenance import MANIFEST_NAME, Manifest
from workbench.reference.i18n import LANGUAGES, RTL, T, render
from workbench.reference.registry import load_cities, load_sources
from workbench.report import disclosure
from workbench.report.downloads import tables_folder, workbook_path
from workbench.report.exhibits import INDEX_NAME, read_saved

#: The landing page's file name in the run folder.
INDEX = "index.html"

#: The annex formats a reader can open, in the order the page lists them, with their names.
FORMAT_NAMES = {"html": "HTML", "docx": "Word", "pdf": "PDF"}

#: Each language by its own name: a reader finds their column without reading English.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "ar": "العربية"}
#: The link to an annex's workbook of tables, in the annex's language.
WORKBOOK_LINK = T("Tables (XLSX)")

#: The network synthesis annex's file name (:data:`workbench.report.annex.NETWORK`).
NETWORK = "network"

_URL = re.compile(r"https?://[^\s;()<>\"]*[^\s;()<>\".,]")
_CSV = re.compile(r"^(table|figure)-([a-z])-(\d+)\.csv$")


@dataclass
class Link:
    """A link of the page: its text and its path relative to the run folder."""

    text: str
    href: str


@dataclass
class Version:
    """One annex in one language: its name there and the files the folder holds for it."""

    lang: str
    name: str
    rtl: bool
    files: list[Link] = field(default_factory=list)  #: HTML, Word, PDF
    workbook: Link | None = None
    tables: list[Link] = field(default_factory=list)  #: one CSV per table, in annex order
    tables_label: str = ""  #: "Tables as CSV (n)" in the annex's language


@dataclass
class Annex:
    """One row of the page: the network synthesis or a city, with its versions by language."""

    name: str
    title: str  #: in English
    local: str = ""  #: the city's name in its local language, when it differs
    local_lang: str = ""
    detail: str = ""
    local_rtl: bool = False
    versions: dict[str, Version] = field(default_factory=dict)


def write_index(run_dir: Path, threshold: int | None = None) -> Path:
    """Write ``<run_dir>/index.html`` (atomically) and return its path.

    Parameters
    ----------
    run_dir
        The run folder.
    threshold
        The disclosure-control threshold the annexes were rendered with, stated on the page
        (``None``: the one the run's manifest records, if any).

    Returns
    -------
    Path
    """
    run_dir = Path(run_dir)
    return paths.write_atomic(run_dir / INDEX, render_index(run_dir, threshold))


def render_index(run_dir: Path, threshold: int | None = None) -> str:
    """The landing page of a run folder as it is now (see :func:`write_index`)."""
    run_dir = Path(run_dir)
    manifest = Manifest.find(run_dir)
    if threshold is None and manifest is not None and manifest.annex_rendered_with():
        threshold = manifest.annex_rendered_with()["threshold"]
    annexes = list_annexes(run_dir)
    languages = [lang for lang in LANGUAGES if any(lang in a.versions for a in annexes)]
    return _environment().get_template("run_index.html.j2").render(
        run=_run_facts(run_dir, manifest),
        manifest=MANIFEST_NAME if (run_dir / MANIFEST_NAME).is_file() else "",
        annexes=annexes,
        languages=[(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in languages],
        suppression=_suppression(threshold),
        sources=list_sources(run_dir, manifest),
    )


def list_annexes(run_dir: Path) -> list[Annex]:
    """The annexes in ``<run_dir>/annex/``: the network synthesis first, then the cities in registry order."""
    root = Path(run_dir) / "annex"
    found: dict[str, Annex] = {}
    cities = load_cities()
    for lang in LANGUAGES:
        folder = root / lang
        names = sorted({p.stem for p in folder.glob("*.*") if p.suffix[1:] in FORMAT_NAMES}) if folder.is_dir() else []
        for name in names:
            annex = found.setdefault(name, _annex(name, cities))
            version = Version(lang, _name_in(name, lang, cities), lang in RTL)
            version.files = [Link(label, _relative(folder / f"{name}.{fmt}", run_dir))
                             for fmt, label in FORMAT_NAMES.items() if (folder / f"{name}.{fmt}").is_file()]
            workbook = workbook_path(folder, name)
            if workbook.is_file():
                version.workbook = Link(render(WORKBOOK_LINK, lang), _relative(workbook, run_dir))
            csvs = sorted((p for p in tables_folder(folder, name).glob("*.csv") if _CSV.match(p.name)), key=_csv_order)
            version.tables = [Link(_csv_label(p.name, lang), _relative(p, run_dir)) for p in csvs]
            version.tables_label = render(T("Tables as CSV ({count})", count=len(csvs)), lang)
            annex.versions[lang] = version
    order = [NETWORK, *cities]
    return sorted(found.values(), key=lambda a: (order.index(a.name) if a.name in order else len(order), a.name))


def cited_source_ids(run_dir: Path, manifest: Manifest | None = None) -> set[str]:
    """The ids the exhibits of a run's city profiles and comparisons cite (their ``exhibits.json``)."""
    if manifest is None:
        manifest = Manifest.find(run_dir)
    if manifest is not None:
        folders = [Path(run_dir) / Path(n.notebook).parent for n in manifest.succeeded()
                   if n.kind in ("profile", "comparison") and n.notebook]
    else:
        folders = [Path(run_dir) / "cities", Path(run_dir) / "compare"]
    ids = set()
    for folder in folders:
        for index in sorted(folder.rglob(INDEX_NAME)) if folder.is_dir() else []:
            ids.update(i for e in read_saved(index.parent) or [] for i in e.source_ids)
    return ids


def list_sources(run_dir: Path, manifest: Manifest | None) -> list[dict]:
    """The registry sources the run's exhibits cite (publisher, title, table, URL), by publisher and title.

    Read from the exhibit indexes the run's city profiles and comparisons saved (``exhibits.json``);
    ids that are not registry sources with a reader (computed values, expert citations) are left out,
    as in an annex's sources section.
    """
    ids = cited_source_ids(run_dir, manifest)
    registry = load_sources()
    used = [registry[i] for i in ids if i in registry and registry[i].reader is not None]
    return [{"publisher": s.publisher, "title": s.title, "table": s.table_id, "url": _address(s.url)}
            for s in sorted(used, key=lambda s: (s.publisher.lower(), s.title.lower(), s.source_id))]


def _address(text: str) -> list[tuple[str, str]]:
    # a registry address as (text, link) pieces: some entries add words to their URLs ("… (one page per table)")
    pieces, start = [], 0
    for match in _URL.finditer(text):
        pieces += [(text[start:match.start()], ""), (match.group(0), match.group(0))]
        start = match.end()
    return [p for p in [*pieces, (text[start:], "")] if p[0]]


def _annex(name: str, cities: dict) -> Annex:
    if name == NETWORK:
        return Annex(name, render(T("Mediterranean city network"), "en"), detail="Annex B: the network synthesis")
    city = cities.get(name)
    if city is None:
        return Annex(name, name)
    local = city.names.local if city.names.local and city.names.local != city.names.en else ""
    return Annex(name, city.names.en, local, city.local_language, f"{city.country_names.en} · Annex A: the city profile",
                 city.local_language in RTL)


def _name_in(name: str, lang: str, cities: dict) -> str:
    if name == NETWORK:
        return render(T("Mediterranean city network"), lang)
    city = cities.get(name)
    return getattr(city.names, lang) if city is not None else name


def _relative(path: Path, run_dir: Path) -> str:
    return path.relative_to(run_dir).as_posix()


def _csv_order(path: Path) -> tuple:
    kind, _, number = _CSV.match(path.name).groups()
    return kind, int(number)


def _csv_label(file_name: str, lang: str = "en") -> str:
    # "Table B.3" / "Tableau B.3" / "الجدول B.3", as the annex labels it
    kind, letter, number = _CSV.match(file_name).groups()
    message = T("Table {number}", number=f"{letter.upper()}.{number}") if kind == "table" else \
        T("Figure {number}", number=f"{letter.upper()}.{number}")
    return render(message, lang)


def _run_facts(run_dir: Path, manifest: Manifest | None) -> dict:
    # what the page says about the run: id, status, dates, commit
    if manifest is None:
        return {"id": run_dir.name, "state": "unknown", "status": f"unknown (no {MANIFEST_NAME} in the folder)", "failed": [],
                "started": "", "finished": "", "commit": "", "resumed_from": "", "error": ""}
    notebooks = manifest.notebooks
    failed = [n for n in notebooks if n.status != "ok"]
    status = manifest.status if manifest.status in ("ok", "failed", "interrupted") else ("failed" if failed else "ok")
    summary = f"{len(notebooks) - len(failed)} of {len(notebooks)} notebooks succeeded"
    return {
        "id": manifest.run_id,
        "state": status,
        "status": f"{status}: {summary}",
        "failed": [f"{n.name} ({n.status})" for n in failed],
        "started": _when(manifest.started),
        "finished": _when(manifest.finished),
        "commit": manifest.git_commit,
        "resumed_from": manifest.resumed_from,
        "error": manifest.error,
    }


def _when(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or ""
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.utcoffset() is not None and not moment.utcoffset() else "")


def _suppression(threshold: int | None) -> str:
    if threshold is None:
        return ""
    if threshold <= 0:
        return "No disclosure control: the annexes and their tables show every count (threshold 0)."
    return (f"Disclosure control: in the annexes and in their tables, counts of fewer than {threshold} persons (but "
            f"more than zero) and the shares, rates and quotients of the same row are shown as {disclosure.MARK}.")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.PACKAGE_DIR / "templates")),
        autoescape=True,
        keep_trailing_newline=True,
    )


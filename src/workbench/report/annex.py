"""Write a run's annexes (every city and the network, each format and language) without re-running notebooks.

Each annex is read from the executed notebooks (:mod:`workbench.report.annex_document`), written as
one self-contained HTML page (:mod:`workbench.report.annex_html`), and converted from that same page
to Word and PDF (:mod:`workbench.report.annex_docx`, :mod:`workbench.report.annex_pdf`), so the three
formats carry the same numbers; only its charts differ: SVG on the web page, PNG at print
resolution in the page that Word and PDF are made from.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench import paths
from workbench.errors import ConfigError, WorkbenchError
from workbench.provenance import MANIFEST_NAME, Manifest, git_commit, package_versions
from workbench.reference.i18n import LANGUAGES
from workbench.reference.registry import get_city
from workbench.report import disclosure
from workbench.report.annex_document import NETWORK_NAME, city_document, comparison_rank, network_document
from workbench.report.annex_html import render_html
from workbench.report.downloads import write_downloads
from workbench.report.site import write_index
from workbench.tidy.chapters import locate_in_chapters

#: Output formats, in the order they are written.
FORMATS = ("html", "docx", "pdf")

#: Name of the network synthesis annex file.
NETWORK = NETWORK_NAME

#: Folder of a run that ``workbench annex --draft`` writes into (beside ``annex/``).
DRAFT_FOLDER = "annex-draft"


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
    draft: bool = False,
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
        Optional callable ``progress(path)`` called after each annex file is written, after the
        tables of each HTML annex (with the path of their workbook) and after the landing page.
    skip
        Documents (city ids, or :data:`NETWORK`) whose annex files are already in place (copied
        from an earlier run by :mod:`workbench.batch.cache`): not rendered again.
    draft
        Write drafts for internal review into ``<run>/annex-draft/<language>/`` instead: unwritten
        chapters show their guiding questions and file, and the title says DRAFT.

    Returns
    -------
    list of Path
        Files written. Each is written to a temporary name first and renamed when complete. With
        the HTML format, each annex's tables are written beside it (:mod:`workbench.report.downloads`);
        the run's landing page ``index.html`` (:mod:`workbench.report.site`) is written last and
        lists every annex the folder then holds, those in ``skip`` too.
    """
    unknown = [f for f in formats if f not in FORMATS] + [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise ConfigError(f"unknown annex format or language {', '.join(unknown)}; formats: {', '.join(FORMATS)}; "
                          f"languages: {', '.join(LANGUAGES)}")
    provenance = run_provenance(run_dir)
    documents = [(r.city_id, city_document(Path(r.notebook), r.city_id)) for r in results
                 if r.kind == "profile" and r.city_id not in skip]
    comparisons = sorted(((r.subject, Path(r.notebook)) for r in results if r.kind == "comparison"),
                         key=lambda c: comparison_rank(c[0]))
    if comparisons and NETWORK not in skip:
        documents.append((NETWORK, network_document(comparisons)))
    written = []
    for lang in languages:
        folder = Path(run_dir) / (DRAFT_FOLDER if draft else "annex") / lang
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in documents:
            if lang not in annex_languages(name):
                continue
            # the web page embeds its charts as SVG, the page converted to Word and PDF as PNG
            pages = {images: render_html(document, provenance, threshold, lang, images, draft=draft)
                     for images in dict.fromkeys("svg" if fmt == "html" else "png" for fmt in formats)}
            for fmt in formats:
                target = folder / f"{name}.{fmt}"
                _write(fmt, pages["svg" if fmt == "html" else "png"], target, lang, None if name == NETWORK else name)
                written.append(target)
                if progress:
                    progress(target)
            if "html" in formats:
                # the tables behind the page, beside it (CSV files and one workbook)
                tables = write_downloads(document, folder, name, lang, threshold, provenance)
                written += tables
                if progress and tables:
                    progress(tables[-1])
    if not draft:  # the landing page links the published annexes only
        written.append(write_index(run_dir, threshold))
        if progress:
            progress(written[-1])
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


def written_languages(names: list[str], languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages among ``languages`` that the annexes of ``names`` (city ids, :data:`NETWORK`) are written in."""
    return tuple(lang for lang in languages if any(lang in annex_languages(name) for name in names))


#: An embedded image in an error message.
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]{60,}")


def _write(fmt: str, page: str, target: Path, lang: str, city_id: str | None = None) -> None:
    try:
        _write_format(fmt, page, target, lang)
    except WorkbenchError as exc:
        # what an expert wrote is the likeliest cause of a page a converter cannot take: name the chapter
        where = locate_in_chapters(city_id, str(exc), lang) if city_id else None
        message = _DATA_URI.sub(lambda m: m.group(0)[:60] + "…", str(exc))  # an embedded image, not megabytes of it
        if where is None and message == str(exc):
            raise
        if where is not None:
            message += f" (from the chapter {where}; `workbench validate --city {city_id}` checks it)"
        raise type(exc)(message) from exc


def _write_format(fmt: str, page: str, target: Path, lang: str) -> None:
    if fmt == "html":
        paths.write_atomic(target, page)
    elif fmt == "docx":
        from workbench.report.annex_docx import write_docx

        write_docx(page, target, lang)
    else:
        from workbench.report.annex_pdf import write_pdf

        write_pdf(page, target, lang)

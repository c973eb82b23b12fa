"""Publish a run for readers: copy its landing page, annexes and their downloads to a folder outside ``outputs/``.

What a reader gets (and nothing else):

- ``index.html``, the run's landing page (:mod:`workbench.report.site`);
- ``annex/<lang>/<name>.html|docx|pdf``, every annex the run holds;
- ``annex/<lang>/<name>-tables.xlsx`` and ``annex/<lang>/<name>-tables/*.csv``, their tables, suppressed
  as in the annexes (:mod:`workbench.report.downloads`);
- ``manifest.json``, the run's record for readers (:meth:`workbench.provenance.Manifest.for_readers`):
  what the landing page links and the annexes' footers cite, without the notebooks' working details.

Never the executed notebooks, ``cities/`` and ``compare/`` (whose ``exhibits/*.csv`` and saved tables
are **not** suppressed), ``briefs/``, kernel logs or draft annexes. The copy is written into a hidden
folder beside the destination and renamed to it once complete and once every link of its HTML pages
resolves inside it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workbench import paths
from workbench.batch.publish import LAST_ATTEMPT, LATEST
from workbench.batch.runs import ANNEX_FORMATS
from workbench.errors import ConfigError, RunStepError
from workbench.provenance import MANIFEST_NAME, Manifest

#: The landing page's file name (:data:`workbench.report.site.INDEX`).
INDEX = "index.html"
#: What the names of an annex's downloads add to its own (:data:`workbench.report.downloads.SUFFIX`).
DOWNLOADS = "-tables"

_ANNEX = re.compile(rf"^[^/]+/[^/]+\.({'|'.join(ANNEX_FORMATS)})$")
_WORKBOOK = re.compile(rf"^[^/]+/[^/]+{DOWNLOADS}\.xlsx$")
_TABLE = re.compile(rf"^[^/]+/[^/]+{DOWNLOADS}/[^/]+\.csv$")


@dataclass(frozen=True)
class Published:
    """A run copied for readers."""

    run: Path  #: the run folder
    dest: Path  #: the copy
    files: int  #: files copied
    size: int  #: their bytes
    links: int  #: links of its HTML pages checked


def find_run(text: str, outputs: Path | None = None) -> Path:
    """The run folder named by ``text``: ``latest``, ``last-attempt``, a run id under ``outputs/`` or a folder path.

    Raises
    ------
    ConfigError
        If no such run folder exists.
    """
    outputs = outputs or paths.outputs_dir()
    if text in (LATEST, LAST_ATTEMPT):
        link = outputs / text
        if not link.is_dir():
            raise ConfigError(f"unknown run '{text}': {link} does not exist (no such run was made yet); "
                              "`workbench runs` lists the runs")
        return link.resolve()
    under = outputs / text
    if Path(text).name == text and under.is_dir() and not text.startswith("."):
        return under.resolve()
    given = Path(text).expanduser()
    if given.is_dir():
        return given.resolve()
    raise ConfigError(f"unknown run '{text}': neither a run id in {outputs} nor a folder; `workbench runs` lists the runs")


def reader_files(run: Path) -> list[str]:
    """The files of ``run`` a reader gets, relative to the run folder (see the module docstring), sorted."""
    annex = run / "annex"
    found = [INDEX] if (run / INDEX).is_file() else []
    for path in sorted(annex.rglob("*")) if annex.is_dir() else []:
        relative = path.relative_to(annex).as_posix()
        if path.is_file() and not path.is_symlink() and any(p.match(relative) for p in (_ANNEX, _WORKBOOK, _TABLE)):
            found.append(f"annex/{relative}")
    return found


def publish_run(run: Path, dest: Path, outputs: Path | None = None) -> Published:
    """Copy what a reader needs of ``run`` into the new or empty folder ``dest``, then check its links.

    Parameters
    ----------
    run
        The run folder (:func:`find_run`).
    dest
        Where the copy goes: a folder that does not exist or is empty, outside ``outputs/``.
    outputs
        The project's ``outputs/`` (default).

    Returns
    -------
    Published

    Raises
    ------
    ConfigError
        If the run did not succeed (status other than ``ok``), has no landing page or no annex,
        or ``dest`` is a file, a folder that is not empty, or lies inside ``outputs/``.
    RunStepError
        If a link of the copy's pages does not resolve inside it (the copy is then removed), or a
        file cannot be copied; ``dest`` is left as it was.
    """
    outputs = (outputs or paths.outputs_dir()).resolve()
    manifest = Manifest.find(run)
    if manifest is None:
        raise ConfigError(f"{run}: not a run folder (no readable {MANIFEST_NAME}); `workbench runs` lists the runs")
    if manifest.status != "ok" or run.name.endswith((".partial", ".interrupted")):
        raise ConfigError(f"run {run.name}: status '{manifest.status}', not 'ok'; publish only a run in which every "
                          "notebook succeeded (`workbench runs` lists them)")
    files = reader_files(run)
    if INDEX not in files:
        raise ConfigError(f"run {run.name}: no landing page {run / INDEX}; write it with `workbench annex --run {run}`")
    if len(files) == 1:
        raise ConfigError(f"run {run.name}: no annex in {run / 'annex'}; render them with `workbench annex --run {run}`")
    dest = _checked_dest(dest, outputs, run)
    staging = dest.with_name(f".{dest.name}.publishing")
    if staging.exists():
        shutil.rmtree(staging)  # left by a copy that was cut short
    size = 0
    try:
        for relative in files:
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(run / relative, target)
            size += target.stat().st_size
        manifest.for_readers().write(staging, compact=True)
        size += (staging / MANIFEST_NAME).stat().st_size
        pages = [INDEX, *(f for f in files if f.endswith(".html"))]
        broken, checked = [], 0
        for page in dict.fromkeys(pages):
            links = page_links(staging / page)
            checked += len(links)
            broken += [f"{page}: {link}" for link in links if not _resolves(staging, page, link)]
        if broken:
            raise RunStepError(f"publishing {run.name}: {len(broken)} link(s) of the copy lead nowhere inside it, such "
                               f"as {broken[0]}; nothing was published to {dest}")
        if dest.is_dir():
            dest.rmdir()
        staging.rename(dest)
    except OSError as exc:
        raise RunStepError(f"publishing {run.name} to {dest}: {exc.strerror or exc} ({exc.filename or staging}); "
                           f"nothing was published to {dest}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Published(run, dest, len(files) + 1, size, checked)


class _Links(HTMLParser):
    # every href and src of a page, in order
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def page_links(page: Path) -> list[str]:
    """The links of an HTML page that point at a file: relative ``href`` and ``src`` values.

    Anchors within the page (``#...``), ``data:`` URIs and addresses with a scheme (``https:``,
    ``mailto:``) are left out: they do not depend on the folder the page is in.
    """
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    local = []
    for link in parser.found:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        local.append(link)
    return local


def _resolves(root: Path, page: str, link: str) -> bool:
    # the link, taken relative to the page, names a file inside root
    target = (root / page).parent / unquote(urlsplit(link).path)
    try:
        resolved = target.resolve()
    except OSError:
        return False
    return resolved.is_relative_to(root.resolve()) and resolved.is_file()


def _checked_dest(dest: Path, outputs: Path, run: Path) -> Path:
    dest = Path(dest).expanduser().absolute()
    resolved = dest.resolve()
    for folder, what in ((outputs, "outputs/"), (run.resolve(), "the run folder")):
        if resolved == folder or resolved.is_relative_to(folder):
            raise ConfigError(f"{dest}: inside {what} ({folder}); publish to a folder outside it (a web server's folder, "
                              "a shared drive)")
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise ConfigError(f"{dest}: exists and is not a folder; give a new or empty folder")
    if dest.is_dir() and any(dest.iterdir()):
        raise ConfigError(f"{dest}: folder is not empty; give a new or empty folder (a copy is never mixed with other files)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest

"""Chapters only a local expert can write: read them per city and language, as Markdown for a profile."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from babel import Locale
from babel.lists import format_list

from workbench import paths
from workbench.errors import ConfigError, DataError
from workbench.reference.registry import LANGUAGES, get_city, load_cities
from workbench.tidy.chapter_registry import ChapterRegistry, load_chapter_registry, read_chapter_registry
from workbench.tidy.chapter_content import chapter_findings, demote_headings, embed_images, find_line

__all__ = [
    "LANGUAGES",
    "STATUS_WRITTEN",
    "STATUS_MISSING",
    "Chapter",
    "ChapterRegistry",
    "load_chapter_registry",
    "read_chapter_registry",
    "read_chapters",
    "check_chapter_file",
    "chapter_warnings",
    "check_chapter_contents",
    "locate_in_chapters",
    "chapters_markdown",
    "chapter_status",
]

STATUS_WRITTEN = "written"
STATUS_MISSING = "to be completed"

#: The folder of a city's chapter images (beside its language folders).
IMAGES_FOLDER = "images"


@dataclass(frozen=True)
class Chapter:
    """One chapter of one city in one language, written or not.

    ``text`` is the expert's Markdown without its title line (``None`` when not written yet);
    ``path`` is the file if one exists (``None`` otherwise); ``location`` is where the file is or
    goes, relative to the project when it lies inside it; ``folder`` is the chapters folder it was
    read from (where the other languages' files are).
    """

    id: str
    city_id: str
    language: str
    title: str
    text: str | None
    path: Path | None
    location: str
    questions: tuple[str, ...]
    folder: Path | None = None

    @property
    def written(self) -> bool:
        """Whether the expert has written this chapter."""
        return self.text is not None


def read_chapters(city_id: str, language: str, folder: Path | None = None) -> list[Chapter]:
    """Read the chapters a local expert wrote for one city in one language.

    Parameters
    ----------
    city_id
        A city of the registry.
    language
        One of :data:`LANGUAGES`.
    folder
        The chapters folder holding ``<city_id>/<language>/<chapter_id>.md``; defaults to
        ``data/local/chapters``. A missing folder or file means "not written yet".

    Returns
    -------
    list of Chapter
        Every chapter of the registry, in profile order; an empty file, or one holding only a
        ``# Title`` line, counts as not written.

    Raises
    ------
    UnknownCityError
        If the city is not in the registry.
    ConfigError
        If the language is not one of :data:`LANGUAGES`, or a chapter file is a symbolic link
        leading out of ``folder``.
    DataError
        If a chapter file is not UTF-8 text, or the folder holds a ``.md`` file whose name is
        not a chapter id (naming the file and the allowed names).
    """
    get_city(city_id)
    _check_language(language)
    registry = load_chapter_registry()
    base = _chapters_dir(folder)
    lang_dir = base / city_id / language
    _check_chapter_files(lang_dir, registry.ids)
    chapters = []
    for spec in registry.chapters:
        file = lang_dir / f"{spec.id}.md"
        exists = file.is_file()
        if exists or file.is_symlink():
            paths.inside(file, base)  # a link may not bring a file from elsewhere into an annex
        chapters.append(
            Chapter(
                id=spec.id,
                city_id=city_id,
                language=language,
                title=getattr(spec.title, language),
                text=_read_body(file) if exists else None,
                path=file if exists else None,
                location=_display(file),
                questions=tuple(getattr(spec.questions, language)),
                folder=base,
            )
        )
    return chapters


def check_chapter_file(path: Path) -> str:
    """Check one chapter file an expert wrote, anywhere on disk, without rendering it.

    The file name must be ``<chapter_id>.md`` with a chapter id of the registry, and the text
    UTF-8. A language folder (two lowercase letters) must be one of :data:`LANGUAGES`; inside
    the project's ``data/local/chapters`` the file must sit in ``<city_id>/<language>/``.

    Parameters
    ----------
    path
        The Markdown file.

    Returns
    -------
    str
        "written (N words)" or "not written yet (empty)"; raw HTML (dropped from the annexes) is
        reported by :func:`chapter_warnings`.

    Raises
    ------
    DataError
        Naming the file: missing, wrong name, wrong folder, or not UTF-8 text; or naming the file
        and line of each image an annex cannot embed (a web address, a missing file, a file
        outside the city's chapter folder) with the fix.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{_display(path)}: file not found")
    ids = load_chapter_registry().ids
    if path.suffix != ".md" or path.stem not in ids:
        raise DataError(
            f"{_display(path)}: not a chapter file name; expected one of: {', '.join(f'{i}.md' for i in ids)}"
        )
    _check_place(path)
    body = _read_body(path)
    if body is None:
        return "not written yet (empty)"
    errors = [f for f in _findings(path) if f.error]
    if errors:
        fixes = "; ".join(dict.fromkeys(f.fix for f in errors if f.fix))
        raise DataError(f"{_display(path)}, " + "; ".join(f"line {f.line}: {f.message}" for f in errors)
                        + (f". To fix: {fixes}" if fixes else ""))
    words = len(body.split())
    return f"written ({words} word{'' if words == 1 else 's'})"


def chapter_warnings(path: Path) -> list[str]:
    """What a written chapter file holds that the annexes drop (raw HTML), as "line N: ..." texts."""
    if _read_body(Path(path)) is None:
        return []
    return [f"line {f.line}: {f.message}" for f in _findings(Path(path)) if not f.error]


def check_chapter_contents(city_ids: Sequence[str], folder: Path | None = None) -> None:
    """Refuse the written chapters of these cities whose images an annex cannot embed.

    Raises
    ------
    DataError
        Naming the first such file and the line of each image, with the fix.
    """
    base = _chapters_dir(folder)
    for city_id in city_ids:
        for language in LANGUAGES:
            for chapter in read_chapters(city_id, language, folder):
                if chapter.path is not None and base.resolve() in chapter.path.resolve().parents:
                    check_chapter_file(chapter.path)


def locate_in_chapters(city_id: str, message: str, language: str | None = None) -> str | None:
    """Which chapter file (and line) of a city an error message quotes, e.g. WeasyPrint's
    "Failed to load image at 'data:image/png;base64,…'"; None when it quotes none.

    Parameters
    ----------
    city_id
        The city whose chapters (``data/local/chapters/<city_id>/``) are searched.
    message
        The error; its quoted parts ('…' or "…") are looked for.
    language
        Searched first (the annex's language); the others after it.
    """
    quoted = [q for pair in re.findall(r"'([^']{8,})'|\"([^\"]{8,})\"", message) for q in pair if q]
    order = [language] if language in LANGUAGES else []
    for lang in order + [lang for lang in LANGUAGES if lang not in order]:
        for chapter in read_chapters(city_id, lang):
            if chapter.path is None:
                continue
            text = chapter.path.read_bytes().decode("utf-8")
            for fragment in quoted:
                line = find_line(text, chapter.path, fragment)
                if line is not None:
                    return f"{chapter.location}, line {line}"
    return None


def _findings(path: Path):
    return chapter_findings(path.read_bytes().decode("utf-8").removeprefix("\ufeff"), path)


def _check_place(path: Path) -> None:
    language = path.parent.name
    if re.fullmatch(r"[a-z]{2}", language) and language not in LANGUAGES:
        raise DataError(f"{_display(path)}: folder '{language}' is not a language; allowed: {', '.join(LANGUAGES)}")
    base = _chapters_dir(None).resolve()
    inside = path.resolve().parent
    if base not in inside.parents and inside != base:
        return
    relative = inside.relative_to(base).parts
    cities = load_cities()
    if len(relative) != 2 or relative[0] not in cities or relative[1] not in LANGUAGES:
        raise DataError(
            f"{_display(path)}: chapter files go in data/local/chapters/<city_id>/<language>/; city ids: "
            f"{', '.join(cities)}; languages: {', '.join(LANGUAGES)}"
        )


def _chapters_dir(folder: Path | None) -> Path:
    return Path(folder) if folder is not None else paths.local_dir() / "chapters"


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ConfigError(f"unknown language '{language}'; allowed values: {', '.join(LANGUAGES)}")


def _check_chapter_files(lang_dir: Path, ids: tuple[str, ...]) -> None:
    if not lang_dir.is_dir():
        return
    allowed = [f"{i}.md" for i in ids]
    for file in sorted(lang_dir.iterdir()):
        if file.suffix.lower() == ".md" and file.name not in allowed:
            raise DataError(
                f"{_display(file)}: not a chapter file; rename it to one of: {', '.join(allowed)}"
            )


_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _read_body(file: Path) -> str | None:
    """The chapter text without its optional ``# Title`` line, or None when nothing is written."""
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{_display(file)}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # <!-- comments --> are notes for the writer (the guiding questions of a draft): never shown
    text = _COMMENT.sub("", text)
    lines = text.strip("\n").split("\n")
    # the registry title is shown instead of the expert's own first-line title
    if lines and re.match(r"^ {0,3}#(?:[ \t].*)?$", lines[0]):
        lines = lines[1:]
    body = "\n".join(lines).strip("\n").rstrip()
    return body if body.strip() else None


def _display(path: Path) -> str:
    return paths.shown(path.resolve())


def chapters_markdown(chapters: Sequence[Chapter], heading_level: int = 3, draft: bool = True) -> str:
    """Markdown showing chapters: the expert's text, or what stands for it when it is not written.

    The text is Markdown as the expert wrote it (raw HTML and links included), with its local
    images embedded (:func:`workbench.tidy.chapter_content.embed_images`):
    :func:`workbench.report.markdown.render_markdown` makes it safe when an annex shows it.

    Parameters
    ----------
    chapters
        From :func:`read_chapters`.
    heading_level
        Markdown level of each chapter's title (1-6); the expert's headings go under it: the
        highest level the text uses (``#`` or ``##``, e.g. its ``## Sources``) becomes
        ``heading_level + 1``, the next one ``heading_level + 2``, and so on (at most 6).
    draft
        For the expert and internal review (the lab notebook, ``workbench annex --draft``): an
        unwritten chapter shows a block quote with the placeholder sentence, the guiding questions
        and the file to write. Otherwise (a published annex) it shows one neutral line
        (``not_contributed`` in ``data/registry/chapters.yaml``) and no internal path. Either way,
        a chapter written in other languages says which (``available_in``), in words for readers.

    Returns
    -------
    str
        One heading per chapter followed by either the expert's text with its headings moved
        under the title, or what stands for it (see ``draft``). Empty when ``chapters`` is empty.

    Raises
    ------
    ConfigError
        If ``heading_level`` is not between 1 and 6.
    """
    if not isinstance(heading_level, int) or not 1 <= heading_level <= 6:
        raise ConfigError(f"heading_level must be an integer from 1 to 6, got {heading_level!r}")
    registry = load_chapter_registry()
    parts = []
    for chapter in chapters:
        parts.append(f"{'#' * heading_level} {chapter.title}")
        if chapter.text is not None:
            text = embed_images(chapter.text, chapter.path) if chapter.path is not None else chapter.text
            parts.append(demote_headings(text, heading_level))
            continue
        elsewhere = _written_in(chapter)
        if elsewhere:
            names = format_list([Locale.parse(chapter.language).languages[lang] for lang in elsewhere],
                                locale=chapter.language)
            parts.append(f"*{getattr(registry.available_in, chapter.language).format(languages=names)}*")
        if draft:
            parts.append(_placeholder(chapter, registry))
        elif not elsewhere:
            parts.append(f"*{getattr(registry.not_contributed, chapter.language)}*")
    return "\n\n".join(parts) + ("\n" if parts else "")


def _written_in(chapter: Chapter) -> list[str]:
    """The other languages in which this chapter is written."""
    if chapter.folder is None:
        return []
    others = []
    for language in LANGUAGES:
        file = Path(chapter.folder) / chapter.city_id / language / f"{chapter.id}.md"
        if language != chapter.language and file.is_file() and _read_body(file) is not None:
            others.append(language)
    return others


def _placeholder(chapter: Chapter, registry: ChapterRegistry) -> str:
    lang = chapter.language
    lines = [
        f"> **{getattr(registry.placeholder, lang)}**",
        ">",
        f"> {getattr(registry.questions_label, lang)}",
        ">",
        *(f"> - {q}" for q in chapter.questions),
        ">",
        f"> {getattr(registry.file_hint, lang)} `{chapter.location}`.",
    ]
    return "\n".join(lines)


def chapter_status(
    city_ids: Sequence[str], languages: Sequence[str] = LANGUAGES, folder: Path | None = None
) -> pd.DataFrame:
    """Which chapters are written, for each city and language.

    Parameters
    ----------
    city_ids
        Cities of the registry.
    languages
        Languages to check (each one of :data:`LANGUAGES`).
    folder
        The chapters folder; defaults to ``data/local/chapters``.

    Returns
    -------
    pandas.DataFrame
        Columns ``city_id``, ``chapter_id``, ``language``, ``status`` ('written' or
        'to be completed') and ``file`` (where the chapter is or goes); one row per city ×
        chapter × language, in the given city order, profile order and language order.

    Raises
    ------
    UnknownCityError, ConfigError
        For an unknown city or language.
    DataError
        For an unreadable chapter file, a ``.md`` file that is not a chapter, or a folder that
        is not a known city (at the top) or a language (inside a city folder).
    """
    for language in languages:
        _check_language(language)
    base = _chapters_dir(folder)
    _check_layout(base, city_ids)
    rows = []
    for city_id in city_ids:
        by_language = {language: read_chapters(city_id, language, folder) for language in languages}
        for spec_id in load_chapter_registry().ids:
            for language in languages:
                chapter = next(c for c in by_language[language] if c.id == spec_id)
                rows.append(
                    {
                        "city_id": city_id,
                        "chapter_id": chapter.id,
                        "language": language,
                        "status": STATUS_WRITTEN if chapter.written else STATUS_MISSING,
                        "file": chapter.location,
                    }
                )
    return pd.DataFrame(rows, columns=["city_id", "chapter_id", "language", "status", "file"])


def _check_layout(base: Path, city_ids: Sequence[str]) -> None:
    if not base.is_dir():
        return
    known = load_cities()
    for entry in sorted(base.iterdir()):
        if entry.is_dir() and entry.name not in known:
            raise DataError(f"{_display(entry)}: not a city id; known cities: {', '.join(known)}")
    for city_id in city_ids:
        city_dir = base / city_id
        if not city_dir.is_dir():
            continue
        for entry in sorted(city_dir.iterdir()):
            if entry.is_dir() and entry.name not in (*LANGUAGES, IMAGES_FOLDER):
                raise DataError(
                    f"{_display(entry)}: not a language folder; allowed: {', '.join(LANGUAGES)} "
                    f"(and {IMAGES_FOLDER}/ for the chapters' images)"
                )
            if entry.suffix.lower() == ".md":
                raise DataError(
                    f"{_display(entry)}: chapter files go in a language folder "
                    f"({', '.join(f'{city_id}/{lang}/' for lang in LANGUAGES)})"
                )

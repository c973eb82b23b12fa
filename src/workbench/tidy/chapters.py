"""Chapters only a local expert can write: read them per city and language, as Markdown for a profile."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench import paths
from workbench.errors import ConfigError, DataError
from workbench.reference.registry import LANGUAGES, describe_validation_error, get_city, load_cities, read_yaml

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
    "chapters_markdown",
    "chapter_status",
]

STATUS_WRITTEN = "written"
STATUS_MISSING = "to be completed"

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(_Strict):
    """One short text in English, French and Arabic."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)
    ar: str = Field(min_length=1)


class Questions(_Strict):
    """The guiding questions of a chapter in every language (translations, same order)."""

    en: list[str] = Field(min_length=3, max_length=6)
    fr: list[str] = Field(min_length=3, max_length=6)
    ar: list[str] = Field(min_length=3, max_length=6)

    @model_validator(mode="after")
    def _same_questions_everywhere(self) -> Questions:
        counts = {lang: len(getattr(self, lang)) for lang in LANGUAGES}
        if len(set(counts.values())) != 1:
            raise ValueError(f"every language needs the same number of questions, got {counts}")
        if any(not q.strip() for lang in LANGUAGES for q in getattr(self, lang)):
            raise ValueError("a question is empty")
        return self


class ChapterSpec(_Strict):
    """One chapter of the profile: its id (the file name), title and guiding questions."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Texts
    questions: Questions


class ChapterRegistry(_Strict):
    """``data/registry/chapters.yaml``: the chapters in profile order and the placeholder texts.

    ``not_contributed`` is the one line a published annex shows for an unwritten chapter;
    ``placeholder``, ``questions_label`` and ``file_hint`` make the block a draft shows instead.
    """

    not_contributed: Texts
    placeholder: Texts
    questions_label: Texts
    file_hint: Texts
    chapters: list[ChapterSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ChapterRegistry:
        ids = [c.id for c in self.chapters]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"chapter id(s) appear more than once: {', '.join(repeated)}")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Chapter ids in profile order."""
        return tuple(c.id for c in self.chapters)


@dataclass(frozen=True)
class Chapter:
    """One chapter of one city in one language, written or not.

    ``text`` is the expert's Markdown without its title line (``None`` when not written yet);
    ``path`` is the file if one exists (``None`` otherwise); ``location`` is where the file is or
    goes, relative to the project when it lies inside it.
    """

    id: str
    city_id: str
    language: str
    title: str
    text: str | None
    path: Path | None
    location: str
    questions: tuple[str, ...]

    @property
    def written(self) -> bool:
        """Whether the expert has written this chapter."""
        return self.text is not None


@functools.cache
def load_chapter_registry(root: Path | None = None) -> ChapterRegistry:
    """Load ``data/registry/chapters.yaml``.

    Parameters
    ----------
    root
        Registry folder; defaults to :func:`workbench.paths.registry_dir`.

    Returns
    -------
    ChapterRegistry
        The chapters in profile order, with titles, guiding questions and placeholder texts.

    Raises
    ------
    ConfigError
        If the file is missing, not UTF-8 or YAML, has an unknown key, lacks a language, has
        fewer than 3 or more than 6 questions, or repeats a chapter id.
    """
    return read_chapter_registry((root or paths.registry_dir()) / "chapters.yaml")


def read_chapter_registry(path: Path) -> ChapterRegistry:
    """Read and check a chapters registry file (any name, anywhere); see :func:`load_chapter_registry`.

    Raises
    ------
    ConfigError
        Naming the file and the key of the first problem.
    """
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: expected a mapping with keys placeholder, questions_label, file_hint, chapters"
        )
    try:
        return ChapterRegistry.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, model=ChapterRegistry)) from None


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
        "written (N words)" or "not written yet (empty)", followed by a remark when the text
        holds raw HTML (shown as text in the annexes, never rendered).

    Raises
    ------
    DataError
        Naming the file: missing, wrong name, wrong folder, or not UTF-8 text.
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
    words = len(body.split())
    remark = "; raw HTML in the text is shown as text, not rendered" if re.search(r"<[A-Za-z/!?]", body) else ""
    return f"written ({words} word{'' if words == 1 else 's'}){remark}"


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

    The text is Markdown as the expert wrote it (raw HTML and links included):
    :func:`workbench.report.markdown.render_markdown` makes it safe when an annex shows it.

    Parameters
    ----------
    chapters
        From :func:`read_chapters`.
    heading_level
        Markdown level of each chapter's title (1-6); headings inside the expert's text are
        demoted below it (at most level 6).
    draft
        For the expert and internal review (the lab notebook, ``workbench annex --draft``): an
        unwritten chapter shows a block quote with the placeholder sentence, the guiding questions
        and the file to write. Otherwise (a published annex) it shows one neutral line
        (``not_contributed`` in ``data/registry/chapters.yaml``) and no internal path.

    Returns
    -------
    str
        One heading per chapter followed by either the expert's text with its headings demoted,
        or what stands for it (see ``draft``). Empty when ``chapters`` is empty.

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
            parts.append(_demote_headings(chapter.text, heading_level))
        elif draft:
            parts.append(_placeholder(chapter, registry))
        else:
            parts.append(f"*{getattr(registry.not_contributed, chapter.language)}*")
    return "\n\n".join(parts) + ("\n" if parts else "")


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


# --- headings ----------------------------------------------------------------------------------

#: Parses only to find headings (rendering to HTML is the report layer's job).
_HEADINGS = MarkdownIt("commonmark")


def _demote_headings(text: str, shift: int) -> str:
    """The text with every heading ``shift`` levels lower (at most 6), found by a CommonMark parser.

    A setext heading (a line underlined with ``===`` or ``---``) at the top level becomes one ATX
    line, since an underline cannot say "level 4"; headings in code blocks are left alone.
    """
    lines = text.split("\n")
    for token in _HEADINGS.parse(text):
        if token.type != "heading_open" or token.map is None:
            continue
        level = min(6, int(token.tag[1]) + shift)
        first, end = token.map
        if token.markup.startswith("#"):
            # container markers ('>', '-', '1.') come before the '#' run, never inside it
            at = lines[first].index(token.markup)
            lines[first] = lines[first][:at] + "#" * level + lines[first][at + len(token.markup) :]
        elif token.level == 0:
            words = " ".join(line.strip() for line in lines[first : end - 1])
            lines[first:end] = ["#" * level + " " + words] + [None] * (end - first - 1)
    return "\n".join(line for line in lines if line is not None)


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
            if entry.is_dir() and entry.name not in LANGUAGES:
                raise DataError(
                    f"{_display(entry)}: not a language folder; allowed: {', '.join(LANGUAGES)}"
                )
            if entry.suffix.lower() == ".md":
                raise DataError(
                    f"{_display(entry)}: chapter files go in a language folder "
                    f"({', '.join(f'{city_id}/{lang}/' for lang in LANGUAGES)})"
                )

"""What chapters a City Migration Profile has: ``data/registry/chapters.yaml``, its titles, guiding questions and placeholder texts."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.registry import LANGUAGES, describe_validation_error, read_yaml

__all__ = ["Texts", "Questions", "ChapterSpec", "ChapterRegistry", "load_chapter_registry", "read_chapter_registry"]


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
    ``placeholder``, ``questions_label`` and ``file_hint`` make the block a draft shows instead;
    ``available_in`` is added where the chapter is written in another language.
    """

    not_contributed: Texts
    placeholder: Texts
    questions_label: Texts
    file_hint: Texts
    available_in: Texts = Texts(en="This chapter is available in {languages}.", fr="Ce chapitre existe en {languages}.",
                                ar="هذا الفصل متوفّر باللغة {languages}.")
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

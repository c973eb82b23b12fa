"""Tests of the chapters local experts write: registry, reading, safe rendering, status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from workbench import paths
from workbench.report.markdown import render_markdown
from workbench.tidy.chapters import (
    LANGUAGES,
    Chapter,
    chapter_status,
    chapters_markdown,
    load_chapter_registry,
    read_chapters,
)
from workbench.errors import ConfigError, DataError, UnknownCityError
from workbench.reference.registry import load_cities

IDS = ["national_policy", "institutional_framework", "access_to_services", "priorities"]
PLACEHOLDERS = {
    "en": "To be completed by the local expert.",
    "fr": "À compléter par l'expert local.",
}


def _write(folder: Path, city: str, lang: str, name: str, text: str | bytes) -> Path:
    file = folder / city / lang / name
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


def _chapter(text: str | None, language: str = "en") -> Chapter:
    return Chapter(
        id="national_policy",
        city_id="vienna",
        language=language,
        title="National migration policy",
        text=text,
        path=None,
        location="data/local/chapters/vienna/en/national_policy.md",
        questions=("Q one?", "Q two?", "Q three?"),
    )


# --- registry ----------------------------------------------------------------------------------


def test_load_chapter_registry_holds_the_four_chapters_in_profile_order():
    registry = load_chapter_registry()
    assert list(registry.ids) == IDS
    for chapter in registry.chapters:
        counts = {lang: len(getattr(chapter.questions, lang)) for lang in LANGUAGES}
        assert len(set(counts.values())) == 1 and 3 <= counts["en"] <= 6, chapter.id
        for lang in LANGUAGES:
            assert getattr(chapter.title, lang).strip()
        # the Arabic texts are written in Arabic script
        assert re.search(r"[\u0600-\u06FF]", chapter.title.ar)
        assert all(re.search(r"[\u0600-\u06FF]", q) for q in chapter.questions.ar)
    assert registry.placeholder.en == PLACEHOLDERS["en"]
    assert registry.placeholder.fr == PLACEHOLDERS["fr"]
    assert re.search(r"[\u0600-\u06FF]", registry.placeholder.ar)


def _registry_text() -> dict:
    return yaml.safe_load((paths.registry_dir() / "chapters.yaml").read_text(encoding="utf-8"))


def _write_registry(root: Path, raw: dict) -> Path:
    (root / "chapters.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return root


def test_load_chapter_registry_rejects_unknown_key(tmp_path: Path):
    raw = _registry_text()
    raw["chapters"][1]["colour"] = "red"
    with pytest.raises(ConfigError, match=r"chapters\.yaml: key 'chapters\.1\.colour': unknown key"):
        load_chapter_registry(_write_registry(tmp_path, raw))


def test_load_chapter_registry_rejects_a_missing_language(tmp_path: Path):
    raw = _registry_text()
    del raw["chapters"][2]["title"]["ar"]
    with pytest.raises(ConfigError, match=r"key 'chapters\.2\.title\.ar': missing required key"):
        load_chapter_registry(_write_registry(tmp_path, raw))


def test_load_chapter_registry_rejects_uneven_or_too_few_questions(tmp_path: Path):
    raw = _registry_text()
    raw["chapters"][0]["questions"]["fr"].pop()
    (tmp_path / "uneven").mkdir()
    with pytest.raises(ConfigError, match="same number of questions"):
        load_chapter_registry(_write_registry(tmp_path / "uneven", raw))
    raw = _registry_text()
    raw["chapters"][3]["questions"] = {lang: ["Why?", "How?"] for lang in LANGUAGES}
    with pytest.raises(ConfigError, match=r"chapters\.3\.questions\.en"):
        load_chapter_registry(_write_registry(tmp_path, raw))


def test_load_chapter_registry_rejects_a_repeated_id(tmp_path: Path):
    raw = _registry_text()
    raw["chapters"][3]["id"] = "national_policy"
    with pytest.raises(ConfigError, match="national_policy"):
        load_chapter_registry(_write_registry(tmp_path, raw))


def test_readme_mentions_every_chapter_id():
    readme = (paths.local_dir() / "chapters" / "README.md").read_text(encoding="utf-8")
    for chapter_id in load_chapter_registry().ids:
        assert f"`{chapter_id}`" in readme, chapter_id


# --- reading -----------------------------------------------------------------------------------


def test_read_chapters_without_files_gives_every_chapter_unwritten(tmp_path: Path):
    chapters = read_chapters("tanger", "fr", folder=tmp_path)
    assert [c.id for c in chapters] == IDS
    assert all(c.text is None and c.path is None and not c.written for c in chapters)
    assert chapters[0].title == "Politique migratoire nationale"
    assert chapters[0].location == str(tmp_path / "tanger" / "fr" / "national_policy.md")
    assert chapters[2].questions[0].startswith("Les migrants, quel que soit leur statut")


def test_read_chapters_reads_the_text_and_drops_the_title_line(tmp_path: Path):
    file = _write(tmp_path, "vienna", "en", "priorities.md", "\ufeff# Our priorities\r\n\r\nHousing first.\r\n\r\n")
    chapters = read_chapters("vienna", "en", folder=tmp_path)
    by_id = {c.id: c for c in chapters}
    assert by_id["priorities"].text == "Housing first."
    assert by_id["priorities"].path == file and by_id["priorities"].written
    assert by_id["national_policy"].text is None


def test_read_chapters_treats_blank_or_title_only_files_as_not_written(tmp_path: Path):
    _write(tmp_path, "vienna", "en", "priorities.md", "  \n\t\n")
    _write(tmp_path, "vienna", "en", "national_policy.md", "# National migration policy\n\n")
    chapters = read_chapters("vienna", "en", folder=tmp_path)
    assert not any(c.written for c in chapters)
    assert {c.id for c in chapters if c.path is not None} == {"priorities", "national_policy"}


def test_read_chapters_keeps_a_second_level_heading_on_the_first_line(tmp_path: Path):
    _write(tmp_path, "vienna", "en", "priorities.md", "## Housing\nText.")
    assert read_chapters("vienna", "en", folder=tmp_path)[3].text == "## Housing\nText."


def test_read_chapters_rejects_a_file_that_is_not_utf8(tmp_path: Path):
    _write(tmp_path, "lyon", "fr", "priorities.md", "Priorités".encode("latin-1"))
    with pytest.raises(DataError, match=r"lyon/fr/priorities\.md: not UTF-8 text"):
        read_chapters("lyon", "fr", folder=tmp_path)


def test_read_chapters_rejects_an_unknown_markdown_file(tmp_path: Path):
    _write(tmp_path, "lyon", "fr", "politique.md", "Texte.")
    _write(tmp_path, "lyon", "fr", "notes.txt", "ignored")
    with pytest.raises(DataError, match=r"politique\.md: not a chapter file; rename it to one of: national_policy\.md"):
        read_chapters("lyon", "fr", folder=tmp_path)


def test_read_chapters_unknown_city_or_language(tmp_path: Path):
    with pytest.raises(UnknownCityError, match="unknown city 'paris'"):
        read_chapters("paris", "fr", folder=tmp_path)
    with pytest.raises(ConfigError, match="unknown language 'de'; allowed values: en, fr, ar"):
        read_chapters("vienna", "de", folder=tmp_path)


def test_real_chapters_folder_gives_the_placeholder_for_every_city_and_language():
    for city_id in load_cities():
        for lang in LANGUAGES:
            chapters = read_chapters(city_id, lang)
            assert [c.id for c in chapters] == IDS
            assert not any(c.written for c in chapters), (city_id, lang)
            assert chapters[0].location == f"data/local/chapters/{city_id}/{lang}/national_policy.md"
            text = chapters_markdown(chapters)
            assert text.count(f"**{load_chapter_registry().placeholder.model_dump()[lang]}**") == 4


# --- rendering ---------------------------------------------------------------------------------


def test_chapters_markdown_placeholder_lists_questions_and_file():
    text = chapters_markdown([_chapter(None)])
    assert text.startswith("### National migration policy\n\n> **To be completed by the local expert.**")
    assert "> - Q one?\n> - Q two?\n> - Q three?" in text
    assert "`data/local/chapters/vienna/en/national_policy.md`" in text
    page = render_markdown(text)
    assert "<blockquote>" in page and page.count("<li>") == 3


def test_chapters_markdown_placeholder_in_french_and_arabic(tmp_path: Path):
    fr = chapters_markdown(read_chapters("tunis", "fr", folder=tmp_path), heading_level=2)
    assert fr.startswith("## Politique migratoire nationale\n\n> **À compléter par l'expert local.**")
    ar = chapters_markdown(read_chapters("tunis", "ar", folder=tmp_path))
    assert "### السياسة الوطنية للهجرة" in ar and load_chapter_registry().placeholder.ar in ar


def test_chapters_markdown_demotes_headings_below_the_chapter_heading():
    source = "# Top\ntext\n\n## Sub\n\nSetext\n======\n\n```\n# not a heading\n```\n\n###### deep"
    text = chapters_markdown([_chapter(source)], heading_level=3)
    assert "\n#### Top\n" in text and "\n##### Sub\n" in text and "\n#### Setext\n" in text
    assert "\n# not a heading\n" in text and "\n###### deep" in text
    levels = [int(h) for h in re.findall(r"<h([1-6])", render_markdown(text))]
    assert levels[0] == 3 and all(level > 3 for level in levels[1:])


def test_chapters_markdown_demotes_headings_in_quotes_and_lists_but_not_in_code():
    source = "    # indented code\n\n> ## Quoted\n\n- # In a list\n\n```\t```not a fence\n\n## After"
    text = chapters_markdown([_chapter(source)], heading_level=2)
    assert "\n> #### Quoted\n" in text and "\n- ### In a list\n" in text and "\n    # indented code\n" in text
    assert text.endswith("\n#### After\n")


def test_chapters_markdown_rejects_a_bad_heading_level():
    with pytest.raises(ConfigError, match="heading_level must be an integer from 1 to 6"):
        chapters_markdown([_chapter(None)], heading_level=7)


def test_chapters_markdown_of_nothing_is_empty():
    assert chapters_markdown([]) == ""


# --- status ------------------------------------------------------------------------------------


def test_chapter_status_marks_written_chapters(tmp_path: Path):
    _write(tmp_path, "vienna", "fr", "priorities.md", "Le logement d'abord.")
    _write(tmp_path, "vienna", "en", "priorities.md", "# Title only\n")
    status = chapter_status(["vienna", "amman"], folder=tmp_path)
    assert list(status.columns) == ["city_id", "chapter_id", "language", "status", "file"]
    assert len(status) == 2 * 4 * 3
    written = status[status["status"] == "written"]
    assert written[["city_id", "chapter_id", "language"]].values.tolist() == [["vienna", "priorities", "fr"]]
    assert set(status["status"]) == {"written", "to be completed"}
    assert status.iloc[0].tolist()[:3] == ["vienna", "national_policy", "en"]


def test_chapter_status_rejects_stray_folders_and_files(tmp_path: Path):
    (tmp_path / "wien").mkdir()
    with pytest.raises(DataError, match=r"wien: not a city id; known cities: amman"):
        chapter_status(["vienna"], folder=tmp_path)
    (tmp_path / "wien").rmdir()
    (tmp_path / "vienna" / "de").mkdir(parents=True)
    with pytest.raises(DataError, match=r"vienna/de: not a language folder; allowed: en, fr, ar"):
        chapter_status(["vienna"], folder=tmp_path)
    (tmp_path / "vienna" / "de").rmdir()
    _write(tmp_path, "vienna", ".", "priorities.md", "Text.")
    with pytest.raises(DataError, match=r"chapter files go in a language folder"):
        chapter_status(["vienna"], folder=tmp_path)


def test_chapter_status_rejects_an_unknown_language(tmp_path: Path):
    with pytest.raises(ConfigError, match="unknown language 'es'"):
        chapter_status(["madrid"], languages=("es",), folder=tmp_path)


def test_chapter_status_of_the_real_folder_is_all_to_be_completed():
    status = chapter_status(list(load_cities()))
    assert len(status) == len(load_cities()) * 4 * 3 and set(status["status"]) == {"to be completed"}


# --- checking one chapter file (workbench validate PATH) ---------------------------------------


def test_check_chapter_file_reports_written_or_empty(tmp_path: Path):
    from workbench.tidy.chapters import check_chapter_file

    path = _write(tmp_path, "vienna", "en", "priorities.md", "# Priorities\n\nHousing first.\n")
    assert check_chapter_file(path) == "written (2 words)"
    path.write_text("# Priorities\n", encoding="utf-8")
    assert check_chapter_file(path) == "not written yet (empty)"


@pytest.mark.parametrize(
    ("city", "lang", "name", "text", "fragment"),
    [
        ("vienna", "en", "summary.md", "x", "not a chapter file name; expected one of: national_policy.md"),
        ("vienna", "en", "priorities.txt", "x", "not a chapter file name"),
        ("vienna", "it", "priorities.md", "x", "folder 'it' is not a language; allowed: en, fr, ar"),
        ("vienna", "fr", "priorities.md", "Priorités".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_check_chapter_file_rejects(tmp_path: Path, city, lang, name, text, fragment):
    from workbench.tidy.chapters import check_chapter_file

    path = _write(tmp_path, city, lang, name, text)
    with pytest.raises(DataError, match=re.escape(fragment)):
        check_chapter_file(path)


def test_check_chapter_file_inside_the_project_needs_city_and_language_folders(project_copy: Path, monkeypatch):
    from workbench.tidy.chapters import check_chapter_file

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    base = project_copy / "data" / "local" / "chapters"
    assert check_chapter_file(_write(base, "vienna", "fr", "priorities.md", "Texte.")) == "written (1 word)"
    with pytest.raises(DataError, match=r"chapter files go in data/local/chapters/<city_id>/<language>/"):
        check_chapter_file(_write(base, "atlantis", "en", "priorities.md", "Text."))


def test_read_chapter_registry_reads_any_file(tmp_path: Path):
    from workbench.tidy.chapters import read_chapter_registry

    raw = _registry_text()
    raw["colour"] = "red"
    path = tmp_path / "my_chapters.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"my_chapters\.yaml: key 'colour': unknown key; allowed keys: not_contributed, placeholder"):
        read_chapter_registry(path)

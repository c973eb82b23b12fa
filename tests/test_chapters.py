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


# --- what an annex can publish: images, raw HTML, headings, other languages ---------------------


def _png(path: Path, colour=(200, 30, 30)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 30), colour).save(path)
    return path


def test_check_chapter_file_refuses_a_web_image_with_its_line_and_the_fix(tmp_path: Path):
    from workbench.tidy.chapters import check_chapter_file

    path = _write(tmp_path, "tunis", "fr", "priorities.md",
                  "# Priorités\n\n<!-- a\nnote -->\nTexte.\n\n![carte](https://example.org/carte.png)\n")
    with pytest.raises(DataError) as caught:
        check_chapter_file(path)
    message = str(caught.value)
    assert "priorities.md, line 7: image 'https://example.org/carte.png' is a web address" in message
    assert "put the image under data/local/chapters/tunis/images/ (or the chapter folder) and link it relatively" in message


@pytest.mark.parametrize(("markdown", "fragment"), [
    ("![plan](../images/plan.png)", "line 3: image file '../images/plan.png' not found"),
    ("![plan](../../other/plan.png)", "line 3: image '../../other/plan.png' lies outside data/local/chapters/tunis/"),
    ("![plan](plan.bmp)", "line 3: image 'plan.bmp' is not a PNG, JPEG or GIF file"),
    ("![x][r]\n\n[r]: data:image/png;base64,iVBORw0KGgo=", "line 5: image 'data:image/png;base64,iVBORw0KGgo=' is not a file"),
])
def test_check_chapter_file_refuses_an_image_an_annex_cannot_embed(tmp_path: Path, markdown: str, fragment: str):
    from workbench.tidy.chapters import check_chapter_file

    (tmp_path / "tunis" / "fr" / "plan.bmp").parent.mkdir(parents=True)
    (tmp_path / "tunis" / "fr" / "plan.bmp").write_bytes(b"BM....")
    path = _write(tmp_path, "tunis", "fr", "priorities.md", f"Texte.\n\n{markdown}\n")
    with pytest.raises(DataError, match=re.escape(fragment)):
        check_chapter_file(path)


def test_a_local_image_passes_and_raw_html_is_a_warning_with_its_line(tmp_path: Path):
    from workbench.tidy.chapters import chapter_warnings, check_chapter_file

    _png(tmp_path / "tunis" / "images" / "plan.png")
    path = _write(tmp_path, "tunis", "fr", "priorities.md",
                  "# T\n\n![plan](../images/plan.png)\n\nTexte <script>alert(1)</script>.\n\n<img src=x onerror=alert(1)>\n")
    assert check_chapter_file(path).startswith("written (")
    warnings = chapter_warnings(path)
    assert [w.split(":")[0] for w in warnings] == ["line 5", "line 7"]
    assert "raw HTML '<script>' is dropped from the annexes" in warnings[0]


def test_validate_cli_refuses_a_web_image_and_warns_about_html(project_copy: Path):
    from conftest import run_cli

    base = project_copy / "data" / "local" / "chapters"
    bad = _write(base, "tunis", "fr", "priorities.md", "Texte.\n\n![carte](https://example.org/carte.png)\n")
    result = run_cli("validate", str(bad), root=project_copy)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "FAIL chapter" in result.stdout and "priorities.md, line 3: image 'https://example.org/carte.png'" in result.stdout
    result = run_cli("validate", "--city", "tunis", root=project_copy)
    assert result.returncode == 2 and "line 3: image 'https://example.org/carte.png'" in result.stdout
    bad.write_text("Texte <b>gras</b>.\n", encoding="utf-8")
    result = run_cli("validate", "--city", "tunis", root=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^WARN chapter data/local/chapters/tunis/fr/priorities.md: written .*line 1: raw HTML '<b>'",
                     result.stdout, re.M), result.stdout


def test_check_chapter_contents_refuses_before_a_run(project_copy: Path, monkeypatch):
    from workbench.batch.plan import check_local_inputs

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    base = project_copy / "data" / "local" / "chapters"
    _write(base, "tunis", "ar", "priorities.md", "نص.\n\n![خريطة](map.png)\n")
    check_local_inputs(["madrid"])
    with pytest.raises(DataError, match=r"tunis/ar/priorities.md, line 3: image file 'map.png' not found"):
        check_local_inputs(["madrid", "tunis"])


def test_chapters_markdown_embeds_local_images(tmp_path: Path):
    _png(tmp_path / "tunis" / "images" / "plan.png")
    _png(tmp_path / "tunis" / "fr" / "photo.jpg")
    _write(tmp_path, "tunis", "fr", "priorities.md",
           "![plan](../images/plan.png) ![photo](<photo.jpg>)\n\n![ref][p]\n\n[p]: ../images/plan.png\n")
    text = chapters_markdown(read_chapters("tunis", "fr", folder=tmp_path), draft=False)
    assert "../images/plan.png" not in text and "photo.jpg" not in text
    assert "![plan](data:image/png;base64,iVBOR" in text and "![photo](<data:image/jpeg;base64,/9j/" in text
    assert "[p]: data:image/png;base64,iVBOR" in text
    page = render_markdown(text)
    assert page.count('<img src="data:image/png;base64,') == 2 and page.count('<img src="data:image/jpeg;base64,') == 1


def test_headings_go_under_the_chapter_title_and_sources_is_a_sub_heading(tmp_path: Path):
    text = chapters_markdown([_chapter("Text.\n\n## Context\n\n### Detail\n\n## Sources\n\n- INS, 2021.")], heading_level=3)
    page = render_markdown(text)
    assert re.findall(r"<h(\d)>([^<]+)</h\d>", page) == [
        ("3", "National migration policy"), ("4", "Context"), ("5", "Detail"), ("4", "Sources")]


def test_an_unwritten_chapter_says_in_which_languages_it_exists(tmp_path: Path):
    _write(tmp_path, "tunis", "ar", "national_policy.md", "# السياسة\n\nنص الفصل.\n")
    fr = chapters_markdown(read_chapters("tunis", "fr", folder=tmp_path), draft=False)
    assert "### Politique migratoire nationale\n\n*Ce chapitre existe en arabe.*\n\n### Cadre" in fr
    assert "data/" not in fr and ".md" not in fr
    en = chapters_markdown(read_chapters("tunis", "en", folder=tmp_path), draft=False)
    assert "*This chapter is available in Arabic.*" in en
    _write(tmp_path, "tunis", "en", "national_policy.md", "Text.\n")
    fr = chapters_markdown(read_chapters("tunis", "fr", folder=tmp_path), draft=False)
    assert "*Ce chapitre existe en anglais et arabe.*" in fr
    ar = chapters_markdown(read_chapters("tunis", "ar", folder=tmp_path), draft=False)
    assert "نص الفصل." in ar and "متوفّر" not in ar
    _write(tmp_path, "tunis", "fr", "priorities.md", "Texte.\n")
    ar = chapters_markdown(read_chapters("tunis", "ar", folder=tmp_path), draft=False)
    assert "*هذا الفصل متوفّر باللغة الفرنسية.*" in ar
    # a draft keeps its box for the expert, with the same line above it
    draft = chapters_markdown(read_chapters("tunis", "ar", folder=tmp_path), draft=True)
    assert "*هذا الفصل متوفّر باللغة الفرنسية.*\n\n> **" in draft


def test_chapters_command_writes_the_drafts_of_an_existing_city_and_keeps_its_chapters(project_copy: Path):
    from conftest import run_cli

    base = project_copy / "data" / "local" / "chapters" / "tunis"
    kept = _write(base.parent, "tunis", "fr", "priorities.md", "# Priorités\n\nTexte écrit.\n")
    result = run_cli("chapters", "--city", "tunis", root=project_copy)
    assert result.returncode == 0, result.stderr
    assert "kept   data/local/chapters/tunis/fr/priorities.md" in result.stdout
    assert "wrote  data/local/chapters/tunis/ar/national_policy.md" in result.stdout
    assert len(list(base.rglob("*.md"))) == 4 * len(LANGUAGES)
    assert kept.read_text(encoding="utf-8") == "# Priorités\n\nTexte écrit.\n"
    assert "<!--" in (base / "en" / "priorities.md").read_text(encoding="utf-8")
    again = run_cli("chapters", "--city", "tunis", root=project_copy)
    assert again.returncode == 0 and "0 drafts written, 12 chapter files kept" in again.stdout
    assert run_cli("chapters", "--city", "atlantis", root=project_copy).returncode == 2


# --- the annexes of a chapter with an image and a pasted script ---------------------------------


def _annex_page(folder: Path, lang: str, images: str) -> str:
    import nbformat

    from workbench.report.annex_document import city_document
    from workbench.report.annex_html import render_html

    texts = {language: chapters_markdown(read_chapters("tunis", language, folder=folder), draft=False)
             for language in LANGUAGES}
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Profile\n\n## 6. Local knowledge"),
        nbformat.v4.new_code_cell("chapters", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": texts[lang]}, metadata={"workbench_text": {"by_lang": texts}})]),
    ]
    path = folder / "profile.ipynb"
    nbformat.write(notebook, str(path))
    return render_html(city_document(path, "tunis"), {"run_id": "test"}, lang=lang, images=images)


@pytest.fixture(scope="module")
def annexes(tmp_path_factory) -> dict[str, Path | str]:
    """The French annex of Tunis whose chapter holds a local image, a table and a pasted script, in every format."""
    from workbench.report.annex_docx import write_docx
    from workbench.report.annex_pdf import write_pdf

    folder = tmp_path_factory.mktemp("chapters")
    _png(folder / "tunis" / "images" / "districts.png", (10, 120, 200))
    _write(folder, "tunis", "fr", "national_policy.md",
           "# Politique\n\nLa loi de 1968.\n\n![Carte des quartiers](../images/districts.png)\n\n"
           "| année | loi |\n|---|---|\n| 1968 | loi 68-7 |\n\nTexte <script>alert(1)</script> collé.\n\n"
           "<img src=x onerror=alert(2)>\n\n## Sources\n\n- INS, 2021.\n")
    page = _annex_page(folder, "fr", "png")
    return {"web": _annex_page(folder, "fr", "svg"), "pdf": write_pdf(page, folder / "tunis.pdf", "fr"),
            "docx": write_docx(page, folder / "tunis.docx", "fr")}


def test_annex_web_page_embeds_the_chapter_image_and_drops_the_script(annexes):
    from bs4 import BeautifulSoup

    body = BeautifulSoup(annexes["web"], "html.parser").body
    images = [img["src"] for img in body.find_all("img")]
    assert images and all(src.startswith("data:") for src in images), "the page is self-contained"
    assert any(img.get("alt") == "Carte des quartiers" and img["src"].startswith("data:image/png;base64,")
               for img in body.find_all("img"))
    assert "alert" not in body.get_text() and "<script" not in str(body) and "onerror" not in str(body)
    headings = [(h.name, h.get_text()) for h in body.find_all(re.compile("^h[3-6]$"))]
    assert ("h3", "Politique migratoire nationale") in headings and ("h4", "Sources") in headings
    assert body.find("td", string="loi 68-7") is not None


def test_annex_pdf_holds_the_chapter_image_and_no_script_text(annexes):
    import pypdf

    reader = pypdf.PdfReader(str(annexes["pdf"]))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "La loi de 1968." in text and "alert" not in text and "script" not in text
    xobjects = [x for page in reader.pages for x in (page["/Resources"].get("/XObject") or {}).values()]
    assert any(x.get_object()["/Subtype"] == "/Image" for x in xobjects)


def test_annex_docx_holds_the_chapter_image_and_no_script_text(annexes):
    import zipfile

    import docx

    with zipfile.ZipFile(annexes["docx"]) as archive:
        assert any(name.startswith("word/media/") for name in archive.namelist())
    text = "\n".join(p.text for p in docx.Document(str(annexes["docx"])).paragraphs)
    assert "La loi de 1968." in text and "alert" not in text


def test_a_pdf_that_fails_on_a_chapter_names_the_chapter_file_and_line(project_copy: Path, monkeypatch):
    from workbench.errors import WorkbenchError
    from workbench.report.annex import _write as write_annex_file

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    base = project_copy / "data" / "local" / "chapters"
    # a PNG by its first bytes, broken after them: validate cannot tell, WeasyPrint cannot load it
    (base / "tunis" / "images").mkdir(parents=True)
    (base / "tunis" / "images" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"broken" * 10)
    _write(base, "tunis", "fr", "priorities.md", "Texte.\n\n![plan](../images/broken.png)\n")
    page = _annex_page(base, "fr", "png")
    with pytest.raises(WorkbenchError) as caught:
        write_annex_file("pdf", page, project_copy / "outputs" / "tunis.pdf", "fr", "tunis")
    message = str(caught.value)
    assert "from the chapter data/local/chapters/tunis/fr/priorities.md, line 3" in message
    assert len(message) < 600, "the embedded image is not printed whole"

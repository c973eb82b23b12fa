"""What makes an annex publishable: no drafting material, tables a reader can print, a tagged PDF."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench.reference.i18n import by_language, from_json
from workbench.report import annex_document, annex_html
from workbench.report.exhibits import table_json
from workbench.tidy.chapters import Chapter, chapters_markdown, load_chapter_registry

PROVENANCE = {"run_id": "run-1", "git_commit": "abc123", "started": "", "packages": {}, "inputs": {}}


def _unwritten(lang: str) -> Chapter:
    return Chapter("national_policy", "madrid", lang, "National migration policy", None, None,
                   f"data/local/chapters/madrid/{lang}/national_policy.md", ("What changed?", "Who decides?", "Since when?"))


def _chapter_notebook(path: Path) -> Path:
    # the chapter cell of a profile: the published text and its draft travel together
    texts = by_language({lang: chapters_markdown([_unwritten(lang)], draft=False) for lang in ("en", "fr", "ar")},
                        drafts={lang: chapters_markdown([_unwritten(lang)]) for lang in ("en", "fr", "ar")})
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(texts)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": str(texts), "text/plain": "m"},
                                           metadata={"workbench_text": texts.to_json()})]
    nb.cells = [nbformat.v4.new_markdown_cell("## 6. Local knowledge"), cell]
    out = path / "profile.ipynb"
    nbformat.write(nb, str(out))
    return out


def test_an_unwritten_chapter_is_one_neutral_line_in_a_publication_and_its_questions_in_a_draft():
    registry = load_chapter_registry()
    published = chapters_markdown([_unwritten("en")], draft=False)
    assert registry.not_contributed.en in published
    assert "What changed?" not in published and "data/local" not in published and "Write this chapter" not in published
    draft = chapters_markdown([_unwritten("en")])
    assert "What changed?" in draft and "data/local/chapters/madrid/en/national_policy.md" in draft


def test_text_with_a_draft_survives_the_notebook_round_trip():
    texts = by_language({"en": "E", "fr": "F", "ar": "A"}, shown="fr", drafts={"en": "dE", "fr": "dF", "ar": "dA"})
    assert str(texts) == "dF"  # a notebook shows the draft
    again = from_json(texts.to_json())
    assert again.texts == {"en": "E", "fr": "F", "ar": "A"} and again.draft().texts["ar"] == "dA"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_published_annex_shows_the_neutral_line_and_the_draft_annex_the_questions(tmp_path: Path, lang: str):
    document = annex_document.city_document(_chapter_notebook(tmp_path), "amman")
    page = annex_html.render_html(document, PROVENANCE, threshold=0, lang=lang)
    assert getattr(load_chapter_registry().not_contributed, lang) in page
    assert "data/local" not in page and "&lt;" not in page and "What changed?" not in page
    draft = annex_html.render_html(document, PROVENANCE, threshold=0, lang=lang, draft=True)
    assert "What changed?" in draft and "national_policy.md" in draft
    assert re.search(r"<title>[^<]*(DRAFT|PROJET|مسودة)", draft)


def _table_notebook(path: Path, table: pd.DataFrame) -> Path:
    caption = {"by_lang": {"en": "Cap", "fr": "Légende", "ar": "عنوان"}}
    meta = {"kind": "table", "number": 1, "label": "Table 1", "caption": "Cap", "caption_i18n": caption, "sources": [], "source_ids": [],
            "notes": [], "slug": "table-1", "table": table_json(table)}
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.table(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "Cap"}, metadata={"workbench": meta})]
    nb.cells = [cell]
    out = path / "profile.ipynb"
    nbformat.write(nb, str(out))
    return out


def test_a_table_has_its_caption_and_column_scopes():
    page, _ = annex_html.table_html(pd.DataFrame({"origin": ["Peru"], "persons": [12.0]}), 0, "en", caption="<b>Table A.1.</b> Cap")
    assert page.startswith('<table class="wb-table"><caption class="wb-caption"><b>Table A.1.</b> Cap</caption>')
    assert page.count('<th scope="col">') == 2
    # an empty table keeps its caption: its number is in the list of tables and in Word's sequence
    empty, _ = annex_html.table_html(pd.DataFrame({"origin": []}), 0, "fr", caption="<b>Tableau B.8.</b> Cap")
    assert '<caption class="wb-caption"><b>Tableau B.8.</b> Cap</caption>' in empty and "Pas de données." in empty


def test_a_long_table_shows_its_first_rows_and_links_the_full_table(tmp_path: Path):
    rows = annex_html.MAX_ROWS + 7
    table = pd.DataFrame({"district": [f"D{i:03d}" for i in range(rows)], "persons": [100.0 + i for i in range(rows)]})
    document = annex_document.city_document(_table_notebook(tmp_path, table), "madrid")
    page = annex_html.render_html(document, PROVENANCE, threshold=0)
    assert f"D{annex_html.MAX_ROWS - 1:03d}" in page and f"D{annex_html.MAX_ROWS:03d}" not in page
    assert f'href="{annex_html.downloads_folder("madrid")}/table-a-1.csv"' in page
    assert f"The first {annex_html.MAX_ROWS} of {rows} rows" in page


def test_disclosure_control_looks_at_the_whole_table_before_it_is_cut():
    table = pd.DataFrame({"district": ["A", "B", "C"], "persons": [100.0, 200.0, 3.0]})
    page, hidden = annex_html.table_html(table, 5, "en", max_rows=2)
    assert hidden == 1 and "<td>C</td>" not in page


def test_a_wide_table_goes_on_a_landscape_page_and_a_narrow_one_does_not(tmp_path: Path):
    wide = pd.DataFrame({f"{2000 + i}": [float(i)] for i in range(annex_html.LANDSCAPE_COLUMNS)})
    page = annex_html.render_html(annex_document.city_document(_table_notebook(tmp_path, wide), "madrid"), PROVENANCE, 0)
    assert "wb-landscape" in page
    narrow = wide.iloc[:, : annex_html.LANDSCAPE_COLUMNS - 1]
    page = annex_html.render_html(annex_document.city_document(_table_notebook(tmp_path, narrow), "madrid"), PROVENANCE, 0)
    assert "wb-landscape" not in page


def test_a_section_that_opens_on_a_wide_table_starts_on_its_landscape_page(tmp_path: Path):
    pypdf = pytest.importorskip("pypdf")  # a test dependency: installed by make test
    from workbench.report.annex_pdf import write_pdf

    wide = pd.DataFrame({f"{2000 + i}": [float(i)] for i in range(annex_html.LANDSCAPE_COLUMNS)})
    path = _table_notebook(tmp_path, wide)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[:0] = [nbformat.v4.new_markdown_cell("## 2. Wide figures"), nbformat.v4.new_markdown_cell("Introduction to the wide table.")]
    nbformat.write(nb, str(path))
    page = annex_html.render_html(annex_document.city_document(path, "madrid"), PROVENANCE, 0)
    assert 'class="wb-section wb-landscape-lead"' in page
    reader = pypdf.PdfReader(str(write_pdf(page, tmp_path / "a.pdf", "en")))
    for heading in ("2. Wide figures", "Introduction to the wide table", "2000"):
        # the last page naming it: the contents on the first page name the heading too
        number = max(i for i, p in enumerate(reader.pages) if heading in p.extract_text())
        box = reader.pages[number].mediabox
        assert box.width > box.height, f"{heading!r} is on a portrait page"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_pdf_is_tagged_with_its_language_table_captions_and_header_scopes(tmp_path: Path, lang: str):
    pypdf = pytest.importorskip("pypdf")  # a test dependency: installed by make test
    from workbench.report.annex_pdf import write_pdf

    table = pd.DataFrame({"origin": ["Peru", "Chile"], "persons": [120.0, 80.0]})
    document = annex_document.city_document(_table_notebook(tmp_path, table), "amman")
    target = write_pdf(annex_html.render_html(document, PROVENANCE, 0, lang), tmp_path / "a.pdf", lang)
    catalog = pypdf.PdfReader(str(target)).trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] and catalog["/Lang"] == lang
    kinds = set()

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                kinds.add(node["/S"])
            kids = node.get("/K")
            if kids is not None:
                for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                    walk(kid)

    walk(catalog["/StructTreeRoot"])
    assert {"/Table", "/Caption", "/TH", "/TD", "/H1"} <= kinds


def test_latin_names_in_an_arabic_table_are_isolated_and_numbers_are_not():
    page, _ = annex_html.table_html(pd.DataFrame({"district": ["Amman Qasabah"], "persons": [1200.0]}), 0, "ar")
    assert "<bdi>Amman Qasabah</bdi>" in page and "<bdi>1" not in page
    assert "<bdi>" not in annex_html.table_html(pd.DataFrame({"district": ["Qasabah"]}), 0, "en")[0]


def test_a_percent_sign_stays_with_its_number_and_the_subtitle_names_each_name_once(tmp_path: Path):
    document = annex_document.city_document(_chapter_notebook(tmp_path), "amman")
    document.sections[0].blocks.insert(0, annex_document.Text({"by_lang": {"en": "Share 16.5 % of all.", "fr": "x", "ar": "y"}}))
    page = annex_html.render_html(document, PROVENANCE, threshold=0, lang="en")
    assert "16.5\u00a0%" in page and "16.5 %" not in page
    arabic = annex_html.render_html(document, PROVENANCE, threshold=0, lang="ar")
    subtitle = re.search(r'<p class="wb-subtitle">(.*?)</p>', arabic).group(1)
    assert subtitle.count("عمّان") == 1 and "Amman" in subtitle


def test_a_source_column_naming_one_source_on_every_row_is_said_once_in_the_source_line():
    table = pd.DataFrame({"year": [2020, 2021], "persons": [10.0, 12.0], "source": ["eurostat_urb_cpop1"] * 2})
    assert list(annex_html.reader_table(table).columns) == ["year", "persons"]
    mixed = table.assign(source=["eurostat_urb_cpop1", "worldbank_wdi"])
    assert "source" in annex_html.reader_table(mixed).columns


def test_in_arabic_each_latin_run_of_a_mixed_cell_is_isolated_and_the_arabic_stays_in_the_flow():
    from workbench.report.bidi import isolate_latin

    mixed = "Ayuntamiento de Madrid، Padrón municipal، 1 يوليو 2022 (الجدول C4210722)"
    assert isolate_latin(mixed) == ("<bdi>Ayuntamiento de Madrid</bdi>، <bdi>Padrón municipal</bdi>، 1 يوليو 2022 "
                                    "(الجدول <bdi>C4210722</bdi>)")
    assert isolate_latin("ذوو الأصل الأجنبي (Stadt Wien 'Herkunft')") == "ذوو الأصل الأجنبي (<bdi>Stadt Wien &#x27;Herkunft&#x27;</bdi>)"
    assert isolate_latin("عمّان") == "عمّان" and isolate_latin("Ciudad de Madrid") == "<bdi>Ciudad de Madrid</bdi>"
    page, _ = annex_html.table_html(pd.DataFrame({"source": [mixed], "persons": [5.0]}), 0, "ar")
    assert "<td><bdi>Ayuntamiento de Madrid</bdi>، <bdi>Padrón municipal</bdi>، 1 يوليو 2022" in page


def test_a_short_text_section_before_a_wide_table_joins_its_landscape_page_and_one_with_a_table_does_not():
    from workbench.report.annex_document import Section, Text
    from workbench.report.annex_pages import landscape_roles
    from workbench.report.exhibits import Exhibit

    def exhibit(columns: int) -> Exhibit:
        return Exhibit("table", 1, "c", [], table=pd.DataFrame({str(i): [1.0] for i in range(columns)}))

    def wide(e: Exhibit) -> bool:
        return len(e.table.columns) >= 12

    sections = [Section("4.6", 3, blocks=[Text("a"), exhibit(3)]), Section("4.7", 3, blocks=[Text("b"), Text("c")]),
                Section("4.8", 3, blocks=[Text("d"), exhibit(14)]), Section("4.9", 3, blocks=[exhibit(3)]),
                Section("5", 2, blocks=[Text("e"), exhibit(14)])]
    assert landscape_roles(sections, wide) == ["", "all", "lead", "", "lead"]

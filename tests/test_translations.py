"""Every text an annex shows is translated: a missing translation fails here, never silently in an annex."""

from __future__ import annotations


import re

import pytest

from workbench.report import annex, annex_document, annex_html, messages
from workbench.reference import i18n
from workbench import paths

BASELINE = paths.project_root() / "tests" / "nbval"
PROVENANCE = {"run_id": "baseline", "git_commit": "-", "started": "", "packages": {}, "inputs": {}}


@pytest.fixture(scope="module")
def needed() -> dict[str, list[str]]:
    return messages.all_messages()


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(needed, lang):
    catalog = i18n.catalog(lang)
    missing = [m for m in needed if not catalog.get(m)]
    assert not missing, f"{len(missing)} texts lack a {lang} translation (run `make catalogs`), e.g. {missing[:5]}"
    wrong = [m for m in needed if i18n.fields(catalog[m]) != i18n.fields(m)]
    assert not wrong, f"{lang} translations whose {{placeholders}} differ from the English: {wrong[:5]}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_translations_keep_markdown_markup(needed, lang):
    catalog = i18n.catalog(lang)
    for msgid in needed:
        text = catalog.get(msgid, "")
        assert text.count("`") == msgid.count("`"), f"{lang}: code marks changed in {msgid!r}"
        assert text.count("**") == msgid.count("**"), f"{lang}: bold marks changed in {msgid!r}"
        assert text.startswith("- ") == msgid.startswith("- "), f"{lang}: list item changed in {msgid!r}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != "en"])
def test_no_translation_holds_two_versions_glued_together(lang):
    # an officer found a French note printed four times over: merging catalogs had glued the two
    # sides of each conflicting translation into one text
    catalog = i18n.catalog(lang)
    glued = [msgid for msgid, text in catalog.items()
             if msgid and len(text) >= 40 and text[:25] in text[25:] and msgid[:25] not in msgid[25:]]
    assert not glued, f"{lang} translations holding their text twice: {glued[:3]}"
    if lang == "fr":  # a sentence or a bracket glued to the next without a space: the seam of two versions
        seam = re.compile(r"[a-zé»)][.!?»)][A-ZÉÀÈ«]")
        seams = [msgid for msgid, text in catalog.items() if msgid and seam.search(text) and not seam.search(msgid)]
        assert not seams, f"fr translations with two versions glued at a seam: {seams[:3]}"


def _baseline_documents():
    for notebook in sorted((BASELINE / "cities").glob("*/profile.ipynb")):
        yield notebook.parent.name, notebook
    yield annex.NETWORK, None


@pytest.mark.parametrize("name,notebook", list(_baseline_documents()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_baseline_annex_renders_in_each_of_its_languages(name, notebook):
    if notebook is None:
        notebooks = [(p.parent.name, p) for p in sorted((BASELINE / "compare").glob("*/*.ipynb"))]
        document = annex_document.network_document(notebooks)
    else:
        document = annex_document.city_document(notebook, name)
    pages = {lang: annex_html.render_html(document, PROVENANCE, lang=lang) for lang in annex.annex_languages(name)}
    english = pages["en"]
    for lang, page in pages.items():
        assert f'lang="{lang}"' in page
        assert page.count('<figure class="wb-exhibit') == english.count('<figure class="wb-exhibit')
    if "ar" in pages:
        assert 'dir="rtl"' in pages["ar"]

"""The local expert's loop, walked as the guides tell it (issue 19): enter figures, write a chapter,
validate, run one city, and find everything where the guides promise, in every language."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import copy_project, run_cli

#: Two figures an expert enters: where the country's migrants live (a share of the migrants, not of the
#: population) and a national count; fixture values, in a copy of the project only.
ENTERED = [
    {"place_id": "TUN-grand-tunis", "place_name": "Grand Tunis (Tunis, Ariana, Ben Arous, Manouba)",
     "geography_level": "region", "country_iso3": "TUN", "indicator_id": "share_of_national_group",
     "definition_id": "foreign_nationality",
     "definition_as_published": "share of all foreign residents in Tunisia living in the region (test survey)",
     "ref_date": "2023", "value": "47.25", "unit": "percent", "publisher": "Institut National de la Statistique",
     "source_title": "Loop test survey 2023", "source_url": "https://example.org/loop-test-survey",
     "reported_via": "Loop Test Outlet", "note": "loop test regional note"},
    {"place_id": "TUN", "place_name": "Tunisia", "geography_level": "country", "country_iso3": "TUN",
     "indicator_id": "population", "definition_id": "foreign_nationality",
     "definition_as_published": "foreign residents (loop test census)", "ref_date": "2023-05-01", "value": "61234",
     "unit": "persons", "publisher": "Institut National de la Statistique", "source_title": "Loop test census 2023",
     "source_url": "https://example.org/loop-test-census", "reported_via": "", "note": "loop test national note"},
]

CHAPTER_TEXT = """

Texte de l'experte pour la boucle de test.

| quartier | remarque |
|---|---|
| Médina | accueil |

![Carte de test des quartiers](../images/loop-map.png)

<script>alert('loop-test-script')</script>
"""


def _png() -> bytes:
    # a small real PNG, drawn with matplotlib (already a dependency)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1), dpi=40)
    ax.plot([0, 1], [0, 1])
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


@pytest.fixture(scope="module")
def loop(tmp_path_factory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("loop") / "project")
    figures = root / "data" / "local" / "figures" / "tunis.csv"
    with figures.open(encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    with figures.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        for row in ENTERED:
            writer.writerow({c: row.get(c, "") for c in columns})
    written = run_cli("chapters", "--city", "tunis", root=root)
    assert written.returncode == 0, written.stderr
    chapter = root / "data" / "local" / "chapters" / "tunis" / "fr" / "priorities.md"
    assert chapter.is_file(), written.stdout
    images = root / "data" / "local" / "chapters" / "tunis" / "images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "loop-map.png").write_bytes(_png())
    chapter.write_text(chapter.read_text(encoding="utf-8") + CHAPTER_TEXT, encoding="utf-8")
    checked = run_cli("validate", "--city", "tunis", root=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARN" in checked.stdout and "priorities.md" in checked.stdout  # the pasted script: dropped, said so
    run_dir = root / "outputs" / "loop-run"
    result = run_cli("run", "--city", "tunis", "--no-compare", "--run-dir", str(run_dir), root=root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return run_dir


def _html(run_dir: Path, lang: str) -> BeautifulSoup:
    return BeautifulSoup((run_dir / "annex" / lang / "tunis.html").read_text(encoding="utf-8"), "html.parser")


def _table_with(page: BeautifulSoup, text: str):
    return [t for t in page.find_all("table") if text in t.get_text(" ")]


@pytest.mark.slow
@pytest.mark.parametrize("lang, regional, national", [("en", "47.25", "61,234"), ("fr", "47,25", "61\u202f234")])
def test_each_entered_figure_lands_in_its_table_as_published(loop: Path, lang: str, regional: str, national: str):
    page = _html(loop, lang)
    national_tables = _table_with(page, national)
    assert national_tables, f"{lang}: the national count is in no table"
    # a national figure goes to the national context (section 3), never into the city's own tables
    section = national_tables[0].find_previous(["h2"])
    assert section is not None and section.get_text().strip().startswith("3"), section
    regional_tables = _table_with(page, regional)
    assert regional_tables, f"{lang}: the regional share of migrants lost its published decimals"
    text = page.get_text(" ")
    assert "loop test regional note" in text and "loop test national note" in text  # the expert's notes are shown
    # the expert's citation is in the Sources section, with publisher, title, outlet and address
    sources = page.find(id=re.compile("sources"))
    assert sources is not None
    cited = sources.get_text(" ")
    assert "Loop test survey 2023" in cited and "Institut National de la Statistique" in cited
    assert "Loop Test Outlet" in cited and "example.org/loop-test-survey" in cited


@pytest.mark.slow
def test_the_arabic_annex_has_the_figures_and_the_citation(loop: Path):
    page = _html(loop, "ar")
    text = page.get_text(" ")
    assert "loop test regional note" in text and "Loop test survey 2023" in text


@pytest.mark.slow
def test_the_chapter_image_is_embedded_and_the_pasted_script_is_nowhere(loop: Path):
    fr = loop / "annex" / "fr"
    page = (fr / "tunis.html").read_text(encoding="utf-8")
    assert "Texte de l'experte pour la boucle de test." in page
    assert re.search(r'<img[^>]+src="data:image/png;base64,[^"]+"[^>]*alt="Carte de test des quartiers"', page) or \
        re.search(r'<img[^>]+alt="Carte de test des quartiers"[^>]*src="data:image/png;base64,', page)
    assert "loop-test-script" not in page and "<script" not in page.lower()
    with zipfile.ZipFile(fr / "tunis.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        document = docx.read("word/document.xml").decode("utf-8")
    assert media and "loop-test-script" not in document and "Texte de l" in document
    from pypdf import PdfReader

    reader = PdfReader(fr / "tunis.pdf")
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    assert "loop-test-script" not in text and "alert(" not in text
    assert "Texte de l" in text
    images = sum(len(p.images) for p in reader.pages)
    assert images >= 1

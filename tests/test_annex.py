"""Tests of annex documents built from executed notebooks (no re-execution): text, numbering, sources, suppression."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import run_cli
from workbench.report import annex, annex_document, annex_html
from workbench.errors import ConfigError, DataError
from workbench.report.exhibits import table_json


def _exhibit_output(kind: str, number: int, caption: str, table: pd.DataFrame | None = None, source_ids=("worldbank_wdi",)):
    meta = {
        "kind": kind, "number": number, "label": f"{kind.capitalize()} {number}", "caption": caption,
        "sources": ["S line"], "source_ids": list(source_ids), "notes": ["A note."], "slug": f"{kind}-{number}",
        "table": table_json(table) if table is not None else None,
    }
    return nbformat.v4.new_output("display_data", data={"text/html": "<div>ignored</div>", "text/plain": caption}, metadata={"workbench": meta})


def _notebook(path: Path, name: str = "nb.ipynb", caption: str = "Cap", extra_markdown: str = "") -> Path:
    nb = nbformat.v4.new_notebook()
    png = base64.b64encode(b"\x89PNG fake").decode()
    table = pd.DataFrame({"origin": ["Morocco", "Peru"], "persons": [1200.0, 3.0], "share (%)": [99.75, 0.25]})
    code = nbformat.v4.new_code_cell("secret_code()")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="noise"),
        _exhibit_output("table", 1, caption, table),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "[Figure 1]"}, metadata={"workbench_image": "figure-1"}),
        _exhibit_output("figure", 1, "Fig"),
        nbformat.v4.new_output("display_data", data={"text/markdown": "Generated *text* " + extra_markdown, "text/plain": "m"}),
    ]
    hidden = nbformat.v4.new_markdown_cell("How the code works")
    hidden.metadata["tags"] = ["no-annex"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nIntro.\n\n## 1. Part one\n\nText.\n\n### 1.1 Detail"), hidden, code]
    out = path / name
    nbformat.write(nb, str(out))
    return out


PROVENANCE = {"run_id": "run-1", "git_commit": "abc123", "started": "2026-11-22T08:00:00+00:00",
              "packages": {"workbench": "0.1", "pandas": "2"}, "inputs": {"data/tidy/worldbank_wdi.csv": "f" * 64}}


def test_city_annex_keeps_text_and_numbered_exhibits_drops_code(tmp_path: Path):
    document = annex_document.city_document(_notebook(tmp_path), "madrid")
    page = annex_html.render_html(document, PROVENANCE, threshold=0)
    assert "Annex A: City Migration Profile of Madrid" in page and "1. Part one" in page and "Intro." in page
    assert "<h3>1.1 Detail</h3>" in page
    assert "secret_code" not in page and "noise" not in page and "How the code works" not in page and "ignored" not in page
    assert '<span class="wb-label">Table A.1.</span> Cap' in page and '<span class="wb-label">Figure A.1.</span> Fig' in page
    assert "data:image/png;base64," in page and "<em>text</em>" in page
    # the table is rebuilt from its values and formatted for reading
    assert "<td>Morocco</td>" in page and "1,200" in page and "99.8" in page


def test_sources_section_and_provenance_footer(tmp_path: Path):
    page = annex_html.render_html(annex_document.city_document(_notebook(tmp_path), "madrid"), PROVENANCE)
    sources = page[page.index('id="sources"'):]
    assert "World Bank" in sources and "https://" in sources and "Licence:" in sources and "Accessed " in sources
    assert "data/tidy/" not in sources and "f" * 16 in sources
    assert "Run run-1" in page and "git commit abc123" in page and "pandas 2" in page


def test_small_counts_are_suppressed_with_their_shares(tmp_path: Path):
    page = annex_html.render_html(annex_document.city_document(_notebook(tmp_path), "madrid"), PROVENANCE, threshold=5)
    row = re.search(r"<tr><td>Peru</td>.*?</tr>", page).group(0)
    assert row.count("[s]") == 2 and "0.2" not in row and ">3<" not in row
    assert "fewer than 5 persons" in page and "Cells suppressed in this annex: 2" in page
    assert "<td>Morocco</td>" in page and "1,200" in page
    unsuppressed = annex_html.render_html(annex_document.city_document(_notebook(tmp_path), "madrid"), PROVENANCE, threshold=0)
    assert "[s]</td>" not in unsuppressed


def test_markdown_cannot_inject_html(tmp_path: Path):
    notebook = _notebook(tmp_path, extra_markdown="<script>alert(1)</script> [x](javascript:alert(2))")
    page = annex_html.render_html(annex_document.city_document(notebook, "madrid"), PROVENANCE)
    assert "<script>alert" not in page and "javascript:" not in page


def test_network_annex_numbers_across_notebooks_and_prints_repeated_tables_once(tmp_path: Path):
    first = _notebook(tmp_path, "a.ipynb", caption="Same summary")
    second = _notebook(tmp_path, "b.ipynb", caption="Same summary")
    document = annex_document.network_document([("overview", first), ("theme-social-cohesion", second)])
    page = annex_html.render_html(document, PROVENANCE)
    assert "1. Migrant populations compared" in page and "2. Peer-learning theme: Social cohesion" in page
    assert "<h3>2.1 Part one</h3>" in page
    assert page.count('<span class="wb-label">Table B.1.</span>') == 1 and "Table B.2." not in page
    assert '<a href="#table-b-1">Same summary: see Table B.1.</a>' in page
    assert '<span class="wb-label">Figure B.2.</span>' in page  # figures are not de-duplicated


def test_old_runs_without_table_values_are_refused(tmp_path: Path):
    path = _notebook(tmp_path)
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[2].outputs[1]["metadata"]["workbench"].pop("table")
    nbformat.write(nb, str(path))
    with pytest.raises(DataError, match="carries no table values"):
        annex_document.read_notebook(path)
    with pytest.raises(DataError, match="cannot read"):
        annex_document.read_notebook(tmp_path / "missing.ipynb")


def test_unknown_format_or_language_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="formats: html, docx, pdf"):
        annex.render_run(tmp_path, [], formats=("odt",))
    with pytest.raises(ConfigError, match="not available"):
        annex_html.render_html(annex_document.city_document(_notebook(tmp_path), "madrid"), PROVENANCE, lang="xx")


def _run_folder(tmp_path: Path) -> Path:
    # a run of one city profile, as `workbench run` leaves it
    run_dir = tmp_path / "run"
    (run_dir / "cities" / "madrid").mkdir(parents=True)
    _notebook(run_dir / "cities" / "madrid", "profile.ipynb")
    manifest = {"run_id": "run", "git_commit": "c", "packages": {}, "inputs": {},
                "notebooks": [{"name": "madrid", "kind": "profile", "subject": "madrid", "status": "ok", "seconds": 1.0, "notebook": "cities/madrid/profile.ipynb"}]}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def test_annex_command_renders_html_from_a_run_folder(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    result = run_cli("annex", "--run", str(run_dir), "--format", "html", "--lang", "en", "--suppress-below", "0")
    assert result.returncode == 0, result.stderr
    page = (run_dir / "annex" / "en" / "madrid.html").read_text(encoding="utf-8")
    assert "Table A.1." in page and not list((run_dir / "annex").rglob("*.tmp"))
    wrong = run_cli("annex", "--run", str(run_dir), "--format", "odt")
    assert wrong.returncode == 2 and "odt not allowed" in wrong.stderr and "Traceback" not in wrong.stderr
    untranslated = run_cli("annex", "--run", str(run_dir), "--format", "html", "--lang", "fr")
    assert untranslated.returncode == 2 and "profile.ipynb: no fr translation of 'Intro.'" in untranslated.stderr
    assert "make catalogs" in untranslated.stderr and "Traceback" not in untranslated.stderr
    missing = run_cli("annex", "--run", str(tmp_path / "nowhere"))
    assert missing.returncode == 3 and "no manifest" in missing.stderr


def test_annex_draft_goes_to_its_own_folder_and_leaves_the_published_annex_alone(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    before = (run_dir / "manifest.json").read_bytes()
    result = run_cli("annex", "--run", str(run_dir), "--draft", "--format", "html", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "DRAFT for internal review" in (run_dir / annex.DRAFT_FOLDER / "en" / "madrid.html").read_text(encoding="utf-8")
    assert not (run_dir / "annex").exists() and (run_dir / "manifest.json").read_bytes() == before


def test_place_cells_name_network_cities_in_the_annexs_language():
    frame = pd.DataFrame({"city": ["Lisbon", "Tunis"], "area": ["Lisboa (município)", "Tunisia"], "persons": [254280.0, 59000.0]})
    page, _ = annex_html.table_html(frame, 0, "fr")
    assert "<td>Lisbonne</td>" in page and "<td>Tunisie</td>" in page
    assert "Lisboa (município)" in page


def test_long_words_may_break_short_ones_and_dates_stay_whole():
    frame = pd.DataFrame({"reference date": ["2021-04-19"], "source": ["https://www.example.org/a/very/long/path"]})
    page, _ = annex_html.table_html(frame, 0, "en")
    assert '<td class="wb-date">2021-04-19</td>' in page
    assert '<td class="wb-long">https://www.example.org/a/very/long/path</td>' in page


def test_sources_name_the_checksum_of_gzipped_tidy_tables_too():
    from workbench.report.annex_sources import sources_list

    inputs = {"data/tidy/unhcr_population.csv.gz": "ab" * 32, "data/tidy/worldbank_wdi.csv": "cd" * 32}
    listed = {s["id"]: s["tidy"] for s in sources_list(["unhcr_population", "worldbank_wdi"], inputs)}
    assert listed["unhcr_population"] == f"Checksum of the table derived for this annex (SHA-256): {'ab' * 8}."
    assert listed["worldbank_wdi"] == f"Checksum of the table derived for this annex (SHA-256): {'cd' * 8}."


def test_the_network_annex_takes_comparisons_in_the_plan_order_not_the_order_they_finished():
    from workbench.reference.framework import PEER_LEARNING_THEMES

    names = ["theme-" + PEER_LEARNING_THEMES[1].replace("_", "-"), "availability", "overview",
             "theme-" + PEER_LEARNING_THEMES[0].replace("_", "-"), "origins"]
    ordered = sorted(names, key=annex_document.comparison_rank)
    assert ordered[:3] == ["overview", "origins", "availability"] and ordered[3].endswith(PEER_LEARNING_THEMES[0].replace("_", "-"))

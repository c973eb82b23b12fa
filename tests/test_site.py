"""Tests of a run's landing page (index.html): what it lists, links that resolve, status, sources, stable bytes."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pandas as pd
from bs4 import BeautifulSoup

from conftest import run_cli
from workbench.batch.tasks import TaskKind, TaskResult
from workbench.reference.registry import load_sources
from workbench.report import annex, site
from workbench.report.exhibits import table_json


def _exhibit(number: int, table: pd.DataFrame) -> dict:
    return {"kind": "table", "number": number, "label": f"Table {number}", "caption": f"Caption {number}",
            "sources": ["S line"], "source_ids": ["worldbank_wdi", "computed"], "notes": [], "slug": f"table-{number}",
            "table": table_json(table)}


def _run_folder(tmp_path: Path, statuses: dict[str, str] | None = None) -> Path:
    """A run folder with Madrid's executed profile (two tables, saved exhibit index) and its manifest."""
    run_dir = tmp_path / "20261122T080000Z"
    folder = run_dir / "cities" / "madrid"
    (folder / "exhibits").mkdir(parents=True)
    tables = [pd.DataFrame({"origin": ["Morocco", "Peru"], "persons": [1200.0, 3.0]}),
              pd.DataFrame({"origin": ["Morocco"], "share (%)": [12.5]})]
    metas = [_exhibit(i, t) for i, t in enumerate(tables, start=1)]
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x()")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": m["caption"]}, metadata={"workbench": m})
                    for m in metas]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\n## 1. Part"), code]
    nbformat.write(nb, str(folder / "profile.ipynb"))
    (folder / "exhibits" / "exhibits.json").write_text(json.dumps(metas), encoding="utf-8")
    notebooks = [{"name": "madrid", "kind": "profile", "subject": "madrid", "status": "ok", "seconds": 1.0,
                  "notebook": "cities/madrid/profile.ipynb"}]
    for name, status in (statuses or {}).items():
        notebooks.append({"name": name, "kind": "profile", "subject": name, "status": status, "seconds": 1.0, "notebook": ""})
    manifest = {"run_id": run_dir.name, "started": "2026-11-22T08:00:00+00:00", "git_commit": "abc123", "packages": {},
                "status": "ok" if not statuses else "failed", "notebooks": notebooks, "inputs": {}}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def _render(run_dir: Path) -> list[Path]:
    result = TaskResult("madrid", TaskKind.PROFILE, "madrid", "ok", 1.0, str(run_dir / "cities/madrid/profile.ipynb"))
    return annex.render_run(run_dir, [result], formats=("html",), languages=("en",), threshold=5)


def _links(page: Path) -> list[str]:
    return [a["href"] for a in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("a", href=True)]


def test_render_run_ends_with_a_landing_page_whose_links_resolve(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    written = _render(run_dir)
    assert written[-1] == run_dir / "index.html"
    links = _links(run_dir / "index.html")
    local = [h for h in links if not urlsplit(h).scheme]
    assert set(local) == {"manifest.json", "annex/en/madrid.html", "annex/en/madrid-tables.xlsx",
                          "annex/en/madrid-tables/table-a-1.csv", "annex/en/madrid-tables/table-a-2.csv"}
    for href in local:
        assert (run_dir / unquote(href)).is_file(), href
    # the sources: registry entries the run's exhibits cite, with their address; nothing else leaves the folder
    external = [h for h in links if urlsplit(h).scheme]
    assert external and all(h in load_sources()["worldbank_wdi"].url for h in external), external
    page = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "World Bank" in page and "computed" not in page


def test_landing_page_states_the_run_and_is_self_contained(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    _render(run_dir)
    soup = BeautifulSoup((run_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "run 20261122T080000Z" in text and "ok: 1 of 1 notebooks succeeded" in text
    assert "2026-11-22 08:00 UTC" in text and "abc123" in text
    assert "counts of fewer than 5 persons" in text and "[s]" in text
    assert not soup.find_all(["script", "link", "img", "iframe", "object"]) and not soup.find_all(src=True)
    assert soup.find("html")["lang"] == "en"


def test_a_failed_run_names_the_notebooks_that_did_not_succeed(tmp_path: Path):
    run_dir = _run_folder(tmp_path, {"lyon": "failed", "vienna": "not run"})
    text = BeautifulSoup(site.render_index(run_dir), "html.parser").get_text(" ", strip=True)
    assert "failed: 1 of 3 notebooks succeeded; not succeeded: lyon (failed), vienna (not run)" in text


def test_only_files_that_exist_are_linked_with_names_in_each_language(tmp_path: Path):
    run_dir = tmp_path / "run"
    for relative in ("annex/en/tunis.html", "annex/en/tunis.pdf", "annex/ar/tunis.pdf", "annex/ar/network.html",
                     "annex/en/network.docx", "annex/fr/madrid.html", "annex/en/tunis.html.123-4.tmp"):
        (run_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / relative).write_text("x", encoding="utf-8")
    soup = BeautifulSoup(site.render_index(run_dir), "html.parser")
    links = [a["href"] for a in soup.find_all("a", href=True)]
    assert links == ["annex/en/network.docx", "annex/ar/network.html", "annex/fr/madrid.html",
                     "annex/en/tunis.html", "annex/en/tunis.pdf", "annex/ar/tunis.pdf"]
    rows = [tr["id"] for tr in soup.select("table.annexes tbody tr")]
    assert rows == ["annex-network", "annex-madrid", "annex-tunis"], "the network first, then the registry's order"
    arabic = [b for b in soup.find_all("bdi") if b.get("lang") == "ar"]
    assert {b.get_text() for b in arabic} == {"تونس العاصمة", "تونس", "شبكة مدن المتوسط"} and all(b["dir"] == "rtl" for b in arabic)
    assert "unknown (no manifest.json in the folder)" in soup.get_text(" ")
    assert "Lyon" not in soup.get_text(" ") and "Vienna" not in soup.get_text(" ")


def test_landing_page_and_downloads_are_the_same_bytes_when_rendered_again(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    first = {p: p.read_bytes() for p in _render(run_dir)}
    again = {p: p.read_bytes() for p in _render(run_dir)}
    assert first.keys() == again.keys() and first == again


def test_annex_command_writes_the_landing_page(tmp_path: Path):
    run_dir = _run_folder(tmp_path)
    result = run_cli("annex", "--run", str(run_dir), "--format", "html", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert str(run_dir / "index.html") in result.stdout
    assert "annex/en/madrid-tables.xlsx" in (run_dir / "index.html").read_text(encoding="utf-8")


def test_each_language_column_names_its_language_and_its_tables_in_that_language(tmp_path: Path):
    run_dir = tmp_path / "run"
    for relative in ("annex/fr/madrid.html", "annex/fr/madrid-tables/table-a-2.csv", "annex/ar/madrid.html",
                     "annex/ar/madrid-tables/table-a-2.csv"):
        (run_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (run_dir / relative).write_text("x", encoding="utf-8")
    soup = BeautifulSoup(site.render_index(run_dir), "html.parser")
    assert [th.get_text() for th in soup.select("table.annexes thead th")][1:] == ["Français", "العربية"]
    assert {a.get_text() for a in soup.select('a[hreflang="fr"]')} >= {"Tableau A.2"}
    assert "Tableaux en CSV (1)" in soup.get_text(" ") and "الجداول بصيغة CSV (1)" in soup.get_text(" ")

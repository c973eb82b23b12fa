"""Input keys and reuse of earlier runs' notebooks and annexes (workbench.batch.cache), and forked kernels."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from workbench.batch import cache
from workbench import paths
from workbench.provenance import Manifest, NotebookRecord, input_checksums

# --- keys ------------------------------------------------------------------------------------------


@pytest.fixture
def keyed(project_copy: Path, monkeypatch):
    """A project copy as the project, and a function giving a city's key from its current files."""
    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))

    def key(city_id: str = "tunis", parameters: dict | None = None) -> str:
        inputs = input_checksums()
        return cache.city_key("city_profile.ipynb", parameters or {"city_id": city_id}, city_id, inputs,
                              cache.base_inputs(inputs))

    return project_copy, key


def test_city_key_follows_what_the_profile_reads(keyed):
    root, key = keyed
    first = key()
    assert key() == first, "the same inputs give the same key"
    assert key(parameters={"city_id": "tunis", "top_n_origins": 5}) != first, "parameters"
    chapter = root / "data" / "local" / "chapters" / "tunis" / "en" / "national_policy.md"
    chapter.parent.mkdir(parents=True, exist_ok=True)
    chapter.write_text("# National policy\n\nA text.\n", encoding="utf-8")
    with_chapter = key()
    assert with_chapter != first, "the city's own chapters"
    other = root / "data" / "local" / "chapters" / "lyon" / "en" / "national_policy.md"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text("# National policy\n\nAnother text.\n", encoding="utf-8")
    assert key() == with_chapter, "another city's chapters are not read by this profile"
    table = sorted((root / "data" / "tidy").glob("*.csv"))[0]
    table.write_bytes(table.read_bytes() + b"\n")
    assert key() != with_chapter, "any tidy table"
    template = root / "notebooks" / "city_profile.ipynb"
    before = key()
    template.write_text(template.read_text(encoding="utf-8").replace("top_n_origins", "top_n_origins ", 1), encoding="utf-8")
    assert key() != before, "the template"


def test_compare_key_follows_the_tables_the_cities_saved(keyed, tmp_path: Path):
    _, _ = keyed
    inputs = input_checksums()
    base = cache.base_inputs(inputs)
    cities = tmp_path / "cities"
    (cities / "tunis").mkdir(parents=True)
    (cities / "tunis" / "series.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (cities / "tunis" / "profile.ipynb").write_text("{}", encoding="utf-8")
    parameters = {"city_ids": ["tunis"], "cities_dir": "../../cities", "output_dir": "."}
    first = cache.compare_key("compare_cities.ipynb", parameters, cities, inputs, base)
    (cities / "tunis" / "profile.ipynb").write_text('{"changed": 1}', encoding="utf-8")
    assert cache.compare_key("compare_cities.ipynb", parameters, cities, inputs, base) == first, \
        "a city notebook that saved the same tables leaves its comparisons alone"
    (cities / "tunis" / "series.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    assert cache.compare_key("compare_cities.ipynb", parameters, cities, inputs, base) != first


def test_every_installed_distribution_and_the_system_parts_are_in_the_key(keyed, monkeypatch):
    _, key = keyed
    before = key()
    installed = cache.installed_distributions()
    assert "mistune" in installed and "tinycss2" in installed, "transitive ones too (they can change an annex)"
    # a distribution no one listed by hand (the Markdown renderer nbconvert uses) changes the key
    monkeypatch.setattr(cache, "installed_distributions", lambda: {**installed, "mistune": "0.0.1"})
    changed = key()
    assert changed != before
    system = cache.system_versions()
    monkeypatch.setattr(cache, "system_versions", lambda: {**system, "pango": "1.0.0"})
    assert key() not in (before, changed)


def test_code_fingerprint_covers_the_package_code():
    module = sorted(paths.PACKAGE_DIR.glob("*.py"))[0]
    assert module.is_file() and len(cache.code_fingerprint()) == 64


# --- finding earlier notebooks ------------------------------------------------------------------


def _run(outputs: Path, name: str, notebooks: list[dict], annex: dict | None = None) -> Path:
    folder = outputs / name
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for entry in notebooks:
        (folder / entry["notebook"]).parent.mkdir(parents=True, exist_ok=True)
        (folder / entry["notebook"]).write_text("{}", encoding="utf-8")
        entries.append({"kind": "profile", "subject": entry["name"], **entry,
                        "files": {entry["notebook"]: hashlib.sha256(b"{}").hexdigest()}})
    Manifest(name, annex=annex, notebooks=[NotebookRecord(**e) for e in entries]).write(folder)
    return folder


def _annex_file(folder: Path, relative: str, text: str) -> cache.Earlier:
    # an annex file in an earlier run, recorded in its manifest with its checksum
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    (folder / relative).write_text(text, encoding="utf-8")
    manifest = Manifest.read(folder)
    manifest.annex_files[relative] = hashlib.sha256(text.encode()).hexdigest()
    manifest.write(folder)
    return cache.Earlier(folder, None, manifest.annex_rendered_with(), manifest.annex_files)


def test_find_earlier_takes_only_whole_successful_notebooks(tmp_path: Path):
    outputs = tmp_path / "outputs"
    ok = {"name": "tunis", "status": "ok", "key": "k1", "notebook": "cities/tunis/profile.ipynb"}
    _run(outputs, "r1", [ok])
    _run(outputs, "r2.partial", [{**ok, "key": "k2"}])
    _run(outputs, "r3.interrupted", [{**ok, "key": "k3"}])
    _run(outputs, "r4-failed", [{**ok, "key": "k4", "status": "failed"}])
    gone = _run(outputs, "r5", [{**ok, "key": "k5"}])
    (gone / "cities" / "tunis" / "profile.ipynb").unlink()
    changed = _run(outputs, "r6", [{**ok, "key": "k6"}])
    (changed / "cities" / "tunis" / "profile.ipynb").write_text('{"edited": 1}', encoding="utf-8")
    found = cache.find_earlier({"a": "k1", "b": "k2", "c": "k3", "d": "k4", "e": "k5", "f": "", "g": "k6"}, outputs)
    assert set(found) == {"a"} and found["a"].run.name == "r1"


def test_find_earlier_refuses_a_notebook_folder_missing_a_file_its_manifest_lists(tmp_path: Path):
    # a saved table deleted from the earlier run: its notebook is run again, not copied without it
    outputs = tmp_path / "outputs"
    ok = {"name": "tunis", "status": "ok", "key": "k1", "notebook": "cities/tunis/profile.ipynb"}
    run = _run(outputs, "r1", [ok])
    (run / "cities" / "tunis" / "series.csv").write_text("a\n1\n", encoding="utf-8")
    manifest = Manifest.read(run)
    manifest.notebooks[0].files["cities/tunis/series.csv"] = hashlib.sha256(b"a\n1\n").hexdigest()
    manifest.write(run)
    assert set(cache.find_earlier({"a": "k1"}, outputs)) == {"a"}
    (run / "cities" / "tunis" / "series.csv").unlink()
    assert cache.find_earlier({"a": "k1"}, outputs) == {}


def test_copy_annexes_needs_the_same_options(tmp_path: Path):
    options = {"formats": ["html"], "languages": ["en"], "threshold": 5}
    folder = _run(tmp_path, "r1", [], annex=options)
    earlier = _annex_file(folder, "annex/en/tunis.html", "<p>annex</p>")
    target = tmp_path / "new"
    assert cache.copy_annexes(earlier, target, "tunis", {**options, "threshold": 10}) is None
    assert cache.copy_annexes(earlier, target, "lyon", options) is None
    copied = cache.copy_annexes(earlier, target, "tunis", options)
    assert copied == [target / "annex" / "en" / "tunis.html"] and copied[0].read_text(encoding="utf-8") == "<p>annex</p>"


def test_copy_annexes_renders_again_when_a_listed_file_is_gone_or_changed(tmp_path: Path):
    options = {"formats": ["html", "pdf"], "languages": ["en"], "threshold": 5}
    folder = _run(tmp_path, "r1", [], annex=options)
    _annex_file(folder, "annex/en/tunis.html", "<p>annex</p>")
    earlier = _annex_file(folder, "annex/en/tunis.pdf", "%PDF")
    assert cache.copy_annexes(earlier, tmp_path / "a", "tunis", options) is not None
    (folder / "annex" / "en" / "tunis.pdf").unlink()
    assert cache.copy_annexes(earlier, tmp_path / "b", "tunis", options) is None, "a deleted PDF"
    (folder / "annex" / "en" / "tunis.pdf").write_text("%PDF changed", encoding="utf-8")
    assert cache.copy_annexes(earlier, tmp_path / "c", "tunis", options) is None, "a changed PDF"


def test_copy_annexes_takes_the_tables_beside_an_html_annex(tmp_path: Path):
    # annex/<lang>/<name>-tables.xlsx and -tables/*.csv (workbench.report.downloads) go with the annex
    options = {"formats": ["html"], "languages": ["en", "fr"], "threshold": 5}
    folder = _run(tmp_path, "r1", [], annex=options)
    for lang in ("en", "fr"):
        _annex_file(folder, f"annex/{lang}/tunis.html", "<p>annex</p>")
        _annex_file(folder, f"annex/{lang}/tunis-tables.xlsx", "xlsx")
        _annex_file(folder, f"annex/{lang}/tunis-tables/table-a-1.csv", "a\n1\n")
    _annex_file(folder, "annex/en/tunisia-tables.xlsx", "another document's")
    earlier = _annex_file(folder, "annex/en/lyon-tables/table-a-1.csv", "another city's")
    target = tmp_path / "new"
    copied = cache.copy_annexes(earlier, target, "tunis", options)
    assert sorted(str(p.relative_to(target)) for p in copied) == [
        "annex/en/tunis-tables.xlsx", "annex/en/tunis-tables/table-a-1.csv", "annex/en/tunis.html",
        "annex/fr/tunis-tables.xlsx", "annex/fr/tunis-tables/table-a-1.csv", "annex/fr/tunis.html"]
    assert (target / "annex" / "fr" / "tunis-tables" / "table-a-1.csv").read_text(encoding="utf-8") == "a\n1\n"
    (folder / "annex" / "en" / "tunis-tables" / "table-a-1.csv").write_text("a\n2\n", encoding="utf-8")
    assert cache.copy_annexes(earlier, tmp_path / "b", "tunis", options) is None, "a changed CSV: render again"


def test_annexes_rendered_again_with_other_options_are_never_copied(tmp_path: Path):
    # `workbench annex --suppress-below 0` on a run: a later run must not copy those files as suppressed
    options = {"formats": ["html"], "languages": ["en"], "threshold": 5}
    folder = _run(tmp_path, "r1", [], annex=options)
    _annex_file(folder, "annex/en/tunis.html", "<p>unsuppressed</p>")
    manifest = Manifest.read(folder)
    assert not manifest.record_rerender(options), "the same options: nothing to say"
    assert manifest.record_rerender({**options, "threshold": 0})
    manifest.write(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["annex"] is None
    assert [h["threshold"] for h in manifest["annex_history"]] == [5, 0]
    earlier = cache.Earlier(folder, None, Manifest.read(folder).annex_rendered_with(), {})
    assert cache.copy_annexes(earlier, tmp_path / "new", "tunis", options) is None


# --- end to end ---------------------------------------------------------------------------------

ANNEX = ("--format", "html", "--lang", "en")


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("manifest.json", "index.html", "run.log")}  # the log records its own run


@pytest.mark.slow
def test_rerun_reuses_unchanged_notebooks_and_reruns_what_changed(project_copy: Path):
    outputs = project_copy / "outputs"
    first = run_cli("run", "--cities", "tunis,turin", *ANNEX, root=project_copy)
    assert first.returncode == 0, first.stdout + first.stderr
    run1 = (outputs / "latest").resolve()
    assert all(not n["reused_from"] and len(n["key"]) == 64 for n in _manifest(run1)["notebooks"])

    again = run_cli("run", "--cities", "tunis,turin", *ANNEX, root=project_copy)
    assert again.returncode == 0, again.stdout + again.stderr
    run2 = (outputs / "latest").resolve()
    assert run2 != run1
    assert {n["reused_from"] for n in _manifest(run2)["notebooks"]} == {run1.name}
    assert _tree(run2) == _tree(run1), "a reused notebook, its tables and its annex are those of the run that made them"

    params = project_copy / "params" / "turin.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "top_n_origins: 5\n", encoding="utf-8")
    changed = run_cli("run", "--cities", "tunis,turin", *ANNEX, root=project_copy)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    run3 = (outputs / "latest").resolve()
    notebooks = {n["name"]: n for n in _manifest(run3)["notebooks"]}
    assert notebooks["tunis"]["reused_from"] == run1.name, "an unchanged city is not run again"
    assert notebooks["turin"]["reused_from"] == "", "the city whose parameters changed runs again"
    # the comparisons read the tables turin saved: they run again exactly when those changed
    saved = sorted(p.name for p in (run1 / "cities" / "turin").glob("*.csv"))
    same = all((run3 / "cities" / "turin" / f).read_bytes() == (run1 / "cities" / "turin" / f).read_bytes() for f in saved)
    compare = [n for name, n in notebooks.items() if name.startswith("compare-")]
    assert {bool(n["reused_from"]) for n in compare} == {same}
    assert (run3 / "annex" / "en" / "tunis.html").read_bytes() == (run1 / "annex" / "en" / "tunis.html").read_bytes()
    # the landing page names each run and lists its annexes, those copied with their tables too
    for run in (run1, run2, run3):
        page = (run / "index.html").read_text(encoding="utf-8")
        assert f"run {run.name}" in page and 'href="annex/en/tunis.html"' in page and 'href="annex/en/turin-tables.xlsx"' in page
        assert 'href="annex/en/tunis-tables/table-a-1.csv"' in page

    forced = run_cli("run", "--cities", "tunis,turin", "--force", "--no-annex", root=project_copy)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    run4 = (outputs / "latest").resolve()
    assert not any(n["reused_from"] for n in _manifest(run4)["notebooks"]), "--force runs everything"


def _outputs(notebook: Path) -> list:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])]
            for c in cells if c["cell_type"] == "code"]


@pytest.mark.slow
def test_a_forked_kernel_gives_the_outputs_of_a_fresh_kernel(tmp_path: Path, project_copy: Path):
    # on a copy: a run moves outputs/last-attempt, which must not point into a test's folder
    runs = {}
    for name, extra in (("forked", ()), ("fresh", ("--fresh-kernels",))):
        runs[name] = tmp_path / name
        result = run_cli("run", "--cities", "lyon", "--no-compare", "--no-annex", "--force", "--run-dir",
                         str(runs[name]), *extra, root=project_copy)
        assert result.returncode == 0, result.stdout + result.stderr
    forked, fresh = (runs[n] / "cities" / "lyon" for n in ("forked", "fresh"))
    assert _outputs(forked / "profile.ipynb") == _outputs(fresh / "profile.ipynb")
    for table in sorted(fresh.glob("*.csv")):
        assert (forked / table.name).read_bytes() == table.read_bytes(), table.name
    assert not list(forked.glob(".kernel-*.json")), "no connection file is left behind"


def test_make_baseline_runs_every_notebook_afresh():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    baseline = makefile.split("baseline: $(STAMP)", 1)[1].split("\n\n", 1)[0]
    assert "--force" in baseline, "the nbval baseline must come from fresh executions, not copies"
    assert shutil.which("make") is not None


def test_loaded_tidy_data_is_read_again_when_a_file_changes(project_copy: Path, monkeypatch):
    from workbench.tidy import catalog

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    first = catalog.load_tidy()
    assert catalog.load_tidy().equals(first), "unchanged files: the loaded frame"
    figures = sorted((project_copy / "data" / "local" / "figures").glob("*.csv"))[0]
    lines = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    figures.write_text("".join(lines[:-1]), encoding="utf-8")  # one figure fewer
    assert len(catalog.load_tidy()) == len(first) - 1

"""Runs as objects: `workbench runs`, `clean` and `publish` on small fake run folders (no batch is run)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from workbench.batch import runs as runs_module
from workbench.batch.publish import point
from workbench.batch.release import page_links, publish_run, reader_files
from workbench.errors import ConfigError, RunStepError
from workbench.provenance import Manifest, NotebookRecord

INDEX = """<!DOCTYPE html><html><body>
<a href="manifest.json">manifest.json</a>
<a href="annex/en/madrid.html">HTML</a> <a href="annex/en/madrid.pdf">PDF</a>
<a href="annex/en/madrid-tables.xlsx">Tables (XLSX)</a> <a href="annex/en/madrid-tables/table-a-1.csv">Table A.1</a>
<a href="https://ec.europa.eu/eurostat" rel="external">Eurostat</a> <a href="#annexes">top</a>
</body></html>
"""


def make_run(outputs: Path, name: str, status: str = "ok", started: str = "2026-12-01T10:00:00+00:00",
             cities: tuple[str, ...] = ("madrid",), reused_from: dict | None = None, annex: bool = True) -> Path:
    """A run folder as `workbench run` leaves it, in miniature: manifest, working tables, annexes, landing page."""
    folder = outputs / name
    notebooks = []
    for city in cities:
        work = folder / "cities" / city
        (work / "exhibits").mkdir(parents=True)
        (work / "profile.ipynb").write_text("{}", encoding="utf-8")
        (work / "exhibits" / "table-a-1.csv").write_text("place,count\nmadrid,3\n", encoding="utf-8")  # unsuppressed
        notebooks.append(NotebookRecord(city, "profile", city, "ok" if status == "ok" else "failed", 1.0,
                                        f"cities/{city}/profile.ipynb", reused_from=(reused_from or {}).get(city, ""),
                                        parameters={"city_id": city}, files={f"cities/{city}/profile.ipynb": "x"}))
    if annex:
        lang = folder / "annex" / "en"
        (lang / "madrid-tables").mkdir(parents=True)
        (lang / "madrid.html").write_text('<html><body><a href="#sources">Sources</a>'
                                          '<a href="https://www.ine.es/">INE</a></body></html>', encoding="utf-8")
        (lang / "madrid.pdf").write_bytes(b"%PDF-1.7 fake")
        (lang / "madrid-tables.xlsx").write_bytes(b"PK fake")
        (lang / "madrid-tables" / "table-a-1.csv").write_text("place,count\nmadrid,[s]\n", encoding="utf-8")
        (lang / "madrid.pdf.1234-5.tmp").write_bytes(b"half written")
        (folder / "index.html").write_text(INDEX, encoding="utf-8")
    Manifest(run_id=name, started=started, git_commit="0123456789abcdef", status=status, notebooks=notebooks,
             inputs={"params/madrid.yaml": "abc"}).write(folder)
    return folder


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch) -> Path:
    """A project in tmp_path (WORKBENCH_ROOT) with four runs and the two pointers, and a lab folder that is no run."""
    root = tmp_path / "project"
    for part in ("data/registry", "params", "notebooks", "outputs/lab"):
        (root / part).mkdir(parents=True)
    monkeypatch.setenv("WORKBENCH_ROOT", str(root))
    out = root / "outputs"
    make_run(out, "20261201T100000Z", started="2026-12-01T10:00:00+00:00")
    make_run(out, "20261202T100000Z", started="2026-12-02T10:00:00+00:00", cities=("madrid", "tunis"))
    make_run(out, "20261203T100000Z", started="2026-12-03T10:00:00+00:00", reused_from={"madrid": "20261201T100000Z"})
    make_run(out, "20261204T100000Z-failed", status="failed", started="2026-12-04T10:00:00+00:00", annex=False)
    point(out / "latest", out / "20261203T100000Z")
    point(out / "last-attempt", out / "20261204T100000Z-failed")
    return out


def cli(*args: str, root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKBENCH_ROOT": str(root), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)


def test_runs_lists_every_run_newest_first_with_its_state(outputs: Path):
    found = runs_module.list_runs(outputs)
    assert [r.id for r in found] == ["20261204T100000Z-failed", "20261203T100000Z", "20261202T100000Z",
                                     "20261201T100000Z"], "newest first; outputs/lab is not a run"
    failed, latest, two, first = found
    assert failed.status == "failed" and failed.pointers == ["last-attempt"] and failed.formats == []
    assert latest.pointers == ["latest"] and latest.reused_from == ["20261201T100000Z"]
    assert two.cities == ["madrid", "tunis"] and two.formats == ["html", "pdf"] and two.languages == ["en"]
    assert first.size > 0 and first.commit == "0123456789abcdef"


def test_runs_json_and_table(outputs: Path):
    result = cli("runs", "--json", root=outputs.parent)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["latest"].endswith("20261203T100000Z") and data["last_attempt"].endswith("-failed")
    assert [r["id"] for r in data["runs"]][0] == "20261204T100000Z-failed"
    row = data["runs"][1]
    assert {k: row[k] for k in ("status", "latest", "last_attempt", "reused_from", "cities", "formats", "languages")} == {
        "status": "ok", "latest": True, "last_attempt": False, "reused_from": ["20261201T100000Z"],
        "cities": ["madrid"], "formats": ["html", "pdf"], "languages": ["en"]}
    assert isinstance(row["size"], int) and row["started"].startswith("2026-12-03")
    table = cli("runs", root=outputs.parent)
    assert table.returncode == 0 and table.stdout.splitlines()[0] == f"project: {outputs.parent} (from WORKBENCH_ROOT)"
    assert "20261202T100000Z" in table.stdout and "madrid,tunis" in table.stdout and "newest first" in table.stdout


def test_clean_keeps_the_pointed_at_the_reused_and_the_running(outputs: Path, monkeypatch):
    make_run(outputs, "20261205T100000Z.partial", status="running", started="2026-12-05T10:00:00+00:00", annex=False)
    monkeypatch.setattr(runs_module, "live_holder", lambda folder: {"pid": 1})
    plan = runs_module.plan_clean(runs_module.list_runs(outputs), 0)
    kept = {run.id: why for run, why in plan.keep}
    assert [r.id for r in plan.delete] == ["20261202T100000Z"]
    assert "being written" in kept["20261205T100000Z.partial"]
    assert "outputs/latest" in kept["20261203T100000Z"] and "outputs/last-attempt" in kept["20261204T100000Z-failed"]
    assert "20261203T100000Z reuses" in kept["20261201T100000Z"]
    plan = runs_module.plan_clean(runs_module.list_runs(outputs), 2)
    assert [r.id for r in plan.delete] == ["20261202T100000Z"] and plan.freed == plan.delete[0].size
    with pytest.raises(ConfigError, match="--keep must be .* 0 or more"):
        runs_module.plan_clean([], -1)


def test_clean_is_a_dry_run_unless_yes(outputs: Path):
    before = sorted(p.name for p in outputs.iterdir())
    result = cli("clean", "--keep", "0", root=outputs.parent)
    assert result.returncode == 0, result.stderr
    assert "would delete 1 run(s)" in result.stdout and "dry run: nothing deleted" in result.stdout
    assert sorted(p.name for p in outputs.iterdir()) == before
    result = cli("clean", "--keep", "0", "--yes", root=outputs.parent)
    assert result.returncode == 0, result.stderr
    assert "deleted 1 run(s)" in result.stdout
    assert sorted(p.name for p in outputs.iterdir()) == sorted(set(before) - {"20261202T100000Z"})
    result = cli("clean", "--keep", "-3", root=outputs.parent)
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [
        "error: --keep must be a whole number, 0 or more (the newest runs to keep); got -3"]


def test_clean_yes_is_refused_while_a_run_holds_the_lock(outputs: Path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (outputs / ".lock").write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(),
                                                   "started": "2099-01-01T00:00:00+00:00", "command": "workbench run"}))
        result = cli("clean", "--keep", "0", "--yes", root=outputs.parent)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert result.returncode == 2 and "another workbench run" in result.stderr
    assert (outputs / "20261202T100000Z").is_dir()


def test_publish_copies_what_readers_need_and_checks_its_links(outputs: Path, tmp_path: Path):
    dest = tmp_path / "www" / "site"
    result = cli("publish", "latest", str(dest), root=outputs.parent)
    assert result.returncode == 0, result.stderr
    assert "published run 20261203T100000Z" in result.stdout and "links checked" in result.stdout
    copied = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert copied == ["annex/en/madrid-tables.xlsx", "annex/en/madrid-tables/table-a-1.csv", "annex/en/madrid.html",
                      "annex/en/madrid.pdf", "index.html", "manifest.json"], "no notebook, working table or temp file"
    record = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert record["run_id"] == "20261203T100000Z" and record["inputs"] == {"params/madrid.yaml": "abc"}
    [notebook] = record["notebooks"]
    assert notebook == {"name": "madrid", "kind": "profile", "subject": "madrid", "status": "ok",
                        "reused_from": "20261201T100000Z"}, "no parameters, keys, file lists or errors"
    assert Manifest.read(dest).notebooks[0].reused_from == "20261201T100000Z"
    assert set(page_links(dest / "index.html")) == {"manifest.json", *copied[:4]}
    assert not list(tmp_path.glob("www/.*")), "no staging folder left"


def test_publish_refuses_bad_input_in_one_line(outputs: Path, tmp_path: Path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "old.html").write_text("x")
    for args, words in (
        (("nosuchrun", str(tmp_path / "a")), "unknown run 'nosuchrun'"),
        (("last-attempt", str(tmp_path / "b")), "status 'failed', not 'ok'"),
        (("20261202T100000Z", str(full)), "folder is not empty"),
        (("20261202T100000Z", str(outputs / "copy")), "inside outputs/"),
    ):
        result = cli("publish", *args, root=outputs.parent)
        assert result.returncode == 2, (args, result.stderr)
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and words in line, line
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and not (outputs / "copy").exists()


def test_publish_refuses_a_copy_whose_links_lead_nowhere(outputs: Path, tmp_path: Path):
    run = outputs / "20261202T100000Z"
    (run / "index.html").write_text(INDEX.replace("</body>", '<a href="cities/madrid/exhibits/table-a-1.csv">raw</a></body>'),
                                    encoding="utf-8")
    assert "cities/madrid/exhibits/table-a-1.csv" not in reader_files(run)
    dest = tmp_path / "site"
    with pytest.raises(RunStepError, match="1 link.* cities/madrid/exhibits/table-a-1.csv; nothing was published"):
        publish_run(run, dest, outputs)
    assert not dest.exists() and not list(tmp_path.glob(".site*"))

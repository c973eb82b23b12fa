"""Tests of `workbench check`: a run folder made here, with a planted contradiction caught and a clean run at 0."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis import city_tables, synopsis
from workbench.analysis.sections import Section
from workbench.cli import main
from workbench.errors import DataError
from workbench.provenance import Manifest, NotebookRecord
from workbench.reference.registry import get_city
from workbench.report.exhibits import Report


def _series() -> pd.DataFrame:
    return pd.DataFrame({
        "place": ["Madrid"] * 2, "geography": ["municipality"] * 2, "definition": ["Foreign nationals"] * 2,
        "reference date": ["2012-01-01", "2022-01-01"], "persons": [300_000.0, 380_000.0],
        "share of population (%)": [9.5, 11.3], "source": ["s"] * 2, "flag": [""] * 2,
    })


def _make_run(folder: Path, *, sentence_persons: float = 380_000.0, network_persons: float = 380_000.0) -> Path:
    # a run as `workbench run` leaves it: manifest, the city's exhibits and claims, the network's exhibits
    series = _series()
    report = Report()
    report.table(series, "Migrant population of Madrid")
    cities = folder / "cities"
    drafted = synopsis.migrant_share(Section(series.assign(persons=[300_000.0, sentence_persons])), get_city("madrid"), "4.1")
    claims = city_tables.claims_table(drafted, {"series": series}, [(e.slug, e.table) for e in report.exhibits])
    report.save(cities / "madrid" / city_tables.EXHIBITS_FOLDER)
    claims.to_csv(city_tables.CLAIMS.path(cities, "madrid"), index=False, lineterminator="\n")
    network = Report()
    network.table(series.tail(1).drop(columns="place").assign(area="Madrid", persons=network_persons), "Latest migrant share")
    network.save(folder / "compare" / "overview")
    notebooks = [NotebookRecord("madrid", "profile", "madrid", "ok", notebook="cities/madrid/profile.ipynb"),
                 NotebookRecord("compare-overview", "comparison", "overview", "ok", notebook="compare/overview/overview.ipynb")]
    Manifest(folder.name, status="ok", notebooks=notebooks).write(folder)
    return folder


def test_a_clean_run_reports_0_and_exits_0(tmp_path, capsys):
    run = _make_run(tmp_path / "run-1")
    assert main(["check", str(run)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"0 disagreements in {run}"


def test_a_planted_sentence_number_and_exhibit_disagreement_are_each_one_line(tmp_path, capsys):
    run = _make_run(tmp_path / "run-1", sentence_persons=390_000.0, network_persons=381_000.0)
    assert main(["check", str(run)]) == DataError.exit_code
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"2 disagreements in {run}"
    (claim,) = [line for line in lines if "synopsis sentence 1" in line]
    assert claim.startswith("madrid: synopsis sentence 1 ('Foreign nationals numbered 390,000")
    assert "column 'persons': 390000 against 380000" in claim
    (exhibits,) = [line for line in lines if line.startswith("madrid / compare/overview: exhibits ")]
    assert "column 'persons' where area=Madrid" in exhibits and exhibits.endswith("380000 against 381000")


def test_json_output_carries_each_disagreement(tmp_path, capsys):
    run = _make_run(tmp_path / "run-1", network_persons=381_000.0)
    assert main(["check", "--json", str(run)]) == DataError.exit_code
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 1 and report["claims_checked"] == 4
    (found,) = report["disagreements"]
    assert found["subject"] == "madrid / compare/overview" and (found["stated"], found["found"]) == (380000, 381000)


def test_a_run_without_saved_claims_is_said_not_hidden(tmp_path, capsys):
    run = _make_run(tmp_path / "run-1")
    city_tables.CLAIMS.path(run / "cities", "madrid").unlink()
    assert main(["check", str(run)]) == 0
    assert "note: no saved claims for madrid" in capsys.readouterr().out


@pytest.mark.parametrize("breakage", ["missing", "no manifest", "bad manifest"])
def test_a_missing_or_unreadable_run_is_a_one_line_error(tmp_path, capsys, breakage):
    run = tmp_path / "run-1"
    if breakage != "missing":
        run.mkdir()
    if breakage == "bad manifest":
        (run / "manifest.json").write_text("{not json", encoding="utf-8")
    assert main(["check", str(run)]) == DataError.exit_code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "run-1" in err[0]

"""City briefs (workbench.analysis.brief) on small frames made here, and a brief run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from conftest import run_cli
from workbench.analysis import brief
from workbench.errors import ConfigError
from workbench.tidy.sources._common import tidy_frame


def _rows(place: str, name: str, level: str, iso3: str, source: str, definition: str, values: dict[int, float],
          flags: dict[int, str] | None = None, city_id: str = "") -> list[dict]:
    return [{"place_id": place, "place_name": name, "geography_level": level, "country_iso3": iso3, "city_id": city_id,
             "indicator_id": "population", "definition_id": definition, "period": str(year),
             "ref_date": f"{year}-01-01", "value": value, "unit": "persons", "flag": (flags or {}).get(year, "")}
            for year, value in values.items()]


@pytest.fixture
def frame() -> pd.DataFrame:
    born = tidy_frame(
        _rows("XX001C", "Alpha", "city", "ESP", brief.FOREIGN_BORN_SOURCE, "foreign_born",
              {2015: 100.0, 2016: 110.0, 2018: 121.0, 2020: 150.0}, {2018: "b"})
        + _rows("XX002K", "Beta <b>", "greater_city", "ITA", brief.FOREIGN_BORN_SOURCE, "foreign_born", {2023: 50.0}),
        brief.FOREIGN_BORN_SOURCE)
    total = tidy_frame(
        _rows("XX001C", "Alpha", "city", "ESP", brief.POPULATION_SOURCE, "total_population",
              {2015: 1000.0, 2016: 1000.0, 2018: 1100.0}, {2016: "e"})
        + _rows("XX003C", "Gamma", "city", "FRA", brief.POPULATION_SOURCE, "total_population", {2020: 10.0}),
        brief.POPULATION_SOURCE)
    return pd.concat([born, total], ignore_index=True)


def test_places_are_the_codes_with_foreign_born_data(frame):
    places = brief.brief_places(frame)
    assert places["place_id"].tolist() == ["XX001C", "XX002K"], "Gamma has a population but no foreign-born figure"
    assert brief.check_places(["XX002K", "XX002K"], frame) == ["XX002K"]
    with pytest.raises(ConfigError, match=r"no city brief for 'XX003C'.*XX001C"):
        brief.check_places(["XX003C"], frame)


def test_share_only_where_both_tables_publish_the_same_code_and_year(frame):
    b = brief.make_brief("XX001C", frame)
    table = b.table.set_index("year")
    assert table.loc[2015, "share (%)"] == 10.0 and table.loc[2018, "share (%)"] == 11.0
    assert pd.isna(table.loc[2020, "share (%)"]), "no population for 2020: no share"
    assert table.loc[2016, "flags"] == "estimated" and table.loc[2018, "flags"] == "break in series"
    assert b.sentences[0] == ("On 1 January 2020, 150 residents of Alpha, Spain were born abroad; Eurostat publishes no "
                              "total population for that year, so no share is computed.")
    assert "rose from 10.0 % in 2015 to 11.0 % in 2018 (+1.0 percentage points)" in b.sentences[1]
    assert b.trend is not None and b.trend.points == 4
    # issue 16: the interval is the fit's uncertainty, not a significance of change
    assert "95 % interval of the fit" in b.sentences[-1] and "not a sampling error" in b.sentences[-1]
    notes = " ".join(b.notes)
    assert "no figure for 2017, 2019" in notes and "break in the series (2018)" in notes
    assert "Not comparable with counts of foreign nationals" in notes and "urb_cpopcb" in notes


def test_a_single_year_has_no_trend_and_an_unknown_code_is_an_error(frame):
    b = brief.make_brief("XX002K", frame)
    assert b.trend is None and any("No trend: fewer than 4 years" in n for n in b.notes)
    assert "greater city" in b.notes[1] and "neither the municipality nor the functional urban area" in b.notes[1]
    with pytest.raises(ConfigError, match="XX003C"):
        brief.make_brief("XX003C", frame)


def test_pages_escape_every_text_and_the_index_searches_and_links(frame, tmp_path: Path):
    b = brief.make_brief("XX002K", frame)
    page = BeautifulSoup(brief.brief_html(b), "html.parser")
    assert page.find("h1").get_text() == "Beta <b>" and page.find("b") is None
    written = brief.save(b, tmp_path)
    assert [p.name for p in written] == ["brief.html", "brief.json"]
    summary = json.loads((tmp_path / "brief.json").read_text(encoding="utf-8"))
    alpha = brief.summary(brief.make_brief("XX001C", frame))
    index = BeautifulSoup(brief.index_html([summary, {**alpha, "city_id": "madrid"}], {"madrid": "../annex/en/madrid.html"},
                                           "r1"), "html.parser")
    rows = index.find("tbody").find_all("tr")
    assert [r.find("a")["href"] for r in rows] == ["XX002K/brief.html", "XX001C/brief.html"], "sorted by country"
    assert rows[1].find_all("a")[1]["href"] == "../annex/en/madrid.html"
    assert "alpha" in rows[1]["data-search"] and index.find("input", id="q") is not None
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.slow
def test_brief_run_writes_briefs_and_index_and_reuses_them(project_copy: Path):
    result = run_cli("run", "--briefs", "ES001C,IT004C", root=project_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    run = (project_copy / "outputs" / "latest").resolve()
    index = BeautifulSoup((run / "briefs" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert len(index.find("tbody").find_all("tr")) == 2
    madrid = json.loads((run / "briefs" / "ES001C" / "brief.json").read_text(encoding="utf-8"))
    assert madrid["city_id"] == "madrid" and madrid["level"] == "greater_city" and madrid["year"] >= 2023
    again = run_cli("run", "--briefs", "ES001C,IT004C", root=project_copy)
    assert again.returncode == 0
    manifest = json.loads(((project_copy / "outputs" / "latest").resolve() / "manifest.json").read_text(encoding="utf-8"))
    assert {n["reused_from"] for n in manifest["notebooks"]} == {run.name}
    wrong = run_cli("run", "--briefs", "ZZ123C", root=project_copy)
    assert wrong.returncode == 2 and "no city brief for 'ZZ123C'" in wrong.stderr

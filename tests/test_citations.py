"""Tests of citations: short source lines under exhibits, full references once in an annex, licence status."""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.reference.citations import (
    COMPUTED_FROM_EXPERT,
    Citation,
    citation_text,
    parse_citation,
    registry_citation,
)
from workbench.reference.i18n import render
from workbench.reference.labels import source_refs
from workbench.reference.registry import load_sources, read_source
from workbench.report import annex_document, annex_html
from workbench.report.exhibit_sources import source_line
from workbench.report.exhibits import Exhibit, Report

JORDAN = Citation("Department of Statistics Jordan", "Population and Housing Census 2015, preliminary results (press conference)",
                  "The Jordan Times 2016-02-22; UNICEF Jordan census page", "https://example.org/census")

ENTRY = """\
source_id: {sid}
publisher: Ayuntamiento de Madrid, Subdirección General de Estadística
title: Población según nacionalidad a 1 de julio de 2022
table_id: C4210722
short:
  publisher: Ayuntamiento de Madrid
  title: Padrón municipal
  date: "2022-07-01"
  table: C4210722
url: https://example.org
licence: {licence}
licence_verified: false
access_date: 2022-12-14
reference_dates: 1 July 2022
definition: Residents by nationality
geography: Ciudad de Madrid
"""


def _entry(folder: Path, sid: str, licence: str = "open-data terms (re-use with attribution)", **replace) -> Path:
    text = ENTRY.format(sid=sid, licence=licence)
    for old, new in replace.items():
        text = text.replace(old, new)
    path = folder / f"{sid}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_short_citation_names_publisher_title_date_and_table(tmp_path: Path):
    source = read_source(_entry(tmp_path, "madrid_x"))
    short = registry_citation(source)
    assert short == "Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722)"
    assert render(short, "fr") == "Ayuntamiento de Madrid, Padrón municipal, 1er juillet 2022 (tableau C4210722)"


def test_a_licence_still_to_verify_is_refused_with_its_file_and_key(tmp_path: Path):
    path = _entry(tmp_path, "madrid_x", licence="open-data terms - verify")
    with pytest.raises(ConfigError, match=r"madrid_x\.yaml: key 'licence'.*licence_verified"):
        read_source(path)


def test_an_entry_without_short_citation_or_licence_status_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="key 'short': missing"):
        read_source(_entry(tmp_path, "a", **{"short:\n  publisher: Ayuntamiento de Madrid\n  title: Padrón municipal\n"
                                              '  date: "2022-07-01"\n  table: C4210722\n': ""}))
    with pytest.raises(ConfigError, match="key 'licence_verified': missing"):
        read_source(_entry(tmp_path, "b", **{"licence_verified: false\n": ""}))


def test_two_entries_with_the_same_short_citation_are_refused(tmp_path: Path):
    (tmp_path / "sources").mkdir()
    _entry(tmp_path / "sources", "first")
    _entry(tmp_path / "sources", "second")
    with pytest.raises(ConfigError, match="second.yaml: key 'short': the same short citation as source 'first'"):
        load_sources.__wrapped__(tmp_path)


def test_every_registry_entry_has_a_short_citation_and_a_licence_status():
    for source in load_sources().values():
        assert len(registry_citation(source)) <= 110, source.source_id
        assert "verif" not in source.licence.lower(), source.source_id


def test_expert_citation_round_trips_and_its_short_form_drops_details():
    text = citation_text(JORDAN.publisher, JORDAN.title, JORDAN.reported_via, JORDAN.url)
    parsed = parse_citation(text)
    assert parsed.fields() == JORDAN.fields() and parsed.key == JORDAN.key
    assert parsed == "Department of Statistics Jordan, Population and Housing Census 2015, preliminary results"
    assert parse_citation("1450000 / 4007526 (expert_figures)") is None


def test_source_refs_cite_expert_figures_and_say_in_words_what_was_computed():
    note = citation_text("HCP", "RGPH 2014", "le360.ma", "") + " | as published: foreigners"
    rows = pd.DataFrame({"source_id": ["expert_figures", "expert_figures", "undesa_ims_2024"],
                         "note": [note, "9677 / 4030222 (hcp_rgph)", ""]})
    refs = source_refs(rows)
    assert isinstance(refs[0], Citation) and refs[0] == "HCP, RGPH 2014"
    assert refs[1] is COMPUTED_FROM_EXPERT and not re.search(r"\d+ / \d+", refs[1])
    assert refs[2] == "undesa_ims_2024"


def test_exhibit_shows_one_short_source_line_and_carries_its_citations():
    report = Report()
    report.table(pd.DataFrame({"persons": [1.0]}), "Cap", ["madrid_ayto_nationality_2022", "eurostat_urb_cpop1", JORDAN,
                                                         "madrid_ayto_nationality_2022", "expert_figures"])
    exhibit = report.exhibits[0]
    line = [ln for ln in exhibit.to_text().splitlines() if ln.startswith("Source")]
    assert line == ["Source: Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722); Eurostat (table urb_cpop1); "
                    "Department of Statistics Jordan, Population and Housing Census 2015, preliminary results."]
    assert "licence" not in exhibit.to_html() and html.escape(line[0]) in exhibit.to_html()
    again = Exhibit.from_metadata(exhibit.metadata())
    assert again.source_ids == ["madrid_ayto_nationality_2022", "eurostat_urb_cpop1"]
    assert [c.fields() for c in again.citations] == [JORDAN.fields()] and again.sources == exhibit.sources


def test_exhibits_saved_before_citations_are_cited_again_in_short():
    legacy = {"kind": "figure", "number": 1, "caption": "C", "notes": [], "sources": ["x"], "sources_i18n": [
        {"msgid": "{publisher}, {title} ({table_id}); licence {licence}", "params": {}},
        {"msgid": "Local expert figure: {citation}", "params": {"citation": citation_text("DoS", "Census 2015")}},
        "computed from the table above"],
        "source_ids": ["worldbank_wdi", "Local expert figure: " + citation_text("HCP", "RGPH 2014", "le360.ma"),
                       "Local expert figure: 9677 / 4030222 (hcp_rgph)"]}
    exhibit = Exhibit.from_metadata(legacy)
    assert source_line(exhibit.sources) == ("Source: World Bank, World Development Indicators; HCP, RGPH 2014; "
                                            f"{COMPUTED_FROM_EXPERT}; DoS, Census 2015; computed from the table above.")
    assert exhibit.source_keys[0] == "worldbank_wdi" and exhibit.citations[0].reported_via == "le360.ma"


def _annex(tmp_path: Path, sources: list[list], lang: str = "en") -> str:
    report = Report()
    for number, cited in enumerate(sources, start=1):
        # in French and Arabic a caption the catalogs hold
        report.table(pd.DataFrame({"persons": [10.0 * number]}), f"Table {number}" if lang == "en" else "Sources", cited)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "t"}, metadata={"workbench": e.metadata()})
                    for e in report.exhibits]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\n## 1. Synopsis and key figures"), cell]
    nbformat.write(nb, str(tmp_path / "nb.ipynb"))
    document = annex_document.city_document(tmp_path / "nb.ipynb", "madrid")
    return annex_html.render_html(document, {"run_id": "r", "inputs": {}}, threshold=0, lang=lang)


def _source_lines(page: str) -> list[str]:
    return [html.unescape(re.sub("<[^>]+>", "", s)) for s in re.findall(r'<p class="wb-source">(.*?)</p>', page, re.S)]


def test_annex_lines_are_short_link_to_numbered_entries_and_never_say_verify(tmp_path: Path, caplog):
    many = sorted(load_sources())  # every registry entry: named by publisher with entry numbers, runs as ranges
    from workbench.report import annex_sources

    annex_sources._warn_unverified.cache_clear()  # warned once per process: an earlier test may have warned already
    with caplog.at_level(logging.INFO, logger="workbench.report.annex_sources"):
        page = _annex(tmp_path, [["madrid_ayto_nationality_2022", "eurostat_urb_cpop1"], [JORDAN, "worldbank_wdi"], many])
    lines = _source_lines(page)
    assert lines[0] == "Source: Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722); Eurostat (table urb_cpop1)."
    assert all(len(line) <= 300 for line in lines), max(lines, key=len)
    assert "ISTAT [" in lines[2] and "Eurostat [" in lines[2]
    assert re.search(r"\[(\d+, )*\d+\u2013\d+", lines[2])  # a run of entries as a range
    assert "verify" not in page.lower()
    anchors = set(re.findall(r'<li id="source-([^"]+)"', page))
    links = set(re.findall(r'href="#source-([^"]+)"', page))
    assert links and links <= anchors
    # the unconfirmed licence is neither printed as fact nor hidden: the page points to the publisher, the log names it
    madrid = re.search(r'<li id="source-madrid_ayto_nationality_2022">.*?</li>', page).group(0)
    assert "see the publisher&#39;s terms" in madrid and "open-data terms" not in madrid
    assert any("madrid_ayto_nationality_2022" in r.getMessage() for r in caplog.records)
    assert "CC BY 4.0" in re.search(r'<li id="source-worldbank_wdi">.*?</li>', page).group(0)


def test_expert_citations_are_listed_in_full_in_the_sources_section(tmp_path: Path):
    page = _annex(tmp_path, [[JORDAN]])
    entry = re.search(rf'<li id="source-{JORDAN.key}">.*?</li>', page).group(0)
    assert "Department of Statistics Jordan" in entry and "(press conference)" in entry
    assert "The Jordan Times 2016-02-22; UNICEF Jordan census page" in entry and "https://example.org/census" in entry
    assert f'href="#source-{JORDAN.key}"' in page


def test_annex_source_lines_are_rendered_in_the_annexs_language(tmp_path: Path):
    report = Report()
    report.table(pd.DataFrame({"persons": [1.0]}), "Sources", ["madrid_ayto_nationality_2022"])  # a caption the catalogs hold
    exhibit = Exhibit.from_metadata(report.exhibits[0].metadata())
    exhibit.annex_number = "A.1"
    fragment, _ = annex_html._exhibit_html(exhibit, "Tableau A.1", 0, "fr", {"madrid_ayto_nationality_2022": 1})
    assert "1er juillet 2022 (tableau C4210722)" in html.unescape(fragment)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_sources_entries_in_french_and_arabic_carry_no_english_prose(tmp_path: Path, lang: str):
    page = _annex(tmp_path, [["unhcr_demographics", "undesa_ims_2024", "hcp_rgph"]], lang)
    entries = {key: html.unescape(re.sub("<[^>]+>", "", text))
               for key, text in re.findall(r'<li id="source-([^"]+)">(.*?)</li>', page, re.S)}
    unhcr, undesa, hcp = entries["unhcr_demographics"], entries["undesa_ims_2024"], entries["hcp_rgph"]
    assert "2001\u20132025" in unhcr and "December" not in unhcr and "end-year" not in unhcr
    assert "stated in the package" not in unhcr and "CC BY 4.0" in unhcr
    assert "re-shaped copies" not in undesa and "CC BY 3.0 IGO" in undesa
    assert "international migrant stock at mid-year" not in undesa and "POP/DB/MIG/Stock/Rev.2024, Table 1" in undesa
    assert "2014, 2024" in hcp and "reuse on" not in hcp  # two censuses named, not a range


def test_an_address_with_escaped_arabic_is_shown_decoded_and_linked_as_published(tmp_path: Path):
    url = "https://alghad.com/9-5-%d9%85%d9%84%d9%8a%d9%88%d9%86/"
    cited = Citation("Department of Statistics Jordan", "Census 2015", "Al-Ghad", url)
    page = _annex(tmp_path, [[cited]], "ar")
    entry = re.search(rf'<li id="source-{cited.key}">.*?</li>', page, re.S).group(0)
    assert f'href="{url}"' in entry and ">https://alghad.com/9-5-مليون/</a>" in entry


def test_the_console_gets_one_line_naming_the_unconfirmed_licences_of_a_run(tmp_path: Path, monkeypatch):
    from workbench.cli import output
    from workbench.report import site
    from workbench.report.annex_sources import unconfirmed_licences

    assert unconfirmed_licences(["madrid_ayto_nationality_2022", "worldbank_wdi", "not-a-source"]) == ["madrid_ayto_nationality_2022"]
    monkeypatch.setattr(site, "cited_source_ids", lambda run_dir: {"worldbank_wdi", "madrid_ayto_nationality_2022"})
    note = output.licence_note(tmp_path)
    assert note.startswith("note: 1 cited source(s)") and "madrid_ayto_nationality_2022" in note and "worldbank_wdi" not in note
    monkeypatch.setattr(site, "cited_source_ids", lambda run_dir: {"worldbank_wdi"})
    assert output.licence_note(tmp_path) == ""

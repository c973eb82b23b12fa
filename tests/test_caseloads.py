"""Populations named for what they are (issue 16): a UNHCR caseload is never "countries of origin";
the synopsis of a city without an official city-level count starts from the city; Palestine refugees
in UN DESA's stocks of Jordan and Lebanon are said."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis import (
    availability, caseloads, composition, conflicts, country, overlap, profile_tables, synopsis, synopsis_city,
)
from workbench.analysis.city_tables import ORIGINS
from workbench.errors import ClaimError
from workbench.reference.framework import load_framework
from workbench.reference.i18n import render
from workbench.reference.registry import get_city
from workbench.tidy.schemas import TIDY_COLUMNS


def _row(**values) -> dict:
    row = {
        "source_id": "unhcr_demographics", "place_id": "JOR-amman", "place_name": "Amman [Admin 1]",
        "geography_level": "governorate", "country_iso3": "JOR", "city_id": "amman", "indicator_id": "population",
        "definition_id": "registered_refugee", "sex": "total", "age": "total", "origin_type": "", "origin": "total",
        "category": "total", "period": "2025", "ref_date": "2025-12-31", "value": 0.0, "unit": "persons",
        "flag": "", "note": "",
    }
    row.update(values)
    return row


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(TIDY_COLUMNS)).astype({"value": float})


def _city() -> pd.DataFrame:
    # a city whose only origin table is a UNHCR caseload; the country's census by citizenship sits
    # among the city's rows too (an expert figure for Jordan), and is not the city's table either
    refugees = [_row(origin_type="origin_country", origin=code, value=v) for code, v in {"SYR": 900.0, "IRQ": 80.0, "SDN": 20.0}.items()]
    census = [
        _row(source_id="expert_figures", place_id="JOR", place_name="Jordan", geography_level="country", city_id="",
             definition_id="foreign_nationality", origin_type="citizenship", origin=code, value=v, period="2015", ref_date="2015-11-30")
        for code, v in {"EGY": 600.0, "PSE": 600.0, "SYR": 1200.0}.items()
    ]
    expert = [_row(source_id="expert_figures", place_id="JOR-amman", place_name="Amman Governorate", definition_id="foreign_nationality",
                   value=1450.0, period="2015", ref_date="2015-11-30", flag="e")]
    return _frame(refugees + census + expert)


def _national() -> pd.DataFrame:
    common = {"source_id": "undesa_ims_2024", "place_id": "JOR", "place_name": "Jordan", "geography_level": "country",
              "city_id": "", "definition_id": "un_migrant_stock", "period": "2024", "ref_date": "2024-07-01"}
    rows = [_row(**common, origin_type="origin_country", origin=code, value=v)
            for code, v in {"PSE": 2400.0, "SYR": 1600.0, "EGY": 800.0, "IRQ": 200.0}.items()]
    rows.append(_row(**common, value=5300.0))
    rows.append(_row(**{**common, "source_id": "undesa_ims_2020", "period": "2020", "ref_date": "2020-07-01"}, value=3458.0))
    rows.append(_row(**{**common, "period": "2020", "ref_date": "2020-07-01"}, value=4940.0))
    rows.append(_row(**{**common, "source_id": "undesa_ims_2020", "period": "2020", "ref_date": "2020-07-01",
                        "definition_id": "un_refugees_in_stock"}, indicator_id="share_of_migrant_stock", value=87.3, unit="percent"))
    return _frame(rows)


# a caseload never heads "countries of origin" ------------------------------------------------


def test_a_caseload_is_not_the_citys_countries_of_origin():
    local, national = profile_tables.prepare_local(_FakeData()), _national()
    assert profile_tables.origins(local).empty
    assert composition.origin_table(local).empty
    assert composition.diversity_table(local, national).empty
    assert composition.origin_concentration(local, national).empty
    assert synopsis.top_origins(profile_tables.origins(local), "4.2") == []
    assert synopsis.diversity(composition.diversity_table(local, national), "4.2") == []
    figures = profile_tables.key_figures(local, national).table
    assert "Refugees under UNHCR's mandate" not in set(figures.loc[figures["figure"] == "Migrant population", "definition"])
    assert "Refugees under UNHCR's mandate" in set(figures.loc[figures["figure"] == "Caseload registered with UNHCR or UNRWA", "definition"])


def test_the_caseload_is_shown_as_what_it_is_with_the_origins_it_leaves_out():
    local, national = profile_tables.prepare_local(_FakeData()), _national()
    caseload = caseloads.caseload_origins(local, national)
    assert render(caseload.caption(), "en") == "Refugees under UNHCR's mandate by country of origin, Amman"
    assert "countries of origin" not in render(caseload.caption(), "en").lower()
    notes = [render(n, "en") for n in caseload.section.notes]
    assert any(n.startswith("A caseload is not the city's migrant population") for n in notes)
    # Palestinians and Egyptians of the country's stock are not in it; Iraqis are (at 8 % against 3.8 %)
    assert notes[-1].endswith(": State of Palestine, Egypt.")
    drafted = synopsis_city.caseload_origins(caseload, "4.7")
    text = render(drafted[0].text, "en")
    assert "a caseload registered with UNHCR, not the city's migrant population" in text
    assert "countries of origin" not in text
    assert synopsis.check(drafted, {"caseload": caseload.section.table}) == 1


def test_a_saved_caseload_keeps_its_definition_and_is_not_set_beside_migrants(tmp_path: Path):
    local = profile_tables.prepare_local(_FakeData())
    saved = composition.saved_origin_table(local)
    assert set(saved["definition_id"]) == {"registered_refugee"}
    for city, table in (("amman", saved), ("madrid", saved.assign(definition_id="foreign_nationality", source_id="x"))):
        (tmp_path / city).mkdir()
        table.to_csv(tmp_path / city / ORIGINS.filename, index=False)
    rows, _ = overlap.load_origins(tmp_path, ["amman", "madrid"])
    shared = overlap.shared_origins(rows)
    assert "Amman" not in shared.columns  # a caseload's shares are not "each city's migrants"
    assert overlap.overlap_table(rows)["overlap (%)"].isna().all()


class _FakeData:
    # the fields of tidy.catalog.CityData that prepare_local reads
    city = get_city("amman")
    local = _city()


# the synopsis of a city without an official city-level count ---------------------------------


def test_the_synopsis_starts_from_the_city_then_what_is_missing_then_the_country():
    local, national = profile_tables.prepare_local(_FakeData()), _national()
    assert not synopsis_city.has_official_city_count(local)  # an expert figure is not an official table
    official = pd.concat([local, _frame([_row(source_id="dos_jordan", definition_id="foreign_nationality", value=1.0)])])
    assert synopsis_city.has_official_city_count(official)
    framework = load_framework()
    matrix = availability.city_matrix(local, national, framework)
    missing = synopsis_city.unpublished(matrix, framework)
    assert "ori_origins" in missing and "dem_foreign_nationals_share" not in missing  # the census count is there
    availability.check_no_data(matrix, framework, {item: True for item in missing})
    said = synopsis_city.not_published(missing, matrix, framework, get_city("amman"), "2.3")
    assert synopsis.check(said, {"availability": matrix}) == 1
    assert "Migrants by country of citizenship or birth (top origins)" in render(said[0].text, "en")
    parts = {"national": [synopsis.Sentence("country", "3")], "missing": said, "caseload": [synopsis.Sentence("caseload", "4.7")],
             "share": [synopsis.Sentence("city", "4.1")]}
    order = [render(s.text, "en").split()[0] for s in synopsis_city.arrange(parts, official_city_count=False)]
    assert order == ["city", "caseload", "The", "country"]
    assert [s.text for s in synopsis_city.arrange(parts, official_city_count=True)] == ["city", "caseload", "country"]
    with pytest.raises(KeyError, match="origins_by_caseload"):
        synopsis_city.arrange({"origins_by_caseload": []}, True)


def test_a_not_published_sentence_must_cite_the_matrix_rows_it_names():
    local, national = profile_tables.prepare_local(_FakeData()), _national()
    framework = load_framework()
    matrix = availability.city_matrix(local, national, framework)
    said = synopsis_city.not_published(["ori_origins"], matrix, framework, get_city("amman"), "2.3")
    moved = matrix.copy()
    moved["indicator"] = moved["indicator"].shift(1)
    with pytest.raises(ClaimError, match="table 'availability'"):
        synopsis.check(said, {"availability": moved})


# Palestine refugees in UN DESA's stocks of Jordan and Lebanon ---------------------------------


def test_the_palestine_refugee_note_comes_from_the_registry_for_jordan_only():
    national = _national()
    notes = [render(n, "en") for n in country.national_context(national).notes]
    assert len(notes) == 1 and "Palestine refugees" in notes[0] and "Jordanian citizenship" in notes[0]
    assert country.national_context(national.assign(country_iso3="ESP")).notes == []
    table = conflicts.conflicting_figures(_frame([]), national)
    assert any("Palestine refugees" in render(n, "en") for n in table.notes)
    drafted = synopsis_city.disagreements(table, national, "2.2")
    text = render(drafted[0].text, "en")
    assert "differ by up to 42.9 %" in text and "Palestine refugees registered with UNRWA" in text
    assert synopsis.check(drafted, {"conflicts": table.table}) == 1
    context = country.national_context(national).table
    stock = synopsis_city.stock_note(context, national, get_city("amman"), "3")
    assert "were 87.3 % of the international migrant stock of Jordan in 2020" in render(stock[0].text, "en")
    assert synopsis.check(stock, {"context": context}) == 1
    assert synopsis_city.stock_note(context, national.assign(country_iso3="ESP"), get_city("madrid"), "3") == []


def test_the_count_of_conflicting_populations_is_checked():
    national = _national()
    table = conflicts.conflicting_figures(_frame([]), national)
    drafted = synopsis.disagreements(table, "2.2")
    doubled = pd.concat([table.table, table.table.assign(population="Foreign nationals")], ignore_index=True)
    with pytest.raises(ClaimError, match="column 'population'"):
        synopsis.check(drafted, {"conflicts": doubled})


def test_of_two_caseloads_of_the_latest_date_the_larger_is_shown_by_origin():
    # issue 16 review: Beirut's caseload by origin was its 946 asylum-seekers (more origins named),
    # not its 12,724 refugees
    rows = [_row(origin_type="origin_country", origin=code, value=v) for code, v in {"SYR": 12_000.0, "IRQ": 724.0}.items()]
    rows += [_row(definition_id="asylum_seeker", origin_type="origin_country", origin=code, value=v)
             for code, v in {"SDN": 432.0, "ETH": 269.0, "IRQ": 117.0, "BGD": 54.0, "EGY": 74.0}.items()]
    caseload = caseloads.caseload_origins(_frame(rows), _frame([]))
    assert render(caseload.section.notes[0], "en").startswith("Refugees under UNHCR's mandate in Amman on ")
    assert caseload.section.table["persons"].tolist() == [12_000.0, 724.0]

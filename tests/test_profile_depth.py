"""Tests of the deeper profile parts: conflicting figures, availability by year, synopsis, ages, overlap."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import age_sex, availability, conflicts, overlap, synopsis
from workbench.analysis.sections import Section
from workbench.errors import DataError
from workbench.reference.framework import load_framework
from workbench.reference.i18n import Msg, render
from workbench.reference.registry import get_city
from workbench.tidy.sources._common import tidy_frame


def _row(source="src_a", place="P1", level="municipality", definition="foreign_nationality", value=100.0, ref_date="2022-01-01", **kw):
    base = {
        "place_id": place, "place_name": place, "geography_level": level, "country_iso3": "ESP",
        "city_id": "madrid", "indicator_id": "population", "definition_id": definition,
        "period": ref_date[:4], "ref_date": ref_date, "value": value, "unit": "persons",
    }
    base.update(kw)
    return tidy_frame([base], source)


def _frame(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


EMPTY = _row().iloc[0:0]


def test_conflicts_show_two_sources_for_the_same_area_and_year():
    local = _frame(
        _row("cm_padron_population_series", definition="total_population", value=3_280_782.0),
        _row("madrid_ayto_nationality_2022", definition="total_population", value=3_339_295.0, ref_date="2022-07-01"),
    )
    table = conflicts.conflicting_figures(local, EMPTY).table
    assert table["value"].tolist() == [3_280_782.0, 3_339_295.0]
    assert table["difference from first (%)"].iloc[1] == pytest.approx(100 * (3_339_295 - 3_280_782) / 3_280_782)
    assert set(table["comparable"]) == {"same area"}


def test_conflicts_merge_sources_that_agree_and_drop_blocks_without_disagreement():
    local = _frame(_row("a", value=5.0), _row("b", value=5.0))
    assert conflicts.conflicting_figures(local, EMPTY).empty


def test_conflicts_mark_different_areas_and_treat_31_december_as_next_year():
    local = _frame(
        _row("expert_figures", place="comune", value=135_753.0, ref_date="2023-01-01", note="Comune report | as published"),
        _row("istat_popstrbil1", place="metro", level="metropolitan_city", value=214_860.0, ref_date="2022-12-31"),
    )
    table = conflicts.conflicting_figures(local, EMPTY).table
    assert table["year"].unique().tolist() == ["2023"]
    assert table["comparable"].tolist() == ["same area", "different area"]
    assert table["source"].iloc[0] == "expert figure: Comune report"
    assert table["source"].iloc[0].msgid == "expert figure: {citation}"
    assert table["area"].tolist() == ["comune (municipality)", "metro (metropolitan city)"]
    assert table["area"].iloc[1].msgid == "{place} ({geography})"


def test_conflicts_compare_two_releases_of_one_census_at_country_level():
    national = _frame(
        _row("expert_figures", place="MAR", level="country", value=86_206.0, ref_date="2014-09-01", note="HCP legal population | x"),
        _row("expert_figures", place="MAR", level="country", value=84_001.0, ref_date="2014-09-01", note="HCP detailed results | x", category="release:detailed_results"),
    )
    table = conflicts.conflicting_figures(EMPTY, national).table
    assert sorted(table["value"]) == [84_001.0, 86_206.0]
    assert "[release:detailed_results]" in table["source"].iloc[1]


def test_city_matrix_marks_levels_by_year_and_expert_items():
    local = _frame(
        _row("madrid_ayto_nationality_2022", ref_date="2022-07-01"),
        _row("madrid_ayto_nationality_2022", place="D1", level="district", ref_date="2022-07-01"),
    )
    national = _frame(_row("undesa_ims_2020", place="ESP", level="country", definition="un_migrant_stock", indicator_id="population_share", value=14.6, ref_date="2020-07-01", unit="percent"))
    matrix = availability.city_matrix(local, national, load_framework(), first_year=2015)
    by_id = dict(zip(matrix["indicator"], matrix.to_dict("records")))
    assert by_id["Foreign nationals, % of population"]["2022"] == "CD"
    assert by_id["Migrants by district (residential concentration)"]["2022"] == "D"
    assert by_id["International migrants, % of national population (UN DESA)"]["2020"] == "N"
    assert by_id["Reception places for asylum-seekers in the city"]["before 2015"] == availability.EXPERT
    assert list(matrix.columns[:3]) == ["theme", "indicator", "before 2015"]
    assert all(isinstance(note, Msg) for note in availability.legend())


def test_disjoint_bands_prefer_narrow_bands():
    assert age_sex.disjoint_bands(["Y0-14", "Y15-24", "Y15-64", "Y25-64", "Y65-MAX"]) == ["Y0-14", "Y15-24", "Y25-64", "Y65-MAX"]
    assert age_sex.disjoint_bands(["Y_LT15", "Y15-24", "Y25-54", "Y55-MAX"]) == ["Y_LT15", "Y15-24", "Y25-54", "Y55-MAX"]


def test_age_profiles_compare_migrants_with_natives_from_one_table():
    rows = []
    for age, (f, n) in {"Y0-14": (10, 100), "Y15-24": (20, 80), "Y25-64": (60, 300), "Y15-64": (80, 380), "Y65-MAX": (10, 120)}.items():
        rows.append(_row("ine", place="PRT", level="country", value=float(f), age=age, ref_date="2021-04-19"))
        rows.append(_row("ine", place="PRT", level="country", definition="national_citizens", value=float(n), age=age, ref_date="2021-04-19"))
    found = age_sex.age_profiles(EMPTY, _frame(*rows))
    assert len(found) == 1
    ages = found[0].ages
    assert set(ages["age"]) == {"Y0-14", "Y15-24", "Y25-64", "Y65-MAX"}
    assert ages.groupby("group")["persons"].sum().to_dict() == {"Foreign nationals": 100.0, "Nationals": 600.0}
    assert "country level" in found[0].note
    assert found[0].title == "Age structure: Foreign nationals and Nationals, PRT, 19 April 2021"
    assert isinstance(found[0].title, Msg) and isinstance(found[0].note, Msg)


def test_synopsis_sentences_cite_their_table_and_source():
    series = Section(
        pd.DataFrame(
            {
                "place": ["Madrid", "Madrid"], "geography": ["municipality", "municipality"],
                "definition": ["Foreign nationals", "Foreign nationals"], "reference date": ["2015-01-01", "2022-07-01"],
                "persons": [400_000.0, 552_576.0], "share of population (%)": [12.5, 16.5], "source": ["s", "s"], "flag": ["", ""],
            }
        ),
        ["s"],
    )
    sentences = synopsis.migrant_share(series, get_city("madrid"), "4.1, table 'series'")
    assert "552,576" in sentences[0].text and "16.5 %" in sentences[0].text
    assert "+4.0 percentage points" in sentences[1].text
    text = synopsis.as_markdown(sentences)
    assert text.count("see 4.1, table 'series'; source: s") == 2


def test_synopsis_drafts_nothing_from_empty_tables():
    empty = Section(pd.DataFrame(columns=["place", "year", "refugees", "asylum-seekers"]))
    assert synopsis.refugees(empty, "x") == []
    assert "No figure" in synopsis.as_markdown([])


def test_synopsis_residential_diversity_and_labour_sentences():
    segregation = Section(
        pd.DataFrame(
            {
                "source": ["w", "w"], "area level": ["district", "district"], "reference date": ["2002-01-01", "2022-01-01"],
                "areas": [23, 23], "group": ["Foreign origin", "Foreign origin"], "reference group": ["Austrian origin"] * 2,
                "migrants": [1.0, 2.0], "dissimilarity D": [0.156, 0.125],
                "migrants in the 5 highest-share areas (%)": [32.1, 32.9],
                "all residents in the 5 highest-share areas (%)": [25.0, 26.4],
            }
        )
    )
    (sentence,) = synopsis.residential(segregation, "4.4")
    assert "0.125 on 1 January 2022" in sentence.text and "against 0.156 on 1 January 2002" in sentence.text
    assert "(23 areas" in sentence.text and sentence.sources == ["w"]
    diversity = Section(
        pd.DataFrame(
            {
                "scope": ["city", "country"], "area": ["Lyon", "France"], "definition": ["Foreign nationals", "Migrant stock"],
                "reference date": ["2015-01-01", "2024-07-01"], "source": ["insee", "undesa"], "origins published": [11, 54],
                "Simpson diversity": [0.88, 0.94], "effective number of origins": [8.26, 16.39],
            }
        )
    )
    (sentence,) = synopsis.diversity(diversity, "4.2")
    assert "8.3 equally large origins" in sentence.text and "16.4 for France" in sentence.text
    assert "a different definition, indicative only" in sentence.text and sentence.sources == ["insee", "undesa"]
    gaps = Section(
        pd.DataFrame(
            {
                "place": ["Lyon"] * 3, "geography": ["urban unit"] * 3, "reference date": ["2020-01-01"] * 3,
                "sex": ["total", "total", "women"], "age band": ["15 and over"] * 3,
                "rate": ["employment rate", "unemployment rate", "employment rate"],
                "migrants (%)": [42.8, 23.9, 35.7], "natives (%)": [53.7, 10.7, 49.9], "gap (pp)": [-10.9, 13.2, -14.2],
                "migrant definition": ["Foreign nationals"] * 3, "native definition": ["Nationals"] * 3, "source": ["insee"] * 3,
            }
        )
    )
    (sentence,) = synopsis.labour_gaps(gaps, "5")
    assert "employment rate of 42.8 % against 53.7 % (-10.9 points)" in sentence.text
    assert "unemployment rate of 23.9 % against 10.7 % (+13.2 points)" in sentence.text
    assert sentence.text.render("en") == sentence.text
    assert "35.7" not in sentence.text  # women's rates are in the table, not the synopsis
    assert synopsis.labour_gaps(Section(gaps.table.iloc[0:0]), "5") == []


def test_overlap_index_bounds_and_errors():
    p = pd.Series({"MAR": 40.0, "ROU": 30.0})
    assert overlap.overlap_index(p, p) == 70.0
    assert overlap.overlap_index(p, pd.Series({"COL": 50.0})) == 0.0
    with pytest.raises(DataError):
        overlap.overlap_index(pd.Series({"MAR": -1.0}), p)


def test_load_origins_reports_missing_cities_and_bad_files(tmp_path):
    (tmp_path / "madrid").mkdir()
    (tmp_path / "madrid" / "origins.csv").write_text("origin,persons\nMAR,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="origins.csv"):
        overlap.load_origins(tmp_path, ["madrid"])
    rows, missing = overlap.load_origins(tmp_path, ["vienna"])
    assert rows.empty and missing == ["vienna"]


def test_conflicts_compare_each_area_with_itself_and_the_spread_covers_every_area():
    # issue 16 review (Tangier, 2014): the region's two figures were labelled 'different area' and the
    # synopsis said 'up to 2.7 %' while the region's differ by 4.1 %
    local = _frame(
        _row("expert_figures", place="pref", level="prefecture", value=5_299.0, ref_date="2014-09-01", note="HCP legal population | x"),
        _row("expert_figures", place="pref", level="prefecture", value=5_155.0, ref_date="2014-09-01", note="HCP note | x"),
        _row("expert_figures", place="region", level="region", value=7_453.0, ref_date="2014-09-01", note="HCP legal population | x"),
        _row("expert_figures", place="region", level="region", value=7_144.0, ref_date="2014-09-01", note="HCP report | x"),
    )
    section = conflicts.conflicting_figures(local, EMPTY)
    assert section.table["comparable"].tolist() == ["same area"] * 4
    sentences = synopsis.disagreements(section, Msg("2.2"))
    assert "up to 4.1 %" in render(sentences[0].text, "en")

"""Series honesty (issue 16, item 4): outliers and level changes marked by one declared rule, publisher
notes travelling with their points, charts broken at gaps and level changes, projections labelled,
a changed top-5 set said, and no headline from a point whose reporting level changed."""

from __future__ import annotations

import pandas as pd

from workbench.analysis import areas, country, profile_tables, series_flags, synopsis
from workbench.analysis import indicators as ind
from workbench.reference.i18n import T, render
from workbench.report.figures import line_pieces, plot_lines
from workbench.tidy.schemas import TIDY_COLUMNS
from workbench.tidy.sources._common import tidy_frame


def _notes(notes) -> list[str]:
    return [render(n, "en") for n in notes]


# the rule on a small series -------------------------------------------------------------------


def test_an_outlier_and_a_level_change_are_marked_never_dropped():
    table = pd.DataFrame({
        "place": ["A", "A", "A", "A", "B", "B"],
        "year": ["2001", "2002", "2003", "2004", "2005", "2006"],
        "persons": [100.0, 110.0, 5000.0, 120.0, 20.0, 25.0],
    })
    marked, notes = series_flags.mark_series(table, [], "year", ["persons"], ["place"])
    assert len(marked) == len(table) and marked["persons"].tolist() == table["persons"].tolist()
    assert marked.loc[2, series_flags.NOTES] == "[1]"  # 5000 is > 5 x both 110 and 120
    assert marked.loc[4, series_flags.NOTES] == "[2]"  # A -> B
    assert marked.loc[[0, 1, 3, 5], series_flags.NOTES].tolist() == ["", "", "", ""]
    text = _notes(notes)
    assert text[0] == render(series_flags.RULE_NOTE, "en") and "5 times" in text[0]
    assert text[1].startswith("[1] persons: more than 5 times") and text[2].startswith("[2] Area, geography level")
    # no marker, no rule note
    assert series_flags.mark_series(table.iloc[:2], [], "year", ["persons"], ["place"])[1] == []


def test_outliers_need_both_neighbours():
    values = pd.Series([1.0, 50.0, 8.0, 9.0])
    assert series_flags.outliers(values).tolist() == [False, True, False, False]


def test_publisher_notes_and_label_changes_travel_as_footnotes():
    table = pd.DataFrame({"place": ["A"] * 3, "year": ["2001", "2002", "2003"], "persons": [1.0, 2.0, 3.0]})
    labels = pd.Series(["Old", "Old", "New"])
    notes = pd.Series(["", "estimate of the Government", ""])
    marked, footnotes = series_flags.mark_series(table, [], "year", ["persons"], ["place"], labels=labels, publisher_notes=notes)
    assert marked[series_flags.NOTES].tolist() == ["", "[1]", "[2]"]
    assert _notes(footnotes)[1:] == ["[1] estimate of the Government",
                                     "[2] The publisher's label of the area changed from the previous point (Old → New); the area it covers may have changed too."]


# the refugees table and its headline -----------------------------------------------------------


def _unhcr(place_id, place_name, level, year, value, definition="registered_refugee", origin="SYR", note="", flag=""):
    return {
        "source_id": "unhcr_demographics", "place_id": place_id, "place_name": place_name, "geography_level": level,
        "country_iso3": "LBN", "city_id": "beirut", "indicator_id": "population", "definition_id": definition,
        "sex": "total", "age": "total", "origin_type": "origin_country", "origin": origin, "category": "total",
        "period": str(year), "ref_date": f"{year}-12-31", "value": float(value), "unit": "persons", "flag": flag, "note": note,
    }


def _beirut_like() -> pd.DataFrame:
    rows = [_unhcr("LBN-b", "Beirut [Admin 1]", "governorate", y, v, note="UNHCR location label 'Beirut : Mohafazah'")
            for y, v in [(2013, 25000), (2014, 31000), (2015, 28000), (2017, 21000), (2018, 19000)]]
    rows.append(_unhcr("LBN-b", "Beirut [Admin 1]", "governorate", 2016, 270000, flag="u",
                       note="UNHCR location label 'Beirut : Mohafazah'; 2016 figure far above adjacent years"))
    rows += [_unhcr("LBN-bd", "Beirut [Admin 2]", "district", y, v, note="From 2024 reported by district") for y, v in [(2024, 21), (2025, 27)]]
    local = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    return pd.concat([local, ind.sum_over_origins(local)], ignore_index=True)


def test_refugees_table_marks_the_outlier_the_level_change_and_carries_the_publisher_note():
    section = profile_tables.refugees_local(_beirut_like())
    table = section.table.set_index("year")
    assert table.index.tolist() == ["2013", "2014", "2015", "2016", "2017", "2018", "2024", "2025"]
    assert table.loc["2016", "refugees"] == 270000  # kept as published
    assert "u" in table.loc["2016", "flag"]
    text = _notes(section.notes)
    marker = dict(line.split(" ", 1) for line in text if line.startswith("["))
    by_text = {v: k for k, v in marker.items()}
    outlier = next(k for k, v in marker.items() if v.startswith("refugees: more than 5 times"))
    assert outlier in table.loc["2016", "notes"]
    assert by_text["2016 figure far above adjacent years"] in table.loc["2016", "notes"]
    level = next(k for k, v in marker.items() if v.startswith("Area, geography level or definition changed"))
    assert level in table.loc["2024", "notes"] and level not in table.loc["2025", "notes"]
    assert render(series_flags.RULE_NOTE, "en") in text
    assert any(line.startswith("No figure is published for 2019–2023") for line in text)


def test_beirut_headline_is_not_the_point_after_the_level_change():
    # issue 16: Beirut's synopsis led with "27 registered refugees ... in Beirut [Admin 2]" (end-2025)
    section = profile_tables.refugees_local(_beirut_like())
    sentences = synopsis.refugees(section, T("4.7"))
    text = [render(s.text, "en") for s in sentences]
    assert text[0] == "At the end of 2018, UNHCR counted 19,000 registered refugees in Beirut."
    assert "changed the geography level of its figures in 2024" in text[1] and "27 registered refugees" in text[1]
    assert "not comparable" in text[1]
    assert synopsis.check(sentences, {"refugees": section.table}) == 2


def test_a_series_at_one_level_keeps_its_latest_headline():
    local = _beirut_like()
    local = local[local["place_id"] == "LBN-b"]
    sentences = synopsis.refugees(profile_tables.refugees_local(local), T("4.7"))
    assert len(sentences) == 1 and "2018" in render(sentences[0].text, "en")


# charts -----------------------------------------------------------------------------------------


def test_a_chart_line_breaks_at_a_missing_year_and_at_a_change_of_place():
    data = pd.DataFrame({
        "year": ["2005", "2006", "2008", "2009", "2010", "2011"],
        "persons": [10.0, 11.0, 12.0, 13.0, 5.0, 6.0],
        "group": "refugees",
        "place": ["A", "A", "A", "A", "B", "B"],
    })
    fig = plot_lines(data, x="year", y="persons", hue="group", ylabel=T("persons"), segment="place")
    drawn = [[int(v) for v in line.get_xdata()] for line in fig.axes[0].get_lines()]
    assert drawn == [[2005, 2006], [2008, 2009], [2010, 2011]]
    # no line joins 2006 and 2008 (the missing 2007), nor A's 2009 and B's 2010
    assert not any(2006 in xs and 2008 in xs for xs in drawn)


def test_an_outlier_is_drawn_apart_from_its_line():
    data = pd.DataFrame({"year": ["2001", "2002", "2003", "2004"], "persons": [10.0, 500.0, 12.0, 13.0], "group": "refugees"})
    fig = plot_lines(data, x="year", y="persons", hue="group", ylabel=T("persons"), outliers=True)
    drawn = [[int(v) for v in line.get_xdata()] for line in fig.axes[0].get_lines()]
    assert [2002] in drawn and not any(2002 in xs and len(xs) > 1 for xs in drawn)


def test_the_value_axis_is_scaled_to_the_points_that_are_not_outliers():
    # issue 16 review: Amman's 2008 outlier (500,406) flattened every other year of the chart
    data = pd.DataFrame({"year": ["2006", "2008", "2009", "2010"], "persons": [924.0, 500_406.0, 39_496.0, 26_421.0],
                         "group": "refugees"})
    ax = plot_lines(data, x="year", y="persons", hue="group", ylabel=T("persons"), outliers=True).axes[0]
    low, high = ax.get_ylim()
    assert 39_496 < high < 50_000
    assert [t.get_text() for t in ax.texts] == ["500,406"]


def test_line_pieces_on_dates():
    dates = pd.Series(pd.to_datetime(["2019-01-01", "2020-01-01", "2022-01-01", "2023-01-01"]))
    assert line_pieces(dates) == [[0, 1], [2, 3]]


# projections ------------------------------------------------------------------------------------


def _net_migration(year: int, value: float) -> dict:
    return {"place_id": "JOR", "place_name": "Jordan", "geography_level": "country", "country_iso3": "JOR",
            "indicator_id": "net_migration", "definition_id": "whole_economy", "period": str(year),
            "ref_date": f"{year}-12-31", "value": value, "unit": "persons"}


def test_world_bank_net_migration_after_2023_is_labelled_a_projection():
    national = tidy_frame([_net_migration(2022, -1.0), _net_migration(2023, -2.0), _net_migration(2024, -3.0),
                           _net_migration(2025, -4.0)], "worldbank_wdi")
    section = country.national_context(national)
    status = dict(zip(section.table["year"], section.table["status"]))
    assert status["2023"] == "" and status["2024"] == series_flags.PROJECTION and status["2025"] == series_flags.PROJECTION
    assert series_flags.PROJECTIONS_NOTE in section.notes
    summary = country.national_summary(section)
    assert summary[series_flags.PROJECTIONS_FROM].tolist() == ["2024"]
    assert summary["latest year"].tolist() == ["2025"]


# the top-5 areas ----------------------------------------------------------------------------------


def _area_rows(date: str, foreign: dict[str, float]) -> list[dict]:
    rows = []
    for place, value in foreign.items():
        common = {"source_id": "madrid_ayto_nationality_2022", "place_id": place, "place_name": place,
                  "geography_level": "district", "country_iso3": "ESP", "city_id": "madrid", "indicator_id": "population",
                  "sex": "total", "age": "total", "origin_type": "", "origin": "total", "category": "total",
                  "period": date[:4], "ref_date": date, "unit": "persons", "flag": "", "note": ""}
        rows.append({**common, "definition_id": "foreign_nationality", "value": value})
        rows.append({**common, "definition_id": "national_citizens", "value": 100.0})
    return rows


def test_a_change_in_the_set_of_top_five_areas_is_said():
    first = {f"A{i}": float(10 * i) for i in range(1, 8)}
    second = {**first, "A1": 90.0}  # A1 enters the top five, A3 leaves
    counts = pd.DataFrame(_area_rows("2021-07-01", first) + _area_rows("2022-07-01", first) + _area_rows("2023-07-01", second),
                          columns=list(TIDY_COLUMNS)).astype({"value": float})
    section = areas.segregation_table(areas.district_counts(counts))
    change = section.table["change in the 5 highest-share areas"].tolist()
    assert change == ["", "", "+ A1, − A3"]
    assert areas.TOP_AREAS_CHANGE_NOTE in section.notes
    unchanged = areas.segregation_table(areas.district_counts(counts[counts["ref_date"] < "2023"]))
    assert areas.TOP_AREAS_CHANGE_NOTE not in unchanged.notes


# one-way changes of level (steps) ---------------------------------------------------------------


def test_a_one_way_step_is_marked_and_the_point_after_an_outlier_is_measured_from_the_one_before():
    # Amman's asylum-seekers fell from 19,233 (2006) to 663 (2008) and stayed there: not an outlier
    # (one neighbour only), a step
    values = pd.Series([16_556.0, 19_233.0, 663.0, 599.0, 1_696.0])
    assert series_flags.steps(values).tolist() == [False, False, True, False, True]
    # 500,406 is an outlier; 39,496 is compared with 924 (a step), not with the outlier
    values = pd.Series([924.0, 500_406.0, 39_496.0, 26_421.0])
    assert series_flags.outliers(values).tolist() == [False, True, False, False]
    assert series_flags.steps(values).tolist() == [False, False, True, False]
    # exactly twice is not a step
    assert not series_flags.steps(pd.Series([10.0, 20.0, 10.0])).any()


def test_a_step_is_footnoted_with_the_rule_unless_the_area_changed_there():
    table = pd.DataFrame({"place": ["A", "A", "A", "B"], "year": ["2001", "2002", "2003", "2004"],
                          "persons": [100.0, 40.0, 45.0, 5.0]})
    marked, notes = series_flags.mark_series(table, [], "year", ["persons"], ["place"])
    text = _notes(notes)
    assert "a point more than 2 times, or less than 1/2 of, the previous point" in text[0]
    assert marked[series_flags.NOTES].tolist() == ["", "[1]", "", "[2]"]
    assert text[1].startswith("[1] persons: 40 in 2002, after 100 in 2001: more than 2 times, or less than 1/2 of, the previous point")
    assert text[2].startswith("[2] Area, geography level or definition changed")  # the change of place, not a step


def test_only_the_points_shown_are_marked():
    table = pd.DataFrame({"year": ["2001", "2002", "2003"], "persons": [100.0, 10.0, 11.0]})
    marked, notes = series_flags.mark_series(table, [], "year", ["persons"], [], shown=pd.Series([True, False, True]))
    assert marked[series_flags.NOTES].tolist() == ["", "", ""] and notes == []


def _unrwa(year, value, note=""):
    return {"place_id": "LBN", "place_name": "Lebanon", "geography_level": "country", "country_iso3": "LBN",
            "city_id": "", "indicator_id": "population", "definition_id": "palestine_refugee_unrwa", "period": str(year),
            "ref_date": f"{year}-12-31", "value": value, "unit": "persons", "note": note}


def test_national_context_footnotes_a_step_and_its_publisher_note_in_the_latest_year():
    # Lebanon: UNRWA's 2025 figure is less than half of 2024's, with the ingest's note
    note = "2025 figure (228,274) less than half of 2024 (486,269); the same year has a field 'Unknown'"
    national = tidy_frame([_unrwa(2023, 492_833.0), _unrwa(2024, 486_269.0), _unrwa(2025, 228_274.0, note)], "unhcr_unrwa")
    section = country.national_context(national)
    summary = country.national_summary(section)
    assert summary[series_flags.NOTES].tolist() == ["2025 [1] [2]"]
    text = _notes(section.notes)
    assert text[-2].startswith("[1] value: 228,274 in 2025, after 486,269 in 2024: more than 2 times, or less than 1/2 of")
    assert text[-1] == f"[2] {note}"


def test_national_context_does_not_test_net_migration_nor_show_computed_notes():
    national = tidy_frame([_net_migration(2021, 500.0), _net_migration(2022, -4000.0), _net_migration(2023, 10.0)], "worldbank_wdi")
    section = country.national_context(national)
    assert set(section.table[series_flags.NOTES]) == {""}
    assert series_flags.RULE_NOTE not in section.notes


def test_an_origin_published_with_zero_persons_is_not_among_the_largest():
    common = {"place_id": "LBN", "place_name": "Lebanon", "geography_level": "country", "country_iso3": "LBN", "city_id": "",
              "indicator_id": "population", "definition_id": "un_migrant_stock", "period": "2024", "ref_date": "2024-07-01",
              "unit": "persons", "sex": "total", "age": "total", "category": "total"}
    national = tidy_frame([{**common, "origin_type": "", "origin": "total", "value": 100.0},
                           {**common, "origin_type": "origin_country", "origin": "SYR", "value": 60.0},
                           {**common, "origin_type": "origin_country", "origin": "LKA", "value": 0.0}], "undesa_ims_2024")
    assert country.national_origins(national).table["origin"].tolist() == ["Syria"]


# superseded values (flag x) -----------------------------------------------------------------------


def _amman_like() -> pd.DataFrame:
    asy_note = "UNHCR corrected the 2025 asylum-seeker figures after this release"
    rows = [_unhcr("JOR-amman", "Amman [Admin 1]", "governorate", y, v) for y, v in [(2023, 222_356), (2024, 209_364), (2025, 146_733)]]
    rows += [_unhcr("JOR-amman", "Amman [Admin 1]", "governorate", y, v, definition="asylum_seeker", origin="SDN")
             for y, v in [(2023, 33_057), (2024, 26_111)]]
    rows += [_unhcr("JOR-amman", "Amman [Admin 1]", "governorate", 2025, v, definition="asylum_seeker", origin=o,
                    flag="x", note=asy_note) for o, v in [("SDN", 5_000), ("YEM", 989)]]
    local = pd.DataFrame(rows, columns=list(TIDY_COLUMNS))
    return pd.concat([local, ind.sum_over_origins(local)], ignore_index=True)


def test_a_sum_of_superseded_values_is_superseded():
    summed = ind.sum_over_origins(_amman_like().query("flag != 'c' and flag != 'cx'"))
    flags = dict(zip(zip(summed["definition_id"], summed["period"]), summed["flag"]))
    assert flags[("asylum_seeker", "2025")] == "cx" and flags[("asylum_seeker", "2024")] == "c"
    assert flags[("registered_refugee", "2025")] == "c"


def test_a_superseded_figure_is_in_the_table_with_its_note_but_never_a_headline():
    # issue 16 review: Amman's headline was 5,989 asylum-seekers (2025), a figure UNHCR corrected later
    local = _amman_like()
    section = profile_tables.refugees_local(local)
    table = section.table.set_index("year")
    assert table.loc["2025", "asylum-seekers"] == 5_989 and "x" in table.loc["2025", "flag"]
    row = section.table.index[section.table["year"] == "2025"][0]
    assert section.superseded == frozenset({(row, "asylum-seekers")})
    assert any("corrected the 2025 asylum-seeker figures" in line for line in _notes(section.notes))
    sentences = synopsis.refugees(section, T("4.7"))
    text = [render(s.text, "en") for s in sentences]
    assert text[0] == "At the end of 2025, UNHCR counted 146,733 registered refugees in Amman."
    assert "5,989" not in " ".join(text) and "corrected its asylum-seeker figures for 2025" in text[1]
    assert synopsis.check(sentences, {"refugees": section.table}) == 2
    key = profile_tables.key_figures(local, local.iloc[0:0]).table
    assert key["value"].tolist() == [146_733]  # no asylum-seeker key figure: its latest value is superseded
    origins = profile_tables.origins(local, definitions=("asylum_seeker", "registered_refugee"))
    # the caseload by origin is the refugees' 2025 table, not the superseded asylum-seekers'
    assert render(origins.notes[0], "en").startswith("Refugees under UNHCR's mandate in Amman on 31 December 2025")


def test_age_bands_of_unequal_width_are_drawn_as_tall_as_they_are_wide():
    # issue 16 review: UNHCR's 18-59 band (42 years) was drawn as high as 0-4 and looked crowded
    from workbench.report.figures import OPEN_BAND_YEARS, plot_pyramid

    ages = pd.DataFrame({"group": "refugees", "age": ["Y0-4", "Y5-11", "Y18-59", "Y60-MAX"] * 2,
                         "sex": ["female"] * 4 + ["male"] * 4, "persons": [10.0, 14.0, 42.0, 4.0] * 2})
    ax = plot_pyramid(ages).axes[0]
    bars = [p for p in ax.patches if p.get_width() > 0]  # the women's side
    heights = sorted(round(p.get_height()) for p in bars)
    assert heights == sorted([5, 7, 42, OPEN_BAND_YEARS])
    # the share per year of age: 10 of 70 persons over 5 years = 2.86 % a year, 42 over 42 years = 1.43 %
    width = {round(p.get_height()): p.get_width() for p in bars}
    assert abs(width[5] - 100 * 10 / 140 / 5) < 1e-9 and abs(width[42] - 100 * 42 / 140 / 42) < 1e-9
    # equal bands keep one row each
    equal = ages.assign(age=["Y0-4", "Y5-9", "Y10-14", "Y15-MAX"] * 2)
    assert {round(p.get_height(), 1) for p in plot_pyramid(equal).axes[0].patches} == {0.8}


def test_a_superseded_cell_is_not_drawn_and_the_chart_says_so():
    section = profile_tables.refugees_local(_amman_like())
    points, notes = profile_tables.refugees_chart(section)
    drawn = points.set_index(["group", "year"])["persons"]
    assert ("asylum-seekers", "2025") not in drawn.index and drawn[("refugees", "2025")] == 146_733
    assert profile_tables.SUPERSEDED_CHART_NOTE in notes

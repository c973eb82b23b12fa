"""Tests of the expert figures format: reading, checks, tidy conversion, loading a folder."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import SchemaError
from workbench.tidy.expert import EXPERT_COLUMNS, expert_to_tidy, load_expert_figures, read_expert_figures
from workbench.reference.registry import load_cities
from workbench.tidy.schemas import TIDY_COLUMNS

BASE = {
    "place_id": "JOR",
    "place_name": "Jordan",
    "geography_level": "country",
    "country_iso3": "JOR",
    "indicator_id": "population",
    "definition_id": "foreign_nationality",
    "definition_as_published": "non-Jordanians resident",
    "ref_date": "2015-11-30",
    "value": "2900000",
    "unit": "persons",
    "publisher": "Department of Statistics Jordan",
    "source_title": "Population and Housing Census 2015",
}


def _write(folder: Path, rows: list[dict], city: str = "amman", columns: list[str] | None = None,
           encoding: str = "utf-8") -> Path:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row)) or list(BASE)
    path = folder / f"{city}.csv"
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    frame = read_expert_figures(_write(tmp_path, [BASE]))
    assert list(frame.columns) == ["line", *EXPERT_COLUMNS]
    row = frame.iloc[0]
    assert (row["sex"], row["age"], row["origin"], row["category"], row["origin_type"]) == (
        "total", "total", "total", "total", "")
    assert row["period"] == "2015"
    assert row["line"] == 2


def test_to_tidy_sets_source_city_and_citation(tmp_path: Path) -> None:
    row = {**BASE, "flag": "e", "reported_via": "The Jordan Times 2016-02-22",
           "source_url": "https://example.org/census", "note": 'rounded as published ("about 2.9 million")'}
    tidy = expert_to_tidy(read_expert_figures(_write(tmp_path, [row])), "amman")
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    first = tidy.iloc[0]
    assert (first["source_id"], first["city_id"], first["value"], first["flag"]) == (
        "expert_figures", "amman", 2900000.0, "e")
    assert first["note"].startswith(
        "Department of Statistics Jordan — Population and Housing Census 2015; "
        "reported via The Jordan Times 2016-02-22; https://example.org/census")
    assert "as published: non-Jordanians resident" in first["note"]
    assert first["note"].endswith('rounded as published ("about 2.9 million")')


@pytest.mark.parametrize(
    ("ref_date", "expected", "remark"),
    [("2019", "2019-07-01", "year only"), ("2020-08", "2020-08-15", "month only"), ("2020-08-31", "2020-08-31", None)],
)
def test_partial_dates_are_completed_and_said(tmp_path: Path, ref_date: str, expected: str, remark: str | None) -> None:
    tidy = expert_to_tidy(read_expert_figures(_write(tmp_path, [{**BASE, "ref_date": ref_date}])), "amman")
    assert tidy.loc[0, "ref_date"] == expected
    assert tidy.loc[0, "period"] == ref_date[:4]
    assert (remark in tidy.loc[0, "note"]) if remark else ("ref_date published" not in tidy.loc[0, "note"])


def test_breakdowns_and_byte_order_mark_are_accepted(tmp_path: Path) -> None:
    rows = [
        {**BASE, "origin_type": "citizenship", "origin": "SYR", "value": "1260000"},
        {**BASE, "origin_type": "citizenship_group", "origin": "INSEE_AFRICA_OTHER", "value": "10"},
        {**BASE, "sex": "female", "age": "Y15-64", "category": "release:detailed_results", "value": "5"},
    ]
    frame = read_expert_figures(_write(tmp_path, rows, encoding="utf-8-sig"))
    assert frame["origin"].tolist() == ["SYR", "INSEE_AFRICA_OTHER", "total"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"indicator_id": "foreigners"}, "column 'indicator_id'"),
        ({"definition_id": "migrants"}, "column 'definition_id'"),
        ({"geography_level": "town"}, "column 'geography_level'"),
        ({"country_iso3": "JO"}, "column 'country_iso3'"),
        ({"sex": "women"}, "column 'sex'"),
        ({"age": "15-64"}, "column 'age'"),
        ({"category": "detailed results"}, "column 'category'"),
        ({"unit": "people"}, "column 'unit'"),
        ({"unit": "percent"}, "does not fit indicator"),
        ({"flag": "q"}, "column 'flag'"),  # not a flag letter (x is: superseded)
        ({"ref_date": "30/11/2015"}, "column 'ref_date'"),
        ({"ref_date": "2015-13"}, "column 'ref_date'"),
        ({"period": "2015/16"}, "column 'period'"),
        ({"value": "2,900,000"}, "column 'value'"),
        ({"value": "about 2.9 million"}, "column 'value'"),
        ({"value": "-5"}, "negative"),
        ({"publisher": ""}, "column 'publisher'"),
        ({"source_title": " "}, "column 'source_title'"),
        ({"definition_as_published": ""}, "column 'definition_as_published'"),
        ({"origin": "SYR"}, "column 'origin_type'"),
        ({"origin_type": "citizenship"}, "column 'origin_type'"),
        ({"origin_type": "citizenship", "origin": "Syria"}, "not an ISO 3166-1"),
        ({"origin_type": "citizenship_group", "origin": "ARAB_STATES"}, "not declared"),
    ],
)
def test_bad_cells_name_line_and_column(tmp_path: Path, change: dict, fragment: str) -> None:
    path = _write(tmp_path, [BASE, {**BASE, "value": "1", "ref_date": "2004-10-01"}, {**BASE, **change}])
    with pytest.raises(SchemaError, match=r"amman\.csv, CSV line 4") as caught:
        read_expert_figures(path)
    assert fragment in str(caught.value)


def test_share_outside_bounds_is_rejected(tmp_path: Path) -> None:
    row = {**BASE, "indicator_id": "population_share", "unit": "percent", "value": "134.2"}
    with pytest.raises(SchemaError, match="outside 0-100"):
        read_expert_figures(_write(tmp_path, [row]))


def test_duplicate_figures_are_rejected(tmp_path: Path) -> None:
    rows = [BASE, {**BASE, "value": "2912611", "source_title": "Another report"}]
    with pytest.raises(SchemaError, match=r"CSV lines \[2, 3\].*release:detailed_results"):
        read_expert_figures(_write(tmp_path, rows))


def test_unknown_and_missing_columns_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"CSV line 1: unknown column\(s\) \['comment'\]"):
        read_expert_figures(_write(tmp_path, [{**BASE, "comment": "x"}]))
    without = {k: v for k, v in BASE.items() if k != "publisher"}
    with pytest.raises(SchemaError, match=r"required column\(s\) \['publisher'\] missing"):
        read_expert_figures(_write(tmp_path, [without]))


def test_file_name_must_be_a_city(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="'amsterdam' is not one of"):
        read_expert_figures(_write(tmp_path, [BASE], city="amsterdam"))


def test_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, [{**BASE, "place_name": "Tétouan"}], encoding="latin-1")
    with pytest.raises(SchemaError, match="not UTF-8"):
        read_expert_figures(path)


def test_empty_files_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tunis.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SchemaError, match="file is empty"):
        read_expert_figures(path)
    path.write_text(",".join(BASE) + "\n,,,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="no figures"):
        read_expert_figures(path)


def test_load_folder(tmp_path: Path) -> None:
    assert load_expert_figures(tmp_path / "absent").empty
    _write(tmp_path, [BASE])
    _write(tmp_path, [{**BASE, "place_id": "TUN", "place_name": "Tunisia", "country_iso3": "TUN"}], city="tunis")
    tidy = load_expert_figures(tmp_path)
    assert tidy["city_id"].tolist() == ["amman", "tunis"]


def test_same_figure_in_two_city_files_is_rejected(tmp_path: Path, monkeypatch) -> None:
    # two network cities of one country (none today): Beirut moved to Jordan for the test
    cities = dict(load_cities())
    cities["beirut"] = cities["beirut"].model_copy(update={"country_iso3": "JOR"})
    monkeypatch.setattr("workbench.tidy.expert.load_cities", lambda: cities)
    _write(tmp_path, [BASE])
    _write(tmp_path, [BASE], city="beirut")
    with pytest.raises(SchemaError, match="several cities"):
        load_expert_figures(tmp_path)


def test_city_can_be_given_for_a_file_named_otherwise(tmp_path: Path) -> None:
    path = _write(tmp_path, [BASE], city="jordan_figures")
    assert read_expert_figures(path, "amman")["place_id"].tolist() == ["JOR"]
    with pytest.raises(SchemaError, match=r"CSV line 2, column 'country_iso3': 'JOR' is not the country of tunis"):
        read_expert_figures(path, "tunis")


def test_country_rows_carry_the_country_code(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"CSV line 2, column 'place_id': 'JOR-amman' .* expected 'JOR'"):
        read_expert_figures(_write(tmp_path, [{**BASE, "place_id": "JOR-amman"}]))


def test_parts_larger_than_their_total_are_rejected(tmp_path: Path) -> None:
    rows = [BASE, {**BASE, "origin_type": "citizenship", "origin": "SYR", "value": "3000000"}]
    with pytest.raises(SchemaError, match=r"CSV line 3, column 'value': 3000000 for origin 'SYR' is larger than the total "
                                          r"2900000 on CSV line 2"):
        read_expert_figures(_write(tmp_path, rows))
    # another release of the same figure is not a part of it
    rows = [BASE, {**BASE, "category": "release:detailed_results", "value": "2950000"}]
    assert len(read_expert_figures(_write(tmp_path, rows))) == 2


def test_line_numbers_count_lines_inside_quoted_cells(tmp_path: Path) -> None:
    rows = [{**BASE, "note": "first line\nsecond line"}, {**BASE, "sex": "female", "value": "x"}]
    with pytest.raises(SchemaError, match=r"CSV line 4, column 'value'"):
        read_expert_figures(_write(tmp_path, rows, columns=[*BASE, "sex", "note"]))


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**9))
def test_any_count_in_plain_digits_passes(tmp_path_factory, count: int) -> None:
    folder = tmp_path_factory.mktemp("digits")
    assert read_expert_figures(_write(folder, [{**BASE, "value": str(count)}]))["value"].tolist() == [str(count)]


@settings(max_examples=50, deadline=None)
@given(st.integers(1000, 10**9), st.sampled_from([",", " ", "\u00a0", "'"]))
def test_any_count_with_a_thousands_separator_fails_on_value(tmp_path_factory, count: int, separator: str) -> None:
    folder = tmp_path_factory.mktemp("separators")
    text = f"{count:,}".replace(",", separator)
    with pytest.raises(SchemaError, match=r"amman\.csv, CSV line 2, column 'value'"):
        read_expert_figures(_write(folder, [{**BASE, "value": text}]))


# --- a percentage is a share of what its indicator says (issue 19) ---------------------------------

TUNIS = {**BASE, "place_id": "TUN-grand-tunis", "place_name": "Grand Tunis", "geography_level": "region",
         "country_iso3": "TUN", "unit": "percent", "value": "50.2", "ref_date": "2021",
         "publisher": "Institut National de la Statistique", "source_title": "Tunisia-HIMS 2020-2021"}


@pytest.mark.parametrize(
    ("change", "column", "fix"),
    [
        # "50.2 % of foreign residents live in Grand Tunis" entered as a share of Grand Tunis's population
        ({"indicator_id": "population_share",
          "definition_as_published": "share of all foreign residents in Tunisia living in the region"},
         "indicator_id", "use indicator_id share_of_national_group"),
        # the share of the country's group living in ... the whole country is always 100 %
        ({"indicator_id": "share_of_national_group", "place_id": "TUN", "place_name": "Tunisia",
          "geography_level": "country", "definition_as_published": "foreign residents"},
         "indicator_id", "population_share"),
        # the total population as a share of itself
        ({"indicator_id": "population_share", "definition_id": "total_population",
          "definition_as_published": "residents of Grand Tunis"}, "definition_id", "share_of_national_group"),
        # Senegalese as % of the population is not the share of the foreigners who are Senegalese
        ({"indicator_id": "origin_share", "origin_type": "citizenship", "origin": "SEN",
          "definition_as_published": "Senegalese as % of the population"}, "indicator_id", "use indicator_id population_share"),
        # a share of the migrants entered as a share of the population
        ({"indicator_id": "population_share", "sex": "female",
          "definition_as_published": "women among the foreign residents"}, "indicator_id", "female_share"),
    ],
)
def test_a_share_of_another_denominator_is_refused_with_the_indicator_to_use(tmp_path: Path, change: dict, column: str,
                                                                            fix: str) -> None:
    with pytest.raises(SchemaError) as error:
        read_expert_figures(_write(tmp_path, [{**TUNIS, **change}], city="tunis"))
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'tunis.csv'}, CSV line 2, column '{column}'")
    assert fix in message and "\n" not in message


@pytest.mark.parametrize(
    "change",
    [
        {"indicator_id": "share_of_national_group",
         "definition_as_published": "share of all foreign residents in Tunisia living in the region"},
        {"indicator_id": "population_share", "definition_as_published": "foreign residents as % of residents"},
        {"indicator_id": "origin_share", "origin_type": "citizenship_group", "origin": "OTHER",
         "definition_as_published": "other nationalities among foreign residents"},
        {"indicator_id": "female_share", "definition_as_published": "women as % of foreign residents"},
        {"indicator_id": "population_share", "definition_as_published": "foreign residents"},  # words that say nothing
    ],
)
def test_a_share_of_its_own_denominator_passes(tmp_path: Path, change: dict) -> None:
    assert len(read_expert_figures(_write(tmp_path, [{**TUNIS, **change}], city="tunis"))) == 1


def test_a_citation_holding_the_note_separator_stays_whole(tmp_path: Path) -> None:
    from workbench.reference.labels import cited_source, source_refs

    row = {**BASE, "reported_via": "tunisienumerique.com (INS table: 2014 | 53490)", "source_url": "https://example.org/t"}
    tidy = expert_to_tidy(read_expert_figures(_write(tmp_path, [row])), "amman")
    [citation] = source_refs(tidy)
    assert citation.reported_via == row["reported_via"] and citation.url == row["source_url"]
    assert cited_source("expert_figures", tidy["note"].iloc[0]) == "Department of Statistics Jordan, Population and Housing Census 2015"
    assert cited_source("unhcr_population", "") == "unhcr_population"

"""Tests of the check of a run's saved files: claims against their cells, exhibits against each other."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import city_tables, run_check, synopsis
from workbench.analysis.sections import Section
from workbench.errors import ClaimError
from workbench.reference.registry import get_city

SLUG = "table-7-migrant-population"


def _series() -> pd.DataFrame:
    return pd.DataFrame({
        "place": ["Madrid"] * 2, "geography": ["municipality"] * 2, "definition": ["Foreign nationals"] * 2,
        "reference date": ["2012-01-01", "2022-01-01"], "persons": [300_000.0, 380_000.0],
        "share of population (%)": [9.5, 11.3], "source": ["s"] * 2, "flag": [""] * 2,
    })


def _claims(series: pd.DataFrame, shown: list[tuple[str, pd.DataFrame]], tmp_path) -> pd.DataFrame:
    # the claims as a city run saves them and `workbench check` reads them back
    drafted = synopsis.migrant_share(Section(series), get_city("madrid"), "4.1")
    table = city_tables.claims_table(drafted, {"series": series, "trends": pd.DataFrame()}, shown)
    path = city_tables.CLAIMS.path(tmp_path, "madrid")
    path.parent.mkdir(parents=True)
    table.to_csv(path, index=False, lineterminator="\n")
    return city_tables.read(city_tables.CLAIMS, tmp_path, "madrid")


def test_claims_cite_the_exhibit_that_shows_their_table_by_row_position(tmp_path):
    series = _series()
    claims = _claims(series, [("table-1-other", series.head(1)), (SLUG, series)], tmp_path)
    assert set(claims["exhibit"]) == {SLUG}
    assert sorted(claims["row"].dropna().astype(int)) == [0, 1, 1, 1]  # the change cites both dates
    assert "difference" in set(claims["how"])


def test_a_clean_city_has_no_disagreement(tmp_path):
    series = _series()
    result = run_check.check_claims("madrid", _claims(series, [(SLUG, series)], tmp_path), {SLUG: series})
    assert result.disagreements == [] and result.checked == 4 and result.unverifiable == 0


def test_a_sentence_number_that_differs_from_its_saved_cell_is_caught(tmp_path):
    series = _series()
    claims = _claims(series, [(SLUG, series)], tmp_path)
    planted = series.copy()
    planted.loc[1, "persons"] = 381_000.0  # the saved exhibit no longer says what the sentence says
    result = run_check.check_claims("madrid", claims, {SLUG: planted})
    (found,) = result.disagreements
    assert found.subject == "madrid" and found.stated == 380_000.0 and found.found == 381_000.0
    line = found.line()
    assert "synopsis sentence 1 ('Foreign nationals numbered 380,000 in Madrid" in line
    assert f"exhibit '{SLUG}', row 2, column 'persons'" in line and "380000 against 381000" in line


def test_a_planted_change_is_checked_as_the_difference_of_its_two_cells(tmp_path):
    series = _series()
    claims = _claims(series, [(SLUG, series)], tmp_path)
    planted = series.copy()
    planted.loc[0, "share of population (%)"] = 9.0
    found = run_check.check_claims("madrid", claims, {SLUG: planted}).disagreements
    assert len(found) == 2  # the first share itself, and the change computed from it
    assert any("with row 1, column 'share of population (%)' (difference)" in d.cell for d in found)


def test_claims_of_a_table_not_shown_as_saved_are_counted_not_reported(tmp_path):
    series = _series()
    claims = _claims(series, [], tmp_path)
    result = run_check.check_claims("madrid", claims, {})
    assert result.disagreements == [] and result.checked == 0 and result.unverifiable == 4


def test_a_cited_exhibit_the_run_did_not_save_is_a_disagreement(tmp_path):
    series = _series()
    claims = _claims(series, [(SLUG, series)], tmp_path)
    found = run_check.check_claims("madrid", claims, {}).disagreements
    assert len(found) == 4 and all(d.found == "a cell the run did not save" for d in found)


def _overview(persons: float, share: float) -> pd.DataFrame:
    return pd.DataFrame({
        "definition": ["Foreign nationals"], "geography": ["municipality"], "rank (same definition and geography)": [1],
        "city": ["Madrid"], "shore": ["north"], "area": ["Madrid"], "reference date": ["2022-01-01"],
        "persons": [persons], "share (%)": [share], "source": ["s"],
    })


def test_two_exhibits_that_agree_give_no_disagreement():
    run = {"madrid": {SLUG: _series()}, "compare/overview": {"table-1": _overview(380_000.0, 11.3)}}
    assert run_check.check_exhibits(run) == []


def test_two_exhibits_disagreeing_on_one_population_area_and_date_are_caught_with_both_values():
    run = {"madrid": {SLUG: _series()}, "compare/overview": {"table-1": _overview(380_500.0, 11.3)}}
    (found,) = run_check.check_exhibits(run)
    assert found.subject == "madrid / compare/overview"
    assert found.what == f"exhibits '{SLUG}' and 'table-1'"
    assert "column 'persons' where area=Madrid, definition=Foreign nationals, reference date=2022-01-01" in found.cell
    assert (found.stated, found.found) == (380_000.0, 380_500.0)


def test_a_difference_below_the_shown_decimals_is_no_disagreement():
    run = {"madrid": {SLUG: _series()}, "compare/overview": {"table-1": _overview(380_000.2, 11.3)}}
    assert run_check.check_exhibits(run) == []


def test_exhibits_are_compared_only_where_the_keys_are_explicit_and_identical():
    other_source = _overview(1.0, 11.3).assign(source="t")  # another source may count differently
    no_source = _overview(1.0, 11.3).drop(columns="source")  # the key is not explicit
    other_date = _overview(1.0, 11.3).assign(**{"reference date": "2022-07-01"})
    by_sex = _series().assign(sex="women", persons=1.0)  # a column that splits the population
    for table in (other_source, no_source, other_date, by_sex):
        assert run_check.check_exhibits({"madrid": {SLUG: _series()}, "compare/overview": {"t": table}}) == []


def test_a_generic_value_counts_as_persons_only_where_its_unit_says_so():
    key_figures = pd.DataFrame({
        "figure": ["Migrant population", "Migrant share"], "place": ["Madrid"] * 2, "geography": ["municipality"] * 2,
        "definition": ["Foreign nationals"] * 2, "reference date": ["2022-01-01"] * 2, "value": [390_000.0, 99.0],
        "unit": ["persons", "percent"], "source": ["s"] * 2, "flag": [""] * 2,
    })
    (found,) = run_check.check_exhibits({"madrid": {SLUG: _series(), "table-1-key-figures": key_figures}})
    assert found.subject == "madrid" and "column 'persons'" in found.cell and found.found == 390_000.0


def _network_row(persons: float) -> pd.DataFrame:
    # a comparison table naming its population explicitly: area, definition, reference date
    return pd.DataFrame({"city": ["Madrid"], "area": ["Madrid"], "geography": ["municipality"],
                         "definition": ["Foreign nationals"], "reference date": ["2022-01-01"],
                         "persons": [persons], "source": ["s"]})


def test_a_comparison_agreeing_with_its_cities_passes_and_counts_its_checked_tables():
    cities = {"madrid": {SLUG: _series().rename(columns={"place": "area"})}}
    assert run_check.require_agreement("compare/overview", {"table-1-latest": _network_row(380_000.0)}, cities) == 1


def test_a_comparison_value_differing_from_the_city_exhibit_fails_the_comparison_naming_both():
    cities = {"madrid": {SLUG: _series().rename(columns={"place": "area"})}}
    with pytest.raises(ClaimError) as caught:
        run_check.require_agreement("compare/overview", {"table-1-latest": _network_row(390_000.0)}, cities)
    message = str(caught.value)
    assert message.startswith("compare/overview: 1 value(s) differ from the city exhibits they come from")
    assert "'table-1-latest'" in message and f"'{SLUG}'" in message and "area=Madrid" in message
    assert "390000 against 380000" in message


def test_disagreements_between_two_cities_are_left_to_workbench_check():
    madrid = _series().rename(columns={"place": "area"})
    other = madrid.copy()
    other.loc[1, "persons"] = 1.0
    cities = {"madrid": {SLUG: madrid}, "copy": {SLUG: other}}
    assert run_check.require_agreement("compare/overview", {}, cities) == 0
    assert len(run_check.check_exhibits(cities)) == 1

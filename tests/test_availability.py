"""Tests of the availability matrix as the judge of the profile's "no data" sentences."""

from __future__ import annotations

import pytest

from workbench.analysis import availability
from workbench.errors import ClaimError
from workbench.reference.framework import load_framework
from workbench.tidy.sources._common import tidy_frame


def _local():
    rows = [{
        "place_id": "D1", "place_name": "D1", "geography_level": "district", "country_iso3": "AUT", "city_id": "vienna",
        "indicator_id": "population", "definition_id": "foreign_origin_wien", "period": "2022", "ref_date": "2022-01-01",
        "value": 10.0, "unit": "persons", "sex": sex,
    } for sex in ("female", "male")]
    return tidy_frame(rows, "wien_ogd_population_origin")


def test_a_planted_no_data_sentence_against_the_matrix_is_caught():
    # issue 16: Vienna 4.3 said "no breakdown of migrants by sex" where the matrix marks sex as available
    local, framework = _local(), load_framework()
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    with pytest.raises(ClaimError, match=r"no data for 'Migrants by sex \(women %\)' \(dem_migrants_by_sex\).* in 2022"):
        availability.check_no_data(matrix, framework, {"dem_migrants_by_sex": True})
    availability.check_no_data(matrix, framework, {"dem_migrants_by_sex": False, "dem_migrants_by_age": True})


def test_an_unknown_item_is_an_error():
    local, framework = _local(), load_framework()
    matrix = availability.city_matrix(local, local.iloc[0:0], framework)
    with pytest.raises(ClaimError, match="'dem_nothing' is not an item"):
        availability.check_no_data(matrix, framework, {"dem_nothing": True})

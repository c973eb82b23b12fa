"""Tests of the one comparability rule."""

from __future__ import annotations

import pytest

from workbench.analysis.comparability import Figure, comparable
from workbench.errors import DataError


def test_like_figures_compare():
    decision = comparable(Figure.on("foreign_born", "greater_city", "2022-01-01"), Figure.on("foreign_born", "greater_city", "2023-01-01"))
    assert decision and decision.reasons == () and decision.reason == "comparable"


def test_each_failed_condition_is_a_reason():
    decision = comparable(
        Figure.on("foreign_origin_wien", "city", "2022-01-01", "citizenship"),
        Figure.on("un_migrant_stock", "country", "2015-07-01", "origin_country"),
    )
    assert not decision
    assert [r.msgid.split(":")[0] for r in decision.reasons] == [
        "different definitions", "different breakdowns", "different kinds of area", "reference dates more than {years} years apart",
    ]
    assert decision.reason.startswith("different definitions: Foreign origin (Stadt Wien 'Herkunft') / International migrant stock (UN DESA)")


def test_area_left_out_when_one_side_has_none():
    # a location quotient sets a city against its country on purpose
    assert comparable(Figure.on("foreign_born", None, "2021-01-01"), Figure.on("foreign_born", "country", "2021-01-01"))


def test_period_lengths_must_match():
    one_year = Figure("foreign_born", "city", "2023-01-01", "2024-01-01")
    twenty_years = Figure("foreign_origin_wien", "city", "2002-01-01", "2022-01-01")
    assert not comparable(one_year, Figure("foreign_born", "city", "2002-01-01", "2022-01-01"))
    # 31 December and 1 January are one day apart: the same length
    assert comparable(one_year, Figure("foreign_born", "city", "2020-12-31", "2022-01-01"))
    assert "different period lengths" in comparable(one_year, twenty_years).reason


def test_date_tolerance_is_inclusive_and_stated():
    assert comparable(Figure.on("asylum_seeker", "governorate", "2023-12-31"), Figure.on("asylum_seeker", "governorate", "2026-12-31"))
    assert not comparable(Figure.on("asylum_seeker", "governorate", "2023-12-31"), Figure.on("asylum_seeker", "governorate", "2027-01-01"))
    assert comparable(Figure.on("foreign_born", None, "2011-01-01"), Figure.on("foreign_born", None, "2020-01-01"), tolerance_years=10)


def test_bad_inputs_name_the_value():
    with pytest.raises(DataError, match="'no_such'"):
        comparable(Figure.on("no_such", None, "2020-01-01"), Figure.on("foreign_born", None, "2020-01-01"))
    with pytest.raises(DataError, match="'2020'"):
        comparable(Figure.on("foreign_born", None, "2020"), Figure.on("foreign_born", None, "2020-01-01"))

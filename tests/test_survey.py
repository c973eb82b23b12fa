"""Tests of survey intervals and the Quality of Life in European Cities items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from workbench.tidy import catalog
from workbench.analysis import profile_tables
from workbench.tidy.ingest import read_tidy, tidy_path
from workbench.errors import ConfigError, DataError
from workbench.reference.i18n import Joined, Label, Msg
from workbench.tidy.schemas import TIDY_COLUMNS
from workbench.analysis.survey import DEFAULT_ITEMS, QOL_ITEMS, qol_born_abroad, qol_items, wilson_interval


def _answer(code: str, answer: str, label: str, value: float, base: str = "865", country: str = "AUT") -> dict:
    row = dict.fromkeys(TIDY_COLUMNS, "")
    row.update(
        source_id="ec_qol_cities_2023", place_id="QOL-102", place_name="Wien", geography_level="city",
        country_iso3=country, city_id="vienna", indicator_id="survey_share", definition_id="survey_respondents",
        sex="total", age="total", origin="total", category=f"{code}:{answer}", period="2023",
        ref_date="2023-01-01", value=value, unit="percent",
        note=f"{code.upper()} Question text | Answer {answer}: {label} | unweighted base: {base} respondents in this city",
    )
    return row


def _survey(base: str = "865") -> pd.DataFrame:
    rows = []
    for code, _, answers in QOL_ITEMS:
        if answers == ("1",):
            rows += [_answer(code, "1", "A good place to live", 60.0, base), _answer(code, "2", "Not a good place to live", 35.0, base), _answer(code, "99", "Don't know", 5.0, base)]
        else:
            rows += [_answer(code, str(a), f"label {a}", v, base) for a, v in ((1, 10.0), (2, 20.0), (3, 30.0), (4, 35.0), (99, 5.0))]
    return pd.DataFrame(rows)


def test_wilson_interval_matches_statsmodels():
    low, high = wilson_interval(30.0, 865)
    ref_low, ref_high = proportion_confint(0.3 * 865, 865, alpha=0.05, method="wilson")
    assert (low, high) == pytest.approx((100 * ref_low, 100 * ref_high))


def test_wilson_interval_known_value():
    # 50 % of 100: Wilson 95 % interval 40.38-59.62 %
    low, high = wilson_interval(50, 100)
    assert low == pytest.approx(40.383, abs=1e-3) and high == pytest.approx(59.617, abs=1e-3)


def test_wilson_interval_is_vectorised_and_keeps_series_index():
    shares = pd.Series([0.0, 50.0, 100.0], index=["a", "b", "c"])
    low, high = wilson_interval(shares, pd.Series([10, 100, 1000], index=shares.index))
    assert list(low.index) == ["a", "b", "c"]
    assert low["a"] == 0.0 and high["c"] == 100.0
    arrays = wilson_interval(np.array([20.0, 80.0]), 50)
    assert arrays[0].shape == (2,)


def test_wilson_interval_rejects_bad_inputs():
    with pytest.raises(DataError, match="0-100"):
        wilson_interval(101, 10)
    with pytest.raises(DataError, match="positive"):
        wilson_interval(50, 0)


@given(st.floats(0, 100), st.integers(1, 100_000))
def test_wilson_interval_contains_share_within_bounds(share, n):
    low, high = wilson_interval(share, n)
    assert 0 <= low <= share + 1e-9 and share - 1e-9 <= high <= 100


@given(st.floats(1, 99), st.integers(2, 50_000))
def test_wilson_interval_narrows_as_n_grows(share, n):
    low_small, high_small = wilson_interval(share, n)
    low_large, high_large = wilson_interval(share, 4 * n)
    assert high_large - low_large < high_small - low_small


def test_qol_items_sums_counted_answers_and_parses_the_base():
    section = qol_items(_survey(), items=("q3_4", "q2_6"))
    table = section.table.set_index("item")
    immigrants = table.loc["The city is a good place to live for immigrants from other countries"]
    trust = table.loc["Most people in the city can be trusted (agree)"]
    assert immigrants["share (%)"] == 60.0 and immigrants["answer counted"] == "A good place to live"
    assert trust["share (%)"] == 65.0 and trust["answer counted"] == "label 3 + label 4"
    assert trust["respondents (n)"] == 865
    assert (trust["95% CI low"], trust["95% CI high"]) == pytest.approx(wilson_interval(65.0, 865))
    assert section.source_ids == ["ec_qol_cities_2023"]
    assert any("design effect" in note for note in section.notes)


def test_qol_items_default_items_are_all_declared():
    assert len(qol_items(_survey()).table) == len(DEFAULT_ITEMS) == len(QOL_ITEMS)


def test_qol_items_fails_on_unparsable_base_naming_the_row():
    rows = _survey()
    rows.loc[rows["category"] == "q3_4:1", "note"] = "Q3_4 text | Answer 1: A good place to live"
    with pytest.raises(DataError, match="q3_4:1"):
        qol_items(rows, items=("q3_4",))


def test_qol_items_rejects_undeclared_item():
    with pytest.raises(ConfigError, match="q99"):
        qol_items(_survey(), items=("q99",))


def test_qol_items_empty_for_cities_outside_the_survey():
    assert qol_items(_survey().iloc[0:0]).empty
    assert qol_born_abroad(_survey().iloc[0:0]).empty


def test_qol_born_abroad_excludes_own_country_and_no_answer():
    rows = pd.DataFrame(
        [
            _answer("d5", "8", "Austria", 80.0),
            _answer("d5", "64", "Germany", 7.0),
            _answer("d5", "167", "Syria", 5.0),
            _answer("d5", "999", "Don’t know/No Answer/Refuses", 8.0),
        ]
    )
    table = qol_born_abroad(rows).table.iloc[0]
    assert table["born abroad (%)"] == 12.0 and table["no answer (%)"] == 8.0
    assert table["own country answer"] == "Austria"
    assert table["95% CI low"] < 12.0 < table["95% CI high"]


def test_qol_born_abroad_needs_the_own_country_answer():
    rows = pd.DataFrame([_answer("d5", "64", "Germany", 100.0)])
    with pytest.raises(DataError, match="Austria"):
        qol_born_abroad(rows)


def test_qol_items_on_real_data_for_vienna():
    # only the survey's table: loading every table would make the test slow
    local = profile_tables.prepare_local(catalog.load_city("vienna", tidy=read_tidy(tidy_path("ec_qol_cities_2023"))))
    table = qol_items(local, items=("q3_4",)).table.iloc[0]
    assert table["respondents (n)"] == 865
    assert table["share (%)"] == pytest.approx(66.1, abs=0.05)
    assert qol_born_abroad(local).table.iloc[0]["own country answer"] == "Austria"


def test_qol_texts_are_messages_and_answer_labels_stay_labels():
    section = qol_items(_survey(), items=("q3_4", "q2_6"))
    assert all(isinstance(note, Msg) for note in section.notes)
    assert all(isinstance(item, Msg) for item in section.table["item"])
    answers = section.table["answer counted"].iloc[1]
    assert isinstance(answers, Joined) and answers.parts == [Label("label 3"), Label("label 4")] and answers.sep == " + "
    rows = pd.DataFrame([_answer("d5", "8", "Austria", 90.0), _answer("d5", "64", "Germany", 10.0)])
    note = qol_born_abroad(rows).notes[0]
    assert isinstance(note, Msg) and note.params == {"country": "Austria"}

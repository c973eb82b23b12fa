"""Tests of the drafted synopsis: sentences agree with the tables they cite."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import synopsis
from workbench.analysis.stats import BREAK, shown, trend_table
from workbench.errors import DataError
from workbench.reference.i18n import render


def _trends(flags: list[str]) -> pd.DataFrame:
    series = pd.DataFrame(
        {
            "place": ["Madrid"] * 5, "definition": ["Foreign nationals"] * 5,
            "reference date": [f"{y}-01-01" for y in range(2018, 2023)],
            "persons": [100.0, 104, 109, 111, 118], "source": ["s"] * 5, "flag": flags,
        }
    )
    return trend_table(series)


def _texts(sentences) -> list[str]:
    return [render(s.text, "en") for s in sentences]


def test_growth_says_no_break_where_the_table_says_no():
    # issue 16: Madrid, Vienna, Barcelona, Lyon and Turin said "A break in series lies within the period."
    texts = _texts(synopsis.growth(_trends([""] * 5), "4.1"))
    assert len(texts) == 1 and "break" not in texts[0]


def test_growth_reports_a_break_where_the_table_has_one():
    texts = _texts(synopsis.growth(_trends(["", "", "b", "", ""]), "4.1"))
    assert texts[1] == "A break in series lies within the period."


def test_growth_refuses_the_shown_table():
    with pytest.raises(DataError, match=f"column '{BREAK}': expected booleans"):
        synopsis.growth(shown(_trends([""] * 5)), "4.1")


def test_growth_words_the_interval_as_the_fit_not_as_significance():
    (text,) = _texts(synopsis.growth(_trends([""] * 5), "4.1"))
    assert "excludes zero" not in text and "significan" not in text
    assert "interval of the fit" in text and "not a sampling error" in text
    assert "fitted to 5 dates" in text

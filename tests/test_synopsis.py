"""Tests of the drafted synopsis: sentences agree with the tables they cite."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import synopsis
from workbench.analysis.sections import Section
from workbench.analysis.stats import BREAK, shown, trend_table
from workbench.errors import ClaimError, DataError
from workbench.reference.i18n import render
from workbench.reference.registry import get_city


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


def _series() -> pd.DataFrame:
    return pd.DataFrame({
        "place": ["Madrid"] * 2, "geography": ["municipality"] * 2, "definition": ["Foreign nationals"] * 2,
        "reference date": ["2012-01-01", "2022-01-01"], "persons": [300_000.0, 380_000.0],
        "share of population (%)": [9.5, 11.3], "source": ["s"] * 2, "flag": [""] * 2,
    })


def test_the_check_passes_sentences_that_agree_with_their_cells():
    series, trends = _series(), _trends([""] * 5)
    drafted = synopsis.migrant_share(Section(series), get_city("madrid"), "4.1") + synopsis.growth(trends, "4.1")
    assert synopsis.check(drafted, {"series": series, "trends": trends}) == 3


def test_the_check_catches_a_planted_contradiction_and_names_sentence_and_cell():
    trends = _trends([""] * 5)
    drafted = synopsis.growth(trends, "4.1, table 'Average annual growth'")
    planted = trends.copy()
    planted.loc[planted.index[0], "95% CI high"] = 99.0
    with pytest.raises(ClaimError, match=r"synopsis sentence 1 \('Foreign nationals in Madrid changed by .*see 4.1, "
                                         r"table 'Average annual growth'\).*table 'trends', row 0, column '95% CI high'"):
        synopsis.check(drafted, {"trends": planted})


def test_the_check_catches_a_number_that_cites_no_cell():
    series = _series()
    (_, change) = synopsis.migrant_share(Section(series), get_city("madrid"), "4.1")
    bare = synopsis.Sentence(change.text, change.table, [], change.claims[:1])
    with pytest.raises(ClaimError, match=r"synopsis sentence 1 .*: the number 1.8\d* cites no table cell"):
        synopsis.check([bare], {"series": series})


def test_the_origins_sentence_checks_shares_and_the_total_of_its_note():
    from workbench.reference.i18n import Num, T

    origins = pd.DataFrame({"rank": [1, 2], "origin": ["Romania", "Morocco"], "persons": [40.0, 10.0],
                            "share of the group (%)": [40.0, 10.0]})
    note = T("{definition} in {place} on {date}, by {origin_type}; shares of {total} persons", definition="x",
             place="Torino", date="2023-01-01", origin_type="citizenship", total=Num(100.0))
    drafted = synopsis.top_origins(Section(origins, ["s"], [note]), "4.2")
    assert synopsis.check(drafted, {"origins": origins}) == 1
    wrong = T(note.msgid, **{**note.params, "total": Num(120.0)})
    with pytest.raises(ClaimError, match=r"table 'origins', row 0, column 'persons' with row 0, column 'share of the group \(%\)' \(base\)"):
        synopsis.check(synopsis.top_origins(Section(origins, ["s"], [wrong]), "4.2"), {"origins": origins})


def test_labour_and_diversity_sentences_are_checked_against_their_tables():
    gaps = pd.DataFrame({
        "place": ["Lyon"] * 2, "geography": ["urban unit"] * 2, "reference date": ["2020-01-01"] * 2, "sex": ["total"] * 2,
        "age band": ["15 and over"] * 2, "rate": ["employment rate", "unemployment rate"], "migrants (%)": [42.8, 23.9],
        "natives (%)": [53.7, 10.7], "gap (pp)": [-10.9, 13.2], "migrant definition": ["Foreign nationals"] * 2,
        "native definition": ["Nationals"] * 2, "source": ["insee"] * 2,
    })
    diversity = pd.DataFrame({
        "scope": ["city"], "area": ["Lyon"], "definition": ["Foreign nationals"], "reference date": ["2015-01-01"],
        "source": ["insee"], "origins published": [11], "Simpson diversity": [0.88], "effective number of origins": [8.26],
    })
    drafted = synopsis.labour_gaps(Section(gaps), "5") + synopsis.diversity(Section(diversity), "4.2")
    assert synopsis.check(drafted, {"gaps": gaps, "diversity": diversity}) == 2
    planted = gaps.assign(**{"gap (pp)": [-10.9, 12.0]})
    with pytest.raises(ClaimError, match=r"synopsis sentence 1 .*table 'gaps', row 1, column 'gap \(pp\)'.* holds 12.0"):
        synopsis.check(drafted, {"gaps": planted, "diversity": diversity})


def test_a_label_cell_shown_in_a_sentence_brings_its_own_numbers():
    from workbench.reference.i18n import T

    age = T("{age} and over", age=15)
    gaps = pd.DataFrame({
        "place": ["Portugal"], "geography": ["country"], "reference date": ["2021-04-19"], "sex": ["total"],
        "age band": [age], "rate": ["employment rate"], "migrants (%)": [55.4], "natives (%)": [48.8], "gap (pp)": [6.6],
        "migrant definition": ["Foreign nationals"], "native definition": ["Nationals"], "source": ["ine"],
    })
    drafted = synopsis.labour_gaps(Section(gaps), "5")
    assert "aged 15 and over" in render(drafted[0].text, "en")
    assert synopsis.check(drafted, {"gaps": gaps}) == 1
    with pytest.raises(ClaimError, match=r"shows .* but the cited cell \(table 'gaps', row 0, column 'age band'\)"):
        synopsis.check(drafted, {"gaps": gaps.assign(**{"age band": [T("{age} and over", age=16)]})})


def test_the_residential_sentence_cites_its_cells_and_the_number_of_areas_in_its_column_name():
    segregation = pd.DataFrame({
        "source": ["w", "w"], "area level": ["district", "district"], "reference date": ["2002-01-01", "2022-01-01"],
        "areas": [23, 23], "group": ["Foreign origin"] * 2, "reference group": ["Austrian origin"] * 2,
        "migrants": [1.0, 2.0], "dissimilarity D": [0.156, 0.125], "migrants in the 5 highest-share areas (%)": [32.1, 32.9],
        "all residents in the 5 highest-share areas (%)": [25.0, 26.4],
    })
    drafted = synopsis.residential(Section(segregation), "4.4")
    assert synopsis.check(drafted, {"segregation": segregation}) == 1
    # issue 18 (officer review): the share of migrants in the top areas is read against all residents there
    assert "home to 26.4 % of all residents" in str(drafted[0].text)
    with pytest.raises(ClaimError, match=r"all residents in the 5 highest-share areas"):
        synopsis.check(drafted, {"segregation": segregation.assign(**{"all residents in the 5 highest-share areas (%)": [25.0, 30.0]})})
    with pytest.raises(ClaimError, match=r"row 0, column 'dissimilarity D'\) holds 0.2"):
        synopsis.check(drafted, {"segregation": segregation.assign(**{"dissimilarity D": [0.2, 0.125]})})


def test_no_diversity_is_drafted_from_a_table_listing_too_few_origins():
    # Amman: the 2015 census preliminary results name Syria and Egypt and leave 43 % unlisted;
    # "as diverse as 2.9 equally large origins" from 2 listed ones measured the table, not the population
    diversity = pd.DataFrame({
        "scope": ["city"], "area": ["Amman Governorate"], "definition": ["Foreign nationals"],
        "reference date": ["2015-11-30"], "source": ["expert_figures"], "origins published": [2],
        "Simpson diversity": [0.652], "effective number of origins": [2.87],
    })
    assert synopsis.diversity(Section(diversity), "4.2") == []
    listed = diversity.assign(**{"origins published": [synopsis.MIN_ORIGINS_FOR_DIVERSITY]})
    assert len(synopsis.diversity(Section(listed), "4.2")) == 1


def test_a_few_listed_origins_are_not_called_the_largest():
    # Amman: Syria and Egypt are the only nationalities of the census preliminary results
    origins = pd.DataFrame({"rank": [1, 2], "origin": ["Syria", "Egypt"], "persons": [436_000.0, 390_000.0],
                            "share of the group (%)": [436_000 / 14_500, 390_000 / 14_500]})
    note = synopsis.T("{definition} in {place} on {date}, by {origin_type}; shares of {total} persons",
                      definition="Foreign nationals", place="Amman Governorate", date="2015-11-30",
                      origin_type="citizenship", total=synopsis.Num(1_450_000.0))
    drafted = synopsis.top_origins(Section(origins, ["expert_figures"], [note]), "4.2")
    text = render(drafted[0].text, "en")
    assert text.startswith("The table names only 2 countries of origin, Syria (30.1 %) and Egypt (26.9 %)")
    assert "largest" not in text and text.endswith("the others are not itemised.")
    assert synopsis.check(drafted, {"origins": origins}) == 1


def _key(flag: str = "") -> pd.DataFrame:
    return pd.DataFrame({"figure": ["Migrant share of population"], "place": ["Beirut governorate"],
                         "definition": ["Foreign nationals"], "reference date": ["2019-07-01"], "value": [30.9],
                         "unit": ["percent"], "source": ["expert_figures"], "flag": [flag]})


def test_a_share_published_without_a_count_is_said_when_the_series_says_nothing():
    # Beirut: "publish none of these ... Foreign nationals, % of population" stood above a key figure of 30.9 %
    empty = Section(pd.DataFrame(columns=["place", "share of population (%)"]))
    drafted = synopsis.published_share(Section(_key()), empty, "1")
    assert render(drafted[0].text, "en") == ("Foreign nationals were 30.9 % of the population of Beirut governorate on "
                                             "1 July 2019, as published (no count of them is published).")
    assert synopsis.check(drafted, {"key": _key()}) == 1
    assert synopsis.published_share(Section(_key("c")), empty, "1") == []  # a share computed from a count: said elsewhere
    counted = Section(pd.DataFrame({"place": ["Beirut"], "share of population (%)": [30.0]}))
    assert synopsis.published_share(Section(_key()), counted, "1") == []
    # published with a year only by a local expert's source: the sentence gives the year, not the assumed 1 July
    from workbench.reference.labels import ASSUMED_YEAR_NOTE

    cited = _key().assign(source="Central Administration of Statistics Lebanon and ILO, Labour Force Survey 2018-2019")
    drafted = synopsis.published_share(Section(cited, [], [ASSUMED_YEAR_NOTE]), empty, "1")
    assert render(drafted[0].text, "en") == ("Foreign nationals were 30.9 % of the population of Beirut governorate in "
                                             "2019, as published (no count of them is published).")
    assert "1er juillet" not in render(drafted[0].text, "fr") and "2019" in render(drafted[0].text, "ar")
    assert synopsis.check(drafted, {"key": cited}) == 1


def test_the_experts_city_figures_beyond_counts_are_drafted_as_published_and_checked():
    from workbench.analysis import expert_figures, synopsis_city

    figures = pd.DataFrame([{
        "line": 2, "place_id": "TUN-grand-tunis", "place_name": "Grand Tunis", "geography_level": "region",
        "country_iso3": "TUN", "indicator_id": "share_of_national_group", "definition_id": "foreign_nationality",
        "definition_as_published": "share of all foreign residents in Tunisia living in the region", "sex": "",
        "age": "", "origin_type": "", "origin": "", "category": "", "period": "", "ref_date": "2021", "value": "50.2",
        "unit": "percent", "flag": "", "publisher": "INS and ONM", "source_title": "Tunisia-HIMS 2020-2021",
        "source_url": "", "reported_via": "La Presse", "note": "",
    }, {
        "line": 3, "place_id": "TUN-tunis", "place_name": "Tunis governorate", "geography_level": "governorate",
        "country_iso3": "TUN", "indicator_id": "population", "definition_id": "foreign_nationality",
        "definition_as_published": "foreign residents", "sex": "", "age": "", "origin_type": "", "origin": "",
        "category": "", "period": "", "ref_date": "2024-11-06", "value": "20000", "unit": "persons", "flag": "",
        "publisher": "INS", "source_title": "RGPH 2024", "source_url": "", "reported_via": "", "note": "",
    }])
    section = expert_figures.city_figures(figures)
    drafted = synopsis_city.expert_city(section, "4.8")
    assert len(drafted) == 1  # the count is stated from the series, not here
    assert render(drafted[0].text, "en") == (
        "Grand Tunis, 2021: 50.2 %, share of all foreign residents in Tunisia living in the region "
        "(INS and ONM — Tunisia-HIMS 2020-2021; reported by La Presse, not taken from the publisher's own table).")
    assert synopsis.check(drafted, {"expert_city": section.table}) == 1
    # cited by its publisher, not by the file the expert typed it in
    assert drafted[0].sources == ["INS and ONM, Tunisia-HIMS 2020-2021"]
    listed = render(synopsis.as_markdown(drafted), "fr")
    assert "source\u00a0: INS and ONM, Tunisia-HIMS 2020-2021" in listed and "expert_figures" not in listed
    assert "Chiffres des experts locaux" not in listed


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_country_named_in_a_sentence_takes_no_city_preposition(lang: str) -> None:
    # "66 349 personnes à Tunisie": French names a country with "en"/"au", a city with "à"; the sentence avoids both
    from workbench.reference.i18n import Country, Date, Num, T

    tunisia = Country("TUN")
    count = T("{definition} numbered {persons} in {area} on {date}: {share} % of the population.",
              definition="Foreign nationals", persons=Num(66349, "persons"), area=tunisia, date=Date("2024-11-06"),
              share=Num(0.55, "percent", 2))
    refugees = T("At the end of {year}, UNHCR counted {refugees} registered refugees in {place}.", year="2025",
                 refugees=Num(2386, "persons"), place=tunisia)
    for message in (count, refugees):
        text = render(message, lang)
        assert render(tunisia, lang) in text
        assert " à Tunisie" not in text and " à la Tunisie" not in text
    assert {"en": "0.55", "fr": "0,55", "ar": "0.55"}[lang] in render(count, lang)  # the decimals as published

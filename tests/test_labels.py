"""Labels an annex shows readers: country names in every language, places without publishers' marks,
source names instead of ids, theme names, French ordinal dates."""

from __future__ import annotations

import lxml.html
import pandas as pd
import pytest

from workbench.errors import ConfigError
from workbench.reference.framework import THEME_LABELS, THEMES
from workbench.reference.i18n import Country, T, render
from workbench.reference.labels import place_label, source_name
from workbench.reference.places import load_place_names
from workbench.reference.registry import load_sources
from workbench.report import annex_html

ORIGINS = pd.DataFrame({
    "origin": ["Venezuela", "Colombia", "Romania", "Syrian Arab Rep."],
    "persons": [900.0, 800.0, 700.0, 600.0],
})


def _cells(page: str, column: int) -> list[str]:
    root = lxml.html.fromstring(page)
    return [row.findall("td")[column].text_content() for row in root.iter("tr") if row.findall("td")]


@pytest.mark.parametrize("lang, expected", [
    ("en", ["Venezuela", "Colombia", "Romania", "Syria"]),
    ("fr", ["Venezuela", "Colombie", "Roumanie", "Syrie"]),
    ("ar", ["فنزويلا", "كولومبيا", "رومانيا", "سوريا"]),
])
def test_origin_cells_name_countries_in_the_annexs_language(lang, expected):
    page, _ = annex_html.table_html(ORIGINS, 0, lang)
    assert _cells(page, 0) == expected


def test_an_origin_that_is_no_country_keeps_its_catalog_translation():
    frame = pd.DataFrame({"group of origin": ["Stateless persons", "Peru"], "persons": [5.0, 6.0]})
    page, _ = annex_html.table_html(frame, 0, "fr", "test")
    cells = _cells(page, 0)
    assert cells[1] == "Pérou" and cells[0] != frame.iat[0, 0]  # translated by the catalog, not left in English


def test_a_synopsis_sentence_names_its_countries_in_french_and_arabic():
    parts = [T("{origin} ({share} %)", origin=Country.named(name), share=share)
             for name, share in (("Venezuela", "9.4"), ("Colombia", "8.2"), ("Romania", "5.1"))]
    from workbench.reference.i18n import join

    text = T("The largest countries of origin were {first} and {last}.", first=join(parts[:-1], ", "), last=parts[-1])
    assert str(text) == "The largest countries of origin were Venezuela (9.4 %), Colombia (8.2 %) and Romania (5.1 %)."
    assert "Colombie" in render(text, "fr") and "Roumanie" in render(text, "fr") and "Romania" not in render(text, "fr")
    assert "كولومبيا" in render(text, "ar") and "Colombia" not in render(text, "ar")


def test_rendered_tables_show_no_admin_marks_doubled_qualifiers_or_source_ids():
    frame = pd.DataFrame({
        "place": ["Amman [Admin 1]", "Spain*", "Madrid (greater city)"],
        "area": [place_label("Amman [Admin 1]", "governorate"), place_label("Madrid (greater city)", "greater_city"),
                 place_label("Ciudad de Madrid", "municipality")],
        "source": ["unhcr_demographics", "undesa_ims_2024", "madrid_ayto_nationality_2022"],
        "persons": [10.0, 20.0, 30.0],
    })
    for lang in ("en", "fr", "ar"):
        page, _ = annex_html.table_html(frame, 0, lang)
        text = lxml.html.fromstring(page).text_content()
        assert "[Admin" not in text and "*" not in text, lang
        assert "(greater city) (greater city)" not in text and text.count("greater city") <= 2, lang
        assert not any(source_id in text for source_id in load_sources()), lang
    page, _ = annex_html.table_html(frame, 0, "en")
    assert _cells(page, 0) == ["Amman", "Spain", "Madrid (greater city)"]
    assert _cells(page, 1) == ["Amman (governorate)", "Madrid (greater city)", "Ciudad de Madrid (municipality)"]
    assert _cells(page, 2)[2] == "Ayuntamiento de Madrid, Padrón municipal, 1 July 2022 (table C4210722)"
    page, _ = annex_html.table_html(frame, 0, "fr")
    assert _cells(page, 0) == ["Amman", "Espagne", "Madrid (ville élargie)"]  # Eurostat's qualifier translated
    assert _cells(page, 1)[1] == "Madrid (ville élargie)"
    joined = pd.DataFrame({"source": ["undesa_ims_2024; worldbank_wdi"]})
    page, _ = annex_html.table_html(joined, 0, "en")
    assert _cells(page, 0) == ["UN DESA, International Migrant Stock 2024; World Bank, World Development Indicators"]


def test_a_sentence_does_not_repeat_the_geography_a_place_name_carries():
    from workbench.reference.labels import bare_place

    assert bare_place("Madrid (greater city)", "greater city") == "Madrid"
    assert bare_place("Madrid (greater city)", "municipality") == "Madrid (greater city)"
    assert bare_place("Beirut [Admin 2]", "district") == "Beirut"
    text = T("{definition} in {place} ({geography}, {date}): {persons}", definition="Foreign-born",
             place=bare_place("Madrid (greater city)", "greater city"), geography="greater city", date="2023", persons="1")
    assert str(text) == "Foreign-born in Madrid (greater city, 2023): 1"


def test_every_source_has_a_reader_facing_name():
    # one declaration: the registry's short citation names a source in cells, sentences and source lines
    for source_id in load_sources():
        name = render(source_name(source_id), "en")
        assert source_id not in name and len(name) <= 120, source_id
    assert render(source_name("eurostat_urb_cpop1"), "en").startswith("Eurostat")
    assert render(source_name("expert_figures"), "fr") != "expert_figures"


def test_place_marks_are_declared_with_a_reason_and_once(tmp_path):
    assert {m.mark for m in load_place_names().marks} >= {" [Admin 1]", " [Admin 2]", "*"}
    (tmp_path / "place_names.yaml").write_text(
        "marks:\n  - {mark: ' [Admin 1]', publisher: UNHCR, reason: r}\n  - {mark: ' [Admin 1]', publisher: UNHCR, reason: r}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError, match=r"place_names.yaml: key 'marks\[1\].mark'"):
        load_place_names(tmp_path)
    (tmp_path / "place_names.yaml").write_text("marks:\n  - {mark: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"place_names.yaml: key 'marks.0.publisher': missing required key"):
        load_place_names(tmp_path)


def test_every_country_name_the_publishers_print_is_mapped_to_a_country():
    from workbench.reference.origins import country_code, country_name
    from workbench.reference.places import display_place
    from workbench.tidy.catalog import load_tidy

    tidy = load_tidy()
    countries = tidy.loc[tidy["geography_level"] == "country", ["place_name", "country_iso3"]].drop_duplicates()
    unmapped = sorted({name for name in countries["place_name"] if country_code(display_place(name)) is None} - {"Unknown"})
    assert not unmapped, f"country names without a code (declare them in data/registry/countries.yaml): {unmapped}"
    codes = {c for c in tidy.loc[tidy["origin"] != "total", "origin"] if len(c) == 3 and c.isupper()}
    from workbench.reference.origins import is_country

    for code in sorted(c for c in codes if is_country(c)):
        assert country_name(code, "fr") and country_name(code, "ar"), code


def test_a_bad_code_in_the_country_names_is_an_error_naming_the_key(tmp_path):
    from workbench.reference.origins import load_country_names

    (tmp_path / "countries.yaml").write_text("names: {}\npublished:\n  Atlantis: ATL\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"countries.yaml: key 'published.Atlantis': 'ATL' is not"):
        load_country_names(tmp_path)


def test_themes_are_named_not_keyed():
    from workbench.analysis import availability
    from workbench.reference.framework import load_framework

    empty = pd.DataFrame({c: pd.Series(dtype=str) for c in _TIDY})
    table = availability.city_matrix(empty, empty, load_framework(), 2010)
    assert set(table["theme"]) == set(THEME_LABELS.values()) and not set(table["theme"]) & set(THEMES)


_TIDY = ["source_id", "place_id", "place_name", "geography_level", "country_iso3", "city_id", "indicator_id",
         "definition_id", "sex", "age", "origin_type", "origin", "category", "period", "ref_date", "value", "unit", "flag", "note"]


def test_the_city_heading_names_the_city_once_per_language_and_claims_no_coast():
    from workbench.reference.registry import get_city
    from workbench.report.narrative import city_heading

    # the network's shores are a grouping, not geography: Vienna is on no shore
    heading = city_heading(get_city("vienna"))
    assert "shore" not in heading and "rive" not in render(heading, "fr")
    arabic = render(city_heading(get_city("amman")), "ar")
    assert arabic.count("عمّان") == 1 and "Amman" in arabic


def test_an_experts_english_place_name_reads_in_french_and_arabic_and_keeps_one_level():
    from workbench.reference.places import place_name

    assert place_name("Amman Governorate", "en") == "Amman Governorate"
    assert place_name("Amman Governorate", "fr") == "gouvernorat d'Amman"
    assert render(place_label("Amman Governorate", "governorate"), "fr") == "gouvernorat d'Amman"
    assert render(place_label("Amman Governorate", "governorate"), "en") == "Amman Governorate"
    frame = pd.DataFrame({"place": ["Amman Governorate"], "persons": [1450000.0]})
    page, _ = annex_html.table_html(frame, 0, "ar")
    assert _cells(page, 0) == ["محافظة العاصمة (عمّان)"]

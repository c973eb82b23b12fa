"""Tests of the translation mechanism: messages, locale formats, strict catalogs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import MissingTranslation
from workbench.reference import formats, i18n
from workbench.reference.i18n import Date, Label, Msg, Num, T, by_language, join, render, render_text
from workbench.reference.registry import get_city

FR = {
    "Key figures: {city} and {country}": "Chiffres clés : {city} et {country}",
    "{n} persons in {place} on {date}": "{n} personnes à {place} au {date}",
    "Foreign nationals": "Ressortissants étrangers",
    "{definition}: {count}": "{definition} : {count}",
}


@pytest.fixture()
def french(monkeypatch):
    monkeypatch.setattr(i18n, "catalog", lambda lang: FR if lang == "fr" else {})


def test_message_is_its_english_text_and_renders_in_french(french):
    madrid = get_city("madrid")
    caption = T("Key figures: {city} and {country}", city=madrid.names, country=madrid.country_names)
    assert isinstance(caption, str) and caption == "Key figures: Madrid and Spain"
    assert caption.render("fr") == "Chiffres clés : Madrid et Espagne"


def test_numbers_and_dates_follow_the_locale(french):
    text = T("{n} persons in {place} on {date}", n=Num(1234567.0), place="Lyon", date=Date("2022-07-01"))
    assert text == "1,234,567 persons in Lyon on 1 July 2022"
    assert text.render("fr") == "1\u202f234\u202f567 personnes à Lyon au 1er juillet 2022"
    assert formats.format_number(12.345, "percent", "fr") == "12,3"
    assert formats.format_number(1234.5, "percent", "ar") == "1,234.5"
    assert formats.format_number(0.15607, "ratio", "en") == "0.156"


def test_labels_joins_and_nested_messages(french):
    text = T("{definition}: {count}", definition=Label("Foreign nationals"), count=join(["a", "b"], ", "))
    assert text == "Foreign nationals: a, b"
    assert text.render("fr") == "Ressortissants étrangers : a, b"


def test_missing_translation_is_an_error_naming_text_and_catalog(french):
    with pytest.raises(MissingTranslation, match=r"no ar translation of 'Foreign nationals' in src/workbench/locale/ar"):
        render(Label("Foreign nationals"), "ar")
    with pytest.raises(MissingTranslation, match="Table 3 of madrid"):
        render_text("An English sentence nobody translated.", "fr", "Table 3 of madrid")
    assert render_text("An English sentence nobody translated.", "en", "x") == "An English sentence nobody translated."


def test_text_by_language_needs_every_language():
    text = by_language({"en": "Hello", "fr": "Bonjour", "ar": "مرحبا"}, shown="fr")
    assert text == "Bonjour" and render(text, "ar") == "مرحبا"
    with pytest.raises(i18n.ConfigError, match="lacks ar"):
        by_language({"en": "Hello", "fr": "Bonjour"})


def test_a_translation_must_fit_its_parameters(monkeypatch):
    monkeypatch.setattr(i18n, "catalog", lambda lang: {"{n} persons": "{count} personnes"})
    with pytest.raises(i18n.ConfigError, match="does not fit its parameters"):
        T("{n} persons", n=Num(3.0)).render("fr")


@given(
    place=st.text(min_size=1, max_size=20),
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    unit=st.sampled_from(["persons", "percent", "ratio", "quotient"]),
    day=st.dates().map(lambda d: d.isoformat()),
)
def test_messages_survive_the_trip_through_notebook_metadata(place, value, unit, day):
    original = T("{n} persons in {place} on {date}", n=Num(value, unit), place=place, date=Date(day))
    copy = i18n.from_json(json.loads(json.dumps(original.to_json())))
    assert isinstance(copy, Msg) and copy == original
    assert copy.to_json() == original.to_json()


def test_network_cities_and_countries_are_named_in_the_readers_language(monkeypatch):
    monkeypatch.setattr(i18n, "catalog", lambda lang: {"{share} % in {place}": "{share} % à {place}"})
    assert render(T("{share} % in {place}", share="8", place="Lebanon"), "fr") == "8 % à Liban"
    assert render(T("{share} % in {place}", share="8", place="Achrafieh"), "fr") == "8 % à Achrafieh"


def test_place_names_lose_publishers_marks_and_read_in_the_readers_language():
    from workbench.reference.places import display_place, place_name

    assert place_name("Spain*", "fr") == "Espagne"  # UN DESA's pointer to a country note
    assert place_name("Amman [Admin 1]", "en") == "Amman" and place_name("Azraq Camp [Admin 3: POC]", "fr") == "Azraq Camp"
    assert place_name("Lisbon", "ar") == get_city("lisbon").names.ar
    assert place_name("Ciudad de Madrid", "ar") == "Ciudad de Madrid"
    assert place_name("Lebanon", "en") == "Lebanon"
    assert place_name("Syrian Arab Rep.", "fr") == "Syrie" and place_name("Italia", "ar") == "إيطاليا"
    assert place_name("El Salvador", "fr") == "El Salvador"  # a barrio of Madrid, not the country
    assert display_place("Madrid (greater city)") == "Madrid (greater city)"  # Eurostat's name, not a mark


def test_french_dates_write_the_first_of_the_month_as_an_ordinal():
    assert formats.format_date("2022-07-01", "fr") == "1er juillet 2022"
    assert formats.format_date("2015-11-30", "fr") == "30 novembre 2015"
    assert formats.format_date("2022-07-01", "en") == "1 July 2022"
    assert formats.format_date("2022-07-01", "ar").startswith("1 ")


def test_countries_are_named_from_cldr_in_french_and_arabic():
    from workbench.reference.i18n import Country
    from workbench.reference.origins import country_code, country_name, origin_name

    assert [country_name("VEN", lang) for lang in ("en", "fr", "ar")] == ["Venezuela", "Venezuela", "فنزويلا"]
    assert [country_name("ROU", lang) for lang in ("en", "fr", "ar")] == ["Romania", "Roumanie", "رومانيا"]
    assert country_name("PSE", "fr") == "État de Palestine"  # the UN usage declared in countries.yaml
    assert country_name("XKX", "ar") == "كوسوفو"
    assert origin_name("COL", "fr") == "Colombie" and origin_name("OTHER", "fr").startswith("Autres pays")
    for name, code in [("Syria", "SYR"), ("Syrian Arab Rep.", "SYR"), ("Iran (Islamic Rep. of)", "IRN"), ("Türkiye", "TUR"),
                       ("Venezuela (Bolivarian Republic of)", "VEN"), ("State of Palestine", "PSE"), ("DR Congo", "COD")]:
        assert country_code(name) == code, name
    assert country_code("Other") is None and country_code("Stateless persons") is None and country_code("") is None
    venezuela = Country.named("Venezuela")
    assert str(venezuela) == "Venezuela" and Country.named("Other countries") == "Other countries"
    text = T("{origin} ({share} %)", origin=venezuela, share="9.4")
    assert text == "Venezuela (9.4 %)"
    assert render(i18n.from_json(json.loads(json.dumps(text.to_json()))), "ar") == "فنزويلا (9.4 %)"


def test_a_publishers_english_note_is_quoted_and_marked_in_french_and_arabic():
    # issue 17/18 (officer review): UNHCR's and AIMA's English notes stood unmarked in French annexes
    from workbench.reference.i18n import render, source_words

    note = source_words("AIMA stock on 31 December 2024")
    assert render(note, "en") == "AIMA stock on 31 December 2024"
    assert render(note, "fr") == "« AIMA stock on 31 December 2024 » (en anglais)"
    assert "بالإنجليزية" in render(note, "ar")

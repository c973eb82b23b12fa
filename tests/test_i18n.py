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
    assert text.render("fr") == "1\u202f234\u202f567 personnes à Lyon au 1 juillet 2022"
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


def test_place_names_keep_their_marks():
    from workbench.reference.registry import place_name

    assert place_name("Spain*", "fr") == "Espagne*"
    assert place_name("Lisbon", "ar") == get_city("lisbon").names.ar
    assert place_name("Ciudad de Madrid", "ar") == "Ciudad de Madrid"
    assert place_name("Lebanon", "en") == "Lebanon"

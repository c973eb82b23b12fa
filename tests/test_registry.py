"""Tests of the registries people write: cities, sources, definitions, indicators."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from workbench.errors import ConfigError, UnknownCityError
from workbench.reference.registry import city_codes, get_city, load_cities, load_definitions, load_indicators, load_sources

NETWORK = ["amman", "barcelona", "beirut", "lisbon", "lyon", "madrid", "tanger", "tunis", "turin", "vienna"]


def test_load_cities_holds_the_ten_network_cities_with_names_in_every_language():
    cities = load_cities()
    assert list(cities) == NETWORK
    for city in cities.values():
        assert city.names.en and city.names.fr and city.names.ar and city.names.local
        assert city.country_names.ar


def test_get_city_unknown_lists_known_ids():
    with pytest.raises(UnknownCityError, match="unknown city 'nowhere'; known cities: amman"):
        get_city("nowhere")


def test_city_codes_maps_eurostat_codes_to_cities():
    codes = city_codes("eurostat_urban_audit")
    assert codes["ES001C"] == "madrid" and codes["IT004C"] == "turin"


def test_every_source_has_an_importable_reader_with_build():
    for source in load_sources().values():
        if source.reader is None:
            continue
        module = importlib.import_module(source.reader)
        assert callable(module.build), source.source_id
        assert source.files, f"{source.source_id} lists no official file"


def test_units_of_indicators_are_schema_units():
    from workbench.tidy.schemas import UNITS

    assert {i.unit for i in load_indicators().values()} <= set(UNITS)
    assert "foreign_born" in load_definitions()


def test_every_kind_of_published_share_has_an_indicator_a_place_and_a_denominator():
    indicators = load_indicators()
    # where the migrants live, their make-up by origin and by sex, any other breakdown; and the population's share
    expected = {"share_of_national_group": "country_group", "origin_share": "place_group", "female_share": "place_group",
                "group_share": "place_group", "population_share": "place_population"}
    assert {i: indicators[i].denominator for i in expected} == expected
    assert indicators["share_of_national_group"].shown_in == ("city",)  # about the whole country it is 100 %
    assert all(i.shown_in for i in indicators.values()), "an indicator an expert could enter that no table shows"
    assert {"recent_arrival_foreign"} <= set(load_definitions())  # counts of recent arrivals: population + this


def test_load_cities_rejects_unknown_key(tmp_path: Path):
    (tmp_path / "cities.yaml").write_text(
        "cities:\n  - city_id: x\n    names: {en: X, fr: X, ar: X}\n    local_language: en\n"
        "    country_iso3: AUT\n    country_names: {en: A, fr: A, ar: A}\n    shore: north\n"
        "    city_geography: city\n    colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"cities\.yaml: key 'cities\[0\]\.colour': unknown key"):
        load_cities(tmp_path)


def test_load_cities_rejects_non_utf8(tmp_path: Path):
    (tmp_path / "cities.yaml").write_bytes("cities: [café]".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_cities(tmp_path)


def test_origin_group_codes_are_declared_once_and_named_in_english_and_french():
    import yaml

    from workbench import paths

    seen: dict[str, str] = {}
    for path in sorted((paths.registry_dir() / "origins").glob("*.yaml")):
        for code, names in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("origins", {}).items():
            assert code not in seen, f"{code} declared in {seen.get(code)} and {path.name}"
            assert names.get("en") and names.get("fr"), f"{path.name}: {code} needs en and fr names"
            seen[code] = path.name


def test_every_origin_code_in_the_tidy_data_has_a_name():
    import pycountry

    from workbench.tidy.catalog import load_tidy
    from workbench.reference.origins import load_origin_groups

    tidy = load_tidy()
    codes = set(tidy.loc[tidy["origin"] != "total", "origin"])
    unnamed = sorted(c for c in codes if pycountry.countries.get(alpha_3=c) is None and c not in load_origin_groups())
    assert not unnamed, f"origin codes without a name: {unnamed[:20]}"


def test_docs_sources_page_matches_the_registry():
    from workbench import paths
    from workbench.report.sourcedoc import sources_markdown

    page = (paths.project_root() / "docs" / "sources.md").read_text(encoding="utf-8")
    assert page == sources_markdown(), "docs/sources.md is stale: run `workbench sources > docs/sources.md`"


def test_city_geographies_name_registered_sources():
    sources = load_sources()
    for city in load_cities().values():
        assert city.geographies, f"{city.city_id}: say which area each source describes"
        unknown = set(city.geographies) - set(sources)
        assert not unknown, f"{city.city_id}: geographies for unknown sources {unknown}"


def test_read_yaml_names_line_and_column_of_a_syntax_error(tmp_path: Path):
    from workbench.reference.registry import read_yaml

    path = tmp_path / "cities.yaml"
    path.write_text("cities:\n  - city_id: x\n    names: {en: X\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cities\.yaml, line 4, column 1: not valid YAML"):
        read_yaml(path)
    path.write_bytes("cities:\n  - names: café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"cities\.yaml, line 2: not UTF-8 text \(byte 0xE9"):
        read_yaml(path)


def test_validation_messages_say_what_was_found_and_what_is_allowed(tmp_path: Path):
    from workbench.reference.registry import read_cities

    text = (
        "cities:\n  - city_id: x\n    names: {en: X, fr: X, ar: X}\n    local_language: en\n"
        "    country_iso3: AUT\n    country_names: {en: A, fr: A, ar: A}\n    shore: east\n"
        "    city_geography: city\n"
    )
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml: key 'cities\[0\]\.shore': found 'east'; allowed values: 'north' or 'south'"):
        read_cities(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text(text.replace("shore: east", "shore: north\n    colour: red"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'cities\[0\]\.colour': unknown key; allowed keys: city_id, names, "):
        read_cities(tmp_path / "c.yaml")
    (tmp_path / "c.yaml").write_text("cities: {x: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a top-level key 'cities' holding a list, found a mapping with keys cities"):
        read_cities(tmp_path / "c.yaml")


def test_read_source_requires_the_file_name_to_be_the_source_id(tmp_path: Path):
    from workbench import paths
    from workbench.reference.registry import read_source

    text = (paths.registry_dir() / "sources" / "istat_acqcitiz.yaml").read_text(encoding="utf-8")
    (tmp_path / "istat_acqcitiz.yaml").write_text(text, encoding="utf-8")
    assert read_source(tmp_path / "istat_acqcitiz.yaml").source_id == "istat_acqcitiz"
    (tmp_path / "other.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'source_id': 'istat_acqcitiz' differs from the file name 'other'"):
        read_source(tmp_path / "other.yaml")


def test_check_references_names_the_csv_line_given(tmp_path: Path):
    import pandas as pd

    from workbench.errors import SchemaError
    from workbench.reference.registry import check_references

    frame = pd.DataFrame({"source_id": ["istat_acqcitiz"] * 2, "indicator_id": ["population", "migrants"],
                          "definition_id": ["foreign_born"] * 2, "city_id": ["turin", ""]})
    with pytest.raises(SchemaError, match=r"t\.csv, CSV line 3, column 'indicator_id': unknown id 'migrants'"):
        check_references(frame, "t.csv")
    with pytest.raises(SchemaError, match=r"CSV line 9, column 'indicator_id'.*data/registry/indicators\.yaml"):
        check_references(frame, "t.csv", lines=[5, 9])

"""Tests of notebook parameters: typed, unknown keys and ids are errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import ConfigError, UnknownCityError
from workbench.params import load_city_params, load_compare_params, validate_params
from workbench.registry import load_cities


def test_load_city_params_every_city_file_is_valid():
    for city_id in load_cities():
        assert load_city_params(city_id).city_id == city_id


def test_load_city_params_unknown_key_names_file_key_and_allowed(tmp_path: Path):
    (tmp_path / "madrid.yaml").write_text("city_id: madrid\ntop_n_origin: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_city_params("madrid", tmp_path)
    message = str(info.value)
    assert "madrid.yaml" in message and "'top_n_origin'" in message and "allowed keys: city_id, top_n_origins" in message


def test_load_city_params_wrong_type_and_range(tmp_path: Path):
    (tmp_path / "madrid.yaml").write_text("top_n_origins: many\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top_n_origins"):
        load_city_params("madrid", tmp_path)
    (tmp_path / "madrid.yaml").write_text("top_n_origins: 1000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="less than or equal to 30"):
        load_city_params("madrid", tmp_path)


def test_load_city_params_unknown_city():
    with pytest.raises(UnknownCityError):
        load_city_params("nowhere")


def test_load_city_params_mismatched_city_id(tmp_path: Path):
    (tmp_path / "madrid.yaml").write_text("city_id: lisbon\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="file is for 'madrid'"):
        load_city_params("madrid", tmp_path)


def test_validate_params_compare_rejects_duplicates_and_unknown_cities():
    with pytest.raises(ConfigError, match="listed twice"):
        validate_params("compare_cities", {"city_ids": ["madrid", "madrid"], "cities_dir": "."})
    with pytest.raises(ConfigError):
        validate_params("compare_cities", {"city_ids": ["atlantis"], "cities_dir": "."})


def test_load_compare_params_reads_city_list():
    assert load_compare_params()["city_ids"][0] == "amman"

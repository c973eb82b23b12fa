"""Tests of notebook parameters: typed, unknown keys and ids are errors naming file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import paths
from workbench.errors import ConfigError, UnknownCityError
from workbench.reference.params import (
    NOTEBOOK_PARAMS,
    check_notebook_parameters,
    load_city_params,
    load_compare_params,
    notebook_parameters,
    read_params_file,
    validate_params,
)
from workbench.reference.registry import load_cities


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


# --- notebooks and models agree; every way a parameter can be wrong is named --------------------

NOTEBOOKS = sorted(paths.notebooks_dir().glob("*.ipynb"))


def test_every_notebook_has_a_model_and_every_model_a_notebook():
    assert {p.stem for p in NOTEBOOKS} == set(NOTEBOOK_PARAMS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_parameters_cell_matches_its_model(path: Path):
    values = notebook_parameters(path)
    model = NOTEBOOK_PARAMS[path.stem]
    assert list(values) == list(model.model_fields)
    params = check_notebook_parameters(path)  # the cell's defaults pass the model, types included
    for name, field in model.model_fields.items():
        if not field.is_required():
            assert values[name] == field.default == getattr(params, name), f"{path.stem}: default of {name}"


def test_every_integer_parameter_has_a_range():
    # years, counts, limits: an integer parameter without bounds would accept year 1700 or -5
    for kind, model in NOTEBOOK_PARAMS.items():
        for name, field in model.model_fields.items():
            if field.annotation is int:
                bounds = {type(m).__name__ for m in field.metadata}
                assert {"Ge", "Le"} <= bounds, f"{kind}.{name} has no range"


def test_notebook_parameters_rejects_code(tmp_path: Path):
    import json

    path = tmp_path / "city_profile.ipynb"
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "city_id = __import__('os').getcwd()\n"}
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"parameters cell line 1: found .*expected name = literal value"):
        notebook_parameters(path)


@pytest.mark.parametrize(
    ("kind", "values", "fragments"),
    [
        ("city_profile", {"city_id": "madrid", "topn": 5},
         ["key 'topn': unknown key", "allowed keys: city_id, top_n_origins, output_dir, language"]),
        ("city_profile", {"city_id": "madrid", "top_n_origins": 5.5}, ["key 'top_n_origins'", "found 5.5", "valid integer"]),
        ("city_profile", {"city_id": "madrid", "top_n_origins": True}, ["key 'top_n_origins'", "found True"]),
        ("city_profile", {"city_id": "atlantis"}, ["key 'city_id'", "found 'atlantis'", "allowed values: amman, barcelona, beirut"]),
        ("city_profile", {"city_id": "madrid", "language": "es"},
         ["key 'language'", "found 'es'", "allowed values: 'en', 'fr' or 'ar'"]),
        ("compare_theme", {"city_ids": ["madrid"], "cities_dir": ".", "theme": "sport"},
         ["key 'theme'", "found 'sport'", "allowed values: 'social_cohesion'"]),
        ("compare_cities", {"city_ids": ["madrid"]}, ["key 'cities_dir': missing required key"]),
        ("compare_cities", {"city_ids": [], "cities_dir": "."}, ["key 'city_ids'", "at least 1 item"]),
        ("compare_cities", {"city_ids": ["madrid"], "cities_dir": "C:/data"}, ["key 'cities_dir'", "drive letter"]),
        ("compare_cities", {"city_ids": ["madrid"], "cities_dir": "~/x"}, ["key 'cities_dir'", "'~'"]),
    ],
)
def test_validate_params_names_origin_key_found_and_allowed(kind, values, fragments):
    with pytest.raises(ConfigError) as caught:
        validate_params(kind, values, "params/x.yaml")
    message = str(caught.value)
    assert message.startswith("params/x.yaml: key ")
    for fragment in fragments:
        assert fragment in message, message


_SEGMENT = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,8}", fullmatch=True).filter(lambda s: s not in (".", ".."))


@settings(max_examples=60, deadline=None)
@given(st.lists(_SEGMENT, min_size=1, max_size=4))
def test_relative_folders_are_accepted(parts):
    folder = "/".join(parts)
    assert validate_params("city_profile", {"city_id": "madrid", "output_dir": folder}).output_dir == folder
    climbing = "../../" + folder
    assert validate_params("compare_cities", {"city_ids": ["madrid"], "cities_dir": climbing}).cities_dir == climbing


@settings(max_examples=60, deadline=None)
@given(st.lists(_SEGMENT, min_size=1, max_size=4), st.integers(0, 3), st.sampled_from(["abs", "up", "inner_up"]))
def test_folders_leading_out_are_rejected(parts, depth, how):
    if how == "abs":
        folder = "/" + "/".join(parts)
    elif how == "up":
        folder = "../" * (depth + 1) + "/".join(parts)
    else:
        folder = "/".join(parts) + "/.." * (depth + 1) + "/x"
    with pytest.raises(ConfigError, match="key 'output_dir'"):
        validate_params("city_profile", {"city_id": "madrid", "output_dir": folder})
    if how != "up" or depth >= 2:
        with pytest.raises(ConfigError, match="key 'cities_dir'"):
            validate_params("compare_cities", {"city_ids": ["madrid"], "cities_dir": folder})


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "file is empty"),
        (b"# only a comment\n", "file is empty"),
        (b"- a\n- b\n", "line 1: expected a mapping"),
        (b"just text\n", "found a str"),
        (b"city_id: madrid\ntop_n_origins: [3\n", r"line 3, column 1: not valid YAML"),
        ("city_id: madrid  # Málaga\n".encode("latin-1"), r"line 1: not UTF-8"),
        (b"1: madrid\n", "key 1 is not a name"),
    ],
)
def test_read_params_file_names_file_and_line(tmp_path: Path, content: bytes, fragment: str):
    path = tmp_path / "madrid.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=fragment) as caught:
        read_params_file(path)
    assert str(caught.value).startswith(str(path))

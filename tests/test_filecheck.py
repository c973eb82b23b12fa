"""Tests of telling an input file's kind and checking one file of a kind (workbench.tidy.filecheck)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import paths
from workbench.errors import ConfigError
from workbench.tidy.filecheck import KINDS, check_file, check_origins, detect_kind, guess_kind


@pytest.mark.parametrize(("where", "kind"), [
    ("params/madrid.yaml", "params"),
    ("params/compare.yaml", "params"),
    ("data/registry/cities.yaml", "registry"),
    ("data/registry/origins/es.yaml", "registry"),
    ("data/tidy/aima_pt_foreign_residents.csv", "tidy"),
    ("notebooks/city_profile.ipynb", "notebook"),
])
def test_the_project_files_are_told_by_their_content(where: str, kind: str):
    assert detect_kind(paths.project_root() / where) == kind
    assert kind in KINDS


def test_a_file_of_no_known_kind_is_none(tmp_path: Path):
    table = tmp_path / "other.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    assert detect_kind(table) is None
    assert detect_kind(tmp_path / "notes.docx") is None


def test_the_name_and_folder_tell_the_kind_when_the_content_cannot(tmp_path: Path):
    (tmp_path / "figures").mkdir()
    assert guess_kind(tmp_path / "figures" / "anything.csv") == "expert"
    assert guess_kind(tmp_path / "madrid.yaml") == "params"
    assert guess_kind(tmp_path / "definitions.yaml") == "registry"
    assert guess_kind(tmp_path / "other.yaml") is None


def test_check_file_says_what_the_file_holds():
    assert check_file(paths.registry_dir() / "cities.yaml", "registry").endswith(" cities")
    assert check_file(paths.params_dir() / "madrid.yaml", "params") == "city madrid, top_n_origins=10, language=en"


def test_an_origin_group_without_french_name_names_file_and_key(tmp_path: Path):
    path = tmp_path / "origins.yaml"
    path.write_text("origins:\n  MAGHREB:\n    en: Maghreb\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"origins\.yaml: key 'origins\.MAGHREB': missing name\(s\) in fr"):
        check_origins(path)

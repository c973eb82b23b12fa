"""`workbench new-city`: a new city scaffolded on a project copy, checked, and what validate says is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import copy_project, run_cli
from workbench.newcity import entry_text, insert_entry
from workbench.reference.registry import City, read_cities

MARSEILLE = ["new-city", "marseille", "--name-en", "Marseille", "--name-ar", "مرسيليا", "--country", "FRA",
             "--eurostat", "FR004C", "--qol", "1003"]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> tuple[Path, str]:
    root = copy_project(tmp_path_factory.mktemp("newcity") / "project")
    result = run_cli(*MARSEILLE, root=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def test_new_city_writes_entry_params_comparison_figures_and_chapter_drafts(scaffolded):
    root, out = scaffolded
    city = read_cities(root / "data" / "registry" / "cities.yaml")["marseille"]
    assert (city.names.en, city.names.fr, city.names.ar, city.names.local) == ("Marseille", "Marseille", "مرسيليا", "Marseille")
    # the country's names, language and shore come from Lyon, the registry's other French city
    assert (city.country_names.fr, city.local_language, city.shore) == ("France", "fr", "north")
    assert city.codes == {"eurostat_urban_audit": ["FR004C"], "qol_city": ["1003"]}
    assert city.city_geography == "greater_city"  # as Eurostat publishes FR004C
    assert city.geographies["eurostat_urb_cpopcb"] == "Marseille greater city (FR004C)"
    assert list(read_cities(root / "data" / "registry" / "cities.yaml")).index("marseille") == 6  # alphabetical
    assert yaml.safe_load((root / "params" / "marseille.yaml").read_text(encoding="utf-8")) == {
        "city_id": "marseille", "top_n_origins": 10}
    assert "marseille" in yaml.safe_load((root / "params" / "compare.yaml").read_text(encoding="utf-8"))["city_ids"]
    figures = root / "data" / "local" / "figures"
    assert (figures / "marseille.csv").read_text(encoding="utf-8").startswith("place_id,place_name,geography_level,")
    guide = (figures / "marseille-columns.md").read_text(encoding="utf-8")
    assert "`definition_id` | required" in guide and "`FRA`" in guide and "`FR004C`" in guide
    drafts = sorted(p.relative_to(root / "data" / "local" / "chapters").as_posix()
                    for p in (root / "data" / "local" / "chapters" / "marseille").rglob("*.md"))
    assert len(drafts) == 12 and "marseille/fr/national_policy.md" in drafts
    draft = (root / "data" / "local" / "chapters" / "marseille" / "fr" / "national_policy.md").read_text(encoding="utf-8")
    assert draft.startswith("# Politique migratoire nationale\n\n<!--") and "Questions-guides" in draft
    assert "workbench ingest --raw RAW --only ec_qol_cities_2023,eurostat_urb_clma" in out


def test_validate_tells_what_is_still_missing(scaffolded):
    root, _ = scaffolded
    result = run_cli("validate", "--city", "marseille", root=root)
    # the Eurostat rows of FR004C were ingested before the entry existed: they carry no city id yet
    assert result.returncode == 3, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    [untagged] = [line for line in lines if line.startswith("FAIL tidy tables cover the city")]
    assert "FR004C" in untagged and "workbench ingest --raw RAW --only eurostat_urb_clma,eurostat_urb_cpop1" in untagged
    todo = [line for line in lines if line.startswith("todo")]
    assert any("no published figure entered yet" in line for line in todo)
    assert any(line.startswith("todo chapters (ar): 0 of 4 written") for line in todo)
    assert any("make" in line and "baseline" in line for line in todo)
    assert any(line.startswith("ok   params/marseille.yaml") for line in lines)


def test_a_draft_counts_as_written_once_text_is_below_its_questions(scaffolded):
    root, _ = scaffolded
    draft = root / "data" / "local" / "chapters" / "marseille" / "en" / "priorities.md"
    draft.write_text(draft.read_text(encoding="utf-8") + "\nHousing comes first.\n", encoding="utf-8")
    result = run_cli("validate", "--city", "marseille", root=root)
    assert "todo chapters (en): 1 of 4 written" in result.stdout


def test_the_same_city_twice_is_refused_and_nothing_changes(scaffolded):
    root, _ = scaffolded
    registry = (root / "data" / "registry" / "cities.yaml").read_bytes()
    result = run_cli(*MARSEILLE, root=root)
    assert result.returncode == 2 and "already in data/registry/cities.yaml" in result.stderr
    assert (root / "data" / "registry" / "cities.yaml").read_bytes() == registry


@pytest.mark.parametrize(("args", "message"), [
    (["new-city", "Rome", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA"], "lower-case letters"),
    (["new-city", "roma", "--name-en", "Rome", "--country", "ITA"], "--name-ar is required"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "IT"], "ISO 3166 alpha-3"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA", "--eurostat", "XX999C"],
     "--eurostat XX999C: no row"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA", "--eurostat", "ES002C"],
     "a place of ESP, not of --country ITA"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA", "--eurostat", "IT003C"],
     "--eurostat IT003C is 'Napoli greater city' in the Eurostat tables, not Rome"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA", "--code", "insee_geography=X"],
     "code system(s) insee_geography not supported"),
    (["new-city", "cairo", "--name-en", "Cairo", "--name-ar", "القاهرة", "--country", "EGY"], "--country-en, --country-fr, --country-ar"),
    (["new-city", "roma", "--name-en", "Rome", "--name-ar", "روما", "--country", "ITA", "--raw", "/nowhere"], "--raw /nowhere"),
])
def test_wrong_facts_give_one_line_naming_the_option(tmp_path: Path, project_copy: Path, args, message):
    before = (project_copy / "data" / "registry" / "cities.yaml").read_bytes()
    result = run_cli(*args, root=project_copy)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (project_copy / "data" / "registry" / "cities.yaml").read_bytes() == before
    assert not (project_copy / "params" / "roma.yaml").exists()


def test_an_entry_reads_back_as_written_and_keeps_the_file_comments(tmp_path: Path):
    city = City.model_validate({
        "city_id": "cairo", "names": {"en": "Cairo", "fr": "Le Caire", "ar": "القاهرة", "local": "القاهرة"},
        "local_language": "ar", "country_iso3": "EGY", "country_names": {"en": "Egypt", "fr": "Égypte", "ar": "مصر"},
        "shore": "south", "codes": {"unhcr_location": ["Cairo : Governorate"]}, "city_geography": "governorate",
        "geographies": {"unhcr_demographics": 'Cairo governorate ("Cairo : Governorate")'}, "note": "a: b # not a comment",
    })
    text = "# comment kept\ncities:\n  - city_id: amman\n    names: {en: Amman, fr: Amman, ar: عمّان}\n"
    path = tmp_path / "cities.yaml"
    path.write_text(insert_entry(text, city), encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# comment kept\n")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["cities"]
    assert [c["city_id"] for c in raw] == ["amman", "cairo"]
    assert City.model_validate(raw[1]) == city
    assert entry_text(city).startswith("  - city_id: cairo\n")


def test_barcelona_the_tenth_city_has_what_a_profile_needs():
    from workbench.validate import validate_city

    checks = validate_city("barcelona")
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    data = next(c for c in checks if c.what == "data of barcelona")
    assert "eurostat_urb_cpopcb" in data.message and "ec_qol_cities_2023" in data.message


def test_places_finds_an_urban_audit_code_by_name_ignoring_case_and_accents():
    result = run_cli("places", "MARSÉILLE")
    assert result.returncode == 0 and result.stdout.split()[:2] == ["FR004C", "Marseille"]
    assert "(network city barcelona)" in run_cli("places", "barcelona").stdout
    result = run_cli("places", "atlantis")
    assert result.returncode == 2 and "no Eurostat place" in result.stderr


def test_a_city_of_a_new_country_asks_for_the_country_scoped_sources_and_refuses_partial_rows(project_copy: Path):
    args = ["new-city", "cairo", "--name-en", "Cairo", "--name-fr", "Le Caire", "--name-ar", "القاهرة", "--country", "EGY",
            "--country-en", "Egypt", "--country-fr", "Égypte", "--country-ar", "مصر", "--local-language", "ar",
            "--shore", "south"]
    result = run_cli(*args, root=project_copy)
    assert result.returncode == 0, result.stderr
    # UNHCR, UN DESA and the World Bank keep every origin only for the registry's countries
    assert "unhcr_population" in result.stdout and "undesa_ims_2024" in result.stdout and "worldbank_wdi" in result.stdout
    city = read_cities(project_copy / "data" / "registry" / "cities.yaml")["cairo"]
    assert (city.city_geography, city.codes) == ("country", {})
    result = run_cli("validate", "--city", "cairo", root=project_copy)
    assert result.returncode == 3
    assert "unhcr_population: rows of EGY count only people from JOR, LBN, MAR, TUN" in result.stdout
    # the profile refuses to compute a 'refugees in the country' total from those rows
    result = run_cli("run", "--city", "cairo", "--no-compare", "--no-annex", root=project_copy)
    assert result.returncode == 4
    manifest = json.loads((project_copy / "outputs" / "last-attempt" / "manifest.json").read_text(encoding="utf-8"))
    assert "tidy tables built without this city" in manifest["notebooks"][0]["error"]

"""A corpus of bad inputs, made here: each one gets one clear error naming file, line and column.

Every file is written to tmp_path (outside the project) and checked with
:func:`workbench.validate.validate_paths`, as `workbench validate PATH` does.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from workbench import paths
from workbench.errors import ConfigError
from workbench.tidy.schemas import TIDY_COLUMNS, latest_year
from workbench.tidy.sources._common import tidy_frame
from workbench.validate import KINDS, Check, exit_code, validate_paths

# --- a valid tidy table and a valid expert file, to corrupt one thing at a time ------------------

TIDY_ROW = {
    "place_id": "ES001C", "place_name": "Madrid", "geography_level": "greater_city", "country_iso3": "ESP",
    "city_id": "madrid", "indicator_id": "population", "definition_id": "foreign_born", "period": "2021",
    "ref_date": "2021-01-01", "value": 1000.0, "unit": "persons",
}

EXPERT_ROW = {
    "place_id": "JOR", "place_name": "Jordan", "geography_level": "country", "country_iso3": "JOR",
    "indicator_id": "population", "definition_id": "foreign_nationality",
    "definition_as_published": "non-Jordanians resident", "sex": "", "period": "", "ref_date": "2015-11-30",
    "value": "2900000", "unit": "persons", "publisher": "Department of Statistics Jordan",
    "source_title": "Population and Housing Census 2015",
}


def _tidy(tmp_path: Path, change: dict | None = None, name: str = "table.csv") -> Path:
    """Three rows (total, female, male); ``change`` is applied to the third (CSV line 4)."""
    frame = tidy_frame(
        [TIDY_ROW, {**TIDY_ROW, "sex": "female", "value": 600.0}, {**TIDY_ROW, "sex": "male", "value": 400.0}],
        "eurostat_urb_cpopcb",
    )
    frame = frame.sort_values("sex", key=lambda s: s.map({"total": 0, "female": 1, "male": 2})).astype({"value": object})
    for column, value in (change or {}).items():
        frame.loc[frame.index[2], column] = value
    path = tmp_path / name
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def _expert(tmp_path: Path, change: dict | None = None, drop: str | None = None, add: str | None = None,
            name: str = "amman.csv") -> Path:
    """Three figures (total, women, men); ``change`` is applied to the third (CSV line 4)."""
    rows = [
        dict(EXPERT_ROW),
        {**EXPERT_ROW, "sex": "female", "value": "1400000"},
        {**EXPERT_ROW, "sex": "male", "value": "1500000", **(change or {})},
    ]
    columns = [c for c in EXPERT_ROW if c != drop] + ([add] if add else [])
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, **({add: "x"} if add else {})} for row in rows)
    return path


def _fails(path: Path, kind: str | None = None, city: str | None = None) -> Check:
    [check] = validate_paths([path], kind=kind, city=city)
    assert not check.ok, f"{path.name} passed: {check.message}"
    assert "Traceback" not in check.message and "\n" not in check.message
    assert str(path) in check.message, "the message names the file"
    return check


def _says(check: Check, *fragments: str) -> None:
    for fragment in fragments:
        assert fragment in check.message, f"{fragment!r} not in: {check.message}"


def test_good_files_pass(tmp_path: Path) -> None:
    checks = validate_paths([_tidy(tmp_path), _expert(tmp_path)])
    assert [c.ok for c in checks] == [True, True], [c.message for c in checks]
    assert [c.kind for c in checks] == ["tidy", "expert"]
    assert exit_code(checks) == 0


# --- data: one test per category, tidy tables and expert figures --------------------------------


def test_missing_column(tmp_path: Path) -> None:
    tidy = tmp_path / "table.csv"
    pd.read_csv(_tidy(tmp_path), dtype=str, keep_default_na=False).drop(columns="flag").to_csv(tidy, index=False)
    _says(_fails(tidy, kind="tidy"), "CSV line 1", "missing ['flag']", "Expected exactly: source_id")
    _says(_fails(_expert(tmp_path, drop="publisher")), "CSV line 1", "['publisher'] missing", "required:")


def test_extra_column(tmp_path: Path) -> None:
    tidy = tmp_path / "table.csv"
    pd.read_csv(_tidy(tmp_path), dtype=str, keep_default_na=False).assign(comment="x").to_csv(tidy, index=False)
    _says(_fails(tidy), "CSV line 1", "unexpected ['comment']")
    _says(_fails(_expert(tmp_path, add="comment")), "CSV line 1", "unknown column(s) ['comment']", "allowed columns")


def test_columns_out_of_order(tmp_path: Path) -> None:
    tidy = tmp_path / "table.csv"
    frame = pd.read_csv(_tidy(tmp_path), dtype=str, keep_default_na=False)
    frame[["place_name", "place_id", *TIDY_COLUMNS[3:]]].assign(source_id=frame["source_id"]).to_csv(tidy, index=False)
    _says(_fails(tidy, kind="tidy"), "CSV line 1", "column 1 is 'place_name', expected 'source_id'")


def test_wrong_type(tmp_path: Path) -> None:
    _says(_fails(_tidy(tmp_path, {"value": "many"})), "CSV line 4, column 'value'", "found 'many'", "expected a number")
    _says(_fails(_expert(tmp_path, {"value": "1,500,000"})), "CSV line 4, column 'value'", "'1,500,000'", "plain number")


def test_negative_count(tmp_path: Path) -> None:
    _says(_fails(_tidy(tmp_path, {"value": -5})), "CSV line 4, column 'value'", "negative count -5", "expected a count >= 0")
    _says(_fails(_expert(tmp_path, {"value": "-5"})), "CSV line 4, column 'value'", "negative", "0 or more")


def test_share_outside_0_to_100(tmp_path: Path) -> None:
    share = {"indicator_id": "population_share", "unit": "percent", "value": 134.2}
    _says(_fails(_tidy(tmp_path, share)), "CSV line 4, column 'value'", "134.2", "outside 0-100", "from 0 to 100")
    share = {"indicator_id": "population_share", "unit": "percent", "value": "-0.5"}
    _says(_fails(_expert(tmp_path, share)), "CSV line 4, column 'value'", "outside 0-100")


def test_part_larger_than_total(tmp_path: Path) -> None:
    check = _fails(_tidy(tmp_path, {"value": 1500.0}))
    _says(check, "CSV line 4, column 'value'", "1500 for sex 'male' is larger than the total 1000 on CSV line 2")
    origin = {"sex": "total", "origin_type": "citizenship", "origin": "MAR", "value": 1200.0}
    _says(_fails(_tidy(tmp_path, origin)), "CSV line 4, column 'value'", "origin 'MAR'", "larger than the total")
    check = _fails(_expert(tmp_path, {"value": "3000000"}))
    _says(check, "CSV line 4, column 'value'", "3000000 for sex 'male' is larger than the total 2900000 on CSV line 2")


def test_part_within_rounding_of_total_passes(tmp_path: Path) -> None:
    [check] = validate_paths([_tidy(tmp_path, {"value": 1001.0})])
    assert check.ok, check.message


def test_duplicate_keys(tmp_path: Path) -> None:
    check = _fails(_tidy(tmp_path, {"sex": "female", "value": 10.0}))
    _says(check, "CSV lines [3, 4]", "duplicate observation key", "expected one row per")
    check = _fails(_expert(tmp_path, {"sex": "female"}))
    _says(check, "CSV lines [3, 4]", "more than once")


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("source_id", "eurostat_nothing", "data/registry/sources"),
        ("indicator_id", "migrants", "data/registry/indicators.yaml"),
        ("definition_id", "newcomers", "data/registry/definitions.yaml"),
        ("city_id", "atlantis", "data/registry/cities.yaml"),
        ("country_iso3", "XYZ", "ISO 3166-1 alpha-3"),
    ],
)
def test_unknown_ids_in_tidy_table(tmp_path: Path, column: str, value: str, expected: str) -> None:
    check = _fails(_tidy(tmp_path, {column: value}))
    _says(check, f"CSV line 4, column '{column}'", repr(value), expected)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("indicator_id", "migrants", "expected one of"),
        ("definition_id", "newcomers", "definitions.yaml"),
        ("country_iso3", "ESP", "not the country of amman; expected 'JOR'"),
        ("place_id", "JO", "expected 'JOR' on a country row"),
        ("geography_level", "town", "expected one of"),
    ],
)
def test_unknown_ids_in_expert_figures(tmp_path: Path, column: str, value: str, expected: str) -> None:
    _says(_fails(_expert(tmp_path, {column: value})), f"CSV line 4, column '{column}'", repr(value), expected)


def test_tidy_rows_of_a_city_lie_in_its_country(tmp_path: Path) -> None:
    check = _fails(_tidy(tmp_path, {"country_iso3": "ITA"}))
    _says(check, "CSV line 4, column 'country_iso3'", "found 'ITA' for city 'madrid'", "expected 'ESP'")


def test_table_named_after_a_source_holds_only_that_source(tmp_path: Path) -> None:
    check = _fails(_tidy(tmp_path, name="istat_acqcitiz.csv"))
    _says(check, "CSV line 2, column 'source_id'", "found 'eurostat_urb_cpopcb'", "expected 'istat_acqcitiz'")


@pytest.mark.parametrize(
    ("tidy_date", "tidy_says", "expert_date", "expert_says"),
    [
        ("2021-02-30", "not a date of the calendar", "2021-02-30", "not a date"),
        ("21/01/2021", "expected a date YYYY-MM-DD", "21/01/2021", "expected YYYY-MM-DD"),
        ("1700-01-01", "expected a date from 1900", "1700", "expected a date from 1900"),
        (f"{latest_year() + 1}-01-01", "out of range", f"{latest_year() + 1}-01", "out of range"),
    ],
)
def test_dates_that_do_not_parse_or_cannot_be(
    tmp_path: Path, tidy_date: str, tidy_says: str, expert_date: str, expert_says: str
) -> None:
    _says(_fails(_tidy(tmp_path, {"ref_date": tidy_date})), "CSV line 4, column 'ref_date'", repr(tidy_date), tidy_says)
    check = _fails(_expert(tmp_path, {"ref_date": expert_date}))
    _says(check, "CSV line 4, column 'ref_date'", repr(expert_date), expert_says)


def test_periods_out_of_order_or_range(tmp_path: Path) -> None:
    _says(_fails(_tidy(tmp_path, {"period": "2020-2015"})), "CSV line 4, column 'period'", "out of range")
    _says(_fails(_tidy(tmp_path, {"period": "2021-13"})), "CSV line 4, column 'period'", "found '2021-13'")
    _says(_fails(_expert(tmp_path, {"period": "1850"})), "CSV line 4, column 'period'", "out of range")


def test_file_not_utf8(tmp_path: Path) -> None:
    for path in (_tidy(tmp_path, {"place_name": "Málaga"}), _expert(tmp_path, {"place_name": "Jordanie é"})):
        path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
        _says(_fails(path), "CSV line 4", "not UTF-8 text (byte 0xE1" if path.name == "table.csv" else "byte 0xE9",
              "CSV UTF-8")
    path = tmp_path / "amman.csv"
    path.write_text("place_id,place_name\n", encoding="utf-16")
    _says(_fails(path), "UTF-16", "UTF-8")


def test_empty_file(tmp_path: Path) -> None:
    for name in ("table.csv", "amman.csv"):
        path = tmp_path / name
        path.write_bytes(b"")
        _says(_fails(path), "file is empty (0 bytes)")
    _says(_fails(_tidy(tmp_path).with_name("x")), "file not found")
    header_only = tmp_path / "lyon.csv"  # an expert file with its header alone: no figure entered yet
    header_only.write_text(",".join(EXPERT_ROW) + "\n", encoding="utf-8")
    [check] = validate_paths([header_only])
    assert check.ok and check.message == "0 figures"
    tidy = tmp_path / "tidy_header.csv"
    tidy.write_text(",".join(TIDY_COLUMNS) + "\n\n", encoding="utf-8")
    _says(_fails(tidy), "only a header line")


def test_spreadsheet_given_where_csv_is_expected(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read me"
    book.active.append(["Figures entered for Amman"])
    book.create_sheet("Figures").append(list(EXPERT_ROW))
    for name in ("amman.xlsx", "amman.csv"):  # a workbook saved under a .csv name too
        book.save(tmp_path / name)
        check = _fails(tmp_path / name)
        _says(check, "spreadsheet (sheets found: 'Read me', 'Figures')", "export sheet 'Figures' as 'CSV UTF-8")
        assert check.kind == "expert" and check.exit_code == 3


def test_other_delimiter(tmp_path: Path) -> None:
    path = _expert(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    _says(_fails(path), "CSV line 1", "separated by semicolons; expected commas")
    path = _tidy(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    _says(_fails(path), "CSV line 1", "separated by tabs")


def test_ragged_row(tmp_path: Path) -> None:
    path = _expert(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "JOR,Jordan,country\n", encoding="utf-8")
    _says(_fails(path), "CSV line 5", f"3 fields, expected {len(EXPERT_ROW)} as in the header")


def test_multiline_cell_keeps_line_numbers_true(tmp_path: Path) -> None:
    path = _expert(tmp_path, {"value": "x"})
    text = path.read_text(encoding="utf-8").replace("Jordan,country", '"Jordan\nKingdom",country', 1)
    path.write_text(text, encoding="utf-8")
    _says(_fails(path), "CSV line 5, column 'value'")


# --- parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("madrid.yaml", "city_id: madrid\ncolour: red\n", ["key 'colour': unknown key", "allowed keys: city_id, top_n"]),
        ("madrid.yaml", "city_id: madrid\ntop_n_origins: '10'\n", ["key 'top_n_origins'", "found '10'", "valid integer"]),
        ("madrid.yaml", "city_id: madrid\ntop_n_origins: 1000\n", ["key 'top_n_origins'", "less than or equal to 30"]),
        ("p.yaml", "city_id: atlantis\n", ["key 'city_id'", "found 'atlantis'", "allowed values: amman"]),
        ("madrid.yaml", "city_id: madrid\nlanguage: de\n", ["key 'language'", "found 'de'", "'en', 'fr' or 'ar'"]),
        ("madrid.yaml", "city_id: lisbon\n", ["key 'city_id'", "the file is for 'madrid'"]),
        ("madrid.yaml", "city_id: madrid\noutput_dir: /etc\n", ["key 'output_dir'", "absolute path is not allowed"]),
        ("madrid.yaml", "city_id: madrid\noutput_dir: ../../x\n", ["key 'output_dir'", "no '..'"]),
        ("compare.yaml", "city_ids: [madrid, madrid]\n", ["key 'city_ids'", "listed twice"]),
        ("compare.yaml", "city_ids: [madrid]\ncities_dir: /tmp\n", ["key 'cities_dir': unknown key", "allowed keys: city_ids"]),
        ("compare.yaml", "city_ids: madrid\n", ["key 'city_ids'", "valid list"]),
        ("compare.yaml", "", ["file is empty", "expected a mapping"]),
        ("madrid.yaml", "- city_id\n- madrid\n", ["line 1", "expected a mapping", "found a list"]),
        ("madrid.yaml", "city_id: madrid\n  top_n_origins: [5\n", ["line 2, column", "not valid YAML"]),
    ],
)
def test_bad_params_file(tmp_path: Path, name: str, text: str, fragments: list[str]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    check = _fails(path)
    _says(check, *fragments)
    assert check.exit_code == 2


def test_params_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "madrid.yaml"
    path.write_bytes("city_id: madrid\n# café\n".encode("latin-1"))
    _says(_fails(path), "line 2", "not UTF-8")


# --- chapters, registries, kinds ------------------------------------------------------------------


def test_bad_chapter_files(tmp_path: Path) -> None:
    wrong_name = tmp_path / "en" / "intro.md"
    wrong_name.parent.mkdir()
    wrong_name.write_text("text", encoding="utf-8")
    _says(_fails(wrong_name), "not a chapter file name", "priorities.md")
    bad_language = tmp_path / "de" / "priorities.md"
    bad_language.parent.mkdir()
    bad_language.write_text("text", encoding="utf-8")
    _says(_fails(bad_language), "folder 'de' is not a language", "en, fr, ar")
    latin = tmp_path / "fr" / "priorities.md"
    latin.parent.mkdir()
    latin.write_bytes("Priorités".encode("latin-1"))
    check = _fails(latin)
    _says(check, "not UTF-8")
    assert check.exit_code == 2


def test_chapter_with_html_passes_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "en" / "priorities.md"
    path.parent.mkdir()
    path.write_text("# Priorities\n\nHousing first. <script>alert(1)</script>\n", encoding="utf-8")
    [check] = validate_paths([path])
    assert check.ok and check.warning and "written (3 words)" in check.message
    assert "line 3: raw HTML '<script>' is dropped from the annexes" in check.message


def test_chapter_with_a_web_image_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "tunis" / "fr" / "priorities.md"
    path.parent.mkdir(parents=True)
    path.write_text("Texte.\n\n![carte](https://example.org/carte.png)\n", encoding="utf-8")
    check = _fails(path)
    _says(check, "line 3: image 'https://example.org/carte.png' is a web address", "data/local/chapters/tunis/images/")
    assert check.exit_code == 2


def test_bad_registry_files(tmp_path: Path) -> None:
    cities = tmp_path / "cities.yaml"
    cities.write_text((paths.registry_dir() / "cities.yaml").read_text(encoding="utf-8").replace(
        "shore: north", "shore: north\n    colour: red", 1), encoding="utf-8")
    _says(_fails(cities), "key 'cities[", ".colour': unknown key", "allowed keys: city_id, names")
    source = tmp_path / "sources" / "renamed.yaml"
    source.parent.mkdir()
    source.write_text((paths.registry_dir() / "sources" / "istat_acqcitiz.yaml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    _says(_fails(source), "key 'source_id'", "differs from the file name 'renamed'")
    origins = tmp_path / "origins" / "x.yaml"
    origins.parent.mkdir()
    origins.write_text("origins:\n  XX_GROUP: {en: Group}\n", encoding="utf-8")
    _says(_fails(origins), "key 'origins.XX_GROUP'", "missing name(s) in fr")
    indicators = tmp_path / "indicators.yaml"
    indicators.write_text("indicators:\n  migrants: {label: M, unit: persons}\n", encoding="utf-8")
    check = _fails(indicators)
    _says(check, "key 'indicators.migrants.description': missing required key")
    assert check.exit_code == 2


def test_unrecognisable_file_lists_the_kinds(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("{}", encoding="utf-8")
    check = _fails(path)
    _says(check, "cannot tell what kind of file this is", "--kind", *(f"{kind}:" for kind in KINDS))
    assert check.exit_code == 2
    folder = tmp_path / "folder"
    folder.mkdir()
    _says(_fails(folder), "is a folder")


def test_kind_and_city_options_override_the_name(tmp_path: Path) -> None:
    path = _expert(tmp_path, name="figures_from_amman.csv")
    _says(_fails(path), "'figures_from_amman' is not one of", "--city")
    [check] = validate_paths([path], kind="expert", city="amman")
    assert check.ok, check.message
    _says(_fails(path, kind="expert", city="tunis"), "not the country of tunis")
    _says(_fails(path, kind="tidy"), "columns differ from the tidy schema")
    with pytest.raises(ConfigError, match="unknown kind 'table'; allowed: params"):
        validate_paths([path], kind="table")
    with pytest.raises(ConfigError, match="unknown city 'atlantis'"):
        validate_paths([path], city="atlantis")


def test_exit_code_is_3_for_data_else_2(tmp_path: Path) -> None:
    params = tmp_path / "madrid.yaml"
    params.write_text("city_id: madrid\ncolour: red\n", encoding="utf-8")
    assert exit_code(validate_paths([params])) == 2
    assert exit_code(validate_paths([params, _tidy(tmp_path, {"value": -1})])) == 3
    assert exit_code(validate_paths([_tidy(tmp_path)])) == 0


def test_checking_writes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = [
        _tidy(corpus, {"value": -1}), _expert(corpus, {"value": "x"}), _tidy(corpus, name="ok.csv"),
        corpus / "broken.yaml", corpus / "empty.csv",
    ]
    files[3].write_text("city_id: [\n", encoding="utf-8")
    files[4].write_bytes(b"")

    def snapshot(*folders: Path) -> dict:
        return {p: (p.lstat().st_mtime_ns, p.lstat().st_size) for f in folders for p in sorted(f.rglob("*"))}

    project = [paths.outputs_dir(), paths.data_dir(), paths.params_dir()]
    before = snapshot(corpus, *project)
    checks = validate_paths(files)
    assert [c.ok for c in checks] == [False, False, True, False, False]
    assert snapshot(corpus, *project) == before
    assert not any(name.endswith(".tmp") for name in os.listdir(corpus))


def test_broken_gzip_table(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "table.csv.gz"
    path.write_bytes(gzip.compress(_tidy(tmp_path).read_bytes())[:40])
    _says(_fails(path, kind="tidy"), "not a readable gzip file")


def test_project_checks_report_each_failure_with_its_exit_code(project_copy: Path, monkeypatch) -> None:
    from workbench.validate import validate_all

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    (project_copy / "params" / "lyon.yaml").write_text("city_id: lyon\nlanguage: it\n", encoding="utf-8")
    figures = project_copy / "data" / "local" / "figures" / "tunis.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(",TUN,", ",TUR,", 1), encoding="utf-8")
    failed = [c for c in validate_all() if not c.ok]
    assert [c.what for c in failed] == ["expert figures tunis.csv", "expert figures (all cities)", "params/lyon.yaml"]
    _says(failed[0], "CSV line 2, column 'country_iso3'", "'TUR' is not the country of tunis")
    _says(failed[2], "lyon.yaml: key 'language': found 'it'")
    assert exit_code(failed) == 3 and exit_code(failed[2:]) == 2

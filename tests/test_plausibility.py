"""`workbench ingest` refuses a new table that is implausible beside the committed one and the other tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from test_sources_eurostat import _line as eurostat_line
from test_sources_eurostat import HEADER as EUROSTAT_HEADER
from test_sources_istat import BIL_HEADER, bil_row
from workbench.errors import DataError
from workbench.reference.plausibility import PlausibilityException, SourcePlausibility
from workbench.reference.registry import load_sources
from workbench.tidy.ingest import ingest, read_tidy
from workbench.tidy.plausibility import Table, check_tables

#: One observation of a fixture: place code, place name, year, value.
Row = tuple[str, str, str, float]


@dataclass(frozen=True)
class Case:
    """A source, the rows of a small official file, and how the file is written from them."""

    source_id: str
    rows: list[Row]
    render: Callable[[list[Row]], str]
    dropped: str  #: the place code whose rows a corruption drops
    year: str  #: the year a corruption relabels (to a year the file does not have)

    def write(self, raw: Path, rows: list[Row] | None = None) -> None:
        path = raw / load_sources()[self.source_id].files[0].path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.render(self.rows if rows is None else rows), encoding="utf-8")


def _eurostat(dataset: str, indic: str, label: str) -> Callable[[list[Row]], str]:
    def render(rows: list[Row]) -> str:
        lines = [eurostat_line(dataset, indic, label, code, name, year, f"{value:.0f}") for code, name, year, value in rows]
        return "\n".join([EUROSTAT_HEADER, *lines]) + "\n"
    return render


def _istat_balance(rows: list[Row]) -> str:
    return "\n".join([BIL_HEADER, *(bil_row(code, "FJAN", "9", year, f"{value:.0f}") for code, _, year, value in rows)]) + "\n"


CPOP1 = Case(
    "eurostat_urb_cpop1",
    [("ES001C", "Madrid (greater city)", "2015", 4852911), ("ES001C", "Madrid (greater city)", "2016", 4878277),
     ("IT004C", "Torino", "2016", 886837), ("IT004C", "Torino", "2017", 882523), ("ES", "Spain", "2016", 46440099)],
    _eurostat("urb_cpop1", "DE1001V", "Population on the 1st of January, total"), "IT004C", "2017",
)
CPOPCB = Case(
    "eurostat_urb_cpopcb",
    [("ES001C", "Madrid (greater city)", "2015", 1004000), ("ES001C", "Madrid (greater city)", "2016", 1030000),
     ("IT004C", "Torino", "2016", 130000), ("IT004C", "Torino", "2017", 131000)],
    _eurostat("urb_cpopcb", "DE2009V", "Foreign-born"), "IT004C", "2016",
)
BALANCE = Case(
    "istat_popstrbil1",
    [("IT", "Italia", "2022", 5030716), ("IT", "Italia", "2023", 5050257),
     ("ITC11", "Torino", "2022", 211000), ("ITC11", "Torino", "2023", 214860)],
    _istat_balance, "ITC11", "2023",
)
CASES = [CPOP1, CPOPCB, BALANCE]


def _times_1000(rows: list[Row], case: Case) -> list[Row]:
    return [(code, name, year, value * 1000) for code, name, year, value in rows]


def _drop_a_place(rows: list[Row], case: Case) -> list[Row]:
    return [r for r in rows if r[0] != case.dropped]


def _relabel_a_year(rows: list[Row], case: Case) -> list[Row]:
    return [(code, name, "2024" if year == case.year else year, value) for code, name, year, value in rows]


def _committed(case: Case, tmp_path: Path) -> tuple[Path, Path]:
    raw, out = tmp_path / "raw", tmp_path / "tidy"
    case.write(raw)
    ingest(raw, out, [case.source_id])
    return raw, out


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.source_id for c in CASES])
@pytest.mark.parametrize(("corrupt", "expected"), [
    (_times_1000, r"is ×1,000 the committed"),
    (_drop_a_place, r"is missing: the committed table .* has \d+ row\(s\) for it"),
    (_relabel_a_year, r"is missing: the committed table"),
], ids=["x1000", "dropped-place", "relabelled-year"])
def test_corrupted_official_file_is_refused_and_committed_table_untouched(case: Case, corrupt, expected, tmp_path: Path):
    raw, out = _committed(case, tmp_path)
    before = _snapshot(out)
    case.write(raw, corrupt(case.rows, case))
    with pytest.raises(DataError, match=expected) as caught:
        ingest(raw, out, [case.source_id])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{case.source_id}: {Path(load_sources()[case.source_id].files[0].path).name}: ")
    assert "--accept-changes" in message
    assert _snapshot(out) == before  # byte-identical, nothing staged left behind
    assert not [p for p in out.iterdir() if p.name.startswith(".ingest-")]


def test_message_names_place_year_and_both_values(tmp_path: Path):
    raw, out = _committed(CPOP1, tmp_path)
    CPOP1.write(raw, _times_1000(CPOP1.rows, CPOP1))
    with pytest.raises(DataError) as caught:
        ingest(raw, out, [CPOP1.source_id])
    assert ": Spain 2016 total resident population 46,440,099,000 is ×1,000 the committed 46,440,099 (" \
           in str(caught.value)


def test_part_larger_than_its_whole_in_another_table_is_refused(tmp_path: Path):
    raw, out = _committed(CPOP1, tmp_path)
    before = _snapshot(out)
    rows = [r if r[:3] != ("ES001C", "Madrid (greater city)", "2016") else (*r[:3], 6_000_000.0) for r in CPOPCB.rows]
    CPOPCB.write(raw, rows)
    with pytest.raises(DataError, match=r"Madrid \(greater city\) 2016 foreign-born 6,000,000 \(eurostat_urb_cpopcb\) "
                                         r"is more than its whole, total resident population 4,878,277 "
                                         r"\(eurostat_urb_cpop1, .*eurostat_urb_cpop1\.csv\)"):
        ingest(raw, out, [CPOPCB.source_id])
    assert _snapshot(out) == before
    # and the other way round: a new whole smaller than a committed part
    CPOPCB.write(raw)
    ingest(raw, out, [CPOPCB.source_id])
    CPOP1.write(raw, [r if r[0] != "IT004C" else (*r[:3], 1000.0) for r in CPOP1.rows])
    with pytest.raises(DataError, match=r"eurostat_urb_cpop1: .*Torino 2016 foreign-born 130,000 .*is more than"):
        ingest(raw, out, [CPOP1.source_id])


def test_accept_changes_publishes_and_records_them(tmp_path: Path):
    raw, out = _committed(CPOP1, tmp_path)
    CPOP1.write(raw, _drop_a_place(CPOP1.rows, CPOP1))
    [result] = ingest(raw, out, [CPOP1.source_id], accept_changes=True)
    assert result.accepted == 2
    assert "IT004C" not in set(read_tidy(result.table)["place_id"])
    meta = yaml.safe_load((out / "eurostat_urb_cpop1.meta.yaml").read_text(encoding="utf-8"))
    assert len(meta["accepted_changes"]) == 2 and "Torino (IT004C) 2016 is missing" in meta["accepted_changes"][0]
    # the next build without changes records none
    ingest(raw, out, [CPOP1.source_id])
    assert "accepted_changes" not in yaml.safe_load((out / "eurostat_urb_cpop1.meta.yaml").read_text(encoding="utf-8"))


def test_year_on_year_move_and_declared_exception(tmp_path: Path):
    raw = tmp_path / "raw"
    rows = [*CPOP1.rows[:4], ("IT004C", "Torino", "2018", 88_252.0)]
    CPOP1.write(raw, rows)
    with pytest.raises(DataError, match=r"Torino 2018 total resident population 88,252 is ÷10 the 2017 value 882,523"):
        ingest(raw, tmp_path / "tidy", [CPOP1.source_id])
    frame = read_tidy(_built(CPOP1, rows, tmp_path))
    excused = SourcePlausibility(exceptions=[PlausibilityException(
        check="year_on_year", place_id="IT*", period="2018", reason="as published, a test")])
    assert check_tables([Table(CPOP1.source_id, frame, "f.csv", True, excused)], {}) == []
    assert [f.check for f in check_tables([Table(CPOP1.source_id, frame, "f.csv", True)], {})] == ["year_on_year"]


def _built(case: Case, rows: list[Row], tmp_path: Path) -> Path:
    """Build a table without the checks' verdict: with --accept-changes into a fresh folder."""
    raw = tmp_path / "raw2"
    case.write(raw, rows)
    [result] = ingest(raw, tmp_path / "accepted", [case.source_id], accept_changes=True)
    return result.table


def test_cli_refuses_with_one_line_and_the_data_exit_code(tmp_path: Path):
    raw, out = _committed(CPOP1, tmp_path)
    before = _snapshot(out)
    CPOP1.write(raw, _times_1000(CPOP1.rows, CPOP1))
    done = run_cli("ingest", "--raw", str(raw), "--only", CPOP1.source_id, "--out", str(out))
    assert done.returncode == 3, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Spain 2016" in lines[0] and "46,440,099" in lines[0]
    assert _snapshot(out) == before
    done = run_cli("ingest", "--raw", str(raw), "--only", CPOP1.source_id, "--out", str(out), "--accept-changes")
    assert done.returncode == 0, done.stderr
    assert "implausible change(s) accepted" in done.stdout


def test_run_manifest_lists_the_changes_accepted_at_ingestion(tmp_path: Path):
    from workbench.provenance import Manifest, accepted_changes

    (tmp_path / "a.meta.yaml").write_text("source_id: a\naccepted_changes:\n- 'f.csv: Torino (IT004C) 2016 is missing'\n",
                                          encoding="utf-8")
    (tmp_path / "b.meta.yaml").write_text("source_id: b\nrows: 3\n", encoding="utf-8")
    found = accepted_changes(tmp_path)
    assert found == {"a": ["f.csv: Torino (IT004C) 2016 is missing"]}
    Manifest(run_id="r1", accepted_changes=found).write(tmp_path)
    assert Manifest.read(tmp_path).accepted_changes == found


def test_plausibility_registry_is_checked_with_its_ids(tmp_path: Path):
    from workbench.errors import ConfigError
    from workbench.tidy.filecheck import check_file
    from workbench.tidy.plausibility import check_rules

    assert "parts of" in check_rules()
    bad = tmp_path / "plausibility.yaml"
    bad.write_text("max_factor: 3\nmin_count: 1000\nparts:\n- {indicator: population, whole: total_population, "
                   "parts: [foreign_bron]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"plausibility\.yaml: key 'parts\[0\]\.parts': unknown definition\(s\) \['foreign_bron'\]"):
        check_file(bad, "registry")
    bad.write_text("max_factor: 0.5\nmin_count: 1000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'max_factor'"):
        check_rules(bad)


def test_workbench_run_lists_the_accepted_changes_of_its_manifest(tmp_path: Path):
    from workbench.cli.cmd_run import accepted_lines
    from workbench.provenance import Manifest

    assert accepted_lines(tmp_path) == []  # no manifest: nothing to list
    Manifest(run_id="r1", accepted_changes={"eurostat_urb_cpop1": ["f.csv: Torino (IT004C) 2016 is missing", "x"]}).write(tmp_path)
    assert accepted_lines(tmp_path) == [
        "Accepted at ingestion (eurostat_urb_cpop1, 2 change(s), listed in manifest.json): f.csv: Torino (IT004C) 2016 is missing"]

"""The committed tidy data is exactly what ingestion builds from the official files."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, raw_dir
from workbench import paths
from workbench.reference.boundary_sets import load_boundary_sets
from workbench.tidy.catalog import list_tables
from workbench.tidy.ingest import ingest

pytestmark = pytest.mark.raw


def test_rebuild_from_official_files_is_identical(tmp_path: Path):
    raw = raw_dir()
    if raw is None:
        pytest.skip(
            "official source files not found (set WORKBENCH_RAW or place them in ../shared/data/raw): "
            "the rebuild check needs them; the committed tidy tables are still checked by test_data.py"
        )
    results = ingest(raw, tmp_path)
    committed = list_tables()
    tables = [r for r in results if r.kind == "tidy"]
    assert {r.source_id for r in tables} == set(committed)
    drawn = [r for r in results if r.kind == "boundaries"]
    assert {r.source_id for r in drawn} == set(load_boundary_sets())
    for result in drawn:
        expected = paths.boundaries_dir() / result.table.name
        assert result.table.read_bytes() == expected.read_bytes(), f"{result.source_id}: rebuild differs from {expected}"
        meta = expected.with_suffix(".meta.yaml")
        assert result.table.with_suffix(".meta.yaml").read_bytes() == meta.read_bytes()
        assert not result.checksum_changed, f"{result.source_id}: raw file differs from its registry checksum"
    for result in tables:
        expected = committed[result.source_id]
        assert result.table.name == expected.name, f"{result.source_id}: stored as {expected.name}"
        assert result.table.read_bytes() == expected.read_bytes(), f"{result.source_id}: rebuild differs from {expected}"
        meta = expected.parent / f"{result.source_id}.meta.yaml"
        assert (tmp_path / meta.name).read_bytes() == meta.read_bytes()
        assert not result.checksum_changed, f"{result.source_id}: raw file differs from its registry checksum"


def test_ingest_unknown_source_is_an_error(tmp_path: Path):
    from workbench.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown source id"):
        ingest(ROOT, tmp_path, ["nope"])

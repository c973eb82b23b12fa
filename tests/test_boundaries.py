"""Tests for boundary sets: reading official files, reprojection, simplification, the join code, loading."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from workbench.errors import ConfigError, DataError, SourceFormatError
from workbench.reference.boundary_sets import BoundarySet, Join, read_boundary_set
from workbench.tidy import boundaries

# UTM zone 31N (EPSG:25831): on the central meridian (3° E), northing 4,649,776.22 m is 42° N (GRS 80).
MERIDIAN_42N = (500_000.0, 4_649_776.22)


def _entry(**changes) -> BoundarySet:
    base = {
        "boundary_id": "test_districts",
        "publisher": "Test",
        "title": "Test districts",
        "table_id": "t",
        "short": {"publisher": "Test"},
        "url": "https://example.org",
        "licence": "CC BY 4.0",
        "licence_verified": False,
        "access_date": "2025-01-01",
        "reference_dates": "2025",
        "geography": "test",
        "files": [{"path": "districts.csv", "sha256": "0" * 64}],
        "crs": "EPSG:25831",
        "geometry_column": "geometria_etrs89",
        "simplify_tolerance": 0,
        "decimals": 5,
        "name_property": "nom_districte",
        "keep": ["codi_districte"],
        "geography_level": "district",
        "join": {"property": "codi_districte", "place_id": "ES-08019-D{code}", "sources": []},
    }
    return BoundarySet.model_validate({**base, **changes})


def _square(x: float, y: float, half: float) -> str:
    return f"POLYGON (({x - half} {y - half}, {x + half} {y - half}, {x + half} {y + half}, {x - half} {y + half}, {x - half} {y - half}))"


def _districts_csv(tmp_path: Path, header: str = '"codi_districte","nom_districte","geometria_etrs89"') -> Path:
    x, y = MERIDIAN_42N
    lines = [
        header,
        f'"02","East","{_square(x + 1000, y, 500)}"',
        f'"01","Centre","{_square(x, y, 500)}"',
    ]
    path = tmp_path / "districts.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _build(tmp_path: Path, entry: BoundarySet | None = None) -> dict:
    entry = entry or _entry()
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    built = boundaries.build_boundary_set(entry, tmp_path, out)
    return json.loads(built.path.read_text(encoding="utf-8"))


def test_wkt_csv_is_reprojected_a_known_point_lands_where_expected(tmp_path):
    _districts_csv(tmp_path)
    collection = _build(tmp_path)
    centre = shapely.geometry.shape(collection["features"][0]["geometry"]).centroid
    assert centre.x == pytest.approx(3.0, abs=1e-5)
    assert centre.y == pytest.approx(42.0, abs=1e-5)


def test_features_sorted_by_join_code_with_properties(tmp_path):
    _districts_csv(tmp_path)
    features = _build(tmp_path)["features"]
    assert [f["properties"] for f in features] == [
        {"place_id": "ES-08019-D01", "name": "Centre", "codi_districte": "01"},
        {"place_id": "ES-08019-D02", "name": "East", "codi_districte": "02"},
    ]


def test_coordinates_are_rounded_and_rings_counter_clockwise(tmp_path):
    _districts_csv(tmp_path)
    geometry = _build(tmp_path)["features"][0]["geometry"]
    ring = np.array(geometry["coordinates"][0])
    assert np.allclose(ring, np.round(ring, 5))
    assert shapely.Polygon(ring).exterior.is_ccw


def test_rebuild_is_byte_identical(tmp_path):
    _districts_csv(tmp_path)
    entry = _entry()
    first = boundaries.build_boundary_set(entry, tmp_path, tmp_path).path.read_bytes()
    (tmp_path / "again").mkdir()
    second = boundaries.build_boundary_set(entry, tmp_path, tmp_path / "again").path.read_bytes()
    assert first == second
    meta = (tmp_path / "test_districts.meta.yaml").read_text(encoding="utf-8")
    assert "EPSG:25831" in meta and "ETRS89 to WGS 84" in meta


def test_a_renamed_column_is_refused_naming_file_and_column(tmp_path):
    _districts_csv(tmp_path, header='"codi_dte","nom_districte","geometria_etrs89"')
    with pytest.raises(SourceFormatError, match=r"districts\.csv, column 'codi_districte'"):
        _build(tmp_path)


def test_a_missing_official_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        _build(tmp_path)


def _shapefile(tmp_path: Path) -> Path:
    """A tiny Natural Earth-like shapefile: France with ISO_A3 -99, Palestine with Natural Earth's own PSX."""
    path = tmp_path / "countries.shp"
    geometry = np.array(shapely.to_wkb([shapely.box(2.0, 43.0, 6.0, 49.0), shapely.box(34.9, 31.4, 35.5, 32.5)]), dtype=object)
    fields = [np.array(["FRA", "PSX"], dtype=object), np.array(["-99", "PSE"], dtype=object), np.array(["France", "Palestine"], dtype=object)]
    pyogrio.raw.write(path, geometry, fields, ["ADM0_A3", "ISO_A3", "NAME"], geometry_type="Polygon", crs="EPSG:4326", driver="ESRI Shapefile")
    return path


def _countries_entry() -> BoundarySet:
    return _entry(
        boundary_id="test_countries",
        files=[{"path": "countries.shp", "sha256": "0" * 64}],
        crs="EPSG:4326",
        geometry_column=None,
        simplify_tolerance=0.1,
        decimals=2,
        name_property="NAME",
        keep=["ADM0_A3", "ISO_A3"],
        geography_level="country",
        join={"property": "ADM0_A3", "recode": {"PSX": "PSE"}, "place_id": "{code}", "column": "country_iso3"},
    )


def test_shapefile_joins_france_on_adm0_a3_not_iso_a3(tmp_path):
    _shapefile(tmp_path)
    features = {f["properties"]["place_id"]: f["properties"] for f in _build(tmp_path, _countries_entry())["features"]}
    assert features["FRA"]["ISO_A3"] == "-99"
    assert features["PSE"]["ADM0_A3"] == "PSX"  # Natural Earth's own code recoded to ISO 3166
    assert "-99" not in features


def test_a_file_in_another_crs_than_declared_is_refused(tmp_path):
    _shapefile(tmp_path)
    entry = _countries_entry().model_copy(update={"crs": "EPSG:3857"})
    with pytest.raises(SourceFormatError, match="declares CRS EPSG:4326"):
        _build(tmp_path, entry)


def test_repeated_join_code_is_refused(tmp_path):
    _shapefile(tmp_path)
    entry = _countries_entry()
    entry = entry.model_copy(update={"join": Join(property="ADM0_A3", recode={"PSX": "FRA"}, column="country_iso3")})
    with pytest.raises(SourceFormatError, match="more than one"):
        _build(tmp_path, entry)


def test_join_formats_codes_and_says_when_it_cannot():
    assert Join(property="BEZNR", place_id="AT-9{code:02d}00").code_of(10) == "AT-91000"
    with pytest.raises(ConfigError, match="cannot format"):
        Join(property="BEZNR", place_id="AT-9{code:02d}00").code_of("x")


def test_registry_entry_named_by_its_id(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(json.dumps(_entry().model_dump(mode="json")), encoding="utf-8")
    with pytest.raises(ConfigError, match="differs from the file name"):
        read_boundary_set(path)


def test_load_boundaries_keys_geometries_by_join_code(tmp_path, monkeypatch):
    _districts_csv(tmp_path)
    entry = _entry()
    out = tmp_path / "out"
    out.mkdir()
    boundaries.build_boundary_set(entry, tmp_path, out)
    monkeypatch.setattr(boundaries, "get_boundary_set", lambda boundary_id: entry)
    shapes = boundaries.load_boundaries("test_districts", out)
    assert list(shapes) == ["ES-08019-D01", "ES-08019-D02"]
    assert shapes["ES-08019-D01"].geom_type == "Polygon"

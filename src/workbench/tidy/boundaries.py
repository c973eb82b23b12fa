"""Official boundary files -> small lon/lat GeoJSON for print maps, with provenance; loading them by the join code."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
import yaml
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup
from pyproj.exceptions import CRSError

from workbench import paths
from workbench.errors import DataError, SourceFormatError
from workbench.provenance import sha256_file
from workbench.reference.boundary_sets import BoundarySet, get_boundary_set

log = logging.getLogger(__name__)

#: The coordinate reference system of every boundary file written: WGS 84 longitude, latitude (GeoJSON).
OUTPUT_CRS = "EPSG:4326"


@dataclass(frozen=True)
class BuiltBoundaries:
    """What one boundary set produced."""

    boundary_id: str
    features: int
    path: Path
    checksum_changed: bool


def build_boundary_set(entry: BoundarySet, raw_dir: Path, out_dir: Path) -> BuiltBoundaries:
    """Read, simplify, reproject and write one boundary set as ``<boundary_id>.geojson`` and ``.meta.yaml``.

    Parameters
    ----------
    entry
        The registry entry.
    raw_dir
        Folder of the official files (the entry's ``files[].path`` are relative to it).
    out_dir
        Where to write (ingestion passes a staging folder).

    Returns
    -------
    BuiltBoundaries

    Raises
    ------
    DataError
        A missing official file.
    SourceFormatError
        A file GDAL cannot read, a missing attribute, a CRS other than declared, an empty or
        duplicated join code.
    """
    files = [raw_dir / f.path for f in entry.files]
    for path in files:
        paths.inside(path, raw_dir)
        if not path.is_file():
            raise DataError(
                f"{entry.boundary_id}: official file {path} not found in {raw_dir}; expected the files listed in "
                f"data/registry/boundaries/{entry.boundary_id}.yaml: {[f.path for f in entry.files]}"
            )
    sums = {f.path: sha256_file(raw_dir / f.path) for f in entry.files}
    changed = any(sums[f.path] != f.sha256 for f in entry.files)
    if changed:
        log.warning("%s: a raw file differs from the checksum in its registry entry", entry.boundary_id)
    areas, declared = read_boundaries(files[0], entry)
    shapes, how = harmonise_boundaries(areas, entry)
    target = paths.named_file(out_dir, entry.boundary_id, ".geojson", "boundary id")
    paths.write_atomic(target, geojson_text(shapes, entry).encode("utf-8"))
    meta = {
        "boundary_id": entry.boundary_id,
        "features": len(shapes),
        "built_from": [{"path": p, "sha256": s} for p, s in sums.items()],
        "source_crs": entry.crs,
        "source_crs_in_file": declared or "none (declared in the registry entry)",
        "crs": OUTPUT_CRS,
        "reprojection": how,
        "simplification": {
            "method": "GEOS coverage simplification (shapely.coverage_simplify): shared borders stay shared",
            "tolerance": entry.simplify_tolerance,
            "tolerance_unit": f"units of {entry.crs}, before reprojection",
        },
        "decimals": entry.decimals,
        "join": {"column": entry.join.column, "property": entry.join.property, "place_id": entry.join.place_id},
        "properties": ["place_id", "name", *entry.keep],
        "place_ids": shapes["place_id"].tolist(),
    }
    paths.write_atomic(out_dir / f"{entry.boundary_id}.meta.yaml", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    log.info("%s: %d areas", entry.boundary_id, len(shapes))
    return BuiltBoundaries(entry.boundary_id, len(shapes), target, changed)


def read_boundaries(path: Path, entry: BoundarySet) -> tuple[pd.DataFrame, str | None]:
    """Read an official boundary file faithfully: one row per feature, its attributes and geometry.

    GeoJSON, shapefiles and CSV files with a WKT column (``entry.geometry_column``) are read with GDAL
    (pyogrio); CSV cells stay text.

    Returns
    -------
    (pandas.DataFrame, str or None)
        The attributes the entry names (join code, name, kept attributes) as published, a column
        ``geometry`` (shapely), and the CRS the file declares (``EPSG:<code>``, or None).

    Raises
    ------
    SourceFormatError
        The file cannot be read, an attribute the entry names is missing (the message names the
        file and the attribute), a feature has no geometry, or the file declares another CRS.
    """
    options = {"GEOM_POSSIBLE_NAMES": entry.geometry_column, "KEEP_GEOM_COLUMNS": "NO"} if entry.geometry_column else {}
    try:
        meta, _, wkb, values = pyogrio.raw.read(path, **options)
    except Exception as exc:  # GDAL raises its own error types for every kind of bad file
        raise SourceFormatError(f"{path}: not a readable boundary file ({type(exc).__name__}: {exc})") from None
    fields = [str(f) for f in meta["fields"]]
    wanted = list(dict.fromkeys([entry.join.property, entry.name_property, *entry.keep]))
    missing = [c for c in wanted if c not in fields]
    if missing:
        raise SourceFormatError(
            f"{path}, column {missing[0]!r}: expected attribute(s) {missing}, not found; the file has {fields}. "
            "Has the publisher changed the layout?"
        )
    table = pd.DataFrame({name: values[fields.index(name)] for name in wanted})
    table["geometry"] = shapely.from_wkb(wkb) if wkb is not None else None
    empty = table["geometry"].isna() | shapely.is_empty(table["geometry"].to_numpy())
    if empty.any():
        raise SourceFormatError(
            f"{path}, feature {int(empty.to_numpy().argmax()) + 1}: no geometry; expected a polygon per area"
            + (f" in column {entry.geometry_column!r}" if entry.geometry_column else "")
        )
    declared = _declared_crs(meta.get("crs"), path)
    if declared is not None and CRS.from_user_input(declared) != CRS.from_user_input(entry.crs):
        raise SourceFormatError(
            f"{path}: the file declares CRS {declared}, the registry entry {entry.crs}; expected the same "
            f"(update data/registry/boundaries/{entry.boundary_id}.yaml if the publisher changed it)"
        )
    return table, declared


def _declared_crs(crs: str | None, path: Path) -> str | None:
    if not crs:
        return None
    try:
        code = CRS.from_user_input(crs).to_epsg()
    except CRSError as exc:
        raise SourceFormatError(f"{path}: unreadable coordinate reference system {crs!r} ({exc})") from None
    return f"EPSG:{code}" if code else str(crs)


def harmonise_boundaries(areas: pd.DataFrame, entry: BoundarySet) -> tuple[pd.DataFrame, str]:
    """Simplify in the official CRS, reproject to lon/lat, snap to the entry's decimals, add the join code.

    Parameters
    ----------
    areas
        Output of :func:`read_boundaries`.
    entry
        The registry entry.

    Returns
    -------
    (pandas.DataFrame, str)
        One row per area, sorted by ``place_id``: ``place_id`` (the join code), ``name``, the kept
        attributes and ``geometry`` (valid, exterior rings counter-clockwise); and the description
        of the coordinate operation used.

    Raises
    ------
    SourceFormatError
        An empty or repeated join code.
    """
    codes = areas[entry.join.property]
    blank = codes.isna() | (codes.astype(str).str.strip() == "")
    if blank.any():
        raise SourceFormatError(
            f"{entry.boundary_id}: attribute {entry.join.property!r} is empty for feature {int(blank.to_numpy().argmax()) + 1}; "
            "expected a code per area"
        )
    place_ids = [entry.join.code_of(_plain(c)) for c in codes]
    twice = pd.Series(place_ids).duplicated(keep=False)
    if twice.any():
        raise SourceFormatError(
            f"{entry.boundary_id}: join code(s) {sorted(set(pd.Series(place_ids)[twice]))} given to more than one "
            f"feature (attribute {entry.join.property!r}); expected one area per code"
        )
    geometry = shapely.make_valid(areas["geometry"].to_numpy())
    if entry.simplify_tolerance:
        geometry = shapely.coverage_simplify(geometry, entry.simplify_tolerance)
    transformer = _transformer(entry)
    geometry = shapely.transform(geometry, lambda xy: _projected(transformer, xy))
    how = transformer.description
    geometry = shapely.set_precision(geometry, 10.0 ** -entry.decimals)
    geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    out = pd.DataFrame({"place_id": place_ids, "name": areas[entry.name_property].map(_plain)})
    for column in entry.keep:
        out[column] = areas[column].map(_plain)
    out["geometry"] = list(geometry)
    return out.sort_values("place_id", kind="stable").reset_index(drop=True), how


def _transformer(entry: BoundarySet) -> Transformer:
    """PROJ's first-ranked operation to lon/lat, one for every point (so the one named in the metadata)."""
    group = TransformerGroup(entry.crs, OUTPUT_CRS, always_xy=True)
    if not group.transformers:
        raise SourceFormatError(f"{entry.boundary_id}: PROJ has no operation from {entry.crs} to {OUTPUT_CRS} on this machine")
    return group.transformers[0]


def _projected(transformer: Transformer, xy: np.ndarray) -> np.ndarray:
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _plain(value: object) -> object:
    """A numpy scalar as the Python value JSON and format strings expect."""
    return value.item() if hasattr(value, "item") else value


def geojson_text(shapes: pd.DataFrame, entry: BoundarySet) -> str:
    """Write areas as a GeoJSON FeatureCollection, one feature per line, coordinates at fixed decimals.

    The same areas always give the same text (features sorted by join code, keys in a fixed
    order, numbers rounded to ``entry.decimals``), so a rebuild is byte-identical.

    Returns
    -------
    str
    """
    lines = []
    for row in shapes.itertuples(index=False):
        record = row._asdict()
        geometry = shapely.geometry.mapping(record.pop("geometry"))
        feature = {
            "type": "Feature",
            "properties": record,
            "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"], entry.decimals)},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "name": entry.boundary_id}, separators=(",", ":"))[:-1]
    return head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _rounded(coordinates, decimals: int):
    if isinstance(coordinates[0], (int, float)):
        return [_number(c, decimals) for c in coordinates]
    return [_rounded(c, decimals) for c in coordinates]


def _number(value: float, decimals: int) -> float | int:
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 or math.isnan(rounded) else rounded


def load_boundaries(boundary_id: str, folder: Path | None = None) -> dict[str, shapely.Geometry]:
    """Return a boundary set's areas keyed by their join code (the ``place_id`` or ISO3 of their values).

    Parameters
    ----------
    boundary_id
        An id of ``data/registry/boundaries/``.
    folder
        Defaults to ``data/boundaries``.

    Returns
    -------
    dict
        Join code -> shapely geometry (lon/lat, WGS 84), in join-code order. Which tidy column the
        code matches is the entry's ``join.column`` (:func:`workbench.reference.boundary_sets.get_boundary_set`).

    Raises
    ------
    ConfigError
        An undeclared boundary set.
    DataError
        The file is missing or not the GeoJSON ingestion writes.
    """
    return {place_id: geometry for place_id, (_, geometry) in _areas(boundary_id, folder).items()}


def load_area_names(boundary_id: str, folder: Path | None = None) -> dict[str, str]:
    """Return each area's official name (the entry's ``name_property``) keyed by its join code.

    Raises
    ------
    ConfigError, DataError
        As :func:`load_boundaries`.
    """
    return {place_id: name for place_id, (name, _) in _areas(boundary_id, folder).items()}


def _areas(boundary_id: str, folder: Path | None) -> dict[str, tuple[str, shapely.Geometry]]:
    # the areas of one boundary file as ingestion wrote it: join code -> (name, geometry)
    get_boundary_set(boundary_id)
    path = paths.named_file(folder or paths.boundaries_dir(), boundary_id, ".geojson", "boundary id")
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        return {f["properties"]["place_id"]: (str(f["properties"].get("name", f["properties"]["place_id"])),
                                              shapely.geometry.shape(f["geometry"]))
                for f in collection["features"]}
    except FileNotFoundError:
        raise DataError(f"{path}: boundary file not found; run `workbench ingest --raw DIR --only {boundary_id}`") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a boundary file written by `workbench ingest` ({type(exc).__name__}: {exc})") from None

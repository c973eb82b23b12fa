"""Rebuild the committed tidy tables from a folder of official source files."""

from __future__ import annotations

import gzip
import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from workbench import paths
from workbench.errors import ConfigError, DataError
from workbench.provenance import sha256_file
from workbench.registry import Source, check_references, load_cities, load_sources
from workbench.schemas import validate_tidy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What one source produced."""

    source_id: str
    rows: int
    table: Path
    checksum_changed: bool


def ingest(
    raw_dir: Path,
    out_dir: Path | None = None,
    only: Iterable[str] | None = None,
) -> list[IngestResult]:
    """Build every registered source (or ``only`` some) from ``raw_dir`` into ``out_dir``.

    Each table is validated (schema and registry references) before it replaces the previous
    one, and is written atomically, so a failing source leaves the committed table untouched.

    Parameters
    ----------
    raw_dir
        Folder holding the official files, laid out as in each source's ``files[].path``.
    out_dir
        Where tidy tables go; defaults to ``data/tidy``.
    only
        Source ids to build; all registered sources when ``None``.

    Returns
    -------
    list of IngestResult

    Raises
    ------
    ConfigError
        Unknown source id or missing raw folder.
    DataError
        A missing official file, or a file whose layout or content is not as expected.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise ConfigError(f"raw-data folder {raw_dir} does not exist")
    out_dir = Path(out_dir) if out_dir else paths.tidy_dir()
    sources = load_sources()
    buildable = [s for s, source in sources.items() if source.reader is not None]
    wanted = list(only) if only else buildable
    unknown = [s for s in wanted if s not in buildable]
    if unknown:
        raise ConfigError(
            f"unknown source id(s) {unknown}; sources built from official files: {', '.join(buildable)}"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_ingest_one(sources[s], raw_dir, out_dir) for s in wanted]


def _ingest_one(source: Source, raw_dir: Path, out_dir: Path) -> IngestResult:
    files = [raw_dir / f.path for f in source.files]
    for path in files:
        if not path.is_file():
            raise DataError(f"{source.source_id}: official file {path} not found in {raw_dir}")
    sums = {f.path: sha256_file(raw_dir / f.path) for f in source.files}
    changed = any(sums[f.path] != f.sha256 for f in source.files)
    if changed:
        log.warning("%s: a raw file differs from the checksum in its registry entry", source.source_id)
    module = importlib.import_module(source.reader)
    frame = module.build(source.source_id, files, load_cities())
    name = f"{source.source_id}.csv"
    validate_tidy(frame, name)
    check_references(frame, name)
    table = write_tidy(frame, out_dir, source.source_id)
    meta = {
        "source_id": source.source_id,
        "rows": len(frame),
        "built_from": [{"path": p, "sha256": s} for p, s in sums.items()],
        "columns": list(frame.columns),
        "periods": sorted(frame["period"].unique().tolist()),
        "places": sorted(frame["place_id"].unique().tolist())[:50],
        "indicators": sorted(frame["indicator_id"].unique().tolist()),
        "definitions": sorted(frame["definition_id"].unique().tolist()),
    }
    _write_atomic(out_dir / f"{source.source_id}.meta.yaml", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    log.info("%s: %d rows", source.source_id, len(frame))
    return IngestResult(source.source_id, len(frame), table, changed)


#: Tables larger than this are stored gzip-compressed (``.csv.gz``) to keep clones small.
GZIP_ABOVE_BYTES = 3_000_000


def write_tidy(frame: pd.DataFrame, out_dir: Path, source_id: str) -> Path:
    """Write a tidy table as ``<source_id>.csv`` (or ``.csv.gz`` when large), atomically.

    The other form, if present from an earlier build, is removed so one table has one file.
    Compression is deterministic (no timestamp), so a rebuild gives identical bytes.

    Returns
    -------
    Path
        The file written.
    """
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    plain, packed = out_dir / f"{source_id}.csv", out_dir / f"{source_id}.csv.gz"
    if len(data) > GZIP_ABOVE_BYTES:
        target, other = packed, plain
        data = gzip.compress(data, compresslevel=9, mtime=0)
    else:
        target, other = plain, packed
    _write_atomic(target, data)
    other.unlink(missing_ok=True)
    return target


def _write_atomic(path: Path, data: bytes | str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp.write_bytes(data)
    tmp.replace(path)


def tidy_path(source_id: str, folder: Path | None = None) -> Path:
    """Return the file holding a source's tidy table (``.csv`` or ``.csv.gz``).

    Raises
    ------
    DataError
        If neither exists.
    """
    folder = folder or paths.tidy_dir()
    for name in (f"{source_id}.csv", f"{source_id}.csv.gz"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(
        f"no tidy table for source '{source_id}' in {folder}; run `workbench ingest --raw DIR`"
    )


def read_tidy(path: Path) -> pd.DataFrame:
    """Read a tidy CSV written by :func:`ingest` with the schema's dtypes.

    Raises
    ------
    DataError
        If the file is missing or not UTF-8.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", compression="infer")
    except FileNotFoundError:
        raise DataError(f"{path}: tidy table not found; run `workbench ingest --raw DIR`") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: file is empty") from None
    try:
        frame["value"] = frame["value"].astype(float)
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path}: column 'value' missing or not numeric ({exc})") from None
    return frame

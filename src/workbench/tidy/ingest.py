"""Rebuild the committed tidy tables from a folder of official source files."""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import importlib
import logging
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from workbench import paths
from workbench.errors import ConfigError, DataError, WorkbenchError
from workbench.provenance import sha256_file
from workbench.reference.boundary_sets import BoundarySet, load_boundary_sets
from workbench.reference.plausibility import load_rules
from workbench.reference.registry import Source, check_references, load_cities, load_sources, read_yaml
from workbench.tidy.boundaries import build_boundary_set
from workbench.tidy.plausibility import Finding, Table, check_tables, committed_table
from workbench.tidy.schemas import TIDY_COLUMNS, validate_tidy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    """What one source (or boundary set) produced."""

    source_id: str  #: the source id, or the boundary id when ``kind`` is 'boundaries'
    rows: int  #: rows of the tidy table, or areas of the boundary file
    table: Path
    checksum_changed: bool
    kind: str = "tidy"  #: 'tidy' (a tidy table in data/tidy) or 'boundaries' (a GeoJSON in data/boundaries)
    accepted: int = 0  #: implausible values published with ``accept_changes`` (listed in the table's metadata)


def ingest(
    raw_dir: Path,
    out_dir: Path | None = None,
    only: Iterable[str] | None = None,
    boundary_dir: Path | None = None,
    accept_changes: bool = False,
) -> list[IngestResult]:
    """Build every registered source and boundary set (or ``only`` some) from ``raw_dir``.

    All or nothing: every table is built and validated (schema and registry references) in a
    hidden staging folder inside ``out_dir`` first, then checked for plausibility beside the
    table it replaces and the other tables (:mod:`workbench.tidy.plausibility`); only when every
    source succeeded are the new tables moved into place (one rename per file, with Ctrl-C held
    back meanwhile). A missing, truncated, malformed or implausible official file therefore
    leaves every committed table as it was.

    Parameters
    ----------
    raw_dir
        Folder holding the official files, laid out as in each source's ``files[].path``.
    out_dir
        Where tidy tables go; defaults to ``data/tidy``.
    only
        Source ids and boundary ids (``data/registry/boundaries/``) to build; all when ``None``.
    boundary_dir
        Where boundary files go; defaults to ``data/boundaries``, or to ``out_dir/boundaries``
        when ``out_dir`` is given.
    accept_changes
        Publish tables whose values fail a plausibility check anyway, recording each finding under
        ``accepted_changes`` in the table's ``.meta.yaml`` (a run's manifest lists them).

    Returns
    -------
    list of IngestResult
        One per source (then one per boundary set), ``table`` being the published file.

    Raises
    ------
    ConfigError
        Unknown source id, missing raw folder, or a registry path leading out of it.
    DataError
        A missing official file, or a file whose layout or content is not as expected (the
        message names the source, the file and, where the reader knows it, row and column), or
        an implausible value (file, place, year and both values) unless ``accept_changes``.
    """
    raw_dir = Path(raw_dir).absolute()  # registry paths are checked to stay inside it, whatever the cwd
    if not raw_dir.is_dir():
        raise ConfigError(f"raw-data folder {raw_dir} does not exist; expected a folder of official files")
    boundary_dir = Path(boundary_dir) if boundary_dir else (Path(out_dir) / "boundaries" if out_dir else paths.boundaries_dir())
    out_dir = Path(out_dir) if out_dir else paths.tidy_dir()
    sources, boundary_sets = load_sources(), load_boundary_sets()
    buildable = [s for s, source in sources.items() if source.reader is not None]
    wanted = list(dict.fromkeys(only)) if only else buildable + list(boundary_sets)
    unknown = [s for s in wanted if s not in buildable and s not in boundary_sets]
    if unknown:
        raise ConfigError(
            f"unknown source id(s) {unknown}; sources built from official files: {', '.join(buildable)}; "
            f"boundary sets: {', '.join(boundary_sets)}"
        )
    tables = [s for s in wanted if s in buildable]
    areas = [b for b in wanted if b in boundary_sets]
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ingest-", dir=out_dir))
    if areas:
        boundary_dir.mkdir(parents=True, exist_ok=True)
    drawing = Path(tempfile.mkdtemp(prefix=".ingest-", dir=boundary_dir)) if areas else None
    try:
        built = [_ingest_one(sources[s], raw_dir, staging) for s in tables]
        found = check_plausibility(built, sources, out_dir, accept_changes)
        staged = [dataclasses.replace(r, accepted=sum(f.source_id == r.source_id for f in found)) for r, _ in built]
        staged += [_boundaries_one(boundary_sets[b], raw_dir, drawing) for b in areas]
        return _publish(staged, out_dir, boundary_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if drawing is not None:
            shutil.rmtree(drawing, ignore_errors=True)


def _ingest_one(source: Source, raw_dir: Path, out_dir: Path) -> tuple[IngestResult, pd.DataFrame]:
    # a registry path may not lead out of the raw folder
    files = [raw_dir / f.path for f in source.files]
    for path in files:
        paths.inside(path, raw_dir)
    for path in files:
        if not path.is_file():
            raise DataError(
                f"{source.source_id}: official file {path} not found in {raw_dir}; expected the files listed "
                f"in its registry entry: {[f.path for f in source.files]}"
            )
    sums = {f.path: sha256_file(raw_dir / f.path) for f in source.files}
    changed = any(sums[f.path] != f.sha256 for f in source.files)
    if changed:
        log.warning("%s: a raw file differs from the checksum in its registry entry", source.source_id)
    frame = _build(source, files)
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
    paths.write_atomic(out_dir / f"{source.source_id}.meta.yaml", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    log.info("%s: %d rows", source.source_id, len(frame))
    return IngestResult(source.source_id, len(frame), table, changed), frame


#: Findings recorded one by one in a table's metadata when accepted (the rest are counted).
ACCEPTED_SHOWN = 20


def check_plausibility(built: Sequence[tuple[IngestResult, pd.DataFrame]], sources: Mapping[str, Source], folder: Path,
                       accept: bool = False) -> list[Finding]:
    """Check freshly built tables against the committed ones in ``folder`` and the other tables there.

    Parameters
    ----------
    built
        (:class:`workbench.tidy.ingest.IngestResult`, frame) of each new table, staged but not published.
    sources
        The registry's sources (each new table's files and limits).
    folder
        Where the committed tables are (``data/tidy`` or ``--out``).
    accept
        Record the findings under ``accepted_changes`` in each staged table's ``.meta.yaml`` instead of
        refusing.

    Returns
    -------
    list of Finding
        The findings accepted (empty when all is plausible).

    Raises
    ------
    DataError
        On the first finding unless ``accept``: one line naming file, place, year and both values.
    """
    rules = load_rules()
    new = {
        result.source_id: Table(result.source_id, frame, ", ".join(Path(f.path).name for f in sources[result.source_id].files),
                                True, sources[result.source_id].plausibility)
        for result, frame in built
    }
    committed = {}
    for source_id in new:
        frame, path = _committed_frame(source_id, folder)
        if frame is not None:
            committed[source_id] = Table(source_id, frame, paths.shown(path), False)
    # the committed tables of other sources holding a part or a whole of the rules
    counted = {d for rule in rules.parts for d in (rule.whole, *rule.parts)}
    others = []
    for source_id in sorted(set(sources) - set(new)):
        meta = folder / f"{source_id}.meta.yaml"
        try:
            defined = set((read_yaml(meta) or {}).get("definitions") or []) if meta.is_file() else set()
        except (ConfigError, AttributeError):
            defined = set()
        frame, path = _committed_frame(source_id, folder) if counted & defined else (None, None)
        if frame is not None:
            others.append(Table(source_id, frame, paths.shown(path), False, sources[source_id].plausibility))
    found = check_tables([*new.values(), *others], committed, rules)
    if found and not accept:
        more = f" ({len(found)} finding(s) in all)" if len(found) > 1 else ""
        raise DataError(
            f"{found[0].source_id}: {found[0].message}{more}; nothing was written. If the change is genuine, "
            "run again with --accept-changes (recorded in the table's metadata), or declare an exception in "
            f"data/registry/sources/{found[0].source_id}.yaml, key 'plausibility'"
        )
    for result, _ in built:
        mine = [f.message for f in found if f.source_id == result.source_id]
        if mine:
            log.warning("%s: %d implausible value(s) accepted: %s", result.source_id, len(mine), mine[0])
            meta_path = result.table.with_name(f"{result.source_id}.meta.yaml")
            meta = read_yaml(meta_path)
            meta["accepted_changes"] = mine[:ACCEPTED_SHOWN] + (
                [f"... and {len(mine) - ACCEPTED_SHOWN} more"] if len(mine) > ACCEPTED_SHOWN else [])
            paths.write_atomic(meta_path, yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    return found


def _committed_frame(source_id: str, folder: Path) -> tuple[pd.DataFrame | None, Path | None]:
    """A committed tidy table to compare with, or None when there is none or it is not a readable tidy table."""
    path = committed_table(source_id, folder)
    if path is None:
        return None, None
    try:
        frame = read_tidy(path)
    except DataError as exc:
        log.warning("%s: the committed table is not comparable (%s); the new one is checked on its own", source_id, exc)
        return None, None
    if missing := [c for c in TIDY_COLUMNS if c not in frame.columns]:
        log.warning("%s: the committed table %s lacks columns %s; the new one is checked on its own", source_id, path, missing)
        return None, None
    return frame, path


def _boundaries_one(entry: BoundarySet, raw_dir: Path, out_dir: Path) -> IngestResult:
    built = build_boundary_set(entry, raw_dir, out_dir)
    return IngestResult(built.boundary_id, built.features, built.path, built.checksum_changed, kind="boundaries")


def _build(source: Source, files: list[Path]) -> pd.DataFrame:
    """Run the source's reader; an unforeseen failure becomes a DataError naming the files."""
    module = importlib.import_module(source.reader)
    try:
        frame = module.build(source.source_id, files, load_cities())
    except WorkbenchError:
        raise
    except Exception as exc:  # a reader meeting a file it was not written for
        raise DataError(
            f"{source.source_id}: reading {', '.join(str(f) for f in files)} failed ({type(exc).__name__}: "
            f"{exc}); expected the official layout: is a file truncated or of another format? "
            "(--debug shows where)"
        ) from exc
    if frame.empty:
        raise DataError(
            f"{source.source_id}: no rows read from {', '.join(str(f) for f in files)}; expected observations"
        )
    return frame


def _publish(staged: list[IngestResult], out_dir: Path, boundary_dir: Path) -> list[IngestResult]:
    """Move the staged tables, boundary files and their metadata into place; Ctrl-C waits until done."""
    published = []
    with _sigint_held():
        for result in staged:
            if result.kind == "boundaries":
                target = boundary_dir / result.table.name
                result.table.replace(target)
                meta = result.table.with_name(f"{result.source_id}.meta.yaml")
                meta.replace(boundary_dir / meta.name)
                published.append(IngestResult(result.source_id, result.rows, target, result.checksum_changed, result.kind))
                continue
            target = out_dir / result.table.name
            result.table.replace(target)
            meta = result.table.with_name(f"{result.source_id}.meta.yaml")
            meta.replace(out_dir / meta.name)
            # one table has one file: drop the other form (.csv or .csv.gz) of an earlier build
            other = f"{result.source_id}.csv" if target.name.endswith(".gz") else f"{result.source_id}.csv.gz"
            (out_dir / other).unlink(missing_ok=True)
            published.append(dataclasses.replace(result, table=target))
    return published


@contextlib.contextmanager
def _sigint_held():
    """Hold back Ctrl-C (delivered when the block ends) where the platform allows it."""
    can_block = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if can_block:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if can_block:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


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

    Raises
    ------
    ConfigError
        If ``source_id`` cannot name a file in ``out_dir``.
    """
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    paths.named_file(out_dir, source_id, ".csv", "source id")
    plain, packed = out_dir / f"{source_id}.csv", out_dir / f"{source_id}.csv.gz"
    if len(data) > GZIP_ABOVE_BYTES:
        target, other = packed, plain
        data = gzip.compress(data, compresslevel=9, mtime=0)
    else:
        target, other = plain, packed
    paths.write_atomic(target, data)
    other.unlink(missing_ok=True)
    return target


def tidy_path(source_id: str, folder: Path | None = None) -> Path:
    """Return the file holding a source's tidy table (``.csv`` or ``.csv.gz``).

    Raises
    ------
    DataError
        If neither exists.
    ConfigError
        If ``source_id`` cannot name a file, or the table is a link leading out of ``folder``.
    """
    folder = folder or paths.tidy_dir()
    for suffix in (".csv", ".csv.gz"):
        paths.named_file(folder, source_id, suffix, "source id")
        if (folder / f"{source_id}{suffix}").is_file():
            return folder / f"{source_id}{suffix}"
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
        # an empty value is a withheld cell (flag s; validate_tidy checks the pairing)
        frame["value"] = frame["value"].mask(frame["value"] == "").astype(float)
    except (KeyError, ValueError) as exc:
        raise DataError(f"{path}: column 'value' missing or not numeric ({exc})") from None
    return frame

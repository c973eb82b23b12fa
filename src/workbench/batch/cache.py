"""Which notebooks of a new run an earlier run already made: input keys, and where to find their outputs.

A notebook's **key** is a SHA-256 over everything its outputs depend on:

- a city profile: the template, its parameters, every tidy table, every expert-figures file (the
  profile reads them all), the city's own chapters, the registries;
- a city brief: the template, its parameters, the two Eurostat tables it reads, the registries;
- a comparison: the template, its parameters, the tables each city it reads saved in this run
  (their bytes, not the city's key: a city rerun that changes nothing leaves its comparisons
  alone), the registries;
- all: the code of ``src/workbench`` (modules, templates, translations), the Python version, the
  version of every installed distribution, and of pandoc, Pango and HarfBuzz-Subset.

A run records each notebook's key in its ``manifest.json``, and for a copied notebook the run
that computed it (``reused_from``, followed through copies of copies). ``workbench run`` looks for the same
key among the successful notebooks of earlier runs in ``outputs/`` and copies that notebook's
folder (executed notebook and saved tables) instead of running it again, when every file the
earlier manifest lists for it is there with the same SHA-256 (else it runs); ``--force`` runs
everything. An annex is copied with its notebook when the earlier run rendered it with the same
formats, languages and suppression threshold and its files match their checksums (with the tables
written beside an HTML annex, ``annex/<lang>/<name>-tables.xlsx`` and ``-tables/*.csv``); its
provenance footer then names that earlier run, the run that computed it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench import paths
from workbench.provenance import Manifest, NotebookRecord, annex_options, installed_distributions, sha256_file, system_versions

#: The name of the network synthesis annex (``workbench.report.annex.NETWORK``, named here to keep imports light).
NETWORK = "network"
#: What the names of an annex's table downloads add to its own (``workbench.report.downloads.SUFFIX``).
DOWNLOADS = "-tables"
#: Earlier runs searched for reusable notebooks, newest first.
RUNS_SEARCHED = 30
#: Files of the workbench's own code that a notebook's outputs depend on.
_CODE_SUFFIXES = (".py", ".j2", ".css", ".po", ".pot")


@dataclass(frozen=True)
class Earlier:
    """A notebook an earlier run made with the same key."""

    run: Path  #: the earlier run's folder
    entry: NotebookRecord  #: its manifest entry
    annex: dict | None  #: the annex options that run rendered with (``None`` if none, or not one set)
    annex_files: dict[str, str]  #: the annex files that run rendered (run path -> SHA-256)


def code_fingerprint() -> str:
    """SHA-256 of the workbench's code, templates and translations (paths and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(paths.PACKAGE_DIR.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(paths.PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment_fingerprint() -> dict:
    """The software a notebook ran with: Python, every installed distribution, pandoc, Pango, HarfBuzz-Subset.

    Every distribution, not a chosen few: a transitive one (mistune, tinycss2, pydyf, scipy ...) can
    change a number, a sentence or an annex's bytes as surely as pandas can, and no list kept by hand
    stays complete. An install of an unrelated tool costs one rerun; a stale copy would cost a wrong
    annex.
    """
    return {"python": platform.python_version(), "packages": installed_distributions(), "system": system_versions()}


def base_inputs(inputs: dict[str, str]) -> dict:
    """What every key shares: the code, the environment and the registries (from :func:`workbench.provenance.input_checksums`)."""
    registry = _under(inputs, paths.registry_dir())
    return {"code": code_fingerprint(), "environment": environment_fingerprint(), "registry": registry}


def city_key(template: str, parameters: dict, city_id: str, inputs: dict[str, str], base: dict) -> str:
    """The key of a city profile (see the module docstring).

    Parameters
    ----------
    template
        The template's file name in ``notebooks/``.
    parameters
        What papermill injects.
    city_id
        The city.
    inputs
        Project path → SHA-256 of every input file (:func:`workbench.provenance.input_checksums`).
    base
        From :func:`base_inputs`.
    """
    data = {
        **_under(inputs, paths.tidy_dir()),
        **_under(inputs, paths.local_dir() / "figures"),
        **_under(inputs, paths.local_dir() / "chapters" / city_id),
    }
    return _digest({"template": _template(inputs, template), "parameters": parameters, "data": data, **base})


def brief_key(template: str, parameters: dict, inputs: dict[str, str], base: dict) -> str:
    """The key of a city brief: it reads the two Eurostat city tables only (see :mod:`workbench.analysis.brief`)."""
    from workbench.analysis.brief import FOREIGN_BORN_SOURCE, POPULATION_SOURCE

    tidy = _under(inputs, paths.tidy_dir())
    data = {k: v for k, v in tidy.items() if Path(k).name.split(".")[0] in (POPULATION_SOURCE, FOREIGN_BORN_SOURCE)}
    return _digest({"template": _template(inputs, template), "parameters": parameters, "data": data, **base})


def compare_key(template: str, parameters: dict, cities_dir: Path, inputs: dict[str, str], base: dict) -> str:
    """The key of a comparison: the tables the cities it reads saved, rather than their inputs."""
    saved = {}
    for city_id in parameters.get("city_ids", []):
        folder = Path(cities_dir) / city_id
        saved[city_id] = {p.name: sha256_file(p) for p in sorted(folder.glob("*.csv"))}
    return _digest({"template": _template(inputs, template), "parameters": parameters, "saved": saved, **base})


def find_earlier(keys: dict[str, str], outputs: Path | None = None, exclude: tuple[Path, ...] = ()) -> dict[str, Earlier]:
    """The notebooks, by name, that an earlier run in ``outputs/`` made with the same key and kept whole.

    Whole: every file its manifest lists for the notebook is there with the same SHA-256
    (:func:`is_whole`). Runs still being written (``.partial``) or stopped (``.interrupted``) are
    never used; the newest run with a match wins.
    """
    outputs = outputs or paths.outputs_dir()
    wanted = {key: name for name, key in keys.items() if key}
    found: dict[str, Earlier] = {}
    for run in _recent_runs(outputs, exclude):
        manifest = Manifest.find(run)
        if manifest is None:
            continue
        for entry in manifest.notebooks:
            name = wanted.get(entry.key)
            if name and name not in found and entry.status == "ok" and is_whole(run, entry):
                found[name] = Earlier(run, entry, manifest.annex_rendered_with(), manifest.annex_files)
        if len(found) == len(wanted):
            break
    return found


def is_whole(run: Path, entry: NotebookRecord) -> bool:
    """Whether the notebook folder of ``entry`` in ``run`` holds every file the manifest lists, unchanged."""
    if not entry.files or entry.notebook not in entry.files:
        return False
    return _unchanged(run, entry.files)


def previous_seconds(names: list[str], outputs: Path | None = None) -> dict[str, float]:
    """How long each named notebook took when it last ran in a run in ``outputs/`` (for scheduling)."""
    found: dict[str, float] = {}
    for run in _recent_runs(outputs or paths.outputs_dir(), ()):
        manifest = Manifest.find(run)
        for entry in manifest.notebooks if manifest else []:
            if entry.name in names and entry.name not in found and not entry.reused_from and entry.seconds:
                found[entry.name] = float(entry.seconds)
        if len(found) == len(names):
            break
    return found


def copy_notebook(earlier: Earlier, workdir: Path) -> None:
    """Copy an earlier notebook's folder (executed notebook and saved tables) to ``workdir``."""
    source = earlier.run / Path(earlier.entry.notebook).parent
    shutil.copytree(source, workdir, symlinks=True, ignore=shutil.ignore_patterns(".kernel-*.json", "*.tmp"))


def copy_annexes(earlier: Earlier, run_dir: Path, name: str, options: dict) -> list[Path] | None:
    """Copy the annex files of one document (a city, or ``network``) from the run ``earlier`` is in.

    Returns
    -------
    list of Path or None
        The files copied, or ``None`` when that run rendered with other options, or lacks one of the
        files the options call for, or one differs from its checksum in the manifest (the caller
        renders the document instead).
    """
    if earlier.annex is None or earlier.annex != annex_options(options):
        return None
    wanted = {}
    for lang in options["languages"]:
        for fmt in options["formats"]:
            relative = f"annex/{lang}/{name}.{fmt}"
            if relative in earlier.annex_files:
                wanted[relative] = earlier.annex_files[relative]
    if not wanted or not _complete(wanted, name, options):
        return None
    # the tables written beside an HTML annex (workbench.report.downloads) go with it
    wanted.update(_downloads(earlier.annex_files, name, {Path(f).parts[1] for f in wanted}))
    if not _unchanged(earlier.run, wanted):
        return None
    copied = []
    for relative in wanted:
        target = run_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        paths.write_atomic(target, (earlier.run / relative).read_bytes())
        copied.append(target)
    return copied


def _downloads(files: dict[str, str], name: str, languages: set[str]) -> dict[str, str]:
    # annex/<lang>/<name>-tables.xlsx and annex/<lang>/<name>-tables/*.csv of each language
    stems = {f"annex/{lang}/{name}{DOWNLOADS}" for lang in languages}
    return {f: digest for f, digest in files.items()
            if f.removesuffix(".xlsx") in stems or f.rpartition("/")[0] in stems}


def _complete(files: dict[str, str], name: str, options: dict) -> bool:
    # every format of every language the document has in that run (the languages of a city vary)
    languages = {Path(f).parts[1] for f in files}
    return all(f"annex/{lang}/{name}.{fmt}" in files for lang in languages for fmt in options["formats"])


def _unchanged(run: Path, files: dict[str, str]) -> bool:
    for relative, digest in files.items():
        path = run / relative
        try:
            if not path.is_file() or sha256_file(path) != digest:
                return False
        except OSError:
            return False
    return True


def _recent_runs(outputs: Path, exclude: tuple[Path, ...]) -> list[Path]:
    if not outputs.is_dir():
        return []
    skipped = {p.resolve() for p in exclude}
    runs = [p for p in outputs.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
            and not p.name.endswith((".partial", ".interrupted")) and p.resolve() not in skipped]
    return sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True)[:RUNS_SEARCHED]


def _under(inputs: dict[str, str], folder: Path) -> dict[str, str]:
    prefix = str(folder.relative_to(paths.project_root())) + "/"
    return {k: v for k, v in inputs.items() if k.startswith(prefix)}


def _template(inputs: dict[str, str], template: str) -> str:
    path = paths.notebooks_dir() / template
    return inputs.get(str(path.relative_to(paths.project_root()))) or sha256_file(path)


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()

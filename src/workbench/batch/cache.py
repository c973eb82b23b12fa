"""Which notebooks of a new run an earlier run already made: input keys, and where to find their outputs.

A notebook's **key** is a SHA-256 over everything its outputs depend on:

- a city profile: the template, its parameters, every tidy table, every expert-figures file (the
  profile reads them all), the city's own chapters, the registries;
- a city brief: the template, its parameters, the two Eurostat tables it reads, the registries;
- a comparison: the template, its parameters, the tables each city it reads saved in this run
  (their bytes, not the city's key: a city rerun that changes nothing leaves its comparisons
  alone), the registries;
- both: the code of ``src/workbench`` (modules, templates, translations), the Python version and
  the versions of the tracked packages.

A run records each notebook's key in its ``manifest.json``, and for a copied notebook the run
that computed it (``reused_from``, followed through copies of copies). ``workbench run`` looks for the same
key among the successful notebooks of earlier runs in ``outputs/`` and copies that notebook's
folder (executed notebook and saved tables) instead of running it again; ``--force`` runs
everything. An annex is copied with its notebook when the earlier run rendered it with the same
formats, languages and suppression threshold; its provenance footer then names that earlier run,
the run that computed it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench import paths
from workbench.provenance import package_versions, sha256_file

#: The name of the network synthesis annex (``workbench.report.annex.NETWORK``, named here to keep imports light).
NETWORK = "network"
#: Earlier runs searched for reusable notebooks, newest first.
RUNS_SEARCHED = 30
#: Files of the workbench's own code that a notebook's outputs depend on.
_CODE_SUFFIXES = (".py", ".j2", ".css", ".po", ".pot")


@dataclass(frozen=True)
class Earlier:
    """A notebook an earlier run made with the same key."""

    run: Path  #: the earlier run's folder
    entry: dict  #: its manifest entry
    annex: dict  #: the annex options that run rendered with (empty if none)


def code_fingerprint() -> str:
    """SHA-256 of the workbench's code, templates and translations (paths and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(paths.PACKAGE_DIR.rglob("*")):
        if path.suffix in _CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(paths.PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment_fingerprint() -> dict:
    """The Python version and tracked package versions a notebook ran with."""
    return {"python": platform.python_version(), "packages": package_versions()}


def base_inputs(inputs: dict[str, str]) -> dict:
    """What every key shares: the code, the environment and the registries (from :func:`workbench.batch.run.input_checksums`)."""
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
        Project path → SHA-256 of every input file (:func:`workbench.batch.run.input_checksums`).
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

    Runs still being written (``.partial``) or stopped (``.interrupted``) are never used; the
    newest run with a match wins.
    """
    outputs = outputs or paths.outputs_dir()
    wanted = {key: name for name, key in keys.items() if key}
    found: dict[str, Earlier] = {}
    for run in _recent_runs(outputs, exclude):
        manifest = _manifest(run)
        if manifest is None:
            continue
        annex = manifest.get("annex") or {}
        for entry in manifest.get("notebooks", []):
            name = wanted.get(entry.get("key", ""))
            if name and name not in found and entry.get("status") == "ok" and (run / entry["notebook"]).is_file():
                found[name] = Earlier(run, entry, annex)
        if len(found) == len(wanted):
            break
    return found


def previous_seconds(names: list[str], outputs: Path | None = None) -> dict[str, float]:
    """How long each named notebook took when it last ran in a run in ``outputs/`` (for scheduling)."""
    found: dict[str, float] = {}
    for run in _recent_runs(outputs or paths.outputs_dir(), ()):
        for entry in (_manifest(run) or {}).get("notebooks", []):
            name = entry.get("name")
            if name in names and name not in found and not entry.get("reused_from") and entry.get("seconds"):
                found[name] = float(entry["seconds"])
        if len(found) == len(names):
            break
    return found


def copy_notebook(earlier: Earlier, workdir: Path) -> None:
    """Copy an earlier notebook's folder (executed notebook and saved tables) to ``workdir``."""
    source = earlier.run / Path(earlier.entry["notebook"]).parent
    shutil.copytree(source, workdir, symlinks=True, ignore=shutil.ignore_patterns(".kernel-*.json"))


def copy_annexes(earlier: Earlier, run_dir: Path, name: str, options: dict) -> list[Path] | None:
    """Copy the annex files of one document (a city, or ``network``) from the run ``earlier`` is in.

    Returns
    -------
    list of Path or None
        The files copied, or ``None`` when that run rendered with other options or lacks the
        files (the caller renders the document instead).
    """
    rendered = _annex_options({"annex": earlier.annex})
    if rendered is None or rendered != _annex_options({"annex": options}):
        return None
    earlier_run = earlier.run
    files = []
    for lang in options["languages"]:
        for fmt in options["formats"]:
            source = earlier_run / "annex" / lang / f"{name}.{fmt}"
            if source.is_file():
                files.append((source, run_dir / "annex" / lang / source.name))
    if not files:
        return None
    for source, target in files:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copy2(source, tmp)
        tmp.replace(target)
    return [target for _, target in files]


def record_rerender(run_dir: Path, options: dict) -> None:
    """Say in a run's manifest that `workbench annex` renders (some of) its annexes again.

    Called before rendering, so that a render cut short leaves no manifest claiming the old options.

    With the options the run rendered with, nothing changes. With other ones (another
    disclosure threshold, fewer languages or formats) the run's annex files no longer share one
    set of options, so the manifest's ``annex`` becomes ``null`` (no later run copies them: it
    renders its own) and ``annex_history`` keeps both sets, oldest first.
    """
    from datetime import datetime, timezone

    path = Path(run_dir) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    wanted = {"formats": list(options["formats"]), "languages": list(options["languages"]),
              "threshold": options["threshold"]}
    if _annex_options(manifest) == _annex_options({"annex": wanted}):
        return
    history = manifest.get("annex_history") or ([manifest["annex"]] if manifest.get("annex") else [])
    manifest["annex"] = None
    manifest["annex_history"] = [*history, {**wanted, "rendered": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                            "by": "workbench annex"}]
    save_manifest(path, manifest)


def save_manifest(path: Path, manifest: dict) -> None:
    """Write a run's ``manifest.json`` atomically (a temporary name, then a rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _annex_options(manifest: dict) -> dict | None:
    annex = manifest.get("annex")
    if not annex:
        return None
    return {"formats": sorted(annex["formats"]), "languages": sorted(annex["languages"]), "threshold": annex["threshold"]}


def _recent_runs(outputs: Path, exclude: tuple[Path, ...]) -> list[Path]:
    if not outputs.is_dir():
        return []
    skipped = {p.resolve() for p in exclude}
    runs = [p for p in outputs.iterdir()
            if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
            and not p.name.endswith((".partial", ".interrupted")) and p.resolve() not in skipped]
    return sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True)[:RUNS_SEARCHED]


def _manifest(run: Path) -> dict | None:
    try:
        data = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _under(inputs: dict[str, str], folder: Path) -> dict[str, str]:
    prefix = str(folder.relative_to(paths.project_root())) + "/"
    return {k: v for k, v in inputs.items() if k.startswith(prefix)}


def _template(inputs: dict[str, str], template: str) -> str:
    path = paths.notebooks_dir() / template
    return inputs.get(str(path.relative_to(paths.project_root()))) or sha256_file(path)


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()

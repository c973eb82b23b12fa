"""Hashes, run metadata and the run manifest that let every published number be traced to its inputs."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import platform
import re
import subprocess
import warnings
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

import yaml

from workbench import paths
from workbench.errors import DataError

#: The name this package is installed under (pyproject.toml); the import package is ``workbench``.
DISTRIBUTION = "city-migration-workbench"

#: Distributions an annex's provenance footer names; a manifest records every installed one
#: (:func:`installed_distributions`) and the system libraries (:func:`system_versions`).
TRACKED_PACKAGES: tuple[str, ...] = (
    DISTRIBUTION,
    "pandas",
    "numpy",
    "pandera",
    "papermill",
    "nbconvert",
    "matplotlib",
    "seaborn",
    "statsmodels",
    "openpyxl",
    "xlrd",
    "rdata",
    "Jinja2",
    "Babel",
    "markdown-it-py",
    "weasyprint",
    "python-docx",
    "pypandoc-binary",
)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Return the installed version of each tracked package (``'not installed'`` if absent)."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def distribution_version() -> str:
    """The installed version of this package (:data:`DISTRIBUTION`), or ``'not installed'`` when run from source."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def installed_distributions() -> dict[str, str]:
    """Every distribution installed in this environment, by normalised name (PEP 503), sorted: name -> version.

    Where a name is installed twice, the one found first on ``sys.path`` (the one imported) wins.
    """
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(re.sub(r"[-_.]+", "-", name).lower(), dist.version)
    return dict(sorted(found.items()))


@functools.cache
def system_versions() -> dict[str, str]:
    """What outside Python shapes the annexes: pandoc (Word), Pango and HarfBuzz-Subset (PDF via WeasyPrint).

    Each is a version, ``'yes'``/``'no'`` (HarfBuzz-Subset: fonts subset by it, else by fontTools), or
    ``'unavailable'``. Asked once per process (loading Pango takes about a second).
    """
    found = {"python": platform.python_version(), "pandoc": "unavailable", "pango": "unavailable",
             "harfbuzz-subset": "unavailable"}
    try:
        import pypandoc

        found["pandoc"] = str(pypandoc.get_pandoc_version())
    except (ImportError, OSError, RuntimeError):
        pass
    try:
        with warnings.catch_warnings():  # WeasyPrint warns on import when HarfBuzz-Subset is missing: recorded here
            warnings.simplefilter("ignore")
            from weasyprint.text import ffi
        number = int(ffi.pango.pango_version())  # major * 10000 + minor * 100 + micro
        found["pango"] = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
        found["harfbuzz-subset"] = "no" if ffi.harfbuzz_subset is None else "yes"
    except (ImportError, OSError, AttributeError):
        pass
    return found


def software_environment() -> dict:
    """What a manifest records of the software a run used: the system parts and every installed distribution."""
    return {"system": dict(system_versions()), "distributions": installed_distributions()}


def git_commit(root: Path) -> str:
    """Return the checked-out commit of ``root`` with ``-dirty`` if files changed, or ``'unknown'``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


# --- a run's manifest.json: the one reader and writer ------------------------------------------

#: The file name of a run's manifest, in the run folder.
MANIFEST_NAME = "manifest.json"


def input_checksums() -> dict[str, str]:
    """SHA-256 of every input file (tidy tables, expert figures and chapters, params, notebooks, registries), by project path."""
    root = paths.project_root()
    inputs = {}
    local = paths.local_dir()
    for folder in (paths.tidy_dir(), local / "figures", local / "chapters", paths.params_dir(), paths.notebooks_dir(),
                   paths.registry_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and ".ipynb_checkpoints" not in path.parts:
                inputs[str(path.relative_to(root))] = sha256_file(path)
    return inputs


def accepted_changes(folder: Path | None = None) -> dict[str, list[str]]:
    """Source id -> the changes accepted at ingestion (``accepted_changes`` of each tidy table's ``.meta.yaml``)."""
    found = {}
    for meta in sorted((folder or paths.tidy_dir()).glob("*.meta.yaml")):
        try:
            entry = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # `workbench validate` names a broken metadata file; a run records what it can read
        if isinstance(entry, dict) and entry.get("accepted_changes"):
            found[meta.name.removesuffix(".meta.yaml")] = [str(c) for c in entry["accepted_changes"]]
    return found


def folder_checksums(run_dir: Path, folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by path relative to ``run_dir`` (what a reuse checks).

    Kernel connection files and temporary files are left out: no run keeps them.
    """
    found = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and not path.name.startswith(".kernel-") and not path.name.endswith(".tmp"):
            found[str(path.relative_to(run_dir))] = sha256_file(path)
    return found


@dataclass
class NotebookRecord:
    """What a run's manifest says about one notebook."""

    name: str  #: unique in the run: the city id, ``brief-<place>`` or ``compare-<name>``
    kind: str  #: 'profile', 'brief' or 'comparison'
    subject: str  #: the city id (profile), the Eurostat place code (brief) or the comparison's name
    status: str  #: 'ok', 'failed', 'interrupted' or 'not run'
    seconds: float = 0.0
    notebook: str = ""  #: the executed notebook, relative to the run folder
    error: str = ""
    failed_cell: int | None = None
    reused_from: str = ""  #: the run that computed the outputs this run copied
    key: str = ""  #: the input key (:mod:`workbench.batch.cache`)
    template: str = ""
    parameters: dict = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  #: the notebook folder's files (run path -> SHA-256), once it succeeded

    @property
    def city_id(self) -> str | None:
        """The city of a profile, else ``None``."""
        return self.subject if self.kind == "profile" else None


@dataclass
class Manifest:
    """A run's ``manifest.json``: what ran, with what inputs and code, and how each notebook ended.

    The only code that reads or writes the file; :meth:`read` and :meth:`find` take a run folder.
    """

    run_id: str
    started: str = ""
    git_commit: str = ""
    packages: dict[str, str] = field(default_factory=dict)  #: the versions the annexes' footer names
    finished: str = ""
    status: str = "running"  #: 'running', then 'ok', 'failed' or 'interrupted'
    resumed_from: str = ""
    error: str = ""  #: what stopped the run when it was not a notebook, naming the step and file
    annex: dict | None = None  #: formats, languages and threshold of the annexes, once rendered with one set
    annex_history: list[dict] = field(default_factory=list)
    annex_files: dict[str, str] = field(default_factory=dict)  #: annex file (run path) -> SHA-256
    notebooks: list[NotebookRecord] = field(default_factory=list)
    #: Source id -> the implausible values ``workbench ingest --accept-changes`` published in its
    #: tidy table (its ``.meta.yaml``, key ``accepted_changes``), as the run found them.
    accepted_changes: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)  #: project path -> SHA-256 of every input file
    #: pandoc, Pango, Python and every installed distribution (:func:`software_environment`); empty in manifests before it
    environment: dict = field(default_factory=dict)

    @classmethod
    def start(cls, run_id: str) -> Manifest:
        """The manifest of a run starting now: the commit, the software (:func:`software_environment`) and input checksums."""
        return cls(run_id=run_id, started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   git_commit=git_commit(paths.project_root()), packages=package_versions(),
                   accepted_changes=accepted_changes(), inputs=input_checksums(), environment=software_environment())

    @classmethod
    def read(cls, run_dir: Path) -> Manifest:
        """Read ``<run_dir>/manifest.json``.

        Raises
        ------
        DataError
            If the file is missing or is not a workbench run manifest; the message names it.
        """
        path = Path(run_dir) / MANIFEST_NAME
        if not path.is_file():
            raise DataError(f"{path}: no manifest; is {run_dir} a run folder made by `workbench run`?")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls._from_dict(data, Path(run_dir).name)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DataError(f"{path}: not a workbench run manifest ({exc})") from None

    @classmethod
    def find(cls, run_dir: Path) -> Manifest | None:
        """The manifest of a run folder, or ``None`` when it has none or an unreadable one."""
        try:
            return cls.read(run_dir)
        except (DataError, OSError):
            return None

    def write(self, run_dir: Path, compact: bool = False) -> Path:
        """Write ``<run_dir>/manifest.json`` atomically and return its path.

        ``compact`` leaves the empty fields of each notebook out (the record of :meth:`for_readers`);
        :meth:`read` takes either form.
        """
        data = {k: v for k, v in asdict(self).items() if v or k in _ALWAYS or (k == "annex" and self.annex_history)}
        data["notebooks"] = [{k: v for k, v in asdict(n).items() if not compact or v or k in ("name", "status")}
                             for n in self.notebooks]
        data["environment"] = data.pop("environment", {})  # the long lists last
        data["inputs"] = data.pop("inputs", {})
        return paths.write_atomic(Path(run_dir) / MANIFEST_NAME, json.dumps(data, indent=1, ensure_ascii=False))

    def succeeded(self) -> list[NotebookRecord]:
        """The notebooks that succeeded, in run order."""
        return [n for n in self.notebooks if n.status == "ok"]

    def for_readers(self) -> Manifest:
        """The manifest a published copy of the run carries (``workbench publish``).

        It keeps what a reader checks a number against: the run id, dates, status, git commit,
        package versions, the SHA-256 of every input file and annex file, and for each notebook
        its name, kind, subject, status and the run that computed it. It leaves out the working
        details: the notebooks' parameters, input keys, templates, file lists, errors and times.
        """
        notebooks = [NotebookRecord(n.name, n.kind, n.subject, n.status, reused_from=n.reused_from)
                     for n in self.notebooks]
        return Manifest(run_id=self.run_id, started=self.started, git_commit=self.git_commit,
                        packages=dict(self.packages), finished=self.finished, status=self.status,
                        resumed_from=self.resumed_from, annex=self.annex, annex_history=list(self.annex_history),
                        annex_files=dict(self.annex_files), notebooks=notebooks, inputs=dict(self.inputs))

    def provenance(self) -> dict:
        """What an annex's provenance footer says about the run."""
        return {"run_id": self.run_id, "git_commit": self.git_commit, "started": self.started,
                "packages": dict(self.packages), "inputs": dict(self.inputs)}

    def annex_rendered_with(self) -> dict | None:
        """The one set of annex options all of the run's annex files were rendered with (order-free), if any."""
        return annex_options(self.annex)

    def record_rerender(self, options: dict, when: str | None = None) -> bool:
        """Say that `workbench annex` renders (some of) the annexes again with ``options``.

        With the options the run rendered with, nothing changes (returns ``False``). With other ones
        the run's annex files no longer share one set of options: ``annex`` becomes ``None`` (no later
        run copies them) and ``annex_history`` keeps both sets, oldest first.
        """
        wanted = {"formats": list(options["formats"]), "languages": list(options["languages"]),
                  "threshold": options["threshold"]}
        if self.annex_rendered_with() == annex_options(wanted):
            return False
        history = self.annex_history or ([self.annex] if self.annex else [])
        when = when or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.annex, self.annex_files = None, {}
        self.annex_history = [*history, {**wanted, "rendered": when, "by": "workbench annex"}]
        return True

    @classmethod
    def _from_dict(cls, data: dict, run_id: str) -> Manifest:
        if not isinstance(data.get("notebooks"), list):
            raise ValueError("no 'notebooks' list")
        known = {f.name for f in fields(NotebookRecord)}
        notebooks = []
        for entry in data["notebooks"]:
            if not isinstance(entry.get("name"), str) or not isinstance(entry.get("status"), str):
                raise ValueError("a notebook entry without 'name' or 'status'")
            notebooks.append(NotebookRecord(**{"kind": "", "subject": "", **{k: v for k, v in entry.items() if k in known}}))
        top = {f.name for f in fields(cls)} - {"notebooks"}
        values = {k: v for k, v in data.items() if k in top}
        return cls(**{"run_id": run_id, **values, "annex_history": values.get("annex_history") or [],
                      "annex_files": values.get("annex_files") or {},
                      "accepted_changes": values.get("accepted_changes") or {}}, notebooks=notebooks)


#: Keys written even when empty: a reader can rely on them.
_ALWAYS = {"run_id", "started", "git_commit", "packages", "finished", "status", "notebooks", "inputs", "environment"}


def annex_options(annex: dict | None) -> dict | None:
    """Annex options (formats, languages, threshold) in a form that compares equal whatever their order."""
    if not annex:
        return None
    return {"formats": sorted(annex["formats"]), "languages": sorted(annex["languages"]), "threshold": annex["threshold"]}

"""The software environment: the lock, the interpreter the Makefile picks, and what a manifest records of it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import ROOT
from workbench import provenance
from workbench.provenance import DISTRIBUTION, Manifest

PYTHONS = ("3.11.5", "3.12.1", "3.13.0")
_LOCKED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ; (.+?))?(?: \\)?$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked() -> list[tuple[str, Version, Marker | None, list[str]]]:
    # (name, version, marker, hashes) of every entry of requirements.lock
    entries: list = []
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if match := _LOCKED.match(line):
            marker = Marker(match.group(3)) if match.group(3) else None
            entries.append((canonicalize_name(match.group(1)), Version(match.group(2)), marker, []))
        elif line.strip().startswith("--hash=sha256:") and entries:
            entries[-1][3].append(line.strip())
    return entries


def _environment(python: str, platform: str = "linux") -> dict:
    return {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
            "sys_platform": platform, "platform_python_implementation": "CPython", "implementation_name": "cpython",
            "platform_system": "Linux" if platform == "linux" else "Darwin", "os_name": "posix", "extra": ""}


def test_the_distribution_has_a_name_of_its_own_and_supports_python_3_11_to_3_13():
    project = _pyproject()["project"]
    assert project["name"] == DISTRIBUTION == "city-migration-workbench"
    assert project["requires-python"].startswith(">=3.11") and project["requires-python"].endswith("<3.14")
    assert project["scripts"] == {"workbench": "workbench.cli:main"}, "the import package and command stay `workbench`"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_pins_every_dependency_within_its_range(python: str):
    project = _pyproject()["project"]
    wanted = [Requirement(text) for text in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        wanted += [Requirement(text) for text in extra]
    entries = _locked()
    for platform in ("linux", "darwin"):
        environment = _environment(python, platform)
        chosen = {name: version for name, version, marker, _ in entries if marker is None or marker.evaluate(environment)}
        for requirement in wanted:
            if requirement.marker and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            assert name in chosen, f"requirements.lock: no {name} for Python {python} on {platform}; run `make lock`"
            assert chosen[name] in requirement.specifier, (
                f"requirements.lock: {name}=={chosen[name]} is outside pyproject.toml's {requirement}; run `make lock`")
        assert not any(canonicalize_name(n) == canonicalize_name(DISTRIBUTION) for n in chosen), "the package is not locked"


def test_every_locked_version_has_hashes_and_is_pinned_once():
    entries = _locked()
    assert len(entries) > 100
    for name, version, _, hashes in entries:
        assert hashes, f"requirements.lock: {name}=={version} without --hash (pip --require-hashes refuses it)"
    for python in PYTHONS:
        names = [n for n, _, marker, _ in entries if marker is None or marker.evaluate(_environment(python))]
        assert len(names) == len(set(names)), f"a distribution locked twice for Python {python}"


def test_setup_installs_the_lock_and_make_lock_regenerates_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(STAMP): pyproject.toml $(LOCK)", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet --require-hashes -r $(LOCK)" in recipe
    assert "pip install --quiet --no-deps -e ." in recipe
    lock = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert "uv" in lock and "--generate-hashes" in lock and "--universal" in lock and "--extra test" in lock
    assert (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[1].strip() == "#    make lock"


# --- the interpreter `make setup` makes the venv with -------------------------------------------------

def _fake_python(folder: Path, name: str, version: str) -> Path:
    # answers `--version` with its version and the Makefile's fit check by its exit code, as a real one would
    major, minor, micro = (int(p) for p in version.split("."))
    fits = (3, 11, 5) <= (major, minor, micro) < (3, 14)
    path = folder / name
    path.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "Python {version}"; exit 0; fi\nexit {0 if fits else 1}\n')
    path.chmod(0o755)
    return path


@pytest.fixture
def fake_pythons(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


def _make(tmp_path: Path, folder: Path, *args: str) -> subprocess.CompletedProcess:
    # the Makefile from a folder without .venv, with only the fake interpreters and the system's tools on PATH
    env = {**os.environ, "PATH": f"{folder}:/usr/bin:/bin"}
    env.pop("PYTHON", None)
    return subprocess.run(["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_make_takes_the_newest_python_that_fits(tmp_path: Path, fake_pythons: Path):
    _fake_python(fake_pythons, "python3", "3.10.4")
    _fake_python(fake_pythons, "python3.11", "3.11.9")
    chosen = _fake_python(fake_pythons, "python3.12", "3.12.3")
    result = _make(tmp_path, fake_pythons, "-n", ".venv/bin/python")
    assert result.returncode == 0, result.stderr
    assert f"{chosen} -m venv .venv" in result.stdout
    _fake_python(fake_pythons, "python3.13", "3.13.1")
    assert f"{fake_pythons / 'python3.13'} -m venv .venv" in _make(tmp_path, fake_pythons, "-n", ".venv/bin/python").stdout


def test_make_takes_python3_when_it_fits_and_python_given(tmp_path: Path, fake_pythons: Path):
    (fake_pythons / "python3.13").write_text("#!/bin/sh\nexit 127\n")  # a pyenv shim of a version not enabled
    (fake_pythons / "python3.13").chmod(0o755)
    python3 = _fake_python(fake_pythons, "python3", "3.12.8")
    assert f"{python3} -m venv .venv" in _make(tmp_path, fake_pythons, "-n", ".venv/bin/python").stdout
    given = _fake_python(tmp_path, "my-python", "3.11.7")
    result = _make(tmp_path, fake_pythons, "-n", ".venv/bin/python", f"PYTHON={given}")
    assert f"{given} -m venv .venv" in result.stdout


def test_make_refuses_an_unfit_or_missing_python_in_one_line(tmp_path: Path, fake_pythons: Path):
    old = _fake_python(tmp_path, "old-python", "3.10.12")
    result = _make(tmp_path, fake_pythons, ".venv/bin/python", f"PYTHON={old}")
    assert result.returncode != 0
    assert f"error: PYTHON={old} is not Python 3.11.5 to 3.13 (it says: Python 3.10.12)" in result.stderr
    result = _make(tmp_path, fake_pythons, ".venv/bin/python")
    assert result.returncode != 0
    assert "error: no Python 3.11.5 to 3.13 found (tried python3.13, python3.12, python3.11, python3)" in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_check_pythons_lists_one_interpreter_per_given_path(tmp_path: Path):
    script = ROOT / "scripts" / "check-pythons.sh"
    result = subprocess.run([str(script), "--list", "/opt/python3.12", "/opt/python3.13"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/opt/python3.12", "/opt/python3.13"]


# --- what a manifest records --------------------------------------------------------------------------

def test_installed_distributions_are_every_one_by_normalised_name():
    found = provenance.installed_distributions()
    assert found["pandas"] == importlib.metadata.version("pandas")
    assert found["jinja2"] == importlib.metadata.version("Jinja2") and found["babel"]
    assert found["markdown-it-py"] and found["weasyprint"] and found["mistune"] and found["tinycss2"]
    assert list(found) == sorted(found)


def test_system_versions_name_pandoc_pango_and_harfbuzz_subset():
    system = provenance.system_versions()
    assert set(system) == {"python", "pandoc", "pango", "harfbuzz-subset"}
    assert re.fullmatch(r"\d+(\.\d+)+", system["pandoc"]), system
    assert re.fullmatch(r"1\.\d+\.\d+", system["pango"]), system
    assert system["harfbuzz-subset"] in ("yes", "no")


def test_a_manifest_records_every_distribution_and_the_system_parts(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(provenance, "input_checksums", lambda: {})
    manifest = Manifest.start("run-1")
    assert manifest.environment["distributions"] == provenance.installed_distributions()
    assert manifest.environment["system"]["pandoc"] == provenance.system_versions()["pandoc"]
    assert manifest.packages["pandas"] == importlib.metadata.version("pandas") and DISTRIBUTION in manifest.packages
    manifest.write(tmp_path)
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert list(data)[-2:] == ["environment", "inputs"], "the long lists come last"
    assert Manifest.read(tmp_path).environment == manifest.environment


def test_a_manifest_written_before_the_environment_was_recorded_is_still_read(tmp_path: Path):
    (tmp_path / "manifest.json").write_text(json.dumps({
        "run_id": "old", "started": "2026-01-01T00:00:00+00:00", "git_commit": "abc", "finished": "", "status": "ok",
        "packages": {"workbench": "0.1.0", "pandas": "3.1.1"}, "notebooks": [], "inputs": {}}), encoding="utf-8")
    manifest = Manifest.read(tmp_path)
    assert manifest.environment == {} and manifest.packages["workbench"] == "0.1.0"


def test_no_install_hint_names_another_project():
    # "workbench" on the package index is someone else's project: every hint names this distribution
    wrong = re.compile(r"pip install [-'\"]*(-e )?workbench\b|'workbench\[|\"workbench\[|version\(\"workbench\"\)")
    files = [ROOT / "README.md", ROOT / "Makefile", *(ROOT / "docs").rglob("*.md"), *(ROOT / "src").rglob("*.py"),
             *(ROOT / "benchmarks").rglob("*.py"), *(ROOT / "scripts").glob("*")]
    found = [f"{path.relative_to(ROOT)}: {line.strip()}" for path in files if path.is_file()
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if wrong.search(line)]
    assert not found, found

"""Replace the nbval baseline with the notebooks and saved tables of a fresh run (``make baseline``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from workbench.provenance import Manifest


def replace_baseline(run_dir: Path, baseline_dir: Path) -> list[Path]:
    """Copy ``cities/`` and ``compare/`` of a finished run over the baseline folder.

    Parameters
    ----------
    run_dir
        A run folder whose notebooks all succeeded (its manifest says ``ok``).
    baseline_dir
        ``tests/nbval``; its previous content is removed first.

    Returns
    -------
    list of Path
        The executed notebooks now in the baseline.

    Raises
    ------
    SystemExit
        If the run is incomplete (a baseline is never made from a failed run).
    """
    if Manifest.read(run_dir).status != "ok":
        raise SystemExit(f"{run_dir}: the run has failed notebooks; the baseline was not replaced")
    shutil.rmtree(baseline_dir, ignore_errors=True)
    for part in ("cities", "compare"):
        shutil.copytree(run_dir / part, baseline_dir / part, ignore=shutil.ignore_patterns("*.log"))
    notebooks = sorted(baseline_dir.rglob("*.ipynb"))
    for path in notebooks:
        strip_volatile_metadata(path)
    return notebooks


def strip_volatile_metadata(path: Path) -> None:
    """Remove timings and environment details that change on every run, keeping outputs.

    So that a regenerated baseline differs from the committed one only where results differ.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    papermill = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables", "version"):
        papermill.pop(key, None)
    nb.metadata.get("language_info", {}).pop("version", None)
    nb.metadata.pop("jupytext", None)  # the template's pairing settings: not part of an executed notebook
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id on every run
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, str(path))


if __name__ == "__main__":
    for notebook in replace_baseline(Path(sys.argv[1]), Path(sys.argv[2])):
        print(notebook)

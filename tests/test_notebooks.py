"""Notebook hygiene: thin templates with a documented parameters cell; clean executed baselines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from workbench.reference.params import NOTEBOOK_PARAMS

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "notebooks").glob("*.ipynb"))
BASELINES = sorted((ROOT / "tests" / "nbval").rglob("*.ipynb"))


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_starts_with_title_then_commented_parameters(path: Path):
    nb = _read(path)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] is nb.cells[1]
    names = []
    for line in params[0].source.splitlines():
        assert re.match(r"^\w+ = .+  # \S", line), f"parameter without a comment: {line!r}"
        names.append(line.split(" = ")[0])
    assert names == list(NOTEBOOK_PARAMS[path.stem].model_fields), "parameters differ from the typed model"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_thin_and_clean(path: Path):
    nb = _read(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None, "templates are committed without outputs"
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), "logic belongs in src/workbench"
        if "parameters" not in cell.metadata.get("tags", []):
            assert not re.search(r"read_csv|read_excel|open\(|\.\./", cell.source), "notebooks read no file by path"


@pytest.mark.parametrize("path", BASELINES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_baseline_is_executed_in_order_without_errors(path: Path):
    nb = _read(path)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error"


def test_baselines_cover_every_city_and_the_comparison():
    from workbench.reference.registry import load_cities

    from workbench.batch.tasks import comparisons

    names = {p.parent.name for p in BASELINES}
    assert names == set(load_cities()) | {name for name, _, _ in comparisons()}

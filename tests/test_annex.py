"""Tests of annex rendering from executed notebooks (no re-execution)."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat

from workbench.annex import render_notebook


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    png = base64.b64encode(b"\x89PNG fake").decode()
    meta_table = {"kind": "table", "number": 1, "label": "Table 1", "caption": "Cap", "sources": ["S"], "notes": [], "slug": "table-1-cap"}
    meta_fig = {"kind": "figure", "number": 1, "label": "Figure 1", "caption": "Fig", "sources": ["S"], "notes": [], "slug": "figure-1-fig"}
    code = nbformat.v4.new_code_cell("secret_code()")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="noise"),
        nbformat.v4.new_output("display_data", data={"text/html": '<div class="wb-exhibit" id="table-1-cap"><p class="wb-caption">T</p><table></table></div>', "text/plain": "t"}, metadata={"workbench": meta_table}),
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "[Figure 1]"}, metadata={"workbench_image": "figure-1-fig"}),
        nbformat.v4.new_output("display_data", data={"text/html": '<div class="wb-exhibit"><p class="wb-caption">F</p></div>', "text/plain": "f"}, metadata={"workbench": meta_fig}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "Generated *text*", "text/plain": "m"}),
    ]
    hidden = nbformat.v4.new_markdown_cell("How the code works")
    hidden.metadata["tags"] = ["no-annex"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nIntro.\n\n## 1. Part one\n\nText."), hidden, code]
    out = path / "nb.ipynb"
    nbformat.write(nb, str(out))
    return out


def test_render_notebook_keeps_text_and_exhibits_drops_code(tmp_path: Path):
    page = render_notebook(_notebook(tmp_path), "Annex title", "Sub", "run-1")
    assert "Annex title" in page and "1. Part one" in page and "Intro." in page
    assert "secret_code" not in page and "noise" not in page and "How the code works" not in page
    assert "Table 1. Cap" in page and "Figure 1. Fig" in page
    assert "data:image/png;base64," in page
    assert "<em>text</em>" in page
    assert "run-1" in page

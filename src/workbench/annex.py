"""Render annexes from executed notebooks, without running them again: no code, numbered exhibits."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from workbench import paths
from workbench.errors import DataError
from workbench.provenance import git_commit, package_versions
from workbench.registry import get_city

#: Markdown cells with this tag explain the code and stay out of annexes.
SKIP_TAG = "no-annex"


@dataclass
class _Section:
    heading: str
    anchor: str
    blocks: list[str] = field(default_factory=list)


def render_notebook(notebook: Path, title: str, subtitle: str, run_id: str) -> str:
    """Build the HTML annex of one executed notebook.

    Markdown cells (except those tagged ``no-annex``) become text, Markdown outputs become text,
    exhibit outputs (see :mod:`workbench.exhibits`) become numbered tables and figures with their
    source lines; code, plain outputs and errors are left out.

    Parameters
    ----------
    notebook
        An executed notebook.
    title, subtitle
        Shown at the top.
    run_id
        Named in the provenance footer.

    Returns
    -------
    str
        A self-contained HTML document (images embedded).

    Raises
    ------
    DataError
        If the notebook cannot be read.
    """
    try:
        nb = nbformat.read(str(notebook), as_version=4)
    except (OSError, ValueError) as exc:
        raise DataError(f"{notebook}: cannot read executed notebook ({exc})") from None
    sections = [_Section("", "top")]
    exhibits = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if SKIP_TAG in cell.metadata.get("tags", []):
                continue
            _add_markdown(sections, cell.source)
        elif cell.cell_type == "code":
            images = {
                o.get("metadata", {}).get("workbench_image"): o["data"]["image/png"]
                for o in cell.get("outputs", [])
                if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})
            }
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                meta = output.get("metadata", {}).get("workbench")
                if meta:
                    exhibits.append(meta)
                    sections[-1].blocks.append(_exhibit_html(data.get("text/html", ""), meta, images.get(meta["slug"])))
                elif "text/markdown" in data and "image/png" not in data:
                    sections[-1].blocks.append(markdown2html_mistune(data["text/markdown"]))
    template = _environment().get_template("annex.html.j2")
    return template.render(
        title=title,
        subtitle=subtitle,
        sections=[s for s in sections if s.heading or s.blocks],
        exhibits=exhibits,
        notebook=notebook.name,
        run_id=run_id,
        commit=git_commit(paths.project_root()),
        version=package_versions()["workbench"],
    )


def _add_markdown(sections: list[_Section], source: str) -> None:
    lines = source.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]  # the page title replaces the notebook's own H1
    rest = []
    for line in lines:
        match = re.match(r"^##\s+(.*)", line)
        if match:
            if rest:
                sections[-1].blocks.append(markdown2html_mistune("\n".join(rest)))
                rest = []
            heading = match.group(1).strip()
            sections.append(_Section(html.escape(heading), re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")))
        else:
            rest.append(line)
    if any(line.strip() for line in rest):
        sections[-1].blocks.append(markdown2html_mistune("\n".join(rest)))


def _exhibit_html(fragment: str, meta: dict, png_b64: str | None) -> str:
    if meta["kind"] == "figure" and png_b64:
        image = f'<img class="wb-figure" alt="{html.escape(meta["caption"])}" src="data:image/png;base64,{png_b64}"/>'
        return fragment.replace("</p>", "</p>" + image, 1)
    return fragment


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(paths.PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=False, default=False),
        keep_trailing_newline=True,
    )


def render_run(run_dir: Path, results: list) -> list[Path]:
    """Render the HTML annex of every successful notebook of a run into ``<run>/annex/``.

    Parameters
    ----------
    run_dir
        The run folder.
    results : list of workbench.run.TaskResult
        Only these notebooks are rendered.

    Returns
    -------
    list of Path
        Annex files written.
    """
    out = Path(run_dir) / "annex"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        notebook = Path(result.notebook)
        if result.name.startswith("compare-"):
            title, subtitle = _comparison_titles(result.name.removeprefix("compare-"))
        else:
            city = get_city(result.name)
            title = f"Annex: City Migration Profile of {city.names.en} — statistical tables and figures"
            subtitle = f"{city.names.en} / {city.names.fr} / {city.names.ar} — {city.country_names.en}."
        target = out / f"{result.name}.html"
        tmp = target.with_suffix(".html.tmp")
        tmp.write_text(render_notebook(notebook, title, subtitle, Path(run_dir).name), encoding="utf-8")
        tmp.replace(target)
        written.append(target)
    return written


def _comparison_titles(name: str) -> tuple[str, str]:
    network = "Mediterranean city network"
    if name.startswith("theme-"):
        theme = name.removeprefix("theme-").replace("-", " ")
        return f"Annex: cross-city comparison — {theme}", f"{network}: what the public data say on the peer-learning theme '{theme}'."
    titles = {
        "overview": ("Annex: cross-city comparison of migrant populations", f"{network}: migrant shares by definition and area, north and south shores, city and country, trends."),
        "origins": ("Annex: countries of origin across the network", f"{network}: composition of each city's migrant population and the overlap between cities."),
        "availability": ("Annex: data availability across the network", f"{network}: which indicators of the profile framework the public data cover, city by city."),
    }
    return titles.get(name, (f"Annex: cross-city comparison — {name}", network))


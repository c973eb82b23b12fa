"""Which texts the annexes show, so the catalogs can translate every one of them.

Message ids come from four places:

* the code: every ``T("…")`` call with a literal text in ``src/workbench`` and in the notebooks'
  code cells;
* the notebooks' Markdown cells (except those tagged ``no-annex``), cut into headings and
  paragraphs as :func:`workbench.report.annex_document.markdown_chunks` cuts them;
* the registries: definitions, indicators, framework items, themes, flags, geography levels;
* the executed baseline notebooks (``tests/nbval``): column headers, the cells of the label
  columns (:data:`workbench.report.annex_html.LABEL_COLUMNS`) and every message or label they carry.

``python -m workbench.report.messages`` writes ``src/workbench/locale/workbench.pot`` and merges it into
each language's ``workbench.po`` (new entries empty, old translations kept, obsolete ones
dropped): then translate the empty entries.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import nbformat

from workbench import paths

#: Baseline notebooks whose exhibits list the labels and headers the annexes show.
BASELINE = Path("tests") / "nbval"


def code_messages(files: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(msgid, where) for every ``T("literal", …)`` call in Python sources given as (name, text)."""
    for name, text in files:
        try:
            tree = ast.parse(text)
        except SyntaxError as exc:
            raise SyntaxError(f"{name}: {exc}") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "T" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value, f"{name}:{node.lineno}"


def markdown_messages(notebook: Path) -> Iterator[tuple[str, str]]:
    """(msgid, where) for the headings and paragraphs an annex takes from a notebook's Markdown cells."""
    from workbench.report.annex_document import SKIP_TAG, markdown_chunks

    nb = nbformat.read(str(notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and SKIP_TAG not in cell.metadata.get("tags", []):
            for level, text in markdown_chunks(cell.source):
                yield text, f"{notebook.name}:{cell.get('id', '')}"
                numbered = re.match(r"^\d+\.\s+(.*)$", text, flags=re.S)
                if level and numbered and notebook.name.startswith("compare_"):  # the network annex renumbers these
                    yield numbered.group(1), f"{notebook.name}:{cell.get('id', '')}"


def notebook_code(notebook: Path) -> str:
    """The code cells of a notebook as one Python text (IPython magics left out)."""
    nb = nbformat.read(str(notebook), as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return "\n".join(line for cell in cells for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))


def registry_labels() -> Iterator[tuple[str, str]]:
    """(label, where) for the registry labels an annex may show."""
    from workbench.reference.framework import THEME_LABELS, load_framework
    from workbench.reference.labels import GEOGRAPHY_LABELS
    from workbench.reference.registry import load_cities, load_definitions, load_indicators
    from workbench.tidy.schemas import FLAGS

    for definition in load_definitions().values():
        yield definition.label, "definitions.yaml"
        yield definition.description, "definitions.yaml"
        yield from ((note, "definitions.yaml") for note in definition.country_notes.values())
    for indicator in load_indicators().values():
        yield indicator.label, "indicators.yaml"
    for item in load_framework():
        yield item.label, "framework.yaml"
    yield from ((label, "framework.THEME_LABELS") for label in THEME_LABELS.values())
    yield from ((meaning, "schemas.FLAGS") for meaning in FLAGS.values())
    # every declared display column, so a new header is translated before a baseline shows it
    from workbench.reference.columns import COLUMNS

    yield from ((label, "columns.COLUMNS") for label in COLUMNS)
    yield from ((label, "profile.GEOGRAPHY_LABELS") for label in GEOGRAPHY_LABELS.values())
    yield from ((city.note, "cities.yaml") for city in load_cities().values() if city.note)


def baseline_messages(notebook: Path) -> Iterator[tuple[str, str]]:
    """(msgid, where) for the headers, label cells, messages and labels of an executed notebook."""
    from workbench.report.annex_html import LABEL_COLUMNS, is_translatable

    nb = nbformat.read(str(notebook), as_version=4)
    where = f"{notebook.parent.name}/{notebook.name}"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {})
            if "workbench_text" in meta:
                yield from _walk(meta["workbench_text"], where)
            exhibit = meta.get("workbench")
            if not exhibit:
                continue
            for key in ("caption_i18n", "notes_i18n", "sources_i18n"):
                yield from _walk(exhibit.get(key), where)
            table = exhibit.get("table")
            if table:
                for j, column in enumerate(table["columns"]):
                    if is_translatable(column):
                        yield column, where
                    for row in table["data"]:
                        value = row[j]
                        if isinstance(value, dict):
                            yield from _walk(value, where)
                        elif column in LABEL_COLUMNS and isinstance(value, str) and value and is_translatable(value):
                            yield value, where


def _walk(value, where: str) -> Iterator[tuple[str, str]]:
    # message ids and labels inside a message's JSON form (lists of them too)
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, where)
    elif isinstance(value, dict):
        if "msgid" in value:
            yield value["msgid"], where
            for param in value.get("params", {}).values():
                yield from _walk(param, where)
        elif "label" in value:
            yield value["label"], where
        elif "join" in value:
            yield from _walk(value["join"], where)


def all_messages(root: Path | None = None, baseline: Path | None = None) -> dict[str, list[str]]:
    """Every message id the annexes need, with where each comes from, in a stable order.

    ``baseline`` is a folder of executed notebooks (default ``tests/nbval``; a run folder works).
    """
    root = root or paths.project_root()
    baseline = baseline or root / BASELINE
    found: dict[str, list[str]] = {}

    def add(pairs: Iterable[tuple[str, str]]) -> None:
        for msgid, where in pairs:
            if msgid and msgid.strip():
                found.setdefault(msgid, []).append(where)

    package = root / "src" / "workbench"
    sources = [(str(p.relative_to(root)), p.read_text(encoding="utf-8")) for p in sorted(package.rglob("*.py"))]
    notebooks = sorted((root / "notebooks").glob("*.ipynb"))
    sources += [(str(nb.relative_to(root)), notebook_code(nb)) for nb in notebooks]
    add(code_messages(sources))
    for nb in notebooks:
        add(markdown_messages(nb))
    add(registry_labels())
    for nb in sorted(Path(baseline).rglob("*.ipynb")):
        add(baseline_messages(nb))
    return found


def update_catalogs(root: Path | None = None, baseline: Path | None = None) -> dict[str, int]:
    """Write the template and merge it into each language's catalog.

    Returns
    -------
    dict
        Language → number of entries still untranslated.
    """
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    from workbench.reference.formats import LOCALES
    from workbench.reference.i18n import LANGUAGES, catalog, catalog_path

    messages = all_messages(root, baseline)
    template = Catalog(project="workbench", domain="workbench", fuzzy=False)
    for msgid, where in messages.items():
        template.add(msgid, locations=[(w.rsplit(":", 1)[0], None) for w in dict.fromkeys(where)][:3])
    pot = paths.PACKAGE_DIR / "locale" / "workbench.pot"
    pot.parent.mkdir(parents=True, exist_ok=True)
    with pot.open("wb") as handle:
        write_po(handle, template, width=100, omit_header=False, sort_output=False, no_location=False)
    missing = {}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        path = catalog_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            with path.open("rb") as handle:
                po = read_po(handle, locale=LOCALES[lang].split("_")[0])
        else:
            po = Catalog(locale=LOCALES[lang].split("_")[0], project="workbench", domain="workbench", fuzzy=False)
        po.update(template, no_fuzzy_matching=True)
        po.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, po, width=100, sort_output=False, no_location=False, include_previous=False)
        catalog.cache_clear()
        missing[lang] = sum(1 for m in po if m.id and not m.string)
    return missing


def main(argv: list[str] | None = None) -> int:
    """Rebuild the template and catalogs; print how many entries await translation."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m workbench.report.messages", description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="executed notebooks to take tables' labels from (default tests/nbval)")
    args = parser.parse_args(argv)
    missing = update_catalogs(baseline=args.baseline)
    for lang, count in missing.items():
        print(f"{lang}: {count} entr{'y' if count == 1 else 'ies'} to translate in src/workbench/locale/{lang}/LC_MESSAGES/workbench.po")
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

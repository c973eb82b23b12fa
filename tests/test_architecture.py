"""Tests of the package's shape (docs/architecture.md): no import cycle, small modules, layers kept."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "workbench"
#: A module longer than this answers more than one question: split it (docs/architecture.md).
MAX_LINES = 500
#: Modules directly in src/workbench/ (the top and the foundation); the rest live in the layers' folders.
MAX_TOP_MODULES = 15


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    """The import graph of the package under test, lazy imports inside functions included."""
    # cache_dir=None: grimp would otherwise leave a .grimp_cache folder in the working directory.
    return grimp.build_graph("workbench", cache_dir=None)


def test_the_graph_is_of_this_tree(graph: grimp.ImportGraph):
    import workbench

    # grimp finds the package where Python imports it from: it must be this tree, not another install.
    assert Path(workbench.__file__).resolve().parent == PACKAGE, \
        f"workbench is imported from {workbench.__file__}, not {PACKAGE}: set PYTHONPATH={SRC}"
    assert "workbench.cli" in graph.modules
    assert any(m.startswith("workbench.batch.") for m in graph.modules)


def test_no_import_cycle(graph: grimp.ImportGraph):
    cycles = [_shortest_cycle(graph, group) for group in _strongly_connected(graph)]
    if cycles:
        pytest.fail(f"{len(cycles)} import cycle(s) between modules of workbench (a lazy import inside a function "
                    "counts too; move what both need one layer down, docs/architecture.md):\n" + "\n".join(
                        f"- {len(group)} modules {', '.join(sorted(group))}; e.g. {chain}" for group, chain in cycles),
                    pytrace=False)


def test_the_cycle_finder_names_each_cycle_with_its_lines():
    toy = grimp.ImportGraph()
    for importer, imported, line in [("p.a", "p.b", 3), ("p.b", "p.a", 7), ("p.b", "p.c", 8), ("p.c", "p.d", 1),
                                     ("p.d", "p.e", 2), ("p.e", "p.c", 5)]:
        toy.add_import(importer=importer, imported=imported, line_number=line, line_contents=f"import {imported}")
    found = [_shortest_cycle(toy, group) for group in _strongly_connected(toy)]
    cycles = sorted((sorted(group), chain) for group, chain in found)
    assert cycles == [
        (["p.a", "p.b"], "p.a -> p.b (l.3 of a) -> p.a (l.7 of b)"),
        (["p.c", "p.d", "p.e"], "p.c -> p.d (l.1 of c) -> p.e (l.2 of d) -> p.c (l.5 of e)"),
    ]


def test_every_part_of_the_package_is_in_a_layer():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    layered = {name.strip() for line in config["importlinter:contract:layers"]["layers"].split("\n")
               for name in line.split(":") if name.strip()}
    parts = {f"workbench.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "__main__")}
    parts |= {f"workbench.{path.parent.name}" for path in PACKAGE.glob("*/__init__.py")}
    missing = sorted(parts - layered)
    if missing:
        pytest.fail(f"not in a layer of .importlinter, so lint-imports does not check them: {', '.join(missing)}; "
                    "add each to the layer it belongs to (docs/architecture.md)", pytrace=False)


def test_no_module_over_500_lines():
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in sorted(PACKAGE.rglob("*.py"))}
    over = {path: n for path, n in sizes.items() if n > MAX_LINES}
    if over:
        pytest.fail(f"{len(over)} module(s) over {MAX_LINES} lines: split each by the questions it answers "
                    "(docs/architecture.md):\n" + "\n".join(
                        f"- {path.relative_to(ROOT)}: {n} lines" for path, n in sorted(over.items(), key=lambda kv: -kv[1])),
                    pytrace=False)


def test_at_most_15_modules_directly_in_the_package():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    if len(top) > MAX_TOP_MODULES:
        pytest.fail(f"src/workbench/ holds {len(top)} modules directly (at most {MAX_TOP_MODULES}): {', '.join(top)}; "
                    "move the ones that belong to a layer into its folder (docs/architecture.md)", pytrace=False)


def test_every_module_has_its_line_in_docs_architecture():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    # The page names the source readers' folder only: each source's registry entry names its reader.
    modules = [path for path in sorted(PACKAGE.rglob("*.py"))
               if path.name != "__init__.py" and PACKAGE / "tidy" / "sources" not in path.parents]
    missing = [str(path.relative_to(PACKAGE)) for path in modules
               if not re.search(rf"(?<!\w){re.escape(path.name)}", page)]
    if missing:
        pytest.fail(f"{len(missing)} module(s) not on the map of docs/architecture.md (\"What each module answers\"): "
                    f"{', '.join(missing)}; add one line each saying what it answers", pytrace=False)


def test_lint_imports_keeps_the_layers():
    # A subprocess with this interpreter and this tree's src/ first, as `make lint` runs it; --no-cache
    # so that the check leaves no .import_linter_cache folder behind.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
         "sys.exit(lint_imports_command())", "--no-logo", "--no-cache", str(ROOT / ".importlinter")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )
    if result.returncode != 0:
        pytest.fail("lint-imports failed: a lower layer imports a higher one (.importlinter, docs/architecture.md):\n"
                    f"{result.stdout.strip()}\n{result.stderr.strip()}".rstrip(), pytrace=False)


# --- helpers -------------------------------------------------------------------------------------


def _edges(graph: grimp.ImportGraph, module: str) -> set[str]:
    return graph.find_modules_directly_imported_by(module) & graph.modules


def _strongly_connected(graph: grimp.ImportGraph) -> Iterator[set[str]]:
    """The groups of two or more modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(module: str) -> Iterator[set[str]]:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(_edges(graph, module)):
            if other not in index:
                yield from visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                yield group

    for module in sorted(graph.modules):
        if module not in index:
            yield from visit(module)


def _shortest_cycle(graph: grimp.ImportGraph, group: set[str]) -> tuple[set[str], str]:
    """One shortest cycle through the group's first module, written with the line of each import."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in previous:  # breadth first, inside the group, back to the start
        following = []
        for module in frontier:
            for other in sorted(_edges(graph, module) & group):
                if other not in previous:
                    previous[other] = module
                    following.append(other)
        frontier = following
    path = [start]
    while True:
        path.append(previous[path[-1]])
        if path[-1] == start:
            break
    path.reverse()
    steps = [path[0]]
    for importer, imported in zip(path, path[1:]):
        lines = sorted({d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)})
        steps.append(f"{imported} (l.{', '.join(map(str, lines))} of {importer.rsplit('.', 1)[-1]})")
    return group, " -> ".join(steps)

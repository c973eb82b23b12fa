"""Nothing a user types or an expert writes can reach outside the project or run as code.

Three doors are checked: ids and file names (path traversal, absolute paths, NUL bytes,
look-alike Unicode, symbolic links), expert Markdown shown in HTML annexes (no script, event
attribute, frame or ``javascript:`` link survives), and parameters handed to papermill (they
arrive in the notebook as the identical literal value, and nothing else runs).
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from papermill.translators import PythonTranslator

from conftest import run_cli
from workbench import paths
from workbench.report.annex_document import city_document
from workbench.report.annex_html import render_html
from workbench.report.markdown import clean_html, render_markdown
from workbench.tidy.chapters import Chapter, chapters_markdown
from workbench.errors import ConfigError, UnknownCityError
from workbench.tidy.ingest import ingest, tidy_path
from workbench.reference.params import load_city_params
from workbench.reference.registry import load_sources
from workbench.batch.plan import plan

# --- ids and file names -----------------------------------------------------------------------

#: Ids a user might type, or a file might carry, to reach another file.
UNSAFE_IDS = [
    "../../etc",
    "..",
    ".",
    "",
    "/tmp/x",
    "madrid/../../x",
    "madrid\x00",
    "madrid\n",
    "ma\u0430drid",  # Cyrillic a
    "madrid\u200b",  # zero-width space
    "\uff0e\uff0e\uff0fetc",  # full-width "../"
    "MADRID",
    "mad rid",
    "..\\..\\windows",
    "x" * 65,
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A project-like folder with a data file, a link to a file outside, and a link inside."""
    root = tmp_path / "project"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "madrid.csv").write_text("figure\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the annex\n", encoding="utf-8")
    os.symlink(secret, root / "figures" / "evil.csv")
    os.symlink(tmp_path, root / "figures" / "escape")
    os.symlink(root / "figures" / "madrid.csv", root / "figures" / "alias.csv")
    return root


def test_inside_returns_the_resolved_path_within_root(tree: Path) -> None:
    folder = tree / "figures"
    assert paths.inside("madrid.csv", folder) == (folder / "madrid.csv").resolve()
    assert paths.inside(folder / "madrid.csv", folder) == (folder / "madrid.csv").resolve()
    assert paths.inside(folder, folder) == folder.resolve()
    assert paths.inside("not-yet-written.csv", folder) == folder.resolve() / "not-yet-written.csv"


def test_inside_follows_a_link_that_stays_inside(tree: Path) -> None:
    folder = tree / "figures"
    assert paths.inside("alias.csv", folder) == (folder / "madrid.csv").resolve()


@pytest.mark.parametrize("path", ["../secret.txt", "../../etc/passwd", "/etc/passwd", "a/../../secret.txt"])
def test_inside_refuses_a_path_leading_out(tree: Path, path: str) -> None:
    with pytest.raises(ConfigError, match="outside .*expected a path inside it"):
        paths.inside(path, tree / "figures")


@pytest.mark.parametrize("path", ["evil.csv", "escape/secret.txt", "escape"])
def test_inside_refuses_a_link_leading_out_and_names_it(tree: Path, path: str) -> None:
    link = path.split("/")[0]
    with pytest.raises(ConfigError) as info:
        paths.inside(path, tree / "figures")
    message = str(info.value)
    assert f"figures/{link}: a symbolic link to " in message and "outside" in message, message


def test_inside_refuses_a_nul_byte(tree: Path) -> None:
    with pytest.raises(ConfigError, match="NUL"):
        paths.inside("madrid.csv\x00.txt", tree / "figures")


@pytest.mark.parametrize("name", UNSAFE_IDS, ids=ascii)
def test_named_file_refuses_an_unsafe_id(tree: Path, name: str) -> None:
    with pytest.raises(ConfigError, match="expected a lowercase ASCII slug"):
        paths.named_file(tree / "figures", name, ".csv", "city id")


def test_named_file_refuses_a_link_leading_out(tree: Path) -> None:
    assert paths.named_file(tree / "figures", "madrid", ".csv") == (tree / "figures" / "madrid.csv").resolve()
    with pytest.raises(ConfigError, match=r"figures/evil\.csv: a symbolic link"):
        paths.named_file(tree / "figures", "evil", ".csv", "city id")


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=80))
def test_named_file_never_leaves_its_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    folder = tmp_path_factory.getbasetemp() / "named"
    folder.mkdir(exist_ok=True)
    try:
        file = paths.named_file(folder, name, ".yaml")
    except ConfigError:
        return
    assert file.parent == folder.resolve() and file.name == f"{name}.yaml"


@pytest.mark.parametrize("city_id", ["../../etc", "/tmp/x", "madrid\x00", "ma\u0430drid", "madrid/../vienna"], ids=ascii)
def test_params_of_an_unknown_city_are_never_read(city_id: str) -> None:
    with pytest.raises(UnknownCityError, match="unknown city"):
        load_city_params(city_id)


@pytest.mark.parametrize("source_id", ["../registry/cities", "/etc/passwd", "x\x00"], ids=ascii)
def test_tidy_table_name_cannot_lead_out(source_id: str) -> None:
    with pytest.raises(ConfigError, match="source id"):
        tidy_path(source_id)


def test_ingest_refuses_a_registry_path_leading_out_of_the_raw_folder(tmp_path: Path, monkeypatch) -> None:
    sources = load_sources()
    wien = sources["wien_ogd_population_origin"]
    outside = wien.files[0].model_copy(update={"path": "../outside.csv"})
    (tmp_path / "outside.csv").write_text("NUTS;DISTRICT_CODE\n", encoding="utf-8")
    (tmp_path / "raw").mkdir()
    forged = {**sources, wien.source_id: wien.model_copy(update={"files": [outside]})}
    monkeypatch.setattr("workbench.tidy.ingest.load_sources", lambda: forged)
    with pytest.raises(ConfigError, match="outside .*raw"):
        ingest(tmp_path / "raw", tmp_path / "tidy", [wien.source_id])
    assert not any((tmp_path / "tidy").glob("*.csv"))


@pytest.mark.parametrize(
    "args",
    [["--city", "../../etc"], ["--city", "/tmp/x"], ["--cities", "madrid,../vienna"], ["--city", "ma\u0430drid"]],
    ids=ascii,
)
def test_cli_run_with_a_traversal_city_writes_nothing(args: list[str], project_copy: Path) -> None:
    done = run_cli("run", *args, "--no-annex", root=project_copy, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip().splitlines()[-1].startswith("error: unknown city"), done.stderr
    assert list((project_copy / "outputs").iterdir()) == []


def test_expert_figures_refuse_a_link_leading_out(tmp_path: Path) -> None:
    from workbench.tidy.expert import load_expert_figures

    folder = tmp_path / "figures"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text("city_id,indicator_id\nmadrid,secret\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.csv", folder / "madrid.csv")
    with pytest.raises(ConfigError, match=r"figures/madrid\.csv: a symbolic link"):
        load_expert_figures(folder)


def test_chapters_refuse_a_link_leading_out(tmp_path: Path) -> None:
    from workbench.tidy.chapters import load_chapter_registry, read_chapters

    chapter = load_chapter_registry().ids[0]
    folder = tmp_path / "chapters" / "madrid" / "en"
    folder.mkdir(parents=True)
    (tmp_path / "secret.md").write_text("# Secret\n\nnot for the annex\n", encoding="utf-8")
    os.symlink(tmp_path / "secret.md", folder / f"{chapter}.md")
    with pytest.raises(ConfigError, match=rf"{chapter}\.md: a symbolic link"):
        read_chapters("madrid", "en", tmp_path / "chapters")


# --- expert Markdown in HTML annexes ----------------------------------------------------------

#: Markdown an expert (or someone posing as one) might write to put active content in an annex.
ATTACKS = {
    "script": "<script>alert(1)</script>",
    "img onerror": '<img src=x onerror="alert(1)">',
    "javascript link": "[click](javascript:alert(1))",
    "javascript link, entity": "[click](jav&#x61;script:alert(1))",
    "javascript link, capitals": "[click](JaVaScRiPt:alert(1))",
    "javascript link, escaped colon": "[click](javascript\\:alert(1))",
    "javascript link, pointy brackets": "[click](<javascript:alert(1)>)",
    "javascript link, leading space": "[click](  javascript:alert(1))",
    "javascript image": "![x](javascript:alert(1))",
    "javascript reference": "[x][r]\n\n[r]: javascript:alert(1)",
    "javascript autolink": "<javascript:alert(1)>",
    "data link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript link": "[x](vbscript:msgbox(1))",
    "raw html block": '<div onclick="alert(1)">\n\nhello\n\n</div>',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object": '<object data="javascript:alert(1)"></object>',
    "svg": '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "style": "<style>body{background:url(javascript:alert(1))}</style>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "form": '<form action="https://evil.example"><input name=x><button>go</button></form>',
    "comment": "<!-- <script>alert(1)</script> -->",
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "quote in destination": '[x](https://a.example/" onmouseover="alert(1))',
    "quote in title": '[x](https://a.example "t\\" onmouseover=\\"alert(1)")',
    "quote in image text": '![a" onerror="alert(1)](https://a.example/x.png "y\' onerror=\'alert(1)")',
    "link in a quote": "> [x](javascript:alert(1))",
    "nested link": "[[x](javascript:alert(1))](https://ok.example)",
    "code": "`<script>alert(1)</script>`\n\n```\n<script>alert(1)</script>\n```",
    "heading": "## <script>alert(1)</script>\n\ntext",
}

_ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "style", "form", "input", "button", "meta",
                "link", "base", "svg", "math", "template"}
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcset", "poster", "xlink:href", "background"}


def active_content(fragment: str) -> list[str]:
    """Elements, event attributes and links a browser could act on."""
    found = []
    for tag in BeautifulSoup(fragment, "html.parser").find_all(True):
        if tag.name in _ACTIVE_TAGS and not (tag.name == "input" and tag.get("type") == "checkbox"):
            found.append(f"<{tag.name}>")
        for name, value in tag.attrs.items():
            text = "".join((" ".join(value) if isinstance(value, list) else str(value)).split()).lower()
            if name.lower().startswith("on"):
                found.append(f"<{tag.name} {name}>")
            elif name.lower() in _URL_ATTRIBUTES and not text.startswith(("http://", "https://", "mailto:", "#")):
                found.append(f"<{tag.name} {name}={value!r}>")
            elif name.lower() == "style" and ("url(" in text or "expression" in text):
                found.append(f"<{tag.name} style={value!r}>")
    return found


@pytest.mark.parametrize("markdown", ATTACKS.values(), ids=ATTACKS.keys())
def test_render_markdown_leaves_nothing_active(markdown: str) -> None:
    assert active_content(render_markdown(markdown)) == []


@pytest.mark.parametrize("markdown", ATTACKS.values(), ids=ATTACKS.keys())
def test_render_markdown_leaves_no_raw_tag(markdown: str) -> None:
    page = render_markdown(markdown).lower()
    assert "<script" not in page and "<iframe" not in page and "<svg" not in page and "<img src=x" not in page


def test_safe_links_and_formatting_survive() -> None:
    html = render_markdown("See [the survey](https://example.org/qol?a=1&b=2), [mail](mailto:a@b.example) and **bold**.")
    soup = BeautifulSoup(html, "html.parser")
    assert [a["href"] for a in soup.find_all("a")] == ["https://example.org/qol?a=1&b=2", "mailto:a@b.example"]
    assert soup.find("strong").text == "bold"


_PIECES = st.sampled_from(
    ["<", ">", "&", '"', "'", "(", ")", "[", "]", ":", "!", "/", "\\", " ", "\n", "`", "*", "#", "=", "x",
     "javascript:", "JaVaScript:", "data:", "<script>", "</script>", "onerror=", "<img src=x ", "&#x3C;", "&lt;",
     "](", "<a href=", "<iframe ", "<svg onload=", "> ", "    ", "```", "http://ok.example"]
)


@settings(max_examples=300, deadline=None)
@given(markdown=st.lists(_PIECES, max_size=40).map("".join))
def test_render_markdown_leaves_nothing_active_for_any_text(markdown: str) -> None:
    assert active_content(render_markdown(markdown)) == []


def test_clean_html_removes_what_slipped_through_and_keeps_inert_html_unchanged() -> None:
    dirty = ('<p>a<script>alert(1)</script><a href="javascript:x" onclick="y">l</a><iframe src="https://x">'
             '</iframe><blink>b</blink><img src="data:x" onerror="z"><a href="docs/x.md">r</a></p>'
             '<table><tbody><tr><td style="background:url(x)">t</td></tr></tbody></table>')
    cleaned = clean_html(dirty)
    assert active_content(cleaned) == []
    assert "alert" not in cleaned and "<a>l</a>" in cleaned and ">b<" in cleaned and "docs/x.md" not in cleaned
    clean = ('<p>a <a href="https://x.example" title="t">l</a></p>\n'
             '<table><thead><tr><th style="text-align:center">h</th></tr></thead></table>')
    assert clean_html(clean) == clean


def test_annex_page_of_a_hostile_chapter_has_nothing_active(tmp_path: Path) -> None:
    chapters = [
        Chapter(id=f"c{i}", city_id="madrid", language="en", title=f"Chapter {i}", text=text, path=None,
                location="data/local/chapters/madrid/en", questions=())
        for i, text in enumerate(ATTACKS.values())
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Profile\n\n## 6. Local knowledge"),
        nbformat.v4.new_code_cell(
            "chapters",
            outputs=[nbformat.v4.new_output("display_data", data={"text/markdown": chapters_markdown(chapters)})],
        ),
    ]
    path = tmp_path / "profile.ipynb"
    nbformat.write(notebook, str(path))
    page = render_html(city_document(path, "madrid"), {"run_id": "test"}, lang="en")
    body = BeautifulSoup(page, "html.parser").body
    assert active_content(str(body)) == []
    # raw HTML is dropped (validate warns about it): a pasted script's text is not printed either


@pytest.mark.parametrize("name", ["script", "img onerror", "raw html block", "iframe", "svg", "style", "comment", "heading"])
def test_render_markdown_drops_raw_html_instead_of_printing_it(name: str) -> None:
    # a pasted tag is neither run nor printed as text in a publication (validate warns about it)
    text = BeautifulSoup(render_markdown(ATTACKS[name]), "html.parser").get_text()
    assert "alert" not in text and "<" not in text


# --- parameters reach notebooks as literals ---------------------------------------------------

#: Strings built to break out of a Python string literal.
PAYLOADS = [
    "madrid",
    "it's",
    'say "hi"',
    "'); import os; os.system('touch PWNED') #",
    '"); import os; os.system("touch PWNED") #',
    "\"\"\"; open('PWNED', 'w') #",
    "'''; open('PWNED', 'w') #",
    "line one\nimport os\nos.system('touch PWNED')",
    "back\\slash\\",
    "\\'; open('PWNED','w'); '\\",
    "\\\"; open('PWNED','w'); \"\\",
    "tab\tcarriage\rreturn\x00nul",
    "unicode é ع 漢 \U0001f600 \u2028 \u2029",
    "{city_id}", "%s", "${HOME}", "`id`",
]


@pytest.mark.parametrize("value", PAYLOADS, ids=ascii)
def test_string_parameter_translates_to_the_identical_literal(value: str) -> None:
    source = PythonTranslator.translate(value)
    assert ast.literal_eval(source) == value


@settings(max_examples=500, deadline=None)
@given(value=st.text())
def test_any_string_translates_to_the_identical_literal(value: str) -> None:
    assert ast.literal_eval(PythonTranslator.translate(value)) == value


def test_injected_cell_only_assigns_literals() -> None:
    parameters = {"city_id": PAYLOADS[3], "city_ids": PAYLOADS[:8], "labels": {PAYLOADS[4]: PAYLOADS[7]}, "n": 3}
    tree = ast.parse(PythonTranslator.codify(parameters))
    assigned = {}
    for statement in tree.body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.dump(statement)
        assigned[statement.targets[0].id] = ast.literal_eval(statement.value)
    assert assigned == parameters


def test_run_plan_passes_only_identifiers_and_plain_values(tmp_path: Path) -> None:
    cities, compare = plan(["madrid", "vienna"], tmp_path / "run")
    for task in cities + compare:
        for name, value in task.parameters.items():
            assert name.isidentifier(), name
            assert json.loads(json.dumps(value)) == value, f"{task.name}: {name} is not a plain JSON value"


@pytest.mark.slow
def test_papermill_delivers_hostile_strings_unchanged_and_runs_nothing_else(tmp_path: Path) -> None:
    import papermill as pm

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('value = "default"\nvalues = []\nmapping = {}')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("import json\nprint(json.dumps([value, values, mapping]))")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    template, out = tmp_path / "template.ipynb", tmp_path / "out.ipynb"
    nbformat.write(notebook, str(template))
    sent = [PAYLOADS[3], PAYLOADS, {p: p for p in PAYLOADS}]
    pm.execute_notebook(str(template), str(out), parameters=dict(zip(["value", "values", "mapping"], sent)),
                        kernel_name="python3", cwd=str(tmp_path), progress_bar=False, log_output=False)
    printed = nbformat.read(str(out), as_version=4).cells[-1].outputs[0]["text"]
    assert json.loads(printed) == sent
    assert not (tmp_path / "PWNED").exists()


def test_ingest_takes_a_raw_folder_relative_to_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    # `make ingest` passes RAW=../shared/data/raw: a relative folder is not a path leading out of itself
    from workbench.errors import DataError

    (tmp_path / "raw").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(DataError, match="not found in"):
        ingest(Path("../raw"), tmp_path / "tidy", ["wien_ogd_population_origin"])

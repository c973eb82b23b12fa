"""What a person sees in a real browser: the HTML annex and JupyterLab in headless Chromium, screenshots kept.

Chromium comes from the project's set-up (``make browser``, which ``make test`` runs); a missing
browser fails these tests, it never skips them. Screenshots are written to
``tests/artifacts/browser/`` and named in every failure message.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psutil
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import ROOT
from workbench.batch.tasks import TaskKind, TaskResult
from workbench.provenance import Manifest, NotebookRecord
from workbench.report import annex, annex_document, annex_html
from workbench.batch import lab
from workbench.reference.i18n import render
from workbench.reference.registry import get_city

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "tests" / "artifacts" / "browser"
NOTEBOOK = ROOT / "tests" / "nbval" / "cities" / "tunis" / "profile.ipynb"
PROVENANCE = {"run_id": "test", "git_commit": "-", "started": "", "packages": {}, "inputs": {}}
THRESHOLD = 1000  # as in test_annex_outputs: real cells are suppressed, shares and years still show
TEMPLATE = "notebooks/city_profile.ipynb"
#: Flags of every Chromium started here: no sandbox (root in a container), no GPU, no traffic of its own.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage")
BROWSER_TIMEOUT = 60  # seconds for one Chromium call or one page to settle
SERVER_TIMEOUT = 60  # seconds for JupyterLab to answer /api/status
#: What an error looks like on a page: a Python traceback or exception name, an error output or notice.
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|\b[A-Z]\w*(Error|Exception)\b")
ERROR_SELECTORS = (".jp-Dialog", ".Toastify__toast--error", ".jp-OutputArea-output[data-mime-type*='stderr']",
                   ".output_error", "[class*='traceback']", "[class*='Traceback']")


@pytest.fixture(scope="module")
def chromium() -> str:
    """The ``chromium`` command; the test fails, naming ``make browser``, when it is missing."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("headless Chromium (Debian package 'chromium') is not installed: run `make browser` "
                    "(or `make test`, which runs it)", pytrace=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return binary


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """One headless Chromium call with a fresh profile, within :data:`BROWSER_TIMEOUT`."""
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"chromium did not finish within {BROWSER_TIMEOUT} s: {' '.join(command)}\n{exc.stderr or ''}")
    assert done.returncode == 0, f"chromium exited with {done.returncode}: {' '.join(command)}\n{done.stderr[-3000:]}"
    return done


def _assert_screenshot(path: Path) -> None:
    """The screenshot exists and shows something: more than one colour on the page."""
    assert path.is_file(), f"no screenshot written at {path}"
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20, f"{path}: the page looks blank ({len(colours)} colours)"


def _errors_on(soup: BeautifulSoup) -> list[str]:
    """Every error a person would see on the page: error elements and error text in what is shown."""
    found = [f"{selector}: {element.get_text(' ', strip=True)[:200]}"
             for selector in ERROR_SELECTORS for element in soup.select(selector)]
    # code is not an error: the notebook's own source may name exception classes
    for hidden in soup(["script", "style", "template", "noscript"]) + soup.select(".jp-InputArea-editor"):
        hidden.decompose()
    found += [f"text: {m.group(0)}" for m in ERROR_TEXT.finditer(soup.get_text(" ", strip=True))]
    return found


# --- the HTML annex, served on localhost --------------------------------------------------------


@pytest.fixture(scope="module")
def annex_site(tmp_path_factory):
    """The Tunis annex in English and Arabic, served by http.server on 127.0.0.1 (a free port)."""
    folder = tmp_path_factory.mktemp("annex-site")
    document = annex_document.city_document(NOTEBOOK, "tunis")
    titles = {}
    for lang in ("en", "ar"):
        (folder / f"tunis-{lang}.html").write_text(annex_html.render_html(document, PROVENANCE, THRESHOLD, lang),
                                                   encoding="utf-8")
        titles[lang] = render(document.title, lang)
    with _served(folder) as base:
        yield base, titles


@contextlib.contextmanager
def _served(folder: Path):
    """``folder`` served as static files by http.server on 127.0.0.1 (a free port); yields the base address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the signature of the base class
        pass


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_annex_shows_title_tables_and_no_error(chromium: str, annex_site, lang: str, tmp_path: Path):
    base, titles = annex_site
    url = f"{base}/tunis-{lang}.html"
    shot = ARTIFACTS / f"annex-tunis-{lang}.png"
    shot.unlink(missing_ok=True)
    # one call writes the screenshot and prints the DOM it was taken from
    dom = _run_chromium(chromium, tmp_path / "chromium-profile", f"--screenshot={shot}", "--window-size=1280,2000",
                        "--dump-dom", url).stdout
    seen = f"(screenshot: {shot})"
    _assert_screenshot(shot)
    soup = BeautifulSoup(dom, "html.parser")

    page = soup.find("html")
    assert page.get("lang") == lang and page.get("dir") == ("rtl" if lang == "ar" else "ltr"), f"{page.attrs} {seen}"
    city = getattr(get_city("tunis").names, lang)
    assert soup.title.get_text(strip=True) == titles[lang] and city in titles[lang], f"{soup.title} {seen}"
    assert soup.find("h1").get_text(strip=True) == titles[lang], seen
    tables = [figure.find("table") for figure in soup.select("figure.wb-exhibit") if figure.find("table")]
    assert tables, f"no figure.wb-exhibit holds a table {seen}"
    numbers = [td.get_text(strip=True) for table in tables for td in table.find_all("td")
               if re.search(r"\d", td.get_text())]
    assert len(numbers) >= 10, f"tables show {len(numbers)} cells with numbers {seen}"
    assert not _errors_on(soup), f"{_errors_on(soup)} {seen}"


# --- a run's landing page (index.html), served on localhost -------------------------------------


@pytest.fixture(scope="module")
def run_site(tmp_path_factory):
    """A run folder holding Tunis's annex in English and Arabic (HTML and its tables) and its landing page, served."""
    run_dir = tmp_path_factory.mktemp("run-site") / "20261122T080000Z"
    notebook = run_dir / "cities" / "tunis" / "profile.ipynb"
    shutil.copytree(NOTEBOOK.parent, notebook.parent)  # the executed notebook and the tables it saved
    record = NotebookRecord("tunis", "profile", "tunis", "ok", 1.0, "cities/tunis/profile.ipynb")
    Manifest(run_dir.name, started="2026-11-22T08:00:00+00:00", git_commit="abc123", status="ok",
             notebooks=[record]).write(run_dir)
    result = TaskResult("tunis", TaskKind.PROFILE, "tunis", "ok", 1.0, str(notebook))
    annex.render_run(run_dir, [result], formats=("html",), languages=("en", "ar"), threshold=THRESHOLD)
    with _served(run_dir) as base:
        yield base, run_dir


#: Every link of the page: its href as written and as the browser resolved it.
LINKS = "[...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])"


def _open(browser: _Browser, url: str) -> None:
    browser.call("Page.enable")
    browser.call("Page.navigate", url=url)
    where = browser.wait_for("document.readyState === 'complete' ? location.href : ''", lambda v: v == url)
    assert where == url, f"the browser did not open {url} (it shows {where!r})"


def test_run_landing_page_opens_and_every_link_resolves(browser: _Browser, run_site):
    base, run_dir = run_site
    _open(browser, f"{base}/index.html")
    shot = ARTIFACTS / "run-index.png"
    shot.unlink(missing_ok=True)
    browser.screenshot(shot)
    seen = f"(screenshot: {shot})"
    _assert_screenshot(shot)
    soup = BeautifulSoup(browser.evaluate("document.documentElement.outerHTML"), "html.parser")
    assert browser.evaluate("document.title") == f"City Migration Profiles: run {run_dir.name}", seen
    assert not _errors_on(soup), f"{_errors_on(soup)} {seen}"
    links = browser.evaluate(LINKS)
    inside = [(href, url) for href, url in links if url.startswith(base + "/")]
    # relative links only: the folder can be copied anywhere; the others are the sources' addresses
    assert all(not urlsplit(href).scheme and not href.startswith("/") for href, _ in inside), seen
    assert all(urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != urlsplit(base).netloc
               for _, url in links if not url.startswith(base + "/")), seen
    for href, url in inside:
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.status == 200 and answer.read(), f"{href} does not resolve {seen}"
        assert (run_dir / unquote(href)).is_file(), f"{href} is not a file of the run folder {seen}"
    hrefs = {href for href, _ in inside}
    for lang in ("en", "ar"):
        assert {f"annex/{lang}/tunis.html", f"annex/{lang}/tunis-tables.xlsx", f"annex/{lang}/tunis-tables/table-a-1.csv"} <= hrefs, seen
    files = {p.relative_to(run_dir).as_posix() for p in (run_dir / "annex").rglob("*") if p.is_file()}
    assert files <= hrefs, f"files of annex/ the page does not list: {sorted(files - hrefs)} {seen}"
    assert soup.select("ol.sources li a[rel=external]"), f"no source listed with its address {seen}"


def test_arabic_annex_opened_from_the_landing_page_is_right_to_left(browser: _Browser, run_site):
    base, _ = run_site
    _open(browser, f"{base}/index.html")
    target = next(url for href, url in browser.evaluate(LINKS) if href == "annex/ar/tunis.html")
    name = browser.evaluate("[...document.querySelectorAll('bdi[lang=ar]')].map(b => getComputedStyle(b).direction)")
    assert name and set(name) == {"rtl"}, f"Arabic names on the landing page: {name}"
    _open(browser, target)
    shot = ARTIFACTS / "run-annex-tunis-ar.png"
    shot.unlink(missing_ok=True)
    browser.screenshot(shot)
    _assert_screenshot(shot)
    directions = browser.evaluate("""(() => {
      const cell = document.querySelector('figure.wb-exhibit table td');
      return {page: getComputedStyle(document.documentElement).direction, body: getComputedStyle(document.body).direction,
              cell: cell ? getComputedStyle(cell).direction : null};
    })()""")
    assert directions == {"page": "rtl", "body": "rtl", "cell": "rtl"}, f"{directions} (screenshot: {shot})"


# --- JupyterLab, started with workbench.batch.lab ----------------------------------------------------


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab on a copy of the project (``lab.lab_command``, ``lab.lab_environment``), stopped at the end.

    The copy keeps the tracked notebooks safe from anything the lab writes (checkpoints, an
    autosave); autosave and the news notice are also switched off in the lab's own settings folder.
    """
    with _lab_server(tmp_path_factory) as server:
        yield server


@pytest.fixture
def own_lab_server(tmp_path_factory):
    """A JupyterLab of its own (as :func:`lab_server`): no tab or session left by other tests."""
    with _lab_server(tmp_path_factory) as server:
        yield server


@contextlib.contextmanager
def _lab_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("lab")
    root = work / "project"
    for part in ("data", "params", "notebooks"):
        shutil.copytree(ROOT / part, root / part)
    (root / "outputs").mkdir()
    settings = work / "settings"
    _write_json(settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings", {"autosave": False})
    _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    token = secrets.token_hex(16)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_ROOT", str(root))
        lab.ensure_kernel()
        lab.prepare_city_notebook("tunis")
        env = {**lab.lab_environment(), "JUPYTER_RUNTIME_DIR": str(work / "runtime")}
        extra = [f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={settings}",
                 f"--LabApp.workspaces_dir={work / 'workspaces'}", "--ServerApp.port_retries=0",
                 "--LabApp.expose_app_in_browser=True"]  # window.jupyterapp: Run All as the menu runs it
        process, base, log = _start_lab(env, root, extra, token, work)
    try:
        yield {"base": base, "token": token, "root": root, "log": log}
    finally:
        _stop_lab(process, base, token)


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_lab(env: dict, root: Path, extra: list[str], token: str, work: Path, attempts: int = 3):
    """Start JupyterLab and wait for /api/status; a new port on each of ``attempts`` (another process may take one)."""
    failures = []
    for attempt in range(attempts):
        port = _free_port()
        log = work / f"jupyterlab-{attempt}.log"
        command = lab.lab_command(port, False, extra, TEMPLATE)
        with log.open("wb") as out:
            process = subprocess.Popen(command, env=env, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        return process, base, log
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        _stop_lab(process, base, token)
        failures.append(f"port {port}: {log.read_text(encoding='utf-8', errors='replace')[-2000:]}")
    pytest.fail(f"JupyterLab did not answer /api/status within {SERVER_TIMEOUT} s in {attempts} attempts:\n"
                + "\n".join(failures))


def _stop_lab(process: subprocess.Popen, base: str, token: str) -> None:
    """Shut the kernels down, then terminate the server's process group; kill whatever is left."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        family = []
    if process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5) as answer:
                kernels = json.load(answer)
            for kernel in kernels:
                request = urllib.request.Request(f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE")
                urllib.request.urlopen(request, timeout=10).close()
        except (urllib.error.URLError, OSError, ValueError):
            pass
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # kernels run in sessions of their own: out of the server's group
    _, alive = psutil.wait_procs(family, timeout=5)
    for leftover in alive:
        try:
            leftover.kill()
        except psutil.Error:
            pass


def _signal_group(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)
    except ProcessLookupError:
        pass


class _Browser:
    """Headless Chromium driven over the DevTools protocol (``websocket-client`` comes with jupyter_server)."""

    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1280, 900)):
        self.log = profile.with_suffix(".log")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                 f"--window-size={size[0]},{size[1]}", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True)
        self.socket = None
        self.next_id = 0
        try:
            self._connect(profile / "DevToolsActivePort")
        except BaseException:
            self.close()
            raise

    def _connect(self, port_file: Path) -> None:
        import websocket

        deadline = time.monotonic() + BROWSER_TIMEOUT
        while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"chromium did not open its DevTools port: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=BROWSER_TIMEOUT,
                                                  suppress_origin=True)

    def call(self, method: str, **params) -> dict:
        """Send one DevTools command and return its result (events received meanwhile are dropped)."""
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                assert "error" not in message, f"{method}: {message['error']}"
                return message["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression: str, done, seconds: float = BROWSER_TIMEOUT):
        """Evaluate ``expression`` until ``done(value)`` is true; return the last value (the caller asserts)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                value = self.evaluate(expression)
            except AssertionError:  # the page is between two documents
                value = None
            if done(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.25)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        _signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def browser(chromium: str, tmp_path: Path):
    page = _Browser(chromium, tmp_path / "chromium-profile")
    try:
        yield page
    finally:
        page.close()


#: What the notebook in front shows: tab, title, headings, kernel name and status, dialogs, the cells' text.
LAB_STATE = """(() => {
  const panel = document.querySelector('#jp-main-dock-panel .jp-NotebookPanel:not(.lm-mod-hidden)');
  const status = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel');
  return {
    tab: tab ? tab.textContent : null,
    title: document.title,
    headings: panel ? [...panel.querySelectorAll('.jp-RenderedMarkdown h1')].map(h => h.textContent) : [],
    kernel: panel ? (panel.querySelector('.jp-Toolbar-kernelName') || {}).textContent || null : null,
    status: status ? status.getAttribute('data-status') : null,
    dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText),
    code: panel ? [...panel.querySelectorAll('.jp-InputArea-editor')].map(e => e.innerText).join('\\n') : '',
  };
})()"""


def _open_in_lab(browser: _Browser, lab_server: dict, notebook: str, shot: Path) -> tuple[dict, BeautifulSoup]:
    """Open a notebook in JupyterLab and wait until its kernel is idle (or a dialog shows); screenshot it."""
    url = f"{lab_server['base']}/lab/tree/{notebook}?token={lab_server['token']}"
    name = notebook.rsplit("/", 1)[-1]
    browser.call("Page.enable")
    browser.call("Page.navigate", url=url)
    state = browser.wait_for(LAB_STATE, lambda s: bool(s and (s["dialogs"] or (
        s["tab"] == name and s["kernel"] not in (None, "No Kernel") and s["status"] == "idle" and s["headings"]))))
    shot.unlink(missing_ok=True)
    browser.screenshot(shot)
    soup = BeautifulSoup(browser.evaluate("document.documentElement.outerHTML"), "html.parser")
    return state, soup


def _assert_notebook_seen(state: dict, soup: BeautifulSoup, name: str, shot: Path, log: Path) -> None:
    seen = f"(screenshot: {shot}; server log: {log})"
    _assert_screenshot(shot)
    assert not state["dialogs"], f"JupyterLab shows a dialog: {state['dialogs']} {seen}"
    assert state["tab"] == name, f"the notebook in front is {state['tab']!r}, expected {name} {seen}"
    # the window title names the notebook only a moment after its tab shows: the tab names it
    assert "JupyterLab" in state["title"], f"window title {state['title']!r} {seen}"
    assert any(h.startswith("City Migration Profile") for h in state["headings"]), f"{state['headings']} {seen}"
    assert state["kernel"] and "No Kernel" not in state["kernel"], f"kernel shown: {state['kernel']!r} {seen}"
    assert state["status"] == "idle", f"kernel status {state['status']!r}, expected idle {seen}"
    text = soup.get_text(" ", strip=True)
    for alarm in ("Kernel Error", "Dead kernel", "No Kernel", "Kernel Restarting"):
        assert alarm not in text, f"{alarm!r} on the page {seen}"
    assert not _errors_on(soup), f"{_errors_on(soup)} {seen}"
    # a kernel connection the server failed (a 500 on its websocket) shows later as a dead kernel
    server = log.read_text(encoding="utf-8", errors="replace")
    assert "Uncaught exception" not in server and "Traceback" not in server, f"the server logged an error {seen}"


def test_lab_opens_the_profile_template_with_a_live_kernel(browser: _Browser, lab_server: dict):
    template = (lab_server["root"] / TEMPLATE).read_bytes()
    shot = ARTIFACTS / "lab-city_profile.png"
    state, soup = _open_in_lab(browser, lab_server, TEMPLATE, shot)
    _assert_notebook_seen(state, soup, "city_profile.ipynb", shot, lab_server["log"])
    assert 'city_id = "madrid"' in state["code"], f"parameters cell not shown (screenshot: {shot})"
    assert (lab_server["root"] / TEMPLATE).read_bytes() == template, "opening the template changed it"


def test_lab_opens_a_city_copy_with_its_parameters(browser: _Browser, lab_server: dict):
    shot = ARTIFACTS / "lab-tunis_profile.png"
    state, soup = _open_in_lab(browser, lab_server, "outputs/lab/tunis_profile.ipynb", shot)
    _assert_notebook_seen(state, soup, "tunis_profile.ipynb", shot, lab_server["log"])
    assert 'city_id = "tunis"' in state["code"], f"injected parameters not shown (screenshot: {shot})"


#: What Run All left in the notebook in front: each code cell's execution count and error outputs,
#: read from the notebook's model (JupyterLab 4 draws only the cells in view).
RUN_ALL_STATE = """((path) => {
  try {
    const panel = [...window.jupyterapp.shell.widgets('main')].find(w => w.context && w.context.path === path);
    if (!panel) return {error: 'no tab of ' + path};
    const cells = panel.content.model.cells;
    const counts = [], errors = [];
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (cell.type !== 'code') continue;
      counts.push(cell.executionCount);
      for (const output of cell.outputs.toJSON()) {
        if (output.output_type === 'error') errors.push(output.ename + ': ' + output.evalue);
      }
    }
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return {counts, errors, status: kernel ? kernel.status : null, error: null};
  } catch (e) {
    return {error: String(e)};
  }
})(%r)"""
#: Run All on the notebook at a path, its tab brought to the front first (the menu's Run All runs the tab in front);
#: the tabs of other notebooks (the template, opened by earlier tests) are taken away, unsaved, so that no other
#: notebook can be the one in front when the command runs.
RUN_ALL = """((path) => {
  const tabs = [...window.jupyterapp.shell.widgets('main')];
  for (const w of tabs) { if (w.context && w.context.path !== path) w.dispose(); }
  const panel = tabs.find(w => w.context && w.context.path === path);
  window.jupyterapp.shell.activateById(panel.id);
  // once the notebook tracker has followed the activation (a later turn of the event loop)
  setTimeout(() => window.jupyterapp.commands.execute('notebook:run-all-cells'), 1000);
  return true;
})(%r)"""
#: Seconds allowed for Run All of a city profile (under a minute on a quiet machine).
RUN_ALL_TIMEOUT = 300


def test_lab_runs_all_cells_of_a_city_copy(browser: _Browser, own_lab_server: dict):
    lab_server = own_lab_server
    shot = ARTIFACTS / "lab-tunis-run-all.png"
    state, soup = _open_in_lab(browser, lab_server, "outputs/lab/tunis_profile.ipynb", shot)
    _assert_notebook_seen(state, soup, "tunis_profile.ipynb", shot, lab_server["log"])
    path = "outputs/lab/tunis_profile.ipynb"
    assert browser.evaluate(RUN_ALL % path)
    ran = browser.wait_for(RUN_ALL_STATE % path, lambda s: bool(s and (s["error"] or s["errors"] or (
        s["counts"] and all(c for c in s["counts"]) and s["status"] == "idle"))), seconds=RUN_ALL_TIMEOUT)
    shot.unlink(missing_ok=True)
    browser.screenshot(shot)
    seen = f"(screenshot: {shot}; server log: {lab_server['log']})"
    assert ran and not ran["error"], f"reading the notebook failed: {ran} {seen}"
    assert not ran["errors"], f"Run All raised: {ran['errors']} {seen}"
    assert all(ran["counts"]) and ran["status"] == "idle", f"the last cell did not run: {ran} {seen}"


def test_lab_address_leads_to_the_profile_template(lab_server: dict):
    # what the address JupyterLab prints (or opens) leads to: lab_command's default URL
    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.build_opener(_Stay).open(f"{lab_server['base']}/?token={lab_server['token']}", timeout=10)
    location = answer.value.headers.get("Location", "")
    assert answer.value.code == 302 and location.split("?")[0].endswith(f"/lab/tree/{TEMPLATE}"), location

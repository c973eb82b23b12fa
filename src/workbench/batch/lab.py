"""Start JupyterLab on the project for local experts, a city's profile notebook filled in and ready to run."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from workbench import paths
from workbench.errors import ConfigError
from workbench.reference.params import load_city_params, validate_params

logger = logging.getLogger(__name__)

#: The template a lab copy is made from, and the notebook opened when no city is given.
TEMPLATE = "city_profile.ipynb"
#: The kernel the templates name in their metadata (``kernelspec.name``).
KERNEL_NAME = "python3"
#: The first line of a lab copy's parameters cell: where its values come from.
PARAMETERS_NOTE = ("Parameters written here for {city_id} from {source} by `workbench lab`: "
                   "edit them in this cell, then Run All")
#: JupyterLab's log, beside the lab copies.
LOG_NAME = "jupyterlab.log"
#: An address JupyterLab prints once it serves (``http://localhost:8888/lab?token=...``).
_ADDRESS = re.compile(r"^\s*(https?://(?:localhost|127\.0\.0\.1)\S*)\s*$", re.MULTILINE)
#: Seconds allowed for the check that the kernel's interpreter imports the workbench.
KERNEL_CHECK_TIMEOUT = 120

_SETUP_HINT = "run `make setup` in the project folder, then start the lab again"


def prepare_city_notebook(city_id: str, language: str | None = None) -> Path:
    """Write ``outputs/lab/<city_id>_profile.ipynb``: the profile template with the city's parameters.

    The values of ``params/<city_id>.yaml`` are written into the template's cell tagged
    ``parameters`` itself (:func:`parameters_source`), under a comment saying so: the one cell
    the expert edits (papermill would add a second cell after it, and editing the first would
    change nothing). The notebook is not executed. ``output_dir`` is always ``""``:
    a lab copy saves no tables. A copy that already exists with the same content is left as it
    is. A copy that differs (the expert edited or ran it) is never overwritten: it is first
    renamed to ``<city_id>_profile.ipynb.bak-<YYYYmmdd-HHMMSS>`` beside it, with a warning
    naming that file, and a fresh copy is written. Keeping the old copy rather than refusing
    lets the expert start the lab again at once without losing anything.

    Parameters
    ----------
    city_id
        A city of ``data/registry/cities.yaml`` with a ``params/<city_id>.yaml`` file.
    language
        Language of the local-knowledge chapters shown (``en``, ``fr`` or ``ar``); ``None`` keeps
        the params file's (``en`` when it names none).

    Returns
    -------
    Path
        The notebook written (or left unchanged).

    Raises
    ------
    UnknownCityError
        If the city is not in the registry (the message lists the known cities).
    ConfigError
        If the params file is missing or invalid, or the language is not one of the allowed
        ones (the message names the file, key and allowed values).
    """
    import nbformat
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.iorw import load_notebook_node

    params = load_city_params(city_id)
    values = {**params.model_dump(), "output_dir": ""}
    if language is not None:
        values["language"] = language
        params = validate_params("city_profile", values, f"lab notebook of {city_id}")
        values = params.model_dump()
    root = paths.project_root()
    template = _template()
    target = paths.named_file(paths.outputs_dir() / "lab", city_id, "_profile.ipynb", what="city id")

    # the steps of `papermill --prepare-only`, on a copy whose outputs are cleared, but the values
    # written into the parameters cell itself: one cell the expert edits
    notebook = nbformat.v4.upgrade(load_notebook_node(str(template)))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    cell = next((c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        raise ConfigError(f"{template}: no cell tagged 'parameters' to write the city's values into")
    source = paths.shown(paths.params_dir() / f"{city_id}.yaml", root)
    cell.source = parameters_source(cell.source, values, f"# {PARAMETERS_NOTE.format(city_id=city_id, source=source)}")
    notebook.metadata.setdefault("papermill", {})["parameters"] = values
    notebook = prepare_notebook_metadata(notebook, paths.shown(template, root), paths.shown(target, root))
    notebook = remove_error_markers(notebook)
    text = nbformat.writes(notebook) + "\n"

    if target.exists():
        if target.read_bytes() == text.encode("utf-8"):
            return target
        backup = _backup_name(target)
        os.replace(target, backup)
        logger.warning("%s: differs from a fresh copy of %s (edited or run); kept as %s, a fresh copy written",
                       target, template, backup.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)
    return target


def parameters_source(source: str, values: dict, note: str) -> str:
    """A parameters cell with ``values`` written in: each assignment the cell has gets its value.

    Parameters
    ----------
    source
        The template's parameters cell: one ``name = value  # comment`` per parameter.
    values
        Parameter name -> value (written as papermill writes Python values).
    note
        A comment line put first, saying where the values come from.

    Returns
    -------
    str
        The cell with each assigned name's value replaced (its comment kept), the values the cell
        does not assign added at its end.
    """
    import ast

    from papermill.translators import PythonTranslator

    lines = source.splitlines()
    assigned = set()
    for node in reversed(ast.parse(source).body):  # from the end: line numbers above stay valid
        names = [getattr(t, "id", None) for t in getattr(node, "targets", [])]
        if isinstance(node, ast.Assign) and len(names) == 1 and names[0] in values:
            name = names[0]
            assigned.add(name)
            rest = lines[node.end_lineno - 1][node.end_col_offset:]
            lines[node.lineno - 1:node.end_lineno] = [f"{name} = {PythonTranslator.translate(values[name])}{rest}"]
    lines += [f"{name} = {PythonTranslator.translate(value)}" for name, value in values.items() if name not in assigned]
    return "\n".join([note, *lines])


def default_city() -> str:
    """The city the template's parameters cell names (``city_id = "madrid"``): the lab's default."""
    import ast

    import nbformat

    notebook = nbformat.read(str(_template()), as_version=4)
    for cell in notebook.cells:
        if "parameters" in cell.metadata.get("tags", []):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["city_id"]:
                    return ast.literal_eval(node.value)
    raise ConfigError(f"{_template()}: no city_id in the cell tagged 'parameters'")


def _template() -> Path:
    """``notebooks/city_profile.ipynb``, or an error naming it."""
    template = paths.notebooks_dir() / TEMPLATE
    if not template.is_file():
        raise ConfigError(f"{template}: template not found; expected the project's notebooks/{TEMPLATE}")
    return template


def _backup_name(target: Path) -> Path:
    """A ``.bak-<YYYYmmdd-HHMMSS>`` name beside ``target`` that no file holds yet."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.name}.bak-{stamp}")
    number = 1
    while backup.exists():
        backup = target.with_name(f"{target.name}.bak-{stamp}-{number}")
        number += 1
    return backup


def lab_command(port: int | None, open_browser: bool, extra: Sequence[str] = (),
                start_path: str | None = None, workspaces: Path | None = None) -> list[str]:
    """The command line that starts JupyterLab on the project with this environment's interpreter.

    Parameters
    ----------
    port
        Port to serve on; ``None`` leaves JupyterLab's default (8888, or the next free one).
    open_browser
        Whether JupyterLab opens a browser tab; ``False`` adds ``--no-browser``.
    extra
        Further JupyterLab arguments, passed through unchanged after the workbench's own (so a
        later ``--LabApp.default_url`` given here wins).
    start_path
        The notebook the lab opens, relative to the project root (such as
        ``notebooks/city_profile.ipynb``); ``None`` opens the lab's default view. JupyterLab 4
        takes it as ``--LabApp.default_url=/lab/tree/<path>``: ``--ServerApp.default_url`` is
        overridden by JupyterLab's own default (``/lab``).
    workspaces
        The folder JupyterLab keeps its workspace (open tabs, layout) in
        (``--LabApp.workspaces_dir``); ``None`` leaves the user's own, shared by every lab.

    Returns
    -------
    list of str
        ``[sys.executable, "-m", "jupyterlab", "--ServerApp.root_dir=<project root>", ...]``.
        As root (a container), ``--allow-root`` is added: JupyterLab refuses to start otherwise.

    Raises
    ------
    ConfigError
        If the port is not between 1 and 65535, or ``start_path`` leads out of the project.
    """
    root = paths.project_root()
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}"]
    if start_path is not None:
        target = paths.inside(start_path, root)
        url_path = quote(target.relative_to(root).as_posix())
        command.append(f"--LabApp.default_url=/lab/tree/{url_path}")
    if workspaces is not None:
        command.append(f"--LabApp.workspaces_dir={workspaces}")
    if port is not None:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConfigError(f"--port {port!r}: expected a port number between 1 and 65535")
        command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    command.extend(extra)
    return command


def lab_environment() -> dict[str, str]:
    """The environment JupyterLab and its kernels run in: this one with ``WORKBENCH_ROOT`` set.

    Returns
    -------
    dict
        A copy of ``os.environ`` with ``WORKBENCH_ROOT`` naming the project root, so that the
        kernel of a notebook opened in any folder (``outputs/lab/``) reads this project's data.
    """
    env = dict(os.environ)
    env["WORKBENCH_ROOT"] = str(paths.project_root())
    return env


def ensure_kernel() -> Path:
    """Check that the templates' kernel, ``python3``, runs this environment's interpreter with the workbench.

    JupyterLab started from this interpreter resolves a kernel whose command is ``python`` (the
    kernel ipykernel installs) to that same interpreter. A ``python3`` kernel installed elsewhere
    (``~/.local/share/jupyter/kernels``, a system folder) shadows it and may run another Python.

    Returns
    -------
    Path
        The interpreter the ``python3`` kernel runs.

    Raises
    ------
    ConfigError
        If no ``python3`` kernel is found, or its interpreter is not this environment's or cannot
        import ``ipykernel`` and ``workbench``; the message names the kernel folder and says to run
        ``make setup``.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    manager = KernelSpecManager()
    try:
        spec = manager.get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise ConfigError(f"no Jupyter kernel named '{KERNEL_NAME}' (the one the notebooks name); {_SETUP_HINT}") from None
    where = f"kernel '{KERNEL_NAME}' ({spec.resource_dir})"
    if not spec.argv:
        raise ConfigError(f"{where}: kernel.json has an empty 'argv'; {_SETUP_HINT}")
    # the names jupyter_client replaces by the interpreter that runs JupyterLab
    launcher = spec.argv[0]
    same = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    interpreter = Path(sys.executable) if launcher in same else Path(launcher)
    probe = ("import sys, ipykernel, workbench.paths as p; "
             "print(sys.prefix); print(p.PACKAGE_DIR)")
    env = {**lab_environment(), **(spec.env or {})}
    try:
        done = subprocess.run([str(interpreter), "-c", probe], capture_output=True, text=True, env=env,
                              timeout=KERNEL_CHECK_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"{where}: its interpreter {interpreter} cannot be run ({exc}); {_SETUP_HINT}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConfigError(f"{where}: its interpreter {interpreter} cannot import ipykernel and workbench ({last}); "
                          f"{_SETUP_HINT}")
    lines = done.stdout.strip().splitlines()
    prefix, package = (lines + ["", ""])[:2]
    if Path(prefix).resolve() != Path(sys.prefix).resolve() or Path(package).resolve() != paths.PACKAGE_DIR:
        raise ConfigError(f"{where}: runs {interpreter} (environment {prefix}, workbench from {package}), not this "
                          f"environment {sys.prefix} with workbench from {paths.PACKAGE_DIR}; remove that kernel "
                          f"folder or {_SETUP_HINT}")
    return interpreter


def start_lab(city_id: str | None, port: int | None = None, open_browser: bool = True,
              extra: Sequence[str] = ()) -> int:
    """Run JupyterLab on the project in the foreground, a profile notebook open; return its exit code.

    The city's notebook is prepared first (:func:`prepare_city_notebook`) and opened; without a
    city, that of the template's own default (:func:`default_city`, madrid). The template itself
    is not opened, so that running and autosaving it in the lab never writes outputs into the
    committed ``notebooks/city_profile.ipynb`` (it can be opened from the file browser to change
    the template; Run All works there too). JupyterLab runs with ``WORKBENCH_ROOT`` set to the project
    root, with a fresh workspace (``outputs/lab/.workspaces/<city>/``, emptied at each start: no
    tab of another city or session is restored), and writes its log to
    ``outputs/lab/jupyterlab.log``; once it serves, the log's path and then its address, on the
    last line, are printed (a server that ends before, as with ``--version``, has its log printed).
    Ctrl-C reaches JupyterLab (which asks to confirm, or stops at a second Ctrl-C) and this
    function waits for it to end.

    Parameters
    ----------
    city_id
        A city id, or ``None``.
    port, open_browser, extra
        As for :func:`lab_command`.

    Returns
    -------
    int
        JupyterLab's exit code.

    Raises
    ------
    UnknownCityError, ConfigError
        Before JupyterLab starts: an unknown city, a wrong params file or port, or a kernel that
        is not this environment's (:func:`ensure_kernel`).
    """
    ensure_kernel()
    root = paths.project_root()
    city_id = city_id if city_id is not None else default_city()
    notebook = prepare_city_notebook(city_id)
    workspaces = notebook.parent / ".workspaces" / city_id
    shutil.rmtree(workspaces, ignore_errors=True)
    workspaces.mkdir(parents=True)
    command = lab_command(port, open_browser, list(extra), notebook.relative_to(root).as_posix(), workspaces)
    log = notebook.parent / LOG_NAME
    logger.info("starting %s", " ".join(command))
    started: list[subprocess.Popen] = []
    # installed before the start, so no Ctrl-C can stop this process and leave JupyterLab running
    # (a Python handler is not inherited by the new program, an ignored signal would be)
    previous = {number: signal.signal(number, _passer(started)) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with log.open("w", encoding="utf-8") as written:
            started.append(subprocess.Popen(command, env=lab_environment(), cwd=root, stdout=written,
                                            stderr=subprocess.STDOUT))
        address = _wait_for_address(started[0], log)
        if address is None:  # ended before it served: what it said is all there is
            sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
        else:
            print(f"JupyterLab serves {paths.shown(notebook, root)} for {city_id}; its log: {log}; "
                  "Ctrl-C stops it. Open this address:", flush=True)
            print(address, flush=True)
        return started[0].wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _wait_for_address(process: subprocess.Popen, log: Path) -> str | None:
    """The first address JupyterLab writes into its log once it serves, or ``None`` if it ended first."""
    while True:
        ended = process.poll() is not None
        text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        found = _ADDRESS.search(text)
        if found:
            return found.group(1)
        if ended:
            return None
        time.sleep(0.2)


def _passer(started: list[subprocess.Popen]):
    """A signal handler that lets JupyterLab, not this process, decide how to stop."""

    def handler(signum, frame) -> None:
        # Ctrl-C at a terminal reaches the whole foreground process group, JupyterLab included:
        # sending it again would count as the second Ctrl-C that skips JupyterLab's confirmation
        if signum == signal.SIGINT and _in_terminal_foreground():
            return
        for process in started:
            if process.poll() is None:
                process.send_signal(signum)

    return handler


def _in_terminal_foreground() -> bool:
    """Whether this process runs in the foreground of a terminal (whose Ctrl-C its whole group receives)."""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError, AttributeError):
        return False

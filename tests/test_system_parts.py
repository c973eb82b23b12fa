"""System parts checked before anything runs (Pango, fonts, pandoc), and where log records go during a run."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.cli.logs import LOG_NAME, run_log
from workbench.errors import SystemPartError
from workbench.report import requirements
from workbench.report.requirements import check_parts, missing_parts

ALL = ("html", "docx", "pdf")


@pytest.fixture(autouse=True)
def root_logger():
    """The root logger's handlers and level as they were: main() adds its terminal handler."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def machine(monkeypatch):
    """A machine with every part; a test takes parts away by changing the dict."""
    parts = {"pango": (1, 50, 12), "fonts": {"DejaVu Sans", "Amiri"}, "pandoc": True}
    monkeypatch.setattr(requirements, "pango_version",
                        lambda: (parts["pango"], "") if parts["pango"] else (None, "cannot load library 'libpango-1.0-0'"))
    monkeypatch.setattr(requirements, "has_font", lambda family: family in parts["fonts"])
    monkeypatch.setattr(requirements, "pandoc_found", lambda: parts["pandoc"])
    return parts


def test_a_complete_machine_writes_every_format_and_language(machine):
    assert missing_parts(ALL, ("en", "fr", "ar")) == []
    check_parts(ALL, ("en", "fr", "ar"))


def test_missing_pango_names_the_packages_and_the_formats_without_pdf(machine):
    machine["pango"] = None
    with pytest.raises(SystemPartError) as caught:
        check_parts(ALL, ("en",))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("PDF annexes need Pango >= 1.44.0 (WeasyPrint cannot load it: cannot load library")
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in message and "conda-forge pango" in message
    assert message.endswith("or leave them out with --format html,docx")
    check_parts(("html", "docx"), ("en",))  # what the message proposes works


def test_an_old_pango_is_named_with_its_version(machine):
    machine["pango"] = (1, 42, 4)
    with pytest.raises(SystemPartError, match=r"Pango >= 1\.44\.0 \(found 1\.42\.4\)"):
        check_parts(("pdf",), ("en",))


def test_missing_fonts_say_make_fonts(machine):
    machine["fonts"] = set()
    with pytest.raises(SystemPartError) as caught:
        check_parts(("html", "pdf"), ("en", "ar"))
    message = str(caught.value)
    assert "PDF annexes need the font DejaVu Sans: make fonts" in message
    assert "Arabic PDF annexes need the font Amiri: make fonts" in message
    assert message.endswith("or leave them out with --format html")


def test_the_arabic_font_is_needed_only_for_arabic_pdf(machine):
    machine["fonts"] = {"DejaVu Sans"}
    check_parts(ALL, ("en", "fr"))
    check_parts(("html", "docx"), ("en", "fr", "ar"))
    with pytest.raises(SystemPartError) as caught:
        check_parts(ALL, ("en", "fr", "ar"))
    assert str(caught.value).endswith("or leave them out with --lang en,fr or --format html,docx")


def test_missing_pandoc_is_needed_for_word_only(machine):
    machine["pandoc"] = False
    check_parts(("html", "pdf"), ("en",))
    with pytest.raises(SystemPartError) as caught:
        check_parts(ALL, ("en",))
    message = str(caught.value)
    assert message.startswith("Word annexes need pandoc: pip install pypandoc-binary")
    assert message.endswith("--format html,pdf")


def test_several_missing_parts_make_one_line(machine):
    machine.update(pango=None, pandoc=False, fonts={"DejaVu Sans"})
    with pytest.raises(SystemPartError) as caught:
        check_parts(ALL, ("en", "ar"))
    message = str(caught.value)
    assert "\n" not in message and "Pango" in message and "pandoc" in message
    assert "Amiri" in message, "everything to install is named at once"
    assert message.endswith("or leave them out with --format html")


def test_the_probes_answer_on_this_machine():
    # the real probes run (whatever this machine has): a version, a yes or no
    version, reason = requirements.pango_version()
    assert (version is None) == bool(reason)
    assert requirements.has_font("No Such Font Family 20") is False
    assert isinstance(requirements.pandoc_found(), bool)


def test_run_refuses_before_anything_runs(machine, project_copy: Path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    machine["fonts"] = {"DejaVu Sans"}
    # Madrid has no Arabic annex: the missing Arabic font does not stop its run (it fails later, on the engine)
    monkeypatch.setattr("workbench.batch.engines.create", _refuse_engine)
    assert main(["run", "--city", "madrid", "--no-compare", "--format", "pdf"]) == 2
    assert "engine checked" in capsys.readouterr().err
    # Tunis has one: refused in one line before anything is made
    code = main(["run", "--city", "tunis", "--no-compare", "--format", "html,pdf"])
    err = capsys.readouterr().err
    assert code == SystemPartError.exit_code and err.count("\n") == 1
    assert err.startswith("error: Arabic PDF annexes need the font Amiri: make fonts")
    assert err.rstrip().endswith("--lang en,fr or --format html")
    assert list((project_copy / "outputs").iterdir()) == [], "nothing made, no lock left"


def _refuse_engine(*args, **kwargs):
    from workbench.errors import ConfigError

    raise ConfigError("engine checked")


def test_annex_refuses_before_writing(machine, project_copy: Path, monkeypatch, capsys):
    from workbench.provenance import Manifest, NotebookRecord

    monkeypatch.setenv("WORKBENCH_ROOT", str(project_copy))
    run = project_copy / "outputs" / "run-a"
    run.mkdir()
    Manifest("run-a", status="ok", notebooks=[NotebookRecord("madrid", "profile", "madrid", "ok", 1.0,
                                                             "cities/madrid/profile.ipynb")]).write(run)
    machine["pandoc"] = False
    code = main(["annex", "--run", str(run), "--format", "docx"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: Word annexes need pandoc") and err.count("\n") == 1
    assert sorted(p.name for p in run.iterdir()) == ["manifest.json"], "nothing written, not even the log"


# --- where log records go -----------------------------------------------------------------------


def terminal() -> None:
    """The terminal handler alone on the root logger, as logging.basicConfig makes it (the command's own).

    Made in the test itself: the captured sys.stderr of a fixture's set-up is closed when the test runs.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def test_other_programs_warnings_go_to_the_run_log_ours_to_the_terminal(capsys, tmp_path: Path):
    terminal()
    with run_log() as log:
        logging.getLogger("weasyprint").warning("before the run folder exists")
        log.open(tmp_path / LOG_NAME, "workbench run --city madrid")
        logging.getLogger("weasyprint").warning('Using fontTools instead of HarfBuzz-Subset for font "DejaVu Sans"')
        logging.getLogger("workbench.batch.publish").warning("our one line")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("a matplotlib-like warning", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "WARNING workbench.batch.publish: our one line\n"
    text = (tmp_path / LOG_NAME).read_text(encoding="utf-8")
    assert text.startswith("--- workbench run --city madrid, ")
    for line in ("WARNING weasyprint: before the run folder exists", "HarfBuzz-Subset", "our one line",
                 "WARNING py.warnings:", "a matplotlib-like warning"):
        assert line in text
    assert text.index("before the run folder exists") < text.index("HarfBuzz-Subset"), "kept, then written first"
    logging.getLogger("weasyprint").warning("after the command")
    assert "after the command" in capsys.readouterr().err, "the routing ends with the command"


def test_without_a_log_file_nothing_is_lost(capsys, tmp_path: Path):
    terminal()
    with run_log() as log:
        logging.getLogger("fontTools").warning("said before the run was refused")
        log.open(tmp_path / "missing-folder" / LOG_NAME, "workbench run")  # cannot be made: no file
    assert log.path is None
    assert "WARNING fontTools: said before the run was refused" in capsys.readouterr().err


def test_a_full_disk_stops_the_log_not_the_run(capsys, tmp_path: Path):
    terminal()
    with run_log() as log:
        log.open(tmp_path / LOG_NAME, "workbench run")

        class Full:
            def write(self, text):
                raise OSError(28, "No space left on device")

            def close(self):
                pass

        log._file = Full()
        logging.getLogger("weasyprint").warning("lost")
        logging.getLogger("weasyprint").warning("lost too")
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err

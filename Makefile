# Two commands for a fresh machine with Python 3.11 and pip:
#   make profiles   set up .venv, run the whole batch on the embedded data, print where the annexes are
#   make test       set up .venv (with test extras), check the import layers, run unit tests and the nbval regression checks
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    ?= ../shared/data/raw
NBVAL_DIR := tests/nbval
NBVAL_TMP := .nbval-run

.PHONY: help setup profiles test fonts browser apt-install lint unit nbval baseline benchmark catalogs ingest validate lab clean

help:
	@echo "make profiles   set up .venv, run every city profile and comparison, write the annexes (HTML, Word, PDF; en/fr/ar)"
	@echo "make test       set up .venv and run the whole test suite (import layers, unit tests, nbval regression)"
	@echo "make fonts      install the annex fonts, DejaVu (Latin) and Amiri (Arabic PDFs), and HarfBuzz's font subsetter (Debian apt-get; as root or with sudo)"
	@echo "make browser    install the fonts and headless Chromium for the browser tests (Debian apt-get)"
	@echo "make baseline   re-execute the nbval baseline notebooks (only when a change of numbers is intended)"
	@echo "make benchmark  time the batch (naive papermill loop vs workbench run, cached reruns, city briefs); prints figures"
	@echo "make catalogs   list new texts to translate in src/workbench/locale/*/LC_MESSAGES/workbench.po"
	@echo "make ingest     rebuild data/tidy from RAW=$(RAW)"
	@echo "make validate   check registries, tidy tables, expert figures and params"
	@echo "make lab        start JupyterLab on the project, a city profile notebook ready for Run All (workbench lab)"

setup: $(STAMP)

$(BIN)/python:
	@test -n "$(PYTHON)" || (echo "error: python3.11 not found" >&2; exit 1)
	$(PYTHON) -m venv $(VENV) || ( $(PYTHON) -m pip install --quiet --user virtualenv && $(PYTHON) -m virtualenv $(VENV) )

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name workbench --display-name "Python 3 (workbench)" >/dev/null
	if [ -e .git ] && command -v git >/dev/null; then $(BIN)/nbdime config-git --enable >/dev/null \
	  && git config diff.jupyternotebook.command "$(abspath $(BIN))/git-nbdiffdriver diff" \
	  && git config merge.jupyternotebook.driver "$(abspath $(BIN))/git-nbmergedriver merge %O %A %B %L %P"; fi
	touch $@

profiles: fonts $(STAMP)
	$(BIN)/workbench run

test: browser lint unit nbval

# The layers of docs/architecture.md: a lower layer never imports a higher one (.importlinter).
lint: $(STAMP)
	$(BIN)/lint-imports --no-logo --no-cache

# System parts the annexes need: the DejaVu fonts (Latin), Amiri (Arabic PDFs), HarfBuzz's subsetter
# (WeasyPrint embeds font subsets with it; without it, with fontTools and a warning per font) and, for
# the browser tests (tests/test_browser.py opens the annexes, the run site and JupyterLab), headless
# Chromium. Debian packages, installed with apt-get (as root or with sudo) when one is missing.
# `workbench run` checks the parts its formats and languages need before anything runs.
FONT_PACKAGES := fonts-dejavu-core fonts-hosny-amiri
PDF_PACKAGES  := libharfbuzz-subset0

fonts:
	@if fc-list 2>/dev/null | grep -q DejaVuSans && fc-list 2>/dev/null | grep -q Amiri \
	  && { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libharfbuzz-subset\.so\.0'; then exit 0; fi; \
	$(MAKE) --no-print-directory apt-install PACKAGES="$(FONT_PACKAGES) $(PDF_PACKAGES)"

browser: fonts
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	$(MAKE) --no-print-directory apt-install PACKAGES="chromium"; \
	command -v chromium >/dev/null 2>&1 || { echo "error: apt-get ran but chromium is still not on PATH" >&2; exit 1; }

apt-install:
	@command -v apt-get >/dev/null 2>&1 || { echo "error: $(PACKAGES) missing and there is no apt-get: install them with the system's package manager" >&2; exit 1; }; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "error: installing $(PACKAGES) needs root: sudo apt-get install $(PACKAGES), then run make again" >&2; exit 1; fi; \
	echo "installing $(PACKAGES) (apt-get)"; \
	{ $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(PACKAGES); } \
	  || { echo "error: apt-get could not install $(PACKAGES) (see its message above)" >&2; exit 1; }

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# nbval re-executes a copy of the committed baseline (notebooks write their tables beside them).
nbval: $(STAMP)
	rm -rf $(NBVAL_TMP) && cp -r $(NBVAL_DIR) $(NBVAL_TMP)
	$(BIN)/python -m pytest --nbval --nbval-current-env -p no:cacheprovider $(NBVAL_TMP)/cities/*/profile.ipynb $(NBVAL_TMP)/compare/*/*.ipynb
	rm -rf $(NBVAL_TMP)

# The baseline run is removed afterwards: outputs/last-attempt goes back to the run it pointed at.
baseline: $(STAMP)
	rm -rf $(NBVAL_TMP)-new
	@prev=$$(readlink outputs/last-attempt 2>/dev/null || true); \
	$(BIN)/workbench run --run-dir $(NBVAL_TMP)-new --no-annex --force \
	  && $(BIN)/python -m workbench.batch.baseline $(NBVAL_TMP)-new $(NBVAL_DIR); status=$$?; \
	rm -rf $(NBVAL_TMP)-new; \
	if [ -n "$$prev" ]; then ln -sfn "$$prev" outputs/last-attempt; else rm -f outputs/last-attempt; fi; \
	exit $$status

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run_benchmarks.py

catalogs: $(STAMP)
	$(BIN)/python -m workbench.report.messages

ingest: $(STAMP)
	$(BIN)/workbench ingest --raw $(RAW)

validate: $(STAMP)
	$(BIN)/workbench validate

lab: $(STAMP)
	$(BIN)/workbench lab

clean:
	rm -rf $(VENV) $(NBVAL_TMP) $(NBVAL_TMP)-new

# Two commands for a fresh machine with Python 3.11, 3.12 or 3.13 and pip:
#   make profiles   set up .venv, run the whole batch on the embedded data, print where the annexes are
#   make test       set up .venv (with test extras), check the import layers, run unit tests and the nbval regression checks
# The venv is made with PYTHON=/path/to/python if given, else with the newest of python3.13, python3.12,
# python3.11 and python3 whose version fits requires-python (pyproject.toml); it installs requirements.lock.
PY_FITS := import sys; sys.exit(not (3, 11, 5) <= sys.version_info[:3] < (3, 14))
PYTHON  ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
             command -v $$p >/dev/null 2>&1 && $$p -c '$(PY_FITS)' >/dev/null 2>&1 && { command -v $$p; break; }; done)
LOCK   := requirements.lock
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RAW    ?= ../shared/data/raw
NBVAL_DIR := tests/nbval
NBVAL_TMP := .nbval-run

.PHONY: help setup lock pythons profiles test fonts browser apt-install lint unit nbval baseline benchmark catalogs ingest validate lab clean

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
	@echo "make lock       regenerate $(LOCK) from pyproject.toml with uv (LOCK_FLAGS=--upgrade to take newer versions)"
	@echo "make pythons    in a throwaway venv per Python 3.11-3.13 found: install the lock, fast unit tests, Madrid end to end"

setup: $(STAMP)

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: no Python 3.11.5 to 3.13 found (tried python3.13, python3.12, python3.11, python3): install one, or give PYTHON=/path/to/python" >&2; exit 1; }
	@$(PYTHON) -c '$(PY_FITS)' >/dev/null 2>&1 || { echo "error: PYTHON=$(PYTHON) is not Python 3.11.5 to 3.13 (it says: $$($(PYTHON) --version 2>&1 | head -n 1)); give another PYTHON=" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || ( $(PYTHON) -m pip install --quiet --user virtualenv && $(PYTHON) -m virtualenv $(VENV) )

# The exact versions of every dependency (with their hashes) come from the lock; the package itself
# is then installed editable without resolving anything again. A .venv made before the package was
# renamed city-migration-workbench has it as "workbench" too: that one goes first.
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip uninstall --quiet --yes workbench >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check >&2; exit 1; }
	$(BIN)/python -m ipykernel install --sys-prefix --name workbench --display-name "Python 3 (workbench)" >/dev/null
	if [ -e .git ] && command -v git >/dev/null; then $(BIN)/nbdime config-git --enable >/dev/null \
	  && git config diff.jupyternotebook.command "$(abspath $(BIN))/git-nbdiffdriver diff" \
	  && git config merge.jupyternotebook.driver "$(abspath $(BIN))/git-nbmergedriver merge %O %A %B %L %P"; fi
	touch $@

# One lock for Python 3.11.5-3.13 on Linux and macOS ([tool.uv] environments), with the test extras
# (which include the distributed ones). uv keeps the versions already locked unless pyproject.toml asks
# for others, or LOCK_FLAGS=--upgrade (or --upgrade-package NAME). uv comes from PATH, else from a
# throwaway venv in a temporary folder.
LOCK_FLAGS ?=

lock:
	@uv=$$(command -v uv || true); tmp=""; \
	if [ -z "$$uv" ]; then tmp=$$(mktemp -d) && $(PYTHON) -m venv "$$tmp" && "$$tmp/bin/python" -m pip install --quiet uv \
	  && uv="$$tmp/bin/uv" || { echo "error: could not install uv into a temporary venv (see above)" >&2; exit 1; }; fi; \
	"$$uv" pip compile pyproject.toml --extra test --universal --python-version 3.11.5 --generate-hashes \
	  --custom-compile-command "make lock" --quiet $(LOCK_FLAGS) -o $(LOCK); status=$$?; \
	if [ -n "$$tmp" ]; then rm -rf "$$tmp"; fi; exit $$status

# Each Python 3.11-3.13 on this machine (PATH and pyenv): a venv from the lock, fast unit tests, one city.
pythons:
	scripts/check-pythons.sh

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

# storyarchive — the two quick-start commands are `make demo` and `make test`.
# Each one installs what it needs (a local virtual environment from requirements.lock).
# `make check` is the fast loop while working (the tests that start no process, see
# tests/slow.py); `make eval` checks the quality goals on the hand-labelled sets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPLAY_VENV := .venv-replay
WACZ_VENV := .venv-wacz
PIP_QUIET := --quiet --disable-pip-version-check
# pip before 23.3 does not match normalized extra names (PEP 685), so installing jusText's
# lxml[html_clean] warns "lxml ... does not provide the extra 'html_clean'" though
# lxml_html_clean is in the lock. Each virtual environment gets this pip first.
PIP_VERSION := 25.3
PYTEST_ARGS ?=

.PHONY: demo test check eval bench lint lock install install-replay install-wacz system-deps clean

install: $(STAMP)

$(STAMP): Makefile requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) "pip==$(PIP_VERSION)" 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/pip install $(PIP_QUIET) -r requirements.lock 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/pip install $(PIP_QUIET) --no-deps -e . 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/python -c "import scrapy, trafilatura, warcio, boto3, storyarchive"
	touch $(STAMP)

# pywb pins versions that conflict with the crawler's, so replay gets its own environment.
install-replay: $(REPLAY_VENV)/.installed

$(REPLAY_VENV)/.installed: requirements-replay.lock
	test -x $(REPLAY_VENV)/bin/python || $(PYTHON) -m venv $(REPLAY_VENV)
	$(REPLAY_VENV)/bin/pip install $(PIP_QUIET) "pip==$(PIP_VERSION)" 2>&1 | grep -v "is ignored: it is neither" || true
	$(REPLAY_VENV)/bin/pip install $(PIP_QUIET) -r requirements-replay.lock 2>&1 | grep -v "is ignored: it is neither" || true
	$(REPLAY_VENV)/bin/wb-manager --help >/dev/null
	touch $@

# py-wacz (`wacz validate`, which the WACZ tests run) brings frictionless and its many
# dependencies: its own environment keeps them out of the crawler's and pywb's.
install-wacz: $(WACZ_VENV)/.installed

$(WACZ_VENV)/.installed: requirements-wacz.lock
	test -x $(WACZ_VENV)/bin/python || $(PYTHON) -m venv $(WACZ_VENV)
	$(WACZ_VENV)/bin/pip install $(PIP_QUIET) "pip==$(PIP_VERSION)" 2>&1 | grep -v "is ignored: it is neither" || true
	$(WACZ_VENV)/bin/pip install $(PIP_QUIET) -r requirements-wacz.lock 2>&1 | grep -v "is ignored: it is neither" || true
	$(WACZ_VENV)/bin/wacz --version >/dev/null
	touch $@

# System packages the tests drive for real: redis-server, chromium, wget (Debian packages).
system-deps:
	scripts/ensure-system-deps

demo: install
	$(BIN)/storyarchive demo

test: system-deps install install-replay install-wacz
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every test not marked `slow` (no crawl, server, browser or benchmark process): under a
# minute on two cores. Needs only the crawler's environment.
check: install
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

# Quality goals on the labelled sets (extraction F1 against trafilatura's presets, dedup
# precision and recall); each command exits 1 when a goal is missed.
eval: install
	$(BIN)/python -m eval.extraction
	$(BIN)/python -m eval.dedup

bench: system-deps install install-replay
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy storyarchive spiders pipelines

# Re-resolve the pins (run after changing dependencies in pyproject.toml).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v "^-e " > requirements.lock

clean:
	rm -rf $(VENV) $(REPLAY_VENV) $(WACZ_VENV) archive .bench

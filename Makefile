# Two commands on a fresh machine: `make run` serves the seeded blog, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast lint format db clean chromium redis html-checker screenshots bench wrk

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamps, so a second `make run` or `make test` doesn't reinstall unless pyproject.toml changed.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.run-installed

db: $(VENV)/.run-installed
	$(FLASK) db upgrade
	$(FLASK) seed

run: db
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level medium -r app

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests drive Debian's Chromium (not Playwright's download); install it when missing.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing and cannot be installed here: the browser tests will be skipped."; \
	  fi; \
	fi

# The shared-cache tests start a throwaway redis-server on 127.0.0.1; install it when missing.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing redis-server for the shared-cache tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing and cannot be installed here: its tests will be skipped."; \
	  fi; \
	fi

# The Nu HTML Checker: vnu.jar from npm (into .tools/), run on Debian's Java.
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar
html-checker: $(VNU_JAR)

$(VNU_JAR):
	@if ! command -v java >/dev/null || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Java and npm for the HTML checker..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless npm >/dev/null; \
	  fi; \
	fi
	@if command -v npm >/dev/null; then \
	  mkdir -p .tools && npm install --prefix .tools --no-audit --no-fund --silent vnu-jar >/dev/null; \
	else echo "npm is missing and cannot be installed here: the HTML check will be skipped."; fi

# Refresh the README's screenshots in docs/screenshots (a normal test run writes build/screenshots).
screenshots: $(VENV)/.dev-installed chromium
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py tests/test_queue_browser.py tests/test_editor_browser.py -k screenshots

# Branch coverage of app/ in the SQLite run (95.9% on 2026-11-30); below this floor the run fails.
COVERAGE_FLOOR ?= 95

# The whole suite on SQLite (with branch coverage, on both cores), then again on a throwaway
# PostgreSQL cluster the runner starts (a database for each of the two processes).
test: lint chromium redis html-checker
	$(BIN)/python -m pytest -n 2 --cov --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)
	$(BIN)/python tests/run_on_postgres.py -q -n 2

# The quick loop while working: everything but the tests marked slow (real servers, the browser,
# the JVM, the attack payloads), on both cores, in about half a minute. `make test` runs them all.
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -m "not slow" -n 2

# Not part of `make test`: requests per second against a hello-world baseline, written to
# tests/bench/results.md (about a minute).
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing: install it (apt-get install wrk)"; exit 1; fi; }

bench: $(VENV)/.dev-installed wrk
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov .tools build

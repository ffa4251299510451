# EcomOps: the two commands a newcomer needs, and a few for developers.
#
#   make run     virtual environment + front-end libraries, migrate, demo company (first run), serve
#                (with the background worker and the scheduler of the periodic jobs)
#   make test    the whole test suite (pytest)
#   make lint    ruff, and the layers of the apps (import-linter)
#   make check   migrations up to date, Django system checks
#
# Needs Python 3.11+ and Node 20+ (npm); the browser test also needs Debian's chromium.
# Everything else is installed from the lock files, and re-installed only when they change.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
# Tests run in parallel, one worker per core (pytest-xdist); a file's tests stay on one worker so its
# module fixtures (the demo company, for one) are built once.
PYTEST_ARGS ?= -n auto --dist loadfile
PYTEST_SCHEMA_ARGS ?= -q
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The first Python 3.11+ on PATH (override with `make PYTHON=/path/to/python3.12 …`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

PY_STAMP := $(VENV)/.ecomops-installed
NODE_STAMP := node_modules/.ecomops-installed

.PHONY: help setup run test lint check messages

help:
	@echo "make run    start EcomOps at http://$(ADDR) (creates the environment and a demo company on first run)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check and lint-imports (the apps' layers)"
	@echo "make check  makemigrations --check and Django's system checks"
	@echo "make messages  refresh the English catalog (needs GNU gettext); translate, then run it again"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "EcomOps needs Python 3.11 or newer on PATH (or make PYTHON=...)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# Re-installed only when the lock file or the project metadata changed.
$(PY_STAMP): requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(NODE_STAMP): package-lock.json package.json
	@command -v npm >/dev/null 2>&1 || { echo "EcomOps needs Node.js 20 or newer with npm." >&2; exit 1; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' \
		|| { echo "EcomOps needs Node.js 20 or newer (found $$(node --version))." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(PY_STAMP) $(NODE_STAMP)

run: setup
	$(BIN)/ecomops migrate --noinput
	$(BIN)/ecomops demo --if-empty
	@echo "EcomOps: http://$(ADDR)/  (development server; use gunicorn in production, see README.md)"
	@# The background worker (imports, scheduled jobs and other long jobs) and the scheduler (which
	@# enqueues the periodic jobs when their time comes) run beside the server and stop with it.
	$(BIN)/ecomops db_worker --queue-name "*" & worker=$$!; \
		$(BIN)/ecomops scheduler & scheduler=$$!; \
		trap "kill $$worker $$scheduler 2>/dev/null" EXIT INT TERM; \
		$(BIN)/ecomops runserver $(ADDR)

# The schemathesis run is one process of its own: its items share one test id per operation, which
# pytest-xdist cannot hand out (it would run one of them).
test: setup
	$(BIN)/pytest $(PYTEST_ARGS) -m "not schema"
	$(BIN)/pytest -p no:xdist -m schema $(PYTEST_SCHEMA_ARGS)

lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check: setup
	$(BIN)/ecomops makemigrations --check --dry-run
	$(BIN)/ecomops check

# The msgids are Chinese; ecomops/locale/en holds the English. Both .po and the compiled .mo are
# committed, so a fresh machine needs no gettext.
messages: $(PY_STAMP)
	$(BIN)/ecomops makemessages -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests
	cd ecomops && ../$(BIN)/django-admin compilemessages -l en

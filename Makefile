# MSO Portal: the commands the README names.
#   make run    set up everything and run the app on the embedded default (SQLite, in-process tasks)
#   make test   set up everything and run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test guide bench bench-parts setup assets lint format migrate seed check clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP) assets

assets: node_modules/.installed

migrate: setup
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

seed: migrate
	DEBUG=1 $(BIN)/python manage.py seed_demo

# The demo: emailed links point at this address, and the second sign-in step (MFA) is off so
# the demo sign-ins work with a password alone. Production keeps MFA on (MFA_REQUIRED).
run: seed
	@echo "MSO Portal: http://$(HOST):$(PORT)  (demo sign-ins are listed in README.md)"
	@echo "Demo mode: MFA_REQUIRED=0, so the demo sign-ins need no authenticator app."
	DEBUG=1 MFA_REQUIRED=0 SITE_URL=http://$(HOST):$(PORT) \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# In parallel, one worker per core (pytest-xdist); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto
test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The user guide's pictures (docs/user-guide/*.png): the role journeys in a real Chromium, each
# picture taken as the journey passes the page it shows.
guide: setup
	GUIDE_PICTURES=docs/user-guide CI=true $(BIN)/python -m pytest -p no:xdist -q tests/e2e/roles

# The benchmark on PostgreSQL and Redis (BENCH_DATABASE_URL: a server where databases can be
# created, by default the local one): loads the national data if it is not there, measures the
# pages over gunicorn against the demo data and a bare signed-in response, a load test,
# publishing, a reminder sweep and a large export. Writes docs/benchmarks.md; fails when a
# budget is missed.
bench: setup
	$(BIN)/python -m tests.bench.pages

# The parts measured on their own (scoping, the register's queries, incidents at 2,000,000,
# alerts publishing and fan-out), each in a national database of its own.
bench-parts: setup
	$(BIN)/python -m tests.bench.scoping
	$(BIN)/python -m tests.bench.register
	$(BIN)/python -m tests.bench.incidents
	$(BIN)/python -m tests.bench.alerts

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: setup
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=1 $(BIN)/python manage.py check

clean:
	rm -rf $(VENV) node_modules staticfiles

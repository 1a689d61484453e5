# Two commands on a fresh machine: `make run` and `make test`. Only python3 (3.11+) is needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app cpd_log
HOST   ?= 127.0.0.1
PORT   ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# pytest-xdist workers for test and test-pg (the CI machines have 2 cores); PYTEST_WORKERS=0 runs
# in one process. Each worker has its own database and Redis database (tests/parallel.py).
PYTEST_WORKERS ?= 2
XDIST := -n $(PYTEST_WORKERS) --dist worksteal
# Pinned versions with hashes of every runtime (LOCK) and runtime + dev (DEV_LOCK) dependency,
# compiled from pyproject.toml by `make lock` (README, Dependencies and why).
LOCK       := requirements.lock
DEV_LOCK   := requirements-dev.lock
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet $(if $(UPGRADE),--upgrade)

.PHONY: install install-dev run serve worker migrate seed demo test lint test-pg test-browser \
	bench bench-load lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Exactly the locked versions, each checked against its hash; then the app itself, editable, its
# bytecode written once: where PYTHONDONTWRITEBYTECODE is set, every gunicorn worker and `flask`
# command would otherwise compile the package again (`flask --help`: 1.55 → 1.35 s CPU).
$(VENV)/.installed: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/python -m compileall -q cpd_log
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed $(DEV_LOCK)
	$(BIN)/pip install -q --require-hashes -r $(DEV_LOCK)
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

demo: seed
	$(FLASK) demo

# `make run DEMO=1` also creates the demo account (demo@example.com / demo-password).
# A background worker (`flask worker`, the queue a SQLite file beside the database) runs beside
# the dev server, so large PDF/ZIP exports and account restores complete; it stops with it.
run: seed
	@if [ -n "$(DEMO)" ]; then $(FLASK) demo; fi
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with gunicorn.conf.py (BIND, WEB_CONCURRENCY, GUNICORN_TIMEOUT from the
# environment; JSON access log on stdout), after `db upgrade`. See README, Deployment.
# The migrate step (install included) writes to stderr, so stdout carries only JSON lines.
serve:
	@$(MAKE) --no-print-directory migrate >&2
	@exec $(BIN)/gunicorn --config gunicorn.conf.py

# Production: the process that runs background jobs (QUEUE_URL, QUEUE_WORKERS; README, Deployment).
# Run one or more on any host that sees the database, the queue and UPLOAD_DIR.
worker: install
	@exec $(FLASK) worker

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest $(XDIST) -m "not browser"

test-pg: install-dev
	CPD_LOG_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(XDIST) -m "not browser"

test-browser: install-dev
	$(BIN)/pytest $(XDIST) -m browser

bench: install-dev
	$(BIN)/python -m bench.run

# Requests per second under load against a hello-world app (wrk: apt-get install -y wrk), on
# SQLite and PostgreSQL; e.g. `make bench-load LOAD_ARGS="--database sqlite --largest 5000"`.
bench-load: install-dev
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# After changing dependencies in pyproject.toml: pins what is already pinned where it still
# fits, adds what is new. `make lock UPGRADE=1` moves every pin to the newest allowed version.
lock: $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r $(DEV_LOCK)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) -o $(LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) -o $(DEV_LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

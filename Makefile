# One entry point for development, tests and CI. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install lock lock-check run test test-fast lint format browser-deps clean backup restore bench loadtest

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# requirements*.txt are the pins people edit, each with its reason;
# requirements*.lock (make lock) add every package those pull in, each with
# its hashes, and are what gets installed: --require-hashes refuses anything
# unlisted or altered, --no-deps anything the lock does not name.
$(INSTALLED): requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

install: $(INSTALLED)  ## Create .venv and install the locked dependencies (requirements-dev.lock)

# Python 3.11 on Linux, as production; hashes of every file PyPI has for each
# version. The existing locks are uv's starting point, so only what the
# requirements*.txt changes (or --upgrade in LOCK_ARGS) moves. The dev lock
# is held to the runtime lock's versions, so tests run what production runs.
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform linux --custom-compile-command "make lock" $(LOCK_ARGS)

lock: install  ## Regenerate requirements*.lock (hashes) from requirements*.txt
	$(UV_COMPILE) --output-file requirements.lock requirements.txt
	$(UV_COMPILE) --constraint requirements.lock --output-file requirements-dev.lock requirements-dev.txt

lock-check:  ## Check the locks are in step with requirements*.txt (offline; part of make lint)
	$(PYTHON) .ci/check_locks.py

run: install  ## Migrate SQLite, load the data and demo accounts, serve on 127.0.0.1:8000
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_programme_data
	$(BIN)/python manage.py create_demo_accounts
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests use Debian's Chromium; Playwright cannot download its own here.
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else \
			echo "Chromium is missing: sudo apt-get install chromium chromium-driver"; \
		fi; \
	fi

test: install browser-deps  ## Run the whole suite (browser tests included)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install  ## Run the suite without the browser tests
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# CI runs this before the tests (.ci/run): the habits the project keeps.
lint: install lock-check  ## ruff, formatting, migrations in step, import contracts, locks in step
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

format: install  ## ruff fix and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Both use PostgreSQL when DATABASE_URL points at it (their databases are created
# beside it: <name>_bench_f1, _f10, _f100) and SQLite files in .bench/ otherwise.
bench: install  ## Query counts and server time per page at factors 1, 10, 100 -> docs/benchmarks.md
	$(BIN)/python manage.py bench $(BENCH_ARGS)

loadtest: install  ## gunicorn + locust on 127.0.0.1, factor-10 PostgreSQL, 20 users, 60 s -> docs/benchmarks.md
	$(BIN)/python loadtest/run.py $(LOADTEST_ARGS)

backup: install  ## Back up the database into backups/ (pg_dump or an SQLite copy); prints the file
	@$(BIN)/python manage.py backup

# Asks before replacing the database, unless CONFIRM=yes.
restore: install  ## Restore a backup: make restore FILE=backups/<file> [CONFIRM=yes]
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/<file> [CONFIRM=yes]"; exit 2; fi
	$(BIN)/python manage.py restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--no-input)

clean:  ## Remove the virtualenv, SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles

# One entry point for development, tests and CI. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format browser-deps clean backup restore bench loadtest

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(INSTALLED)  ## Create .venv and install the pinned dependencies

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

lint: install  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install  ## ruff fix and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Both use PostgreSQL when DATABASE_URL points at it (their databases are created
# beside it: <name>_bench_f1, _f10, _f100) and SQLite files in .bench/ otherwise.
bench: install  ## Query counts and server time per page at factors 1, 10, 100 -> docs/benchmarks.md
	$(BIN)/python manage.py bench $(BENCH_ARGS)

loadtest: install  ## gunicorn + locust on 127.0.0.1, factor-10 PostgreSQL, 20 users, 60 s -> docs/benchmarks.md
	$(BIN)/python tools/loadtest/run.py $(LOADTEST_ARGS)

backup: install  ## Back up the database into backups/ (pg_dump or an SQLite copy); prints the file
	@$(BIN)/python manage.py backup

# Asks before replacing the database, unless CONFIRM=yes.
restore: install  ## Restore a backup: make restore FILE=backups/<file> [CONFIRM=yes]
	@if [ -z "$(FILE)" ]; then echo "Usage: make restore FILE=backups/<file> [CONFIRM=yes]"; exit 2; fi
	$(BIN)/python manage.py restore "$(FILE)" $(if $(filter yes,$(CONFIRM)),--no-input)

clean:  ## Remove the virtualenv, SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles

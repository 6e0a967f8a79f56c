# The two commands a newcomer needs: `make run` and `make test`. Everything else is installed on demand.
# Debian's own interpreter when there is one: it is built with profile-guided optimisation and
# LTO (as the python:3.11-slim image of the Dockerfile is), and served search pages a tenth to a
# quarter faster here than a plain source build such as pyenv's default, which may come first on
# PATH (benchmarks/RESULTS.md).
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3.11)
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DEBUG ?= 1

.PHONY: install lock run test lint format migrate seed chromium redis benchmark clean fault-test

# Debian ships venv's pip bootstrap separately (python3.11-venv); install it when it is missing.
$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
		echo "Installing Debian's python3.11-venv (needed to create .venv)..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-venv >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Exact versions with their hashes from the lock (requirements/dev.txt: the production set plus
# the test and dev extras); the project itself goes in editable, without resolving anything.
$(VENV)/.installed: requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# A development .env, so that `python manage.py ...` works in a fresh checkout without exporting
# anything (settings.py reads it; variables already set win). Never overwritten once written.
.env:
	@printf '# Written by `make install` for development; production sets its own.\nDEBUG=1\nSECRET_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote a development $@ (DEBUG=1 and a random SECRET_KEY)."

LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

lock: $(BIN)/python ## pin pyproject.toml's dependencies, with hashes, in requirements/ (after changing them)
	$(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra test --extra dev -o requirements/dev.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) -c requirements/dev.txt -o requirements/prod.txt pyproject.toml

install: $(VENV)/.installed .env ## create .venv and a development .env, install everything (idempotent)

chromium: ## Debian's Chromium for the browser tests, when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: migrate
	$(BIN)/python manage.py seed

run: install ## serve the seeded archive at http://127.0.0.1:$(PORT) with a worker and the scheduler
	$(BIN)/python manage.py serve --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

redis: ## Debian's redis-server for the broker fault tests, when it is missing (run by the tests, never as a service)
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "Installing Debian's redis-server for the broker fault tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

test: install chromium redis lint ## the whole suite: ruff, migrations check, pytest (real PostgreSQL, Celery, Chromium)
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -m "not fault"

fault-test: install redis ## the long fault-injection runs (a 100,000-line export killed mid-way...): before every release
	$(BIN)/python -m pytest -m fault

benchmark: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var

.PHONY: conformance
CORPORA ?= ../shared/corpora
conformance: install ## run the ingestion adapters over the shared real-world corpora (read in place)
	$(BIN)/python -m apps.ingest.conformance $(CORPORA)

# Quick start: `make run` (serve a demo on http://127.0.0.1:8000) and `make test` (the whole suite).
# Each target sets itself up: virtualenv, dependencies, migrations.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate lint format messages messages-check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required (found %s); set PYTHON=python3.11" % sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the translation catalogue after changing user-facing text (needs gettext).
messages: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' --ignore='staticfiles/*'
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'

# Fails when a message is untranslated or the committed .mo differs from its .po (needs gettext).
messages-check: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py messages_check

# Benchmarks print figures; the HTTP one needs PostgreSQL (DATABASE_URL or local) and wrk.
bench: $(STAMP)
	@for script in bench/*_bench.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	@echo "== bench/http_bench.py --questions 100000"
	$(BIN)/python bench/http_bench.py --questions 100000

clean:
	rm -rf $(VENV) var staticfiles

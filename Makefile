# Two commands matter: `make demo` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
DEMO_SETTINGS := rrn.settings.dev
# Where the demo serves; emailed links follow the address each request came in on.
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: demo test test-postgres test-wheel test-browser lint docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml example_project/pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]" -e ./example_project
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	cd example_project && ../$(BIN)/python manage.py migrate --noinput
	cd example_project && ../$(BIN)/python manage.py load_rrn_demo
	cd example_project && ../$(BIN)/python manage.py runserver $(DEMO_ADDR)

lint: $(STAMP)
	$(BIN)/ruff check src tests example_project bench

test: $(STAMP)
	$(BIN)/ruff check src tests example_project bench
	$(BIN)/python -m pytest -q -m "not postgres and not browser and not redis"

test-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q --create-db -m "not browser"

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -rs -m browser

test-wheel: $(STAMP)
	bash scripts/test_wheel.sh

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site dist build example_project/db.sqlite3

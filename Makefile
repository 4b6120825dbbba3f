# Two commands matter: `make demo` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
DEMO_SETTINGS := rrn.settings.dev
# Where the demo serves; emailed links follow the address each request came in on.
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: demo test test-postgres test-django6 test-wheel test-browser lint docs bench bench-quick clean

# The Django 6 leg needs Python >= 3.12: a python3.12 on PATH, or pyenv's.
PYTHON_DJ6 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12))
VENV_DJ6 ?= .venv-django6

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
	$(BIN)/lint-imports

test: $(STAMP)
	$(BIN)/ruff check src tests example_project bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m "not postgres and not browser and not redis"

test-postgres: $(STAMP)
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -q --create-db -m "not browser"

# The same suite on Python 3.12 with Django 6.x, in its own virtual environment.
$(VENV_DJ6)/.installed: pyproject.toml example_project/pyproject.toml
	@test -n "$(PYTHON_DJ6)" || { echo "test-django6: no Python 3.12 found (set PYTHON_DJ6)"; exit 1; }
	$(PYTHON_DJ6) -m venv $(VENV_DJ6)
	$(VENV_DJ6)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_DJ6)/bin/pip install --quiet -e ".[dev]" -e ./example_project "Django>=6,<7"
	touch $@

test-django6: $(VENV_DJ6)/.installed
	$(VENV_DJ6)/bin/python -c "import django; assert django.VERSION[0] == 6, django.__version__; print('Django', django.__version__)"
	$(VENV_DJ6)/bin/python -m pytest -q -p no:cacheprovider -m "not postgres and not browser and not redis"

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -rs -m browser

test-wheel: $(STAMP)
	bash scripts/test_wheel.sh

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

# The real-server benchmark: gunicorn + PostgreSQL + Redis + wrk, beside a plain
# `wagtail start` site, at 10 and 100,000 members (docs/explanation/performance.md).
# Needs the PostgreSQL server (BENCH_PG), Redis (BENCH_REDIS) and wrk (apt-get install wrk).
bench: $(STAMP)
	$(BIN)/python bench/server.py

# The quick in-process budgets (Django's test client; SQLite unless BENCH_DATABASE_URL).
bench-quick: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(VENV_DJ6) site dist build example_project/db.sqlite3

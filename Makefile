# The two commands a newcomer needs: `make demo` and `make test`. Only Python 3.11 is
# required; everything else is installed into .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test soak fuzz audit install lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Start the portal with demo data on SQLite, Celery eager, at http://127.0.0.1:8000
demo: $(STAMP)
	DJANGO_SETTINGS_MODULE=portal.settings.local $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=portal.settings.local $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	DJANGO_SETTINGS_MODULE=portal.settings.local $(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole suite: SQLite and eager Celery, or PostgreSQL and Redis when
## DATABASE_URL and REDIS_URL are set (as .ci/run does).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -m "not soak and not fuzz" $(PYTEST_ARGS)

## Fault, fuzz and load tests (slow): real Celery workers killed mid-import and
## mid-recompute, database connections cut mid-request and mid-task, schemathesis with a
## token of each role, and the load test. Needs PostgreSQL and Redis (DATABASE_URL,
## REDIS_URL), as .ci/run provides.
soak: $(STAMP)
	$(BIN)/python -m pytest -m "soak or fuzz" $(PYTEST_ARGS)
	$(BIN)/python bench/load.py --quick

## API fuzzing alone: schemathesis per role against the OpenAPI schema (part of make soak).
fuzz: $(STAMP)
	$(BIN)/python -m pytest -m fuzz $(PYTEST_ARGS)

## Known vulnerabilities of the pinned dependencies (pip-audit, which asks PyPI).
audit: $(STAMP)
	$(BIN)/python -m pip_audit --strict --progress-spinner off --skip-editable

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Refresh the translation catalogue after changing user-facing text (needs GNU gettext).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

## City-scale benchmarks on PostgreSQL (127.0.0.1, database portal_bench); see docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python bench/roster_import.py --rows 100000 --stock-rows 10000
	$(BIN)/python bench/roster_import.py --xlsx-memory
	$(BIN)/python bench/roster_import.py --preview
	$(BIN)/python bench/training_compliance.py
	$(BIN)/python bench/attainment.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

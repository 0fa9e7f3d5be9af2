# Two commands on a fresh machine with Python 3.11+:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint messages bench screenshots

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Install, prepare the embedded SQLite database with demo data, and run the operations center.
demo: $(BIN)/.installed
	$(BIN)/opscenter demo --host $(HOST) --port $(PORT)

# Install and run the whole test suite (Debian packages for browser, footage and R tests installed when root),
# on TEST_WORKERS processes (pytest-xdist). 2, not `auto`: CI has two cores, and `auto` counts the host's cores
# where a container is given fewer; each worker also starts servers, workers and Chromium of its own.
TEST_WORKERS ?= 2
test: $(BIN)/.installed
	@scripts/ensure-system-packages
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy opscenter
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

# The page audit (every role's pages, vi/en, 1440/1280) with a screenshot of each into docs/img/pages/.
screenshots: $(BIN)/.installed
	AUDIT_SCREENSHOTS=docs/img/pages $(BIN)/pytest -n 0 tests/e2e/test_page_audit.py

messages: $(BIN)/.installed
	cd opscenter && ../$(BIN)/django-admin makemessages -l vi --no-obsolete && ../$(BIN)/django-admin compilemessages

bench: $(BIN)/.installed
	$(BIN)/python bench/run_all.py

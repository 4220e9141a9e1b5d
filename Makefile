# Two commands on a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint install dev clean

$(BIN)/ambassador-bot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install dev: $(BIN)/ambassador-bot

# Installs, migrates the database and serves Slack (settings from the environment or .env).
run: $(BIN)/ambassador-bot
	$(BIN)/ambassador-bot serve

# Lint, type-check, and the whole test suite on SQLite and on PostgreSQL (TEST_POSTGRES_URL).
test: $(BIN)/ambassador-bot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

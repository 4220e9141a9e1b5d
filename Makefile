# On a fresh machine:  `make install`, then `make sandbox` to try it in a browser without Slack;
# `make manifest URL=https://...` (to create the Slack app), then `make run`; and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pyproject.toml's requires-python.
MIN_PYTHON := 3.11
VERSION_OF = "import sys; print('%d.%d' % sys.version_info[:2])"

.PHONY: run sandbox test test-fast lint install dev clean manifest python-check

# The interpreter first: one clear line when it is too old (or missing), and a .venv made with another
# Python than the one asked for is made again (`make install PYTHON=python3.12` after a 3.11 venv).
python-check:
	@found=$$($(PYTHON) -c $(VERSION_OF) 2>/dev/null) || { \
		echo "make: '$(PYTHON)' is not a Python this machine can run; ambassador-bot needs Python $(MIN_PYTHON) or newer: install it and run make install PYTHON=python$(MIN_PYTHON)" >&2; exit 2; }; \
	if [ "$$(printf '%s\n%s\n' "$(MIN_PYTHON)" "$$found" | sort -V | head -n 1)" != "$(MIN_PYTHON)" ]; then \
		echo "make: $(PYTHON) is Python $$found; ambassador-bot needs Python $(MIN_PYTHON) or newer: install it and run make install PYTHON=python$(MIN_PYTHON) (or newer)" >&2; exit 2; fi; \
	if [ -e $(VENV) ]; then \
		made=$$($(BIN)/python -c $(VERSION_OF) 2>/dev/null || echo "an interpreter that no longer runs"); \
		if [ "$$made" != "$$found" ]; then \
			echo "make: $(VENV) was made with Python $$made, not $(PYTHON) ($$found): making it again"; \
			rm -rf $(VENV); fi; fi

$(BIN)/ambassador-bot: pyproject.toml
	$(PYTHON) -m venv $(VENV) || { echo "make: $(PYTHON) cannot make a virtual environment (on Debian and Ubuntu: apt install python$(MIN_PYTHON)-venv)" >&2; exit 2; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@
	@echo "Installed: run it as $(BIN)/ambassador-bot (or 'source $(BIN)/activate' first, then ambassador-bot)."

# A make of its own after the check, so that a .venv the check removed is seen as missing.
install dev: python-check
	@$(MAKE) --no-print-directory --question $(BIN)/ambassador-bot || $(MAKE) --no-print-directory $(BIN)/ambassador-bot

# The Slack app manifest, needed before any token exists. HTTP mode: `make manifest URL=https://bot.example.org`;
# without URL, Socket Mode. NAME="AsyncAPI Ambassadors" names the app. Writes $(MANIFEST).
MANIFEST ?= manifest.json
manifest: install
	@$(BIN)/ambassador-bot manifest $(if $(URL),--url '$(URL)',--socket-mode) $(if $(NAME),--name '$(NAME)') \
		> '$(MANIFEST).tmp' || { rm -f '$(MANIFEST).tmp'; exit 2; }
	@mv '$(MANIFEST).tmp' '$(MANIFEST)'
	@echo "Wrote $(MANIFEST) ($(if $(URL),HTTP mode,Socket Mode)): paste it at https://api.slack.com/apps → Create New App → From a manifest."

# Installs, migrates the database, checks the bot token with Slack and serves (settings from the environment or .env).
# With no Slack setting at all, it starts the local sandbox instead (see `make sandbox`).
run: install
	$(BIN)/ambassador-bot serve --or-sandbox

# The whole program in a browser with no Slack workspace: http://127.0.0.1:PORT/ (FRESH=1 starts over).
sandbox: install
	$(BIN)/ambassador-bot sandbox $(if $(FRESH),--fresh)

# Lint, type-check, and the whole test suite on SQLite and on PostgreSQL (TEST_POSTGRES_URL), in
# TEST_WORKERS parallel processes (most tests wait on servers and databases, so more workers than cores pay).
TEST_WORKERS ?= 4
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n $(TEST_WORKERS)

# The unit tests alone: rules, parsing, blocks and the architecture, no database (seconds).
test-fast: install
	$(BIN)/pytest -q tests/unit

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

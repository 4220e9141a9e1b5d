# On a fresh machine:  `make install`, then `make sandbox` to try it in a browser without Slack;
# `make manifest URL=https://...` (to create the Slack app), then `make run`; and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run sandbox test test-fast lint install dev clean manifest

$(BIN)/ambassador-bot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@
	@echo "Installed: run it as $(BIN)/ambassador-bot (or 'source $(BIN)/activate' first, then ambassador-bot)."

install dev: $(BIN)/ambassador-bot

# The Slack app manifest, needed before any token exists. HTTP mode: `make manifest URL=https://bot.example.org`;
# without URL, Socket Mode. NAME="AsyncAPI Ambassadors" names the app. Writes $(MANIFEST).
MANIFEST ?= manifest.json
manifest: $(BIN)/ambassador-bot
	@$(BIN)/ambassador-bot manifest $(if $(URL),--url '$(URL)',--socket-mode) $(if $(NAME),--name '$(NAME)') \
		> '$(MANIFEST).tmp' || { rm -f '$(MANIFEST).tmp'; exit 2; }
	@mv '$(MANIFEST).tmp' '$(MANIFEST)'
	@echo "Wrote $(MANIFEST) ($(if $(URL),HTTP mode,Socket Mode)): paste it at https://api.slack.com/apps → Create New App → From a manifest."

# Installs, migrates the database, checks the bot token with Slack and serves (settings from the environment or .env).
# With no Slack setting at all, it starts the local sandbox instead (see `make sandbox`).
run: $(BIN)/ambassador-bot
	$(BIN)/ambassador-bot serve --or-sandbox

# The whole program in a browser with no Slack workspace: http://127.0.0.1:PORT/ (FRESH=1 starts over).
sandbox: $(BIN)/ambassador-bot
	$(BIN)/ambassador-bot sandbox $(if $(FRESH),--fresh)

# Lint, type-check, and the whole test suite on SQLite and on PostgreSQL (TEST_POSTGRES_URL), in
# TEST_WORKERS parallel processes (most tests wait on servers and databases, so more workers than cores pay).
TEST_WORKERS ?= 4
test: $(BIN)/ambassador-bot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n $(TEST_WORKERS)

# The unit tests alone: rules, parsing, blocks and the architecture, no database (seconds).
test-fast: $(BIN)/ambassador-bot
	$(BIN)/pytest -q tests/unit

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

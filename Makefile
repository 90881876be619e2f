# Everything a newcomer needs: `make run` starts the bot, `make test` runs every test, `make help` lists
# the rest. Each target creates .venv from the pinned requirements on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run test lint format bench check-content preview package playground admin-ui clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (botbuilder 4.17 supports up to 3.11); set PYTHON=/path/to/python3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP) ## start the bot on http://127.0.0.1:3978/api/messages (local mode unless MicrosoftAppId is set)
	$(BIN)/python app.py

test: $(STAMP) ## the whole test suite
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff (lint and format check), mypy and the import contracts in pyproject.toml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP) ## format the code with ruff (what `make lint` checks)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## benchmarks, printed as ratios against a baseline measured in the same run
	$(BIN)/python -m bench

check-content: $(STAMP) ## validate bot/content (or CONTENT=path); PRODUCTION=1 also refuses placeholders
	$(BIN)/python -m bot content check $(CONTENT) $(if $(PRODUCTION),--production)

preview: $(STAMP) ## chat with the bot in this terminal, using bot/content (or CONTENT=path)
	$(BIN)/python -m bot preview $(if $(CONTENT),--content $(CONTENT))

package: $(STAMP) ## the Teams app package (needs MicrosoftAppId and BOT_DOMAIN; see docs/deployment.md)
	$(BIN)/python -m bot package build/peer-wellbeing-teams-app.zip

playground: ## Microsoft 365 Agents Playground, a local Teams-like client (run `make run` in another terminal)
	TEAMSAPPTESTER_BROWSER=none npx --yes @microsoft/m365agentsplayground@0.2.28 -e http://127.0.0.1:3978/api/messages -c msteams --dt

admin-ui: ## build the content page (admin-ui/) into bot/admin/static/, which is committed: `make run` needs only Python
	cd admin-ui && npm ci --ignore-scripts --no-audit --no-fund && node build.mjs

clean: ## remove .venv, the npm packages (browser tests, content page) and caches
	rm -rf $(VENV) tests/browser/node_modules admin-ui/node_modules .pytest_cache

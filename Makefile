# The README's commands. `make run` and `make test` set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
TRANSLATIONS := cocreate/translations
# Every catalog's compiled file (build output, not in git), remade when its .po changes.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

.PHONY: run test lint format seed samples migrate organizer vendor bench bench-pages messages translations screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP) $@

migrate: $(STAMP) $(CATALOGS)  ## apply the database migrations (SQLite under instance/ unless DATABASE_URL says otherwise)
	$(BIN)/flask --app cocreate db upgrade

run: migrate  ## serve on http://127.0.0.1:$${PORT:-5000} with gevent
	$(BIN)/python wsgi.py

seed: migrate  ## the demo workshop (the plenary played through) for your account; EMAIL=... picks one of several
	$(BIN)/flask --app cocreate seed-demo $(if $(EMAIL),--email "$(EMAIL)")

samples: $(DEV_STAMP)  ## the demo's synthesis in every format, and the PDF's first pages as PNG, into docs/synthesis/
	$(BIN)/python scripts/synthesis-samples.py

organizer: migrate  ## create an organizer account from the command line
	$(BIN)/flask --app cocreate create-organizer

node_modules/.installed: package.json package-lock.json  ## axe-core for the accessibility tests, Lighthouse for make bench-pages
	@command -v npm >/dev/null || { echo "make test: npm is missing; install Node.js 20 with: sudo apt-get install nodejs npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	touch $@

test: $(DEV_STAMP) node_modules/.installed $(CATALOGS)  ## the whole test suite; sets up Chromium, PostgreSQL and Redis first
	scripts/test-services.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

screenshots: $(DEV_STAMP) $(CATALOGS)  ## retake the documentation's screenshots (docs/img/) with the browser tests
	COCREATE_SCREENSHOTS=docs $(BIN)/python -m pytest tests/browser -q

vendor:  ## refresh the Socket.IO browser client from npm (static/vendor/socket.io)
	scripts/vendor-socketio.sh

bench: $(DEV_STAMP)  ## plenary load: 1,000 phones in 10 rooms, 100 votes/s + 5 ideas/s for 60 s, SQLite, beside the bare python-socketio server (BENCH="--postgres" etc. adds flags; docs/deployment.md)
	$(BIN)/python bench/plenary.py $(BENCH)

bench-pages: $(DEV_STAMP) node_modules/.installed  ## Lighthouse 12 (mobile) on the join, room, projector and outcome pages: scores and bytes (docs/deployment.md)
	$(BIN)/python bench/pages.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# tests/test_i18n.py extracts with the same options to see that the catalog is up to date.
messages: $(STAMP)  ## collect every user-facing string into the catalogs (messages.pot, then each language's messages.po) for translators
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-comments=TRANSLATORS: \
		--project=Cocreate --copyright-holder="Cocreate contributors" \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -d $(TRANSLATIONS) -i $(TRANSLATIONS)/messages.pot --no-fuzzy-matching --no-wrap

translations: $(CATALOGS)  ## compile the catalogs (each language's messages.mo; make run and make test do it)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -l $* --statistics

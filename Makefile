# Shiftline. `make run` starts the whole platform; `make test` runs every check CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv: the one on PATH when it runs, else our own copy under var/tools.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo var/tools/bin/uv)
PYTHON := .venv/bin/python
STAMP := var/stamps

.PHONY: help setup run test lint typecheck bench fuzz faults chromium pango gettext messages clean

help:
	@echo "make run    set up and start Shiftline (web + websockets, workers, beat, demo data)"
	@echo "make test   set up and run ruff, import contracts, mypy, the migration check and the tests"
	@echo "make bench  performance figures (ratios measured in one run)"
	@echo "make fuzz   schemathesis, every check, 1,000 examples per API operation, live server"
	@echo "make faults kill -9 / stop each process and server in turn under load; invariants, recovery times"
	@echo "make typecheck  mypy with the Django plugin"

var/tools/bin/uv:
	python3 -m venv var/tools
	var/tools/bin/pip install --quiet uv

$(STAMP)/python: pyproject.toml uv.lock | $(if $(filter var/tools/bin/uv,$(UV)),var/tools/bin/uv)
	$(UV) sync --frozen
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/npm: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMP) && touch $@

# The chat widget (/widget/v1.js): our own code in frontend/widget/src, bundled by esbuild.
WIDGET_SOURCES := $(wildcard frontend/widget/src/*) frontend/widget/build.mjs
frontend/widget/dist/v1.js: $(STAMP)/npm $(WIDGET_SOURCES)
	cd frontend && npm run --silent build:widget

# Translations (frontend/locale): GNU gettext's msgfmt compiles them, through Django's
# compilemessages; installed when we may (root with apt). Without it, Babel (a dependency)
# compiles the same .po files, so setup works on any machine.
gettext:
	@if ! command -v msgfmt >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) \
		|| echo "warning: could not install gettext; Babel compiles the translations"; \
	fi

LOCALE_SOURCES := $(wildcard frontend/locale/*/LC_MESSAGES/*.po)
$(STAMP)/messages: $(LOCALE_SOURCES) | $(STAMP)/python
	@$(MAKE) --no-print-directory gettext
	@if command -v msgfmt >/dev/null; then \
		$(PYTHON) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0; \
	else \
		for po in $(LOCALE_SOURCES); do .venv/bin/pybabel -q compile -i "$$po" -o "$${po%.po}.mo"; done; \
	fi
	@mkdir -p $(STAMP) && touch $@

messages: $(STAMP)/messages

setup: $(STAMP)/python $(STAMP)/npm frontend/widget/dist/v1.js $(STAMP)/messages

run: setup pango
	$(PYTHON) -m marketplace.devstack.run

lint: setup
	.venv/bin/ruff check .
	.venv/bin/lint-imports
	.venv/bin/mypy .

typecheck: setup
	.venv/bin/mypy .

# Browser tests need Chromium; installed when we may (root with apt), else they skip.
chromium:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "warning: could not install chromium; browser tests will be skipped"; \
	fi

# PDFs (invoices, statements) are drawn by WeasyPrint, which needs Pango from the system.
pango:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q libpango-1.0 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null) \
		|| echo "warning: could not install Pango; PDFs cannot be drawn"; \
	fi

test: setup lint chromium pango
	$(PYTHON) -m marketplace.devstack.testrun tests

bench: setup
	$(PYTHON) -m tests.bench

# FUZZ_ARGS, e.g. FUZZ_ARGS="--max-examples 50 --seed 1" for a shorter run.
fuzz: setup
	$(PYTHON) -m marketplace.devstack.fuzz $(FUZZ_ARGS)

# FAULTS_ARGS, e.g. FAULTS_ARGS="--outage 5 --faults web,redis" for a shorter run.
faults: setup
	$(PYTHON) -m marketplace.devstack.testrun -m long tests
	$(PYTHON) -m marketplace.devstack.faults $(FAULTS_ARGS)

clean:
	rm -rf var/stamps var/static frontend/widget/dist

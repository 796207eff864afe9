# Minimal bootstrap; replaced by the full runner (marketplace/devstack) when it lands.
SHELL := /bin/bash
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo var/tools/bin/uv)

.PHONY: setup test lint bench
setup:
	@if [ ! -x "$(UV)" ]; then python3 -m venv var/tools && var/tools/bin/pip install -q uv; fi
	$(UV) sync --frozen
	cd frontend && npm ci --no-audit --no-fund

lint: setup
	.venv/bin/ruff check .
	DJANGO_SETTINGS_MODULE=marketplace.settings.test .venv/bin/python manage.py makemigrations --check --dry-run

test: lint
	.venv/bin/python -m pytest tests -q

bench: setup
	.venv/bin/python -m tests.bench

# linsek — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/linsek
export LINSEK_VAR ?= $(CURDIR)/var

.PHONY: demo test serve bench lint typecheck pytest-sqlite pytest-postgres install install-dev browser messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the Playwright journeys (playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Compiled English catalogue (the source language is Bahasa Indonesia).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)
	cd src/linsek && ../../$(BIN)/django-admin compilemessages --settings=linsek.settings -v 0

demo: install messages
	DEBUG=1 LINSEK_REQUIRE_2FA=0 $(BIN)/linsek migrate -v 0
	DEBUG=1 $(BIN)/linsek collectstatic --noinput -v 0
	DEBUG=1 LINSEK_REQUIRE_2FA=0 $(BIN)/linsek demo load
	@echo "Serving linsek on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	DEBUG=1 LINSEK_REQUIRE_2FA=0 $(BIN)/granian --interface asgi --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-ws linsek.asgi:application

serve: install messages
	$(BIN)/linsek migrate -v 0
	$(BIN)/linsek collectstatic --noinput -v 0
	$(BIN)/granian --interface asgi --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-ws --backlog 2048 linsek.asgi:application

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

pytest-sqlite: install-dev messages browser
	DATABASE_URL= $(BIN)/pytest -q

pytest-postgres: install-dev messages browser
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

test: lint typecheck pytest-sqlite pytest-postgres

bench: install-dev messages
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var

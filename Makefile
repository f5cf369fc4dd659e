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

DEMO_WORKERS ?= 1
WORKER_NICE ?= 10
# Seconds a stopping server process waits for open requests: a dashboard's live stream never ends by itself,
# and without a bound a stop (Ctrl-C, a restart) would wait for every browser to close it.
STOP_GRACE ?= 5
REDIS_URL ?= redis://127.0.0.1:6379/0
SYSTEM_DEPS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core

.PHONY: demo test serve bench lint typecheck pytest-sqlite pytest-postgres install install-dev browser system-deps messages clean

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

# Debian libraries for PDF rendering (WeasyPrint) and a font, installed when missing.
system-deps:
	@dpkg -s $(SYSTEM_DEPS) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_DEPS) >/dev/null)

# Debian's Chromium for the Playwright journeys (playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Compiled English catalogue (the source language is Bahasa Indonesia).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)
	cd src/linsek && ../../$(BIN)/django-admin compilemessages --settings=linsek.settings -v 0

# The demo: one server process (live updates fan out in-process, no Redis needed) and the background worker.
demo: install system-deps messages
	DEBUG=1 LINSEK_REQUIRE_2FA=0 $(BIN)/linsek migrate -v 0
	DEBUG=1 $(BIN)/linsek collectstatic --noinput -v 0
	DEBUG=1 LINSEK_REQUIRE_2FA=0 $(BIN)/linsek demo load
	@echo "Serving linsek on http://$(HOST):$(PORT)/  (Ctrl-C to stop; the logins are above)"
	@export DEBUG=1 LINSEK_REQUIRE_2FA=0; $(BIN)/linsek worker -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/granian --interface asgi --host $(HOST) --port $(PORT) --workers $(DEMO_WORKERS) --no-ws --workers-kill-timeout $(STOP_GRACE) linsek.asgi:application

# Production: several server processes (live updates fan out through Redis) and the background worker, at a lower
# CPU priority: when the cores are saturated (an election-day burst) requests go first and the outbox catches up after.
serve: install system-deps messages
	$(BIN)/linsek migrate -v 0
	$(BIN)/linsek collectstatic --noinput -v 0
	@export REDIS_URL=$(REDIS_URL); nice -n $(WORKER_NICE) $(BIN)/linsek worker -v 0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  REDIS_URL=$(REDIS_URL) $(BIN)/granian --interface asgi --host $(HOST) --port $(PORT) --workers $(WORKERS) --no-ws --backlog 2048 --workers-kill-timeout $(STOP_GRACE) linsek.asgi:application

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install-dev
	$(BIN)/mypy

pytest-sqlite: install-dev system-deps messages browser
	DATABASE_URL= $(BIN)/pytest -q

pytest-postgres: install-dev system-deps messages browser
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q

test: lint typecheck pytest-sqlite pytest-postgres

bench: install-dev system-deps messages
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var

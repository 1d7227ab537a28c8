# 嘉兴市镇(街道)民政工作规范化建设管理平台: set-up, run and test with two commands.
#   make run    set everything up and serve http://127.0.0.1:8000 (SQLite by default)
#   make test   set up what tests need too, and run every test
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Debian packages: the Chinese font and text shaping WeasyPrint needs for PDFs; LibreOffice without a
# desktop (Writer and Calc), which turns Word, Excel and WPS evidence into PDFs in the background
# worker; for tests also Chromium (browser tests) and poppler-utils (pdffonts/pdftotext to read PDFs back).
OS_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 libreoffice-writer-nogui libreoffice-calc-nogui
TEST_OS_PACKAGES := chromium poppler-utils

.PHONY: help install install-test os-packages os-packages-test migrate demo run serve test lint format check screenshots clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "OS packages present: $(1)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing OS packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "Please install these Debian packages as root: apt-get install$$missing"; exit 1; \
	fi
endef

os-packages: ## install the Debian packages the portal needs (as root)
	$(call apt_install,$(OS_PACKAGES))

os-packages-test: os-packages ## install the Debian packages the tests need (as root)
	$(call apt_install,$(TEST_OS_PACKAGES))

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

migrate: $(VENV)/.installed ## apply migrations (loads the 72 towns and 14 duties)
	$(MANAGE) migrate --noinput

demo: migrate ## build the demo city and demo accounts (safe to repeat)
	$(MANAGE) seed_demo --quiet-accounts

install: os-packages $(VENV)/.installed migrate demo ## set everything up: OS packages, .venv, database, demo data
	@echo "Set-up complete. Start the portal with: make run"

install-test: os-packages-test $(VENV)/.installed-dev ## set up what the tests need as well

run: install ## set up and serve the portal at http://127.0.0.1:8000
	@echo "Serving http://$(HOST):$(PORT)/  (demo accounts: see README.md, password demo12345)"
	$(MANAGE) runserver $(HOST):$(PORT)

serve: os-packages $(VENV)/.installed ## the production stack locally: gunicorn + worker on PostgreSQL (DATABASE_URL)
	deploy/serve-local.sh

test: install-test ## run every test (DATABASE_URL picks the database; SQLite when unset)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff lint and format check, and the import layers (docs/architecture.md)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev ## format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.installed ## Django system checks and missing migrations
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

screenshots: install-test ## take the pictures in docs/screenshots/ (a browser tour of the demo city)
	SCREENSHOTS=1 $(PY) -m pytest -q -p no:randomly tests/browser

clean: ## remove the virtualenv, the SQLite database and stored evidence files of the dev set-up
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var staticfiles

.PHONY: bench loadtest
bench: $(VENV)/.installed ## run the benchmarks in bench/ (each builds its own temporary database)
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

LOADTEST_ARGS ?=
loadtest: $(VENV)/.installed ## load test: 50 users against gunicorn + PostgreSQL, 5 minutes (bench/load/)
	$(PIP) install -q -r requirements-bench.txt
	$(PY) bench/load/run.py $(LOADTEST_ARGS)

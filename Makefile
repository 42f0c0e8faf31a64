# Two commands do everything on a fresh machine:
#   make build   create .venv, install the pinned packages and this project, and run `dbt build` on the demo data
#   make test    the same set-up, then ruff, pytest and `dbt build` on the small `ci` target
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir . --project-dir .
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: build test setup lint pytest dbt-ci docs clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs exactly the versions in requirements.lock, then this project's package without touching them.
$(VENV)/.installed: $(BIN)/activate requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

setup: $(VENV)/.installed
	@mkdir -p warehouse

build: setup
	$(DBT) build $(DBT_FLAGS) --target dev

lint: setup
	$(BIN)/ruff check src tests python_models scripts
	$(BIN)/ruff format --check src tests scripts

pytest: setup
	$(BIN)/pytest

# A full build of the small ci target from scratch: every model, data test and unit test.
dbt-ci: setup
	rm -f warehouse/customer_ai_ci.duckdb
	CUSTOMER_AI_DUCKDB_PATH=warehouse/customer_ai_ci.duckdb $(DBT) build $(DBT_FLAGS) --target ci

test: lint pytest dbt-ci

docs: setup
	$(DBT) docs generate $(DBT_FLAGS) --target dev

clean:
	rm -rf target logs warehouse

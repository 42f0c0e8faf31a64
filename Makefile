# Two commands do everything on a fresh machine:
#   make build   create .venv, install the pinned packages and this project, and run `dbt build` on the demo data
#   make test    the same set-up (and the Spark environment), then ruff, pytest (the cross-engine test included),
#                `dbt build` on the small `ci` target, and sqlfluff on models/ and macros/
# On Apache Spark: make build-spark (its own environment, .venv-spark, then `dbt build --target spark`).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPARK_VENV := .venv-spark
SPARK_BIN := $(SPARK_VENV)/bin
DBT := $(BIN)/dbt
DBT_FLAGS := --profiles-dir . --project-dir .
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.PHONY: build test setup setup-spark setup-browser setup-duckdb1 build-spark lint lint-sql pytest dbt-ci docs clean

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

# The Spark environment: requirements.lock plus dbt-spark and PySpark (requirements-spark.lock), about 1.5 GB.
$(SPARK_BIN)/activate:
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_BIN)/pip install --quiet --upgrade pip

$(SPARK_VENV)/.installed: $(SPARK_BIN)/activate requirements.lock requirements-spark.lock pyproject.toml
	$(SPARK_BIN)/pip install --quiet -r requirements.lock -r requirements-spark.lock
	$(SPARK_BIN)/pip install --quiet --no-deps -e .
	touch $@

setup-spark: $(SPARK_VENV)/.installed
	@mkdir -p warehouse
	@command -v java >/dev/null || (echo "Spark needs Java 17 or newer: java was not found" && exit 1)

# The demo on local Spark (the same data as `make build`), Parquet copies in warehouse/bi/spark/.
build-spark: setup-spark
	$(SPARK_BIN)/dbt build $(DBT_FLAGS) --target spark

# Headless Chromium for the report's browser test: the Debian package (a fresh machine does not have it; needs root
# or sudo). Skipped when chromium is already installed.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
setup-browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null) || \
		(echo "could not install Chromium (apt-get install chromium); the report test needs it" && exit 1)

# A DuckDB 1.x reader in an environment of its own (requirements-duckdb1.lock): the test that BI tools bundling a
# DuckDB 1.x can open the warehouse file reads it with this one.
DUCKDB1_VENV := .venv-duckdb1
$(DUCKDB1_VENV)/.installed: requirements-duckdb1.lock
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/pip install --quiet -r requirements-duckdb1.lock
	touch $@

setup-duckdb1: $(DUCKDB1_VENV)/.installed

lint: setup
	$(BIN)/ruff check src tests python_models scripts
	$(BIN)/ruff format --check src tests scripts

# Two pytest workers (pytest-xdist): most of a test's time is dbt parsing its project, on one core, so two tests at
# once keep both cores busy. --dist loadscope keeps a module's tests (and its module-scoped warehouse) on one worker;
# --no-loadscope-reorder hands the modules out in collection order, where tests/python/conftest.py puts the long
# ones first. PYTEST_WORKERS=0 runs them in this process, one at a time. The slowest tests are listed at the end.
PYTEST_WORKERS ?= 2
pytest: setup setup-spark setup-browser setup-duckdb1
	CUSTOMER_AI_SPARK_VENV=$(abspath $(SPARK_VENV)) CUSTOMER_AI_DUCKDB1_PYTHON=$(abspath $(DUCKDB1_VENV))/bin/python \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder --durations=20

# A full build of the small ci target from scratch: every model, data test and unit test.
dbt-ci: setup
	rm -f warehouse/customer_ai_ci.duckdb
	CUSTOMER_AI_DUCKDB_PATH=warehouse/customer_ai_ci.duckdb $(DBT) build $(DBT_FLAGS) --target ci

# SQL style (.sqlfluff): sqlfluff's dbt templater compiles each model the way dbt does, against the ci warehouse that
# dbt-ci has just built (staging reads the input's columns from it). Two processes lint the files once the project is
# compiled (38 s against 61 s with one).
lint-sql: dbt-ci
	CUSTOMER_AI_DUCKDB_PATH=warehouse/customer_ai_ci.duckdb $(BIN)/sqlfluff lint --processes 2 models macros

test: lint pytest dbt-ci lint-sql

docs: setup
	$(DBT) docs generate $(DBT_FLAGS) --target dev

clean:
	rm -rf target logs warehouse metastore_db spark-warehouse

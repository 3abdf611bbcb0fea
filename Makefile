# followup — the two commands of the README, and the steps they are made of.
#
#   make demo   set up everything, simulate a week of daily runs, write the results report
#   make test   the whole test suite: lint, dbt build + tests on a small data set, pytest,
#               and the same build on PostgreSQL and Spark compared row for row with DuckDB
#
# Every step runs inside the project's own virtualenv (.venv), created from the
# pinned requirements.txt on first use.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PY := $(BIN)/python
DBT := $(BIN)/dbt

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The demo: DEMO_DAYS simulated days ending today (UTC).
DEMO_AS_OF ?= $(shell date -u +%F)
DEMO_DAYS ?= 7
DEMO_START = $(shell date -u -d "$(DEMO_AS_OF) -$$(( $(DEMO_DAYS) - 1 )) days" +%F)
DEMO_CONTACTS ?= 2000
DEMO_SEED ?= 7
DEMO_DATA := data/simulation
DEMO_WAREHOUSE ?= warehouse/demo.duckdb
DEMO_REPORTS ?= reports
export FOLLOWUP_DUCKDB_PATH ?= warehouse/followup.duckdb

# The test suite: a small, fixed data set, so that every expected value is exact.
TEST_AS_OF := 2026-06-15
TEST_CONTACTS := 2000
TEST_SEED := 42
TEST_DATA := data/test
TEST_DUCKDB := warehouse/test.duckdb

.PHONY: help setup setup-spark setup-browser demo daily test test-spark test-daily-faults fuzz fuzz-mutants lint build-test pytest clean

help:
	@echo "make demo   set up, simulate a week of the daily job (ESP and customers simulated), write the report"
	@echo "make test   lint, dbt build with all tests on a small data set, pytest"
	@echo "make test-spark  build the test data set on Spark too and compare it with DuckDB"
	@echo "make daily DAY=YYYY-MM-DD FROM=DIR ESP=PROFILE   the morning job (followup daily)"
	@echo "make test-daily-faults   kill the daily job at 21 moments and check every rerun"
	@echo "make fuzz   10,000 generated worlds through build, export and every invariant (SEED=N to rerun)"
	@echo "make fuzz-mutants   plant 12 known rule bugs; the fuzz worlds must catch each one"
	@echo "make clean  remove the virtualenv, generated data, warehouses and dbt output"

# ---------------------------------------------------------------- setup
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@echo "==> Setting up the virtualenv in $(VENV) (pinned requirements.txt)"
	test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: requirements-spark.txt $(VENV)/.installed
	@echo "==> Installing the Spark engine (dbt-spark session method, PySpark)"
	$(PY) -m pip install --quiet -r requirements-spark.txt
	touch $@

# Headless Chromium for the report's browser test (tests/python/test_report_browser.py):
# the Debian package, installed only if `chromium` is missing (as root, else with sudo).
BROWSER_SUDO = $(if $(filter 0,$(shell id -u)),,sudo)
setup-browser:
	@command -v chromium >/dev/null || { echo "==> Installing Chromium (apt-get install chromium)"; \
		$(BROWSER_SUDO) apt-get update -qq && \
		$(BROWSER_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# ---------------------------------------------------------------- demo
# The demo simulates DEMO_DAYS mornings ending today: the real daily job every day, with a
# simulated ESP and customers in between (followup simulate), then writes the report of
# the last day. It has its own warehouse file, so it never touches warehouse/followup.duckdb.
demo: setup
	@echo "==> Simulating $(DEMO_DAYS) days ($(DEMO_START) .. $(DEMO_AS_OF)) of $(DEMO_CONTACTS) contacts: the daily job each morning, a simulated ESP and customers in between"
	FOLLOWUP_DUCKDB_PATH=$(DEMO_WAREHOUSE) $(BIN)/followup simulate --contacts $(DEMO_CONTACTS) \
		--days $(DEMO_DAYS) --as-of $(DEMO_START) --seed $(DEMO_SEED) --out $(DEMO_DATA) --allow-spike
	@echo "==> The report of $(DEMO_AS_OF)"
	FOLLOWUP_DUCKDB_PATH=$(DEMO_WAREHOUSE) $(BIN)/followup report --as-of $(DEMO_AS_OF) --out $(DEMO_REPORTS)
	@echo
	@echo "Done. The report: $(DEMO_REPORTS)/followup-report-$(DEMO_AS_OF).html (open it in a browser; it works offline)"
	@echo "  It shows the funnel of $(DEMO_AS_OF), engagement, segment trends and transitions over the $(DEMO_DAYS) simulated days,"
	@echo "  and the uplift of the flows' entries whose 7-day attribution window is complete (the first day's)."
	@echo "  At $(DEMO_CONTACTS) contacts most flows are too small to conclude; for a month of results:"
	@echo "    FOLLOWUP_DUCKDB_PATH=warehouse/month.duckdb $(BIN)/followup simulate --contacts 20000 --days 30 --as-of <day> --out data/month --allow-spike"
	@echo "The warehouse: $(DEMO_WAREHOUSE) (DuckDB, schema analytics; BI tools read $(dir $(DEMO_WAREHOUSE))published/$(notdir $(DEMO_WAREHOUSE)))"
	@echo "  segments:   dim_contacts, contact_rfm, contact_lifecycle, contact_lead_scores, sales_handoff"
	@echo "  flows:      audience_<flow_id>, audience_decisions, flow_daily_summary"
	@echo "  results:    flow_uplift, flow_engagement_daily, segment_size_history, lifecycle_transition_matrix, rfm_grid_history"
	@echo "What the simulated ESP and customers did, and the planted truth: $(DEMO_DATA)/ (truth.json); send lists: $(DEMO_DATA)/exports/<day>/generic/"

# The morning job, as a scheduler runs it: make daily DAY=2026-12-03 FROM=/data/today ESP=brevo
DAY ?= $(shell date -u +%F)
FROM ?=
ESP ?=
daily: setup
	$(BIN)/followup daily --as-of $(DAY) $(if $(FROM),--from $(FROM)) $(foreach p,$(ESP),--esp $(p))

# ---------------------------------------------------------------- test
test: setup lint build-test pytest test-spark
	@echo "==> All checks passed."

lint: setup
	@echo "==> ruff"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@echo "==> generated files (raw contract macro, flow registry) are current"
	$(PY) -m followup.contract --check
	$(BIN)/followup flows generate --check
	@echo "==> dbt parse (deprecations are errors)"
	$(DBT) parse --no-partial-parse --show-all-deprecations \
		--warn-error-options '{"error": ["Deprecations"]}'
	@echo "==> sqlfluff (dbt templater, duckdb dialect)"
	FOLLOWUP_DUCKDB_PATH=:memory: $(BIN)/sqlfluff lint models tests/*.sql tests/flows

build-test: setup
	@echo "==> Generating the test data set ($(TEST_CONTACTS) contacts, $(TEST_AS_OF))"
	rm -f $(TEST_DUCKDB)
	$(BIN)/followup generate --contacts $(TEST_CONTACTS) --seed $(TEST_SEED) \
		--as-of $(TEST_AS_OF) --out $(TEST_DATA)
	FOLLOWUP_DUCKDB_PATH=$(TEST_DUCKDB) $(BIN)/followup load --from $(TEST_DATA)
	@echo "==> dbt build (models, data tests, unit tests) for $(TEST_AS_OF)"
	FOLLOWUP_DUCKDB_PATH=$(TEST_DUCKDB) $(DBT) build --vars '{as_of_date: "$(TEST_AS_OF)"}'

# pytest runs against a throwaway PostgreSQL server (started and stopped by
# scripts/with_postgres.sh): the cross-engine test builds the same data set there.
pytest: setup setup-browser
	@echo "==> pytest (with a throwaway PostgreSQL server)"
	scripts/with_postgres.sh env FOLLOWUP_REQUIRE_POSTGRES=1 \
		FOLLOWUP_TEST_DUCKDB=$(TEST_DUCKDB) FOLLOWUP_TEST_DATA=$(TEST_DATA) FOLLOWUP_TEST_AS_OF=$(TEST_AS_OF) \
		$(BIN)/pytest

# The same test data set on Spark (local mode), compared row for row with DuckDB.
SPARK_DIR := warehouse/spark
test-spark: setup-spark build-test
	@echo "==> Spark: loading $(TEST_DATA) into a fresh local metastore ($(SPARK_DIR))"
	rm -rf $(SPARK_DIR)
	FOLLOWUP_SPARK_DIR=$(SPARK_DIR) $(BIN)/followup load --from $(TEST_DATA) --target spark
	@echo "==> Spark: followup build (models up to the customer summary, followup predict, then"
	@echo "    dbt build: models, data tests, unit tests) for $(TEST_AS_OF)"
	FOLLOWUP_SPARK_DIR=$(SPARK_DIR) $(BIN)/followup build --as-of $(TEST_AS_OF) --target spark \
		--target-path target/spark
	@echo "==> Spark vs DuckDB: audiences and segments, row for row"
	FOLLOWUP_SPARK_DIR=$(SPARK_DIR) $(BIN)/followup compare duckdb:$(TEST_DUCKDB) spark

# The daily job killed (SIGKILL) at all 21 moments of load, build, export and publish, each
# followed by a rerun compared with one uninterrupted run (make test kills at 6 of them).
test-daily-faults: setup build-test
	FOLLOWUP_DAILY_FAULTS=all FOLLOWUP_TEST_DUCKDB=$(TEST_DUCKDB) FOLLOWUP_TEST_DATA=$(TEST_DATA) \
		$(BIN)/pytest tests/python/test_daily_job.py -k "killed" -v

# Proof by fuzzing (followup/fuzz/): make test runs 1,000 worlds with a fixed seed; this
# runs 10,000 with a new seed each time (printed; SEED=N reruns it). A failing world is
# shrunk and saved under tests/fuzz/regressions/, which every later run replays.
FUZZ_WORLDS ?= 10000
SEED ?=
fuzz: setup
	$(BIN)/followup fuzz run --worlds $(FUZZ_WORLDS) $(if $(SEED),--seed $(SEED))

# The mutation check: each planted rule bug, in a copy of the project, must be caught by
# 1,000 fuzz worlds (about 2 minutes per mutant).
fuzz-mutants: setup
	$(BIN)/followup fuzz mutants --worlds 1000

clean:
	rm -rf $(VENV) data warehouse target logs dbt_packages exports reports

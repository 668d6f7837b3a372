# Two commands on a fresh machine: `make run` (set up, then ingest seeds/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/coverage.duckdb
SHARED ?= ../shared
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export PREFECT_SERVER_UI_ENABLED ?= false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 60
export PREFECT_HOME ?= $(CURDIR)/data/prefect

.PHONY: run test eval setup lock clean docs bench-reprocess

$(BIN)/covpipe: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.8"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

setup: $(BIN)/covpipe  ## create .venv from the lock file

run: $(BIN)/covpipe  ## ingest seeds/ into $(DB) and print a summary
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/covpipe ingest seeds --db $(DB)
	$(BIN)/covpipe status --db $(DB)

test: $(BIN)/covpipe  ## the test suite
	$(BIN)/python -m pytest

eval: $(BIN)/covpipe  ## the scorers (seeds, French pages, article extraction) and the quote and NER reports
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/python -m bench.eval --shared $(SHARED) --out data/eval
	$(BIN)/python -m bench.litbank --shared $(SHARED)
	$(BIN)/python -m bench.ner --shared $(SHARED) --json data/eval/ner.json

bench-reprocess: $(BIN)/covpipe  ## idempotence (seeds + French pages twice) and re-processing of 1,000 posts
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.reprocess --shared $(SHARED) --json data/eval/reprocess.json

docs: $(BIN)/covpipe  ## regenerate docs/warehouse.md from the schema comments
	$(BIN)/covpipe schema --format markdown > docs/warehouse.md

lock:  ## re-pin requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) data build *.egg-info

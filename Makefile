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

.PHONY: run test eval train-speakers setup lock clean docs chromium wordpress bench bench-reprocess bench-memory bench-writer bench-coldstart bench-fetch bench-report bench-pathological bench-readers bench-retag bench-live bench-stories

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

test: $(BIN)/covpipe chromium wordpress  ## the test suite
	$(BIN)/python -m pytest

wordpress:  ## Debian's WordPress, MariaDB and Apache for the live-source tests (skipped when they cannot be installed)
	@if [ ! -e /usr/share/wordpress/wp-load.php ] || ! php -r 'exit(extension_loaded("simplexml") ? 0 : 1);' 2>/dev/null; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordpress mariadb-server apache2 php-xml >/dev/null \
	      || echo "WordPress could not be installed: the real-WordPress tests will be skipped"; \
	  else echo "WordPress absent and apt-get/root unavailable: the real-WordPress tests will be skipped"; fi; \
	fi

chromium:  ## Debian's chromium for the report's browser test (skipped when it cannot be installed)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get install -y -qq chromium >/dev/null || echo "chromium could not be installed: the report's browser test will be skipped"; \
	  else echo "chromium absent and apt-get/root unavailable: the report's browser test will be skipped"; fi; \
	fi

eval: $(BIN)/covpipe  ## the scorers (seeds, French pages, article extraction), the speakers' cross-validation, the quote and NER reports
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/python -m bench.eval --shared $(SHARED) --out data/eval
	$(BIN)/python -m bench.speakers cv --shared $(SHARED)
	$(BIN)/python -m bench.litbank --shared $(SHARED)
	$(BIN)/python -m bench.en_speakers --shared $(SHARED) --json data/eval/en_speakers.json
	$(BIN)/python -m bench.ner --shared $(SHARED) --json data/eval/ner.json

train-speakers: $(BIN)/covpipe  ## retrain the speaker model on the development gold, then choose its English threshold (tasks/data/speaker_model.json)
	$(BIN)/python -m bench.speakers train --shared $(SHARED)
	$(BIN)/python -m bench.en_speakers --shared $(SHARED) --write

bench-stories: $(BIN)/covpipe  ## near-copies of the development pages grouped into stories; 10,000 posts grouped (<= 30 s)
	@mkdir -p data/eval
	$(BIN)/python -m bench.stories --shared $(SHARED) --json data/eval/stories.json

bench-reprocess: $(BIN)/covpipe  ## idempotence (seeds + French pages twice) and re-processing of 1,000 posts
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.reprocess --shared $(SHARED) --json data/eval/reprocess.json

N ?= 2000
bench: $(BIN)/covpipe  ## throughput: the library floor vs ingest vs reprocess --all on N posts (N=2000; N=10000 on request)
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.throughput --shared $(SHARED) -n $(N) --json data/eval/throughput-$(N).json

SIZES ?= 1000 10000
bench-memory: $(BIN)/covpipe  ## memory against corpus size: peak PSS and RSS of ingest at SIZES posts (about half an hour)
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.memory --shared $(SHARED) --sizes $(SIZES) --json data/eval/memory.json

WRITER_N ?= 10000
bench-writer: $(BIN)/covpipe  ## the warehouse writer's memory over WRITER_N posts, parsing left out (10,000; about 5 min)
	@mkdir -p data/eval
	$(BIN)/python -m bench.writer_memory --shared $(SHARED) -n $(WRITER_N) --json data/eval/writer-memory.json

bench-coldstart: $(BIN)/covpipe  ## ingest of one seed file: time to the flow run's start and end, with the embedded API and with a running server (about 3 min)
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.coldstart --json data/eval/coldstart.json

bench-fetch: $(BIN)/covpipe  ## politeness: 2 loopback hosts x 50 pages at 2 req/s per host (about 25 s)
	@mkdir -p data/eval
	$(BIN)/python -m bench.fetch --json data/eval/fetch.json

bench-report: $(BIN)/covpipe  ## the coverage report of 2,000 posts: seconds and MB
	@mkdir -p data/eval
	$(BIN)/python -m bench.report --json data/eval/report.json

bench-pathological: $(BIN)/covpipe  ## a 2 GiB gzip bomb, a page of 100,000 quoted paragraphs, unbalanced quote marks: outcome, seconds, peak RSS (about 1 min)
	@mkdir -p data/eval
	$(BIN)/python -m bench.pathological --json data/eval/pathological.json

bench-retag: $(BIN)/covpipe  ## re-tagging 10,000 stored posts after an events change (target <= 10 s)
	@mkdir -p data/eval
	$(BIN)/python -m bench.retag $(if $(wildcard $(SHARED)),--shared $(SHARED)) --json data/eval/retag.json

bench-live: $(BIN)/covpipe  ## rss, wordpress and sitemap against a real WordPress (root; apt-get install wordpress mariadb-server apache2 php-xml; about 4 min)
	@mkdir -p data/eval
	$(BIN)/python -m bench.live_sources --json data/eval/live_sources.json

bench-readers: $(BIN)/covpipe  ## status and sql answer times while an ingest of 2,000 posts runs (about 7 min)
	@mkdir -p $(PREFECT_HOME) data/eval
	$(BIN)/python -m bench.readers --shared $(SHARED) -n 2000 --json data/eval/readers.json

docs: $(BIN)/covpipe  ## regenerate docs/warehouse.md from the schema comments
	$(BIN)/covpipe schema --format markdown > docs/warehouse.md

lock:  ## re-pin requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) data build *.egg-info

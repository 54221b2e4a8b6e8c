# Two entry points: `make run` (the live server) and `make test` (lint, types, tests).
# Each creates .venv and installs what it needs, so both work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LISTEN ?= 127.0.0.1:9090
DATA ?= data

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@echo "erpmon: http://$(LISTEN)/api/v1/targets (targets), /metrics (self), /node/metrics (host), /api/v1/status/tsdb"
	@echo "erpmon: data in $(DATA)/; reload with 'kill -HUP' or 'curl -X POST http://$(LISTEN)/-/reload'; Ctrl-C stops"
	$(BIN)/erpmon up --web.listen-address=$(LISTEN) --storage.tsdb.path=$(DATA) --web.enable-lifecycle

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n auto -q

test: lint typecheck pytest

bench: $(STAMP)
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(DATA) .mypy_cache .pytest_cache .ruff_cache

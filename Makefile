# Two entry points: `make run` (the live server) and `make test` (lint, types, tests).
# Each creates .venv and installs what it needs, so both work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LISTEN ?= 127.0.0.1:9090
DATA ?= demo-data

.PHONY: run test lint typecheck pytest bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The live demo: the reference ERPGo with simulated customers and scheduled faults, watched by erpmon
# with the ERPGo pack (rules, routing, incidents, checks); notifications land in an inbox it serves.
run: $(STAMP)
	$(BIN)/erpmon demo --web.listen-address=$(LISTEN) --data-dir=$(DATA)

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

# aicensus — developer entry points. Everything runs inside .venv, created on demand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint demo bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole product with no cloud account: local AWS/Azure/GCP/SaaS stand-ins plus the sample
# repositories (examples/), scanned twice with a change in between; inventory, diff, HTML report.
demo: $(STAMP)
	$(BIN)/aicensus demo --workdir aicensus-demo

bench: $(STAMP)
	$(BIN)/python bench/code_scan.py

clean:
	rm -rf $(VENV) demo.db aicensus-demo .pytest_cache .mypy_cache .ruff_cache

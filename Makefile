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

# The main job on the embedded default: scan the bundled demo estate into a fresh SQLite file.
demo: $(STAMP)
	rm -f demo.db
	$(BIN)/aicensus scan examples/estate/*/ --db sqlite:///demo.db
	$(BIN)/aicensus inventory list --db sqlite:///demo.db

bench: $(STAMP)
	$(BIN)/python bench/code_scan.py

clean:
	rm -rf $(VENV) demo.db .pytest_cache .mypy_cache .ruff_cache

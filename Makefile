# Two entry points: `make demo` and `make test`.  Both set up .venv from nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SEEDS ?= ../shared/seeds
DEMO_DB ?= demo.db

.PHONY: demo test test-slow lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.base

demo: $(VENV)/.base
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/storyfold ingest --db $(DEMO_DB) $(SEEDS)
	$(BIN)/storyfold stories --db $(DEMO_DB)
	@for story in $$($(BIN)/storyfold stories --db $(DEMO_DB) --ids); do \
		echo; $(BIN)/storyfold show --db $(DEMO_DB) $$story; done

test: $(VENV)/.dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not slow"

test-slow: $(VENV)/.dev
	$(BIN)/pytest -q -m slow

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .mypy_cache .ruff_cache

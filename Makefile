# Two entry points on a fresh clone: `make demo` and `make test`.
# Each bootstraps the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/b2b demo --db sqlite:///b2bcore-demo.db

lint: $(STAMP)
	$(BIN)/ruff check src adapters tests benchmarks
	$(BIN)/ruff format --check src adapters tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# Projection rebuild against merely reading the log (docs/performance.md).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.rebuild --events 1000000 --db benchmarks/rebuild-1m.db

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.rebuild --events 100000 --db benchmarks/rebuild-100k.db

clean:
	rm -rf $(VENV) b2bcore-demo.db .pytest_cache .mypy_cache .ruff_cache .hypothesis

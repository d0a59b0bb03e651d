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

# The benchmark table, every figure a ratio to a baseline of the same run
# (docs/performance.md). Prints it and writes benchmarks/results/latest-*.md
# and .json. Full: 1,000,000-event rebuild, queries at 100,000 assets and
# deals (the first run records the books into benchmarks/*.db, ~12 minutes;
# later runs reuse them). Quick: under a minute.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --size full

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks.run --size quick

clean:
	rm -rf $(VENV) b2bcore-demo.db .pytest_cache .mypy_cache .ruff_cache .hypothesis

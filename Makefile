# Two entry points on a fresh clone: `make demo` and `make test`.
# Each bootstraps the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
#: Exact versions of the development environment (pip constraints).
LOCK := requirements-dev.lock

.PHONY: demo test lint bench bench-quick lock clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c $(LOCK)
	touch $(STAMP)

# Re-pin the development environment: the newest versions pyproject.toml
# allows, installed in a scratch environment and written to $(LOCK).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' $(LOCK); .venv-lock/bin/python -m pip freeze --exclude-editable; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock

#: Where `make demo` records (a demo book there is replaced, nothing else).
DEMO_DB ?= sqlite:///b2bcore-demo.db

demo: $(STAMP)
	$(BIN)/b2b demo --db $(DEMO_DB)

lint: $(STAMP)
	$(BIN)/ruff check src adapters tests benchmarks
	$(BIN)/ruff format --check src adapters tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite on every core (pytest-xdist); `$(BIN)/pytest path` runs a part
# in one process. A second local PostgreSQL server (port 5433) is started
# first where the machine allows, for the tests of tenants on two servers.
test: lint
	tests/services/second_postgres.sh 5433
	$(BIN)/pytest -n auto --dist worksteal

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
	rm -rf $(VENV) .venv-lock b2bcore-demo.db .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Two commands on a fresh machine (Python 3.11+): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# OpenMP waits passively on the shared cores (see cli.main); an explicit setting wins.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: demo test ui serve lint bench

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

demo: $(BIN)/.installed  ## demo data into the embedded SQLite database, then the whole asset graph
	$(BIN)/famachat-ml demo

test: $(BIN)/.installed  ## Definitions load (dagster definitions validate), then the whole suite on SQLite and Postgres
	$(BIN)/dagster definitions validate --log-level warning
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

ui: $(BIN)/.installed  ## the Dagster UI on http://127.0.0.1:3000, same instance as the CLI
	$(BIN)/famachat-ml ui

serve: $(BIN)/.installed  ## production on one machine: dagster-daemon + dagster-webserver (Ctrl-C stops both)
	$(BIN)/famachat-ml serve

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(BIN)/.installed  ## the fleet benchmark on Postgres (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_fleet.py

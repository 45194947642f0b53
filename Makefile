# Two commands on a fresh machine (Python 3.11+): `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# OpenMP waits passively on the shared cores (see cli.main); an explicit setting wins.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: demo test test-clock ui serve lint bench

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

demo: $(BIN)/.installed  ## demo data into the embedded SQLite database, then the whole asset graph
	$(BIN)/famachat-ml demo

# Three workers on two cores: the suite waits about a third of its time (the served stack's daemon ticks,
# process start-ups, shutdown graces): 787 CPU seconds in 905 s with two workers, 800 in 809 s with three.
XDIST ?= -n 3 --dist loadgroup

# The suite's scratch files on tmpfs where the machine has one: its SQLite files take a commit (an fsync) per
# Dagster event, about a hundred a run. Measured on the pipeline tests (defs/, test_runner, test_status), -n 3:
# 205 and 206 s on /tmp (ext4), 158 and 191 s on /dev/shm, with a third less system CPU.
TEST_TMPDIR ?= $(shell test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo $${TMPDIR:-/tmp})

# Bytecode caching on for the suite even where the environment turns it off (PYTHONDONTWRITEBYTECODE=1 was
# set on the machines here): without it each `famachat-ml`/Dagster process the suite starts compiles the
# package again, and each worker rewrites every test module's asserts again (most of a 19 s collection).
# Measured 2026-12-02 with benchmarks/bench_test_bytecode.sh (a subprocess-heavy subset, off/on alternated,
# 3 pairs): CPU s off/on 131.4/129.8, 112.3/103.7, 100.6/103.4: no difference beyond this machine's noise;
# kept as it is the cheaper path by construction (each process compiles nothing it compiled before).
test: $(BIN)/.installed  ## Definitions load (dagster definitions validate), then the whole suite on SQLite and Postgres
	$(BIN)/dagster definitions validate --log-level warning
	TMPDIR=$(TEST_TMPDIR) PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q $(XDIST)

# Opt-in, needs faketime (apt-get install faketime; libfaketime reaches Dagster's child processes): the tests
# that take the demo's dates from the real clock, at a new year in UTC only (still Dec 31 in São Paulo) and
# just after São Paulo's midnight on a month's first day. Not the daemon/served/run-queue ones: they time
# out under faketime (Postgres's own clock is not faked; measured once, none on a date expectation).
CLOCK_TESTS ?= famachat_ml_pipeline_tests/demo famachat_ml_pipeline_tests/source famachat_ml_pipeline_tests/test_runner.py famachat_ml_pipeline_tests/defs/orchestration/test_sensors.py famachat_ml_pipeline_tests/api/test_agent_followups.py
test-clock: $(BIN)/.installed  ## the date-sensitive tests under two faked clocks (needs faketime)
	@command -v faketime >/dev/null || { echo "test-clock needs faketime (apt-get install faketime)"; exit 1; }
	TMPDIR=$(TEST_TMPDIR) faketime '2027-01-01 02:30:00' $(BIN)/python -m pytest -q $(XDIST) -p no:cacheprovider $(CLOCK_TESTS)
	TMPDIR=$(TEST_TMPDIR) faketime '2027-03-01 03:10:00' $(BIN)/python -m pytest -q $(XDIST) -p no:cacheprovider $(CLOCK_TESTS)

ui: $(BIN)/.installed  ## the Dagster UI on http://127.0.0.1:3000, same instance as the CLI
	$(BIN)/famachat-ml ui

serve: $(BIN)/.installed  ## production on one machine: dagster-daemon + dagster-webserver (Ctrl-C stops both)
	$(BIN)/famachat-ml serve

lint: $(BIN)/.installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(BIN)/.installed  ## the fleet benchmark on Postgres (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_fleet.py

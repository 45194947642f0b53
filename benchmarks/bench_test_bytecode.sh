#!/usr/bin/env bash
# The suite's bytecode caching (Makefile `test`), off and on alternated: a subprocess-heavy subset of the
# tests, each run from fresh __pycache__ folders, `ROUNDS` pairs. Prints each run's wall and CPU seconds.
#   benchmarks/bench_test_bytecode.sh [ROUNDS]      (from the repository root, after `make .venv/bin/.installed`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
subset=(famachat_ml_pipeline_tests/test_cli_errors.py famachat_ml_pipeline_tests/test_cli.py
        famachat_ml_pipeline_tests/test_status.py famachat_ml_pipeline_tests/evaluation)
tmp=$(test -d /dev/shm -a -w /dev/shm && echo /dev/shm || echo "${TMPDIR:-/tmp}")
for round in $(seq 1 "$rounds"); do
  for mode in off on; do
    find famachat_ml_pipeline famachat_ml_pipeline_tests -name __pycache__ -type d -prune -exec rm -rf {} +
    flag=$([ "$mode" = off ] && echo 1 || echo "")
    /usr/bin/time -f "bytecode $mode, round $round: %e s wall, %U s user, %S s sys" \
      env PYTHONDONTWRITEBYTECODE="$flag" TMPDIR="$tmp" .venv/bin/python -m pytest -q -n 3 -p no:cacheprovider \
      "${subset[@]}" 2>&1 | grep -E "passed|failed|round"
  done
done

"""The e2e tests share one served deployment (conftest.py): the ones that kill a run with -9 must run after
the others, which assert that no run failed and that no failure was posted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
KILL_TESTS = {"test_served_killed_backfill.py", "test_served_killed_run.py", "test_served_restart.py"}


def _collected_files() -> list[str]:
    """The e2e test files in the order a session of this package alone collects them."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(HERE)],
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return [line.split("::")[0].rsplit("/", 1)[-1] for line in done.stdout.splitlines() if "::" in line]


def test_the_run_killing_tests_come_after_the_other_served_tests(request: pytest.FixtureRequest) -> None:
    # This session's own order when it collected the whole package (the full suite: no second collection,
    # which took ~40 s of a loaded machine), else a collection of the package alone.
    files = [item.path.name for item in request.session.items if item.path.parent == HERE]
    if set(files) != {p.name for p in HERE.glob("test_*.py")}:
        files = _collected_files()
    served = [f for f in files if f != Path(__file__).name]
    kills = [i for i, f in enumerate(served) if f in KILL_TESTS]
    # every run-killing file's tests (one file may hold several), and other tests before them
    assert {served[i] for i in kills} == KILL_TESTS and len(served) > len(kills), served
    assert kills == list(range(len(served) - len(kills), len(served))), served

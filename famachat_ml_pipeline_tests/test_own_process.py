"""The suite's guard against a hang seen once: a Ctrl-C test's KeyboardInterrupt left logging's module
lock held by the main thread of its xdist worker, and a later test's anomaly detector thread waited for it
forever. Tests that interrupt the main thread run in their own process; a lock left held fails its test."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from famachat_ml_pipeline_tests.conftest import OWN_PROCESS, _logging_lock_owner


@pytest.mark.own_process
def test_a_test_marked_own_process_runs_in_a_fresh_interpreter() -> None:
    assert os.environ.get(OWN_PROCESS) == "1"


def test_a_held_logging_lock_is_seen_with_its_owner() -> None:
    assert _logging_lock_owner() is None
    logging._lock.acquire()  # type: ignore[attr-defined]  # what the interrupt leaves behind
    try:
        assert _logging_lock_owner() == threading.main_thread().ident
    finally:
        logging._lock.release()  # type: ignore[attr-defined]
    assert _logging_lock_owner() is None


LEAKS = """
import logging

def test_leaves_it_held():
    logging._lock.acquire()
"""


def test_a_test_that_leaves_the_lock_held_fails_by_name(tmp_path: Path) -> None:
    (tmp_path / "test_leak.py").write_text(LEAKS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0"]
        + ["-p", "famachat_ml_pipeline_tests.conftest", str(tmp_path / "test_leak.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ERROR at teardown of test_leaves_it_held" in done.stdout, done.stdout
    assert "logging's module lock left held by thread" in done.stdout, done.stdout

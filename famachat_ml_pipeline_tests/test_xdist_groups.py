"""`make test` relies on `--dist loadgroup` keeping each xdist_group on one worker: the served stack is
started once per worker, and two at once starve the 2-core machine. pytest 9.2 with pytest-xdist 3.8
silently ignored the groups (xdist still set the old `item._nodeid`); this fails on such an upgrade."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GROUPED = """
import os
import pytest

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("i", range(4))
def test_grouped(i):
    print(f"PID {os.getpid()}")

@pytest.mark.parametrize("i", range(8))
def test_free(i):
    pass
"""


def test_loadgroup_keeps_a_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-v",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    workers = {
        line.split()[0]
        for line in done.stdout.splitlines()
        if line.startswith("[gw") and "::test_grouped[" in line
    }
    assert len(workers) == 1, done.stdout[-3000:]
    assert "test_grouped[0]@together" in done.stdout

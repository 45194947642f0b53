"""One code server for the served deployment. Left to load the code themselves, the daemon and the webserver
each ran a code server of their own, and Dagster's workspace refresh replaced the daemon's every 60 s (a new
process importing the whole code location each minute: measured in benchmarks/bench_serve_idle.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from famachat_ml_pipeline_tests.e2e.served import Served, processes_with_env

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


def _code_server_groups(served: Served) -> dict[int, int]:
    """pid -> process group of each deployment process that serves the code (`dagster api grpc`)."""
    groups = {}
    for pid in processes_with_env(f"DAGSTER_HOME={served.env['DAGSTER_HOME']}"):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"api" in argv and b"grpc" in argv:
                groups[pid] = os.getpgid(pid)
        except (OSError, ProcessLookupError):
            continue
    return groups


def test_the_daemon_and_the_webserver_share_serves_one_code_server(served: Served) -> None:
    started = dict(re.findall(r"started ([\w-]+) \(pid (\d+)\)", served.log.read_text()))  # the latest start
    groups = _code_server_groups(served)
    assert len(groups) == 1, f"code servers (pid: group) {groups}; started {started}"
    assert list(groups.values()) == [int(started.get("dagster-code-server", -1))], (groups, started)
    # the daemon still sees the location: its sensors tick against it
    data = served.graphql("{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }")
    entries = data["workspaceOrError"]["locationEntries"]
    assert entries == [{"name": "famachat_ml_pipeline.definitions", "loadStatus": "LOADED"}]

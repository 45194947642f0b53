"""`famachat-ml serve` for real: dagster-daemon, dagster-webserver and the agent API on a throwaway Postgres
instance database, with the demo's accounts in another throwaway database and a loopback webhook receiver."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import dagster as dg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database
from famachat_ml_pipeline_tests.defs.orchestration.webhook_receiver import Receiver, webhook_receiver

CLI = str(Path(sys.executable).with_name("famachat-ml"))
SENSOR_INTERVAL_SECONDS = 5  # the sensor daemon's own loop is 5 s (dagster/_daemon/sensor.py): no less
# Every run here passes through the daemon's run queue, and a killed one through its run-retry daemon (the
# event log consumer): both poll every 5 s by default, 1 s here (dagster.yaml's `run_queue`, Dagster's env).
RUN_QUEUE_INTERVAL_SECONDS = 1
RUN_RETRY_INTERVAL_SECONDS = 1
API_KEY = "e2e-famachat-backend"


@dataclass
class Served:
    base: str  # the webserver, e.g. http://127.0.0.1:PORT
    api: str  # the agent API, e.g. http://127.0.0.1:PORT
    data_url: str
    instance: dg.DagsterInstance
    receiver: Receiver
    log: Path
    env: dict[str, str]  # what the served processes were started with (data, instance, storage paths)
    argv: list[str] = field(default_factory=list)  # `famachat-ml serve ...`
    proc: subprocess.Popen | None = None  # the serve process now running (restart replaces it)

    def restart(self, stop: signal.Signals, before_start: Callable[[], None] = lambda: None) -> float:
        """Stop serve as a rollout does (SIGTERM to serve) or as a node's death does (SIGKILL of serve and
        every process of the deployment), call `before_start`, then start serve again with the same
        environment; returns the seconds from the new start until the webserver and API answer."""
        assert self.proc is not None
        if stop == signal.SIGKILL:
            for pid in [self.proc.pid, *processes_with_env(f"DAGSTER_HOME={self.env['DAGSTER_HOME']}")]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        else:
            self.proc.send_signal(stop)
        before_start()
        self.proc.wait(timeout=120)
        with self.log.open("a") as out:
            self.proc = _start(self.argv, self.env, out)
        started = time.monotonic()
        _wait_up(self.proc, self.base, self.api, self.log)
        return time.monotonic() - started

    @property
    def engine(self) -> sa.Engine:
        return get_engine(self.data_url)

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.base}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            answer = json.loads(resp.read())
        assert "errors" not in answer, answer
        return answer["data"]

    def wait(self, predicate: Callable[[], object], seconds: float, what: str) -> object:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(1)
        tail = self.log.read_text()[-4000:]
        raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}\n{tail}")

    def runs(self, *statuses: dg.DagsterRunStatus) -> list[dg.DagsterRun]:
        filters = dg.RunsFilter(statuses=list(statuses)) if statuses else None
        return list(self.instance.get_runs(filters=filters))

    def idle(self) -> bool:
        """No run queued, starting or in progress."""
        return not self.runs(
            dg.DagsterRunStatus.QUEUED,
            dg.DagsterRunStatus.NOT_STARTED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(base: str, path: str = "/server_info") -> bool:
    try:
        with urllib.request.urlopen(f"{base}{path}", timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


def _psycopg2(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def serve(tmp: Path, n_accounts: int = 2) -> Iterator[Served]:
    """`famachat-ml serve` on throwaway databases; on a clean exit, checks that Ctrl-C stops every process."""
    data_url, dagster_url = create_pg_database("fcml_e2e"), create_pg_database("fcml_e2e_dagster")
    migrate(data_url)
    write_demo(get_engine(data_url), generate_demo(n_accounts=n_accounts, days=70, seed=3))
    home = tmp / "dagster_home"
    port, api_port = _free_port(), _free_port()
    api = f"http://127.0.0.1:{api_port}"
    log = tmp / "serve.log"
    with webhook_receiver() as receiver, log.open("w") as out, pytest.MonkeyPatch.context() as mp:
        env = {
            **os.environ,
            "DATABASE_URL": data_url,
            "DAGSTER_PG_URL": _psycopg2(dagster_url),
            "DAGSTER_HOME": str(home),
            "MODELS_STORAGE_PATH": str(tmp / "models"),
            "FRAMES_STORAGE_PATH": str(tmp / "frames"),
            "ALERT_WEBHOOK_URL": receiver.url,
            "SENSOR_INTERVAL_SECONDS": str(SENSOR_INTERVAL_SECONDS),
            "RUN_QUEUE_INTERVAL_SECONDS": str(RUN_QUEUE_INTERVAL_SECONDS),
            "DAGSTER_EVENT_LOG_CONSUMER_DAEMON_INTERVAL_SECONDS": str(RUN_RETRY_INTERVAL_SECONDS),
            "ML_API_KEY": API_KEY,
        }
        argv = [CLI, "serve", "--port", str(port), "--api-port", str(api_port)]
        proc = _start(argv, env, out)
        instance = None
        deployment = None
        try:
            served_base = f"http://127.0.0.1:{port}"
            _wait_up(proc, served_base, api, log)
            mp.setenv("DAGSTER_PG_URL", env["DAGSTER_PG_URL"])  # the instance's dagster.yaml reads it
            instance = dg.DagsterInstance.from_config(str(home))
            # the instance file serve wrote (the daemon reads the same one) has the test's queue interval
            assert instance.run_coordinator.dequeue_interval_seconds == RUN_QUEUE_INTERVAL_SECONDS
            deployment = Served(served_base, api, data_url, instance, receiver, log, env, argv, proc)
            yield deployment
        finally:
            if instance is not None:
                instance.dispose()
            if deployment is not None and deployment.proc is not None:  # a test restarted serve
                proc = deployment.proc
            stopped = _ctrl_c(proc, home)
            drop_pg_database(data_url)
            drop_pg_database(dagster_url)
        # Only after a body that passed: Ctrl-C alone stopped the production pieces, cleanly.
        assert stopped == [], f"Ctrl-C left: {stopped}\n{log.read_text()[-4000:]}"
        out = log.read_text()
        assert proc.returncode == 0, out[-4000:]
        assert {n for n, _ in re.findall(r"started ([\w-]+) \(pid (\d+)\)", out)} == {
            "dagster-code-server",
            "dagster-daemon",
            "dagster-webserver",
            "agent-api",
        }, out[-4000:]
        assert "stopping dagster-code-server, dagster-daemon, dagster-webserver and agent-api" in out
        assert not _up(served_base)
        assert not _up(api, "/api/v1/health/live")


def _start(argv: list[str], env: dict[str, str], out: IO[str]) -> subprocess.Popen:
    return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_up(proc: subprocess.Popen, base: str, api: str, log: Path) -> None:
    deadline = time.monotonic() + 150
    while not (_up(base) and _up(api, "/api/v1/health/ready")):
        assert proc.poll() is None, log.read_text()[-4000:]
        assert time.monotonic() < deadline, f"webserver or agent API not up\n{log.read_text()[-4000:]}"
        time.sleep(1)


def processes_with_env(marker: str) -> list[int]:
    """Pids of live processes whose environment carries `marker` (a DAGSTER_HOME): children included."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ, status = (entry / "environ").read_bytes(), (entry / "status").read_text()
            if marker.encode() in environ and "State:\tZ" not in status:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _ctrl_c(proc: subprocess.Popen, home: Path) -> list[str]:
    """Send what Ctrl-C sends and wait; returns what was still running (then killed), [] if nothing."""
    left: list[str] = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            left.append(f"famachat-ml serve (pid {proc.pid})")
            os.killpg(proc.pid, signal.SIGKILL)
    marker = f"DAGSTER_HOME={home}"
    deadline = time.monotonic() + 20
    while processes_with_env(marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in processes_with_env(marker):  # services run in their own sessions: never leave them behind
        left.append(f"pid {pid}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left

"""`famachat-ml serve`'s parts. The real stack, started by `famachat-ml serve` on Postgres and stopped by
Ctrl-C with every process gone, is the e2e tests' shared deployment (e2e/served.py checks the stop)."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import pytest

from famachat_ml_pipeline.serve import run_services, services


def test_serve_creates_the_instance_storage_once_before_its_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both services open a storage that exists: started on a fresh SQLite home, each created it at the
    same moment and alembic stamped its version table twice ("more than one head present")."""
    from famachat_ml_pipeline.instance import initialise_storage
    from famachat_ml_pipeline.settings import get_settings

    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ml.db'}")
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    try:
        initialise_storage(get_settings())
    finally:
        get_settings.cache_clear()
    for db in ("history/runs.db", "schedules/schedules.db"):
        with sqlite3.connect(home / db) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,), db


def test_a_service_that_dies_stops_the_others_and_fails(tmp_path: Path) -> None:
    from famachat_ml_pipeline.serve import Service

    marker = tmp_path / "alive"
    sleeper = f"import time; open({str(marker)!r}, 'w'); time.sleep(60)"
    long_lived = Service("sleeper", [sys.executable, "-c", sleeper])
    dying = Service("crasher", [sys.executable, "-c", "import time, sys; time.sleep(2); sys.exit(3)"])
    lines: list[str] = []
    start = time.monotonic()
    code = run_services([long_lived, dying], echo=lines.append, grace=5)
    assert code == 3
    assert time.monotonic() - start < 30  # the sleeper was stopped, not waited for
    assert any("crasher exited with code 3" in line for line in lines)
    assert marker.exists()


def test_services_use_this_environment_and_the_code_location() -> None:
    daemon, web = services("0.0.0.0", 3333)
    assert daemon.argv[0].endswith("dagster-daemon") and daemon.argv[1] == "run"
    assert Path(daemon.argv[0]).parent == Path(sys.executable).parent
    assert "famachat_ml_pipeline.definitions" in web.argv and web.argv[-4:] == ["-h", "0.0.0.0", "-p", "3333"]


def test_serve_forgets_its_daemon_when_it_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After `serve` stops, a `run` executes here at once: the daemon's last heartbeat, still under a minute
    old, made it queue for a daemon that was gone (and wait until the heartbeat went stale)."""
    from dagster._daemon.types import DaemonHeartbeat

    from famachat_ml_pipeline import cli, serve
    from famachat_ml_pipeline.instance import get_instance
    from famachat_ml_pipeline.runner import QUEUE_DAEMON, daemon_is_running
    from famachat_ml_pipeline.settings import get_settings

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ml.db'}")
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    # the services: one that ends at once, as a stopped stack does (the real one is e2e's)
    done = serve.Service("done", [sys.executable, "-c", "pass"])
    monkeypatch.setattr(serve, "services", lambda host, port: [done])
    try:
        instance = get_instance(get_settings())
        instance.add_daemon_heartbeat(DaemonHeartbeat(time.time(), QUEUE_DAEMON, "serving", None))
        assert daemon_is_running(instance)
        cli.main(["serve", "--port", "3999"])
        assert not daemon_is_running(get_instance(get_settings()))
    finally:
        get_settings.cache_clear()

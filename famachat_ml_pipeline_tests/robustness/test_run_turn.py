"""Two real `famachat-ml run` (or `retrain`) processes started at the same moment, no daemon: one executes,
the other waits for it, never both at once. wait_for_turn looked for an active run before either had
registered its own, so both executed (run A 01:14:31.34-35.27, run B 01:14:31.60-35.33); the turn is now
an inter-process lock held from that check until the run ends: a file lock under DAGSTER_HOME on SQLite
storage, a Postgres advisory lock on DAGSTER_PG_URL."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest

from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.robustness.conftest import CLI, Fleet


def _instance(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dg.DagsterInstance:
    """The processes' Dagster instance, opened here (get_instance sets DAGSTER_HOME: restored after)."""
    for name in ("DAGSTER_HOME", "DAGSTER_PG_URL"):
        monkeypatch.setenv(name, env.get(name, ""))
    settings = Settings(
        database_url=env["DATABASE_URL"],
        dagster_home=Path(env["DAGSTER_HOME"]),
        dagster_pg_url=env.get("DAGSTER_PG_URL") or None,
    )
    return get_instance(settings)


def _two_at_once(env: dict[str, str], args: list[str]) -> list[str]:
    procs = [
        subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    for proc, out in zip(procs, outs, strict=True):
        assert proc.returncode == 0, out[-3000:]
    return outs


def _assert_one_after_the_other(instance: dg.DagsterInstance, job_name: str, outs: list[str]) -> None:
    records = sorted(
        (r for r in instance.get_run_records() if r.dagster_run.job_name == job_name),
        key=lambda r: r.start_time,
    )
    assert len(records) == 2, [(r.dagster_run.job_name, r.dagster_run.status) for r in records]
    first, second = records
    assert all(r.dagster_run.status == dg.DagsterRunStatus.SUCCESS for r in records)
    assert first.end_time <= second.start_time, (first.start_time, first.end_time, second.start_time)
    assert sum("waiting for another famachat-ml run" in out for out in outs) == 1, outs


def _sqlite_env(tmp_path: Path) -> dict[str, str]:
    from famachat_ml_pipeline.db.engine import get_engine, migrate
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo

    url = f"sqlite:///{tmp_path / 'famachat_ml.db'}"
    migrate(url)
    write_demo(get_engine(url), generate_demo(n_accounts=2, days=60, seed=3))
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_PG_URL"}
    return {
        **env,
        "DATABASE_URL": url,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "MODELS_STORAGE_PATH": str(tmp_path / "models"),
        "FRAMES_STORAGE_PATH": str(tmp_path / "frames"),
    }


@pytest.mark.parametrize(
    ("args", "job_name"), [(["run", "--config-id", "2"], "ml_pipeline"), (["retrain"], "model_retraining")]
)
def test_two_commands_started_together_on_sqlite_storage_run_one_after_the_other(
    args: list[str], job_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _sqlite_env(tmp_path)
    instance = _instance(env, monkeypatch)
    instance.add_dynamic_partitions(config_partitions.name, ["1", "2"])
    outs = _two_at_once(env, args)
    _assert_one_after_the_other(instance, job_name, outs)


@pytest.mark.postgres
def test_two_runs_started_together_on_postgres_storage_run_one_after_the_other(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = _instance(fleet.env, monkeypatch)
    instance.add_dynamic_partitions(config_partitions.name, ["1", "2", "3"])
    outs = _two_at_once(fleet.env, ["run", "--config-id", "2"])
    _assert_one_after_the_other(instance, "ml_pipeline", outs)


def _server_timer(pg: str) -> str:
    """The TCP timer of the Postgres server's socket of the session holding an advisory lock, as the
    kernel reports it (ss)."""
    import re
    import shutil

    import psycopg

    if shutil.which("ss") is None:
        pytest.skip("needs ss (iproute2) to read the server socket's keepalive timer")
    with psycopg.connect(pg, autocommit=True) as conn:
        query = (
            "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()"
        )
        port = conn.execute(query).fetchone()[0]
    state = ["ss", "-tno", "state", "established", f"( sport = :5432 and dport = :{port} )"]
    for _ in range(50):  # right after a reply the socket shows its retransmit timer ("on"), then idles
        out = subprocess.run(state, capture_output=True, text=True, check=True).stdout
        found = re.search(r"timer:\(([^)]*)\)", out)
        if found and found.group(1).startswith("keepalive"):
            break
        time.sleep(0.1)
    assert found, out
    return found.group(1)


@pytest.mark.postgres
def test_a_lock_held_by_a_machine_that_went_silent_is_freed_in_seconds_not_hours(
    pg_url: str, tmp_path: Path
) -> None:
    """A machine that dies or drops off the network never closes its socket: Postgres's default keepalive
    (7200 s idle, 9 probes 75 s apart) kept its lock, so the run turn or the instance's daemon, 2 h 11 min.
    The lock's session now asks the server to probe after 10 s idle, 3 probes 5 s apart."""
    from sqlalchemy.engine import make_url

    from famachat_ml_pipeline.run_turn import instance_lock

    pg = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    if make_url(pg).host not in ("127.0.0.1", "localhost"):
        pytest.skip("reads the server's socket on this machine")
    with instance_lock(tmp_path, pg, holder="another famachat-ml probe") as try_acquire:
        assert try_acquire().acquired
        timer = _server_timer(pg)
    kind, left, _ = timer.split(",")
    assert kind == "keepalive", timer
    # ss prints the time to the next probe: "119min" with the default; under 10 s ("9.982ms", "9sec") now
    assert not left.endswith(("min", "h")), timer

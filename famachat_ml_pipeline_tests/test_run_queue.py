"""One queue for everyone: without a daemon, `run` waits its turn behind any active pipeline run (the
in-process twin of dagster.yaml's `famachat/pipeline` limit); with a real dagster-daemon serving the
instance, it submits to the daemon's run queue and follows the run to its end."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from famachat_ml_pipeline.db import registry
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import QueueBusy, daemon_is_running, run_pipeline, wait_for_turn
from famachat_ml_pipeline.settings import Settings, get_settings


def _active_pipeline_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    run = dg.DagsterRun(
        job_name="ml_pipeline",
        run_id=str(uuid.uuid4()),
        status=dg.DagsterRunStatus.STARTED,
        tags={"famachat/pipeline": "graph"},
    )
    return instance.add_run(run)


def test_without_a_daemon_a_run_waits_for_the_active_pipeline_run() -> None:
    said: list[str] = []
    with dg.instance_for_test() as instance:
        assert not daemon_is_running(instance)
        other = _active_pipeline_run(instance)
        with pytest.raises(QueueBusy, match=other.run_id):
            wait_for_turn(instance, said.append, poll_seconds=0.1, timeout_seconds=0.5)
        assert said == [
            f"waiting for run {other.run_id[:8]} (ml_pipeline) to finish: one pipeline run at a time"
        ]
        instance.report_run_failed(other)
        start = time.monotonic()
        wait_for_turn(instance, said.append, poll_seconds=0.1, timeout_seconds=0.5)
        assert time.monotonic() - start < 0.5


@pytest.fixture
def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'famachat_ml.db'}")
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(tmp_path / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", str(tmp_path / "frames"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


# Three processes load the code location here (the daemon's code server, `dagster job launch`, the run
# worker): a few seconds each on a quiet machine, over a minute each on the shared 2-core CI box.
@pytest.mark.timeout(900)
def test_with_a_daemon_run_goes_through_its_queue(sqlite_settings: Settings, tmp_path: Path) -> None:
    settings = sqlite_settings
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    write_demo(engine, generate_demo(n_accounts=1, days=40, seed=3))
    instance = get_instance(settings)  # writes DAGSTER_HOME/dagster.yaml (SQLite storage, the run queue)
    # Keep the daemon's sensors quiet: the account is known and a model exists (no first training).
    instance.add_dynamic_partitions("config_id", ["1"])
    registry.register_model(
        engine, name="m", model_type="CAMPAIGN_CLASSIFIER", version="v0", path="/nowhere.ubj",
        parameters={}, feature_columns=[], training_metrics={}, validation_metrics={}, samples_count=1,
        data_start=dt.date.today(), data_end=dt.date.today(), activate=False,
    )  # fmt: skip
    dagster_daemon = Path(sys.executable).parent / "dagster-daemon"
    started = time.monotonic()
    log = (tmp_path / "daemon.log").open("w")
    daemon = subprocess.Popen(
        [str(dagster_daemon), "run", "-m", "famachat_ml_pipeline.definitions"],
        env={**os.environ, "DAGSTER_HOME": str(settings.dagster_home.resolve())},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 45
        while not daemon_is_running(instance):
            assert daemon.poll() is None and time.monotonic() < deadline, (
                tmp_path / "daemon.log"
            ).read_text()
            time.sleep(0.5)
        said: list[str] = []
        t0 = time.monotonic()
        print(f"daemon heartbeat after {t0 - started:.1f}s")
        (run,) = run_pipeline(
            settings, config_ids=[1], echo=lambda m: said.append(f"{time.monotonic() - t0:.1f}s {m}")
        )
        print("\n".join(said))
        assert run.success, "\n".join(said)
        assert any(
            line.endswith("a dagster-daemon serves this instance: submitting to its run queue")
            for line in said
        )
        assert any(line.endswith("STEP_SUCCESS campaign_features") for line in said), said
        stored = instance.get_run_by_id(run.run_id)
        assert stored.status == dg.DagsterRunStatus.SUCCESS
        assert stored.tags["famachat/pipeline"] == "graph"  # so the queue's limit applied to it
        assert stored.tags["dagster/asset_partition_range_start"] == "1"
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
        log.close()

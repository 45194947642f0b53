"""The instance DAGSTER_HOME gets: RUN_QUEUE_INTERVAL_SECONDS (the e2e test) sets how often the daemon's run
queue launches queued runs, and the queue keeps the repo's concurrency limits; unset, Dagster's 5 s."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.run_coordinator import QueuedRunCoordinator

from famachat_ml_pipeline.instance import prepare_dagster_home
from famachat_ml_pipeline.settings import Settings, get_settings


def _queue(home: Path) -> tuple[int, int | None, dict]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        limits = {lim["key"]: lim["limit"] for lim in queue.tag_concurrency_limits}
        return instance.run_coordinator.dequeue_interval_seconds, queue.max_concurrent_runs, limits


def _settings(home: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{home.parent / 'famachat_ml.db'}")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    monkeypatch.delenv("RUN_QUEUE_INTERVAL_SECONDS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


def test_run_queue_interval_sets_the_daemons_dequeue_interval_and_keeps_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = prepare_dagster_home(_settings(tmp_path / "default", monkeypatch))
    assert _queue(default) == (5, 2, {"famachat/pipeline": 1})  # Dagster's default, dagster.yaml's limits

    fast = prepare_dagster_home(_settings(tmp_path / "fast", monkeypatch, RUN_QUEUE_INTERVAL_SECONDS="1"))
    assert _queue(fast) == (1, 2, {"famachat/pipeline": 1})
    get_settings.cache_clear()


def test_an_empty_run_queue_interval_is_dagsters_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_QUEUE_INTERVAL_SECONDS", "")
    assert Settings().run_queue_interval_seconds is None


def test_a_run_launched_without_logger_config_logs_to_the_console_at_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every run the daemon launches has no logger config of ours (a UI launch or backfill never had one):
    Dagster's console default, DEBUG, wrote each step's events to serve's output (40-100 lines a run)."""
    home = prepare_dagster_home(_settings(tmp_path / "home", monkeypatch))

    @dg.op
    def said(context) -> None:  # noqa: ANN001 (Dagster reads no string annotation here)
        context.log.info("the op's own line")

    @dg.job
    def one_op() -> None:
        said()

    try:
        with dg.DagsterInstance.from_config(str(home)) as instance:
            assert one_op.execute_in_process(instance=instance).success
    finally:
        get_settings.cache_clear()
    printed = capsys.readouterr().err
    assert "the op's own line" in printed and " - INFO - " in printed, printed
    assert " - DEBUG - " not in printed, printed

"""deploy/: the instance the Helm values describe loads in Dagster on a real Postgres, and the values and the
instance file say the same limits. (helm and docker are not available here: deploy/README.md.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._core.run_coordinator import QueuedRunCoordinator

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


@pytest.mark.postgres
def test_the_deployed_instance_config_loads_on_postgres(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DEPLOY / "dagster-instance.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_PG_URL", pg_url.replace("postgresql+psycopg", "postgresql"))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        assert coordinator.get_run_queue_config().max_concurrent_runs == 8
        assert instance.run_monitoring_enabled
        assert not instance.get_runs()  # the schema was created and answers


def test_helm_values_match_the_instance_file() -> None:
    values, instance = _load("values.yaml"), _load("dagster-instance.yaml")
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    config = instance["run_coordinator"]["config"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert values["postgresql"]["enabled"] is False
    assert queued["maxConcurrentRuns"] == config["max_concurrent_runs"]
    assert queued["tagConcurrencyLimits"] == config["tag_concurrency_limits"]
    # the tag our jobs carry is the one the queue limits
    from famachat_ml_pipeline.defs.shared.schedules import RUN_TAGS

    assert {lim["key"] for lim in queued["tagConcurrencyLimits"]} >= set(RUN_TAGS)


def test_the_image_serves_our_code_location() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    deployment = _load("values.yaml")["dagster-user-deployments"]["deployments"][0]
    assert "famachat_ml_pipeline.definitions" in text
    assert deployment["dagsterApiGrpcArgs"][-1] == "famachat_ml_pipeline.definitions"
    assert "dagster-k8s==0.29.27" in text  # the launcher's package, in step with dagster 1.13.27

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
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        # what the daemon's run queue reads (concurrency.runs merged over the coordinator's own config)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None and queue.max_concurrent_runs == 8
        limits = {(lim["key"], lim.get("value")): lim["limit"] for lim in queue.tag_concurrency_limits}
        assert limits == {("famachat/pipeline", None): 8, ("dagster/job_name", "model_retraining"): 1}
        assert instance.run_monitoring_enabled
        # the pool every asset is in gets the default pool limit (it is the only pool)
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 8
        assert not instance.get_runs()  # the schema was created and answers


def test_helm_values_match_the_instance_file() -> None:
    values, instance = _load("values.yaml"), _load("dagster-instance.yaml")
    runs, config = values["concurrency"]["runs"], instance["concurrency"]["runs"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["dagsterDaemon"]["runCoordinator"]["type"] == "QueuedRunCoordinator"
    # the chart renders `concurrency.runs` only if the coordinator's own limits are empty (else it fails)
    assert not values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert values["postgresql"]["enabled"] is False
    assert runs["maxConcurrentRuns"] == config["max_concurrent_runs"]
    assert runs["tagConcurrencyLimits"] == config["tag_concurrency_limits"]
    # the tag our jobs carry is the one the queue limits
    from famachat_ml_pipeline.defs.shared.schedules import RUN_TAGS

    assert {lim["key"] for lim in runs["tagConcurrencyLimits"]} >= set(RUN_TAGS)
    # the pool limit: the chart's concurrency.pools.defaultLimit is the instance's default_limit, and our
    # assets are in one pool only, so that default is the limit of PIPELINE_POOL
    pools = values["concurrency"]["pools"]
    assert pools["defaultLimit"] == instance["concurrency"]["pools"]["default_limit"]
    from famachat_ml_pipeline.definitions import defs
    from famachat_ml_pipeline.defs.shared.partitions import PIPELINE_POOL

    executable = [a for a in defs.resolve_asset_graph().assets_defs if a.is_executable]
    assert executable and {a.node_def.pool for a in executable} == {PIPELINE_POOL}


def test_the_image_serves_our_code_location() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    deployment = _load("values.yaml")["dagster-user-deployments"]["deployments"][0]
    assert "famachat_ml_pipeline.definitions" in text
    assert deployment["dagsterApiGrpcArgs"][-1] == "famachat_ml_pipeline.definitions"
    assert "dagster-k8s==0.29.27" in text  # the launcher's package, in step with dagster 1.13.27


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def test_helm_run_retries_match_the_repository_instance() -> None:
    """The chart's dagsterDaemon.runRetries (enabled, maxRetries, retryOnAssetOrOpFailure in the chart's
    schema) renders the instance's run_retries: the deployment re-runs a crashed run as dagster.yaml does."""
    repository = yaml.safe_load((DEPLOY.parent / "dagster.yaml").read_text())["run_retries"]
    helm = _load("values.yaml")["dagsterDaemon"]["runRetries"]
    assert {_snake(k): v for k, v in helm.items()} == repository
    assert _load("dagster-instance.yaml")["run_retries"] == repository
    assert repository["enabled"] and repository["retry_on_asset_or_op_failure"] is False


@pytest.mark.postgres
def test_the_deployed_instance_retries_crashed_runs_once(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DEPLOY / "dagster-instance.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_PG_URL", pg_url.replace("postgresql+psycopg", "postgresql"))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_retries_enabled
        assert instance.run_retries_max_retries == 1
        assert instance.run_retries_retry_on_asset_or_op_failure is False


def test_the_agent_api_manifest_runs_the_real_api_command_with_probes_the_app_serves() -> None:
    """deploy/agent-api.yaml: the container's command is one `famachat-ml` reads as `api`, its probes are
    routes of the app, it takes the pipeline's secret and the code location's image, and it never runs
    two API processes at once (the turn locks and the rate limit are in process memory)."""
    from famachat_ml_pipeline.api import health_routes
    from famachat_ml_pipeline.cli import build_parser, cmd_api

    deployment, service = yaml.safe_load_all((DEPLOY / "agent-api.yaml").read_text())
    assert (deployment["kind"], service["kind"]) == ("Deployment", "Service")
    spec = deployment["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
    (container,) = spec["template"]["spec"]["containers"]
    command = container["command"]
    assert command[0] == "famachat-ml"
    parsed = build_parser().parse_args(command[1:])
    assert parsed.fn is cmd_api and parsed.host == "0.0.0.0"
    assert container["ports"][0]["containerPort"] == parsed.port
    routes = {r.path for r in health_routes.router.routes}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] in routes, probe
    values = _load("values.yaml")
    location = values["dagster-user-deployments"]["deployments"][0]
    image = location["image"]
    assert container["image"] == f"{image['repository']}:{image['tag']}"
    assert [s["secretRef"]["name"] for s in container["envFrom"]] == [
        e["name"] for e in location["envSecrets"]
    ]
    assert service["spec"]["selector"] == spec["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]


def test_the_agent_api_pod_is_killed_only_after_the_api_drained_its_chats() -> None:
    """Kubernetes' default 30 s grace SIGKILLed the API while a chat still waited on the LLM; the API's own
    drain (API_SHUTDOWN_GRACE_SECONDS) must end first, with time to exit, unless the pod's env changes it."""
    from famachat_ml_pipeline.serve import STOP_MARGIN_SECONDS
    from famachat_ml_pipeline.settings import Settings

    deployment, _ = yaml.safe_load_all((DEPLOY / "agent-api.yaml").read_text())
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    drain = float(
        env.get("API_SHUTDOWN_GRACE_SECONDS") or Settings.model_fields["api_shutdown_grace_seconds"].default
    )
    assert drain >= Settings.model_fields["agent_timeout_seconds"].default  # one LLM call can finish
    assert pod["terminationGracePeriodSeconds"] >= drain + STOP_MARGIN_SECONDS

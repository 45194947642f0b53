"""End to end with real processes: `famachat-ml serve` (dagster-daemon + dagster-webserver) on Postgres.

New accounts get results from the sensor alone; a restated source row reaches ml_features through the data
sensor's run; the webserver's GraphQL reports that run; a schedule's tick, evaluated by the code location
through GraphQL, is queued and finishes; every CRITICAL anomaly reaches the loopback webhook exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import dagster as dg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.defs.orchestration.alert_batches import ALERT_MAX_AGE_DAYS, ALERTS_PER_ACCOUNT
from famachat_ml_pipeline.source.read import last_insight_days
from famachat_ml_pipeline_tests.e2e.served import SENSOR_INTERVAL_SECONDS, Served

SUCCESS, FAILURE = dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE
RESTATED_SPEND = 1234.0  # added to one campaign's spend on its latest day

# the e2e tests share the package's deployment (conftest.py): one xdist worker runs them (--dist loadgroup)
pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.xdist_group("served")]


def _spend_7d(served: Served, config_id: int, campaign_id: str) -> tuple[int, float]:
    """(row id, spend_7d) of the newest 7-day feature row of a campaign."""
    with served.engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT id, features FROM ml_features WHERE config_id = :c AND campaign_id = :k"
                " AND window_days = 7 ORDER BY feature_date DESC, id DESC LIMIT 1"
            ),
            {"c": config_id, "k": campaign_id},
        ).one()
    features = row.features if isinstance(row.features, dict) else json.loads(row.features)
    return row.id, float(features["spend_7d"])


def _restate_latest_day(served: Served, config_id: int) -> str:
    """Add RESTATED_SPEND to a campaign's row on the newest day its features cover (not a row the
    pipeline sets aside, e.g. the demo's future-dated ones) and bump updated_at, as a re-sync does."""
    with served.engine.begin() as conn:
        feature = conn.execute(
            sa.text(
                "SELECT campaign_id, feature_date FROM ml_features WHERE config_id = :c AND window_days = 7"
                " ORDER BY feature_date DESC, id LIMIT 1"
            ),
            {"c": config_id},
        ).one()
        target = conn.execute(
            sa.text(
                "SELECT id FROM sistema_facebook_ads_insights WHERE config_id = :c AND campaign_id = :k"
                " AND date_start <= :d AND spend IS NOT NULL ORDER BY date_start DESC, id LIMIT 1"
            ),
            {"c": config_id, "k": feature.campaign_id, "d": feature.feature_date.date()},
        ).one()
        conn.execute(
            sa.text(
                "UPDATE sistema_facebook_ads_insights SET spend = spend + :d, updated_at = now()"
                " WHERE id = :id"
            ),
            {"d": RESTATED_SPEND, "id": target.id},
        )
    return feature.campaign_id


def _sensor_runs(served: Served, sensor: str, *statuses: dg.DagsterRunStatus) -> list[dg.DagsterRun]:
    return [r for r in served.runs(*statuses) if r.tags.get("dagster/sensor_name") == sensor]


def _location(served: Served) -> tuple[str, str]:
    data = served.graphql(
        "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"
    )
    (repo,) = data["repositoriesOrError"]["nodes"]
    return repo["location"]["name"], repo["name"]


def _tick_schedule_through_graphql(served: Served, schedule: str, job: str) -> str:
    """What a tick does, asked of the webserver: the code location evaluates the schedule (dry run), and
    each run request it returns is launched into the instance's run queue. Returns the run id."""
    location, repository = _location(served)
    tick = served.graphql(
        """mutation($s: ScheduleSelector!, $t: Float) { scheduleDryRun(selectorData: $s, timestamp: $t) {
             __typename ... on DryRunInstigationTick { evaluationResult {
               skipReason error { message } runRequests { runKey runConfigYaml tags { key value } } } }
             ... on PythonError { message } } }""",
        {
            "s": {"repositoryLocationName": location, "repositoryName": repository, "scheduleName": schedule},
            "t": dt.datetime.now(dt.UTC).timestamp(),
        },
    )["scheduleDryRun"]
    assert tick["__typename"] == "DryRunInstigationTick", tick
    (request,) = tick["evaluationResult"]["runRequests"]
    tags = [*request["tags"], {"key": "dagster/schedule_name", "value": schedule}]
    launched = served.graphql(
        """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
             __typename ... on LaunchRunSuccess { run { runId status } }
             ... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } } } }""",
        {
            "p": {
                "selector": {
                    "repositoryLocationName": location,
                    "repositoryName": repository,
                    "jobName": job,
                },
                "runConfigData": request["runConfigYaml"],
                "executionMetadata": {"tags": tags},
            }
        },
    )["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def _print_reaction(served: Served, run_id: str, restated_at: float) -> None:
    """The sensor's reaction, shown with `-s` (benchmarks/README.md): restated row committed -> run
    requested (the run's creation in the instance) -> run succeeded (its end), in wall-clock seconds."""
    record = served.instance.get_run_record_by_id(run_id)
    assert record is not None and record.end_time is not None
    created = record.create_timestamp
    requested = (created if created.tzinfo else created.replace(tzinfo=dt.UTC)).timestamp()
    print(
        f"\nreaction: restated row -> run requested {requested - restated_at:.1f} s -> run succeeded "
        f"{record.end_time - restated_at:.1f} s (sensor interval {SENSOR_INTERVAL_SECONDS} s, "
        f"run {record.end_time - (record.start_time or requested):.1f} s from start to success)"
    )


def _expected_alert_posts(served: Served) -> tuple[int, int, list[tuple[int, dt.date, dt.date]]]:
    """The fewest and the most posts the alert sensor owes for the CRITICAL rows, counted from the tables:
    none for a row dated over ALERT_MAX_AGE_DAYS before its account's latest source day (a history the first
    run finds is not news); per account and tick, one per row up to ALERTS_PER_ACCOUNT and one digest of the
    rest. The fewest if every row came in one tick, the most if each came alone (the restatement's run adds
    rows after the first run's were posted). Also the rows (account, day, latest day), for the message."""
    with served.engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT config_id, anomaly_date FROM ml_anomalies WHERE severity = 'CRITICAL'")
        ).fetchall()
    latest = last_insight_days(served.engine, sorted({int(c) for c, _ in rows}))  # future-dated rows left out
    seen = [(int(c), _as_date(d), _as_date(latest[int(c)])) for c, d in rows]
    fresh: dict[int, int] = {}
    for config_id, day, last in seen:
        if (last - day).days <= ALERT_MAX_AGE_DAYS:
            fresh[config_id] = fresh.get(config_id, 0) + 1
    fewest = sum(min(n, ALERTS_PER_ACCOUNT) + (n > ALERTS_PER_ACCOUNT) for n in fresh.values())
    return fewest, sum(fresh.values()), seen


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@pytest.mark.timeout(600)
def test_the_served_pipeline_runs_itself(served: Served) -> None:
    # 1. New accounts got their partitions and results from the sensor alone (the fixture waited for it).
    assert set(served.instance.get_dynamic_partitions("config_id")) == {"1", "2"}
    # the schedules are RUNNING too: at minute 30 the hourly anomaly detection starts a run of its own
    # (this assert failed once at 21:30), so wait for the queue rather than expect it empty at any instant
    served.wait(served.idle, 240, "the queue to drain before the restatement")

    # 2. A restated row: the data sensor requests a run for that account; the new value lands in ml_*.
    campaign = _restate_latest_day(served, 1)
    restated_at = time.time()
    first_id, before = _spend_7d(served, 1, campaign)
    (run,) = served.wait(
        lambda: _sensor_runs(served, "source_data_sensor", SUCCESS), 240, "the restated data's run"
    )
    _print_reaction(served, run.run_id, restated_at)
    assert run.tags["dagster/asset_partition_range_start"] == "1"
    assert run.tags["dagster/asset_partition_range_end"] == "1"
    new_id, after = _spend_7d(served, 1, campaign)
    assert new_id != first_id and after == pytest.approx(before + RESTATED_SPEND)

    # 3. The webserver's GraphQL reports that run.
    status = served.graphql(
        "query($id: ID!) { runOrError(runId: $id) { __typename ... on Run { status jobName } } }",
        {"id": run.run_id},
    )["runOrError"]
    assert status == {"__typename": "Run", "status": "SUCCESS", "jobName": run.job_name}

    # 4. A schedule's tick: queued (the daemon's run queue launches it) and finished.
    run_id = _tick_schedule_through_graphql(
        served, "hourly_anomaly_detection_schedule", "hourly_anomaly_detection"
    )
    served.wait(lambda: served.instance.get_run_by_id(run_id).is_finished, 240, "the scheduled run to finish")
    scheduled = served.instance.get_run_by_id(run_id)
    assert scheduled.status == SUCCESS
    assert scheduled.tags["dagster/asset_partition_range_end"] == "2"  # every account, one run
    # queued by the webserver, then launched by the daemon from its queue (this Dagster logs no DEQUEUED)
    for queued in (dg.DagsterEventType.RUN_ENQUEUED, dg.DagsterEventType.RUN_STARTING):
        assert served.instance.get_records_for_run(run_id, of_type=queued).records, queued

    # 5. Every CRITICAL anomaly reached the webhook, each exactly once, and no run failed.
    # (It expected one post per CRITICAL row: on 2026-12-01 the demo had one 8 days before its latest day,
    # rightly not posted, and an account over ALERTS_PER_ACCOUNT in a tick gets a digest: the wait timed out.)
    fewest, most, rows = _expected_alert_posts(served)
    assert fewest > 0, f"the demo and the restated spend should give a recent CRITICAL anomaly: {rows}"
    served.wait(lambda: len(served.receiver.delivered) >= fewest, 60, f"{fewest} alert posts for {rows}")
    time.sleep(3 * SENSOR_INTERVAL_SECONDS)  # a few more sensor ticks: nothing is sent again
    texts = [body["text"] for body in served.receiver.delivered]
    assert fewest <= len(texts) <= most and len(set(texts)) == len(texts), (fewest, most, rows, texts)
    assert not served.runs(FAILURE)

    # 6. The runs the daemon launched log to serve's output at INFO (Dagster's console default, DEBUG, wrote
    # 40-100 lines a run there): the restatement's run (a sensor's ranged run) and the schedule's are in it.
    log = served.log.read_text()
    for job, launched in ((run.job_name, run.run_id), (scheduled.job_name, run_id)):
        assert f" - dagster - INFO - {job} - {launched} - " in log, (job, launched)
    debug = [line for line in log.splitlines() if " - dagster - DEBUG - " in line]
    assert not debug, debug[:5]

"""The cross-stage sensors, evaluated against a real database and a real (temporary) Dagster instance; the
webhook posts reach a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.defs.orchestration import sensors as sensors_module
from famachat_ml_pipeline.defs.orchestration.alert_batches import (
    ALERT_MAX_AGE_DAYS,
    ALERTS_PER_ACCOUNT,
    Cursor,
)
from famachat_ml_pipeline.defs.orchestration.alerts import AlertDeliveryError, AlertWebhook
from famachat_ml_pipeline.defs.orchestration.sensors import (
    critical_anomaly_sensor,
    failure_post_retry_sensor,
    new_accounts_sensor,
    restatement_since,
    run_failure_alert_sensor,
    source_data_sensor,
)
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.defs.shared.schedules import contiguous_ranges
from famachat_ml_pipeline.demo.generator import default_end_date, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table
from famachat_ml_pipeline_tests.conftest import instance_for_test
from famachat_ml_pipeline_tests.defs.orchestration.webhook_receiver import webhook_receiver

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _ranges(result: dg.SensorResult) -> list[tuple[str, str]]:
    return [(r.tags[RANGE_START], r.tags[RANGE_END]) for r in result.run_requests]


def test_contiguous_ranges_merge_small_gaps_only() -> None:
    keys = [str(k) for k in range(1, 11)]
    assert contiguous_ranges(keys, {"1", "2", "4", "9"}) == [["1", "2"], ["4"], ["9"]]
    assert contiguous_ranges(keys, {"1", "2", "4", "9"}, max_gap=1) == [["1", "2", "3", "4"], ["9"]]
    assert contiguous_ranges(keys, {"1", "9"}, max_gap=7) == [keys[:9]]


def test_new_accounts_get_partitions_and_one_ranged_run(db_url: str) -> None:
    write_demo(get_engine(db_url), generate_demo(n_accounts=4, days=40, seed=1, first_config_id=10))
    database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["10"])
        result = new_accounts_sensor(
            dg.build_sensor_context(instance=instance, resources={"database": database})
        )
        assert isinstance(result, dg.SensorResult)
        (add,) = result.dynamic_partitions_requests
        assert list(add.partition_keys) == ["11", "12", "13"]
        assert _ranges(result) == [("11", "13")]  # just the new accounts, in one run
        assert result.cursor == '["11", "12", "13"]'
        instance.add_dynamic_partitions(config_partitions.name, list(add.partition_keys))
        again = new_accounts_sensor(
            dg.build_sensor_context(instance=instance, resources={"database": database}, cursor=result.cursor)
        )
        assert isinstance(again, dg.SkipReason)


def test_an_account_with_insights_before_its_campaigns_is_a_new_account(db_url: str) -> None:
    """Its rows are orphans until its campaigns sync: it is run, so they are counted (and set aside)."""
    engine = get_engine(db_url)
    write_demo(engine, generate_demo(n_accounts=2, days=40, seed=1))
    with engine.begin() as conn:
        conn.execute(campaigns_table.delete().where(campaigns_table.c.config_id == 2))
    database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["1"])
        result = new_accounts_sensor(
            dg.build_sensor_context(instance=instance, resources={"database": database})
        )
        assert isinstance(result, dg.SensorResult)
        (add,) = result.dynamic_partitions_requests
        assert list(add.partition_keys) == ["2"]
        assert _ranges(result) == [("2", "2")]


def test_restated_data_requests_batched_ranged_runs_since_the_cursor(db_url: str) -> None:
    engine = get_engine(db_url)
    data = generate_demo(n_accounts=6, days=40, seed=2)
    write_demo(engine, data)
    database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, [str(i) for i in range(1, 6)])  # 6 is new

        def tick(cursor: str | None) -> dg.SensorResult | dg.SkipReason:
            ctx = dg.build_sensor_context(instance=instance, resources={"database": database}, cursor=cursor)
            return source_data_sensor(ctx)

        first = tick(None)
        assert isinstance(first, dg.SensorResult) and not first.run_requests  # baseline only
        assert not tick(first.cursor).run_requests  # nothing changed since

        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        old_day = data.end_date - dt.timedelta(days=35)  # outside the restatement window: ignored
        with engine.begin() as conn:
            for config_id, day in [
                (1, data.end_date),
                (2, data.end_date - dt.timedelta(days=3)),
                (4, data.end_date),
                (5, old_day),
                (6, data.end_date),
            ]:
                conn.execute(
                    insights_table.update()
                    .where(insights_table.c.config_id == config_id, insights_table.c.date_start == day)
                    .values(spend=insights_table.c.spend + 1, updated_at=later)
                )
        second = tick(first.cursor)
        assert isinstance(second, dg.SensorResult)
        # 1, 2 and 4 changed (3 joins them: a gap of one), 5's change is too old, 6 has no partition yet
        assert _ranges(second) == [("1", "4")]
        assert not tick(second.cursor).run_requests

        # A sync of account 3 whose transaction began before the tick (its updated_at is its start:
        # Postgres now()) commits after it, below the latest updated_at the tick saw (account 1's)
        earlier = later - dt.timedelta(minutes=1)
        with engine.begin() as conn:
            conn.execute(
                insights_table.update()
                .where(insights_table.c.config_id == 3, insights_table.c.date_start == data.end_date)
                .values(spend=insights_table.c.spend + 1, updated_at=earlier)
            )
        third = tick(second.cursor)
        assert _ranges(third) == [("3", "3")]  # seen: each account has its own watermark
        assert not tick(third.cursor).run_requests
        # a cursor of one instant (before per-account watermarks) still reads as one for every account
        assert _ranges(tick(earlier.replace(tzinfo=dt.UTC).isoformat())) == [("1", "4")]


@pytest.mark.parametrize(
    ("now", "saopaulo_today"),
    [
        ("2026-12-01T00:30:00+00:00", "2026-11-30"),  # 21:30 in São Paulo: UTC's date is a day ahead
        ("2026-12-01T02:59:00+00:00", "2026-11-30"),
        ("2026-12-01T03:00:00+00:00", "2026-12-01"),
        ("2027-01-01T01:00:00+00:00", "2026-12-31"),
        ("2026-12-01T15:00:00+00:00", "2026-12-01"),
    ],
)
def test_the_restatement_window_holds_the_accounts_28th_day_back_at_any_hour(
    now: str, saopaulo_today: str
) -> None:
    """Meta restates the last 28 days of the account's own calendar: the window read must start on or
    before that day whatever the hour in UTC, and not more than a day before it (a wider scan)."""
    since = restatement_since(dt.datetime.fromisoformat(now))
    oldest_restatable = dt.date.fromisoformat(saopaulo_today) - dt.timedelta(days=28)
    assert oldest_restatable - dt.timedelta(days=1) <= since <= oldest_restatable


# anomalies two days before the demo's last day (generate_demo's default end) are news; the same clock as
# the demo's, not the host's date (UTC), which is a day ahead of São Paulo's from 21:00 there
RECENT = dt.datetime.combine(default_end_date() - dt.timedelta(days=2), dt.time())


def _anomaly(
    config_id: int, entity_id: str, severity: str, observed: float, expected: float, day: dt.datetime = RECENT
) -> dict:
    return {
        "config_id": config_id,
        "entity_type": "campaign",
        "entity_id": entity_id,
        "anomaly_type": "CPL_SPIKE",
        "metric_name": "cpl",
        "observed_value": observed,
        "expected_value": expected,
        "deviation_score": 4.2,
        "severity": severity,
        "anomaly_date": day,
    }


def _critical_setup(db_url: str) -> tuple[sa.Engine, DatabaseResource, list[str]]:
    migrate(db_url)
    engine = get_engine(db_url)
    data = generate_demo(n_accounts=1, days=40, seed=3)
    write_demo(engine, data)
    with engine.connect() as conn:
        campaign, name = conn.execute(
            sa.select(campaigns_table.c.campaign_id, campaigns_table.c.name)
        ).first()
    return engine, DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE), [campaign, name]


def test_critical_anomalies_are_sent_exactly_once_and_retried_after_a_500(db_url: str) -> None:
    engine, database, (campaign, name) = _critical_setup(db_url)
    with webhook_receiver(fail_posts={2}) as receiver, instance_for_test() as instance:
        resources = {"database": database, "alert_webhook": AlertWebhook(url=receiver.url)}

        def tick(cursor: str | None) -> dg.SensorResult:
            ctx = dg.build_sensor_context(instance=instance, resources=resources, cursor=cursor)
            return critical_anomaly_sensor(ctx)

        cursor = tick(None).cursor  # starts after what is there (nothing)
        assert cursor == "0"
        with engine.begin() as conn:
            conn.execute(
                schema.ml_anomalies.insert(),
                [
                    _anomaly(1, campaign, "CRITICAL", 1234.5, 40.0),
                    _anomaly(1, campaign, "HIGH", 60.0, 40.0),
                    _anomaly(1, "999", "CRITICAL", 0.0, 812.25),  # a campaign the source does not name
                ],
            )
        cursor = tick(cursor).cursor  # the first is delivered, the second post gets a 500
        assert cursor == "1" and len(receiver.delivered) == 1
        cursor = tick(cursor).cursor  # retried: delivered once
        assert cursor == "3" and len(receiver.delivered) == 2
        assert tick(cursor).cursor == "3"  # nothing new: nothing sent
        assert receiver.posts == 3
    first, second = (d["text"] for d in receiver.delivered)
    assert f"campanha {name} ({campaign})" in first
    assert "CPL_SPIKE" in first and "observado 1.234,50" in first and "esperado 40,00" in first
    assert "campanha 999," in second and "esperado 812,25" in second


def test_critical_anomalies_without_a_url_are_logged_and_passed(sqlite_url: str) -> None:
    engine, database, (campaign, _) = _critical_setup(sqlite_url)
    with instance_for_test() as instance:
        resources = {"database": database, "alert_webhook": AlertWebhook(url="")}
        with engine.begin() as conn:
            conn.execute(schema.ml_anomalies.insert(), [_anomaly(1, campaign, "CRITICAL", 10.0, 1.0)])
        ctx = dg.build_sensor_context(instance=instance, resources=resources, cursor="0")
        tick = critical_anomaly_sensor(ctx)
    assert tick.cursor == "1"
    # the tick in the UI said "alerted 1 critical anomaly in 1 post": nothing had been posted
    assert (
        tick.skip_reason.skip_message == "logged 1 critical anomaly, not posted: ALERT_WEBHOOK_URL is not set"
    )


def _ticker(instance: dg.DagsterInstance, database: DatabaseResource, url: str):
    resources = {"database": database, "alert_webhook": AlertWebhook(url=url)}

    def tick(cursor: str | None) -> dg.SensorResult:
        return critical_anomaly_sensor(
            dg.build_sensor_context(instance=instance, resources=resources, cursor=cursor)
        )

    return tick


def test_one_accounts_flood_is_a_digest_and_does_not_delay_the_others(db_url: str) -> None:
    engine, database, (campaign, _) = _critical_setup(db_url)
    flood = [_anomaly(1, campaign, "CRITICAL", 0.0, 50.0 + i) for i in range(40)]
    flood[7]["anomaly_type"] = flood[8]["anomaly_type"] = "ZERO_SPEND"
    with engine.begin() as conn:
        conn.execute(schema.ml_anomalies.insert(), [*flood, _anomaly(2, "777", "CRITICAL", 9.0, 1.0)])
    with webhook_receiver() as receiver, instance_for_test() as instance:
        cursor = _ticker(instance, database, receiver.url)("0").cursor
    texts = [d["text"] for d in receiver.delivered]
    assert cursor == "41" and len(texts) == ALERTS_PER_ACCOUNT + 2  # 5 of account 1, its digest, account 2's
    assert sum("conta 1:" in t for t in texts) == ALERTS_PER_ACCOUNT and "campanha 777, conta 2" in texts[-1]
    digest = texts[ALERTS_PER_ACCOUNT]
    assert "Conta 1: mais 35 anomalias CRÍTICAS" in digest and "CPL_SPIKE 33, ZERO_SPEND 2" in digest


def test_a_backfills_old_anomalies_are_passed_over_not_posted(db_url: str) -> None:
    engine, database, (campaign, _) = _critical_setup(db_url)
    old = RECENT - dt.timedelta(days=ALERT_MAX_AGE_DAYS + 5)
    with engine.begin() as conn:
        conn.execute(
            schema.ml_anomalies.insert(),
            [
                _anomaly(1, campaign, "CRITICAL", 1.0, 9.0, day=old),
                _anomaly(1, campaign, "CRITICAL", 2.0, 9.0),
            ],
        )
    with webhook_receiver() as receiver, instance_for_test() as instance:
        assert _ticker(instance, database, receiver.url)("0").cursor == "2"
    assert len(receiver.delivered) == 1 and "observado 2,00" in receiver.delivered[0]["text"]


def test_a_future_dated_insight_does_not_silence_the_accounts_alerts(db_url: str) -> None:
    """A dirty row dated in the future (the cleaner sets it aside as `future_date`) is not the account's
    latest day: it made every anomaly look older than ALERT_MAX_AGE_DAYS, passed over, never posted."""
    engine, database, (campaign, _) = _critical_setup(db_url)
    with engine.begin() as conn:
        far = dt.date(2099, 1, 1)
        conn.execute(
            insights_table.insert().values(
                config_id=1,
                campaign_id=campaign,
                date_start=far,
                date_stop=far,
                spend=1.0,
                impressions=1,
                clicks=0,
                reach=1,
                leads=0,
            )
        )
        conn.execute(schema.ml_anomalies.insert(), [_anomaly(1, campaign, "CRITICAL", 2.0, 9.0)])
    with webhook_receiver() as receiver, instance_for_test() as instance:
        assert _ticker(instance, database, receiver.url)("0").cursor == "1"
    assert len(receiver.delivered) == 1 and "observado 2,00" in receiver.delivered[0]["text"]


def test_a_failed_post_among_digests_is_retried_and_nothing_is_sent_twice(db_url: str) -> None:
    engine, database, (campaign, _) = _critical_setup(db_url)
    rows = [_anomaly(1 + i % 2, campaign, "CRITICAL", float(i), 1.0) for i in range(16)]  # ids 1..16
    with engine.begin() as conn:
        conn.execute(schema.ml_anomalies.insert(), rows)
    # account 1 holds the odd ids (5 posts + a digest of 3), account 2 the even ones; post 7 (account 2's
    # first) fails: account 1's later ids are delivered, and the cursor stands before id 2
    with webhook_receiver(fail_posts={7}) as receiver, instance_for_test() as instance:
        tick = _ticker(instance, database, receiver.url)
        first = tick("0").cursor
        assert Cursor.parse(first) == Cursor(1, frozenset({3, 5, 7, 9, 11, 13, 15}))
        second = tick(first).cursor
        assert second == "16" and tick(second).cursor == "16"
    texts = [d["text"] for d in receiver.delivered]
    assert len(texts) == len(set(texts)) == 2 * (ALERTS_PER_ACCOUNT + 1)
    assert Cursor.parse("12") == Cursor(12)  # the cursor every tick wrote before digests


@dg.op
def failing_step() -> None:
    raise RuntimeError("a fonte caiu")


@dg.job
def failing_job() -> None:
    failing_step()


def _post_failure(result: dg.ExecuteInProcessResult, instance: dg.DagsterInstance, url: str) -> None:
    """run_failure_alert_sensor on the run's failure, as the daemon calls it."""
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    ctx = dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name,
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"alert_webhook": AlertWebhook(url=url)},
    ).for_run_failure()
    run_failure_alert_sensor(ctx)


@pytest.mark.parametrize("fail_posts", [set(), {1}])
def test_a_failed_run_is_posted_once(fail_posts: set[int]) -> None:
    with webhook_receiver(fail_posts=fail_posts) as receiver, instance_for_test() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        _post_failure(result, instance, receiver.url)
    (posted,) = receiver.delivered
    assert receiver.posts == 1 + len(fail_posts)
    assert "failing_job" in posted["text"] and result.run_id in posted["text"]
    assert "failing_step" in posted["text"] and "falhou" in posted["text"]


def test_a_failure_post_the_webhook_refused_is_posted_later_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The webhook down past run_failure_alert_sensor's 3 tries: Dagster moved its cursor on and the post
    was lost; failure_post_retry_sensor posts it once the webhook answers, then never again, and never a
    post that was delivered, nor a run that failed before its first tick."""
    monkeypatch.setattr(sensors_module, "FAILURE_POST_BACKOFF_SECONDS", 0.0)
    monkeypatch.setattr(sensors_module, "FAILURE_RETRY_AFTER", dt.timedelta(0))
    with webhook_receiver(fail_posts={1, 2, 3, 4}) as receiver, instance_for_test() as instance:
        hook = AlertWebhook(url=receiver.url)

        def tick(cursor: str | None) -> dg.SensorResult:
            ctx = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"alert_webhook": hook})
            return failure_post_retry_sensor(ctx)

        def said(cursor: str) -> str:
            result = tick(cursor)
            assert result.cursor == cursor  # the first tick's, kept
            return result.skip_reason.skip_message

        before = failing_job.execute_in_process(instance=instance, raise_on_error=False)  # not ours
        start = tick(None)
        assert start.cursor and not receiver.posts
        lost = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        with pytest.raises(AlertDeliveryError):
            _post_failure(lost, instance, receiver.url)
        assert receiver.posts == 3 and not receiver.delivered
        assert "retrying next tick" in said(start.cursor)  # post 4 refused too
        assert said(start.cursor) == "posted 1 failure posts delivered late"
        (late,) = receiver.delivered
        assert lost.run_id in late["text"] and "failing_step" in late["text"]
        assert before.run_id not in late["text"]
        assert said(start.cursor) == "no failure post left undelivered"
        delivered = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        _post_failure(delivered, instance, receiver.url)  # on time
        assert said(start.cursor) == "no failure post left undelivered"
    assert [b["text"].count(lost.run_id) for b in receiver.delivered] == [1, 0]


class SourceDown(RuntimeError):
    pass


@dg.op
def step_with_a_cause() -> None:
    try:
        raise ConnectionError("connection refused")
    except ConnectionError as exc:
        raise SourceDown("a fonte caiu (DATABASE_URL)\nsegunda linha") from exc


@dg.job
def job_with_a_cause() -> None:
    step_with_a_cause()


def test_a_failed_runs_post_says_the_steps_error_not_only_that_steps_failed() -> None:
    """Observed while serving: a WriteLockTimeout was posted as `Erro: Execution of run for "ml_pipeline"
    failed. Steps failed: ['campaign_features'].`, the run's message; the cause was only in the UI."""
    with webhook_receiver() as receiver, instance_for_test() as instance:
        result = job_with_a_cause.execute_in_process(instance=instance, raise_on_error=False)
        _post_failure(result, instance, receiver.url)
    (posted,) = receiver.delivered
    text = posted["text"]
    assert "Etapa com falha: step_with_a_cause." in text, text
    assert text.endswith("Erro: SourceDown: a fonte caiu (DATABASE_URL)"), text
    assert "Steps failed" not in text and "segunda linha" not in text


def test_a_webhook_url_urllib_cannot_post_to_is_a_delivery_error_retried_later() -> None:
    """Not a ValueError traceback out of the sensor (the failure alert then skipped its retries)."""
    with pytest.raises(AlertDeliveryError, match="ALERT_WEBHOOK_URL is not an http") as caught:
        AlertWebhook(url="hooks.slack.com/services/s3cret").send("teste")
    assert "s3cret" not in str(caught.value)


def test_a_tick_that_posted_alerts_says_so_in_the_ui(db_url: str) -> None:
    """Observed while serving: the tick that posted 17 alerts read "Sensor function returned an empty
    result" in the UI's tick list, the same words as an idle tick of the failure sensor."""
    engine, database, (campaign, _) = _critical_setup(db_url)
    with engine.begin() as conn:
        conn.execute(schema.ml_anomalies.insert(), [_anomaly(1, campaign, "CRITICAL", 2.0, 9.0)])
    with webhook_receiver(fail_posts={2}) as receiver, instance_for_test() as instance:
        posted = _ticker(instance, database, receiver.url)("0")
        with engine.begin() as conn:
            conn.execute(schema.ml_anomalies.insert(), [_anomaly(2, "777", "CRITICAL", 9.0, 1.0)])
        failed = _ticker(instance, database, receiver.url)(posted.cursor)
    assert posted.skip_reason is not None
    assert posted.skip_reason.skip_message == "alerted 1 critical anomaly in 1 post"
    assert (
        failed.skip_reason is not None
        and "not delivered, retrying next tick" in failed.skip_reason.skip_message
    )


def test_a_sync_of_only_new_accounts_says_whose_run_it_is(db_url: str) -> None:
    """Observed while serving: a new account's first sync was logged as "1 accounts with new or restated
    insights: 0 ranged runs requested" and its tick as "Sensor function returned an empty result"."""
    engine = get_engine(db_url)
    data = generate_demo(n_accounts=2, days=40, seed=2)
    write_demo(engine, data)
    database = DatabaseResource(url=db_url, default_timezone=DEFAULT_TIMEZONE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["1"])  # 2 is new

        def tick(cursor: str | None) -> dg.SensorResult:
            ctx = dg.build_sensor_context(instance=instance, resources={"database": database}, cursor=cursor)
            return source_data_sensor(ctx)

        first = tick(None)
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        with engine.begin() as conn:
            conn.execute(
                insights_table.update()
                .where(insights_table.c.config_id == 2, insights_table.c.date_start == data.end_date)
                .values(spend=insights_table.c.spend + 1, updated_at=later)
            )
        second = tick(first.cursor)
    assert not second.run_requests and second.skip_reason is not None
    assert second.skip_reason.skip_message == (
        "account 2 without a partition yet: new_accounts_sensor adds and runs them"
    )


def test_a_tick_that_passed_old_anomalies_over_says_so_not_that_there_were_none(db_url: str) -> None:
    """Observed while serving: a restatement of a day 10 days back raised a CRITICAL SPEND_SPIKE, passed
    over as "(a backfill)" in the log, while the tick in the UI said "no new critical anomalies"."""
    engine, database, (campaign, _) = _critical_setup(db_url)
    old = RECENT - dt.timedelta(days=ALERT_MAX_AGE_DAYS + 3)
    with engine.begin() as conn:
        conn.execute(schema.ml_anomalies.insert(), [_anomaly(1, campaign, "CRITICAL", 1.0, 9.0, day=old)])
    with webhook_receiver() as receiver, instance_for_test() as instance:
        tick = _ticker(instance, database, receiver.url)("0")
    assert receiver.delivered == [] and tick.skip_reason is not None
    assert tick.skip_reason.skip_message == (
        f"1 critical anomalies dated over {ALERT_MAX_AGE_DAYS} days before their account's latest data "
        "(a backfill, or a restatement of an old day) not posted"
    )

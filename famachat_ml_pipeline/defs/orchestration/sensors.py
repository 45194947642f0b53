"""Cross-stage sensors: new accounts and new or restated source data start runs; CRITICAL anomalies and
failed runs are pushed to the alert webhook. Each keeps a cursor, so a tick does only what is new.

Runs are requested as ranged runs over contiguous partition ranges (one vectorised pass each), on the
daily pipeline job (never trains), and wait in the run queue like every other run.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable

import dagster as dg

from famachat_ml_pipeline.counted import counted
from famachat_ml_pipeline.db.orchestration_queries import critical_anomalies_after, max_anomaly_id
from famachat_ml_pipeline.defs.orchestration.alert_batches import (
    ALERT_MAX_AGE_DAYS,
    Cursor,
    advance,
    plan_posts,
)
from famachat_ml_pipeline.defs.orchestration.alerts import (
    STEP_EVENTS,
    AlertDeliveryError,
    AlertWebhook,
    run_failure_text,
    step_error_line,
    steps_in_progress,
)
from famachat_ml_pipeline.defs.orchestration.covered import LIVE, Covering, newest_covering
from famachat_ml_pipeline.defs.pipeline.jobs import ml_pipeline_job
from famachat_ml_pipeline.defs.shared.partitions import (
    config_partitions,
    ranged_run_requests,
    sensor_interval,
)
from famachat_ml_pipeline.defs.shared.resources import DatabaseResource
from famachat_ml_pipeline.defs.shared.schedules import contiguous_ranges
from famachat_ml_pipeline.source.read import last_insight_days, latest_updates, list_config_ids

RESTATEMENT_WINDOW_DAYS = 28  # Meta restates insights within its attribution window
_EARLIEST_OFFSET = dt.timedelta(hours=-12)  # the earliest UTC offset of any timezone: its date is the oldest
# Unchanged accounts a data run may also cover to join two ranges: cheaper than another run.
MAX_GAP = 50
ALERT_SCAN_ROWS = 1000  # CRITICAL rows read per tick; the posts are capped per account (alert_batches)
FAILURE_POST_ATTEMPTS = 3
FAILURE_POST_BACKOFF_SECONDS = 1.0
RUNNING = dg.DefaultSensorStatus.RUNNING


def ranged_requests(
    ordered: list[str], wanted: set[str], key_prefix: str, max_gap: int = 0
) -> list[dg.RunRequest]:
    """One ranged run per contiguous range of `wanted` partitions (ranges `max_gap` apart merge), cut
    into MAX_PARTITIONS_PER_RUN chunks when that is set."""
    return [
        request
        for keys in contiguous_ranges(ordered, wanted, max_gap)
        for request in ranged_run_requests(keys, run_key_prefix=key_prefix)
    ]


@dg.sensor(
    job=ml_pipeline_job,
    minimum_interval_seconds=sensor_interval(60),
    default_status=RUNNING,
    description="Adds a config_id partition for each account new in the source and runs the daily graph "
    "(no training) for just those accounts. Cursor: the accounts it last added.",
)
def new_accounts_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    """Adds a partition for each ad account that appears in the source and runs the pipeline for just
    those accounts, so a new account has results minutes after its first sync. Cursor: the accounts
    added by the last tick that added any."""
    known = context.instance.get_dynamic_partitions(config_partitions.name)
    seen = set(known)
    new = [str(c) for c in list_config_ids(database.engine()) if str(c) not in seen]
    if not new:
        return dg.SkipReason(f"no new accounts ({len(known)} known)")
    context.log.info(f"adding {len(new)} config_id partitions and requesting their runs")
    # Dagster applies the partition requests before the run requests; new keys go at the end.
    ordered = [*known, *new]
    return dg.SensorResult(
        dynamic_partitions_requests=[config_partitions.build_add_request(new)],
        run_requests=ranged_requests(ordered, set(new), key_prefix="new-accounts"),
        cursor=json.dumps(new),
    )


def restatement_since(now: dt.datetime | None = None) -> dt.date:
    """The first day of the restatement window in every account's timezone: counted back from the date at
    UTC-12, the oldest anywhere. From UTC's date, São Paulo's window lost its 28th day every evening after
    21:00 (a restatement of it went unseen)."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return (now + _EARLIEST_OFFSET).date() - dt.timedelta(days=RESTATEMENT_WINDOW_DAYS)


def _seen(cursor: str | None, accounts: Iterable[int]) -> dict[int, dt.datetime] | None:
    """The cursor's latest updated_at per account; None before the first tick. A cursor of one instant
    (the format before per-account watermarks) stands for every account."""
    if not cursor:
        return None
    if not cursor.startswith("{"):
        return dict.fromkeys(accounts, dt.datetime.fromisoformat(cursor))
    return {int(c): dt.datetime.fromisoformat(u) for c, u in json.loads(cursor).items()}


@dg.sensor(
    job=ml_pipeline_job,
    minimum_interval_seconds=sensor_interval(300),
    default_status=RUNNING,
    description="Runs the daily graph for the accounts whose insights of the last 28 days (Meta's "
    "restatement window) were added or restated since its last tick. Cursor: each account's latest "
    "updated_at seen.",
)
def source_data_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult | dg.SkipReason:
    """Runs the pipeline for the accounts whose insights were added or restated (max(updated_at) over
    the last 28 days) since the last tick, batched into ranged runs. Cursor: each account's latest
    updated_at seen. Per account, not one high-water mark: a sync's updated_at is its transaction's start
    (Postgres now()), so a long sync can commit after a later one and land below a global mark, unseen.

    The first tick only records where the source stands: the daily run covers what came before."""
    latest = latest_updates(database.engine(), restatement_since())
    cursor = json.dumps({str(c): u.isoformat() for c, u in sorted(latest.items())})
    seen = _seen(context.cursor, latest)
    if seen is None:
        return dg.SensorResult(
            skip_reason=f"baseline recorded for {counted(len(latest), 'account')}", cursor=cursor
        )
    ordered = context.instance.get_dynamic_partitions(config_partitions.name)
    # An account the cursor does not hold yet (new_accounts_sensor's, or registered by `famachat-ml run`)
    # starts at the newest run covering it: its first sync, which that run reads, was run twice
    covering = covering_runs(context.instance, ordered, {str(c) for c in latest if c not in seen})
    since = {**{int(k): run.since() for k, run in covering.items()}, **seen}
    changed = {c: u for c, u in latest.items() if c not in since or u > since[c]}
    covered = _covered(covering, set(changed))
    if not changed:
        return dg.SensorResult(skip_reason=covered or "no new or restated insights", cursor=cursor)
    high_water = max(changed.values()).isoformat()
    # Accounts without a partition yet are new: new_accounts_sensor adds them and runs them.
    wanted = {str(c) for c in changed} & set(ordered)
    requests = ranged_requests(ordered, wanted, key_prefix=f"data:{high_water}", max_gap=MAX_GAP)
    new = sorted(c for c in changed if str(c) not in wanted)
    # "1 accounts ...: 0 ranged runs requested" and a tick that said "Sensor function returned an empty
    # result" left the person on call wondering why a sync was not run: say whose run it is
    notes = (
        [f"{_accounts(new)} without a partition yet: new_accounts_sensor adds and runs them"] if new else []
    )
    left = "; ".join([*notes, covered] if covered else notes)
    context.log.info(
        f"{counted(len(changed), 'account')} with new or restated insights: "
        f"{counted(len(requests), 'ranged run')} requested" + (f"; {left}" if left else "")
    )
    skip = None if requests else left  # Dagster refuses a skip reason beside run requests
    return dg.SensorResult(run_requests=requests, cursor=cursor, skip_reason=skip)


# Runs of the graph read for an account new to source_data_sensor's cursor: the newest covering it is
# minutes old (new_accounts_sensor ticks every minute); an older one only lowers its starting point.
COVER_LOOKBACK = dt.timedelta(days=1)
COVER_SCAN_RUNS = 200


def covering_runs(instance: dg.DagsterInstance, ordered: list[str], wanted: set[str]) -> dict[str, Covering]:
    """The newest live run of the whole daily graph covering each of `wanted` (a run of a subset of its
    assets does not: it writes only those), created within COVER_LOOKBACK."""
    wanted = wanted & set(ordered)
    if not wanted:
        return {}
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            job_name=ml_pipeline_job.name,
            statuses=LIVE,
            created_after=dt.datetime.now(dt.UTC) - COVER_LOOKBACK,
        ),
        limit=COVER_SCAN_RUNS,
    )
    whole = [r for r in records if r.dagster_run.asset_selection is None]
    return newest_covering(whole, ordered, wanted)


def _covered(covering: dict[str, Covering], changed: set[int]) -> str:
    """`account 7 already in run 1a2b3c4d (new_accounts_sensor)`, per run, for the accounts left to it."""
    by_run: dict[Covering, list[int]] = {}
    for key, run in sorted(covering.items(), key=lambda kv: int(kv[0])):
        if int(key) not in changed:
            by_run.setdefault(run, []).append(int(key))
    return "; ".join(f"{_accounts(ids)} already in {run.name()}" for run, ids in by_run.items())


def _accounts(config_ids: list[int], shown: int = 10) -> str:
    """`account 7`, `accounts 7, 9`, or the first `shown` and how many more."""
    names = ", ".join(map(str, config_ids[:shown])) + (
        f" and {len(config_ids) - shown} more" if len(config_ids) > shown else ""
    )
    return f"account{'s' if len(config_ids) > 1 else ''} {names}"


@dg.sensor(
    minimum_interval_seconds=sensor_interval(60),
    default_status=RUNNING,
    description="Posts each new CRITICAL ml_anomalies row once to ALERT_WEBHOOK_URL (logged when unset); "
    "at most 5 posts and one digest per account per tick. Cursor: the last delivered anomaly id.",
)
def critical_anomaly_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource, alert_webhook: AlertWebhook
) -> dg.SensorResult | dg.SkipReason:
    """Sends each new CRITICAL ml_anomalies row once to ALERT_WEBHOOK_URL (the seed's
    notify_critical_anomaly): up to ALERTS_PER_ACCOUNT posts per account per tick and one digest of the
    rest, none for a backfill's rows dated well before the account's latest day (`alert_batches`). Cursor:
    the rows handled (`Cursor`), advanced only past delivered (or, with no URL, logged) posts, so a failed
    post is retried on the next tick and nothing is sent twice.

    The first tick starts after the newest anomaly already there: no flood of history on deployment."""
    engine = database.engine()
    if not context.cursor:
        start = max_anomaly_id(engine)
        return dg.SensorResult(skip_reason=f"starting after anomaly {start}", cursor=str(start))
    cursor = Cursor.parse(context.cursor)
    scanned = [
        a
        for a in critical_anomalies_after(engine, cursor.after, limit=ALERT_SCAN_ROWS)
        if a.id not in cursor.sent
    ]
    if not scanned:
        return dg.SensorResult(skip_reason="no new critical anomalies", cursor=cursor.dump())
    posts, stale_ids = plan_posts(scanned, last_insight_days(engine, {a.config_id for a in scanned}))
    handled, failure, sent = set(stale_ids), None, 0
    for post in posts:
        try:
            alert_webhook.send(post.text, context.log)
        except AlertDeliveryError as exc:
            failure = f"anomalies {post.ids[0]}.. not delivered, retrying next tick: {exc}"
            context.log.warning(failure)
            break
        handled.update(post.ids)
        sent += 1
    after = advance(cursor, [a.id for a in scanned], handled)
    # not only a backfill's: a normal run's restatement of a day 10 days back is passed over too (seen)
    passed = (
        f"{len(stale_ids)} critical anomalies dated over {ALERT_MAX_AGE_DAYS} days before their account's "
        "latest data (a backfill, or a restatement of an old day) not posted"
        if stale_ids
        else None
    )
    if passed:
        context.log.info(passed)
    if not sent:  # the tick said "no new critical anomalies" when it had passed some over
        skip = "; ".join(filter(None, [failure, passed])) or "no new critical anomalies"
        return dg.SensorResult(skip_reason=skip, cursor=after.dump())
    anomalies = counted(len(handled) - len(stale_ids), "critical anomaly", "critical anomalies")
    # without a URL the posts were only logged: "alerted 10 ... in 10 posts" read as if Slack had them
    alerted = (
        f"alerted {anomalies} in {counted(sent, 'post')}"
        if alert_webhook.url
        else f"logged {anomalies}, not posted: ALERT_WEBHOOK_URL is not set"
    )
    context.log.info(alerted)
    # the tick's line in the UI: it read "Sensor function returned an empty result" for a tick that posted
    return dg.SensorResult(
        skip_reason="; ".join(filter(None, [alerted, passed, failure])), cursor=after.dump()
    )


# Dagster's default interval for it (30 s), unless SENSOR_INTERVAL_SECONDS shortens it with the others: the
# e2e tests' failure posts then come within seconds rather than after up to half a minute.
@dg.run_failure_sensor(
    minimum_interval_seconds=sensor_interval(30),
    default_status=RUNNING,
    description="Posts each failed run (job, run id, the failing step and its error; a run whose process "
    "died: the step in progress) to ALERT_WEBHOOK_URL, three tries (logged when unset).",
)
def run_failure_alert_sensor(context: dg.RunFailureSensorContext, alert_webhook: AlertWebhook) -> None:
    """Posts every failed run (job, run id, failing steps, error) to the alert webhook; a run failed from
    outside (its process died) has no failing step, so the post names the steps it had in progress.

    Dagster keeps this sensor's cursor (the last run-failure event seen) and advances it even when the
    sensor raises, so a failing post is retried here a few times, then by `failure_post_retry_sensor`
    every minute until delivered (a delivered post is marked on the run); a lasting failure shows on the
    tick."""
    text = failure_post_text(context.instance, context.dagster_run)
    for attempt in range(FAILURE_POST_ATTEMPTS):
        try:
            alert_webhook.send(text, context.log)
            mark_failure_posted(context.instance, context.dagster_run.run_id)
            return
        except AlertDeliveryError:
            if attempt == FAILURE_POST_ATTEMPTS - 1:
                raise
            time.sleep(FAILURE_POST_BACKOFF_SECONDS * (attempt + 1))


def failure_post_text(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """The post for a failed run, from its step and run events in the instance (one read)."""
    kinds = {*STEP_EVENTS, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE}
    records = instance.get_records_for_run(run.run_id, of_type=kinds).records
    events = [e for e in (r.event_log_entry.dagster_event for r in records) if e]
    failures = [e for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    steps = sorted({e.step_key for e in failures if e.step_key})
    # the steps' own errors, not the run's "Steps failed: [...]": what the person on call must act on
    causes = [step_error_line(e.step_failure_data.error) for e in failures if e.step_failure_data]
    run_failed = [e.message or "" for e in events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    error = "; ".join(dict.fromkeys(c for c in causes if c)) or (run_failed[-1] if run_failed else "")
    # failed from outside (its process died): no failing step, so name what it was doing
    in_progress = [] if steps else steps_in_progress(events)
    return run_failure_text(run.job_name, run.run_id, steps, error, in_progress)


FAILURE_POSTED_KEY = "famachat/failure_posted/"  # + run id: the run's failure post was delivered
FAILURE_RETRY_AFTER = dt.timedelta(minutes=2)  # run_failure_alert_sensor's own tries come first
FAILURE_RETRY_WINDOW = dt.timedelta(days=1)
FAILURE_RETRY_BATCH = 20


def _utc(moment: dt.datetime) -> dt.datetime:
    """Run storage's timestamps are UTC, naive on some backends: not the host's local time."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def mark_failure_posted(instance: dg.DagsterInstance, run_id: str) -> None:
    instance.run_storage.set_cursor_values({FAILURE_POSTED_KEY + run_id: "1"})


@dg.sensor(
    minimum_interval_seconds=sensor_interval(60),
    default_status=RUNNING,
    description="Posts, once, each run that failed over 2 minutes ago whose failure post the webhook "
    "refused (run_failure_alert_sensor's tries spent); retries while the webhook is down.",
)
def failure_post_retry_sensor(
    context: dg.SensorEvaluationContext, alert_webhook: AlertWebhook
) -> dg.SensorResult:
    """Posts the failed runs whose post run_failure_alert_sensor could not deliver (the webhook was down
    past its few tries, and Dagster had moved its cursor on: the post was lost): failed over 2 minutes
    ago, within a day, after this sensor's first tick, and not marked delivered. Cursor: that first tick."""
    now = dt.datetime.now(dt.UTC)
    if not context.cursor:
        return dg.SensorResult(skip_reason="watching failed runs from now on", cursor=now.isoformat())
    since = max(dt.datetime.fromisoformat(context.cursor), now - FAILURE_RETRY_WINDOW)
    failed = [
        r
        for r in context.instance.get_run_records(
            filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], updated_after=since), limit=500
        )
        if _utc(r.update_timestamp) <= now - FAILURE_RETRY_AFTER
    ]
    keys = {FAILURE_POSTED_KEY + r.dagster_run.run_id for r in failed}
    posted = context.instance.run_storage.get_cursor_values(keys) if keys else {}
    missing = [r.dagster_run for r in failed if FAILURE_POSTED_KEY + r.dagster_run.run_id not in posted]
    sent = 0
    for run in missing[:FAILURE_RETRY_BATCH]:
        try:
            alert_webhook.send(failure_post_text(context.instance, run), context.log)
        except AlertDeliveryError as exc:
            return dg.SensorResult(
                skip_reason=f"{len(missing) - sent} failure posts not delivered, retrying next tick: {exc}",
                cursor=context.cursor,
            )
        mark_failure_posted(context.instance, run.run_id)
        sent += 1
    said = f"posted {sent} failure posts delivered late" if sent else "no failure post left undelivered"
    return dg.SensorResult(skip_reason=said, cursor=context.cursor)

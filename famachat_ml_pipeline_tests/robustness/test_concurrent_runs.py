"""Two real `famachat-ml run` processes at once on one Postgres database (today's run over every
account and a past-day backfill of one account), with a user's acknowledgement and dismissal committed
in the middle. Afterwards: no duplicates, no user decision lost, and each run's results are its own."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from famachat_ml_pipeline_tests.robustness.conftest import Fleet, duplicates

pytestmark = pytest.mark.postgres


def test_two_runs_at_once_with_user_decisions_in_the_middle(fleet: Fleet) -> None:
    today = fleet.end_date
    first = fleet.run("run", "--all")
    assert first.returncode == 0, first.stdout[-3000:]
    recs_before = fleet.scalar("SELECT count(*) FROM ml_recommendations WHERE is_active")
    assert recs_before > 0

    past = today - dt.timedelta(days=12)
    now_run = fleet.start("run", "--all")
    backfill = fleet.start("run", "--config-id", "2", "--as-of", past.isoformat())
    # in the middle: once either process has started writing this round (its frames exist) ...
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not fleet.scalar(
        f"SELECT count(*) FROM ml_features WHERE feature_date = '{past}'"
    ):
        assert now_run.poll() is None or backfill.poll() is None
        time.sleep(0.2)
    with fleet.user() as user:  # ... a user acknowledges one anomaly and dismisses one recommendation
        acked = user.execute(
            "UPDATE ml_anomalies SET is_acknowledged = true, acknowledged_by = 5, resolution_notes = 'ok' "
            "WHERE id = (SELECT min(id) FROM ml_anomalies WHERE anomaly_date = "
            "(SELECT max(anomaly_date) FROM ml_anomalies)) RETURNING id"
        ).fetchone()[0]
        dismissed, title = user.execute(
            "UPDATE ml_recommendations SET dismissed = true, dismissed_by = 6, dismissed_reason = 'não' "
            "WHERE id = (SELECT min(id) FROM ml_recommendations WHERE is_active) RETURNING id, title"
        ).fetchone()
    outs = [p.communicate(timeout=600)[0] for p in (now_run, backfill)]
    assert now_run.returncode == 0, outs[0][-3000:]
    assert backfill.returncode == 0, outs[1][-3000:]

    assert duplicates(fleet) == dict.fromkeys(duplicates(fleet), 0)
    assert fleet.scalar(
        f"SELECT is_acknowledged AND resolution_notes = 'ok' FROM ml_anomalies WHERE id = {acked}"
    )
    assert fleet.scalar(
        f"SELECT dismissed AND dismissed_reason = 'não' AND title = $t${title}$t$ "
        f"FROM ml_recommendations WHERE id = {dismissed}"
    )
    # each run's results are its own: the backfill wrote account 2's past day only; today's run every
    # account's today; recommendations come from today's run only (never dated in the past)
    assert fleet.scalar(
        f"SELECT array_agg(DISTINCT config_id) FROM ml_features WHERE feature_date = '{past}'"
    ) == [2]
    assert (
        fleet.scalar(f"SELECT count(DISTINCT config_id) FROM ml_features WHERE feature_date = '{today}'") == 3
    )
    assert fleet.scalar(
        f"SELECT array_agg(DISTINCT config_id) FROM ml_forecasts WHERE forecast_date = '{past}'"
    ) == [2]
    assert (
        fleet.scalar(
            "SELECT count(*) FROM ml_recommendations "
            f"WHERE created_at < '{today}' OR (is_active AND expires_at < now())"
        )
        == 0
    )
    # the 12-day-old backfill's features for account 2 are those of that day (its own frame), not today's
    assert (
        fleet.scalar(
            "SELECT count(*) FROM ml_features p "
            "JOIN ml_features t USING (config_id, campaign_id, window_days) "
            f"WHERE p.feature_date = '{past}' AND t.feature_date = '{today}' "
            "AND p.features::text <> t.features::text"
        )
        > 0
    )

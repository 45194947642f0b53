"""Writers under concurrency, on real Postgres: two writers of one slice never duplicate it, and a user's
decision committed between our SELECT and our write (from FamaChat's own connection, which never takes
our advisory lock) is never deleted or overwritten."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable

import polars as pl
import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.recommendations import RecommendationConfig
from famachat_ml_pipeline.db import schema, writer
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline_tests.db.test_writer import DAY, anomalies, forecast_frame

pytestmark = pytest.mark.postgres


def _features() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "config_id": [1, 1, 1],
            "campaign_id": ["111", "111", "111"],
            "window_days": [7, 14, 30],
            "features": ['{"spend": 1.0}'] * 3,
            "insufficient_data": [False] * 3,
        }
    )


def _both_inside_the_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each writer wait (up to 3 s) for the other just before its INSERT. Without a lock both get
    there after their DELETE, and both insert; with the lock the second waits for the first's commit."""
    barrier = threading.Barrier(2, timeout=3)
    real = writer.bulk_insert

    def waiting_insert(conn: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return real(conn, table, frame)

    monkeypatch.setattr(writer, "bulk_insert", waiting_insert)


def _in_two_threads(write: Callable[[], object]) -> None:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            write()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=target) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors


def _count(engine: sa.Engine, table: sa.Table, *key: str) -> tuple[int, int]:
    """All rows, and distinct natural keys."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*[table.c[k] for k in key])).fetchall()
    return len(rows), len({tuple(r) for r in rows})


def test_two_feature_writers_of_one_slice_do_not_duplicate(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(pg_url)
    engine = get_engine(pg_url)
    _both_inside_the_transaction(monkeypatch)
    _in_two_threads(lambda: writer.replace_features(engine, _features(), [1], DAY))
    assert _count(engine, schema.ml_features, "config_id", "campaign_id", "window_days", "feature_date") == (
        3,
        3,
    )


def test_two_forecast_writers_of_one_slice_do_not_duplicate(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(pg_url)
    engine = get_engine(pg_url)
    _both_inside_the_transaction(monkeypatch)
    _in_two_threads(lambda: writer.replace_forecasts(engine, forecast_frame(10.0), [1], DAY, "v"))
    assert _count(engine, schema.ml_forecasts, "entity_id", "target_metric", "forecast_date") == (3, 3)
    assert _count(engine, schema.ml_predictions, "entity_id", "prediction_type", "forecast_date") == (9, 9)


def _raw(url: str) -> psycopg.Connection:
    return psycopg.connect(sa.engine.make_url(url).set(drivername="postgresql").render_as_string(False))


def _before_statement(engine: sa.Engine, prefix: str, user_action: Callable[[], None]) -> None:
    """Run `user_action` (a commit on FamaChat's own connection) just before our first statement that
    starts with `prefix`, i.e. after our SELECT and inside our transaction."""
    done: list[bool] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def hook(conn, cursor, statement, params, context, executemany) -> None:  # noqa: ANN001
        if not done and statement.lstrip().upper().startswith(prefix):
            done.append(True)
            user_action()


def test_acknowledgement_committed_after_our_select_is_not_withdrawn(pg_url: str) -> None:
    migrate(pg_url)
    engine = get_engine(pg_url)
    writer.upsert_anomalies(engine, anomalies(), [1], [DAY])

    def acknowledge() -> None:
        with _raw(pg_url) as user:
            user.execute(
                "UPDATE ml_anomalies SET is_acknowledged = true, acknowledged_by = 42, "
                "resolution_notes = 'sabemos, foi de propósito' WHERE entity_id = '111'"
            )

    _before_statement(engine, "DELETE FROM ML_ANOMALIES", acknowledge)
    # restated data shows neither anomaly any more: both were read as unacknowledged, so both are stale
    written = writer.upsert_anomalies(engine, anomalies().head(0), [1], [DAY])
    assert written["withdrawn"] == 1  # both planned; the statement itself spares the acknowledged one
    t = schema.ml_anomalies
    with engine.connect() as conn:
        kept = conn.execute(sa.select(t.c.entity_id, t.c.resolution_notes)).fetchall()
    assert [tuple(r) for r in kept] == [("111", "sabemos, foi de propósito")]


def _candidates(title: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "config_id": [1, 1],
            "entity_type": ["campaign", "campaign"],
            "entity_id": ["111", "222"],
            "recommendation_type": ["BUDGET_DECREASE", "CREATIVE_REFRESH"],
            "priority": [4, 3],
            "title": [title, title],
            "description": ["d", "d"],
            "suggested_action": ['{"action": "x"}'] * 2,
            "confidence_score": [0.8, 0.7],
            "reasoning": ['{"severity_metric": 1.0}'] * 2,
            "severity_metric": [1.0, 1.0],
            "expires_at": [dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=5)] * 2,
        }
    )


def test_dismissal_committed_after_our_select_is_not_rewritten(pg_url: str) -> None:
    migrate(pg_url)
    engine = get_engine(pg_url)
    config = RecommendationConfig()
    empty = pl.DataFrame()
    first = writer.apply_recommendations(engine, _candidates("primeiro"), empty, [1], DAY, config)
    assert first["inserted"] == 2

    def dismiss() -> None:
        with _raw(pg_url) as user:  # what the user saw when dismissing stays what the row says
            user.execute(
                "UPDATE ml_recommendations SET dismissed = true, dismissed_by = 7, "
                "dismissed_reason = 'não agora' WHERE entity_id = '111'"
            )

    _before_statement(engine, "UPDATE ML_RECOMMENDATIONS", dismiss)
    # the next run no longer triggers 222 (deactivation) and rewrites 111 (update): both planned from a
    # SELECT that saw 111 undecided
    writer.apply_recommendations(engine, _candidates("segundo").head(1), empty, [1], DAY, config)
    r = schema.ml_recommendations
    with engine.connect() as conn:
        rows = {
            e: (title, active, dismissed, reason)
            for e, title, active, dismissed, reason in conn.execute(
                sa.select(r.c.entity_id, r.c.title, r.c.is_active, r.c.dismissed, r.c.dismissed_reason)
            ).fetchall()
        }
    assert rows["111"] == ("primeiro", True, True, "não agora")
    assert rows["222"][1:3] == (False, False)  # undecided: deactivated as planned

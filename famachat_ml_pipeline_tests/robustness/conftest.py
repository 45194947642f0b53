"""Real `famachat-ml` processes on one real Postgres database: the environment, the data and the checks
shared by the concurrency and crash tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

CLI = [sys.executable, "-m", "famachat_ml_pipeline.cli"]
ACCOUNTS, DAYS = 3, 60  # small on purpose: each process pays Dagster's start-up


@dataclass
class Fleet:
    url: str
    env: dict[str, str]
    engine: sa.Engine
    end_date: object
    dagster_url: str  # Dagster's own storage (runs, events), another Postgres database
    frames: Path

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*CLI, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLI, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def user(self) -> psycopg.Connection:
        """FamaChat's own connection (autocommit; never takes our advisory lock)."""
        plain = sa.engine.make_url(self.url).set(drivername="postgresql")
        return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)

    def run_statuses(self) -> dict[str, int]:
        """Dagster runs by status, read from Dagster's own storage."""
        with psycopg.connect(self.dagster_url) as conn:
            return dict(conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())

    def step_succeeded_in_a_started_run(self, step_key: str) -> bool:
        """A run still in progress has finished `step_key` (Dagster's event log)."""
        with psycopg.connect(self.dagster_url) as conn:
            return bool(
                conn.execute(
                    "SELECT count(*) FROM event_logs e JOIN runs r ON r.run_id = e.run_id"
                    " WHERE r.status = 'STARTED' AND e.dagster_event_type = 'STEP_SUCCESS'"
                    " AND e.step_key = %s",
                    (step_key,),
                ).fetchone()[0]
            )

    def scalar(self, sql: str) -> object:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path) -> Iterator[Fleet]:
    migrate(pg_url)
    engine = get_engine(pg_url)
    data = generate_demo(n_accounts=ACCOUNTS, days=DAYS, seed=3)
    write_demo(engine, data)
    dagster_url = create_pg_database("fcml_dagster")
    plain_dagster = sa.engine.make_url(dagster_url).set(drivername="postgresql")
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "DAGSTER_PG_URL": plain_dagster.render_as_string(hide_password=False),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "MODELS_STORAGE_PATH": str(tmp_path / "models"),
        "FRAMES_STORAGE_PATH": str(tmp_path / "frames"),
    }
    try:
        yield Fleet(pg_url, env, engine, data.end_date, env["DAGSTER_PG_URL"], tmp_path / "frames")
    finally:
        drop_pg_database(dagster_url)


# One row per natural key in every ml_* table that the pipeline replaces or upserts.
UNIQUE_KEYS = {
    "ml_features": "config_id, campaign_id, window_days, feature_date",
    "ml_anomalies": "config_id, entity_type, entity_id, anomaly_type, metric_name, anomaly_date",
    "ml_forecasts": "config_id, entity_id, target_metric, forecast_date",
    "ml_predictions": "config_id, entity_id, prediction_type, forecast_date, horizon_days",
    "ml_campaign_classifications": "config_id, campaign_id, classified_at",
}


def duplicates(fleet: Fleet) -> dict[str, int]:
    """Rows beyond one per natural key, per table (0 everywhere is the goal); plus keys with two active
    recommendations."""
    out = {
        table: int(fleet.scalar(f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}"))
        for table, key in UNIQUE_KEYS.items()
    }
    out["ml_recommendations (active)"] = int(
        fleet.scalar(
            "SELECT count(*) FROM (SELECT 1 FROM ml_recommendations WHERE is_active "
            "GROUP BY config_id, entity_type, entity_id, recommendation_type HAVING count(*) > 1) d"
        )
    )
    return out


def slice_counts(fleet: Fleet) -> dict[str, dict[tuple, int]]:
    """Rows per (account, day) slice of each replaced table: what FamaChat would read at this instant."""
    queries = {
        "ml_features": "SELECT config_id, feature_date::date, count(*) FROM ml_features GROUP BY 1, 2",
        "ml_forecasts": "SELECT config_id, forecast_date::date, count(*) FROM ml_forecasts GROUP BY 1, 2",
        "ml_campaign_classifications": (
            "SELECT config_id, classified_at::date, count(*) FROM ml_campaign_classifications GROUP BY 1, 2"
        ),
        "ml_anomalies": "SELECT config_id, anomaly_date::date, count(*) FROM ml_anomalies GROUP BY 1, 2",
    }
    with fleet.engine.connect() as conn:
        return {t: {(r[0], r[1]): r[2] for r in conn.execute(sa.text(q))} for t, q in queries.items()}

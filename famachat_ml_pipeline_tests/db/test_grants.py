"""Least privilege on real Postgres: the whole graph runs as the pipeline role, and FamaChat's app role can
change only its users' columns."""

from __future__ import annotations

import polars as pl
import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.core.vocab import RECOMMENDATION_TYPES
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.db.grants import USER_COLUMNS, apply_grants, grant_statements
from famachat_ml_pipeline.db.writer import fill_prediction_actuals
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import get_settings


def test_statements_cover_every_ml_table_and_refuse_odd_role_names() -> None:
    sql = "\n".join(grant_statements("pipe", "app", "famachat"))
    for table in schema.metadata.tables:
        assert table in sql
    columns = "is_acknowledged, acknowledged_at, acknowledged_by, resolution_notes"
    assert f'GRANT UPDATE ({columns}) ON ml_anomalies TO "app"' in sql
    with pytest.raises(ValueError, match="role names"):
        grant_statements('app"; DROP TABLE ml_features; --', "app")


def _as(url: str, role: str) -> str:
    return sa.engine.make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def _psycopg(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.postgres
def test_pipeline_runs_as_its_role_and_the_app_changes_only_users_columns(
    pg_url: str,
    pg_roles: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,
    capsys,  # noqa: ANN001
) -> None:
    pipeline_role, app_role = pg_roles
    # The owner loads the source and creates the ml_* tables; then hands out the grants.
    data = generate_demo(n_accounts=2, days=40, seed=5)
    write_demo(get_engine(pg_url), data)
    migrate(pg_url)
    monkeypatch.setenv("DATABASE_URL", pg_url)
    for var, sub in (
        ("MODELS_STORAGE_PATH", "models"),
        ("FRAMES_STORAGE_PATH", "frames"),
        ("DAGSTER_HOME", "dagster_home"),
    ):
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.delenv("DAGSTER_PG_URL", raising=False)
    get_settings.cache_clear()
    # a hardened database: temporary tables (the writer's UPDATE ... FROM) only where granted
    with psycopg.connect(_psycopg(pg_url), autocommit=True) as owner:
        owner.execute(f'REVOKE TEMPORARY ON DATABASE "{sa.engine.make_url(pg_url).database}" FROM PUBLIC')
    assert main(["grants", "--apply", "--pipeline-role", pipeline_role, "--app-role", app_role]) == 0
    assert "applied" in capsys.readouterr().out

    # The whole graph, connected as the pipeline role.
    monkeypatch.setenv("DATABASE_URL", _as(pg_url, pipeline_role))
    get_settings.cache_clear()
    try:
        (run,) = run_pipeline(get_settings(), as_of=data.end_date, echo=lambda _: None)
    finally:
        get_settings.cache_clear()
    assert run.success
    pipeline = psycopg.connect(_psycopg(_as(pg_url, pipeline_role)), autocommit=True)
    with pipeline:
        assert pipeline.execute("SELECT current_user").fetchone()[0] == pipeline_role
        tables = ("ml_features", "ml_recommendations", "ml_anomalies", "ml_campaign_classifications")
        for table in (*tables, "anomaly_inputs", "forecast_calibration"):  # the last two: its own bookkeeping
            assert pipeline.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, table
        # the writer's UPDATE ... FROM a temporary table works under the pipeline's grants
        prediction = pipeline.execute("SELECT min(id) FROM ml_predictions").fetchone()[0]
        actual = pl.DataFrame(
            {"id": [prediction], "actual_value": [3.0], "absolute_error": [1.0], "percentage_error": [0.5]}
        )
        assert fill_prediction_actuals(get_engine(_as(pg_url, pipeline_role)), actual) == 1
        assert pipeline.execute(
            "SELECT actual_value FROM ml_predictions WHERE id = %s", (prediction,)
        ).fetchone() == (3.0,)
        with pytest.raises(errors.InsufficientPrivilege):  # the source stays read-only to it
            pipeline.execute("DELETE FROM sistema_facebook_ads_insights")

    app = psycopg.connect(_psycopg(_as(pg_url, app_role)), autocommit=True)
    with app:
        for table in schema.metadata.tables:
            app.execute(f"SELECT * FROM {table} LIMIT 1")
        rec = app.execute("SELECT id FROM ml_recommendations LIMIT 1").fetchone()[0]
        anomaly = app.execute("SELECT id FROM ml_anomalies LIMIT 1").fetchone()[0]
        updated = app.execute(
            "UPDATE ml_recommendations SET dismissed = true, dismissed_at = now(), dismissed_by = 7, "
            "dismissed_reason = 'not now', was_applied = false, applied_at = NULL, applied_by = NULL "
            "WHERE id = %s",
            (rec,),
        )
        assert updated.rowcount == 1
        updated = app.execute(
            "UPDATE ml_anomalies SET is_acknowledged = true, acknowledged_at = now(), acknowledged_by = 7, "
            "resolution_notes = 'seen' WHERE id = %s",
            (anomaly,),
        )
        assert updated.rowcount == 1
        forbidden = [
            ("UPDATE ml_recommendations SET title = 'x' WHERE id = %s", (rec,)),
            ("UPDATE ml_recommendations SET is_active = false WHERE id = %s", (rec,)),
            ("UPDATE ml_anomalies SET severity = 'LOW' WHERE id = %s", (anomaly,)),
            ("DELETE FROM ml_recommendations WHERE id = %s", (rec,)),
            ("DELETE FROM ml_anomalies WHERE id = %s", (anomaly,)),
            (
                "INSERT INTO ml_recommendations (config_id, entity_type, entity_id, recommendation_type, "
                "title, description) VALUES (1, 'campaign', '1', %s, 't', 'd')",
                (RECOMMENDATION_TYPES[0],),
            ),
            ("UPDATE ml_features SET window_days = 1", ()),
            ("TRUNCATE ml_forecasts", ()),
            ("SELECT count(*) FROM sistema_facebook_ads_insights", ()),
        ]
        for statement, params in forbidden:
            with pytest.raises(errors.InsufficientPrivilege):
                app.execute(statement, params)
    owner = psycopg.connect(_psycopg(pg_url))
    with owner:  # the users' decisions are stored; nothing else moved
        row = owner.execute(
            "SELECT dismissed, dismissed_reason, title <> 'x', is_active FROM ml_recommendations "
            "WHERE id = %s",
            (rec,),
        ).fetchone()
        assert row == (True, "not now", True, True)
        assert owner.execute(
            "SELECT resolution_notes FROM ml_anomalies WHERE id = %s", (anomaly,)
        ).fetchone() == ("seen",)
    assert set(USER_COLUMNS) == {schema.ml_recommendations, schema.ml_anomalies}


@pytest.mark.postgres
def test_the_agent_api_answers_as_the_pipeline_role(pg_url: str, pg_roles: tuple[str, str]) -> None:
    """`serve` runs the agent API on the pipeline's DATABASE_URL, and deploy/agent-api.yaml reads the same
    secret: under README's least-privilege grants every chat answered 500 ("permission denied for table
    agent_threads") and no feedback could be stored. Now a chat, its thread and a rating are stored."""
    from fastapi.testclient import TestClient

    from famachat_ml_pipeline.api.app import create_app
    from famachat_ml_pipeline.settings import Settings

    pipeline_role, app_role = pg_roles
    write_demo(get_engine(pg_url), generate_demo(n_accounts=1, days=40, seed=5))
    migrate(pg_url)
    apply_grants(get_engine(pg_url), pipeline_role, app_role)
    settings = Settings(database_url=_as(pg_url, pipeline_role), ml_api_key="k" * 24)
    headers = {"X-API-Key": "k" * 24}
    with TestClient(create_app(settings)) as client:
        chat = client.post(
            "/api/v1/agent/chat", headers=headers, json={"message": "como está a conta?", "config_id": 1}
        )
        assert chat.status_code == 200, chat.text
        thread = chat.json()["thread_id"]
        rated = client.post(
            "/api/v1/agent/feedback",
            headers=headers,
            json={"thread_id": thread, "message_id": chat.json()["message_id"], "rating": 5, "config_id": 1},
        )
        assert rated.status_code == 201, rated.text
        listed = client.get("/api/v1/agent/conversations", headers=headers, params={"config_id": 1})
        assert [t["thread_id"] for t in listed.json()] == [thread]

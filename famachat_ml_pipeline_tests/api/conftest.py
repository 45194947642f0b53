"""Fixtures for the API: a real database the pipeline has run on, the app over it, credentials."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from famachat_ml_pipeline.api.app import create_app
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

API_KEY = "test-api-key-0123456789"
JWT_SECRET = "test-jwt-secret-with-at-least-32-bytes!!"
A, B = 1, 2  # the two demo accounts


def token(config_id: int | None, *, secret: str = JWT_SECRET, expires_in: int = 300, **claims: object) -> str:
    payload: dict[str, object] = {"exp": dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in), **claims}
    if config_id is not None:
        payload["config_id"] = config_id
    return jwt.encode(payload, secret, algorithm="HS256")


def bearer(config_id: int, **kwargs: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(config_id, **kwargs)}"}


KEY = {"X-API-Key": API_KEY}


def pipeline_env(tmp: Path, url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "MODELS_STORAGE_PATH": str(tmp / "models"),
        "FRAMES_STORAGE_PATH": str(tmp / "frames"),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
    }


def run_demo_pipeline(tmp: Path, url: str) -> None:
    """Two demo accounts in the source tables, then the whole graph (the real pipeline, ~15 s)."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in pipeline_env(tmp, url).items():
            mp.setenv(name, value)
        mp.delenv("DAGSTER_PG_URL", raising=False)
        get_settings.cache_clear()
        try:
            data = generate_demo(n_accounts=2, days=70, seed=3)
            write_demo(get_engine(url), data)
            (run,) = run_pipeline(get_settings(), as_of=data.end_date, echo=lambda _: None)
            assert run.success
        finally:
            get_settings.cache_clear()


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite and Postgres databases where the pipeline ran for accounts 1 and 2; shared, read-mostly."""
    tmp = tmp_path_factory.mktemp(f"demo_{request.param}")
    url = f"sqlite:///{tmp / 'famachat_ml.db'}" if request.param == "sqlite" else create_pg_database()
    try:
        run_demo_pipeline(tmp, url)
        yield url
    finally:
        if request.param == "postgres":
            drop_pg_database(url)


def api_settings(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "ml_api_key": API_KEY,
        "jwt_secret": JWT_SECRET,
        "api_rate_limit_per_minute": 1000,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def app(demo_url: str) -> FastAPI:
    return create_app(api_settings(demo_url))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def sse_events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((fields["event"], json.loads(fields["data"])))
    return events


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    # The agent answers offline whenever no Anthropic key is set; make sure none comes in from outside.
    for name in ("ANTHROPIC_API_KEY", "AGENT_ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)

"""serve's watch on Dagster's Postgres, against a real database made unreachable and reachable again."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline_tests.conftest import POSTGRES_SERVER


def _set_reachable(name: str, reachable: bool) -> None:
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}')
        if not reachable:  # as a server that goes away does: every open session ends
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )


def _wait(lines: list[str], text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not any(text in line for line in lines):
        assert time.monotonic() < deadline, f"{text!r} never said: {lines}"
        time.sleep(0.1)


@pytest.mark.postgres
def test_serve_says_when_dagster_postgres_stops_answering_and_when_it_is_back(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured under serve: Dagster's database down for 2 minutes was ~20,000 lines of the daemon's retries
    and tracebacks, and not one line of serve's; /server_info and the API kept answering 200."""
    from famachat_ml_pipeline import cli, serve, storage_watch
    from famachat_ml_pipeline.settings import get_settings

    name = sa.engine.make_url(pg_url).database
    assert name is not None
    dagster_url = (
        sa.engine.make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.demo.loader import create_source_tables

    create_source_tables(get_engine(f"sqlite:///{tmp_path / 'ml.db'}"))  # serve's daemon reads them
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'ml.db'}")
    monkeypatch.setenv("DAGSTER_PG_URL", dagster_url)
    monkeypatch.setattr(storage_watch, "PROBE_SECONDS", 0.3)
    get_settings.cache_clear()
    done = tmp_path / "done"
    waits = f"import os, time\nwhile not os.path.exists({str(done)!r}): time.sleep(0.1)"
    monkeypatch.setattr(
        serve,
        "services",
        lambda host, port, api_port=None, **_: [serve.Service("svc", [sys.executable, "-c", waits])],
    )
    lines: list[str] = []
    monkeypatch.setattr(cli, "_log_line", lines.append)

    def outage() -> None:
        try:
            _wait(lines, "started svc", 60)
            time.sleep(1)
            _set_reachable(name, False)
            _wait(lines, "does not answer", 20)
            time.sleep(1)
        finally:
            _set_reachable(name, True)
        try:
            _wait(lines, "answers again", 20)
        finally:
            done.touch()

    helper = threading.Thread(target=outage, daemon=True)
    helper.start()
    try:
        cli.main(["serve", "--port", "3995", "--no-api"])
    finally:
        done.touch()
        _set_reachable(name, True)
        get_settings.cache_clear()
    helper.join(timeout=30)
    said = [line for line in lines if "Dagster's storage" in line]
    assert len(said) == 2, lines
    assert said[0].startswith("Dagster's storage DAGSTER_PG_URL (postgresql+psycopg2://root@127.0.0.1")
    assert "does not answer: " in said[0] and "not currently accepting connections" in said[0], said
    assert "run queue wait for it" in said[0]
    assert "answers again after" in said[1]


def test_the_watch_says_a_change_once_and_reminds_while_down() -> None:
    from famachat_ml_pipeline.storage_watch import StorageWatch

    answers = iter([None, "refused", "refused", "refused", None, None])
    lines: list[str] = []
    watch = StorageWatch("db", lambda: next(answers), lines.append, every=1, remind=60)
    state: tuple[float | None, float] = (None, 0.0)
    for now in (0, 10, 20, 75, 80, 90):
        state = watch.check(*state, now=now)
    assert lines[0].startswith("db does not answer: refused;")
    assert lines[1:] == ["db still does not answer after 65 s: refused", "db answers again after 70 s"]

"""`famachat-ml status`: healthy after a run; stale accounts, failed runs and a missing schema or Dagster
storage said and turned into the exit code a monitor reads. Real SQLite and Postgres, real runs."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._daemon.types import DaemonHeartbeat

from famachat_ml_pipeline.cli import main
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.partitions import AS_OF_TAG
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import execute_here
from famachat_ml_pipeline.settings import Settings, get_settings
from famachat_ml_pipeline.source.read import last_insight_days
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES, create_pg_database, drop_pg_database

ONE_ACCOUNT = ["generate-demo-data", "--accounts", "1", "--days", "40"]


def _status(capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["status", *flags])
    return code, capsys.readouterr().out


@pytest.fixture
def ran(settings: Settings, capsys: pytest.CaptureFixture[str]) -> Settings:
    assert main(ONE_ACCOUNT) == 0
    assert main(["run", "--all"]) == 0
    return settings


@ON_POSTGRES
def test_healthy_after_a_run(ran: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _status(capsys)
    assert code == 0, out
    assert "ml_pipeline: last run" in out and "SUCCESS" in out
    assert "runs FAILED in the last 24 h: 0" in out
    assert "1 with results" in out
    assert "status: healthy (exit 0)" in out
    # an account synced since, not run yet: listed apart, not a problem (its sensor runs it in minutes)
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    with get_engine(ran.database_url).begin() as conn:
        conn.execute(
            insights_table.insert().values(config_id=99, campaign_id="9", date_start=day, date_stop=day)
        )
    code, out = _status(capsys)
    assert code == 0, out
    assert "accounts: 2 in the source" in out
    assert "1 account with source data and no results yet: 99" in out
    # --expect-daemon: a deployment that should run serve has no daemon here
    code, out = _status(capsys, "--expect-daemon")
    assert code == 1
    assert "PROBLEM: daemon: not running" in out


def test_new_source_days_without_a_run_make_the_account_stale(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The source's last 3 days arrive after the run (held back, run as of the day before them, then
    written by plain SQL): the results' day is the runs' as_of, so only a run brings them level again."""
    assert main(ONE_ACCOUNT) == 0
    engine = get_engine(settings.database_url)
    t = insights_table
    last = last_insight_days(engine, [1])[1]  # the demo's dirty rows dated in the future are not it
    held = last - dt.timedelta(days=2)
    with engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(t).where(t.c.date_start >= held))]
        conn.execute(t.delete().where(t.c.date_start >= held))
    results = held - dt.timedelta(days=1)  # the run's as_of: the source's latest day then
    assert main(["run", "--all", "--as-of", results.isoformat()]) == 0
    code, out = _status(capsys)
    assert code == 0, out
    with engine.begin() as conn:
        conn.execute(t.insert(), rows)
    code, out = _status(capsys)
    assert code == 1, out
    # the latest complete day: the demo writes today's first rows too (São Paulo's today)
    from zoneinfo import ZoneInfo

    today = dt.datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    complete = min(last, today - dt.timedelta(days=1))
    assert (
        f"PROBLEM: 1 account behind the source by over a day: 1 (source {complete}, results {results})" in out
    )
    assert "needs a person: 1 problem (exit 1)" in out


@ON_POSTGRES
def test_a_failed_run_flips_the_exit_code_until_the_job_succeeds_again(
    ran: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real run of the graph that fails in its first step (as of a day the source cannot have yet),
    executed by the runner as `famachat-ml run` executes one."""
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    tags = {**ranged_run_tags("1", "1"), AS_OF_TAG: future}
    failed = execute_here(
        get_instance(ran), "ml_pipeline", ["1"], tags, "INFO", print, str(ran.frames_storage_path)
    )
    assert not failed.success
    code, out = _status(capsys)
    assert code == 1, out
    assert "runs FAILED in the last 24 h: 1" in out
    (line,) = [x for x in out.splitlines() if x.startswith(f"  {failed.run_id[:8]} ml_pipeline")]
    assert "ago: " in line and future in line  # the step's own error, e.g. "... as of 2027-..."
    problem = f"PROBLEM: job ml_pipeline: run {failed.run_id[:8]} FAILED and no later run of it succeeded"
    assert problem in out
    assert main(["run", "--all"]) == 0  # a later success of the same job: listed, no longer a problem
    code, out = _status(capsys)
    assert code == 0, out
    assert "runs FAILED in the last 24 h: 1" in out


@ON_POSTGRES
def test_a_run_failed_from_outside_shows_dagsters_message(
    ran: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run marked failed by run monitoring or the dead-run sweep has no failed step: its reason shows."""
    instance = get_instance(ran)
    run = instance.create_run_for_job(
        defs.resolve_job_def("ml_pipeline"),
        tags=ranged_run_tags("1", "1"),
        status=dg.DagsterRunStatus.STARTED,
    )
    instance.report_run_failed(run, "the famachat-ml process running it is gone (killed?)")
    code, out = _status(capsys)
    assert code == 1, out
    assert f"  {run.run_id[:8]} ml_pipeline" in out and "the famachat-ml process running it is gone" in out


def test_a_missing_schema_is_one_line_and_exit_2(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    from famachat_ml_pipeline.demo.loader import create_source_tables

    create_source_tables(get_engine(settings.database_url))
    code, out = _status(capsys)
    assert code == 2
    assert out.count("\n") == 1 and "has no ml_* schema yet" in out


def test_a_missing_dagster_storage_is_exit_2_and_nothing_is_created(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(ONE_ACCOUNT) == 0
    assert main(["migrate"]) == 0
    code, out = _status(capsys)
    assert code == 2
    assert out.count("\n") == 1 and "DAGSTER_HOME" in out and "nothing has run" in out
    assert not Path(settings.dagster_home).exists()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dagster_storage_on_postgres_missing_then_healthy(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DAGSTER_PG_URL naming an empty database: exit 2, and its storage is still not created; after a run
    on it, status reads it."""
    url = create_pg_database("fcml_status")
    monkeypatch.setenv("DAGSTER_PG_URL", url)
    get_settings.cache_clear()
    try:
        assert main(ONE_ACCOUNT) == 0
        assert main(["migrate"]) == 0
        Path(get_settings().dagster_home).mkdir(parents=True)
        code, out = _status(capsys)
        assert code == 2
        assert out.count("\n") == 1 and "holds no Dagster storage (no runs table)" in out
        with get_engine(url).connect() as conn:
            assert not sa.inspect(conn).get_table_names()
        assert main(["run", "--all"]) == 0
        code, out = _status(capsys)
        assert code == 0, out
        assert "ml_pipeline: last run" in out
    finally:
        get_settings.cache_clear()
        drop_pg_database(url)


@ON_POSTGRES
def test_a_daemon_that_died_without_a_clean_stop_needs_a_person(
    ran: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Heartbeats as dagster-daemon writes them: fresh ones for every required daemon are healthy; the
    same beats 10 minutes old (serve killed: its clean stop wipes them) are a dead daemon."""
    instance = get_instance(ran)

    def beat(at: float) -> None:
        for kind in instance.get_required_daemon_types():
            instance.add_daemon_heartbeat(DaemonHeartbeat(at, kind, "status-test", errors=[]))

    beat(time.time())
    code, out = _status(capsys, "--expect-daemon")
    assert code == 0, out
    assert "daemon: running, last heartbeat" in out
    instance.wipe_daemon_heartbeats()
    beat(time.time() - 600)
    code, out = _status(capsys)
    assert code == 1, out
    assert "PROBLEM: daemon: not running, its last heartbeat is 10 min old" in out


@pytest.mark.parametrize(("latest", "partial"), [(dt.date(2026, 12, 2), True), (dt.date(2026, 12, 1), False)])
def test_a_source_day_that_is_today_is_said_partial(latest: dt.date, partial: bool) -> None:
    """ "latest day 2026-12-02" beside results of 12-01 read as results a day behind."""
    from famachat_ml_pipeline.status import Freshness, freshness_section

    fresh = Freshness(1, {1: latest}, {1: dt.date(2026, 12, 1)}, today=dt.date(2026, 12, 2))
    (line,) = freshness_section(fresh).lines
    said = f"(latest day {latest}, today so far; results cover complete days)"
    assert (said in line) is partial and line.startswith("accounts: 1 in the source (latest day "), line


@pytest.mark.parametrize(
    ("results", "stale"),
    [
        (dt.date(2026, 11, 30), False),  # 01:30 on 12-02, before the 02:00 run: on schedule
        (dt.date(2026, 12, 1), False),
        (dt.date(2026, 11, 29), True),  # two complete days behind: a run was missed
    ],
)
def test_results_a_day_behind_before_the_daily_run_are_on_schedule(results: dt.date, stale: bool) -> None:
    """Today's first rows (12-02) beside results of 11-30 read as two days behind: a PROBLEM every night
    from midnight to the end of the 02:00 run. Now against the latest complete day (12-01)."""
    from famachat_ml_pipeline.status import Freshness, freshness_section

    fresh = Freshness(1, {1: dt.date(2026, 12, 2)}, {1: results}, today=dt.date(2026, 12, 2))
    problems = freshness_section(fresh).problems
    assert bool(problems) is stale, problems
    if stale:
        assert problems == [
            f"1 account behind the source by over a day: 1 (source 2026-12-01, results {results})"
        ]


def test_a_database_that_never_answers_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that accepts and never speaks (a stuck pooler) as DATABASE_URL held `status` for ever, deaf
    to Ctrl-C (measured: still there after 2 minutes): the probe cron or Kubernetes runs never alerted."""
    import socket

    from famachat_ml_pipeline.db.engine import CONNECT_TIMEOUT_SECONDS

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setenv("DATABASE_URL", f"postgresql://root@127.0.0.1:{silent.getsockname()[1]}/x")
        monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
        get_settings.cache_clear()
        t0 = time.monotonic()
        code, out = _status(capsys)
        took = time.monotonic() - t0
    get_settings.cache_clear()
    err = capsys.readouterr().err
    assert code == 2, (out, err)
    assert "cannot use DATABASE_URL" in out + err and "timeout" in out + err, (out, err)
    assert took < 4 * CONNECT_TIMEOUT_SECONDS + 5, took

"""The agent reads and answers the same on Postgres as on SQLite.

Every answer is a function of what the agent reads (the cleaned source, the ml_* rows) and of its clock, so
the question tests run on SQLite alone, and this module holds the reads equal: the same demo (four accounts,
the 4th in CLP) with the pipeline run once on each backend, then the source as the agent reads it, every
tool's output and the offline replies (text, intent and every tool call's input and output) to
parity_questions.txt, compared whole."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, run_tool
from famachat_ml_pipeline.db import agent_queries as q
from famachat_ml_pipeline.source.read import first_insight_day, read_daily_insights
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, _build
from famachat_ml_pipeline_tests.agent.test_tools import _args
from famachat_ml_pipeline_tests.conftest import create_pg_database, drop_pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(1200)]

QUESTIONS = (Path(__file__).parent / "parity_questions.txt").read_text(encoding="utf-8").splitlines()
ACCOUNTS = [1, 4]  # the one whose campaign names carry instructions, the CLP one
ALL_ACCOUNTS = [1, 2, 3, 4]


@pytest.fixture(scope="module")
def pg_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDb]:
    url = create_pg_database("fcml_parity")
    try:
        yield _build(url, tmp_path_factory.mktemp("parity_pg"), n_accounts=4)
    finally:
        drop_pg_database(url)


def _ctx(db: DemoDb, config_id: int) -> ToolContext:
    return ToolContext(db.engine, config_id, now=db.now)


def test_the_builds_are_the_same_demo(clp_db: DemoDb, pg_db: DemoDb) -> None:
    assert clp_db.engine.dialect.name == "sqlite" and pg_db.engine.dialect.name == "postgresql"
    assert (clp_db.as_of, clp_db.now) == (pg_db.as_of, pg_db.now)
    assert_frame_equal(clp_db.data.insights, pg_db.data.insights)


@pytest.mark.parametrize("config_id", ALL_ACCOUNTS)
def test_the_source_reads_the_same(clp_db: DemoDb, pg_db: DemoDb, config_id: int) -> None:
    lite, pg = (
        read_daily_insights(db.engine, [config_id], db.as_of, 120, now=db.now) for db in (clp_db, pg_db)
    )
    assert lite.daily.height > 0
    assert_frame_equal(lite.daily, pg.daily)
    counts = [f.name for f in dataclasses.fields(lite) if f.name != "daily"]  # rows read, set aside...
    assert {k: getattr(lite, k) for k in counts} == {k: getattr(pg, k) for k in counts}
    assert first_insight_day(clp_db.engine, config_id) == first_insight_day(pg_db.engine, config_id)


@pytest.mark.parametrize("config_id", ALL_ACCOUNTS)
def test_every_tool_answers_the_same(clp_db: DemoDb, pg_db: DemoDb, config_id: int) -> None:
    lite, pg = _ctx(clp_db, config_id), _ctx(pg_db, config_id)
    assert lite.campaigns == pg.campaigns and lite.currency == pg.currency
    args = _args(lite)
    for name in TOOLS:
        out = run_tool(lite, name, args.get(name, {}))
        assert "error" not in out, (name, out)
        assert run_tool(pg, name, args.get(name, {})) == out, name


@pytest.mark.parametrize("config_id", ACCOUNTS)
def test_every_offline_reply_is_the_same(clp_db: DemoDb, pg_db: DemoDb, config_id: int) -> None:
    lite = open_agent(clp_db.engine, config_id, clp_db.settings, mode="offline", now=clp_db.now)
    pg = open_agent(pg_db.engine, config_id, pg_db.settings, mode="offline", now=pg_db.now)
    differ = []
    for question in QUESTIONS:
        a, b = lite.ask(question), pg.ask(question)
        assert a.error is None, (question, a.error)
        if dataclasses.asdict(a) != dataclasses.asdict(b):
            differ.append((question, a.text, b.text))
    assert not differ, differ


def test_forecast_reads_can_use_the_predictions_index(pg_db: DemoDb) -> None:
    """On Postgres the per-account predictions reads can be served by ix_ml_predictions_entity_date: with
    sequential scans disabled, the plan names the index (it would not if the index could not serve them).
    The demo tables are too small for the planner to prefer it unforced; bench_agent.py --explain shows
    the unforced plans at fleet scale."""
    ids = sorted(_ctx(pg_db, 1).campaigns)
    queries = q.indexed_read_queries(1, ids, pg_db.as_of, 1)
    for query in (queries["forecast origin (ml_predictions)"], queries["predictions (ml_predictions)"]):
        sql = str(query.compile(pg_db.engine, compile_kwargs={"literal_binds": True}))
        with pg_db.engine.connect() as conn:
            conn.execute(sa.text("SET enable_seqscan = off"))
            plan = "\n".join(r[0] for r in conn.execute(sa.text(f"EXPLAIN {sql}")))
        assert "ix_ml_predictions_entity_date" in plan, plan

"""latest_updates: max(updated_at) per account over the restatement window, read through the contract's
(config_id, date_start) index."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.read import latest_updates, list_config_ids
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table


@pytest.mark.postgres
def test_latest_updates_seeks_the_index_per_account(pg_url: str) -> None:
    engine = get_engine(pg_url)
    data = generate_demo(n_accounts=3, days=60, seed=1)
    write_demo(engine, data)
    since = data.end_date - dt.timedelta(days=27)
    stamp = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insights_table.update()
            .where(insights_table.c.config_id == 2, insights_table.c.date_start == data.end_date)
            .values(updated_at=stamp)
        )
        conn.exec_driver_sql("ANALYZE")
    statements: list[tuple] = []
    sa.event.listen(engine, "before_cursor_execute", lambda c, cur, st, p, *a: statements.append((st, p)))
    assert set(latest_updates(engine, since)) == {1, 2, 3}
    assert latest_updates(engine, since)[2] == stamp
    sql, params = next(s for s in statements if "max(" in s[0])
    with engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
    assert "Index Cond: ((config_id = " in plan and "date_start >= " in plan, plan


def _insights_without_campaigns(engine: sa.Engine, config_id: int, day: dt.date, stamp: dt.datetime) -> None:
    """An account FamaChat synced insights for, whose campaigns are not (or no longer) in their table."""
    row = {"config_id": config_id, "campaign_id": "999", "date_start": day, "date_stop": day, "spend": 1}
    with engine.begin() as conn:
        conn.execute(insights_table.insert().values(**row, updated_at=stamp))


def test_an_account_with_insights_but_no_campaigns_is_an_account(db_url: str) -> None:
    engine = get_engine(db_url)
    data = generate_demo(n_accounts=3, days=40, seed=1)
    write_demo(engine, data)
    stamp = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)
    _insights_without_campaigns(engine, 9, data.end_date, stamp)
    with engine.begin() as conn:
        conn.execute(campaigns_table.delete().where(campaigns_table.c.config_id == 2))
    assert list_config_ids(engine) == [1, 2, 3, 9]
    since = data.end_date - dt.timedelta(days=27)
    assert set(latest_updates(engine, since)) == {1, 2, 3, 9}
    assert latest_updates(engine, since)[9] == stamp


@pytest.mark.postgres
def test_listing_the_accounts_seeks_the_index_per_account(pg_url: str) -> None:
    """The insights' config_ids by a loose index scan: never a scan of every insight row."""
    engine = get_engine(pg_url)
    write_demo(engine, generate_demo(n_accounts=3, days=60, seed=1))
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    statements: list[tuple] = []
    sa.event.listen(engine, "before_cursor_execute", lambda c, cur, st, p, *a: statements.append((st, p)))
    assert list_config_ids(engine) == [1, 2, 3]
    sql, params = statements[-1]
    with engine.connect() as conn:  # executed: a plain EXPLAIN leaves out the recursive step's subplan
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, VERBOSE) " + sql, params))
    assert "Seq Scan on public.sistema_facebook_ads_insights" not in plan, plan
    seeks = [line for line in plan.splitlines() if "Index Cond:" in line]
    assert any("config_id > insight_accounts" in line for line in seeks), plan  # the next account's seek

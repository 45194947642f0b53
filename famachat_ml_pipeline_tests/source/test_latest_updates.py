"""latest_updates: max(updated_at) per account over the restatement window, read through the contract's
(config_id, date_start) index."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.read import latest_updates
from famachat_ml_pipeline.source.tables import insights_table


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

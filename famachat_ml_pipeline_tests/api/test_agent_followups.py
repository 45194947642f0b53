"""A follow-up in an API thread (real app, real SQLite and Postgres): the second turn, asked through the
stream on the first turn's thread, is read against the first question."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import polars as pl
import sqlalchemy as sa
from fastapi.testclient import TestClient

from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.source.read import read_daily_insights
from famachat_ml_pipeline.source.tables import campaigns_table
from famachat_ml_pipeline_tests.agent.conftest import leads_of
from famachat_ml_pipeline_tests.api.conftest import KEY, A, bearer, sse_events


def _spent(daily: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Each campaign's spend and leads of one day, from the cleaned source."""
    return (
        daily.filter(pl.col("date") == day)
        .group_by("campaign_id")
        .agg(spend=pl.col("spend").sum(), leads=pl.col("leads").sum())
    )


def test_a_follow_up_on_the_same_thread_keeps_the_campaign(client: TestClient, demo_url: str) -> None:
    # the demo's last day is yesterday in São Paulo (the accounts' timezone): "ontem" to the agent
    yesterday = dt.datetime.now(ZoneInfo("America/Sao_Paulo")).date() - dt.timedelta(days=1)
    before = yesterday - dt.timedelta(days=1)
    engine = get_engine(demo_url)
    daily = read_daily_insights(engine, [A], yesterday, 2).daily
    both = (
        _spent(daily, yesterday)
        .filter(pl.col("spend") > 0)
        .join(_spent(daily, before).filter(pl.col("spend") > 0), on="campaign_id", suffix="_before")
    )
    with engine.connect() as conn:
        c = campaigns_table.c
        names = dict(conn.execute(sa.select(c.campaign_id, c.name).where(c.config_id == A)).all())
    numbered = sorted(
        (int(m.group(1)), r)
        for r in both.iter_rows(named=True)
        if (m := re.search(r"Campanha (\d+) ", names.get(r["campaign_id"]) or ""))
    )
    number, row = numbered[0]
    name = names[row["campaign_id"]]

    first = client.post(
        "/api/v1/agent/chat", json={"message": f"qual o CPL da campanha {number} ontem?"}, headers=bearer(A)
    ).json()
    assert f"Em {yesterday:%d/%m/%Y}, “{name}”:" in first["answer"]
    with client.stream(
        "POST",
        "/api/v1/agent/chat/stream",
        json={"message": "e anteontem?", "config_id": A, "thread_id": first["thread_id"]},
        headers=KEY,
    ) as response:
        events = sse_events(response.read().decode())
    done = events[-1][1]
    assert done["thread_id"] == first["thread_id"]
    lines = done["answer"].splitlines()
    spend, leads = row["spend_before"], int(row["leads_before"])
    cpl = format_money(spend / leads) if leads else "sem leads"
    # the CPL asked first, carried to the day before
    assert lines[0].startswith(
        f"Em {before:%d/%m/%Y}, “{name}”: CPL {cpl}, {format_money(spend)} investidos, {leads_of(leads)}"
    ), lines[0]
    assert lines[1].startswith(f"“{name}” ({row['campaign_id']})"), lines[1]
    stored = client.get(f"/api/v1/agent/conversations/{first['thread_id']}", headers=bearer(A)).json()
    assert [m["content"] for m in stored["messages"] if m["role"] == "user"] == [
        f"qual o CPL da campanha {number} ontem?",
        "e anteontem?",
    ]

"""Offline answers the reviewer found wrong, on real databases: a named day's anomalies, a campaign name
that is not the account's, and an account the pipeline has not run for yet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.service import open_agent
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.agent.conftest import DemoDb

pytestmark = pytest.mark.timeout(1200)
CID = 2


def _ask(db: DemoDb, question: str, cid: int = CID):  # noqa: ANN202
    return open_agent(db.engine, cid, db.settings, mode="offline", now=db.now).ask(question)


def test_anomalies_of_yesterday_are_that_days(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    with demo_db.engine.connect() as conn:
        n = conn.execute(
            sa.select(sa.func.count()).where(
                a.c.config_id == CID,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_date == dt.datetime.combine(demo_db.as_of, dt.time()),
            )
        ).scalar_one()
    reply = _ask(demo_db, "Teve alguma anomalia ontem?")
    day = demo_db.as_of.strftime("%d/%m/%Y")
    first = reply.text.splitlines()[0]
    if n:
        assert first.startswith(f"{n} anomalia") and first.endswith(f"em {day}:")
    else:
        assert first == f"Nenhuma anomalia em {day}."
    assert reply.tool_calls[0].input["day"] == demo_db.as_of.isoformat()


def test_a_campaign_name_not_in_the_account_is_not_found(demo_db: DemoDb) -> None:
    reply = _ask(demo_db, "Como está a campanha Black Friday Mega Promo?")
    assert reply.intent == "campaign_not_found"
    assert reply.text.startswith("Não encontrei campanha com esse nome nesta conta.")


def test_a_campaign_name_in_the_account_gives_its_details(demo_db: DemoDb) -> None:
    c = schema.ml_features
    with demo_db.engine.connect() as conn:
        cid = conn.execute(sa.select(c.c.campaign_id).where(c.c.config_id == CID).limit(1)).scalar_one()
    name = open_agent(demo_db.engine, CID, demo_db.settings, mode="offline", now=demo_db.now).ctx.name_of(cid)
    reply = _ask(demo_db, f"como está a campanha {name.upper()}?")
    assert reply.intent == "campaign_details" and f"({cid})" in reply.text


def test_before_the_first_run_no_zero_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    data = generate_demo(n_accounts=1, days=40, seed=5)
    engine = get_engine(url)
    write_demo(engine, data)
    migrate(url)
    now = dt.datetime.combine(data.end_date + dt.timedelta(days=1), dt.time(12), dt.UTC)
    agent = open_agent(engine, 1, Settings(database_url=url), mode="offline", now=now)
    summary = agent.ask("resumo").text
    assert summary.startswith("Ainda não há resultados do pipeline")
    assert "R$ 0,00 investidos" not in summary and "0 críticas" not in summary
    assert "Da fonte: R$ " in summary  # the source's own spend, which holds before any run
    for question in ("Quais campanhas estão indo mal?", "alguma anomalia?", "previsão da semana"):
        text = agent.ask(question).text
        assert text.startswith("Ainda não há resultados do pipeline"), question
        assert "Nenhuma campanha está no tier crítico" not in text


def test_a_campaign_with_days_set_aside_says_its_week_is_short(demo_db: DemoDb) -> None:
    f = schema.ml_features
    with demo_db.engine.connect() as conn:
        day = conn.execute(sa.select(sa.func.max(f.c.feature_date)).where(f.c.config_id == CID)).scalar_one()
        row = conn.execute(
            sa.select(f.c.id, f.c.campaign_id, f.c.features).where(
                f.c.config_id == CID, f.c.window_days == 7, f.c.feature_date == day
            )
        ).first()
    assert row.features["days_with_data_7d"] == row.features["days_in_window_7d"] == 7
    assert "Atenção" not in _ask(demo_db, f"como está a campanha {row.campaign_id}?").text
    short = {**row.features, "days_with_data_7d": 2}  # 5 of its 7 days' source rows were set aside
    with demo_db.engine.begin() as conn:
        conn.execute(f.update().where(f.c.id == row.id).values(features=short))
    try:
        text = _ask(demo_db, f"como está a campanha {row.campaign_id}?").text
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(f.update().where(f.c.id == row.id).values(features=row.features))
    assert "Atenção: 5 dos últimos 7 dias desta campanha ficaram de fora" in text
    assert "cobrem só os outros 2." in text

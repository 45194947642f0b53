"""A critical-tier campaign without a pause or a cut: the agent says what holds the pipeline back, with
the recommendations' own conditions. "Quais campanhas eu deveria pausar?" listed R$ 862,45 spent with 0
leads under "sem recomendação de pausa ou corte" right after saying the pipeline pauses exactly those."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.cut_gate import cut_blockers
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.agent.test_asks32 import _one

pytestmark = pytest.mark.timeout(1200)

AS_OF = dt.date(2026, 11, 29)
ACTIVE = {"status": "ACTIVE", "daily_budget": 100.0}


def money(v: float) -> str:
    return f"R$ {v:.2f}"


def snap(**over: float) -> dict:
    """R$ 500 in 7 days against an account CPL of R$ 20."""
    return {"spend_7d": 500.0, "leads_7d": 0, "account_cpl_7d": 20.0} | over


def anomaly(kind: str, days_ago: int, severity: str = "CRITICAL") -> dict:
    return {"anomaly_type": kind, "severity": severity, "anomaly_date": AS_OF - dt.timedelta(days=days_ago)}


def test_a_zero_lead_pause_held_behind_an_open_tracking_break_says_so() -> None:
    found = cut_blockers(
        snap(), ACTIVE, [anomaly("PERFORMANCE_DROP", 2), anomaly("PERFORMANCE_DROP", 4)], AS_OF, money
    )
    (why,) = found
    assert why.startswith(
        "a pausa está suspensa: há alerta CRÍTICO aberto de queda de leads desde 25/11/2026"
    )
    # a CTR collapse is the campaign's own failure: the rules pause it, nothing to explain here
    with_ctr = [anomaly("PERFORMANCE_DROP", 2), anomaly("CTR_DROP", 2, "HIGH")]
    assert cut_blockers(snap(), ACTIVE, with_ctr, AS_OF, money) == []
    # older than the rules' 7 days, or not CRITICAL: no longer holding the pause
    assert cut_blockers(snap(), ACTIVE, [anomaly("PERFORMANCE_DROP", 7)], AS_OF, money) == []
    assert cut_blockers(snap(), ACTIVE, [anomaly("PERFORMANCE_DROP", 1, "HIGH")], AS_OF, money) == []


@pytest.mark.parametrize(
    ("figures", "campaign", "anomalies", "said"),
    [
        (snap(), ACTIVE, [anomaly("ZERO_SPEND", 1)], "a entrega parou (alerta em 28/11/2026)"),
        (snap(spend_7d=30.0), ACTIVE, [], "gastou R$ 30.00, menos de 2x o CPL da conta (R$ 20.00)"),
        (snap(), {"status": "PAUSED", "daily_budget": 100.0}, [], "não está ativa agora (status PAUSED)"),
        (snap(leads_7d=20, spend_7d=500.0), ACTIVE, [], "o CPL está abaixo de 1,3x o da conta"),  # 25 / 20
        # 10 leads at R$ 30: lower bound 300 / Gamma(11).ppf(0.95) = 300 / 16.96 = R$ 17.69 < R$ 26
        (snap(leads_7d=10, spend_7d=300.0), ACTIVE, [], "com 10 leads ainda não há evidência para cortar"),
        (
            snap(leads_7d=5, spend_7d=600.0),
            {"status": "ACTIVE", "daily_budget": None},
            [],
            "não tem orçamento",
        ),
    ],
)
def test_each_condition_of_the_pause_and_cut_rules_is_named(
    figures: dict, campaign: dict, anomalies: list, said: str
) -> None:
    (why,) = cut_blockers(figures, campaign, anomalies, AS_OF, money)
    assert why.startswith(said), why


def test_without_a_campaign_budget_the_evidence_for_a_cut_is_said_with_the_step_cap() -> None:
    # 5 leads at R$ 120 (6x the account): lower bound 600 / Gamma(6).ppf(0.95) = 600 / 10.51 = R$ 57.07
    (why,) = cut_blockers(snap(leads_7d=5, spend_7d=600.0), {"status": "ACTIVE"}, [], AS_OF, money)
    assert (
        "um corte se justifica: mesmo no limite de 95% do intervalo, o CPL (R$ 57.07) fica acima de " in why
    )
    assert why.endswith("R$ 26.00 (1,3x o da conta); reduza nos conjuntos, até 20% por vez")
    (weak,) = cut_blockers(snap(leads_7d=5, spend_7d=150.0), {"status": "ACTIVE"}, [], AS_OF, money)
    assert "se justifica" not in weak  # R$ 30 a lead: 150 / 10.51 = R$ 14.27, no evidence


def test_the_pause_answer_says_why_a_zero_lead_spender_of_the_demo_is_not_paused(demo_db: DemoDb) -> None:
    """Every critical-tier campaign of the demo with 0 leads and an open CRITICAL lead drop, and no pause
    advised, is listed by "quais campanhas eu deveria pausar?" with the held pause (the demo has some)."""
    c, a, r = schema.ml_campaign_classifications, schema.ml_anomalies, schema.ml_recommendations
    with demo_db.engine.connect() as conn:
        held = conn.execute(
            sa.select(c.c.config_id, c.c.campaign_id)
            .where(c.c.tier == "UNDERPERFORMER")
            .where(
                sa.exists().where(
                    a.c.config_id == c.c.config_id,
                    a.c.entity_id == c.c.campaign_id,
                    a.c.anomaly_type == "PERFORMANCE_DROP",
                    a.c.severity == "CRITICAL",
                    a.c.is_acknowledged.isnot(True),
                )
            )
            .where(
                ~sa.exists().where(
                    r.c.config_id == c.c.config_id,
                    r.c.entity_id == c.c.campaign_id,
                    r.c.recommendation_type.in_(["PAUSE_CAMPAIGN", "BUDGET_DECREASE"]),
                )
            )
            .distinct()
        ).fetchall()
    checked = 0
    for config_id, cid in held:
        out = run_tool(ToolContext(demo_db.engine, config_id, now=demo_db.now), "get_underperformers", {})
        row = next(x for x in out["campaigns"] if x["campaign_id"] == cid)
        if row["leads_7d"] != 0:
            continue
        assert any(b.startswith("a pausa está suspensa") for b in row["cut_blockers"]), row
        _, lines = _one(demo_db, "quais campanhas eu deveria pausar?", account=config_id)
        line = next(x for x in lines if f"({cid})" in x and "sem recomendação" not in x)
        assert "Sem pausa nem corte: a pausa está suspensa" in line, line
        checked += 1
    assert checked > 0

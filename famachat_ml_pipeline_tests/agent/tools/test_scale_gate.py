"""A high performer without scale advice: the agent names what holds it back, with the recommendations'
own thresholds, instead of a bare "Sim"."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.answers_recommendations import _scale_answer
from famachat_ml_pipeline.agent.intents import Intent
from famachat_ml_pipeline.agent.tools import ToolContext, run_tool
from famachat_ml_pipeline.agent.tools.scale_gate import scale_blockers
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import DemoDb

pytestmark = pytest.mark.timeout(1200)


def money(v: float) -> str:
    return f"R$ {v:.2f}"


def features(**over: float | None) -> dict:
    """A steady cheap campaign: 70 leads at R$ 10 against the account's R$ 20, budget fully used."""
    base = {
        "spend_7d": 700.0,
        "leads_7d": 70,
        "account_cpl_7d": 20.0,
        "avg_daily_spend_7d": 100.0,
        "cpl_trend": 0.0,
        "days_in_window_7d": 7,
        "days_with_leads_7d": 7,
    }
    return base | over


def test_nothing_holds_back_a_steady_cheap_campaign_that_uses_its_budget() -> None:
    assert scale_blockers(features(), 100.0, money) == []


@pytest.mark.parametrize(
    ("over", "budget", "said"),
    [
        ({"avg_daily_spend_7d": 79.0}, 100.0, "gastou em média 79% do orçamento diário nos 7 dias"),
        ({}, None, "não tem orçamento diário próprio"),
        ({"cpl_trend": 10.5}, 100.0, "o CPL subiu 10,5% sobre os 7 dias anteriores"),
        ({"cpl_trend": None}, 100.0, "não há semana anterior completa"),
        ({"days_with_leads_7d": 3}, 100.0, "teve leads em só 3 dos 7 dias"),
        ({"spend_7d": 980.0}, 100.0, "o CPL não está abaixo de 0,7x o da conta"),  # 14 / 20 = 0.7
        # 5 leads at R$ 10: the 95 % upper bound, 50 / Gamma(5).ppf(0.05) = 50 / 1.970 = R$ 25.38
        ({"spend_7d": 50.0, "leads_7d": 5}, 100.0, "com 5 leads ainda não há evidência"),
    ],
)
def test_each_condition_of_the_scaling_gate_is_named(over: dict, budget: float | None, said: str) -> None:
    (blocker,) = scale_blockers(features(**over), budget, money)
    assert blocker.startswith(said), blocker


def test_the_evidence_bound_is_said_in_money() -> None:
    (blocker,) = scale_blockers(features(spend_7d=50.0, leads_7d=5), 100.0, money)
    assert "o CPL (R$ 25.38) não fica abaixo do da conta (R$ 20.00)" in blocker


def _details(**over: object) -> dict:
    d = {
        "name": "C",
        "campaign_id": "9",
        "tier": "HIGH_PERFORMER",
        "cpl_7d": "R$ 10,00",
        "account_cpl_7d": "R$ 20,00",
        "cpl_vs_account": 0.5,
        "active_recommendation_types": [],
        "active_recommendations": [],
        "open_anomalies": [],
        "critical_problems_7d": 0,
        "scale_blockers": ["o CPL subiu 12% sobre os 7 dias anteriores"],
    }
    return d | over


def test_the_answer_is_cautious_and_says_why_without_scale_advice() -> None:
    first = _scale_answer(Intent("scale"), _details())[0]
    assert first.startswith("Com cautela: ")
    assert first.endswith(
        "não há recomendação ativa de escalar (SCALE_UP/BUDGET_INCREASE) porque o CPL subiu 12% "
        "sobre os 7 dias anteriores."
    )
    with_advice = _details(active_recommendation_types=["SCALE_UP"])
    assert _scale_answer(Intent("scale"), with_advice)[0].startswith("Sim: ")
    assert _scale_answer(Intent("scale"), _details(scale_blockers=[]))[0].startswith("Sim: ")


def test_the_campaign_tool_names_a_rising_cpl_on_the_demo(demo_db: DemoDb) -> None:
    """Every high performer of the demo without scale advice whose stored 7-day CPL trend is +10 % or more
    gets that reason from get_campaign_details (the demo has some: checked)."""
    with demo_db.engine.connect() as conn:
        tiers = conn.execute(
            sa.select(
                schema.ml_campaign_classifications.c.config_id,
                schema.ml_campaign_classifications.c.campaign_id,
                schema.ml_campaign_classifications.c.tier,
                schema.ml_campaign_classifications.c.classified_at,
            )
        ).fetchall()
        feats = conn.execute(
            sa.select(
                schema.ml_features.c.config_id,
                schema.ml_features.c.campaign_id,
                schema.ml_features.c.features,
                schema.ml_features.c.feature_date,
            ).where(schema.ml_features.c.window_days == 7)
        ).fetchall()
    # the latest row of each campaign wins (sorted by its day)
    latest_tier = {(c, k): t for c, k, t, _ in sorted(tiers, key=lambda r: r[3])}
    latest_feats = {
        (c, k): f if isinstance(f, dict) else json.loads(f)
        for c, k, f, _ in sorted(feats, key=lambda r: r[3])
    }
    rising = [
        key
        for key, tier in latest_tier.items()
        if tier == "HIGH_PERFORMER" and (latest_feats.get(key, {}).get("cpl_trend") or 0) >= 10
    ]
    checked = 0
    for config_id, cid in rising:
        out = run_tool(
            ToolContext(demo_db.engine, config_id, now=demo_db.now),
            "get_campaign_details",
            {"campaign_id": cid},
        )
        if {"SCALE_UP", "BUDGET_INCREASE"} & set(out["active_recommendation_types"]):
            continue
        assert any(b.startswith("o CPL subiu") for b in out["scale_blockers"]), (cid, out["scale_blockers"])
        checked += 1
    assert checked > 0

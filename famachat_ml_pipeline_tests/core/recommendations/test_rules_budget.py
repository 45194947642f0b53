"""BUDGET_INCREASE, SCALE_UP, BUDGET_DECREASE and PAUSE_CAMPAIGN at their boundaries, and the safety rules."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations import (
    PRIORITIES,
    RecommendationConfig,
)
from famachat_ml_pipeline.core.vocab import TIERS
from famachat_ml_pipeline_tests.core.recommendations.builders import (
    AS_OF,
    CFG,
    anomalies,
    anomaly,
    attrs,
    fired,
    forecast,
    one,
    run,
    tiers,
    wide,
    wide_row,
)


def test_budget_increase_fires_with_brl_text_and_quiet_at_boundaries() -> None:
    w = wide(
        # fires: CPL 13,50 vs 20,00 (ratio 0.675), 640 leads, spending the whole R$ 1.234,56 budget
        wide_row("A", spend=8641.92, leads=640, account_cpl=20.0, cpl_trend=9.9),
        wide_row("ratio_070", spend=700.0, leads=50, account_cpl=20.0),  # CPL 14 = 0.70 x: not < 0.7
        wide_row("trend_10", spend=690.0, leads=50, account_cpl=20.0, cpl_trend=10.0),
        wide_row("dwl_half", spend=690.0, leads=50, account_cpl=20.0, days=6, dwl=3),  # 3/6 = 0.5: not > 0.5
        wide_row("no_trend", spend=690.0, leads=50, account_cpl=20.0, cpl_trend=None),  # no previous week
        wide_row("under_budget", spend=690.0, leads=50, account_cpl=20.0),  # uses 79 % of the budget
        wide_row("moderate", spend=690.0, leads=50, account_cpl=20.0),
        wide_row("paused", spend=690.0, leads=50, account_cpl=20.0),
        wide_row("adset_budget", spend=690.0, leads=50, account_cpl=20.0),
    )
    cls = tiers({c: "HIGH_PERFORMER" for c in w["campaign_id"]} | {"moderate": "MODERATE"})
    daily = attrs(
        ("A", "ACTIVE", 1234.56),
        ("ratio_070", "ACTIVE", 100.0),
        ("trend_10", "ACTIVE", 100.0),
        ("dwl_half", "ACTIVE", 115.0),
        ("no_trend", "ACTIVE", 100.0),
        ("under_budget", "ACTIVE", 124.8),
        ("moderate", "ACTIVE", 100.0),
        ("paused", "PAUSED", 100.0),
        ("adset_budget", "ACTIVE", None),
    )
    # the 30-day window does not qualify for SCALE_UP (that would supersede BUDGET_INCREASE)
    w = w.with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    recs = run(w, cls, daily)
    assert fired(recs, "BUDGET_INCREASE") == {"A"}
    r = one(recs, "A", "BUDGET_INCREASE")
    assert r["priority"] == PRIORITIES["BUDGET_INCREASE"] == 8
    assert r["title"] == "Aumentar orçamento em 20%: CPL 32% abaixo da média da conta"
    assert r["description"].startswith(
        "CPL de R$ 13,50, 32% abaixo da média da conta (R$ 20,00) nos últimos 7 dias, "
        "com 640 leads em 7 de 7 dias; mesmo no limite de 95% do intervalo, o CPL (R$ 14,43) fica abaixo "
        "da média da conta (R$ 20,00). Sugerimos"
    )
    assert "de R$ 1.234,56 para R$ 1.481,47 (+20%)" in r["description"]
    action = json.loads(r["suggested_action"])
    assert (
        action["field"] == "daily_budget" and action["current"] == 1234.56 and action["suggested"] == 1481.47
    )
    assert action["change_percent"] == 20.0 and action["currency"] == "BRL"
    reasoning = json.loads(r["reasoning"])
    # the true CPL ratio; `cpl_ratio_7d` is ml_features' pessimistic classifier input, a different number
    assert reasoning["cpl_vs_account_7d"] == pytest.approx(0.6752, abs=1e-4) and reasoning["leads_7d"] == 640
    assert "cpl_ratio_7d" not in reasoning
    assert (
        reasoning["severity_metric"]
        == pytest.approx(r["severity_metric"])
        == pytest.approx(1 / 0.6752, abs=1e-3)
    )


def test_step_cap_is_20_percent_by_default_and_configurable() -> None:
    w = wide(
        wide_row("up", spend=690.0, leads=50, account_cpl=20.0),
        wide_row("down", spend=1400.0, leads=50, account_cpl=20.0, cpl_trend=20.0),  # CPL 28 = 1.4 x, rising
    ).with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    cls = tiers({"up": "HIGH_PERFORMER", "down": "LOW"})
    daily = attrs(("up", "ACTIVE", 100.0), ("down", "ACTIVE", 200.0))

    def steps(config: RecommendationConfig) -> tuple[float, float]:
        recs = run(w, cls, daily, config=config)
        up = json.loads(one(recs, "up", "BUDGET_INCREASE")["suggested_action"])
        down = json.loads(one(recs, "down", "BUDGET_DECREASE")["suggested_action"])
        return up["change_percent"], down["change_percent"]

    assert CFG.increase_pct == 30.0 and CFG.decrease_pct == 30.0  # the seed's steps, cut by the cap
    assert steps(CFG) == (20.0, -20.0)
    assert steps(RecommendationConfig(max_budget_step_pct=10.0)) == (10.0, -10.0)
    assert steps(RecommendationConfig(max_budget_step_pct=50.0)) == (30.0, -30.0)
    assert steps(RecommendationConfig(increase_pct=15.0, decrease_pct=25.0)) == (15.0, -20.0)


def test_suggested_budgets_have_no_float_noise() -> None:
    # 12 x 1.2 x 100 = 1439.9999999999998 and 11 x 0.8 x 100 = 880.0000000000001 in floating point
    w = wide(
        wide_row("up", spend=84.0, leads=50, account_cpl=20.0),
        wide_row("down", spend=1400.0, leads=50, account_cpl=20.0, cpl_trend=20.0),
    ).with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    recs = run(
        w,
        tiers({"up": "HIGH_PERFORMER", "down": "LOW"}),
        attrs(("up", "ACTIVE", 12.0), ("down", "ACTIVE", 11.0)),
    )
    assert json.loads(one(recs, "up", "BUDGET_INCREASE")["suggested_action"])["suggested"] == 14.4
    assert json.loads(one(recs, "down", "BUDGET_DECREASE")["suggested_action"])["suggested"] == 8.8


def test_cutting_losses_is_never_blocked_by_the_learning_proxy() -> None:
    w = wide(
        # 5 leads a week, far under the 50-lead proxy: CPL 2 x the account's and rising -> cut
        wide_row("few_leads_down", spend=200.0, leads=5, dwl=4, account_cpl=20.0, cpl_trend=20.0),
        wide_row("no_leads", spend=300.0, leads=0, dwl=0, account_cpl=20.0),  # 15 x the account CPL
    )
    cls = tiers({"few_leads_down": "UNDERPERFORMER", "no_leads": "UNDERPERFORMER"})
    daily = attrs(("few_leads_down", "ACTIVE", 40.0), ("no_leads", "ACTIVE", 50.0))
    for config in (CFG, RecommendationConfig(learning_min_leads_7d=1_000)):
        recs = run(w, cls, daily, config=config)
        assert fired(recs, "BUDGET_DECREASE") == {"few_leads_down"}
        assert fired(recs, "PAUSE_CAMPAIGN") == {"no_leads"}
    reasoning = json.loads(one(recs, "few_leads_down", "BUDGET_DECREASE")["reasoning"])
    assert reasoning["learning"] is True and reasoning["learning_min_leads_7d"] == 1_000  # reported only


def test_scaling_needs_a_cpl_upper_bound_below_the_account_cpl() -> None:
    # 95 % one-sided upper bound of the CPL = CPL x k / Gamma(k, 1).ppf(0.05):
    # 10 leads -> x 1.843, 30 leads -> x 1.389 (see evidence.py)
    w = wide(
        wide_row("ten_cheap", spend=100.0, leads=10, dwl=6, account_cpl=20.0),  # CPL 10: upper 18.4 < 20
        wide_row("ten_less_cheap", spend=120.0, leads=10, dwl=6, account_cpl=20.0),  # 12: upper 22.1 > 20
        wide_row("thirty", spend=414.0, leads=30, account_cpl=20.0),  # 0.69 x: upper 19.2 < 20
    ).with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    cls = tiers(dict.fromkeys(["ten_cheap", "ten_less_cheap", "thirty"], "HIGH_PERFORMER"))
    daily = attrs(
        ("ten_cheap", "ACTIVE", 15.0), ("ten_less_cheap", "ACTIVE", 18.0), ("thirty", "ACTIVE", 60.0)
    )
    recs = run(w, cls, daily)
    assert fired(recs, "BUDGET_INCREASE") == {"ten_cheap", "thirty"}  # 10 and 30 leads: both under 50
    r = one(recs, "ten_cheap", "BUDGET_INCREASE")
    reasoning = json.loads(r["reasoning"])
    assert reasoning["cpl_upper_7d"] == pytest.approx(18.43, abs=0.01) and reasoning["evidence_alpha"] == 0.05
    assert "mesmo no limite de 95% do intervalo, o CPL (R$ 18,43)" in r["description"]
    # a stricter level asks for more evidence
    recs = run(w, cls, daily, config=RecommendationConfig(scale_evidence_alpha=0.01))
    assert fired(recs, "BUDGET_INCREASE") == set()


def test_scale_up_needs_evidence_over_30_days_too() -> None:
    # 7 days: 50 leads at 0.69 x (upper 0.89 x); 30 days: 0.7 x on only 20 leads (upper 0.7 x 1.52 > 1)
    w = wide(
        wide_row("A", spend=690.0, leads=50, account_cpl=20.0),
        wide_row("thin_30", spend=690.0, leads=50, account_cpl=20.0, leads_30=20, cpl_30=14.0),
    )
    cls = tiers(dict.fromkeys(["A", "thin_30"], "HIGH_PERFORMER"))
    daily = attrs(("A", "ACTIVE", 100.0), ("thin_30", "ACTIVE", 100.0))
    recs = run(w, cls, daily)
    assert fired(recs, "SCALE_UP") == {"A"}
    assert fired(recs, "BUDGET_INCREASE") == {"thin_30"}


def test_a_likely_fall_blocks_scaling_with_a_model() -> None:
    names = ["steady", "falling", "rules_only"]
    w = wide(*[wide_row(c, spend=690.0, leads=50, account_cpl=20.0) for c in names])
    w = w.with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    probs = {
        "steady": {"HIGH_PERFORMER": 0.6, "MODERATE": 0.4},  # P(fall) 0.4
        "falling": {"HIGH_PERFORMER": 0.5, "MODERATE": 0.3, "UNDERPERFORMER": 0.2},  # P(fall) 0.5
    }
    cls = pl.concat(
        [
            tiers({"steady": "HIGH_PERFORMER", "falling": "HIGH_PERFORMER"}, probs=probs),
            tiers({"rules_only": "HIGH_PERFORMER"}).with_columns(
                probabilities=pl.lit(None, dtype=pl.Struct(dict.fromkeys(TIERS, pl.Float64)))
            ),
        ]
    )
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in names])
    recs = run(w, cls, daily)
    assert fired(recs, "BUDGET_INCREASE") == {"steady", "rules_only"}
    assert json.loads(one(recs, "steady", "BUDGET_INCREASE")["reasoning"])["p_fall_next_week"] == 0.4
    recs = run(w, cls, daily, config=RecommendationConfig(scale_max_fall_probability=0.51))
    assert fired(recs, "BUDGET_INCREASE") == set(names)


def test_open_critical_anomaly_blocks_scaling() -> None:
    names = ["critical", "high", "acknowledged", "old_critical", "clean"]
    w = wide(*[wide_row(c, spend=690.0, leads=50, account_cpl=20.0) for c in names])
    w = w.with_columns(days_with_leads_30d=pl.lit(20, dtype=pl.UInt32))
    cls = tiers(dict.fromkeys(names, "HIGH_PERFORMER"))
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in names])
    an = anomalies(
        anomaly("critical", "CPL_DROP", "CRITICAL"),
        anomaly("high", "SPEND_SPIKE", "HIGH"),
        anomaly("acknowledged", "SPEND_SPIKE", "CRITICAL"),
        anomaly("old_critical", "SPEND_SPIKE", "CRITICAL", date=AS_OF - dt.timedelta(days=20)),
    ).with_columns(is_acknowledged=pl.col("entity_id") == "acknowledged")
    recs = run(w, cls, daily, an=an)
    # open means not acknowledged; by default any open CRITICAL blocks, however old
    assert fired(recs, "BUDGET_INCREASE") == {"high", "acknowledged", "clean"}
    recs = run(w, cls, daily, an=an, config=RecommendationConfig(critical_block_days=14))
    assert fired(recs, "BUDGET_INCREASE") == {"high", "acknowledged", "old_critical", "clean"}
    # SCALE_UP is blocked too
    consistent = w.with_columns(days_with_leads_30d=pl.lit(30, dtype=pl.UInt32))
    recs = run(consistent, cls, daily, an=an)
    assert fired(recs, "SCALE_UP") == {"high", "acknowledged", "clean"}
    assert fired(recs, "BUDGET_INCREASE") == set()


def test_scale_up_needs_30_days_of_consistency_and_supersedes_budget_increase() -> None:
    w = wide(
        wide_row("A", spend=690.0, leads=50, account_cpl=20.0, account_cpl_30=20.0),
        wide_row("dwl_30", spend=690.0, leads=50, account_cpl=20.0, dwl_30=23),  # 23/30 < 0.8
        wide_row("young", spend=690.0, leads=50, account_cpl=20.0, days_30=27, dwl_30=27),
        wide_row("cpl_30", spend=690.0, leads=50, account_cpl=20.0, cpl_30=14.2),  # 0.71 x over 30 days
    )
    cls = tiers(dict.fromkeys(["A", "dwl_30", "young", "cpl_30"], "HIGH_PERFORMER"))
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in ["A", "dwl_30", "young", "cpl_30"]])
    recs = run(w, cls, daily, fc=forecast("A", 10.0, 12.0))
    assert fired(recs, "SCALE_UP") == {"A"}
    assert fired(recs, "BUDGET_INCREASE") == {"dwl_30", "young", "cpl_30"}
    r = one(recs, "A", "SCALE_UP")
    assert (
        r["priority"] == 8 and r["title"] == "Escalar campanha: CPL 31% abaixo da média nos últimos 30 dias"
    )
    assert "orçamento diário de R$ 100,00 para R$ 120,00 (+20%)" in r["description"]
    # forecasts give the expected impact: (120 - 100) x 7 / 12 = 11.7 more leads a week
    impact = json.loads(r["suggested_action"])["expected_impact"]
    assert impact == "até +11,7 leads/semana ao CPL de R$ 12,00; previsão atual: 70 leads nos próximos 7 dias"


def test_budget_decrease_boundaries() -> None:
    w = wide(
        wide_row("A", spend=1300.0, leads=50, account_cpl=20.0, cpl_trend=15.0),  # 1.30 x, +15 %
        wide_row("ratio", spend=1290.0, leads=50, account_cpl=20.0, cpl_trend=40.0),  # 1.29 x
        wide_row("trend", spend=1400.0, leads=50, account_cpl=20.0, cpl_trend=14.9),
        wide_row("no_budget", spend=1400.0, leads=50, account_cpl=20.0, cpl_trend=40.0),
    )
    cls = tiers(dict.fromkeys(["A", "ratio", "trend", "no_budget"], "LOW"))
    daily = attrs(
        ("A", "ACTIVE", 250.0),
        ("ratio", "ACTIVE", 250.0),
        ("trend", "ACTIVE", 250.0),
        ("no_budget", "ACTIVE", None),
    )
    recs = run(w, cls, daily)
    assert fired(recs, "BUDGET_DECREASE") == {"A"}
    r = one(recs, "A", "BUDGET_DECREASE")
    assert r["priority"] == 7
    assert r["title"] == "Reduzir orçamento em 20%: CPL 30% acima da média e subindo"
    assert r["description"].startswith(
        "CPL de R$ 26,00 nos últimos 7 dias, 30% acima da média da conta (R$ 20,00) e 15% maior"
    )
    assert "de R$ 250,00 para R$ 200,00 (-20%)" in r["description"]
    assert json.loads(r["suggested_action"])["expected_impact"].startswith("economia de R$ 350,00/semana")


def test_a_steadily_high_cpl_is_cut_when_its_lower_bound_clears_the_bar() -> None:
    """Not rising, but 10 x the account's CPL on 5 leads: even its 95 % lower bound (spend / the Poisson
    upper bound of 5 leads, 10.51) is above 1.3 x the account's; at 2.5 x on 5 leads it is not (23.78 < 26),
    nor at 1.4 x on 50 leads (22.33): the seed's rule alone (a rising CPL) decides those."""
    w = wide(
        wide_row("burner", spend=1000.0, leads=5, account_cpl=20.0, cpl_trend=0.0),
        wide_row("few", spend=250.0, leads=5, account_cpl=20.0, cpl_trend=0.0),
        wide_row("mild", spend=1400.0, leads=50, account_cpl=20.0, cpl_trend=-5.0),
        wide_row("new", spend=1000.0, leads=5, account_cpl=20.0, cpl_trend=None),  # no previous week
    )
    cls = tiers(dict.fromkeys(["burner", "few", "mild", "new"], "UNDERPERFORMER"))
    daily = attrs(*((c, "ACTIVE", 250.0) for c in ["burner", "few", "mild", "new"]))
    recs = run(w, cls, daily)
    assert fired(recs, "BUDGET_DECREASE") == {"burner", "new"}
    r = one(recs, "burner", "BUDGET_DECREASE")
    assert r["title"] == "Reduzir orçamento em 20%: CPL 900% acima da média"
    assert r["description"].startswith(
        "CPL de R$ 200,00 nos últimos 7 dias, 900% acima da média da conta (R$ 20,00) (5 leads); mesmo no "
        "limite de 95% do intervalo, o CPL (R$ 95,12) fica acima de 1,3x a média. Sugerimos reduzir"
    )
    assert json.loads(r["reasoning"])["cpl_lower_7d"] == pytest.approx(95.12, abs=0.01)


def test_pause_boundaries() -> None:
    w = wide(
        wide_row("A", spend=40.0, leads=0, dwl=0, account_cpl=20.0),  # exactly 2 x the account CPL
        wide_row("below", spend=39.9, leads=0, dwl=0, account_cpl=20.0),
        wide_row("one_lead", spend=400.0, leads=1, dwl=1, account_cpl=20.0),
        wide_row("not_under", spend=400.0, leads=0, dwl=0, account_cpl=20.0),
        # the account has no leads this week: fall back on its 30-day CPL
        wide_row("fallback", config_id=2, spend=100.0, leads=0, dwl=0, account_cpl=None, account_cpl_30=25.0),
    )
    cls = pl.concat(
        [
            tiers(
                {
                    "A": "UNDERPERFORMER",
                    "below": "UNDERPERFORMER",
                    "one_lead": "UNDERPERFORMER",
                    "not_under": "LOW",
                }
            ),
            tiers({"fallback": "UNDERPERFORMER"}, config_id=2),
        ]
    )
    daily = pl.concat(
        [
            attrs(*[(c, "ACTIVE", 100.0) for c in ["A", "below", "one_lead", "not_under"]]),
            attrs(("fallback", "ACTIVE", 100.0), config_id=2),
        ]
    )
    recs = run(w, cls, daily)
    assert fired(recs, "PAUSE_CAMPAIGN") == {"A", "fallback"}
    r = one(recs, "A", "PAUSE_CAMPAIGN")
    assert r["priority"] == 9
    assert r["title"] == "Pausar campanha: R$ 40,00 gastos sem leads em 7 dias"
    assert "2,0 vezes o CPL médio da conta (R$ 20,00)" in r["description"]
    assert json.loads(r["suggested_action"])["suggested"] == "PAUSED"
    assert one(recs, "fallback", "PAUSE_CAMPAIGN")["severity_metric"] == pytest.approx(4.0)


def test_the_impact_of_a_cut_uses_the_forecast_weeks_cpl_not_the_mean_of_its_daily_cpls() -> None:
    """Under a lead a day, a forecast day's CPL row is that day's spend (spend / max(leads, 1)): a campaign
    forecast at 0.3 leads and R$ 72 a day costs R$ 240 a lead, not the R$ 72 the daily rows average. A cut
    of R$ 19,20 a day loses 134,40 / 240 = 0,6 leads a week (the mean said 1,9 of the 2 forecast)."""
    w = wide(wide_row("burner", spend=640.0, leads=2, dwl=2, account_cpl=45.0, cpl_trend=0.0))
    daily = attrs(("burner", "ACTIVE", 96.0))
    recs = run(w, tiers({"burner": "UNDERPERFORMER"}), daily, fc=forecast("burner", 0.3, 240.0))
    impact = json.loads(one(recs, "burner", "BUDGET_DECREASE")["suggested_action"])["expected_impact"]
    assert impact == (
        "economia de R$ 134,40/semana; cerca de 0,6 leads/semana a menos ao CPL de R$ 240,00; "
        "previsão atual: 2 leads nos próximos 7 dias"
    )


def test_a_forecast_that_rounds_to_one_lead_says_one_lead() -> None:
    """0,2 leads a day for 7 days round to 1: "previsão atual: 1 lead" (was "1 leads")."""
    w = wide(wide_row("burner", spend=640.0, leads=2, dwl=2, account_cpl=45.0, cpl_trend=0.0))
    daily = attrs(("burner", "ACTIVE", 96.0))
    recs = run(w, tiers({"burner": "UNDERPERFORMER"}), daily, fc=forecast("burner", 0.1, 240.0))
    impact = json.loads(one(recs, "burner", "BUDGET_DECREASE")["suggested_action"])["expected_impact"]
    assert impact.endswith("; previsão atual: 1 lead nos próximos 7 dias"), impact


def test_no_pause_on_zero_leads_an_open_tracking_break_or_delivery_stop_explains() -> None:
    """0 leads on R$ 400 (20 x the account's CPL) is a pause, unless an open anomaly explains the zero:
    a CRITICAL PERFORMANCE_DROP with clicks held (the anomaly module's tracking break), or a delivery stop
    with no spend since. Acknowledged, or with the CTR collapsed too (the campaign's own failure), or the
    delivery back, the pause fires."""
    names = ["tracking", "acknowledged", "ctr_fell", "old_break", "stopped", "resumed"]
    zero = [wide_row(c, spend=400.0, leads=0, dwl=0, account_cpl=20.0) for c in names]
    w = wide(*zero, wide_row("neutral", account_cpl=20.0))  # a campaign with leads types the CPL columns
    cls = tiers(dict.fromkeys(names, "UNDERPERFORMER") | {"neutral": "MODERATE"})
    daily = attrs(*[(c, "ACTIVE", 100.0) for c in [*names, "neutral"]])
    # "resumed" spent on AS_OF, after its stop
    daily = daily.with_columns(spend=pl.when(pl.col("campaign_id") == "resumed").then(60.0).otherwise(0.0))
    before = AS_OF - dt.timedelta(days=3)
    an = anomalies(
        anomaly("tracking", "PERFORMANCE_DROP", "CRITICAL"),
        anomaly("acknowledged", "PERFORMANCE_DROP", "CRITICAL"),
        anomaly("ctr_fell", "PERFORMANCE_DROP", "CRITICAL"),
        anomaly("ctr_fell", "CTR_DROP", "HIGH"),
        anomaly("old_break", "PERFORMANCE_DROP", "CRITICAL", date=AS_OF - dt.timedelta(days=10)),
        anomaly("stopped", "ZERO_SPEND", "CRITICAL", date=before),
        anomaly("resumed", "ZERO_SPEND", "CRITICAL", date=before),
    ).with_columns(is_acknowledged=pl.col("entity_id") == "acknowledged")
    recs = run(w, cls, daily, an=an)
    assert fired(recs, "PAUSE_CAMPAIGN") == {"acknowledged", "ctr_fell", "old_break", "resumed"}


def test_a_cut_on_one_lead_says_1_lead() -> None:
    """The demo's seed 23 wrote '(1 leads)' on two cuts; the noun follows the count."""
    w = wide(
        wide_row("one", spend=100.0, leads=1, dwl=1, account_cpl=20.0, cpl_trend=40.0),
        wide_row("two", spend=200.0, leads=2, dwl=2, account_cpl=20.0, cpl_trend=40.0),
    )
    daily = attrs(("one", "ACTIVE", 50.0), ("two", "ACTIVE", 50.0))
    recs = run(w, tiers({"one": "UNDERPERFORMER", "two": "UNDERPERFORMER"}), daily)
    assert (
        "maior que nos 7 dias anteriores (1 lead). Sugerimos"
        in one(recs, "one", "BUDGET_DECREASE")["description"]
    )
    assert "(2 leads). Sugerimos" in one(recs, "two", "BUDGET_DECREASE")["description"]

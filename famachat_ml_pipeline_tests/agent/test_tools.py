"""The 21 tools: typed inputs with JSON schemas, compact outputs, the account's own figures."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, run_tool, tool_schemas
from famachat_ml_pipeline.agent.tools.context import MAX_ROWS
from famachat_ml_pipeline.agent.tools.forecasts import ON_DEMAND_LOOKBACK, fmt_values
from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.core.recommendations import format_money
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline_tests.agent.conftest import DemoDb, cleaned_daily

# The first test pays for the shared demo pipeline run, which takes minutes on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(1200)

SEED_TOOLS = {
    "get_classifications",
    "get_campaign_tier",
    "get_high_performers",
    "get_underperformers",
    "get_recommendations",
    "get_recommendations_by_type",
    "get_high_priority_recommendations",
    "get_anomalies",
    "get_critical_anomalies",
    "get_anomalies_by_type",
    "get_forecasts",
    "predict_campaign_cpl",
    "predict_campaign_leads",
    "get_campaign_details",
    "list_campaigns",
    "compare_campaigns",
    "analyze_trends",
    "get_account_summary",
    "calculate_roi",
    "get_top_campaigns",
}
CID = 3


def _ctx(db: DemoDb) -> ToolContext:
    return ToolContext(db.engine, CID, now=db.now)


def _some_campaign(ctx: ToolContext) -> str:
    return max(ctx.campaigns)


def _args(ctx: ToolContext) -> dict[str, dict]:
    cid = _some_campaign(ctx)
    return {
        "get_campaign_tier": {"campaign_id": cid},
        "get_recommendations_by_type": {"recommendation_type": "PAUSE_CAMPAIGN"},
        "get_anomalies_by_type": {"anomaly_type": "CPL_SPIKE"},
        "predict_campaign_cpl": {"campaign_id": cid, "horizon_days": 3},
        "predict_campaign_leads": {"campaign_id": cid},
        "get_campaign_details": {"campaign_id": cid},
        "compare_campaigns": {"campaign_ids": sorted(ctx.campaigns)[:3]},
        "calculate_roi": {"average_ticket": 1000, "close_rate": 10},
    }


def test_the_seed_tools_plus_data_quality() -> None:
    assert set(TOOLS) == SEED_TOOLS | {"get_data_quality"}
    for schema_ in tool_schemas():
        s = schema_["input_schema"]
        assert s["type"] == "object" and s.get("additionalProperties") is False, schema_["name"]
        assert "config_id" not in json.dumps(s) and schema_["description"]


def test_every_tool_runs_for_the_bound_account(demo_db: DemoDb) -> None:
    ctx = _ctx(demo_db)
    args = _args(ctx)
    for name in TOOLS:
        out = run_tool(ctx, name, args.get(name, {}))
        assert "error" not in out, (name, out)
        json.dumps(out)  # JSON-able
        assert len(json.dumps(out)) < 20_000, name  # compact


@pytest.mark.parametrize(
    ("name", "args", "problem"),
    [
        ("get_classifications", {"limit": MAX_ROWS + 1}, "limit"),
        ("get_anomalies", {"days": 0}, "days"),
        ("get_recommendations_by_type", {"recommendation_type": "DELETE_ALL"}, "recommendation_type"),
        ("predict_campaign_cpl", {"campaign_id": "1", "horizon_days": 31}, "horizon_days"),
        ("compare_campaigns", {"campaign_ids": ["1"]}, "campaign_ids"),
        ("calculate_roi", {}, "value_per_lead"),
        ("get_top_campaigns", {"metric": "revenue"}, "metric"),
    ],
)
def test_bad_inputs_come_back_as_errors(demo_db: DemoDb, name: str, args: dict, problem: str) -> None:
    out = run_tool(_ctx(demo_db), name, args)
    assert set(out) == {"error"} and problem in out["error"]


def test_json_text_input_is_accepted_and_bad_json_refused(demo_db: DemoDb) -> None:
    ctx = _ctx(demo_db)
    assert run_tool(ctx, "get_recommendations", '{"limit": 1}')["total"] >= 0
    assert "JSON" in run_tool(ctx, "get_recommendations", "{limit")["error"]


def test_classifications_equal_the_table(demo_db: DemoDb) -> None:
    t = schema.ml_campaign_classifications
    with demo_db.engine.connect() as conn:
        tiers = dict(
            conn.execute(
                sa.select(t.c.tier, sa.func.count()).where(t.c.config_id == CID).group_by(t.c.tier)
            ).all()
        )
    out = run_tool(_ctx(demo_db), "get_classifications", {})
    assert {k: v for k, v in out["counts_by_tier"].items() if v} == tiers
    assert out["as_of"] == demo_db.as_of.isoformat()
    assert len(out["campaigns"]) == min(sum(tiers.values()), MAX_ROWS)


def test_anomalies_equal_the_table_and_money_is_formatted(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    since = dt.datetime.combine(demo_db.as_of - dt.timedelta(days=29), dt.time())
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.id, a.c.metric_name, a.c.observed_value).where(
                a.c.config_id == CID, a.c.is_acknowledged.isnot(True), a.c.anomaly_date >= since
            )
        ).all()
    out = run_tool(_ctx(demo_db), "get_anomalies", {"days": 30, "limit": 20})
    assert out["total"] == len(rows)
    by_id = {r.id: r for r in rows}
    for x in out["anomalies"]:
        row = by_id[x["id"]]
        if row.metric_name in ("spend", "cpl"):
            assert x["observed"] == format_money(row.observed_value)


def test_anomalies_grouped_are_one_row_a_campaign_and_type_with_its_days(demo_db: DemoDb) -> None:
    """group_repeats: each campaign-and-type run once, its gravest then newest row, with how many open days
    it has in the window and the first of them (a daily frequency alert filled a list of five)."""
    a = schema.ml_anomalies
    since = demo_db.as_of - dt.timedelta(days=29)
    with demo_db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.id, a.c.entity_id, a.c.anomaly_type, a.c.anomaly_date).where(
                a.c.config_id == CID,
                a.c.is_acknowledged.isnot(True),
                a.c.anomaly_date >= dt.datetime.combine(since, dt.time()),
            )
        ).all()
    runs: dict[tuple[str, str], list[dt.date]] = {}
    for r in rows:
        runs.setdefault((r.entity_id, r.anomaly_type), []).append(pd_day(r.anomaly_date))
    assert any(len(days) > 1 for days in runs.values()), "no alert repeats in the demo's 30 days"
    out = run_tool(_ctx(demo_db), "get_anomalies", {"days": 30, "limit": MAX_ROWS, "group_repeats": True})
    plain = run_tool(_ctx(demo_db), "get_anomalies", {"days": 30, "limit": MAX_ROWS})
    assert out["total"] == plain["total"] == len(rows) and out["distinct"] == len(runs)
    assert plain["distinct"] is None and all(x["repeats"] == 1 for x in plain["anomalies"])
    shown = [(x["campaign_id"], x["type"]) for x in out["anomalies"]]
    assert len(shown) == len(set(shown)) == min(len(runs), MAX_ROWS)
    for x in out["anomalies"]:
        days = runs[(x["campaign_id"], x["type"])]
        assert x["repeats"] == len(days), x
        assert (pd_day(x["first_date"]), pd_day(x["last_date"])) == (min(days), max(days)), x


def pd_day(value: dt.date | dt.datetime | str) -> dt.date:
    """A stored anomaly_date as a date, whatever the backend returns."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def test_fresh_prediction_covers_the_horizon(demo_db: DemoDb) -> None:
    ctx = _ctx(demo_db)
    busiest = run_tool(ctx, "get_top_campaigns", {"metric": "spend", "limit": 1})["campaigns"][0]
    out = run_tool(ctx, "predict_campaign_cpl", {"campaign_id": busiest["campaign_id"], "horizon_days": 3})
    assert out["method"] != "none" and not out["insufficient_data"]
    days = [d["date"] for d in out["days"]]
    assert days == [(demo_db.as_of + dt.timedelta(days=h)).isoformat() for h in range(1, len(days) + 1)]
    assert 1 <= len(days) <= 3 and out["as_of"] == demo_db.as_of.isoformat()


def test_a_fresh_prediction_is_calibrated_as_the_pipelines_run(demo_db: DemoDb) -> None:
    # on the day of the stored forecasts, with the same data, the fresh one is the stored one: it borrows
    # the run's calibration (forecast_calibration) instead of calibrating on this one campaign
    ctx = _ctx(demo_db)
    busiest = run_tool(ctx, "get_top_campaigns", {"metric": "leads", "limit": 1})["campaigns"][0]
    cid = busiest["campaign_id"]
    fresh = run_tool(ctx, "predict_campaign_leads", {"campaign_id": cid, "horizon_days": 7})
    (stored,) = run_tool(ctx, "get_forecasts", {"metric": "leads", "campaign_id": cid})["forecasts"]
    assert fresh["days"][0]["date"] == stored["first_day"] and len(fresh["days"]) == stored["days"] == 7
    assert (fresh["value"], fresh["low"], fresh["high"]) == (stored["value"], stored["low"], stored["high"])


def test_a_fresh_prediction_of_another_horizon_is_calibrated_on_the_account(demo_db: DemoDb) -> None:
    # no stored row for 3 days: the account's campaigns are the pool, not the one campaign alone
    ctx = _ctx(demo_db)
    cid = run_tool(ctx, "get_top_campaigns", {"metric": "leads", "limit": 1})["campaigns"][0]["campaign_id"]
    fresh = run_tool(ctx, "predict_campaign_leads", {"campaign_id": cid, "horizon_days": 3})
    daily = cleaned_daily(demo_db.engine, [ctx.config_id], demo_db.as_of, ON_DEMAND_LOOKBACK)

    def days(frame: pl.DataFrame) -> list[dict]:
        rows = frame.filter((pl.col("entity_id") == cid) & (pl.col("metric") == "leads")).sort("target_date")
        pts = [
            {
                "predicted": r["predicted_value"],
                "lower": r["confidence_lower"],
                "upper": r["confidence_upper"],
            }
            for r in rows.iter_rows(named=True)
        ]
        return [
            {"predicted": x["predicted"], "low": x["lower"], "high": x["upper"]}
            for x in fmt_values(ctx, "leads", pts, ("predicted", "lower", "upper"))
        ]

    got = [{k: d[k] for k in ("predicted", "low", "high")} for d in fresh["days"]]
    assert got == days(forecast_fleet(daily, demo_db.as_of, horizon=3))
    alone = forecast_fleet(daily.filter(pl.col("campaign_id") == cid), demo_db.as_of, horizon=3)
    assert got != days(alone)  # the pool makes a difference here


def test_roi_says_the_revenue_is_the_users_estimate(demo_db: DemoDb) -> None:
    out = run_tool(_ctx(demo_db), "calculate_roi", {"average_ticket": 1000, "close_rate": 10, "window": 7})
    assert out["value_per_lead"] == "R$ 100,00"
    assert "não registra receita" in out["note"] and "ticket médio R$ 1.000,00" in out["note"]


def test_the_summary_counts_critical_problems_not_good_news(demo_db: DemoDb) -> None:
    a = schema.ml_anomalies
    before = run_tool(_ctx(demo_db), "get_account_summary", {})
    row = {
        "config_id": CID,
        "entity_type": "campaign",
        "entity_id": "good-news-test",
        "metric_name": "leads",
        "observed_value": 30.0,
        "expected_value": 3.0,
        "deviation_score": 9.0,
        "severity": "CRITICAL",
        "anomaly_date": dt.datetime.combine(demo_db.as_of, dt.time()),
    }
    with demo_db.engine.begin() as conn:
        conn.execute(a.insert().values(anomaly_type="PERFORMANCE_SPIKE", **row))  # more leads: good news
    try:
        spiked = run_tool(_ctx(demo_db), "get_account_summary", {})
        assert spiked["open_anomalies_7d"] == before["open_anomalies_7d"] + 1
        assert spiked["critical_anomalies_7d"] == before["critical_anomalies_7d"]
        with demo_db.engine.begin() as conn:
            conn.execute(a.insert().values(anomaly_type="PERFORMANCE_DROP", **row))  # fewer leads: a problem
        dropped = run_tool(_ctx(demo_db), "get_account_summary", {})
        assert dropped["critical_anomalies_7d"] == before["critical_anomalies_7d"] + 1
    finally:
        with demo_db.engine.begin() as conn:
            conn.execute(a.delete().where(a.c.entity_id == "good-news-test"))


def test_a_database_that_cannot_answer_is_said_so(demo_db: DemoDb) -> None:
    from famachat_ml_pipeline.agent.tools import DATABASE_UNAVAILABLE

    ctx = _ctx(demo_db)
    # the account's campaigns are known, then the database stops answering (nothing listens on port 9)
    down = ToolContext(sa.create_engine("postgresql+psycopg://root@127.0.0.1:9/test"), CID, now=demo_db.now)
    down._campaigns = ctx.campaigns
    for name in ("get_account_summary", "get_campaign_details"):
        out = run_tool(down, name, _args(ctx).get(name, {}))
        assert out == {"error": DATABASE_UNAVAILABLE}, (name, out)
    # any other failure is still the generic one
    out = run_tool(ctx, "get_campaign_details", {"campaign_id": "x" * 10})
    assert "banco de dados" not in json.dumps(out)

"""Agent benchmark: latency of each tool and of an offline answer for ONE account of a fleet, on Postgres.

Builds a fleet (default 1,000 demo accounts, like bench_fleet.py), runs the whole graph once so the ml_*
tables are full, then times every tool and every offline intent for one account in the middle of the
fleet. Each tool call gets a fresh ToolContext (so the account's campaign lookup is included): the
figures are an upper bound for a call inside a conversation.

    python benchmarks/bench_agent.py [--accounts 1000] [--repeats 20] [--server postgresql://...]

--keep keeps the fleet's databases; --reuse URL times the tools again on such a kept fleet (same
--accounts) without rebuilding it, e.g. to compare two versions of the read paths on the same data.
--explain prints the Postgres plans of the agent's per-account reads of ml_predictions / ml_features /
ml_forecasts at fleet scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid

import sqlalchemy as sa
from bench_env import drop_database, fresh_database

QUESTIONS = {
    "underperformers": "Quais campanhas estão indo mal?",
    "top": "Quais campanhas estão indo bem?",
    "recommendations": "Quais são as recomendações?",
    "anomalies": "Por que meu CPL subiu ontem?",
    "forecast": "Quantos leads vou ter na próxima semana?",
    "summary": "Me dá um resumo da conta",
    "data_quality": "Os dados estão atualizados? qualidade dos dados",
    "roi": "Qual o ROI com R$ 80 por lead?",
    "help": "O que você sabe fazer?",
}


def _ms(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=20) if len(samples) > 1 else samples * 19
    return f"median {statistics.median(samples) * 1000:7.1f} ms   p95 {q[18] * 1000:7.1f} ms"


def _explain(engine: sa.Engine, config_id: int, campaign_ids: list[str]) -> None:
    """EXPLAIN ANALYZE of the per-account reads that avoid scanning ml_features / ml_forecasts."""
    from famachat_ml_pipeline.db import agent_queries as q

    origin = q.latest_forecast_origin(engine, config_id, campaign_ids)
    series = len(q.read_latest_predictions(engine, config_id, campaign_ids))
    queries = {
        "latest results day (ml_features)": q.latest_results_day_query(config_id),
        **q.indexed_read_queries(config_id, campaign_ids, origin, series),
    }
    with engine.connect() as conn:
        for label, query in queries.items():
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = [r[0] for r in conn.execute(sa.text(f"EXPLAIN ANALYZE {sql}"))]
            print(f"plan, {label}:\n    " + "\n    ".join(plan))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--server", default=os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--reuse", metavar="URL", help="a fleet database kept by --keep: time it again")
    parser.add_argument("--explain", action="store_true", help="print the plans of the indexed reads")
    args = parser.parse_args()

    tag = uuid.uuid4().hex[:6]
    if args.reuse:
        data_url = dagster_url = args.reuse
        args.keep = True
    else:
        data_url = fresh_database(args.server, f"fcml_bench_agent_{tag}")
        dagster_url = fresh_database(args.server, f"fcml_bench_agent_dagster_{tag}")
    os.environ["DATABASE_URL"] = data_url
    os.environ["DAGSTER_PG_URL"] = dagster_url
    os.environ["FAMACHAT_ML_DATA_DIR"] = f"/tmp/fcml_bench_agent_{tag}"
    os.environ["DAGSTER_HOME"] = f"/tmp/fcml_bench_agent_{tag}/dagster_home"
    os.environ["FRAMES_STORAGE_PATH"] = f"/tmp/fcml_bench_agent_{tag}/frames"
    os.environ["MODELS_STORAGE_PATH"] = f"/tmp/fcml_bench_agent_{tag}/models"
    for key in ("AGENT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY"):
        os.environ.pop(key, None)

    from famachat_ml_pipeline.agent.intents import classify_intent
    from famachat_ml_pipeline.agent.service import open_agent
    from famachat_ml_pipeline.agent.tools import TOOLS, ToolContext, run_tool
    from famachat_ml_pipeline.db.engine import get_engine
    from famachat_ml_pipeline.demo.generator import generate_demo
    from famachat_ml_pipeline.demo.loader import write_demo
    from famachat_ml_pipeline.runner import run_pipeline
    from famachat_ml_pipeline.settings import get_settings

    try:
        settings = get_settings()
        engine = get_engine(settings.database_url)
        if args.reuse:
            print(f"fleet: reused {sa.engine.make_url(args.reuse).database} ({args.accounts:,} accounts)")
        else:
            t = time.perf_counter()
            data = generate_demo(n_accounts=args.accounts, days=90, seed=11)
            write_demo(engine, data)
            print(
                f"fleet: {args.accounts:,} accounts, {data.campaigns.height:,} campaigns, "
                f"{data.insights.height:,} insight rows, written in {time.perf_counter() - t:.1f} s"
            )
            t = time.perf_counter()
            (run,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None, log_level="WARNING")
            print(
                f"pipeline run: {'success' if run.success else 'FAILED'} in {time.perf_counter() - t:.1f} s"
            )

        config_id = args.accounts // 2 + 1
        probe = ToolContext(engine, config_id)
        if args.explain:
            _explain(engine, config_id, sorted(probe.campaigns))
        campaign = max(probe.campaigns)
        busiest = run_tool(probe, "get_top_campaigns", {"metric": "spend", "limit": 2})["campaigns"]
        tool_args = {
            "get_campaign_tier": {"campaign_id": busiest[0]["campaign_id"]},
            "get_recommendations_by_type": {"recommendation_type": "PAUSE_CAMPAIGN"},
            "get_anomalies_by_type": {"anomaly_type": "CPL_SPIKE"},
            "predict_campaign_cpl": {"campaign_id": busiest[0]["campaign_id"]},
            "predict_campaign_leads": {"campaign_id": busiest[0]["campaign_id"]},
            "get_campaign_details": {"campaign_id": campaign},
            "compare_campaigns": {"campaign_ids": [c["campaign_id"] for c in busiest]},
            "calculate_roi": {"value_per_lead": 80},
        }
        print(
            f"\none account: config_id {config_id} ({len(probe.campaigns)} campaigns), {args.repeats} repeats"
        )
        print("tools (fresh ToolContext per call):")
        for name in TOOLS:
            samples = []
            for _ in range(args.repeats):
                ctx = ToolContext(engine, config_id)
                t = time.perf_counter()
                out = run_tool(ctx, name, tool_args.get(name, {}))
                samples.append(time.perf_counter() - t)
                assert "error" not in out, (name, out)
            print(f"  {name:<34}{_ms(samples)}")

        print("offline answers (open_agent + ask):")
        for intent, question in QUESTIONS.items():
            assert classify_intent(question).name == intent
            samples = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                reply = open_agent(engine, config_id, settings, mode="offline").ask(question)
                samples.append(time.perf_counter() - t)
                assert reply.intent == intent and reply.text
            print(f"  {intent:<34}{_ms(samples)}")
    finally:
        if not args.keep:
            get_engine.cache_clear()
            drop_database(args.server, data_url)
            drop_database(args.server, dagster_url)


if __name__ == "__main__":
    main()

"""ml_recommendations across runs: users' decisions are never overwritten, the cooldown holds, expired
rows retire, and one key never has two active rows."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES

R = schema.ml_recommendations
KEY = ["config_id", "entity_id", "recommendation_type"]


def _recs(engine: sa.Engine) -> pl.DataFrame:
    cols = [
        "id",
        "config_id",
        "entity_id",
        "recommendation_type",
        "is_active",
        "dismissed",
        "dismissed_by",
        "dismissed_reason",
        "was_applied",
        "applied_by",
        "expires_at",
        "title",
    ]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*[R.c[c] for c in cols])).fetchall()
    return pl.DataFrame(
        [(*r[:3], str(r[3]), *r[4:]) for r in rows], schema=cols, orient="row", infer_schema_length=None
    )


def _recommend_again(settings: Settings, as_of: dt.date) -> None:
    job = defs.resolve_job_def("ml_pipeline").get_subset(
        asset_selection={dg.AssetKey("ad_insights"), dg.AssetKey("campaign_recommendations")}
    )
    tags = {**ranged_run_tags("1", "3"), "famachat/as_of": as_of.isoformat()}
    assert job.execute_in_process(instance=get_instance(settings), tags=tags).success


@ON_POSTGRES
def test_users_decisions_survive_and_lifecycle_holds(settings: Settings) -> None:
    data = generate_demo(n_accounts=3, days=90, seed=7)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    as_of = data.end_date
    assert run_pipeline(settings, as_of=as_of, echo=lambda _: None)[0].success
    first = _recs(engine).filter(pl.col("is_active"))
    assert first.height >= 3
    assert first.select(KEY).is_duplicated().sum() == 0
    dismissed_id, applied_id, expired_id = first["id"][0], first["id"][1], first["id"][2]
    with engine.begin() as conn:
        conn.execute(
            R.update()
            .where(R.c.id == dismissed_id)
            .values(
                dismissed=True,
                dismissed_at=dt.datetime.combine(as_of, dt.time(12)),
                dismissed_by=7,
                dismissed_reason="já ajustado manualmente",
            )
        )
        conn.execute(
            R.update()
            .where(R.c.id == applied_id)
            .values(
                was_applied=True,
                applied_at=dt.datetime.combine(as_of, dt.time(12)),
                applied_by=8,
            )
        )
        conn.execute(R.update().where(R.c.id == expired_id).values(expires_at=dt.datetime(2000, 1, 1)))

    _recommend_again(settings, as_of)
    _recommend_again(settings, as_of)  # regenerating twice never duplicates
    after = _recs(engine)
    by_id = {r["id"]: r for r in after.iter_rows(named=True)}
    assert by_id[dismissed_id]["dismissed"] is True and by_id[dismissed_id]["dismissed_by"] == 7
    assert by_id[dismissed_id]["dismissed_reason"] == "já ajustado manualmente"
    assert by_id[applied_id]["was_applied"] is True and by_id[applied_id]["applied_by"] == 8
    assert by_id[expired_id]["is_active"] is False  # past expires_at: retired
    active = after.filter(pl.col("is_active"))
    assert active.select(KEY).is_duplicated().sum() == 0
    # cooldown: the dismissed and applied keys are not issued again as fresh, undecided rows
    for rec_id in (dismissed_id, applied_id):
        key = {k: by_id[rec_id][k] for k in KEY}
        fresh = active.filter(
            *[pl.col(k) == v for k, v in key.items()], ~pl.col("dismissed"), ~pl.col("was_applied")
        )
        assert fresh.is_empty()
    # the expired one still fires, so it comes back as a new row
    expired_key = {k: by_id[expired_id][k] for k in KEY}
    assert active.filter(*[pl.col(k) == v for k, v in expired_key.items()]).height == 1


def test_a_past_as_of_never_touches_current_recommendations(settings: Settings) -> None:
    """`run --config-id 2 --as-of <past day>` after today's run: current recommendations stay exactly as
    they were (no deactivation, no past figures, no past expires_at, no past rows inserted)."""
    data = generate_demo(n_accounts=2, days=60, seed=7)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    assert run_pipeline(settings, as_of=data.end_date, echo=print)[0].success
    today = _recs(engine).sort("id")
    assert today.filter(pl.col("is_active")).height >= 1
    past = data.end_date - dt.timedelta(days=17)
    [summary] = run_pipeline(settings, config_ids=[2], as_of=past, echo=print)  # failures in the report
    assert summary.success
    assert _recs(engine).sort("id").equals(today)


def test_an_account_a_day_ahead_keeps_the_advice_of_its_own_latest_day(settings: Settings) -> None:
    """A fleet run's as_of is its earliest account's latest complete day. An account whose own is later (a
    timezone east of the others) gets the fleet's advice until a run of its own analyses its later day;
    from then on the fleet leaves it alone, or its advice would flip between the two days."""
    from famachat_ml_pipeline.source.clean import latest_complete_day
    from famachat_ml_pipeline.source.tables import campaigns_table

    west, east = "Pacific/Pago_Pago", "Pacific/Kiritimati"  # 25 hours apart: never the same latest day
    assert latest_complete_day(east) > latest_complete_day(west)
    data = generate_demo(n_accounts=2, days=60, seed=7, end_date=latest_complete_day(east))
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    with engine.begin() as conn:
        for config_id, zone in ((1, west), (2, east)):
            conn.execute(
                campaigns_table.update()
                .where(campaigns_table.c.config_id == config_id)
                .values(timezone_name=zone)
            )
    assert run_pipeline(settings, echo=print)[0].success  # the fleet, as of the west's latest day
    assert _recs(engine).filter(pl.col("config_id") == 2, pl.col("is_active")).height >= 1  # not starved
    assert run_pipeline(settings, config_ids=[2], echo=print)[0].success  # the east alone, its own day
    own = _recs(engine).filter(pl.col("config_id") == 2).sort("id")
    assert own.filter(pl.col("is_active")).height >= 1
    assert run_pipeline(settings, echo=print)[0].success
    assert _recs(engine).filter(pl.col("config_id") == 2).sort("id").equals(own)
    assert _recs(engine).filter(pl.col("config_id") == 1, pl.col("is_active")).height >= 1

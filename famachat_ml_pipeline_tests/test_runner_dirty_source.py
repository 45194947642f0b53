"""Dirty source data through the whole graph (real Dagster runs, on SQLite and Postgres): one account's
bad rows are set aside and counted, the other accounts proceed, and no ml_* figure is made up from them."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.read import account_timezones, list_config_ids
from famachat_ml_pipeline.source.tables import campaigns_table, insights_table

BROKEN = 2  # the account whose every row the sync broke


def _rows(engine: sa.Engine, table: sa.Table, config_id: int) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).where(table.c.config_id == config_id))
        return [dict(r._mapping) for r in rows]


def test_campaigns_whose_every_row_is_malformed_get_no_made_up_figures(settings: Settings) -> None:
    """(An account whose every row is malformed keeps its results instead: test_runner_results_kept.)"""
    data = generate_demo(n_accounts=3, days=60, seed=11, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    as_of = data.end_date
    good = data.insights.filter(pl.col("config_id") == BROKEN)["campaign_id"].min()  # one campaign stays good
    i = insights_table
    with engine.begin() as conn:  # spend NULL on every row of the others: each is `null_metric`
        conn.execute(i.update().where(i.c.config_id == BROKEN, i.c.campaign_id != good).values(spend=None))

    (run,) = run_pipeline(settings, as_of=as_of, echo=lambda _: None)
    assert run.success and run.accounts == 3

    # set aside and counted where an operator looks: the ad_insights metadata of the run
    event = get_instance(settings).get_latest_materialization_event(dg.AssetKey("ad_insights"))
    by_reason = event.asset_materialization.metadata["set_aside_by_reason"].value
    window = data.insights.filter(
        (pl.col("config_id") == BROKEN)
        & (pl.col("campaign_id") != good)
        & pl.col("date_start").is_between(as_of - dt.timedelta(days=89), as_of)
    )
    assert by_reason["null_metric"] == window.height > 0

    # the other accounts, and the account's good campaign, proceed
    for other in (1, 3):
        assert _rows(engine, schema.ml_features, other)
        assert _rows(engine, schema.ml_forecasts, other)
    assert {f["method"] for f in _rows(engine, schema.ml_forecasts, BROKEN) if f["entity_id"] == good} - {
        "inactive"
    }

    # The broken campaigns' unknown days are not zeros: no forecast of a certain zero spend from them (one
    # was written as `combo`, interval [0, 0], insufficient_data false; a paused campaign's `inactive`
    # zero comes from its status, which is known), and their features' sums are unknown.
    broken = [f for f in _rows(engine, schema.ml_forecasts, BROKEN) if f["entity_id"] != good]
    assert {f["method"] for f in broken} <= {"inactive"}, [(f["entity_id"], f["method"]) for f in broken]
    features = [
        f["features"] | {"w": f["window_days"]}
        for f in _rows(engine, schema.ml_features, BROKEN)
        if f["campaign_id"] != good
    ]
    # their days with rows are unknown (0 known days): sums unknown, and insufficient_data
    unknown = [f for f in features if f[f"days_with_data_{f['w']}d"] == 0]
    assert unknown, features
    for f in unknown:
        assert f[f"spend_{f['w']}d"] is None and f[f"leads_{f['w']}d"] is None, f
    # a paused campaign without rows in the window has known zero days (no row: nothing delivered)
    for f in features:
        if f not in unknown:
            assert f[f"spend_{f['w']}d"] == 0.0


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)  # SQLite cannot drop a NOT NULL
def test_nulls_where_the_contract_says_not_null_stop_nothing(settings: Settings) -> None:
    """FamaChat's real tables may lack the contract's NOT NULLs. A row without config_id is nobody's: it
    crashed the listing of accounts (int(None)), so every fleet run and the new-accounts sensor. A
    campaign without timezone_name is in the default zone: its rows were all set aside as orphans."""
    data = generate_demo(n_accounts=2, days=40, seed=5, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    with engine.begin() as conn:
        for table in (campaigns_table, insights_table):
            conn.execute(sa.text(f"ALTER TABLE {table.name} ALTER COLUMN config_id DROP NOT NULL"))
        conn.execute(sa.text(f"ALTER TABLE {campaigns_table.name} ALTER COLUMN timezone_name DROP NOT NULL"))
        conn.execute(
            campaigns_table.update().where(campaigns_table.c.config_id == 2).values(timezone_name=None)
        )
        conn.execute(campaigns_table.insert().values(config_id=None, campaign_id="120", name="sem conta"))
        day = data.end_date
        conn.execute(
            insights_table.insert().values(
                config_id=None, campaign_id="120", date_start=day, date_stop=day, spend=1.0, impressions=9
            )
        )
    assert list_config_ids(engine) == [1, 2]
    assert set(account_timezones(engine)) == {1, 2}
    (run,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)
    assert run.success and run.accounts == 2
    event = get_instance(settings).get_latest_materialization_event(dg.AssetKey("ad_insights"))
    assert event.asset_materialization.metadata["set_aside_by_reason"].value["orphan_campaign"] == 0
    assert _rows(engine, schema.ml_features, 1) and _rows(engine, schema.ml_features, 2)


def _advice(engine: sa.Engine, config_id: int) -> set[tuple[str, str]]:
    r = schema.ml_recommendations
    query = sa.select(r.c.entity_id, r.c.recommendation_type, r.c.suggested_action).where(
        r.c.config_id == config_id, r.c.is_active.is_(True)
    )
    with engine.connect() as conn:
        return {(e, t) for e, t, _ in conn.execute(query)}


def _methods(engine: sa.Engine, config_id: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in _rows(engine, schema.ml_forecasts, config_id):
        out.setdefault(f["entity_id"], set()).add(f["method"])
    return out


def test_statuses_in_lower_case_are_the_same_statuses(settings: Settings) -> None:
    """An "active" campaign lost its advice (retired as no longer triggered); a "paused" one was forecast
    to deliver."""
    data = generate_demo(n_accounts=2, days=60, seed=7, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    assert run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)[0].success
    advice, methods = _advice(engine, 2), _methods(engine, 2)
    assert advice and any(m == {"inactive"} for m in methods.values())  # the case is there to be broken

    c = campaigns_table
    with engine.begin() as conn:
        lower = {"status": sa.func.lower(c.c.status), "effective_status": sa.func.lower(c.c.effective_status)}
        conn.execute(c.update().where(c.c.config_id == 2).values(**lower))
    assert run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)[0].success
    assert _advice(engine, 2) == advice
    assert _methods(engine, 2) == methods


def test_a_budget_no_day_could_spend_is_unknown_not_advised_on(settings: Settings) -> None:
    """A sync's nonsense budget was advised on: "cut 9e18 to 7.2e18, about 1e15 leads a week fewer"."""
    data = generate_demo(n_accounts=2, days=60, seed=7, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    huge = 9 * 10**18
    with engine.begin() as conn:
        conn.execute(campaigns_table.update().values(daily_budget=huge))
    assert run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)[0].success
    r = schema.ml_recommendations
    with engine.connect() as conn:
        advice = conn.execute(sa.select(r.c.recommendation_type, r.c.suggested_action)).fetchall()
    assert advice  # the accounts are advised, on what is known
    on_budget = [a for _, a in advice if a.get("field") == "daily_budget"]
    assert not [a for a in on_budget if float(a["current"]) >= huge / 100], on_budget  # major units


def _anomalies(engine: sa.Engine, config_id: int) -> set[tuple[str, str, dt.date]]:
    a = schema.ml_anomalies
    query = sa.select(a.c.entity_id, a.c.anomaly_type, a.c.anomaly_date).where(a.c.config_id == config_id)
    with engine.connect() as conn:
        return {(e, t, d.date() if isinstance(d, dt.datetime) else d) for e, t, d in conn.execute(query)}


def test_anomalies_of_days_set_aside_since_are_not_withdrawn(settings: Settings) -> None:
    """A sync that breaks every row of an account (restated into rows the cleaner sets aside) does not
    show that its anomalies are gone: those of the days now unknown stay (they were all withdrawn)."""
    data = generate_demo(n_accounts=2, days=60, seed=11, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    assert run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)[0].success
    before = _anomalies(engine, BROKEN)
    rows = set(zip(data.insights["campaign_id"], data.insights["date_start"], strict=True))
    on_rows = {a for a in before if (a[0], a[2]) in rows}
    assert on_rows  # anomalies on days with a source row: the days the sync breaks
    other = _anomalies(engine, 1)

    with engine.begin() as conn:
        conn.execute(
            insights_table.update()
            .where(insights_table.c.config_id == BROKEN)
            .values(spend=None, updated_at=sa.func.now())
        )
    assert run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)[0].success
    assert on_rows <= _anomalies(engine, BROKEN)
    assert _anomalies(engine, 1) == other

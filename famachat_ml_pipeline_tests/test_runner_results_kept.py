"""An account whose every source row is set aside (a sync that broke the whole account) keeps its last
results: real Dagster runs on SQLite and Postgres. Its features, tiers, forecasts, anomalies and advice
are not replaced by a day of no usable data, in a fleet run, a run of that account alone or a backfill;
the run says so, and the other accounts are run as usual."""

from __future__ import annotations

import datetime as dt
import logging

import dagster as dg
import polars as pl
import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import DemoData, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.tables import insights_table
from famachat_ml_pipeline_tests.conftest import ON_POSTGRES

BROKEN = 2
TABLES = (
    schema.ml_features,
    schema.ml_campaign_classifications,
    schema.ml_forecasts,
    schema.ml_predictions,
    schema.ml_anomalies,
    schema.ml_recommendations,
)


def _results(engine: sa.Engine, config_id: int) -> dict[str, list[tuple]]:
    """Every ml_* row of the account, every column, in id order."""
    with engine.connect() as conn:
        return {
            t.name: [
                tuple(r)
                for r in conn.execute(sa.select(t).where(t.c.config_id == config_id).order_by(t.c.id))
            ]
            for t in TABLES
        }


def _break_every_row(engine: sa.Engine, config_id: int) -> None:
    """The sync restates every row of the account into one the cleaner sets aside (spend NULL)."""
    with engine.begin() as conn:
        conn.execute(
            insights_table.update()
            .where(insights_table.c.config_id == config_id)
            .values(spend=None, updated_at=sa.func.now())
        )


def _window_rows(data: DemoData, config_id: int, as_of: dt.date) -> int:
    """The account's rows in the 90 days ad_insights reads up to as_of."""
    window = pl.col("date_start").is_between(as_of - dt.timedelta(days=89), as_of)
    return data.insights.filter((pl.col("config_id") == config_id) & window).height


def _ok(settings: Settings, **kwargs: object) -> str:
    (run,) = run_pipeline(settings, echo=lambda _: None, **kwargs)
    assert run.success
    return run.run_id


@ON_POSTGRES
def test_a_fleet_rerun_keeps_the_results_of_an_account_whose_every_row_is_set_aside(
    settings: Settings,
) -> None:
    data = generate_demo(n_accounts=3, days=60, seed=11, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    as_of = data.end_date
    _ok(settings, as_of=as_of)
    kept, other = _results(engine, BROKEN), _results(engine, 1)
    assert all(kept.values()), {k: len(v) for k, v in kept.items()}  # something of each kind to keep
    assert any(r for r in kept["ml_recommendations"])

    _break_every_row(engine, BROKEN)
    run_id = _ok(settings, as_of=as_of)  # the same day again: it replaced account 2's rows with none

    assert _results(engine, BROKEN) == kept
    # the other accounts are run as usual: their day's features and tiers are rewritten (new rows)
    again = _results(engine, 1)
    assert again["ml_features"] and {r[0] for r in again["ml_features"]}.isdisjoint(
        {r[0] for r in other["ml_features"]}
    )

    # the run says so: the log, the set-aside check, and every asset's figures
    instance = get_instance(settings)
    warnings = [e.user_message for e in instance.all_logs(run_id) if e.level == logging.WARNING]
    rows = _window_rows(data, BROKEN, as_of)
    line = f"account {BROKEN}: all {rows:,} source rows set aside; kept the results of {as_of}"
    assert any(line in w for w in warnings), warnings
    (evaluation,) = [
        e.dagster_event.event_specific_data
        for e in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if e.dagster_event.event_specific_data.check_name == "rows_set_aside_rate"
    ]
    assert not evaluation.passed
    assert evaluation.metadata["accounts_all_set_aside"].value == {str(BROKEN): rows}
    for asset in ("campaign_features", "campaign_classifications", "campaign_recommendations"):
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
        assert event.asset_materialization.metadata["accounts_results_kept"].value == [BROKEN], asset


def test_a_run_of_the_account_alone_or_of_a_past_day_keeps_its_results(settings: Settings) -> None:
    """Alone, its advice was retired (no campaign-day to advise on); a backfill of a past day replaced
    that day's features, tiers and forecasts with unknown ones. Neither may change what is stored."""
    data = generate_demo(n_accounts=2, days=60, seed=11, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    past = data.end_date - dt.timedelta(days=3)
    _ok(settings, as_of=past)
    _ok(settings, as_of=data.end_date)
    kept = _results(engine, BROKEN)
    assert kept["ml_recommendations"] and kept["ml_features"]
    _break_every_row(engine, BROKEN)

    _ok(settings, config_ids=[BROKEN], as_of=data.end_date)
    assert _results(engine, BROKEN) == kept
    run_id = _ok(settings, config_ids=[BROKEN], as_of=past)
    assert _results(engine, BROKEN) == kept
    warnings = [e.user_message for e in get_instance(settings).all_logs(run_id) if e.level == logging.WARNING]
    assert any(f"kept the results of {past}" in w for w in warnings), warnings


@ON_POSTGRES
def test_an_account_set_aside_from_its_first_run_gets_nothing_and_the_next_good_day_is_run(
    settings: Settings,
) -> None:
    """Nothing to keep: no row is written for it (none made up), and once its rows are good again it is
    run as any other account."""
    data = generate_demo(n_accounts=2, days=60, seed=11, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    with engine.begin() as conn:
        saved = [dict(r._mapping) for r in conn.execute(sa.select(insights_table))]
    _break_every_row(engine, BROKEN)
    run_id = _ok(settings, as_of=data.end_date)
    assert not any(_results(engine, BROKEN).values())
    assert _results(engine, 1)["ml_features"]
    warnings = [e.user_message for e in get_instance(settings).all_logs(run_id) if e.level == logging.WARNING]
    assert any(f"account {BROKEN}: all" in w and "no earlier results to keep" in w for w in warnings)

    with engine.begin() as conn:  # the sync restates the rows back
        conn.execute(insights_table.delete())
        conn.execute(insights_table.insert(), saved)
    _ok(settings, as_of=data.end_date)
    assert _results(engine, BROKEN)["ml_features"]

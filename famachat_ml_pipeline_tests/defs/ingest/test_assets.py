"""ad_insights: its data-quality checks fail on dirty source data and pass on clean data; the source is
read in a READ ONLY transaction on Postgres."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import dagster as dg
import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings
from famachat_ml_pipeline.source.clean import REJECT_REASONS
from famachat_ml_pipeline.source.read import read_daily_insights
from famachat_ml_pipeline.source.tables import insights_table


def _ad_insights_run(settings: Settings, as_of: dt.date) -> dg.ExecuteInProcessResult:
    """ad_insights of the demo accounts 1 and 2, as of `as_of`, on a migrated database."""
    migrate(settings.database_url)  # a deployment's database: every asset checks the schema's revision
    instance = get_instance(settings)
    instance.add_dynamic_partitions("config_id", ["1", "2"])
    job = defs.resolve_job_def("ml_pipeline").get_subset(asset_selection={dg.AssetKey("ad_insights")})
    result = job.execute_in_process(
        instance=instance, tags={**ranged_run_tags("1", "2"), "famachat/as_of": as_of.isoformat()}
    )
    assert result.success
    return result


def _checks(settings: Settings, dirty: bool) -> dict[str, bool]:
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=dirty)
    write_demo(get_engine(settings.database_url), data)
    result = _ad_insights_run(settings, data.end_date)
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def test_a_day_before_any_insight_is_a_warning(settings: Settings) -> None:
    # `run --as-of` before the accounts' first day: nothing to compute, and the run says so
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=False)
    write_demo(get_engine(settings.database_url), data)
    migrate(settings.database_url)
    instance = get_instance(settings)
    instance.add_dynamic_partitions("config_id", ["1", "2"])
    job = defs.resolve_job_def("ml_pipeline").get_subset(asset_selection={dg.AssetKey("ad_insights")})
    early = (data.end_date - dt.timedelta(days=200)).isoformat()
    result = job.execute_in_process(
        instance=instance, tags={**ranged_run_tags("1", "2"), "famachat/as_of": early}
    )
    assert result.success
    warnings = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert any(f"no complete day of insights on or before {early} for accounts 1, 2" in w for w in warnings)


def test_a_backfill_before_the_first_insight_does_not_say_the_rows_were_set_aside(
    settings: Settings,
) -> None:
    """`run --as-of` a week before the accounts' first day: every row read is later, none set aside. The
    warning said "(every row was set aside)", a broken sync to the person on call; it says the rows are
    after the day."""
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=False)
    write_demo(get_engine(settings.database_url), data)
    first = data.insights["date_start"].min()
    early = first - dt.timedelta(days=7)
    result = _ad_insights_run(settings, early)
    instance = get_instance(settings)
    (warning,) = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert f"no complete day of insights on or before {early} for accounts 1, 2" in warning
    assert "set aside" not in warning, warning
    assert (
        f"{data.insights.height:,} rows read are after {early}: is it before their first insight?" in warning
    )


def test_checks_fail_on_dirty_data(settings: Settings) -> None:
    # ~1,000 rows with a couple of dirty rows of each kind: over the 1 % bar, and future and orphan rows
    checks = _checks(settings, dirty=True)
    assert checks == {"rows_set_aside_rate": False, "no_future_dates": False, "no_orphan_insights": False}


def test_checks_pass_on_clean_data(settings: Settings) -> None:
    assert set(_checks(settings, dirty=False).values()) == {True}


@pytest.mark.postgres
def test_source_is_read_in_a_read_only_transaction(pg_url: str) -> None:
    engine = get_engine(pg_url)
    data = generate_demo(n_accounts=1, days=40, seed=9)
    write_demo(engine, data)
    statements: list[str] = []

    def record(conn, cursor, statement, *rest) -> None:  # noqa: ANN001
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        read = read_daily_insights(engine, [1], data.end_date)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert read.daily.height > 0
    assert "SET TRANSACTION READ ONLY" in statements


def test_text_in_a_numeric_column_is_counted_and_the_run_goes_on(settings: Settings) -> None:
    """SQLite keeps 'abc' in a numeric column: that row is set aside as not_numeric, the others are used."""
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    if engine.dialect.name == "postgresql":  # typed columns: Postgres refuses the text itself
        with pytest.raises(sa.exc.DataError), engine.begin() as conn:
            conn.exec_driver_sql("UPDATE sistema_facebook_ads_insights SET spend = 'abc'")
        return
    with engine.begin() as conn:
        for value in ("spend = 'abc'", "spend = '12,50'", "impressions = 'lots'", "leads = 'three'"):
            conn.exec_driver_sql(
                f"UPDATE sistema_facebook_ads_insights SET {value} WHERE id IN "
                "(SELECT min(id) FROM sistema_facebook_ads_insights GROUP BY config_id)"
            )
    result = _ad_insights_run(settings, data.end_date)
    # the run's figures are on one partition's event (run_metadata.py), and in the set-aside check
    (figures,) = [
        m.metadata
        for m in result.asset_materializations_for_node("ad_insights")
        if "set_aside_by_reason" in m.metadata
    ]
    expected = {**dict.fromkeys(REJECT_REASONS, 0), "not_numeric": 2}
    assert figures["set_aside_by_reason"].value == expected
    assert figures["rows_set_aside"].value == 2
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "rows_set_aside_rate"]
    assert check.metadata["by_reason"].value == expected


def test_an_account_whose_every_row_is_set_aside_fails_the_check_whatever_the_rate(
    settings: Settings,
) -> None:
    """One small account's whole data set aside is far under 1 % of a fleet's rows, and passed: its
    results are kept (account_run.py), which the check must say."""
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=False)
    engine = get_engine(settings.database_url)
    write_demo(engine, data)
    i = insights_table
    last = data.insights.filter(pl.col("config_id") == 2)["campaign_id"].min()
    with engine.begin() as conn:  # account 2: one row up to as_of, malformed (and today's, not yet read)
        conn.execute(i.delete().where(i.c.config_id == 2, i.c.campaign_id != last))
        conn.execute(i.delete().where(i.c.config_id == 2, i.c.date_start < data.end_date))
        conn.execute(i.update().where(i.c.config_id == 2).values(spend=None))
    result = _ad_insights_run(settings, data.end_date)
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "rows_set_aside_rate"]
    assert check.metadata["rate"].value < 0.01
    assert not check.passed
    assert check.metadata["accounts_all_set_aside"].value == {"2": 1}


@pytest.mark.parametrize(("more_clicks", "passed"), [(1, False), (0, True)])
def test_older_rows_with_other_figures_count_as_set_aside_and_copies_do_not(
    settings: Settings, more_clicks: int, passed: bool
) -> None:
    """2 % of the days have an older second row: with other figures (a conflict the latest row settles by
    a guess) it is bad data and fails the check; a copy of the used row loses nothing."""
    data = generate_demo(n_accounts=2, days=40, seed=9, dirty=False)
    engine = get_engine(settings.database_url)
    older = (
        data.insights.filter(pl.col("date_start") <= data.end_date)  # (today's rows are not read yet)
        .sample(fraction=0.02, seed=1)
        .with_columns(pl.col("updated_at") - pl.duration(days=1), pl.col("clicks") + more_clicks)
    )
    write_demo(engine, replace(data, insights=pl.concat([data.insights, older])))
    result = _ad_insights_run(settings, data.end_date)
    (check,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "rows_set_aside_rate"]
    by_reason = check.metadata["by_reason"].value
    reason = "duplicate_superseded" if passed else "duplicate_conflicting"
    assert by_reason[reason] == older.height > 0
    assert check.passed is passed

"""`forecast_fleet` on the demo, as recorded before the forecasting compute was optimised.

`data/forecast_reference.parquet` holds, for each case of `CASES`, `forecast_fleet` on the cleaned demo
(a `case` column says which), as computed by commit 3431330: d723d53's forecasts (main before the
speed-up) with four deliberate changes, the series-weighted pool of the calibration (7513f98), the
conformal CPL bounds (1518bf2), `combo` on the log scale for positive series (5213fdb; the
`fleet_select` rows, which do not use `combo`, were checked equal to 1518bf2's when re-recorded) and a
fleet's calibration from origins at which a series had CAL_MIN_AGE days (3431330: only bounds moved,
of the fleet and account cases; every point and the lone series' rows were checked equal to 5213fdb's).
Regenerate it from that commit only, never from the code under test:

    mkdir /tmp/fcml-ref && git archive 3431330 | tar -x -C /tmp/fcml-ref
    T=famachat_ml_pipeline_tests/core/forecasting
    cp $T/reference_forecast.py /tmp/fcml-ref/$T/ && mkdir -p /tmp/fcml-ref/$T/data
    (cd /tmp/fcml-ref && PYTHONPATH=. $OLDPWD/.venv/bin/python -m ${T//\//.}.reference_forecast)
    cp /tmp/fcml-ref/$T/data/forecast_reference.parquet $T/data/
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from famachat_ml_pipeline.core.forecasting import forecast_fleet
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

AS_OF = dt.date(2025, 6, 30)
REFERENCE = Path(__file__).parent / "data" / "forecast_reference.parquet"
# (name, accounts, campaign filter, method): the production call on a fleet; `select`, which runs every
# candidate method; one account (a deeper calibration); one series (the pooled calibration)
CASES = (
    ("fleet_auto", None, "auto"),
    ("fleet_select", None, "select"),
    ("account_auto", 1, "auto"),
    ("series_auto", 2, "auto"),
)


def demo_daily() -> pl.DataFrame:
    """The cleaned daily frame of 8 demo accounts (90 days, dirty rows set aside)."""
    return clean_demo(generate_demo(n_accounts=8, days=90, seed=11, end_date=AS_OF)).daily


def case_daily(daily: pl.DataFrame, scope: int | None) -> pl.DataFrame:
    """The whole fleet (None), account 1 (1) or account 2's campaign with the most days on record (2)."""
    if scope is None:
        return daily
    one = daily.filter(pl.col("config_id") == scope)
    if scope == 1:
        return one
    days = one.group_by("campaign_id").agg(pl.col("has_row").sum()).sort("has_row", "campaign_id")
    return one.filter(pl.col("campaign_id") == days["campaign_id"][-1])


def forecast_cases(daily: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        [
            forecast_fleet(case_daily(daily, scope), AS_OF, method=method).with_columns(case=pl.lit(name))
            for name, scope, method in CASES
        ]
    )


if __name__ == "__main__":
    out = forecast_cases(demo_daily())
    REFERENCE.parent.mkdir(exist_ok=True)
    out.write_parquet(REFERENCE)
    print(out.group_by("case", "method").len().sort("case", "method"))

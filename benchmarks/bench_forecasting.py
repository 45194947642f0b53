"""Forecasting benchmark: fleet timing, vectorised vs statsmodels, and accuracy figures.

    .venv/bin/python benchmarks/bench_forecasting.py                    # everything
    .venv/bin/python benchmarks/bench_forecasting.py --skip-accuracy    # timings only

1. `forecast_fleet` on a synthetic fleet (default 12,000 campaigns x 90 days): spend, leads and CPL
   with `auto` (`combo`: backtests its three members over 28 rolling origins to calibrate the
   intervals).
2. statsmodels `ExponentialSmoothing` (additive damped trend, additive weekly seasonality), fitted per
   series on a sample, extrapolated to the fleet, against the vectorised `hw` on the same series.
3. Rolling-origin accuracy on the synthetic ad-like fleet and on NYC taxi daily totals (a real series).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

from famachat_ml_pipeline.core.forecasting import POINT_METHODS, forecast_fleet
from famachat_ml_pipeline.evaluation.forecasts import evaluate_csv, evaluate_synthetic, format_report
from famachat_ml_pipeline.evaluation.synthetic import fleet_to_daily, synthetic_ad_fleet

TAXI = Path("/work/shared/data/nab/realKnownCause/nyc_taxi.csv")


def bench_fleet(campaigns: int, days: int, horizon: int) -> None:
    fleet = synthetic_ad_fleet(campaigns, days, seed=3)
    daily = fleet_to_daily(fleet)
    as_of = daily["date"].max()
    t0, c0 = time.perf_counter(), time.process_time()
    out = forecast_fleet(daily, as_of, horizon, "auto")
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    finite = all(np.isfinite(out[c].to_numpy()).all() for c in ("predicted_value", "confidence_upper"))
    # CPU seconds too: on a shared machine the wall clock mostly measures the neighbours
    print(
        f"[fleet] forecast_fleet(auto): {campaigns} campaigns x {days} days, 3 metrics, h={horizon}: "
        f"{secs:.1f} s wall, {cpu:.1f} s CPU, {out.height} rows, all finite: {finite}"
    )


def _sm_fit(y: np.ndarray, h: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = y[~np.isnan(y)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = ExponentialSmoothing(y, trend="add", damped_trend=True, seasonal="add", seasonal_periods=7)
            return m.fit().forecast(h)
        except Exception:  # statsmodels fails on some degenerate series; count it as a fit anyway
            return np.full(h, y[-7:].mean())


def bench_statsmodels(sample: int, campaigns: int, days: int, horizon: int) -> None:
    fleet = synthetic_ad_fleet(sample, days, seed=3)
    Y = fleet.spend
    t0 = time.perf_counter()
    for row in Y:
        _sm_fit(row, horizon)
    per_series = (time.perf_counter() - t0) / sample
    t0 = time.perf_counter()
    POINT_METHODS["hw"](Y, np.array([days]), horizon)
    vec_sample = time.perf_counter() - t0
    big = synthetic_ad_fleet(campaigns, days, seed=4).spend
    t0 = time.perf_counter()
    POINT_METHODS["hw"](big, np.array([days]), horizon)
    vec_fleet = time.perf_counter() - t0
    fits = campaigns * 2  # spend and leads; CPL is derived
    print(
        f"[statsmodels] ExponentialSmoothing(add damped, add seasonal 7).fit(): {per_series * 1e3:.1f} ms "
        f"per series (mean of {sample})"
    )
    one, with_backtest = per_series * fits, per_series * fits * 29 / 60
    print(
        f"[statsmodels] one fit per series for {campaigns} campaigns x 2 metrics: ~{one:.0f} s on 1 core; "
        f"with auto's 28-origin backtest (29 fits per series): ~{with_backtest:.0f} min"
    )
    print(
        f"[vectorised] hw (30-point grid, one pass): {sample} series {vec_sample * 1e3:.0f} ms; "
        f"{campaigns} series {vec_fleet:.2f} s per metric, all rolling origins included"
    )


def bench_accuracy(n: int, days: int, horizon: int) -> None:
    print(format_report(evaluate_synthetic(n, days, horizon)))
    if TAXI.exists():
        print()
        print(format_report(evaluate_csv(TAXI, "timestamp", "value", horizon, n_origins=1000, step=1)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--campaigns", type=int, default=12_000)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--horizon", type=int, default=7)
    p.add_argument("--sm-sample", type=int, default=100, help="series fitted with statsmodels")
    p.add_argument("--eval-campaigns", type=int, default=2000)
    p.add_argument("--eval-days", type=int, default=120)
    p.add_argument("--skip-accuracy", action="store_true")
    p.add_argument("--skip-statsmodels", action="store_true")
    a = p.parse_args()
    bench_fleet(a.campaigns, a.days, a.horizon)
    if not a.skip_statsmodels:
        bench_statsmodels(a.sm_sample, a.campaigns, a.days, a.horizon)
    if not a.skip_accuracy:
        print()
        bench_accuracy(a.eval_campaigns, a.eval_days, a.horizon)


if __name__ == "__main__":
    main()

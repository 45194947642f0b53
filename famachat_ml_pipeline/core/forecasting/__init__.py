"""Forecasts of spend, leads and CPL for every campaign of a fleet at once.

Pure functions: numpy matrices or polars frames in, numpy or polars out. No Dagster, no database.

Modules: `common` (constants, MatrixForecast, helpers), `point_methods` and `ets` (the methods),
`calibration` (scale and conformal quantiles), `matrix` (backtest, `auto`, intervals), `cpl`, `fleet`
(the daily frame in, the ml_predictions-shaped frame out). This package re-exports what others import.

The fleet is a matrix `Y` of shape (series, days). Every series ends on the same day (the as-of day) and
starts on its own first day; the days before that are NaN (left padding). Within a series there are no
gaps: the daily frame is dense and a day without delivery is a real zero.

Each method is computed for all series at once. A method returns point forecasts for a list of
*origins*: an origin `o` means "forecast with Y[:, :o] only", so the same code gives the final forecast
(o = T) and the rolling-origin backtest (o < T) used by `auto` and by interval calibration. The
recursive methods (EMA, exponential smoothing) produce every origin in a single pass over the days.

Methods
- `ema`: the seed's weighted EMA (section 4.3), with its own interval `std * z * sqrt(day)`. Baseline.
- `linear`: OLS on the whole history up to the origin. Baseline.
- `snaive`: seasonal naive, m = 7: the same weekday last week.
- `seasonal_mean`: mean of the same weekday over the last 4 weeks (seasonal naive that averages the
  Poisson noise of small counts away).
- `mean7`: mean of the last 7 days. Also the fallback when a series is too short.
- `ses`: simple exponential smoothing; alpha chosen per series and origin from a grid.
- `hw`: additive Holt-Winters with damped trend, ETS(A,Ad,A), m = 7; (alpha, beta, gamma) chosen per
  series and origin from a grid by the one-step squared error on data before the origin only.
- `ensemble`: the mean of hw, ses, seasonal_mean and mean7.
- `combo`: per day, the median of hw, ses and seasonal_mean; 0 after DORMANT_DAYS without delivery.
- `auto`: the production method, PRODUCTION_METHOD (`combo`). A fixed combination rather than a choice
  per series: a 28-origin backtest picks a method by luck on short noisy series, and the median of
  three is robust (measured on NAB-daily, the demo and the synthetic fleet: see
  benchmarks/bench_forecasting.py and `famachat-ml evaluate forecasts`). It also backtests three
  methods instead of eight, which is most of the fleet's forecasting time.
- `select`: the previous `auto`, kept for comparison: per series, chosen by a rolling-origin backtest on
  that series' own past (origins <= T - h); the candidate with the lowest scaled backtest error over
  all series of the call is the default, and a series switches to its own best candidate when that
  one's backtest MAE is at least SWITCH_MARGIN lower than the default's.

Intervals (every method except `ema`, which keeps the seed's formula as a baseline) are calibrated
conformally: backtest errors are divided by the series' recent scale (median |y_t - y_{t-7}| over the
last 28 days), and the conformal 2.5 % / 97.5 % quantiles of those scaled errors, per horizon day and
pooled over the series and origins of the call, give the interval `point + q * scale` (with fewer than
MIN_PER_HORIZON errors a day, one pool over the days after dividing each by sqrt(day)). In the pool each
error of a series weighs 1 / k, k its origins with errors (`series_weights`): every series counts once,
so a few long series do not set the tails of many short ones (a fleet whose series all have as many
origins is unweighted, as before). Each series' own quantile (its errors divided by the pooled per-day
width, so pooled over its days) is blended in with the weight k / (k + SHRINK_PRIOR), k being its
number of backtest origins, and is taken at the
finite-sample level ceil((k + 1) q) / k: the h errors of one origin overlap in their targets, so k,
not k * h, is what a series knows of its tail (`calibrate_series`). A series younger than MIN_HISTORY
has no usable scale of its own: it gets the quantiles of the relative errors (error / recent level)
of the fleet's series-origins that were as young, when there are MIN_YOUNG of them
(`calibrate_young`, Mondrian conformal by age). Counts and spend are non-negative, so the points and
both bounds are clipped at 0; the clipping is applied before calibration, so the calibration sees
what is reported.

CPL (`cpl.derive_cpl`) is expected spend / max(expected leads, 1). Its bounds are conformal too, on the
backtest's log(actual CPL / forecast CPL) over the days with a lead, per class of expected leads (a
day's CPL divides by a count, so its relative noise follows the lead volume); the components' Bonferroni
bounds only where a class has too few backtest days.

A run of one account pools only its own campaigns; `forecast_fleet_parts(lent=...)` takes the fleet
run's calibration of the same day instead (`FleetCalibration`: the backtest depth and the pooled, young
and CPL multipliers), so that a one-account run gives its campaigns the bounds the fleet run gave them.
"""

from famachat_ml_pipeline.core.forecasting.calibration import (
    backtest_origins,
    calibrate,
    calibrate_series,
    calibrate_young,
    finite_sample_level,
    recent_level,
    recent_scale,
    series_weights,
)
from famachat_ml_pipeline.core.forecasting.common import (
    AUTO_CANDIDATES,
    BASELINES,
    BUDGET_OVERSPEND,
    COMBO_MEMBERS,
    DEFAULT_METHOD,
    ENSEMBLE_MEMBERS,
    FALLBACK_METHOD,
    FORECAST_MODEL_VERSION,
    LEVEL,
    MAX_HISTORY,
    METHODS,
    METRICS,
    MIN_HISTORY,
    N_BACKTEST,
    PRODUCTION_METHOD,
    SEASON,
    Z95,
    MatrixForecast,
    first_valid,
    nanmean,
)
from famachat_ml_pipeline.core.forecasting.cpl import CplForecast, derive_cpl
from famachat_ml_pipeline.core.forecasting.ets import HW_GRID, SES_GRID, EtsGrid, ets_forecasts
from famachat_ml_pipeline.core.forecasting.fleet import (
    OUTPUT_SCHEMA,
    FleetCalibration,
    fleet_matrix,
    forecast_fleet,
    forecast_fleet_parts,
)
from famachat_ml_pipeline.core.forecasting.matrix import (
    Calibration,
    calibration_depth,
    forecast_matrix,
    forecast_matrix_all,
    forecast_matrix_levels,
    select_methods,
)
from famachat_ml_pipeline.core.forecasting.point_methods import (
    POINT_METHODS,
    ema_forecasts,
    linear_forecasts,
    mean7_forecasts,
    seasonal_mean_forecasts,
    snaive_forecasts,
)

__all__ = [
    "AUTO_CANDIDATES",
    "BASELINES",
    "BUDGET_OVERSPEND",
    "COMBO_MEMBERS",
    "DEFAULT_METHOD",
    "ENSEMBLE_MEMBERS",
    "FALLBACK_METHOD",
    "HW_GRID",
    "LEVEL",
    "MAX_HISTORY",
    "METHODS",
    "METRICS",
    "MIN_HISTORY",
    "N_BACKTEST",
    "PRODUCTION_METHOD",
    "OUTPUT_SCHEMA",
    "POINT_METHODS",
    "SEASON",
    "SES_GRID",
    "Z95",
    "CplForecast",
    "EtsGrid",
    "MatrixForecast",
    "backtest_origins",
    "calibrate",
    "calibrate_series",
    "calibrate_young",
    "finite_sample_level",
    "calibration_depth",
    "derive_cpl",
    "ema_forecasts",
    "ets_forecasts",
    "first_valid",
    "fleet_matrix",
    "forecast_fleet",
    "forecast_fleet_parts",
    "FleetCalibration",
    "FORECAST_MODEL_VERSION",
    "Calibration",
    "forecast_matrix",
    "forecast_matrix_all",
    "forecast_matrix_levels",
    "linear_forecasts",
    "mean7_forecasts",
    "nanmean",
    "recent_level",
    "recent_scale",
    "seasonal_mean_forecasts",
    "select_methods",
    "series_weights",
    "snaive_forecasts",
]

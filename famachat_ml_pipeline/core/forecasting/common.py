"""Constants, the result type and the small matrix helpers shared by every forecasting module.

The fleet is a matrix `Y` of shape (series, days), NaN before each series' start (left padding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEASON = 7
Z95 = 1.959963984540054
LEVEL = 0.95
MIN_HISTORY = 14  # days; fewer than this is `insufficient_data` and falls back to `mean7`
# A fleet's intervals are calibrated on backtest origins at which the series had this many days: its scale
# (median weekly change, SCALE_WINDOW) then rests on two weeks of changes at least. On fewer, the median of
# a handful of changes can be a tenth of the usual (a calm week), and the errors it scales run into the
# tens: in a pool they widened every series' interval (random fleets of six real series of two months
# covered 0.981, now 0.953: benchmarks/forecast_young_fleets.py). A lone series keeps them, as does a pool
# none of whose series is that old yet: they are all it knows of its tail.
CAL_MIN_AGE = MIN_HISTORY + SEASON
N_BACKTEST = 28  # rolling origins (one per day) used by `auto`, and the least the calibration uses
# The calibration wants about CAL_TARGET scaled errors per horizon day. A fleet has them from its 28
# origins; a lone series reaches further back (up to CAL_MAX_ORIGINS days): 28 consecutive origins
# of one series are a handful of independent errors, too few for a 2.5 % tail (coverage 0.74-0.90
# on NAB series before this).
CAL_TARGET = 2000
CAL_MAX_ORIGINS = 182
# Pseudo-count, in backtest origins, of the pooled quantile against a series' own (calibrate_series).
# Origins, not errors: the h errors of one origin share most of their information (overlapping
# targets), so a series' 28 origins are ~28 observations of its tail, not 196. Chosen on the tuning
# half of NAB-daily and the demo fleet (10, 20, 30, 50, 100 tried; see `evaluate forecasts`).
SHRINK_PRIOR = 30.0
# A series younger than MIN_HISTORY is calibrated on the fleet's backtest errors of series that were
# as young (Mondrian conformal by age), relative to their level; it needs this many such series-origins.
MIN_YOUNG = 50
LEVEL_WINDOW = 7  # days whose mean |y| is a young series' level
SCALE_WINDOW = 28  # days of recent history that define a series' scale
MAX_HISTORY = 182  # days read per series by `forecast_fleet`; older days barely move the forecasts
# scaled errors needed to calibrate each horizon day on its own (issue 13: quantiles per horizon): a lone
# series at full depth has CAL_MAX_ORIGINS of them, and gets them (at 200 it never did; the 97.5 % quantile
# is then the 4th largest of 182); fewer are pooled over days after dividing by sqrt(day)
MIN_PER_HORIZON = CAL_MAX_ORIGINS
BUDGET_OVERSPEND = 1.25  # Meta may spend up to 25 % over the daily budget on a given day

METHODS = ("ema", "linear", "snaive", "seasonal_mean", "mean7", "ses", "hw", "ensemble", "combo")
ENSEMBLE_MEMBERS = ("hw", "ses", "seasonal_mean", "mean7")
# `combo`, the production method (`auto`): per day, the median of damped Holt-Winters, SES and the
# seasonal mean. A fixed combination has no per-series choice to get wrong by luck on a short noisy
# backtest; the median follows the two that agree (seasonal or flat, trending or not).
COMBO_MEMBERS = ("hw", "ses", "seasonal_mean")
# `combo`'s SES is seasonally adjusted by a weekday profile of PROFILE_WEEKS weeks once a series has
# SEASONAL_SES_DAYS of history: a full profile, then as many weeks adjusted by full profiles
PROFILE_WEEKS = 8
SEASONAL_SES_DAYS = 2 * SEASON * PROFILE_WEEKS
DORMANT_DAYS = 28  # `combo` forecasts 0 after this many days without delivery (seasonal_mean's window)
PRODUCTION_METHOD = "combo"  # what `auto` forecasts with
# ml_forecasts.model_version; a stored calibration (db.forecast_calibration) is borrowed only by its version
FORECAST_MODEL_VERSION = "forecast-3"  # 3: a fleet calibrates from CAL_MIN_AGE days
# `select`: the previous `auto`, per-series selection by a 28-origin backtest; kept for comparison
SELECT_CANDIDATES = ("ensemble", "hw", "ses", "seasonal_mean", "mean7", "snaive", "ema", "linear")
AUTO_CANDIDATES = SELECT_CANDIDATES
DEFAULT_METHOD = "ensemble"  # used by `select` when no series of the call has a backtest origin yet
SWITCH_MARGIN = 0.2  # a series leaves the fleet's default only for a candidate >= 20 % better on its past
FALLBACK_METHOD = "mean7"
BASELINES = ("ema", "snaive")
METRICS = ("spend", "leads", "cpl")


@dataclass(frozen=True)
class MatrixForecast:
    """Forecasts of one metric for every series: arrays of shape (series, horizon)."""

    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: np.ndarray  # (series,) the method used for each series
    insufficient: np.ndarray  # (series,) bool
    # the rolling-origin backtest behind the intervals, (origins, series, horizon): each series' points by
    # its method, and the actuals (NaN past the data); None when the forecast did not come from one
    backtest_point: np.ndarray | None = None
    backtest_actual: np.ndarray | None = None


# --------------------------------------------------------------------------------------------------
# helpers on the padded matrix


def nanmean(a: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """np.nanmean without the all-NaN warning (NaN where nothing is observed)."""
    ok = ~np.isnan(a)
    cnt = ok.sum(axis=axis)
    tot = np.where(ok, a, 0.0).sum(axis=axis)
    return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)


def first_valid(Y: np.ndarray) -> np.ndarray:
    """Index of each series' first observed day (T when the series is empty)."""
    valid = ~np.isnan(Y)
    return np.where(valid.any(axis=1), valid.argmax(axis=1), Y.shape[1])


def _horizon_index(origins: np.ndarray, h: int) -> np.ndarray:
    """(K, h) absolute day index of each forecast target."""
    return origins[:, None] + np.arange(h)[None, :]


def _last_value(Y: np.ndarray, o: int) -> np.ndarray:
    return Y[:, o - 1] if o >= 1 else np.full(Y.shape[0], np.nan)

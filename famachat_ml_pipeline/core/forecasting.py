"""Forecasts of spend, leads and CPL for every campaign of a fleet at once.

Pure functions: numpy matrices or polars frames in, numpy or polars out. No Dagster, no database.

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
- `ensemble`: the mean of hw, ses, seasonal_mean and mean7 (combinations are robust on noisy series).
- `auto`: per series, chosen by a rolling-origin backtest on that series' own past (origins <= T - h,
  so every backtest target is a past day). The candidate with the lowest scaled backtest error over
  all series of the call is the default; a series switches to its own best candidate when that one's
  backtest MAE is at least SWITCH_MARGIN lower than the default's. The margin keeps a noisy 28-day
  backtest from picking a method by luck (measured: it turns a wash against the seed EMA into a gain
  on the synthetic fleet; see benchmarks/bench_forecasting.py). With one series it is plain selection.

Intervals (every method except `ema`, which keeps the seed's formula as a baseline) are calibrated
conformally: backtest errors are divided by the series' recent scale (mean |y_t - y_{t-7}| over the last
28 days), and the empirical 2.5 % / 97.5 % quantiles of those scaled errors, pooled over the series
and origins of the call, give the interval `point + q * scale`. Counts and spend are non-negative, so
the points and both bounds are clipped at 0; the clipping is applied before calibration, so the
calibration sees what is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import polars as pl

SEASON = 7
Z95 = 1.959963984540054
LEVEL = 0.95
MIN_HISTORY = 14  # days; fewer than this is `insufficient_data` and falls back to `mean7`
N_BACKTEST = 28  # rolling origins (one per day) used by `auto` and by the calibration
SCALE_WINDOW = 28  # days of recent history that define a series' scale
MAX_HISTORY = 182  # days read per series by `forecast_fleet`; older days barely move the forecasts
MIN_PER_HORIZON = 200  # scaled errors needed to calibrate each horizon day on its own
BUDGET_OVERSPEND = 1.25  # Meta may spend up to 25 % over the daily budget on a given day
INACTIVE_STATUSES = ("PAUSED", "DELETED", "ARCHIVED")

METHODS = ("ema", "linear", "snaive", "seasonal_mean", "mean7", "ses", "hw", "ensemble")
ENSEMBLE_MEMBERS = ("hw", "ses", "seasonal_mean", "mean7")
AUTO_CANDIDATES = ("ensemble", "hw", "ses", "seasonal_mean", "mean7", "snaive", "ema", "linear")
DEFAULT_METHOD = "ensemble"  # used by `auto` when no series of the call has a backtest origin yet
SWITCH_MARGIN = 0.2  # a series leaves the fleet's default only for a candidate >= 20 % better on its past
FALLBACK_METHOD = "mean7"
BASELINES = ("ema", "snaive")
METRICS = ("spend", "leads", "cpl")

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_id": pl.String(),
    "metric": pl.String(),
    "target_date": pl.Date(),
    "horizon_day": pl.Int32(),
    "predicted_value": pl.Float64(),
    "confidence_lower": pl.Float64(),
    "confidence_upper": pl.Float64(),
    "method": pl.String(),
    "insufficient_data": pl.Boolean(),
    "low_volume": pl.Boolean(),
}


@dataclass(frozen=True)
class MatrixForecast:
    """Forecasts of one metric for every series: arrays of shape (series, horizon)."""

    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: np.ndarray  # (series,) the method used for each series
    insufficient: np.ndarray  # (series,) bool


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


# --------------------------------------------------------------------------------------------------
# point methods: fn(Y, origins, h) -> (K, n, h)


def ema_forecasts(Y: np.ndarray, origins: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The seed's EMA, exactly: pandas `ewm(span).mean()` with adjust=True, spans 3/7/14.

    Returns the points and the seed's half-width `std * z * sqrt(day)`, std being the sample standard
    deviation (ddof=1, as pandas) of the history up to the origin.
    """
    n, T = Y.shape
    valid = ~np.isnan(Y)
    X = np.where(valid, Y, 0.0)
    decay = np.array([1.0 - 2.0 / (span + 1.0) for span in (3, 7, 14)])[:, None]
    num = np.zeros((3, n))
    den = np.zeros((3, n))
    cnt = np.zeros(n)
    s1 = np.zeros(n)
    s2 = np.zeros(n)
    days = np.arange(1, h + 1, dtype=float)
    points = np.full((len(origins), n, h), np.nan)
    half = np.full((len(origins), n, h), np.nan)
    wanted = {int(o): k for k, o in enumerate(origins)}
    for t in range(T + 1):
        if t in wanted:
            k = wanted[t]
            with np.errstate(invalid="ignore", divide="ignore"):
                short, medium, long_ = num / den
                var = (s2 - s1**2 / cnt) / (cnt - 1)
            base = 0.5 * short + 0.3 * medium + 0.2 * long_
            trend = (short - long_) / 14.0
            points[k] = base[:, None] + trend[:, None] * days[None, :] * 0.5
            std = np.sqrt(np.clip(var, 0.0, None))
            half[k] = std[:, None] * Z95 * np.sqrt(days)[None, :]
        if t == T:
            break
        v = valid[:, t]
        x = X[:, t]
        num = np.where(v, x + decay * num, num)
        den = np.where(v, 1.0 + decay * den, den)
        cnt += v
        s1 += x
        s2 += x * x
    return points, half


def linear_forecasts(Y: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
    """OLS of y on the day index over the whole observed history before each origin."""
    n, T = Y.shape
    valid = ~np.isnan(Y)
    X = np.where(valid, Y, 0.0)
    t = np.arange(T, dtype=float)[None, :]

    # prefix sums with a leading zero column: column o sums days [0, o)
    def csum(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros((n, 1)), np.cumsum(a, axis=1)], axis=1)

    c, sy, st = csum(valid.astype(float)), csum(X), csum(valid * t)
    stt, sty = csum(valid * t * t), csum(X * t)
    out = np.full((len(origins), n, h), np.nan)
    for k, o in enumerate(origins):
        cnt = c[:, o]
        with np.errstate(invalid="ignore", divide="ignore"):
            mt, my = st[:, o] / cnt, sy[:, o] / cnt
            sxx = stt[:, o] - cnt * mt * mt
            slope = np.where(sxx > 1e-9, (sty[:, o] - cnt * mt * my) / sxx, 0.0)
        target = o + np.arange(h, dtype=float)
        out[k] = (my - slope * mt)[:, None] + slope[:, None] * target[None, :]
    return out


def snaive_forecasts(Y: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
    """Same weekday one week before; the last value while a series has less than a week."""
    out = np.full((len(origins), Y.shape[0], h), np.nan)
    for k, o in enumerate(origins):
        idx = o - SEASON + (np.arange(h) % SEASON)
        vals = Y[:, idx] if idx.min() >= 0 else np.full((Y.shape[0], h), np.nan)
        out[k] = np.where(np.isnan(vals), _last_value(Y, o)[:, None], vals)
    return out


def seasonal_mean_forecasts(Y: np.ndarray, origins: np.ndarray, h: int, weeks: int = 4) -> np.ndarray:
    """Mean of the same weekday over the last `weeks` weeks (those observed)."""
    out = np.full((len(origins), Y.shape[0], h), np.nan)
    for k, o in enumerate(origins):
        idx = o - SEASON * np.arange(1, weeks + 1)[:, None] + (np.arange(h) % SEASON)[None, :]
        ok = idx >= 0
        vals = np.where(ok[None], Y[:, np.clip(idx, 0, None)], np.nan)  # (n, weeks, h)
        m = nanmean(vals, axis=1)
        out[k] = np.where(np.isnan(m), _last_value(Y, o)[:, None], m)
    return out


def mean7_forecasts(Y: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
    """Flat forecast: the mean of the last 7 observed days."""
    out = np.full((len(origins), Y.shape[0], h), np.nan)
    for k, o in enumerate(origins):
        window = Y[:, max(o - SEASON, 0) : o]
        m = nanmean(window, axis=1)
        out[k] = m[:, None]
    return out


@dataclass(frozen=True)
class EtsGrid:
    alphas: tuple[float, ...]
    betas: tuple[float, ...] = (0.0,)
    gammas: tuple[float, ...] = (0.0,)
    phi: float = 0.9
    seasonal: bool = False


SES_GRID = EtsGrid(alphas=(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0))
HW_GRID = EtsGrid(
    alphas=(0.05, 0.1, 0.2, 0.35, 0.6), betas=(0.0, 0.03), gammas=(0.05, 0.15, 0.3), seasonal=True
)


def _ets_init(Y: np.ndarray, start: np.ndarray, seasonal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Level = mean of the first week; seasonal states = first week's deviations, indexed by t % 7."""
    n, T = Y.shape
    idx = start[:, None] + np.arange(SEASON)[None, :]
    inside = idx < T
    vals = np.where(inside, Y[np.arange(n)[:, None], np.clip(idx, 0, T - 1)], np.nan)
    level = nanmean(vals, axis=1)
    seas = np.zeros((SEASON, n))
    if seasonal:
        dev = np.nan_to_num(vals - level[:, None])
        phase = idx % SEASON
        for j in range(SEASON):
            seas[phase[:, j], np.arange(n)] = dev[:, j]
    return level, seas


def ets_forecasts(Y: np.ndarray, origins: np.ndarray, h: int, grid: EtsGrid) -> np.ndarray:
    """Additive ETS in error-correction form, for every grid point and every series in one pass.

    l_t = l + phi*b + alpha*e,  b_t = phi*b + beta*e,  s_t = s_{t-7} + gamma*e.
    At each origin the grid point with the lowest cumulative one-step SSE *before the origin* is used,
    so the backtest never chooses parameters with data from its own future. The first week of each
    series only initialises the states.
    """
    n, T = Y.shape
    combos = np.array(list(product(grid.alphas, grid.betas, grid.gammas)))
    a, b_, g = (combos[:, i][:, None] for i in range(3))
    G = len(combos)
    start = first_valid(Y)
    level0, seas0 = _ets_init(Y, start, grid.seasonal)
    L = np.repeat(level0[None, :], G, axis=0)
    B = np.zeros((G, n))
    S = np.repeat(seas0[:, None, :], G, axis=1)  # (7, G, n): S[p] is contiguous
    sse = np.zeros((G, n))
    begin = start + SEASON
    phi = grid.phi if grid.betas != (0.0,) else 1.0
    damp = np.cumsum(phi ** np.arange(1, h + 1)) if grid.betas != (0.0,) else np.zeros(h)
    cols = np.arange(n)
    out = np.full((len(origins), n, h), np.nan)
    wanted = {int(o): k for k, o in enumerate(origins)}
    for t in range(T + 1):
        if t in wanted:
            best = sse.argmin(axis=0)
            lb, bb = L[best, cols], B[best, cols]
            phases = (t + np.arange(h)) % SEASON
            sb = S[:, best, cols][phases].T  # (n, h)
            out[wanted[t]] = lb[:, None] + damp[None, :] * bb[:, None] + sb
        if t == T:
            break
        y = Y[:, t]
        active = (t >= begin) & ~np.isnan(y)
        p = t % SEASON
        e = np.where(active, y - (L + phi * B + S[p]), 0.0)
        # inactive: e = 0 and B = 0 leave the states untouched
        L = L + phi * B + a * e
        B = phi * B + b_ * e
        if grid.seasonal:
            S[p] += g * e
        sse += e * e
    return out


POINT_METHODS: dict[str, Callable[[np.ndarray, np.ndarray, int], np.ndarray]] = {
    "linear": linear_forecasts,
    "snaive": snaive_forecasts,
    "seasonal_mean": seasonal_mean_forecasts,
    "mean7": mean7_forecasts,
    "ses": lambda Y, o, h: ets_forecasts(Y, o, h, SES_GRID),
    "hw": lambda Y, o, h: ets_forecasts(Y, o, h, HW_GRID),
    "ema": lambda Y, o, h: ema_forecasts(Y, o, h)[0],
    "ensemble": lambda Y, o, h: np.mean([POINT_METHODS[m](Y, o, h) for m in ENSEMBLE_MEMBERS], axis=0),
}


# --------------------------------------------------------------------------------------------------
# scale, backtest and calibration


def recent_scale(Y: np.ndarray, origins: np.ndarray, window: int = SCALE_WINDOW) -> np.ndarray:
    """(K, n) mean |y_t - y_{t-7}| over the last `window` days before each origin.

    Falls back to the lag-1 version when the seasonal one is 0 or undefined; 0 means the series was
    constant, and then the calibrated interval collapses to the point.
    """
    out = np.full((len(origins), Y.shape[0]), np.nan)
    for lag in (SEASON, 1):
        d = np.abs(Y[:, lag:] - Y[:, :-lag])  # d[:, j] is the change at day j + lag
        ok = ~np.isnan(d)
        cs = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(np.where(ok, d, 0.0), axis=1)], axis=1)
        cc = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(ok, axis=1)], axis=1)
        for k, o in enumerate(origins):
            hi = max(o - lag, 0)
            lo = max(o - window - lag, 0)
            cnt = cc[:, hi] - cc[:, lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                val = (cs[:, hi] - cs[:, lo]) / cnt
            fill = np.isnan(out[k]) | (out[k] == 0)
            out[k] = np.where(fill & (cnt > 0), val, out[k])
    return np.nan_to_num(out, nan=0.0)


def backtest_origins(T: int, h: int, n_backtest: int = N_BACKTEST) -> np.ndarray:
    """Daily rolling origins whose whole horizon lies inside the observed days."""
    last = T - h
    return np.arange(max(last - n_backtest + 1, 1), last + 1) if last >= 1 else np.array([], dtype=int)


def _conformal_quantile(z: np.ndarray, q: float) -> float:
    """Finite-sample conformal quantile of a 1-D sample (the k-th order statistic, k = ceil((n+1)q))."""
    n = z.size
    if n == 0:
        return np.nan
    k = int(np.ceil((n + 1) * q))
    zs = np.sort(z)
    return float(zs[min(max(k, 1), n) - 1])


def calibrate(errors: np.ndarray, scale: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper multipliers (h,) of the scale from backtest errors (K, n, h) = actual - point.

    With at least MIN_PER_HORIZON usable errors per horizon day, each day gets its own quantiles.
    Otherwise (a single series, say) the errors are pooled over days after dividing by sqrt(day), and
    widened back by sqrt(day): the usual random-walk growth, which keeps the sample large enough.
    """
    h = errors.shape[2]
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None]
    usable = np.isfinite(z) & (scale[:, :, None] > 0)
    counts = usable.reshape(-1, h).sum(axis=0)
    lo, hi = np.full(h, np.nan), np.full(h, np.nan)
    if counts.min() >= MIN_PER_HORIZON:
        for j in range(h):
            zj = z[:, :, j][usable[:, :, j]]
            lo[j] = _conformal_quantile(zj, alpha / 2)
            hi[j] = _conformal_quantile(zj, 1 - alpha / 2)
        # keep the interval non-shrinking with the horizon: later days are not more certain
        return np.minimum.accumulate(np.minimum(lo, 0.0)), np.maximum.accumulate(np.maximum(hi, 0.0))
    root = np.sqrt(np.arange(1, h + 1))
    pooled = (z / root[None, None, :])[usable]
    if pooled.size < 20:
        # too little past to calibrate: a wide normal-like default, documented as such
        return -3.0 * root, 3.0 * root
    return min(_conformal_quantile(pooled, alpha / 2), 0.0) * root, max(
        _conformal_quantile(pooled, 1 - alpha / 2), 0.0
    ) * root


@dataclass(frozen=True)
class _Backtest:
    origins: np.ndarray  # (K,) backtest origins; the final origin T is not included
    points: dict[str, np.ndarray]  # method -> (K + 1, n, h), the last slice being the forecast
    actual: np.ndarray  # (K, n, h)
    scale: np.ndarray  # (K + 1, n)
    evaluable: np.ndarray  # (K, n) series with MIN_HISTORY days at the origin
    ema_half: np.ndarray  # (n, h) the seed's own half-width at the final origin


def _run_backtest(Y: np.ndarray, h: int, methods: Sequence[str], nonneg: bool, n_backtest: int) -> _Backtest:
    T = Y.shape[1]
    bt = backtest_origins(T, h, n_backtest)
    origins = np.append(bt, T).astype(int)
    points: dict[str, np.ndarray] = {}
    ema_half = np.full((Y.shape[0], h), np.nan)
    wanted = [*methods, FALLBACK_METHOD]
    if "ensemble" in wanted:  # members first, so that the ensemble reuses their points
        wanted = [*ENSEMBLE_MEMBERS, *wanted]
    for m in dict.fromkeys(wanted):
        if m == "ensemble":
            points[m] = np.mean([points[k] for k in ENSEMBLE_MEMBERS], axis=0)
            continue
        if m == "ema":
            p, half = ema_forecasts(Y, origins, h)
            ema_half = half[-1]
        else:
            p = POINT_METHODS[m](Y, origins, h)
        points[m] = np.clip(p, 0.0, None) if nonneg else p
    if len(bt):
        Ypad = np.concatenate([Y, np.full((Y.shape[0], h), np.nan)], axis=1)
        actual = np.transpose(Ypad[:, _horizon_index(bt, h)], (1, 0, 2))
    else:
        actual = np.empty((0, Y.shape[0], h))
    start = first_valid(Y)
    evaluable = (bt[:, None] - start[None, :]) >= MIN_HISTORY
    return _Backtest(bt, points, actual, recent_scale(Y, origins), evaluable, ema_half)


def _interval(bt: _Backtest, method: str, nonneg: bool, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated bounds (n, h) at the final origin for one method."""
    point = bt.points[method][-1]
    err = bt.actual - bt.points[method][:-1]
    err = np.where(bt.evaluable[:, :, None], err, np.nan)
    lo, hi = calibrate(err, bt.scale[:-1], level)
    s = bt.scale[-1][:, None]
    lower, upper = point + lo[None, :] * s, point + hi[None, :] * s
    if nonneg:
        lower, upper = np.clip(lower, 0.0, None), np.clip(upper, 0.0, None)
    return lower, upper


def select_methods(bt: _Backtest, candidates: Sequence[str], margin: float = SWITCH_MARGIN) -> np.ndarray:
    """Per series, the method `auto` uses (see the module docstring). Only backtest errors: past days."""
    n = bt.scale.shape[1]
    mae = (
        np.vstack(
            [
                nanmean(
                    np.where(bt.evaluable[:, :, None], np.abs(bt.actual - bt.points[m][:-1]), np.nan), (0, 2)
                )
                for m in candidates
            ]
        )
        if len(bt.origins)
        else np.full((len(candidates), n), np.nan)
    )  # (M, n)
    scale = np.where(bt.scale[-1] > 0, bt.scale[-1], np.nan)
    fleet = nanmean(np.where(np.isfinite(mae / scale), mae / scale, np.nan), axis=1)
    names = np.array(candidates, dtype=object)
    if not np.isfinite(fleet).any():
        return np.full(n, DEFAULT_METHOD if DEFAULT_METHOD in candidates else candidates[0], dtype=object)
    default = int(np.nanargmin(fleet))
    own = np.where(np.isfinite(mae), mae, np.inf)
    best = own.argmin(axis=0)
    switch = own[best, np.arange(n)] < (1.0 - margin) * own[default]
    return np.where(switch, names[best], names[default])


def forecast_matrix_levels(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = ("auto",),
    levels: Sequence[float] = (LEVEL,),
    *,
    nonneg: bool = True,
    n_backtest: int = N_BACKTEST,
    candidates: Sequence[str] = AUTO_CANDIDATES,
) -> dict[tuple[str, float], MatrixForecast]:
    """Forecast every series of `Y` with each of `methods` (METHODS or "auto"), at each interval level.

    One backtest serves every method and level. A series with fewer than MIN_HISTORY observed days is
    flagged insufficient and forecast with FALLBACK_METHOD whatever the method asked for.
    """
    unknown = set(methods) - set(METHODS) - {"auto"}
    if unknown:
        raise ValueError(f"unknown forecasting method(s): {sorted(unknown)}")
    Y = np.asarray(Y, dtype=float)
    n, T = Y.shape
    base = [m for m in methods if m != "auto"] + (list(candidates) if "auto" in methods else [])
    bt = _run_backtest(Y, horizon, base, nonneg, n_backtest)
    insufficient = (T - first_valid(Y)) < MIN_HISTORY
    chosen_by = {}
    for m in methods:
        picked = select_methods(bt, candidates) if m == "auto" else np.array([m] * n, dtype=object)
        chosen_by[m] = np.where(insufficient, FALLBACK_METHOD, picked).astype(str)
    results: dict[tuple[str, float], MatrixForecast] = {}
    for level in levels:
        bounds = {m: _interval(bt, m, nonneg, level) for m in bt.points}
        for m in methods:
            chosen = chosen_by[m]
            point, lower, upper = (np.full((n, horizon), np.nan) for _ in range(3))
            for name in np.unique(chosen):
                rows = chosen == name
                lo, hi = _seed_bounds(bt, level, nonneg) if (name == "ema" and m == "ema") else bounds[name]
                point[rows], lower[rows], upper[rows] = bt.points[name][-1][rows], lo[rows], hi[rows]
            lower, upper = np.minimum(lower, point), np.maximum(upper, point)
            results[(m, level)] = MatrixForecast(point, lower, upper, chosen, insufficient)
    return results


def _seed_bounds(bt: _Backtest, level: float, nonneg: bool) -> tuple[np.ndarray, np.ndarray]:
    """The seed's own EMA interval (kept for the `ema` baseline; `auto` uses calibrated bounds)."""
    from scipy.stats import norm

    p = bt.points["ema"][-1]
    half = bt.ema_half * norm.ppf(0.5 + level / 2) / Z95
    lo, hi = p - half, p + half
    return (np.clip(lo, 0.0, None), np.clip(hi, 0.0, None)) if nonneg else (lo, hi)


def forecast_matrix_all(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = ("auto",),
    *,
    nonneg: bool = True,
    level: float = LEVEL,
    n_backtest: int = N_BACKTEST,
    candidates: Sequence[str] = AUTO_CANDIDATES,
) -> dict[str, MatrixForecast]:
    """`forecast_matrix_levels` at a single level, keyed by method."""
    res = forecast_matrix_levels(
        Y, horizon, methods, (level,), nonneg=nonneg, n_backtest=n_backtest, candidates=candidates
    )
    return {m: res[(m, level)] for m in methods}


def forecast_matrix(
    Y: np.ndarray,
    horizon: int = 7,
    method: str = "auto",
    *,
    nonneg: bool = True,
    level: float = LEVEL,
    n_backtest: int = N_BACKTEST,
) -> MatrixForecast:
    """Forecast every series (row) of `Y` (series x days, NaN before each series' start)."""
    return forecast_matrix_all(Y, horizon, (method,), nonneg=nonneg, level=level, n_backtest=n_backtest)[
        method
    ]


# --------------------------------------------------------------------------------------------------
# CPL


@dataclass(frozen=True)
class CplForecast:
    point: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    low_volume: np.ndarray  # (n, h) expected leads < 1 that day
    defined: np.ndarray  # (n, h) False when no spend is expected: no CPL row


def derive_cpl(
    spend: MatrixForecast,
    leads: MatrixForecast,
    spend_wide: MatrixForecast | None = None,
    leads_wide: MatrixForecast | None = None,
) -> CplForecast:
    """Daily CPL from the spend and leads forecasts, never from a ratio of noisy daily values.

    Rule:
    - point = expected spend / max(expected leads, 1). With >= 1 expected lead this is the ratio of the
      expected values. Below one expected lead a daily CPL exists only on a day that does get a lead,
      almost always a single one, so its CPL is that day's spend; such days are flagged `low_volume`.
    - bounds combine the components' bounds: lower = spend_lower / max(leads_upper, 1) and upper =
      spend_upper / max(leads_lower, 1). Passing component forecasts made at level 1 - (1 - level)/2
      (`*_wide`) makes it a Bonferroni interval: if each component is covered with probability
      1 - alpha/2, the CPL of a day with at least one lead is covered with probability >= 1 - alpha.
    - no expected spend (a stopped campaign): there is no cost to divide, `defined` is False and
      `forecast_fleet` drops the row rather than write a CPL of 0. All values are finite: the
      denominators are >= 1.
    """
    sw = spend_wide or spend
    lw = leads_wide or leads
    denom = np.maximum(leads.point, 1.0)
    point = spend.point / denom
    lower = sw.lower / np.maximum(lw.upper, 1.0)
    upper = sw.upper / np.maximum(lw.lower, 1.0)
    lower, upper = np.minimum(lower, point), np.maximum(upper, point)
    defined = spend.point > 0
    return CplForecast(point, lower, upper, leads.point < 1.0, defined)


# --------------------------------------------------------------------------------------------------
# the fleet entry point


def fleet_matrix(
    daily: pl.DataFrame, as_of: dt.date, columns: Sequence[str], max_history: int = MAX_HISTORY
) -> tuple[pl.DataFrame, list[dt.date], dict[str, np.ndarray]]:
    """Pivot the dense daily frame into one (campaigns x days) matrix per column.

    Days before a campaign's first row are NaN; a day inside its span without a row is 0 (source
    contract: no row means nothing was delivered); a day whose row was set aside is imputed, not zeroed.
    Only the last `max_history` days up to `as_of`.
    Returns the campaign keys (config_id, campaign_id, status, daily_budget at their last day), the
    dates of the columns and the matrices.
    """
    first_day = as_of - dt.timedelta(days=max_history - 1)
    d = daily.filter(pl.col("date") <= as_of)
    starts = d.group_by("config_id", "campaign_id").agg(pl.col("date").min().alias("_first"))
    last = (
        d.sort("date")
        .group_by("config_id", "campaign_id")
        .agg(pl.col("status").last(), pl.col("daily_budget").last())
    )
    keys = starts.join(last, on=["config_id", "campaign_id"]).sort("config_id", "campaign_id")
    keys = keys.with_row_index("_row")
    T = (as_of - max(first_day, keys["_first"].min() if keys.height else as_of)).days + 1
    start_day = as_of - dt.timedelta(days=T - 1)
    dates = [start_day + dt.timedelta(days=i) for i in range(T)]
    first_col = np.clip(
        keys.select((pl.col("_first") - pl.lit(start_day)).dt.total_days()).to_series().to_numpy(), 0, None
    )
    in_span = np.arange(T)[None, :] >= first_col[:, None]
    cells = (
        d.filter(pl.col("date") >= start_day)
        .join(keys.select("config_id", "campaign_id", "_row"), on=["config_id", "campaign_id"])
        .with_columns((pl.col("date") - pl.lit(start_day)).dt.total_days().alias("_col"))
    )
    rows, cols = cells["_row"].to_numpy(), cells["_col"].to_numpy()
    mats = {}
    for c in columns:
        M = np.where(in_span, 0.0, np.nan)
        vals = cells[c].cast(pl.Float64).to_numpy()  # null (a set-aside source row) -> NaN
        M[rows, cols] = np.clip(vals, 0.0, None)
        mats[c] = _impute_unknown_days(M, in_span)
    return keys.drop("_row"), dates, mats


def _impute_unknown_days(M: np.ndarray, in_span: np.ndarray) -> np.ndarray:
    """A day whose source row was set aside is unknown, not zero: take the same weekday a week earlier,
    else the day before (a missing row, by contrast, is already a real zero)."""
    out = M.copy()
    for lag in (7, 1):
        for _ in range(3):  # a few passes cover short runs of unknown days
            hole = np.isnan(out) & in_span
            if not hole.any():
                return out
            shifted = np.full_like(out, np.nan)
            shifted[:, lag:] = out[:, :-lag]
            out = np.where(hole, shifted, out)
    return np.where(np.isnan(out) & in_span, 0.0, out)


def _wider(level: float) -> float:
    return 1.0 - (1.0 - level) / 2.0


def forecast_fleet(
    daily: pl.DataFrame,
    as_of: dt.date,
    horizon: int = 7,
    method: str = "auto",
    *,
    level: float = LEVEL,
    respect_status: bool = True,
    max_history: int = MAX_HISTORY,
) -> pl.DataFrame:
    """One row per (config_id, entity_id, metric, target_date) for spend, leads and CPL.

    Only days <= as_of are read. Business rules on top of the statistical forecast:
    - a campaign whose status at as_of is PAUSED, DELETED or ARCHIVED is forecast to deliver nothing
      (0, bounds [0, 0], method "inactive"), unless `respect_status` is False;
    - spend (point and bounds) is capped at 1.25 x the daily budget when the campaign has one.
    CPL rows come from `derive_cpl`; a day with neither expected spend nor leads has no CPL row.
    """
    keys, _, mats = fleet_matrix(daily, as_of, ["spend", "leads"], max_history)
    n = keys.height
    if n == 0:
        return pl.DataFrame(schema=OUTPUT_SCHEMA)
    fc: dict[str, MatrixForecast] = {}
    wide: dict[str, MatrixForecast] = {}
    for metric in ("spend", "leads"):
        res = forecast_matrix_levels(mats[metric], horizon, (method,), (level, _wider(level)))
        fc[metric], wide[metric] = res[(method, level)], res[(method, _wider(level))]
    status = keys["status"].fill_null("").to_numpy().astype(str)
    inactive = np.isin(status, INACTIVE_STATUSES) if respect_status else np.zeros(n, dtype=bool)
    budget = keys["daily_budget"].fill_null(np.nan).to_numpy().astype(float)
    cap = np.where(np.isfinite(budget) & (budget > 0), BUDGET_OVERSPEND * budget, np.inf)[:, None]
    for bag in (fc, wide):
        for metric in ("spend", "leads"):
            bag[metric] = _apply_rules(bag[metric], inactive, cap if metric == "spend" else None)
    cpl = derive_cpl(fc["spend"], fc["leads"], wide["spend"], wide["leads"])
    dates = [as_of + dt.timedelta(days=j) for j in range(1, horizon + 1)]
    frames = [
        _long_frame(keys, dates, m, fc[m].point, fc[m].lower, fc[m].upper, fc[m].method, fc[m].insufficient)
        for m in ("spend", "leads")
    ]
    cpl_method = np.char.add(np.char.add(np.char.add("cpl:", fc["spend"].method), "/"), fc["leads"].method)
    cpl_frame = _long_frame(
        keys,
        dates,
        "cpl",
        cpl.point,
        cpl.lower,
        cpl.upper,
        cpl_method,
        fc["spend"].insufficient | fc["leads"].insufficient,
        cpl.low_volume,
        cpl.defined,
    )
    return pl.concat([*frames, cpl_frame]).cast(OUTPUT_SCHEMA)  # type: ignore[arg-type]


def _apply_rules(fc: MatrixForecast, inactive: np.ndarray, cap: np.ndarray | None) -> MatrixForecast:
    point, lower, upper = fc.point.copy(), fc.lower.copy(), fc.upper.copy()
    if cap is not None:
        point, lower, upper = np.minimum(point, cap), np.minimum(lower, cap), np.minimum(upper, cap)
    point[inactive], lower[inactive], upper[inactive] = 0.0, 0.0, 0.0
    method = np.where(inactive, "inactive", fc.method)
    return MatrixForecast(point, lower, upper, method, fc.insufficient)


def _long_frame(
    keys: pl.DataFrame,
    dates: list[dt.date],
    metric: str,
    point: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    method: np.ndarray,
    insufficient: np.ndarray,
    low_volume: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> pl.DataFrame:
    n, h = point.shape
    frame = pl.DataFrame(
        {
            "config_id": np.repeat(keys["config_id"].to_numpy(), h),
            "entity_id": np.repeat(keys["campaign_id"].to_numpy(), h),
            "metric": [metric] * (n * h),
            "target_date": pl.Series(dates * n, dtype=pl.Date),
            "horizon_day": np.tile(np.arange(1, h + 1, dtype=np.int32), n),
            "predicted_value": point.ravel(),
            "confidence_lower": lower.ravel(),
            "confidence_upper": upper.ravel(),
            "method": np.repeat(method, h),
            "insufficient_data": np.repeat(insufficient, h),
            "low_volume": (low_volume if low_volume is not None else np.zeros((n, h), bool)).ravel(),
        }
    )
    return frame.filter(pl.Series(keep.ravel())) if keep is not None else frame

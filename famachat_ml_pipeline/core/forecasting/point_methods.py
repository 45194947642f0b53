"""Point methods: fn(Y, origins, h) -> (K, n, h), every series and every origin at once.

An origin `o` means "forecast with Y[:, :o] only"; the recursive methods produce every origin in one pass.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from famachat_ml_pipeline.core.forecasting.common import (
    COMBO_MEMBERS,
    DORMANT_DAYS,
    ENSEMBLE_MEMBERS,
    SEASON,
    Z95,
    _last_value,
    nanmean,
)
from famachat_ml_pipeline.core.forecasting.ets import HW_GRID, SES_GRID, ets_forecasts


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


def dormant(Y: np.ndarray, origins: np.ndarray, days: int = DORMANT_DAYS) -> np.ndarray:
    """(K, n) True where the `days` days before the origin were all observed zeros."""
    c = np.concatenate([np.zeros((Y.shape[0], 1)), np.cumsum(np.nan_to_num(Y) != 0, axis=1)], axis=1)
    o = np.asarray(origins, dtype=int)
    full = o >= days
    nonzero = c[:, o] - c[:, np.maximum(o - days, 0)]
    observed = ~np.isnan(Y[:, np.maximum(o - days, 0)])  # the window's first day is inside the series
    return (full[None, :] & observed & (nonzero == 0)).T


def combine(members: list[np.ndarray], Y: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """The median of the members' points, 0 for a series that delivered nothing for DORMANT_DAYS: a damped
    trend would otherwise keep a stopped campaign's old level alive for weeks."""
    middle = median3(*members) if len(members) == 3 else np.median(members, axis=0)
    return np.where(dormant(Y, origins)[:, :, None], 0.0, middle)


def median3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """np.median([a, b, c], axis=0) without stacking and partitioning (3x faster on a fleet).

    max(min(a, b), min(max(a, b), c)) is the middle value itself; NaN where any is NaN, as np.median
    (np.minimum/maximum propagate NaN). `+ 0.0` turns -0.0 into 0.0, as np.median's mean of the middle
    value does, so the result is bit for bit np.median's (the sign bit of a NaN aside).
    """
    return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c)) + 0.0


POINT_METHODS: dict[str, Callable[[np.ndarray, np.ndarray, int], np.ndarray]] = {
    "linear": linear_forecasts,
    "snaive": snaive_forecasts,
    "seasonal_mean": seasonal_mean_forecasts,
    "mean7": mean7_forecasts,
    "ses": lambda Y, o, h: ets_forecasts(Y, o, h, SES_GRID),
    "hw": lambda Y, o, h: ets_forecasts(Y, o, h, HW_GRID),
    "ema": lambda Y, o, h: ema_forecasts(Y, o, h)[0],
    "ensemble": lambda Y, o, h: np.mean([POINT_METHODS[m](Y, o, h) for m in ENSEMBLE_MEMBERS], axis=0),
    "combo": lambda Y, o, h: combine([POINT_METHODS[m](Y, o, h) for m in COMBO_MEMBERS], Y, o),
}
